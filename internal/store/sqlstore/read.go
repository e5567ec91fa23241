// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlstore

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/almanac-project/almanac/internal/calendar"
)

// objectCols are the object columns without data; scanObject reads them
// and, when withData, a trailing data column.
const objectCols = `o.id, o.collection_id, o.name, o.uid, o.component, o.etag, o.schedule_tag, o.size, o.seq, o.modified,
o.span_start, o.span_end, o.recurring, o.window_from, o.window_until`

func cols(withData bool) string {
	if withData {
		return objectCols + `, o.data`
	}
	return objectCols
}

func scanObject(row rowScanner, withData bool) (*calendar.Object, error) {
	var (
		o                                 calendar.Object
		modified, start, end, from, until int64
	)
	dest := []any{&o.ID, &o.CollectionID, &o.Name, &o.UID, &o.Component, &o.ETag, &o.ScheduleTag, &o.Size, &o.Seq, &modified,
		&start, &end, &o.Index.Recurring, &from, &until}
	if withData {
		dest = append(dest, &o.Data)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, notFound(err)
	}
	o.Modified = fromMicros(modified)
	o.Index.Start, o.Index.End = fromMicros(start), fromMicros(end)
	o.Index.From, o.Index.Until = fromMicros(from), fromMicros(until)
	return &o, nil
}

