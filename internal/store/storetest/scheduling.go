// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
)

// testScheduleTag checks that Object.ScheduleTag (RFC 6638 §3.2.10) comes
// back from every read path, for objects found by each index path.
func testScheduleTag(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	_, c := home(t, s)
	h := time.Hour
	want := map[string]*calendar.Object{}
	put := func(name, tag string, ix calendar.Index) {
		t.Helper()
		o := event(c.ID, name, "uid-"+name, ix.Start, ix.End)
		o.Index, o.ScheduleTag = ix, tag
		mustPut(t, s, o, calendar.Conditions{IfNoneMatch: true})
		want[name] = o
	}
	// One object of each kind a time-range query finds differently (see
	// sqlstore's package doc), and one that is no scheduling object.
	put("short.ics", `"st-short"`, calendar.Index{Start: day(0).Add(9 * h), End: day(0).Add(10 * h)})
	weekly := calendar.Index{Start: day(0).Add(11 * h), End: day(14).Add(12 * h), Recurring: true, From: calendar.MinTime, Until: calendar.MaxTime}
	for i := range 3 {
		weekly.Instances = append(weekly.Instances, calendar.Span{Start: day(7 * i).Add(11 * h), End: day(7 * i).Add(12 * h)})
	}
	put("weekly.ics", `"st-weekly \"quoted\""`, weekly)
	put("long.ics", `"st-long"`, calendar.Index{Start: day(-20), End: day(20)})
	put("plain.ics", "", calendar.Index{Start: day(0).Add(13 * h), End: day(0).Add(14 * h)})
	all := []string{"long.ics", "plain.ics", "short.ics", "weekly.ics"}

	check := func(call string, got []*calendar.Object, err error, wantNames []string, withData bool) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s = %v", call, err)
		}
		if n := names(got); !slices.Equal(n, wantNames) {
			t.Errorf("%s = %q, want %q", call, n, wantNames)
		}
		for _, o := range got {
			if diff := objectDiff(o, want[o.Name], withData); diff != "" {
				t.Errorf("%s: %s", call, diff)
			}
		}
	}
	for _, name := range all {
		o, err := s.Object(ctx, c.ID, name)
		check(fmt.Sprintf("Object(%s)", name), []*calendar.Object{o}, err, []string{name}, true)
		o, err = s.ObjectByUID(ctx, c.ID, "uid-"+name)
		check(fmt.Sprintf("ObjectByUID(uid-%s)", name), []*calendar.Object{o}, err, []string{name}, true)
	}
	got, err := s.Objects(ctx, c.ID, all)
	check("Objects(all)", got, err, all, true)
	for _, withData := range []bool{false, true} {
		got, err := s.ListObjects(ctx, c.ID, withData)
		check(fmt.Sprintf("ListObjects(%v)", withData), got, err, all, withData)
		for _, q := range []calendar.Query{
			{WithData: withData},
			{WithData: withData, Component: "VEVENT", Limit: 10},
			{WithData: withData, Start: day(0), End: day(1)},
			{WithData: withData, Start: day(0), End: day(1), Component: "VEVENT", After: "a", Limit: 10},
		} {
			got, err := s.QueryObjects(ctx, c.ID, q)
			check(fmt.Sprintf("QueryObjects(%+v)", q), got, err, all, withData)
		}
	}

	// Replacing an object replaces its tag, also with none.
	r := event(c.ID, "short.ics", "uid-short.ics", day(0).Add(9*h), day(0).Add(10*h))
	r.ScheduleTag = `"st-short-2"`
	mustPut(t, s, r, calendar.Conditions{})
	if got, err := s.Object(ctx, c.ID, "short.ics"); err != nil || got.ScheduleTag != r.ScheduleTag {
		t.Errorf("Object(short.ics) after replacing = %v, %v; want Schedule-Tag %s", got, err, r.ScheduleTag)
	}
	r.ScheduleTag = ""
	mustPut(t, s, r, calendar.Conditions{})
	if got, err := s.Object(ctx, c.ID, "short.ics"); err != nil || got.ScheduleTag != "" {
		t.Errorf("Object(short.ics) after replacing without a tag = %v, %v; want no Schedule-Tag", got, err)
	}
}

