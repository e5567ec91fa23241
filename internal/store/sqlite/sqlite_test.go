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
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	p := &calendar.Principal{Name: "ann", Type: calendar.TypeIndividual}
	if err := s.CreatePrincipal(t.Context(), p); err != nil {
		t.Fatalf("CreatePrincipal() = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	s, err = sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(existing) = %v", err)
	}
	defer s.Close()
	if got, err := s.PrincipalByName(t.Context(), "ann"); err != nil || got.ID != p.ID {
		t.Errorf("PrincipalByName(ann) after reopening = %v, %v; want ID %d", got, err, p.ID)
	}
	if _, err := sqlite.OpenOptions(t.Context(), path+"?x", sqlite.Options{}); err == nil {
		t.Errorf("OpenOptions(path with '?') = nil error, want an error")
	}
	if _, err := sqlite.OpenOptions(t.Context(), path, sqlite.Options{Synchronous: 7}); err == nil {
		t.Errorf("OpenOptions(Synchronous 7) = nil error, want an error")
	}
}

// TestUpgrade checks that opening a database of the first schema version
// converts it.
func TestUpgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "almanac.db")
	db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatalf("sql.Open() = %v", err)
	}
	defer db.Close()
	if err := sqlite.MigrateFirst(t.Context(), db); err != nil {
		t.Fatalf("MigrateFirst() = %v", err)
	}
	storetest.Upgrade(t, db, func(t *testing.T) calendar.Store {
		s, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatalf("Open() = %v", err)
		}
		return s
	})
}