// objects runs an object query and scans every row.
func (s *Store) objects(ctx context.Context, withData bool, query string, args ...any) ([]*calendar.Object, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*calendar.Object
	for rows.Next() {
		o, err := scanObject(rows, withData)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Object implements calendar.Store.
func (s *Store) Object(ctx context.Context, collectionID int64, name string) (*calendar.Object, error) {
	o, err := scanObject(s.queryRow(ctx, `SELECT `+cols(true)+` FROM objects o WHERE o.collection_id = $1 AND o.name = $2`, collectionID, name), true)
	if err != nil {
		return nil, fmt.Errorf("object %q in collection %d: %w", name, collectionID, err)
	}
	return o, nil
}

// ObjectByUID implements calendar.Store.
func (s *Store) ObjectByUID(ctx context.Context, collectionID int64, uid string) (*calendar.Object, error) {
	o, err := scanObject(s.queryRow(ctx, `SELECT `+cols(true)+` FROM objects o WHERE o.collection_id = $1 AND o.uid = $2`, collectionID, uid), true)
	if err != nil {
		return nil, fmt.Errorf("object with UID %q in collection %d: %w", uid, collectionID, err)
	}
	return o, nil
}

// namesBatch is how many names one Objects query looks up at most: a
// power of two, since a batch is padded to one (see objectsByNameSQL).
const namesBatch = 512

// objectsByNameSQL[k] selects the objects of collection $1 named by one of
// the 1<<k parameters from $2 on.
var objectsByNameSQL = func() []string {
	var out []string
	for n := 1; n <= namesBatch; n *= 2 {
		out = append(out, `SELECT `+cols(true)+` FROM objects o WHERE o.collection_id = $1 AND o.name IN (`+placeholders(2, n)+`)`)
	}
	return out
}()

// Objects implements calendar.Store. A name listed twice is returned
// twice. Each batch of names is padded to a power of two by repeating its
// last name, so that the queries are a few prepared statements.
func (s *Store) Objects(ctx context.Context, collectionID int64, names []string) ([]*calendar.Object, error) {
	found := make(map[string]*calendar.Object, len(names))
	for rest := names; len(rest) > 0; {
		batch := rest[:min(len(rest), namesBatch)]
		rest = rest[len(batch):]
		k := bits.Len(uint(len(batch) - 1))
		args := make([]any, 0, 1+1<<k)
		args = append(args, collectionID)
		for _, n := range batch {
			args = append(args, n)
		}
		for len(args) < cap(args) {
			args = append(args, batch[len(batch)-1])
		}
		os, err := s.objects(ctx, true, objectsByNameSQL[k], args...)
		if err != nil {
			return nil, fmt.Errorf("objects of collection %d: %w", collectionID, err)
		}
		for _, o := range os {
			found[o.Name] = o
		}
	}
	var out []*calendar.Object
	for _, n := range names {
		if o, ok := found[n]; ok {
			out = append(out, o)
		}
	}
	return out, nil
}

// ListObjects implements calendar.Store.
func (s *Store) ListObjects(ctx context.Context, collectionID int64, withData bool) ([]*calendar.Object, error) {
	os, err := s.QueryObjects(ctx, collectionID, calendar.Query{WithData: withData})
	if err != nil {
		return nil, fmt.Errorf("objects of collection %d: %w", collectionID, err)
	}
	return os, nil
}

// noLimit is the LIMIT of a query without calendar.Query.Limit: both
// engines take a bound rather than a flag, which keeps one statement.
const noLimit = math.MaxInt64

// listObjectsSQL[component][withData] is the statement of a query without
// time range: the collection's objects by name through the (collection_id,
// name) index. Parameters: $1 the collection, $2 the name to start after,
// $3 the limit, $4 the component.
var listObjectsSQL = func() (out [2][2]string) {
	for comp := range 2 {
		for data := range 2 {
			filter := ""
			if comp == 1 {
				filter = ` AND o.component = $4`
			}
			out[comp][data] = `SELECT ` + cols(data == 1) + ` FROM objects o
WHERE o.collection_id = $1 AND o.name > $2` + filter + `
ORDER BY o.name LIMIT $3`
		}
	}
	return out
}()

// queryObjectsSQL[component][withData] is the QueryObjects statement of a
// query with a time range, with (component == 1) or without a component,
// with or without data. Parameters: $1 the collection, $2 and $3 the
// range [start, end), $4 start-LongSpan, $5 the name to start after, $6
// the limit, $7 the component. Each branch finds one kind of object (see
// kindSpan …) through its own index, and each span or instance test is
// calendar.Overlaps in SQL:
//
//   - kindSpan objects by span start in [start-LongSpan, end);
//   - kindInstances objects by the start of one of their instances in
//     [start-LongSpan, end): instances of other kinds of objects are in
//     that index too, and dropped by the kind test of their object;
//   - kindLong objects by span end at or after start. A recurring one
//     whose window covers the range matches by its instances, any other
//     by its span. Every instance starts within the span, so
//     o.span_start < $3 holds for both.
//
// Every branch keeps the names after $5 only; a page thus costs the
// index scans of the whole range, and a range with many pages of
// candidates is scanned once per page. The name is compared as an
// expression (o.name concatenated with an empty string), which no index answers: on the name index
// SQLite would otherwise walk the whole collection in name order to
// honour the LIMIT instead of the time indexes.
var queryObjectsSQL = func() (out [2][2]string) {
	kinds := strings.NewReplacer("kindSpan", strconv.Itoa(kindSpan),
		"kindInstances", strconv.Itoa(kindInstances), "kindLong", strconv.Itoa(kindLong))
	for comp := range 2 {
		for data := range 2 {
			c := cols(data == 1)
			filter := ` AND o.name || '' > $5`
			if comp == 1 {
				filter += ` AND o.component = $7`
			}
			out[comp][data] = kinds.Replace(`SELECT ` + c + ` FROM objects o
WHERE o.collection_id = $1 AND o.kind = kindSpan AND o.span_start >= $4 AND o.span_start < $3
AND (o.span_end > $2 OR (o.span_end = o.span_start AND o.span_start >= $2))` + filter + `
UNION ALL
SELECT ` + c + ` FROM objects o
WHERE o.kind = kindInstances AND o.id IN (SELECT i.object_id FROM instances i
	WHERE i.collection_id = $1 AND i.inst_start >= $4 AND i.inst_start < $3
	AND (i.inst_end > $2 OR (i.inst_end = i.inst_start AND i.inst_start >= $2)))` + filter + `
UNION ALL
SELECT ` + c + ` FROM objects o
WHERE o.collection_id = $1 AND o.kind = kindLong AND o.span_end >= $2 AND o.span_start < $3
AND CASE WHEN o.recurring AND o.window_from <= $2 AND o.window_until >= $3
	THEN EXISTS (SELECT 1 FROM instances i WHERE i.object_id = o.id
		AND i.inst_start < $3 AND (i.inst_end > $2 OR (i.inst_end = i.inst_start AND i.inst_start >= $2)))
	ELSE o.span_end > $2 OR (o.span_end = o.span_start AND o.span_start >= $2)
	END` + filter + `
ORDER BY name LIMIT $6`)
		}
	}
	return out
}()

// QueryObjects implements calendar.Store: a query without time range
// lists by name (listObjectsSQL), any other goes by the time indexes
// (queryObjectsSQL).
func (s *Store) QueryObjects(ctx context.Context, collectionID int64, q calendar.Query) ([]*calendar.Object, error) {
	comp, data := 0, 0
	if q.Component != "" {
		comp = 1
	}
	if q.WithData {
		data = 1
	}
	limit := int64(noLimit)
	if q.Limit > 0 {
		limit = int64(q.Limit)
	}
	var (
		query string
		args  []any
	)
	if q.Unbounded() {
		query, args = listObjectsSQL[comp][data], []any{collectionID, q.After, limit}
	} else {
		start, end := q.Start, q.End
		if start.IsZero() {
			start = calendar.MinTime
		}
		if end.IsZero() {
			end = calendar.MaxTime
		}
		qs, qe := micros(start), micros(end)
		query = queryObjectsSQL[comp][data]
		args = []any{collectionID, qs, qe, qs - LongSpan.Microseconds(), q.After, limit}
	}
	if comp == 1 {
		// The last parameter of both statements ($4, $7).
		args = append(args, q.Component)
	}
	os, err := s.objects(ctx, q.WithData, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query objects of collection %d: %w", collectionID, err)
	}
	return os, nil
}

// Changes implements calendar.Store (RFC 6578 §3.2 sync tokens are the
// collection's seq).
func (s *Store) Changes(ctx context.Context, collectionID int64, since int64, limit int) ([]calendar.Change, error) {
	var seq int64
	if err := s.queryRow(ctx, `SELECT seq FROM collections WHERE id = $1`, collectionID).Scan(&seq); err != nil {
		return nil, fmt.Errorf("changes of collection %d: %w", collectionID, notFound(err))
	}
	if since < 0 || since > seq {
		return nil, fmt.Errorf("changes of collection %d since %d (seq %d): %w", collectionID, since, seq, calendar.ErrInvalidSyncToken)
	}
	// Bounding by the seq read above keeps the answer consistent with it
	// when writes commit in between.
	query := `SELECT name, seq, deleted FROM changes WHERE collection_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq, name`
	args := []any{collectionID, since, seq}
	if limit > 0 {
		query += ` LIMIT $4`
		args = append(args, limit)
	}
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("changes of collection %d: %w", collectionID, err)
	}
	defer rows.Close()
	var out []calendar.Change
	for rows.Next() {
		var c calendar.Change
		if err := rows.Scan(&c.Name, &c.Seq, &c.Deleted); err != nil {
			return nil, fmt.Errorf("changes of collection %d: %w", collectionID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("changes of collection %d: %w", collectionID, err)
	}
	return out, nil
}
