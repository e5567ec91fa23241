// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/store/postgres"
	"github.com/almanac-project/almanac/internal/store/storetest"
)

func TestStore(t *testing.T) {
	dsn := os.Getenv("ALMANAC_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("set ALMANAC_TEST_POSTGRES=<dsn> to run the PostgreSQL store tests")
	}
	storetest.Run(t, func(t *testing.T) calendar.Store {
		s, err := postgres.Open(t.Context(), freshSchema(t, dsn))
		if err != nil {
			t.Fatalf("Open() = %v", err)
		}
		return s
	})
}

// TestReopen checks that connecting again keeps the data and applies no
// migration twice.
func TestReopen(t *testing.T) {
	dsn := os.Getenv("ALMANAC_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("set ALMANAC_TEST_POSTGRES=<dsn> to run the PostgreSQL store tests")
	}
	dsn = freshSchema(t, dsn)
	storetest.Reopen(t, func(t *testing.T) calendar.Store {
		s, err := postgres.Open(t.Context(), dsn)
		if err != nil {
			t.Fatalf("Open() = %v", err)
		}
		return s
	})
}

// TestUpgrade checks that opening a database of an earlier schema version
// converts it.
func TestUpgrade(t *testing.T) {
	base := os.Getenv("ALMANAC_TEST_POSTGRES")
	if base == "" {
		t.Skip("set ALMANAC_TEST_POSTGRES=<dsn> to run the PostgreSQL store tests")
	}
	for _, tc := range []struct {
		name    string
		version int64
		check   func(*testing.T, *sql.DB, func(*testing.T) calendar.Store)
	}{
		{"from 1", 1, storetest.Upgrade},
		{"from 2", 2, storetest.UpgradeScheduling},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := freshSchema(t, base)
			db, err := sql.Open("pgx", dsn)
			if err != nil {
				t.Fatalf("sql.Open() = %v", err)
			}
			defer db.Close()
			if err := postgres.MigrateTo(t.Context(), db, tc.version); err != nil {
				t.Fatalf("MigrateTo(%d) = %v", tc.version, err)
			}
			tc.check(t, db, func(t *testing.T) calendar.Store {
				s, err := postgres.Open(t.Context(), dsn)
				if err != nil {
					t.Fatalf("Open() = %v", err)
				}
				return s
			})
		})
	}
}

// freshSchema creates a schema with a random name, drops it when the test
// ends, and returns dsn with search_path set to it.
func freshSchema(t *testing.T, dsn string) string {
	t.Helper()
	schema := "almanac_test_" + strings.ToLower(rand.Text()[:12])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("sql.Open(%q) = %v", dsn, err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return fmt.Sprintf("%s search_path=%s", dsn, schema)
}
