// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlite_test

import (
	"database/sql"
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

// TestReopen checks that opening an existing database keeps its data and
// applies no migration twice.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "almanac.db")
	storetest.Reopen(t, func(t *testing.T) calendar.Store {
		s, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatalf("Open() = %v", err)
		}
		return s
	})
	if _, err := sqlite.OpenOptions(t.Context(), path+"?x", sqlite.Options{}); err == nil {
		t.Errorf("OpenOptions(path with '?') = nil error, want an error")
	}
	if _, err := sqlite.OpenOptions(t.Context(), path, sqlite.Options{Synchronous: 7}); err == nil {
		t.Errorf("OpenOptions(Synchronous 7) = nil error, want an error")
	}
}

// TestUpgrade checks that opening a database of an earlier schema
// version converts it.
func TestUpgrade(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version int64
		check   func(*testing.T, *sql.DB, func(*testing.T) calendar.Store)
	}{
		{"from 1", 1, storetest.Upgrade},
		{"from 2", 2, storetest.UpgradeScheduling},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "almanac.db")
			db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
			if err != nil {
				t.Fatalf("sql.Open() = %v", err)
			}
			defer db.Close()
			if err := sqlite.MigrateTo(t.Context(), db, tc.version); err != nil {
				t.Fatalf("MigrateTo(%d) = %v", tc.version, err)
			}
			tc.check(t, db, func(t *testing.T) calendar.Store {
				s, err := sqlite.Open(t.Context(), path)
				if err != nil {
					t.Fatalf("Open() = %v", err)
				}
				return s
			})
		})
	}
}
