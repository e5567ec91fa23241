// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmts holds statements prepared once on one *sql.DB, by SQL text, so
// that the hot queries are not parsed and planned again on every call
// (database/sql then prepares each one at most once per connection). The
// SQL texts a Store runs are constants or built from a few fixed variants,
// so the set stays small.
type stmts struct {
	db *sql.DB
	m  sync.Map // SQL text → *sql.Stmt
}

// get returns the statement of query, preparing it on first use.
// Preparing takes a connection of db: inside a write transaction, which
// may hold the only one (SQLite), use lookup instead.
func (c *stmts) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// lookup returns the statement of query if it is prepared already.
func (c *stmts) lookup(query string) (*sql.Stmt, bool) {
	st, ok := c.m.Load(query)
	if !ok {
		return nil, false
	}
	return st.(*sql.Stmt), true
}

// close closes every statement.
func (c *stmts) close() error {
	var errs []error
	c.m.Range(func(k, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		c.m.Delete(k)
		return true
	})
	return errors.Join(errs...)
}

// errRow is a row whose Scan fails with err: what queryRow returns when
// the statement cannot be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// rowScanner is a *sql.Row or an errRow.
type rowScanner interface{ Scan(...any) error }

// query runs a read query through its prepared statement on the reader.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := s.rs.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a read query that returns at most one row through its
// prepared statement on the reader.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	st, err := s.rs.get(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// prepareWrites prepares hotWrites on the writer once; write calls it
// before it begins a transaction, so that the statements never have to be
// prepared while the transaction holds the writer's connection.
func (s *Store) prepareWrites(ctx context.Context) error {
	if s.writesReady.Load() {
		return nil
	}
	s.prepareMu.Lock()
	defer s.prepareMu.Unlock()
	if s.writesReady.Load() {
		return nil
	}
	for _, q := range hotWrites() {
		if _, err := s.ws.get(ctx, q); err != nil {
			return err
		}
	}
	s.writesReady.Store(true)
	return nil
}

// exec runs a statement in tx, through its prepared form when it is one
// of hotWrites.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st, ok := s.ws.lookup(query); ok {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// queryRowTx runs a query that returns at most one row in tx, through its
// prepared form when it is one of hotWrites.
func (s *Store) queryRowTx(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if st, ok := s.ws.lookup(query); ok {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, query, args...)
}
