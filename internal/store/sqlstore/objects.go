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

// LongSpan is the longest span (or instance) an object may have and still
// be found through a start index; longer ones are found through the
// span-end index (see the package doc).
const LongSpan = 7 * 24 * time.Hour

// Object kinds, stored in objects.kind when the object is written: which
// index path a time-range query finds the object by (see the package doc).
// The schema's default is kindLong, which is right for any object.
const (
	// kindSpan: not recurring, and the span is at most LongSpan long;
	// found by span start.
	kindSpan = 0
	// kindInstances: recurring, the instance window is all time and every
	// instance is at most LongSpan long; found by instance start.
	kindInstances = 1
	// kindLong: anything else; found by span end.
	kindLong = 2
)

// kindOf returns the kind of an object with index ix stored with the span
// [start, stop) (in micros).
func kindOf(ix calendar.Index, start, stop int64) int {
	long := LongSpan.Microseconds()
	if !ix.Recurring {
		if stop-start > long {
			return kindLong
		}
		return kindSpan
	}
	if ix.From.After(calendar.MinTime) || ix.Until.Before(calendar.MaxTime) {
		return kindLong
	}
	for _, sp := range ix.Instances {
		if micros(sp.End)-micros(sp.Start) > long {
			return kindLong
		}
	}
	return kindInstances
}

// instanceBatch is how many instance rows one INSERT writes at most. A
// list is written in batches of powers of two, so that the insert
// statements are a few fixed ones (see hotWrites).
const instanceBatch = 128

// The statements of object writes, prepared once (see hotWrites).
const (
	bumpSeqSQL      = `UPDATE collections SET seq = seq + 1 WHERE id = $1 RETURNING seq`
	recordChangeSQL = `INSERT INTO changes (collection_id, name, seq, deleted) VALUES ($1, $2, $3, $4)
ON CONFLICT (collection_id, name) DO UPDATE SET seq = excluded.seq, deleted = excluded.deleted`
	addUsedBytesSQL = `UPDATE collections SET used_bytes = used_bytes + $1 WHERE id = $2`
	lookupSQL       = `SELECT id, etag, schedule_tag, size FROM objects WHERE collection_id = $1 AND name = $2`
	uidConflictSQL  = `SELECT name FROM objects WHERE collection_id = $1 AND uid = $2 AND name <> $3`
	upsertObjectSQL = `INSERT INTO objects
(collection_id, name, uid, component, etag, schedule_tag, data, size, seq, modified, span_start, span_end, kind, recurring, window_from, window_until)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT (collection_id, name) DO UPDATE SET uid = excluded.uid, component = excluded.component, etag = excluded.etag,
schedule_tag = excluded.schedule_tag, data = excluded.data, size = excluded.size, seq = excluded.seq, modified = excluded.modified, span_start = excluded.span_start,
span_end = excluded.span_end, kind = excluded.kind, recurring = excluded.recurring, window_from = excluded.window_from,
window_until = excluded.window_until
RETURNING id`
	deleteInstancesSQL = `DELETE FROM instances WHERE object_id = $1`
	deleteObjectSQL    = `DELETE FROM objects WHERE id = $1`
)

// insertInstancesSQL[k] inserts 1<<k instance rows: $1 the object, $2 its
// collection, then start and end of each row.
var insertInstancesSQL = func() []string {
	var out []string
	for n := 1; n <= instanceBatch; n *= 2 {
		q := []byte(`INSERT INTO instances (object_id, collection_id, inst_start, inst_end) VALUES `)
		for i := range n {
			if i > 0 {
				q = append(q, ", "...)
			}
			q = append(q, "($1, $2, "...)
			q = append(q, placeholders(3+2*i, 2)...)
			q = append(q, ')')
		}
		out = append(out, string(q))
	}
	return out
}()

