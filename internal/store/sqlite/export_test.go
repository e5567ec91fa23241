// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/almanac-project/almanac/internal/store/sqlstore"
)

// MigrateTo applies the migrations up to version last (1: the initial
// one only) to db, for upgrade tests.
func MigrateTo(ctx context.Context, db *sql.DB, last int64) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	names, err := fs.Glob(sub, "*.sql")
	if err != nil {
		return err
	}
	upTo := fstest.MapFS{}
	for _, name := range names {
		digits, _, _ := strings.Cut(name, "_")
		if v, err := strconv.ParseInt(digits, 10, 64); err != nil || v > last {
			continue
		}
		b, err := fs.ReadFile(sub, name)
		if err != nil {
			return err
		}
		upTo[name] = &fstest.MapFile{Data: b}
	}
	return sqlstore.New(db, db, dialect).Migrate(ctx, upTo)
}
