// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/almanac-project/almanac/internal/calendar"
)

// addressKey is the form of a calendar user address that lookups compare:
// the scheme in lower case and, for mailto:, the whole address in lower
// case (RFC 6638 §2.4.1 addresses are URIs; RFC 3986 §3.1 schemes and, in
// practice, e-mail addresses compare case-insensitively).
func addressKey(addr string) string {
	scheme, rest, ok := strings.Cut(addr, ":")
	if !ok {
		return addr
	}
	scheme = strings.ToLower(scheme)
	if scheme == "mailto" {
		rest = strings.ToLower(rest)
	}
	return scheme + ":" + rest
}

// CreatePrincipal implements calendar.Store.
func (s *Store) CreatePrincipal(ctx context.Context, p *calendar.Principal) error {
	created := now()
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO principals (name, display_name, type, admin, password_hash, quota_bytes, created)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			p.Name, p.DisplayName, p.Type, p.Admin, p.PasswordHash, p.QuotaBytes, micros(created)).Scan(&id)
		if err != nil {
			return s.constraint(err)
		}
		return s.constraint(insertAddresses(ctx, tx, id, p.Addresses))
	})
	if err != nil {
		return fmt.Errorf("create principal %q: %w", p.Name, err)
	}
	p.ID, p.Created = id, created
	return nil
}

func insertAddresses(ctx context.Context, tx *sql.Tx, id int64, addrs []string) error {
	for i, a := range addrs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO principal_addresses (principal_id, position, address, address_key) VALUES ($1, $2, $3, $4)`,
			id, i, a, addressKey(a)); err != nil {
			return err
		}
	}
	return nil
}

// principals runs a principal query; where is appended to the join of
// principals and their addresses.
func (s *Store) principals(ctx context.Context, where string, args ...any) ([]*calendar.Principal, error) {
	rows, err := s.query(ctx, `SELECT p.id, p.name, p.display_name, p.type, p.admin, p.password_hash, p.quota_bytes, p.created, a.address
FROM principals p LEFT JOIN principal_addresses a ON a.principal_id = p.id `+where+`
ORDER BY p.name, a.position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*calendar.Principal
	for rows.Next() {
		var (
			p       calendar.Principal
			created int64
			addr    sql.NullString
		)
		if err := rows.Scan(&p.ID, &p.Name, &p.DisplayName, &p.Type, &p.Admin, &p.PasswordHash, &p.QuotaBytes, &created, &addr); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].ID == p.ID {
			out[n-1].Addresses = append(out[n-1].Addresses, addr.String)
			continue
		}
		p.Created = fromMicros(created)
		if addr.Valid {
			p.Addresses = []string{addr.String}
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// principal runs a principal query that selects at most one.
func (s *Store) principal(ctx context.Context, where string, arg any) (*calendar.Principal, error) {
	ps, err := s.principals(ctx, where, arg)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, calendar.ErrNotFound
	}
	return ps[0], nil
}

// Principal implements calendar.Store.
func (s *Store) Principal(ctx context.Context, id int64) (*calendar.Principal, error) {
	p, err := s.principal(ctx, `WHERE p.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("principal %d: %w", id, err)
	}
	return p, nil
}

// PrincipalByName implements calendar.Store.
func (s *Store) PrincipalByName(ctx context.Context, name string) (*calendar.Principal, error) {
	p, err := s.principal(ctx, `WHERE p.name = $1`, name)
	if err != nil {
		return nil, fmt.Errorf("principal %q: %w", name, err)
	}
	return p, nil
}

// PrincipalByAddress implements calendar.Store.
func (s *Store) PrincipalByAddress(ctx context.Context, addr string) (*calendar.Principal, error) {
	p, err := s.principal(ctx, `WHERE p.id = (SELECT principal_id FROM principal_addresses WHERE address_key = $1)`, addressKey(addr))
	if err != nil {
		return nil, fmt.Errorf("principal with address %q: %w", addr, err)
	}
	return p, nil
}

// Principals implements calendar.Store.
func (s *Store) Principals(ctx context.Context) ([]*calendar.Principal, error) {
	ps, err := s.principals(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("principals: %w", err)
	}
	return ps, nil
}

// UpdatePrincipal implements calendar.Store.
func (s *Store) UpdatePrincipal(ctx context.Context, p *calendar.Principal) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		err := mustAffect(tx.ExecContext(ctx, `UPDATE principals SET display_name = $1, type = $2, admin = $3, password_hash = $4, quota_bytes = $5 WHERE id = $6`,
			p.DisplayName, p.Type, p.Admin, p.PasswordHash, p.QuotaBytes, p.ID))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM principal_addresses WHERE principal_id = $1`, p.ID); err != nil {
			return err
		}
		return s.constraint(insertAddresses(ctx, tx, p.ID, p.Addresses))
	})
	if err != nil {
		return fmt.Errorf("update principal %d: %w", p.ID, err)
	}
	return nil
}

