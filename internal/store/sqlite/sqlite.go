// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/almanac-project/almanac/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Synchronous is when SQLite syncs the write-ahead log to disk (see the
// package doc).
type Synchronous int

const (
	// SyncNormal syncs at checkpoints: acknowledged writes survive a
	// process crash, not necessarily a power loss.
	SyncNormal Synchronous = iota
	// SyncFull syncs at every commit: acknowledged writes survive a power
	// loss.
	SyncFull
)

func (s Synchronous) pragma() (string, error) {
	switch s {
	case SyncNormal:
		return "NORMAL", nil
	case SyncFull:
		return "FULL", nil
	}
	return "", fmt.Errorf("sqlite: unknown Synchronous %d", s)
}

// Options tune Open. The zero value is the default.
type Options struct {
	// Synchronous is the durability level; the zero value is SyncNormal.
	Synchronous Synchronous
	// Readers is the size of the read connection pool; 0 means
	// max(4, GOMAXPROCS).
	Readers int
	// BusyTimeout is how long a connection waits for a lock another
	// process holds; 0 means 5 seconds.
	BusyTimeout time.Duration
}

// Store is calendar.Store on SQLite.
type Store struct {
	*sqlstore.Store
}

// Open opens (creating it if needed) the SQLite database at path with the
// default Options and migrates it.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenOptions(ctx, path, Options{})
}

// OpenOptions opens (creating it if needed) the SQLite database at path and
// migrates it.
func OpenOptions(ctx context.Context, path string, opts Options) (*Store, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: open %q: the path must not contain '?' or '#'", path)
	}
	sync, err := opts.Synchronous.pragma()
	if err != nil {
		return nil, err
	}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 5 * time.Second
	}
	readers := opts.Readers
	if readers <= 0 {
		readers = max(4, runtime.GOMAXPROCS(0))
	}
	common := url.Values{}
	common.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	common.Add("_pragma", "foreign_keys(1)")

	wq := url.Values{"_pragma": append([]string{"journal_mode(WAL)", "synchronous(" + sync + ")"}, common["_pragma"]...)}
	wq.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The writer creates the file and switches it to WAL before any
	// reader opens it.
	if err := w.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %q: %w", path, err), w.Close())
	}

	rq := url.Values{"_pragma": append([]string{"query_only(1)"}, common["_pragma"]...)}
	r, err := sql.Open("sqlite", path+"?"+rq.Encode())
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %q: %w", path, err), w.Close())
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxIdleTime(0)

	s := &Store{sqlstore.New(w, r, dialect)}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	if err := s.Migrate(ctx, sub); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %q: %w", path, err), s.Close())
	}
	return s, nil
}

var dialect = sqlstore.Dialect{
	Name:                  "sqlite",
	IsUniqueViolation:     isCode(sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY),
	IsForeignKeyViolation: isCode(sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY),
}

// isCode returns a function reporting whether an error is a SQLite error
// with one of the extended result codes.
func isCode(codes ...int) func(error) bool {
	return func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		for _, c := range codes {
			if e.Code() == c {
				return true
			}
		}
		return false
	}
}
