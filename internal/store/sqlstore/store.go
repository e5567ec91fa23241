// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
)

// Dialect describes what differs between the SQL engines beyond the DDL.
type Dialect struct {
	// Name names the engine in error messages ("sqlite", "postgres").
	Name string
	// IsUniqueViolation reports whether err is a unique-constraint
	// violation. It must not be nil.
	IsUniqueViolation func(error) bool
	// IsForeignKeyViolation reports whether err is a foreign-key
	// violation. It must not be nil.
	IsForeignKeyViolation func(error) bool
	// MigrationLock is a statement Migrate runs first in its transaction
	// to keep concurrent migrators apart, such as a PostgreSQL
	// transaction-level advisory lock. "" means the transaction is
	// exclusive by itself (SQLite with BEGIN IMMEDIATE).
	MigrationLock string
}

// Store implements calendar.Store over database/sql. It is safe for
// concurrent use.
type Store struct {
	w, r *sql.DB
	d    Dialect
	// ws and rs are the prepared statements of w and r (the same when w
	// is r); writesReady says that hotWrites are prepared on w.
	ws, rs      *stmts
	prepareMu   sync.Mutex
	writesReady atomic.Bool
}

var _ calendar.Store = (*Store)(nil)

// New returns a Store that writes through writer and reads through reader,
// which may be the same *sql.DB. The schema must be migrated (see Migrate).
// Close closes both.
func New(writer, reader *sql.DB, d Dialect) *Store {
	if d.IsUniqueViolation == nil || d.IsForeignKeyViolation == nil {
		panic("sqlstore: Dialect without violation checks")
	}
	s := &Store{w: writer, r: reader, d: d, ws: &stmts{db: writer}}
	s.rs = s.ws
	if reader != writer {
		s.rs = &stmts{db: reader}
	}
	return s
}

// Close closes the prepared statements and the databases.
func (s *Store) Close() error {
	err := s.ws.close()
	if s.r != s.w {
		err = errors.Join(err, s.rs.close(), s.r.Close())
	}
	return errors.Join(err, s.w.Close())
}

// write runs fn in a write transaction and commits it when fn succeeds.
// The schema must be migrated: write prepares hotWrites first.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if err := s.prepareWrites(ctx); err != nil {
		return fmt.Errorf("%s: prepare: %w", s.d.Name, err)
	}
	return s.transact(ctx, fn)
}

// transact runs fn in a write transaction and commits it when fn succeeds.
func (s *Store) transact(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", s.d.Name, err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", s.d.Name, err)
	}
	return nil
}

// rollback rolls tx back; a transaction the driver already ended is fine.
func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// constraint translates unique and foreign-key violations into ErrExists
// and ErrNotFound.
func (s *Store) constraint(err error) error {
	switch {
	case err == nil:
		return nil
	case s.d.IsUniqueViolation(err):
		return fmt.Errorf("%w: %w", calendar.ErrExists, err)
	case s.d.IsForeignKeyViolation(err):
		return fmt.Errorf("%w: %w", calendar.ErrNotFound, err)
	}
	return err
}

// notFound translates sql.ErrNoRows into calendar.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return calendar.ErrNotFound
	}
	return err
}

// mustAffect returns ErrNotFound unless res affected a row.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return calendar.ErrNotFound
	}
	return nil
}

// micros is how times are stored: Unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros is the inverse of micros, in UTC.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// now is the current time at the precision times are stored with.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// placeholders returns "$from, $from+1, …" with n entries.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(from + i))
	}
	return b.String()
}

// nullString maps "" to NULL.
func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}