// DeletePrincipal implements calendar.Store. The schema's foreign keys
// cascade to addresses, app passwords, collections (with their objects,
// instances, changes and shares), the shares granted to the principal and
// its deliveries.
func (s *Store) DeletePrincipal(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.ExecContext(ctx, `DELETE FROM principals WHERE id = $1`, id))
	})
	if err != nil {
		return fmt.Errorf("delete principal %d: %w", id, err)
	}
	return nil
}

// CreateAppPassword implements calendar.Store.
func (s *Store) CreateAppPassword(ctx context.Context, a *calendar.AppPassword) error {
	created := now()
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		return s.constraint(tx.QueryRowContext(ctx, `INSERT INTO app_passwords (principal_id, label, hash, created) VALUES ($1, $2, $3, $4) RETURNING id`,
			a.PrincipalID, a.Label, a.Hash, micros(created)).Scan(&id))
	})
	if err != nil {
		return fmt.Errorf("create app password for principal %d: %w", a.PrincipalID, err)
	}
	a.ID, a.Created = id, created
	return nil
}

const appPasswordCols = `id, principal_id, label, hash, created`

func scanAppPassword(row interface{ Scan(...any) error }) (*calendar.AppPassword, error) {
	var (
		a       calendar.AppPassword
		created int64
	)
	if err := row.Scan(&a.ID, &a.PrincipalID, &a.Label, &a.Hash, &created); err != nil {
		return nil, notFound(err)
	}
	a.Created = fromMicros(created)
	return &a, nil
}

// AppPasswordByHash implements calendar.Store.
func (s *Store) AppPasswordByHash(ctx context.Context, hash []byte) (*calendar.AppPassword, error) {
	a, err := scanAppPassword(s.queryRow(ctx, `SELECT `+appPasswordCols+` FROM app_passwords WHERE hash = $1`, hash))
	if err != nil {
		return nil, fmt.Errorf("app password by hash: %w", err)
	}
	return a, nil
}

// AppPasswords implements calendar.Store. They are ordered by creation.
func (s *Store) AppPasswords(ctx context.Context, principalID int64) ([]*calendar.AppPassword, error) {
	rows, err := s.query(ctx, `SELECT `+appPasswordCols+` FROM app_passwords WHERE principal_id = $1 ORDER BY id`, principalID)
	if err != nil {
		return nil, fmt.Errorf("app passwords of principal %d: %w", principalID, err)
	}
	defer rows.Close()
	var out []*calendar.AppPassword
	for rows.Next() {
		a, err := scanAppPassword(rows)
		if err != nil {
			return nil, fmt.Errorf("app passwords of principal %d: %w", principalID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("app passwords of principal %d: %w", principalID, err)
	}
	return out, nil
}

// DeleteAppPassword implements calendar.Store.
func (s *Store) DeleteAppPassword(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.ExecContext(ctx, `DELETE FROM app_passwords WHERE id = $1`, id))
	})
	if err != nil {
		return fmt.Errorf("delete app password %d: %w", id, err)
	}
	return nil
}