// testScheduleTagConditions checks Conditions.IfScheduleTag (RFC 6638
// §8.3 If-Schedule-Tag-Match) on PutObject, MoveObject and DeleteObject.
func testScheduleTagConditions(t *testing.T, s calendar.Store) {
	const (
		etag = `"e1"`
		tag  = `"s1"`
	)
	ann, c := home(t, s)
	src := newCollection(t, s, ann.ID, "source")
	for _, tc := range []struct {
		name   string
		exists bool
		tag    string // the existing object's ScheduleTag
		cond   calendar.Conditions
		ok     bool
	}{
		{"none on missing", false, "", calendar.Conditions{}, true},
		{"none on tagged", true, tag, calendar.Conditions{}, true},
		{"matching", true, tag, calendar.Conditions{IfScheduleTag: tag}, true},
		{"other tag", true, tag, calendar.Conditions{IfScheduleTag: `"s2"`}, false},
		{"unquoted tag", true, tag, calendar.Conditions{IfScheduleTag: "s1"}, false},
		{"on an object without tag", true, "", calendar.Conditions{IfScheduleTag: tag}, false},
		{"on missing", false, "", calendar.Conditions{IfScheduleTag: tag}, false},
		{"matching with If-Match", true, tag, calendar.Conditions{IfMatch: etag, IfScheduleTag: tag}, true},
		{"matching with another If-Match", true, tag, calendar.Conditions{IfMatch: `"e2"`, IfScheduleTag: tag}, false},
		{"other tag with If-Match", true, tag, calendar.Conditions{IfMatch: etag, IfScheduleTag: `"s2"`}, false},
	} {
		// existing writes the object the conditions apply to.
		existing := func(t *testing.T, name string) {
			t.Helper()
			if tc.exists {
				o := event(c.ID, name, name, day(0), day(1))
				o.ETag, o.ScheduleTag = etag, tc.tag
				mustPut(t, s, o, calendar.Conditions{})
			}
		}
		// unchanged checks that a failed write left the object as it was.
		unchanged := func(t *testing.T, call, name string, seq int64) {
			t.Helper()
			if got := mustCollection(t, s, c.ID).Seq; got != seq {
				t.Errorf("collection Seq = %d after a failed %s, want %d", got, call, seq)
			}
			got, err := s.Object(t.Context(), c.ID, name)
			switch {
			case tc.exists && (err != nil || got.ETag != etag || got.ScheduleTag != tc.tag):
				t.Errorf("Object() after a failed %s = %v, %v; want the old object", call, got, err)
			case !tc.exists && !errors.Is(err, calendar.ErrNotFound):
				t.Errorf("Object() after a failed %s = %v, want ErrNotFound", call, err)
			}
		}
		t.Run("PutObject "+tc.name, func(t *testing.T) {
			ctx := t.Context()
			name := fmt.Sprintf("put-%x.ics", tc.name)
			existing(t, name)
			seq := mustCollection(t, s, c.ID).Seq
			o := event(c.ID, name, name, day(2), day(3))
			o.ETag, o.ScheduleTag = `"new"`, `"s-new"`
			created, err := s.PutObject(ctx, o, tc.cond)
			if !tc.ok {
				wantErr(t, fmt.Sprintf("PutObject(%+v)", tc.cond), err, calendar.ErrPreconditionFailed)
				unchanged(t, "PutObject", name, seq)
				return
			}
			if err != nil || created == tc.exists {
				t.Fatalf("PutObject(%+v) = %v, %v; want %v, nil", tc.cond, created, err, !tc.exists)
			}
			if got, err := s.Object(ctx, c.ID, name); err != nil || got.ETag != `"new"` || got.ScheduleTag != `"s-new"` {
				t.Errorf("Object() = %v, %v; want ETag \"new\", Schedule-Tag \"s-new\"", got, err)
			}
		})
		t.Run("MoveObject "+tc.name, func(t *testing.T) {
			ctx := t.Context()
			name := fmt.Sprintf("move-%x.ics", tc.name)
			existing(t, name)
			from := event(src.ID, name, "moving-"+name, day(2), day(3))
			from.ScheduleTag = `"s-moved"`
			mustPut(t, s, from, calendar.Conditions{})
			seq, srcSeq := mustCollection(t, s, c.ID).Seq, mustCollection(t, s, src.ID).Seq
			o := event(c.ID, name, from.UID, day(2), day(3))
			o.ETag, o.ScheduleTag = `"moved"`, from.ScheduleTag
			created, err := s.MoveObject(ctx, src.ID, name, o, tc.cond)
			if !tc.ok {
				wantErr(t, fmt.Sprintf("MoveObject(%+v)", tc.cond), err, calendar.ErrPreconditionFailed)
				unchanged(t, "MoveObject", name, seq)
				if got, err := s.Object(ctx, src.ID, name); err != nil || got.ScheduleTag != from.ScheduleTag {
					t.Errorf("source Object() after a failed MoveObject = %v, %v; want it kept", got, err)
				}
				if got := mustCollection(t, s, src.ID).Seq; got != srcSeq {
					t.Errorf("source Seq = %d after a failed MoveObject, want %d", got, srcSeq)
				}
				return
			}
			if err != nil || created == tc.exists {
				t.Fatalf("MoveObject(%+v) = %v, %v; want %v, nil", tc.cond, created, err, !tc.exists)
			}
			if got, err := s.Object(ctx, c.ID, name); err != nil || got.ETag != `"moved"` || got.ScheduleTag != from.ScheduleTag {
				t.Errorf("Object() after MoveObject = %v, %v; want ETag \"moved\", Schedule-Tag %s", got, err, from.ScheduleTag)
			}
			if _, err := s.Object(ctx, src.ID, name); !errors.Is(err, calendar.ErrNotFound) {
				t.Errorf("source Object() after MoveObject = %v, want ErrNotFound", err)
			}
		})
		t.Run("DeleteObject "+tc.name, func(t *testing.T) {
			ctx := t.Context()
			name := fmt.Sprintf("delete-%x.ics", tc.name)
			existing(t, name)
			seq := mustCollection(t, s, c.ID).Seq
			err := s.DeleteObject(ctx, c.ID, name, tc.cond)
			switch {
			case !tc.exists:
				// RFC 9110 §13.2.1: the conditions of a request that fails
				// without them are ignored.
				wantErr(t, fmt.Sprintf("DeleteObject(missing, %+v)", tc.cond), err, calendar.ErrNotFound)
				unchanged(t, "DeleteObject", name, seq)
			case !tc.ok:
				wantErr(t, fmt.Sprintf("DeleteObject(%+v)", tc.cond), err, calendar.ErrPreconditionFailed)
				unchanged(t, "DeleteObject", name, seq)
			case err != nil:
				t.Fatalf("DeleteObject(%+v) = %v", tc.cond, err)
			default:
				if _, err := s.Object(ctx, c.ID, name); !errors.Is(err, calendar.ErrNotFound) {
					t.Errorf("Object() after DeleteObject = %v, want ErrNotFound", err)
				}
			}
		})
	}
	// DeleteObject ignores IfNoneMatch.
	ctx := t.Context()
	mustPut(t, s, event(c.ID, "inm.ics", "inm", day(0), day(1)), calendar.Conditions{})
	if err := s.DeleteObject(ctx, c.ID, "inm.ics", calendar.Conditions{IfNoneMatch: true}); err != nil {
		t.Errorf("DeleteObject(If-None-Match) = %v, want nil: it is ignored", err)
	}
}

