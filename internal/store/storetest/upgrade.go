// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package storetest

import (
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
)

// Upgrade checks, for the stores of internal/store/sqlstore, that the
// migrations convert the objects of a database at schema version 1 (the
// initial migration only), which db is connected to: it writes objects
// there in the version 1 layout, opens the database with open (which
// applies the later migrations), queries them through the Store and checks
// the converted columns through db. The caller closes db.
func Upgrade(t *testing.T, db *sql.DB, open func(t *testing.T) calendar.Store) {
	ctx := t.Context()
	h := time.Hour
	us := func(t time.Time) int64 { return t.UnixMicro() }
	var owner int64
	if err := db.QueryRowContext(ctx, `INSERT INTO principals (name, display_name, type, admin, password_hash, quota_bytes, created)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, "ann", "Ann", calendar.TypeIndividual, false, "", 0, 0).Scan(&owner); err != nil {
		t.Fatalf("insert principal: %v", err)
	}
	var colls []int64
	for _, name := range []string{"default", "work"} {
		var id int64
		if err := db.QueryRowContext(ctx, `INSERT INTO collections (owner_id, name, kind, display_name, description, color, sort_order,
timezone, components, props, transparent, public_read, feed_token, seq, used_bytes, created, modified)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, $9, $10, NULL, $11, $12, $13, $14) RETURNING id`,
			owner, name, calendar.KindCalendar, name, "", "", 0, "", false, false, 10, 0, 0, 0).Scan(&id); err != nil {
			t.Fatalf("insert collection %s: %v", name, err)
		}
		colls = append(colls, id)
	}
	// put writes an object in the version 1 layout: long_span, and
	// instances without their collection.
	put := func(coll int64, name string, ix calendar.Index) {
		t.Helper()
		var id int64
		start, end := us(ix.Start), us(ix.End)
		if err := db.QueryRowContext(ctx, `INSERT INTO objects (collection_id, name, uid, component, etag, data, size, seq, modified,
span_start, span_end, long_span, recurring, window_from, window_until)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			coll, name, name, "VEVENT", `"`+name+`"`, []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"), 30, 1, 0,
			start, end, end-start > (7*24*h).Microseconds(), ix.Recurring, us(ix.From), us(ix.Until)).Scan(&id); err != nil {
			t.Fatalf("insert object %s: %v", name, err)
		}
		for _, sp := range ix.Instances {
			if _, err := db.ExecContext(ctx, `INSERT INTO instances (object_id, inst_start, inst_end) VALUES ($1, $2, $3)`,
				id, us(sp.Start), us(sp.End)); err != nil {
				t.Fatalf("insert instance of %s: %v", name, err)
			}
		}
	}
	all := calendar.Index{Recurring: true, From: calendar.MinTime, Until: calendar.MaxTime}
	weekly := all
	weekly.Start, weekly.End = day(0).Add(10*h), day(63).Add(11*h)
	for i := range 10 {
		weekly.Instances = append(weekly.Instances, calendar.Span{Start: day(7 * i).Add(10 * h), End: day(7 * i).Add(11 * h)})
	}
	longInstance := all
	longInstance.Start, longInstance.End = day(100), day(130).Add(h)
	longInstance.Instances = []calendar.Span{{Start: day(100), End: day(100).Add(h)}, {Start: day(110), End: day(120)}, {Start: day(130), End: day(130).Add(h)}}
	windowed := calendar.Index{Start: day(300).Add(9 * h), End: calendar.MaxTime, Recurring: true, From: day(300), Until: day(310)}
	for i := range 10 {
		windowed.Instances = append(windowed.Instances, calendar.Span{Start: day(300 + i).Add(9 * h), End: day(300 + i).Add(10 * h)})
	}
	put(colls[0], "single", calendar.Index{Start: day(14).Add(12 * h), End: day(14).Add(13 * h)})
	put(colls[0], "month", calendar.Index{Start: day(1), End: day(31)})
	put(colls[0], "weekly", weekly)
	put(colls[0], "long-instance", longInstance)
	put(colls[0], "windowed", windowed)
	put(colls[1], "work-weekly", weekly)

	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	for _, tc := range []struct {
		coll       int
		start, end time.Time
		want       []string
	}{
		{0, day(14).Add(10 * h), day(14).Add(11 * h), []string{"month", "weekly"}},
		{0, day(14).Add(11 * h), day(14).Add(14 * h), []string{"month", "single"}},
		{0, day(40), day(41), []string{}},
		{0, day(118), day(119), []string{"long-instance"}},
		{0, day(125), day(126), []string{}},
		{0, day(305).Add(9 * h), day(305).Add(10 * h), []string{"windowed"}},
		{0, day(305).Add(11 * h), day(305).Add(12 * h), []string{}},
		{0, day(350), day(351), []string{"windowed"}},
		{1, day(14).Add(10 * h), day(14).Add(11 * h), []string{"work-weekly"}},
		{1, day(14).Add(11 * h), day(14).Add(14 * h), []string{}},
	} {
		q := calendar.Query{Start: tc.start, End: tc.end}
		got, err := s.QueryObjects(ctx, colls[tc.coll], q)
		if n := names(got); err != nil || !slices.Equal(n, tc.want) {
			t.Errorf("after upgrading: QueryObjects(%d, [%v, %v)) = %q, %v; want %q", colls[tc.coll], tc.start, tc.end, n, err, tc.want)
		}
	}

	// The kinds of sqlstore: 0 by span start, 1 by instances, 2 by span
	// end.
	wantKinds := map[string]int{"single": 0, "month": 2, "weekly": 1, "long-instance": 2, "windowed": 2, "work-weekly": 1}
	rows, err := db.QueryContext(ctx, `SELECT name, kind FROM objects`)
	if err != nil {
		t.Fatalf("read kinds: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			name string
			kind int
		)
		if err := rows.Scan(&name, &kind); err != nil {
			t.Fatalf("read kinds: %v", err)
		}
		if kind != wantKinds[name] {
			t.Errorf("after upgrading, %s has kind %d, want %d", name, kind, wantKinds[name])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read kinds: %v", err)
	}
	var wrong int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM instances i JOIN objects o ON o.id = i.object_id
WHERE i.collection_id <> o.collection_id`).Scan(&wrong); err != nil || wrong != 0 {
		t.Errorf("after upgrading, %d instances have another collection than their object (%v)", wrong, err)
	}

	// The store writes and finds new objects.
	o := event(colls[0], "new", "new", day(40).Add(h), day(40).Add(2*h))
	mustPut(t, s, o, calendar.Conditions{IfNoneMatch: true})
	if got, err := s.QueryObjects(ctx, colls[0], calendar.Query{Start: day(40), End: day(41)}); err != nil || !slices.Equal(names(got), []string{"new"}) {
		t.Errorf("after upgrading and writing: QueryObjects(day 40) = %q, %v; want [new]", names(got), err)
	}
}