// hotWrites are the statements of object and delivery writes: write
// prepares them on the writer before its first transaction.
func hotWrites() []string {
	out := append([]string{bumpSeqSQL, recordChangeSQL, addUsedBytesSQL, lookupSQL, uidConflictSQL,
		upsertObjectSQL, deleteInstancesSQL, deleteObjectSQL}, insertInstancesSQL...)
	return append(out, deliveryWrites()...)
}

// bumpSeq increments a collection's seq and returns the new value. On
// PostgreSQL it locks the collection row until the transaction ends.
func (s *Store) bumpSeq(ctx context.Context, tx *sql.Tx, collectionID int64) (int64, error) {
	var seq int64
	if err := s.queryRowTx(ctx, tx, bumpSeqSQL, collectionID).Scan(&seq); err != nil {
		return 0, fmt.Errorf("collection %d: %w", collectionID, notFound(err))
	}
	return seq, nil
}

// recordChange upserts the change-log row of a name.
func (s *Store) recordChange(ctx context.Context, tx *sql.Tx, collectionID int64, name string, seq int64, deleted bool) error {
	_, err := s.exec(ctx, tx, recordChangeSQL, collectionID, name, seq, deleted)
	return err
}

// addUsedBytes adds delta to the collection's byte total.
func (s *Store) addUsedBytes(ctx context.Context, tx *sql.Tx, collectionID, delta int64) error {
	if delta == 0 {
		return nil
	}
	_, err := s.exec(ctx, tx, addUsedBytesSQL, delta, collectionID)
	return err
}

// current is what a write needs to know about the object it replaces.
type current struct {
	id          int64
	etag        string
	scheduleTag string
	size        int64
}

// lookup returns the current object named name, or ok == false.
func (s *Store) lookup(ctx context.Context, tx *sql.Tx, collectionID int64, name string) (cur current, ok bool, err error) {
	err = s.queryRowTx(ctx, tx, lookupSQL, collectionID, name).Scan(&cur.id, &cur.etag, &cur.scheduleTag, &cur.size)
	if errors.Is(err, sql.ErrNoRows) {
		return cur, false, nil
	}
	return cur, err == nil, err
}

// checkConditions applies If-Match and If-None-Match (RFC 9110 §13.1.1,
// §13.1.2) and If-Schedule-Tag-Match (RFC 6638 §8.3) to the current state
// of a name.
func checkConditions(cond calendar.Conditions, cur current, exists bool) error {
	switch {
	case cond.IfNoneMatch && exists:
		return fmt.Errorf("If-None-Match: * on an existing object: %w", calendar.ErrPreconditionFailed)
	case cond.IfMatch == "":
	case !exists:
		return fmt.Errorf("If-Match on a missing object: %w", calendar.ErrPreconditionFailed)
	case cond.IfMatch != "*" && cond.IfMatch != cur.etag:
		return fmt.Errorf("If-Match %s, object has %s: %w", cond.IfMatch, cur.etag, calendar.ErrPreconditionFailed)
	}
	// RFC 6638 §8.3: the server MUST return 412 when the value does not
	// match the resource's current schedule tag; a missing object, or one
	// that is no scheduling object resource, has none to match.
	switch {
	case cond.IfScheduleTag == "":
	case !exists:
		return fmt.Errorf("If-Schedule-Tag-Match on a missing object: %w", calendar.ErrPreconditionFailed)
	case cond.IfScheduleTag != cur.scheduleTag:
		return fmt.Errorf("If-Schedule-Tag-Match %s, object has %q: %w", cond.IfScheduleTag, cur.scheduleTag, calendar.ErrPreconditionFailed)
	}
	return nil
}

