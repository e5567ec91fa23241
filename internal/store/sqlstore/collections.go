// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/almanac-project/almanac/internal/calendar"
)

// storedProp is the JSON form of a dead property. The XML travels as
// bytes (base64 in JSON) so that it round-trips byte for byte.
type storedProp struct {
	Space string `json:"s"`
	Local string `json:"l"`
	XML   []byte `json:"x"`
}

func encodeProps(props []calendar.DeadProp) ([]byte, error) {
	if len(props) == 0 {
		return nil, nil
	}
	sp := make([]storedProp, len(props))
	for i, p := range props {
		sp[i] = storedProp{Space: p.Space, Local: p.Local, XML: []byte(p.XML)}
	}
	return json.Marshal(sp)
}

func decodeProps(b []byte) ([]calendar.DeadProp, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var sp []storedProp
	if err := json.Unmarshal(b, &sp); err != nil {
		return nil, fmt.Errorf("dead properties: %w", err)
	}
	props := make([]calendar.DeadProp, len(sp))
	for i, p := range sp {
		props[i] = calendar.DeadProp{Space: p.Space, Local: p.Local, XML: string(p.XML)}
	}
	return props, nil
}

// encodeComponents keeps nil (NULL: the default set) apart from a set.
func encodeComponents(c []string) sql.NullString {
	return sql.NullString{String: strings.Join(c, ","), Valid: c != nil}
}

func decodeComponents(s sql.NullString) []string {
	switch {
	case !s.Valid:
		return nil
	case s.String == "":
		return []string{}
	}
	return strings.Split(s.String, ",")
}

// CreateCollection implements calendar.Store.
func (s *Store) CreateCollection(ctx context.Context, c *calendar.Collection) error {
	props, err := encodeProps(c.Props)
	if err != nil {
		return fmt.Errorf("create collection %q: %w", c.Name, err)
	}
	t := now()
	var id int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		return s.constraint(tx.QueryRowContext(ctx, `INSERT INTO collections
(owner_id, name, kind, display_name, description, color, sort_order, timezone, components, props, transparent, public_read, feed_token, seq, used_bytes, created, modified)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, 0, $14, $14) RETURNING id`,
			c.OwnerID, c.Name, c.Kind, c.DisplayName, c.Description, c.Color, c.Order, c.Timezone,
			encodeComponents(c.Components), props, c.Transparent, c.PublicRead, nullString(c.FeedToken), micros(t)).Scan(&id))
	})
	if err != nil {
		return fmt.Errorf("create collection %q: %w", c.Name, err)
	}
	c.ID, c.Seq, c.Created, c.Modified = id, 0, t, t
	return nil
}

const collectionCols = `id, owner_id, name, kind, display_name, description, color, sort_order, timezone, components, props, transparent, public_read, feed_token, seq, created, modified`

func scanCollection(row interface{ Scan(...any) error }) (*calendar.Collection, error) {
	var (
		c                 calendar.Collection
		components, token sql.NullString
		props             []byte
		created, modified int64
	)
	err := row.Scan(&c.ID, &c.OwnerID, &c.Name, &c.Kind, &c.DisplayName, &c.Description, &c.Color, &c.Order, &c.Timezone,
		&components, &props, &c.Transparent, &c.PublicRead, &token, &c.Seq, &created, &modified)
	if err != nil {
		return nil, notFound(err)
	}
	if c.Props, err = decodeProps(props); err != nil {
		return nil, err
	}
	c.Components = decodeComponents(components)
	c.FeedToken = token.String
	c.Created, c.Modified = fromMicros(created), fromMicros(modified)
	return &c, nil
}

