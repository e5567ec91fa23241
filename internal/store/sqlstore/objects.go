// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
)

// LongSpan is the longest span an object may have and still be found
// through the span-start index; longer ones are found through the
// span-end index (see the package doc).
const LongSpan = 7 * 24 * time.Hour

// instanceBatch is how many instance rows one INSERT writes.
const instanceBatch = 200

// bumpSeq increments a collection's seq and returns the new value. On
// PostgreSQL it locks the collection row until the transaction ends.
func bumpSeq(ctx context.Context, tx *sql.Tx, collectionID int64) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `UPDATE collections SET seq = seq + 1 WHERE id = $1 RETURNING seq`, collectionID).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("collection %d: %w", collectionID, notFound(err))
	}
	return seq, nil
}

// recordChange upserts the change-log row of a name.
func recordChange(ctx context.Context, tx *sql.Tx, collectionID int64, name string, seq int64, deleted bool) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO changes (collection_id, name, seq, deleted) VALUES ($1, $2, $3, $4)
ON CONFLICT (collection_id, name) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted`, collectionID, name, seq, deleted)
	return err
}

// addUsedBytes adds delta to the collection's byte total.
func addUsedBytes(ctx context.Context, tx *sql.Tx, collectionID, delta int64) error {
	if delta == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE collections SET used_bytes = used_bytes + $1 WHERE id = $2`, delta, collectionID)
	return err
}

// current is what a write needs to know about the object it replaces.
type current struct {
	id   int64
	etag string
	size int64
}

// lookup returns the current object named name, or ok == false.
func lookup(ctx context.Context, tx *sql.Tx, collectionID int64, name string) (cur current, ok bool, err error) {
	err = tx.QueryRowContext(ctx, `SELECT id, etag, size FROM objects WHERE collection_id = $1 AND name = $2`, collectionID, name).
		Scan(&cur.id, &cur.etag, &cur.size)
	if errors.Is(err, sql.ErrNoRows) {
		return cur, false, nil
	}
	return cur, err == nil, err
}

// checkConditions applies If-Match and If-None-Match (RFC 9110 §13.1.1,
// §13.1.2) to the current state of a name.
func checkConditions(cond calendar.Conditions, cur current, exists bool) error {
	switch {
	case cond.IfNoneMatch && exists:
		return fmt.Errorf("If-None-Match: * on an existing object: %w", calendar.ErrPreconditionFailed)
	case cond.IfMatch == "":
		return nil
	case !exists:
		return fmt.Errorf("If-Match on a missing object: %w", calendar.ErrPreconditionFailed)
	case cond.IfMatch != "*" && cond.IfMatch != cur.etag:
		return fmt.Errorf("If-Match %s, object has %s: %w", cond.IfMatch, cur.etag, calendar.ErrPreconditionFailed)
	}
	return nil
}

