// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package storetest

import (
	"database/sql"
	"errors"
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
// the converted columns through db, and the scheduling inbox and outbox
// of version 3. The caller closes db.
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

	// Version 3: no schedule tags, an inbox and an outbox.
	checkScheduleTags(t, db, s, colls)
	checkBackfill(t, s, owner, []string{"default", "inbox", "outbox", "work"}, "inbox", "outbox")

	// The store writes and finds new objects.
	o := event(colls[0], "new", "new", day(40).Add(h), day(40).Add(2*h))
	mustPut(t, s, o, calendar.Conditions{IfNoneMatch: true})
	if got, err := s.QueryObjects(ctx, colls[0], calendar.Query{Start: day(40), End: day(41)}); err != nil || !slices.Equal(names(got), []string{"new"}) {
		t.Errorf("after upgrading and writing: QueryObjects(day 40) = %q, %v; want [new]", names(got), err)
	}
}

// UpgradeScheduling checks, for the stores of internal/store/sqlstore,
// that the migrations convert a database at schema version 2, which db is
// connected to, for scheduling (RFC 6638): it writes principals,
// collections and objects there in the version 2 layout, opens the
// database with open (which applies the later migrations) and checks that
// every object has no schedule tag, that every principal has a scheduling
// inbox and outbox unless it had one or the name was taken, and that the
// store then writes tags and deliveries. The caller closes db.
func UpgradeScheduling(t *testing.T, db *sql.DB, open func(t *testing.T) calendar.Store) {
	ctx := t.Context()
	h := time.Hour
	us := func(t time.Time) int64 { return t.UnixMicro() }
	principal := func(name string) int64 {
		t.Helper()
		var id int64
		if err := db.QueryRowContext(ctx, `INSERT INTO principals (name, display_name, type, admin, password_hash, quota_bytes, created)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, name, name, calendar.TypeIndividual, false, "", 0, 0).Scan(&id); err != nil {
			t.Fatalf("insert principal %s: %v", name, err)
		}
		return id
	}
	collection := func(owner int64, name, kind string) int64 {
		t.Helper()
		var id int64
		if err := db.QueryRowContext(ctx, `INSERT INTO collections (owner_id, name, kind, display_name, description, color, sort_order,
timezone, components, props, transparent, public_read, feed_token, seq, used_bytes, created, modified)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, $9, $10, NULL, $11, $12, $13, $14) RETURNING id`,
			owner, name, kind, name, "", "", 0, "", false, false, 10, 0, 0, 0).Scan(&id); err != nil {
			t.Fatalf("insert collection %s: %v", name, err)
		}
		return id
	}
	// put writes an object in the version 2 layout: kind, and instances
	// with their collection.
	put := func(coll int64, name string, kind int, ix calendar.Index) {
		t.Helper()
		var id int64
		if err := db.QueryRowContext(ctx, `INSERT INTO objects (collection_id, name, uid, component, etag, data, size, seq, modified,
span_start, span_end, kind, recurring, window_from, window_until)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			coll, name, name, "VEVENT", `"`+name+`"`, []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"), 30, 1, 0,
			us(ix.Start), us(ix.End), kind, ix.Recurring, us(ix.From), us(ix.Until)).Scan(&id); err != nil {
			t.Fatalf("insert object %s: %v", name, err)
		}
		for _, sp := range ix.Instances {
			if _, err := db.ExecContext(ctx, `INSERT INTO instances (object_id, collection_id, inst_start, inst_end) VALUES ($1, $2, $3, $4)`,
				id, coll, us(sp.Start), us(sp.End)); err != nil {
				t.Fatalf("insert instance of %s: %v", name, err)
			}
		}
	}

	// ann has calendars only; bob a calendar named inbox and an outbox of
	// another name; carol an inbox and no outbox; dave nothing.
	ann, bob, carol, dave := principal("ann"), principal("bob"), principal("carol"), principal("dave")
	annCal := collection(ann, "default", calendar.KindCalendar)
	annWork := collection(ann, "work", calendar.KindCalendar)
	bobCal := collection(bob, "inbox", calendar.KindCalendar)
	collection(bob, "sent", calendar.KindOutbox)
	collection(carol, "in", calendar.KindInbox)
	weekly := calendar.Index{Start: day(0).Add(10 * h), End: day(14).Add(11 * h), Recurring: true, From: calendar.MinTime, Until: calendar.MaxTime}
	for i := range 3 {
		weekly.Instances = append(weekly.Instances, calendar.Span{Start: day(7 * i).Add(10 * h), End: day(7 * i).Add(11 * h)})
	}
	put(annCal, "single", 0, calendar.Index{Start: day(0).Add(12 * h), End: day(0).Add(13 * h)})
	put(annCal, "weekly", 1, weekly)
	put(annWork, "month", 2, calendar.Index{Start: day(1), End: day(31)})
	put(bobCal, "bob-single", 0, calendar.Index{Start: day(0).Add(12 * h), End: day(0).Add(13 * h)})

	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	checkScheduleTags(t, db, s, []int64{annCal, annWork, bobCal})
	if got, err := s.QueryObjects(ctx, annCal, calendar.Query{Start: day(7), End: day(8)}); err != nil || !slices.Equal(names(got), []string{"weekly"}) {
		t.Errorf("after upgrading: QueryObjects(day 7) = %q, %v; want [weekly]", names(got), err)
	}
	checkBackfill(t, s, ann, []string{"default", "inbox", "outbox", "work"}, "inbox", "outbox")
	checkBackfill(t, s, bob, []string{"inbox", "sent"}, "", "")
	checkBackfill(t, s, carol, []string{"in", "outbox"}, "", "outbox")
	checkBackfill(t, s, dave, []string{"inbox", "outbox"}, "inbox", "outbox")
	if c, err := s.CollectionByName(ctx, bob, "inbox"); err != nil || c.Kind != calendar.KindCalendar || c.ID != bobCal {
		t.Errorf("after upgrading, bob's collection inbox = %+v, %v; want his calendar %d", c, err, bobCal)
	}

	// The store writes schedule tags and deliveries.
	o := event(annCal, "single", "single", day(0).Add(12*h), day(0).Add(13*h))
	o.ScheduleTag = `"s1"`
	mustPut(t, s, o, calendar.Conditions{IfMatch: `"single"`, IfScheduleTag: ""})
	if _, err := s.PutObject(ctx, o, calendar.Conditions{IfScheduleTag: `"s0"`}); !errors.Is(err, calendar.ErrPreconditionFailed) {
		t.Errorf("after upgrading: PutObject(If-Schedule-Tag-Match other) = %v, want ErrPreconditionFailed", err)
	}
	if err := s.DeleteObject(ctx, annCal, "single", calendar.Conditions{IfScheduleTag: `"s1"`}); err != nil {
		t.Errorf("after upgrading: DeleteObject(If-Schedule-Tag-Match) = %v", err)
	}
	d := mustEnqueue(t, s, newDelivery(dave, 0, "mailto:x@example.com", "imip", day(0)))
	if got, err := s.DueDeliveries(ctx, "imip", day(0), 0); err != nil || !slices.Equal(ids(got), []int64{d.ID}) {
		t.Errorf("after upgrading: DueDeliveries(imip) = %v, %v; want %v", ids(got), err, []int64{d.ID})
	}
}

