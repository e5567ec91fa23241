// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"testing/fstest"

	"github.com/almanac-project/almanac/internal/store/sqlstore"
)

// MigrateFirst applies only the first migration to db, for upgrade tests.
func MigrateFirst(ctx context.Context, db *sql.DB) error {
	b, err := fs.ReadFile(migrations, "migrations/0001_initial.sql")
	if err != nil {
		return err
	}
	return sqlstore.New(db, db, dialect).Migrate(ctx, fstest.MapFS{"0001_initial.sql": {Data: b}})
}