// Collection implements calendar.Store.
func (s *Store) Collection(ctx context.Context, id int64) (*calendar.Collection, error) {
	c, err := scanCollection(s.queryRow(ctx, `SELECT `+collectionCols+` FROM collections WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("collection %d: %w", id, err)
	}
	return c, nil
}

// CollectionByName implements calendar.Store.
func (s *Store) CollectionByName(ctx context.Context, ownerID int64, name string) (*calendar.Collection, error) {
	c, err := scanCollection(s.queryRow(ctx, `SELECT `+collectionCols+` FROM collections WHERE owner_id = $1 AND name = $2`, ownerID, name))
	if err != nil {
		return nil, fmt.Errorf("collection %q of principal %d: %w", name, ownerID, err)
	}
	return c, nil
}

// CollectionByFeedToken implements calendar.Store. The token "" matches
// nothing.
func (s *Store) CollectionByFeedToken(ctx context.Context, token string) (*calendar.Collection, error) {
	if token == "" {
		return nil, fmt.Errorf("collection by empty feed token: %w", calendar.ErrNotFound)
	}
	c, err := scanCollection(s.queryRow(ctx, `SELECT `+collectionCols+` FROM collections WHERE feed_token = $1`, token))
	if err != nil {
		return nil, fmt.Errorf("collection by feed token: %w", err)
	}
	return c, nil
}

// Collections implements calendar.Store.
func (s *Store) Collections(ctx context.Context, ownerID int64) ([]*calendar.Collection, error) {
	rows, err := s.query(ctx, `SELECT `+collectionCols+` FROM collections WHERE owner_id = $1 ORDER BY sort_order, name`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("collections of principal %d: %w", ownerID, err)
	}
	defer rows.Close()
	var out []*calendar.Collection
	for rows.Next() {
		c, err := scanCollection(rows)
		if err != nil {
			return nil, fmt.Errorf("collections of principal %d: %w", ownerID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("collections of principal %d: %w", ownerID, err)
	}
	return out, nil
}

// UpdateCollection implements calendar.Store.
func (s *Store) UpdateCollection(ctx context.Context, c *calendar.Collection) error {
	props, err := encodeProps(c.Props)
	if err != nil {
		return fmt.Errorf("update collection %d: %w", c.ID, err)
	}
	t := now()
	err = s.write(ctx, func(tx *sql.Tx) error {
		return s.constraint(mustAffect(tx.ExecContext(ctx, `UPDATE collections SET display_name = $1, description = $2, color = $3, sort_order = $4,
timezone = $5, components = $6, props = $7, transparent = $8, public_read = $9, feed_token = $10, modified = $11 WHERE id = $12`,
			c.DisplayName, c.Description, c.Color, c.Order, c.Timezone, encodeComponents(c.Components), props,
			c.Transparent, c.PublicRead, nullString(c.FeedToken), micros(t), c.ID)))
	})
	if err != nil {
		return fmt.Errorf("update collection %d: %w", c.ID, err)
	}
	c.Modified = t
	return nil
}

// DeleteCollection implements calendar.Store. The schema's foreign keys
// cascade to objects, instances, changes and shares.
func (s *Store) DeleteCollection(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.ExecContext(ctx, `DELETE FROM collections WHERE id = $1`, id))
	})
	if err != nil {
		return fmt.Errorf("delete collection %d: %w", id, err)
	}
	return nil
}

// SetShare implements calendar.Store.
func (s *Store) SetShare(ctx context.Context, sh calendar.Share) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO shares (collection_id, principal_id, access) VALUES ($1, $2, $3)
ON CONFLICT (collection_id, principal_id) DO UPDATE SET access = excluded.access`, sh.CollectionID, sh.PrincipalID, sh.Access)
		return s.constraint(err)
	})
	if err != nil {
		return fmt.Errorf("share collection %d with principal %d: %w", sh.CollectionID, sh.PrincipalID, err)
	}
	return nil
}

// DeleteShare implements calendar.Store.
func (s *Store) DeleteShare(ctx context.Context, collectionID, principalID int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return mustAffect(tx.ExecContext(ctx, `DELETE FROM shares WHERE collection_id = $1 AND principal_id = $2`, collectionID, principalID))
	})
	if err != nil {
		return fmt.Errorf("delete share of collection %d with principal %d: %w", collectionID, principalID, err)
	}
	return nil
}

// Shares implements calendar.Store. They are ordered by principal.
func (s *Store) Shares(ctx context.Context, collectionID int64) ([]calendar.Share, error) {
	sh, err := s.shares(ctx, `WHERE collection_id = $1 ORDER BY principal_id`, collectionID)
	if err != nil {
		return nil, fmt.Errorf("shares of collection %d: %w", collectionID, err)
	}
	return sh, nil
}

// SharedWith implements calendar.Store. They are ordered by collection.
func (s *Store) SharedWith(ctx context.Context, principalID int64) ([]calendar.Share, error) {
	sh, err := s.shares(ctx, `WHERE principal_id = $1 ORDER BY collection_id`, principalID)
	if err != nil {
		return nil, fmt.Errorf("shares with principal %d: %w", principalID, err)
	}
	return sh, nil
}

func (s *Store) shares(ctx context.Context, where string, arg int64) ([]calendar.Share, error) {
	rows, err := s.query(ctx, `SELECT collection_id, principal_id, access FROM shares `+where, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []calendar.Share
	for rows.Next() {
		var sh calendar.Share
		if err := rows.Scan(&sh.CollectionID, &sh.PrincipalID, &sh.Access); err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

// UsedBytes implements calendar.Store. Object writes keep a per-collection
// total, so this sums one row per collection.
func (s *Store) UsedBytes(ctx context.Context, ownerID int64) (int64, error) {
	var n int64
	err := s.queryRow(ctx, `SELECT CAST(COALESCE(SUM(used_bytes), 0) AS BIGINT) FROM collections WHERE owner_id = $1`, ownerID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("used bytes of principal %d: %w", ownerID, err)
	}
	return n, nil
}