// checkScheduleTags checks that every object of colls has no schedule
// tag, in the database and through the store.
func checkScheduleTags(t *testing.T, db *sql.DB, s calendar.Store, colls []int64) {
	t.Helper()
	var tagged, all int
	if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*), COUNT(CASE WHEN schedule_tag <> '' THEN 1 END) FROM objects`).Scan(&all, &tagged); err != nil {
		t.Fatalf("read schedule tags: %v", err)
	}
	if all == 0 || tagged != 0 {
		t.Errorf("after upgrading, %d of %d objects have a schedule tag, want none", tagged, all)
	}
	for _, c := range colls {
		os, err := s.ListObjects(t.Context(), c, true)
		if err != nil || len(os) == 0 {
			t.Errorf("after upgrading: ListObjects(%d) = %q, %v; want objects", c, names(os), err)
		}
		for _, o := range os {
			if o.ScheduleTag != "" {
				t.Errorf("after upgrading, object %q of collection %d has Schedule-Tag %s, want none", o.Name, c, o.ScheduleTag)
			}
		}
	}
}

// checkBackfill checks that after upgrading, owner has the collections
// names, and the inbox and outbox (RFC 6638 §2.2, §2.1) the migration
// created, named inbox and outbox ("" when it created none), have the
// values CreateCollection gives a collection without descriptive fields.
func checkBackfill(t *testing.T, s calendar.Store, owner int64, names []string, inbox, outbox string) {
	t.Helper()
	cs, err := s.Collections(t.Context(), owner)
	if err != nil {
		t.Fatalf("after upgrading: Collections(%d) = %v", owner, err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, c.Name)
	}
	if !slices.Equal(got, names) {
		t.Errorf("after upgrading: Collections(%d) = %q, want %q", owner, got, names)
	}
	for _, c := range cs {
		if (c.Name != inbox || inbox == "") && (c.Name != outbox || outbox == "") {
			continue
		}
		kind := calendar.KindInbox
		if c.Name == outbox {
			kind = calendar.KindOutbox
		}
		want := calendar.Collection{ID: c.ID, OwnerID: owner, Name: c.Name, Kind: kind, Created: c.Created, Modified: c.Created}
		if diff := collectionDiff(c, &want); diff != "" {
			t.Errorf("after upgrading, the %s of principal %d: %s", kind, owner, diff)
		}
		if age := time.Since(c.Created); age < -time.Minute || age > time.Minute {
			t.Errorf("after upgrading, the %s of principal %d was created at %v, want about now", kind, owner, c.Created)
		}
	}
}