// put writes o in tx as change seq of its collection.
func (s *Store) put(ctx context.Context, tx *sql.Tx, o *calendar.Object, cond calendar.Conditions, seq int64, modified time.Time) (bool, error) {
	cur, exists, err := lookup(ctx, tx, o.CollectionID, o.Name)
	if err != nil {
		return false, err
	}
	if err := checkConditions(cond, cur, exists); err != nil {
		return false, err
	}
	// RFC 4791 §5.3.2.1: the UID must be unique in the collection
	// (CALDAV:no-uid-conflict).
	var other string
	err = tx.QueryRowContext(ctx, `SELECT name FROM objects WHERE collection_id = $1 AND uid = $2 AND name <> $3`, o.CollectionID, o.UID, o.Name).Scan(&other)
	switch {
	case err == nil:
		return false, &calendar.UIDConflictError{UID: o.UID, Name: other}
	case !errors.Is(err, sql.ErrNoRows):
		return false, err
	}

	ix := o.Index
	end := ix.End
	if end.IsZero() {
		end = calendar.MaxTime
	}
	start, stop := micros(ix.Start), micros(end)
	long := stop-start > LongSpan.Microseconds()
	size := int64(len(o.Data))
	data := o.Data
	if data == nil {
		data = []byte{}
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO objects
(collection_id, name, uid, component, etag, data, size, seq, modified, span_start, span_end, long_span, recurring, window_from, window_until)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (collection_id, name) DO UPDATE SET uid = excluded.uid, component = excluded.component, etag = excluded.etag,
data = excluded.data, size = excluded.size, seq = excluded.seq, modified = excluded.modified, span_start = excluded.span_start,
span_end = excluded.span_end, long_span = excluded.long_span, recurring = excluded.recurring, window_from = excluded.window_from,
window_until = excluded.window_until
RETURNING id`,
		o.CollectionID, o.Name, o.UID, o.Component, o.ETag, data, size, seq, micros(modified),
		start, stop, long, ix.Recurring, micros(ix.From), micros(ix.Until)).Scan(&id)
	if err != nil {
		return false, err
	}
	if exists {
		if _, err := tx.ExecContext(ctx, `DELETE FROM instances WHERE object_id = $1`, id); err != nil {
			return false, err
		}
	}
	if ix.Recurring {
		if err := insertInstances(ctx, tx, id, ix.Instances); err != nil {
			return false, err
		}
	}
	if err := recordChange(ctx, tx, o.CollectionID, o.Name, seq, false); err != nil {
		return false, err
	}
	if err := addUsedBytes(ctx, tx, o.CollectionID, size-cur.size); err != nil {
		return false, err
	}
	o.ID, o.Size, o.Seq, o.Modified = id, size, seq, modified
	o.Index.End = end
	return !exists, nil
}

// insertInstances writes the instance rows of object id in batches.
func insertInstances(ctx context.Context, tx *sql.Tx, id int64, spans []calendar.Span) error {
	for len(spans) > 0 {
		n := min(len(spans), instanceBatch)
		q := make([]byte, 0, 64+n*16)
		q = append(q, `INSERT INTO instances (object_id, inst_start, inst_end) VALUES `...)
		args := make([]any, 1, 1+2*n)
		args[0] = id
		for i, sp := range spans[:n] {
			if i > 0 {
				q = append(q, ", "...)
			}
			q = append(q, "($1, "...)
			q = append(q, placeholders(len(args)+1, 2)...)
			q = append(q, ')')
			args = append(args, micros(sp.Start), micros(sp.End))
		}
		if _, err := tx.ExecContext(ctx, string(q), args...); err != nil {
			return err
		}
		spans = spans[n:]
	}
	return nil
}

// remove deletes the object name in tx as change seq of its collection.
func remove(ctx context.Context, tx *sql.Tx, collectionID int64, name, ifMatch string, seq int64) error {
	cur, exists, err := lookup(ctx, tx, collectionID, name)
	if err != nil {
		return err
	}
	if !exists {
		return calendar.ErrNotFound
	}
	if err := checkConditions(calendar.Conditions{IfMatch: ifMatch}, cur, exists); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM objects WHERE id = $1`, cur.id); err != nil {
		return err
	}
	if err := recordChange(ctx, tx, collectionID, name, seq, true); err != nil {
		return err
	}
	return addUsedBytes(ctx, tx, collectionID, -cur.size)
}

// PutObject implements calendar.Store. o.Size is set to len(o.Data), and
// a zero o.Index.End is stored (and set) as calendar.MaxTime.
func (s *Store) PutObject(ctx context.Context, o *calendar.Object, cond calendar.Conditions) (bool, error) {
	var created bool
	t := now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		seq, err := bumpSeq(ctx, tx, o.CollectionID)
		if err != nil {
			return err
		}
		created, err = s.put(ctx, tx, o, cond, seq, t)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("put object %q in collection %d: %w", o.Name, o.CollectionID, err)
	}
	return created, nil
}

// DeleteObject implements calendar.Store.
func (s *Store) DeleteObject(ctx context.Context, collectionID int64, name, ifMatch string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		seq, err := bumpSeq(ctx, tx, collectionID)
		if err != nil {
			return err
		}
		return remove(ctx, tx, collectionID, name, ifMatch, seq)
	})
	if err != nil {
		return fmt.Errorf("delete object %q in collection %d: %w", name, collectionID, err)
	}
	return nil
}

// MoveObject implements calendar.Store. Within one collection both
// changes share one new seq; across collections each gets its own, and
// the collection rows are locked in id order so that opposite moves cannot
// deadlock. The source is removed before o is stored, so o may keep the
// source's UID. Moving an object onto its own name stores o.
func (s *Store) MoveObject(ctx context.Context, fromCollection int64, fromName string, o *calendar.Object, cond calendar.Conditions) (bool, error) {
	var created bool
	t := now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		first, second := fromCollection, o.CollectionID
		if second < first {
			first, second = second, first
		}
		seqs := make(map[int64]int64, 2)
		for _, id := range []int64{first, second} {
			if _, done := seqs[id]; done {
				continue
			}
			seq, err := bumpSeq(ctx, tx, id)
			if err != nil {
				return err
			}
			seqs[id] = seq
		}
		if fromCollection != o.CollectionID || fromName != o.Name {
			if err := remove(ctx, tx, fromCollection, fromName, "", seqs[fromCollection]); err != nil {
				return fmt.Errorf("source: %w", err)
			}
		}
		var err error
		created, err = s.put(ctx, tx, o, cond, seqs[o.CollectionID], t)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("move object %q of collection %d to %q in collection %d: %w", fromName, fromCollection, o.Name, o.CollectionID, err)
	}
	return created, nil
}