// deliveryDiff describes how got differs from want, or returns "".
func deliveryDiff(got, want *calendar.Delivery) string {
	g, w := *got, *want
	if !g.NextAttempt.Equal(w.NextAttempt) || !g.Created.Equal(w.Created) || !bytes.Equal(g.Message, w.Message) {
		return fmt.Sprintf("NextAttempt %v, Created %v, Message %q; want %v, %v, %q",
			g.NextAttempt, g.Created, g.Message, w.NextAttempt, w.Created, w.Message)
	}
	g.NextAttempt, g.Created, g.Message, w.Message = w.NextAttempt, w.Created, nil, nil
	if gs, ws := fmt.Sprintf("%+v", g), fmt.Sprintf("%+v", w); gs != ws {
		return fmt.Sprintf("got %s, want %s", gs, ws)
	}
	return ""
}

func ids(ds []*calendar.Delivery) []int64 {
	out := []int64{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// newDelivery returns a REQUEST from ann to recipient, due at next.
func newDelivery(ownerID, collectionID int64, recipient, transport string, next time.Time) *calendar.Delivery {
	return &calendar.Delivery{
		OwnerID:      ownerID,
		CollectionID: collectionID,
		ObjectName:   "meeting.ics",
		UID:          "meeting",
		Method:       "REQUEST",
		Originator:   "mailto:ann@example.org",
		Recipient:    recipient,
		Transport:    transport,
		Message:      []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nX-BYTES:\x00\xff caf\xc3\xa9\r\nEND:VCALENDAR\r\n"),
		Status:       "1.0",
		NextAttempt:  next,
	}
}

func mustEnqueue(t *testing.T, s calendar.Store, d *calendar.Delivery) *calendar.Delivery {
	t.Helper()
	if err := s.EnqueueDelivery(t.Context(), d); err != nil {
		t.Fatalf("EnqueueDelivery(%s) = %v", d.Recipient, err)
	}
	return d
}

func testDeliveries(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann, c := home(t, s)
	bob := newPrincipal(t, s, "bob", "mailto:bob@example.org")

	before := time.Now().Add(-time.Second)
	a := mustEnqueue(t, s, newDelivery(ann.ID, c.ID, "mailto:x@example.com", "imip", day(1)))
	after := time.Now().Add(time.Second)
	if a.ID == 0 || a.Created.Before(before) || a.Created.After(after) {
		t.Errorf("EnqueueDelivery() set ID %d, Created %v; want an ID and about now", a.ID, a.Created)
	}
	got, err := s.Delivery(ctx, a.ID)
	if err != nil {
		t.Fatalf("Delivery(%d) = %v", a.ID, err)
	}
	if diff := deliveryDiff(got, a); diff != "" {
		t.Errorf("Delivery(%d): %s", a.ID, diff)
	}
	// A free-busy reply refers to no object; a delivery without transport
	// or message is stored as given.
	fb := &calendar.Delivery{OwnerID: ann.ID, UID: "fb", Method: "REPLY", Originator: "mailto:ann@example.org",
		Recipient: "mailto:y@example.com"}
	mustEnqueue(t, s, fb)
	if got, err := s.Delivery(ctx, fb.ID); err != nil || deliveryDiff(got, fb) != "" || got.CollectionID != 0 || got.ObjectName != "" || got.Transport != "" {
		t.Errorf("Delivery(free-busy reply) = %+v, %v; want %+v", got, err, fb)
	} else if !got.NextAttempt.IsZero() || len(got.Message) != 0 {
		t.Errorf("Delivery(free-busy reply) NextAttempt %v, Message %q; want the zero time and none", got.NextAttempt, got.Message)
	}

	b := mustEnqueue(t, s, newDelivery(ann.ID, c.ID, "mailto:z@example.com", "imip", day(0)))
	d := mustEnqueue(t, s, newDelivery(ann.ID, c.ID, "mailto:w@example.com", "imip", day(1)))
	e := mustEnqueue(t, s, newDelivery(bob.ID, 0, "mailto:v@example.com", "crisp", day(0)))
	f := mustEnqueue(t, s, newDelivery(bob.ID, 0, "mailto:u@example.com", "imip", day(2)))

	for _, tc := range []struct {
		transport string
		now       time.Time
		limit     int
		want      []int64
	}{
		{"imip", day(1), 0, []int64{b.ID, a.ID, d.ID}},
		{"imip", day(1), 2, []int64{b.ID, a.ID}},
		{"imip", day(1).Add(-time.Microsecond), 0, []int64{b.ID}},
		{"imip", day(-1), 0, []int64{}},
		{"imip", day(3), -1, []int64{b.ID, a.ID, d.ID, f.ID}},
		{"crisp", day(3), 0, []int64{e.ID}},
		{"", day(-1), 0, []int64{fb.ID}},
		{"other", day(3), 0, []int64{}},
	} {
		got, err := s.DueDeliveries(ctx, tc.transport, tc.now, tc.limit)
		if n := ids(got); err != nil || !slices.Equal(n, tc.want) {
			t.Errorf("DueDeliveries(%q, %v, %d) = %v, %v; want %v", tc.transport, tc.now, tc.limit, n, err, tc.want)
		}
	}
	if got, err := s.DueDeliveries(ctx, "imip", day(0), 0); err != nil || len(got) != 1 || deliveryDiff(got[0], b) != "" {
		t.Errorf("DueDeliveries(imip, day 0) = %v, %v; want %+v", got, err, b)
	}

	// Update: transport, status, attempts, next attempt and last error.
	fb.Transport, fb.Status, fb.Attempts, fb.NextAttempt, fb.LastError = "crisp", "5.1", 3, day(0).Add(90*time.Second), "connection refused"
	upd := *fb
	upd.OwnerID, upd.UID, upd.Recipient, upd.Message, upd.Created = bob.ID, "changed", "mailto:changed@example.com", []byte("changed"), day(9)
	if err := s.UpdateDelivery(ctx, &upd); err != nil {
		t.Fatalf("UpdateDelivery() = %v", err)
	}
	if got, err := s.Delivery(ctx, fb.ID); err != nil || deliveryDiff(got, fb) != "" {
		t.Errorf("Delivery() after UpdateDelivery = %+v, %v; want %+v (only the queue fields changed)", got, err, fb)
	}
	if got, err := s.DueDeliveries(ctx, "crisp", day(1), 0); err != nil || !slices.Equal(ids(got), []int64{e.ID, fb.ID}) {
		t.Errorf("DueDeliveries(crisp) after UpdateDelivery = %v, %v; want %v", ids(got), err, []int64{e.ID, fb.ID})
	}
	if got, err := s.DueDeliveries(ctx, "", day(3), 0); err != nil || len(got) != 0 {
		t.Errorf(`DueDeliveries("") after UpdateDelivery = %v, %v; want none`, ids(got), err)
	}

	if got, err := s.Deliveries(ctx, ann.ID); err != nil || !slices.Equal(ids(got), []int64{a.ID, fb.ID, b.ID, d.ID}) {
		t.Errorf("Deliveries(ann) = %v, %v; want %v", ids(got), err, []int64{a.ID, fb.ID, b.ID, d.ID})
	} else if diff := deliveryDiff(got[1], fb); diff != "" {
		t.Errorf("Deliveries(ann)[1]: %s", diff)
	}
	if got, err := s.Deliveries(ctx, bob.ID); err != nil || !slices.Equal(ids(got), []int64{e.ID, f.ID}) {
		t.Errorf("Deliveries(bob) = %v, %v; want %v", ids(got), err, []int64{e.ID, f.ID})
	}

	if err := s.DeleteDelivery(ctx, b.ID); err != nil {
		t.Fatalf("DeleteDelivery() = %v", err)
	}
	_, err = s.Delivery(ctx, b.ID)
	wantErr(t, "Delivery(deleted)", err, calendar.ErrNotFound)
	if got, err := s.DueDeliveries(ctx, "imip", day(1), 0); err != nil || !slices.Equal(ids(got), []int64{a.ID, d.ID}) {
		t.Errorf("DueDeliveries(imip) after DeleteDelivery = %v, %v; want %v", ids(got), err, []int64{a.ID, d.ID})
	}
	// A delivery outlives the object and collection it refers to.
	if err := s.DeleteCollection(ctx, c.ID); err != nil {
		t.Fatalf("DeleteCollection() = %v", err)
	}
	if got, err := s.Delivery(ctx, a.ID); err != nil || got.CollectionID != c.ID {
		t.Errorf("Delivery() after deleting its collection = %+v, %v; want it kept", got, err)
	}

	wantErr(t, "DeleteDelivery(deleted)", s.DeleteDelivery(ctx, b.ID), calendar.ErrNotFound)
	wantErr(t, "UpdateDelivery(deleted)", s.UpdateDelivery(ctx, b), calendar.ErrNotFound)
	wantErr(t, "EnqueueDelivery(missing owner)", s.EnqueueDelivery(ctx, newDelivery(-1, 0, "mailto:x@example.com", "imip", day(0))), calendar.ErrNotFound)
	_, err = s.Delivery(ctx, -1)
	wantErr(t, "Delivery(missing)", err, calendar.ErrNotFound)
	if got, err := s.Deliveries(ctx, -1); err != nil || len(got) != 0 {
		t.Errorf("Deliveries(missing principal) = %v, %v; want none", ids(got), err)
	}
}