// put writes o in tx as change seq of its collection.
func (s *Store) put(ctx context.Context, tx *sql.Tx, o *calendar.Object, cond calendar.Conditions, seq int64, modified time.Time) (bool, error) {
	cur, exists, err := s.lookup(ctx, tx, o.CollectionID, o.Name)
	if err != nil {
		return false, err
	}
	if err := checkConditions(cond, cur, exists); err != nil {
		return false, err
	}
	// RFC 4791 §5.3.2.1: the UID must be unique in the collection
	// (CALDAV:no-uid-conflict).
	var other string
	err = s.queryRowTx(ctx, tx, uidConflictSQL, o.CollectionID, o.UID, o.Name).Scan(&other)
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
	size := int64(len(o.Data))
	data := o.Data
	if data == nil {
		data = []byte{}
	}
	var id int64
	err = s.queryRowTx(ctx, tx, upsertObjectSQL,
		o.CollectionID, o.Name, o.UID, o.Component, o.ETag, o.ScheduleTag, data, size, seq, micros(modified),
		start, stop, kindOf(ix, start, stop), ix.Recurring, micros(ix.From), micros(ix.Until)).Scan(&id)
	if err != nil {
		return false, err
	}
	if exists {
		if _, err := s.exec(ctx, tx, deleteInstancesSQL, id); err != nil {
			return false, err
		}
	}
	if ix.Recurring {
		if err := s.insertInstances(ctx, tx, id, o.CollectionID, ix.Instances); err != nil {
			return false, err
		}
	}
	if err := s.recordChange(ctx, tx, o.CollectionID, o.Name, seq, false); err != nil {
		return false, err
	}
	if err := s.addUsedBytes(ctx, tx, o.CollectionID, size-cur.size); err != nil {
		return false, err
	}
	o.ID, o.Size, o.Seq, o.Modified = id, size, seq, modified
	o.Index.End = end
	return !exists, nil
}

// insertInstances writes the instance rows of object id of collection
// collectionID in batches of powers of two, the largest first.
func (s *Store) insertInstances(ctx context.Context, tx *sql.Tx, id, collectionID int64, spans []calendar.Span) error {
	for k := len(insertInstancesSQL) - 1; len(spans) > 0; {
		n := 1 << k
		if n > len(spans) {
			k--
			continue
		}
		args := make([]any, 2, 2+2*n)
		args[0], args[1] = id, collectionID
		for _, sp := range spans[:n] {
			args = append(args, micros(sp.Start), micros(sp.End))
		}
		if _, err := s.exec(ctx, tx, insertInstancesSQL[k], args...); err != nil {
			return err
		}
		spans = spans[n:]
	}
	return nil
}

// remove deletes the object name in tx as change seq of its collection,
// checking cond (but not IfNoneMatch).
func (s *Store) remove(ctx context.Context, tx *sql.Tx, collectionID int64, name string, cond calendar.Conditions, seq int64) error {
	cur, exists, err := s.lookup(ctx, tx, collectionID, name)
	if err != nil {
		return err
	}
	if !exists {
		return calendar.ErrNotFound
	}
	cond.IfNoneMatch = false
	if err := checkConditions(cond, cur, exists); err != nil {
		return err
	}
	if _, err := s.exec(ctx, tx, deleteObjectSQL, cur.id); err != nil {
		return err
	}
	if err := s.recordChange(ctx, tx, collectionID, name, seq, true); err != nil {
		return err
	}
	return s.addUsedBytes(ctx, tx, collectionID, -cur.size)
}

// PutObject implements calendar.Store. o.Size is set to len(o.Data), and
// a zero o.Index.End is stored (and set) as calendar.MaxTime.
func (s *Store) PutObject(ctx context.Context, o *calendar.Object, cond calendar.Conditions) (bool, error) {
	var created bool
	t := now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		seq, err := s.bumpSeq(ctx, tx, o.CollectionID)
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
func (s *Store) DeleteObject(ctx context.Context, collectionID int64, name string, cond calendar.Conditions) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		seq, err := s.bumpSeq(ctx, tx, collectionID)
		if err != nil {
			return err
		}
		return s.remove(ctx, tx, collectionID, name, cond, seq)
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
			seq, err := s.bumpSeq(ctx, tx, id)
			if err != nil {
				return err
			}
			seqs[id] = seq
		}
		if fromCollection != o.CollectionID || fromName != o.Name {
			if err := s.remove(ctx, tx, fromCollection, fromName, calendar.Conditions{}, seqs[fromCollection]); err != nil {
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
