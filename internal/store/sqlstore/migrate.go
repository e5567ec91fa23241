// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migration is one schema change: an SQL file of an engine package.
type migration struct {
	Version int64  // from the file name's leading digits
	Name    string // the file name
	SQL     string
}

// readMigrations reads the files "NNNN_description.sql" at the root of fsys,
// ordered by version. Versions must be unique.
func readMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []migration
	seen := make(map[int64]string)
	for _, name := range names {
		digits, _, ok := strings.Cut(name, "_")
		v, err := strconv.ParseInt(digits, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migrations: %q does not start with a version number and '_'", name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations: %q and %q have the same version", other, name)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		ms = append(ms, migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Migrate applies the migrations of fsys (see readMigrations) that the
// schema_migrations table does not list yet, in order, in one transaction
// together with their schema_migrations rows: either all pending
// migrations apply or none does. d.MigrationLock keeps concurrent
// migrators apart.
func (s *Store) Migrate(ctx context.Context, fsys fs.FS) error {
	ms, err := readMigrations(fsys)
	if err != nil {
		return err
	}
	return s.transact(ctx, func(tx *sql.Tx) error {
		if s.d.MigrationLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.MigrationLock); err != nil {
				return fmt.Errorf("%s: migration lock: %w", s.d.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	applied BIGINT NOT NULL
)`); err != nil {
			return fmt.Errorf("%s: create schema_migrations: %w", s.d.Name, err)
		}
		applied := make(map[int64]bool)
		rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return fmt.Errorf("%s: read schema_migrations: %w", s.d.Name, err)
		}
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return fmt.Errorf("%s: read schema_migrations: %w", s.d.Name, err)
			}
			applied[v] = true
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("%s: read schema_migrations: %w", s.d.Name, err)
		}
		for _, m := range ms {
			if applied[m.Version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("%s: migration %s: %w", s.d.Name, m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)`,
				m.Version, m.Name, micros(now())); err != nil {
				return fmt.Errorf("%s: record migration %s: %w", s.d.Name, m.Name, err)
			}
		}
		return nil
	})
}
