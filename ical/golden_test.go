// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
)

// update rewrites the golden files of the package instead of comparing.
var update = flag.Bool("update", false, "rewrite golden files")

// goldenSeparator divides a golden file into its input and the expected
// output, as caddy's .caddyfiletest files do.
const goldenSeparator = "\n----------\n"

// TestEncodeGolden decodes each testdata/fmt/*.txt input leniently and
// compares the canonical encoding with the expected output below the
// separator (line breaks shown as LF; the encoding has CRLF). The output
// must also be a fixed point: encoding its decoding gives it again.
func TestEncodeGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/fmt/*.txt")
	if len(files) == 0 {
		t.Fatal("no golden files in testdata/fmt")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			in, want, ok := strings.Cut(string(data), goldenSeparator)
			if !ok {
				t.Fatalf("%s has no %q separator", file, strings.TrimSpace(goldenSeparator))
			}
			got := encodeLenient(t, []byte(in))
			shown := strings.ReplaceAll(string(got), "\r\n", "\n")
			if *update {
				if err := os.WriteFile(file, []byte(in+goldenSeparator+shown), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if shown != want {
				t.Errorf("Encode(%s) =\n%s\nwant\n%s", file, shown, want)
			}
			if again := encodeLenient(t, got); !bytes.Equal(again, got) {
				t.Errorf("Encode(%s) is not a fixed point:\n%s", file, again)
			}
		})
	}
}

func encodeLenient(t *testing.T, in []byte) []byte {
	t.Helper()
	c, err := ical.NewDecoder(bytes.NewReader(in)).Decode()
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return ical.Marshal(c.Component)
}
