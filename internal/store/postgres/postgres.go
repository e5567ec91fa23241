// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/almanac-project/almanac/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLockKey is the advisory lock key migrations hold ("Almanac" in
// ASCII).
const migrationLockKey = 0x416c6d616e6163

// Store is calendar.Store on PostgreSQL.
type Store struct {
	*sqlstore.Store
}

// Open connects to the database of dsn and migrates it.
func Open(ctx context.Context, dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("postgres: connect: %w", err), db.Close())
	}
	s := &Store{sqlstore.New(db, db, dialect)}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	if err := s.Migrate(ctx, sub); err != nil {
		return nil, errors.Join(fmt.Errorf("postgres: %w", err), s.Close())
	}
	return s, nil
}

var dialect = sqlstore.Dialect{
	Name:                  "postgres",
	IsUniqueViolation:     isCode("23505"),
	IsForeignKeyViolation: isCode("23503"),
	MigrationLock:         fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", int64(migrationLockKey)),
}

// isCode returns a function reporting whether an error is a PostgreSQL
// error with the SQLSTATE code.
func isCode(code string) func(error) bool {
	return func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == code
	}
}
