// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/store/sqlite"
	"github.com/almanac-project/almanac/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) calendar.Store {
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "almanac.db"))
		if err != nil {
			t.Fatalf("Open() = %v", err)
		}
		return s
	})
}
