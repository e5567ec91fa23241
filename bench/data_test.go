// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/almanac-project/almanac/bench/gen"
)

// cacheDir holds generated inputs between runs. It is listed in .gitignore.
const cacheDir = ".data"

var (
	bigOnce  sync.Once
	bigData  []byte
	bigStats gen.Stats
	bigErr   error
)

// bigFile returns the ~30 MB benchmark calendar. It is generated in memory
// on first use (well under a second) and also written to .data/ so that it
// can be inspected or fed to other tools; the file name carries the
// generator version, seed and size.
func bigFile(tb testing.TB) ([]byte, gen.Stats) {
	tb.Helper()
	bigOnce.Do(func() {
		cfg := gen.Default()
		bigData, bigStats, bigErr = gen.Bytes(cfg)
		if bigErr != nil {
			return
		}
		name := filepath.Join(cacheDir, fmt.Sprintf("big-v%d-%d-%d.ics", gen.Version, cfg.Seed, cfg.Series))
		if _, err := os.Stat(name); err == nil {
			return
		}
		if err := os.MkdirAll(cacheDir, 0o755); err != nil {
			return // the cache is optional
		}
		tmp := name + ".tmp"
		if os.WriteFile(tmp, bigData, 0o644) == nil {
			_ = os.Rename(tmp, name)
		}
	})
	if bigErr != nil {
		tb.Fatalf("generating the benchmark calendar: %v", bigErr)
	}
	return bigData, bigStats
}
