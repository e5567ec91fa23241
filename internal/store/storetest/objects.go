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

// objectDiff describes how got differs from want (Data included when
// withData), or returns "". Instances are not compared.
func objectDiff(got, want *calendar.Object, withData bool) string {
	switch {
	case got.ID != want.ID || got.CollectionID != want.CollectionID || got.Name != want.Name || got.UID != want.UID ||
		got.Component != want.Component || got.ETag != want.ETag || got.ScheduleTag != want.ScheduleTag || got.Size != want.Size || got.Seq != want.Seq:
		return fmt.Sprintf("got {ID %d, %d/%q, UID %q, %s, ETag %s, Schedule-Tag %q, Size %d, Seq %d}, want {ID %d, %d/%q, UID %q, %s, ETag %s, Schedule-Tag %q, Size %d, Seq %d}",
			got.ID, got.CollectionID, got.Name, got.UID, got.Component, got.ETag, got.ScheduleTag, got.Size, got.Seq,
			want.ID, want.CollectionID, want.Name, want.UID, want.Component, want.ETag, want.ScheduleTag, want.Size, want.Seq)
	case !got.Modified.Equal(want.Modified):
		return fmt.Sprintf("Modified %v, want %v", got.Modified, want.Modified)
	case withData && !bytes.Equal(got.Data, want.Data):
		return fmt.Sprintf("Data %q, want %q", got.Data, want.Data)
	case !withData && len(got.Data) != 0:
		return fmt.Sprintf("Data %q, want none", got.Data)
	}
	gi, wi := got.Index, want.Index
	if !gi.Start.Equal(wi.Start) || !gi.End.Equal(wi.End) || gi.Recurring != wi.Recurring || !gi.From.Equal(wi.From) || !gi.Until.Equal(wi.Until) {
		return fmt.Sprintf("Index {%v %v %v %v %v}, want {%v %v %v %v %v}", gi.Start, gi.End, gi.Recurring, gi.From, gi.Until,
			wi.Start, wi.End, wi.Recurring, wi.From, wi.Until)
	}
	return ""
}

func testPutObject(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	_, c := home(t, s)
	o := event(c.ID, "a.ics", "uid-a", day(0).Add(9*time.Hour), day(0).Add(10*time.Hour))
	o.ETag = `"W/odd \"etag\" 1"`
	o.Data = []byte("BEGIN:VCALENDAR\r\nX-BYTES:\x00\xff\xfe caf\xc3\xa9\r\nEND:VCALENDAR\r\n")
	o.Index.Recurring, o.Index.From, o.Index.Until = true, day(0), day(365)
	o.Index.Instances = []calendar.Span{{Start: day(0).Add(9 * time.Hour), End: day(0).Add(10 * time.Hour)}}
	before := time.Now().Add(-time.Second)
	if created := mustPut(t, s, o, calendar.Conditions{IfNoneMatch: true}); !created {
		t.Errorf("PutObject(new) created = false, want true")
	}
	after := time.Now().Add(time.Second)
	if o.ID == 0 || o.Seq != 1 || o.Size != int64(len(o.Data)) {
		t.Errorf("PutObject(new) set ID %d, Seq %d, Size %d; want an ID, 1, %d", o.ID, o.Seq, o.Size, len(o.Data))
	}
	if o.Modified.Before(before) || o.Modified.After(after) {
		t.Errorf("PutObject(new) set Modified %v, want about now", o.Modified)
	}
	got, err := s.Object(ctx, c.ID, "a.ics")
	if err != nil {
		t.Fatalf("Object(a.ics) = %v", err)
	}
	if diff := objectDiff(got, o, true); diff != "" {
		t.Errorf("Object(a.ics): %s", diff)
	}
	if len(got.Index.Instances) != 0 {
		t.Errorf("Object(a.ics) returned %d instances, want none", len(got.Index.Instances))
	}
	if got, err := s.ObjectByUID(ctx, c.ID, "uid-a"); err != nil || got.Name != "a.ics" || !bytes.Equal(got.Data, o.Data) {
		t.Errorf("ObjectByUID(uid-a) = %+v, %v; want a.ics with its data", got, err)
	}
	if c := mustCollection(t, s, c.ID); c.Seq != 1 {
		t.Errorf("collection Seq = %d after one PutObject, want 1", c.Seq)
	}

	// Replacing keeps the ID and takes the next Seq.
	r := event(c.ID, "a.ics", "uid-a", calendar.MinTime, calendar.MaxTime)
	r.Component, r.ETag, r.Data = "VTODO", `"v2"`, []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
	if created := mustPut(t, s, r, calendar.Conditions{IfMatch: o.ETag}); created {
		t.Errorf("PutObject(replace) created = true, want false")
	}
	if r.ID != o.ID || r.Seq != 2 {
		t.Errorf("PutObject(replace) set ID %d, Seq %d; want %d, 2", r.ID, r.Seq, o.ID)
	}
	got, err = s.Object(ctx, c.ID, "a.ics")
	if err != nil {
		t.Fatalf("Object(a.ics) = %v", err)
	}
	if diff := objectDiff(got, r, true); diff != "" {
		t.Errorf("Object(a.ics) after replace: %s", diff)
	}

	for _, tc := range []struct {
		call string
		err  error
	}{
		{"Object(missing)", func() error { _, err := s.Object(ctx, c.ID, "missing.ics"); return err }()},
		{"Object(other collection)", func() error { _, err := s.Object(ctx, -1, "a.ics"); return err }()},
		{"ObjectByUID(missing)", func() error { _, err := s.ObjectByUID(ctx, c.ID, "nope"); return err }()},
		{"PutObject(missing collection)", func() error {
			_, err := s.PutObject(ctx, event(-1, "x.ics", "x", day(0), day(1)), calendar.Conditions{})
			return err
		}()},
	} {
		wantErr(t, tc.call, tc.err, calendar.ErrNotFound)
	}
}

func testConditions(t *testing.T, s calendar.Store) {
	_, c := home(t, s)
	const etag = `"e1"`
	for _, tc := range []struct {
		name   string
		exists bool
		cond   calendar.Conditions
		ok     bool
	}{
		{"none on missing", false, calendar.Conditions{}, true},
		{"none on existing", true, calendar.Conditions{}, true},
		{"If-None-Match * on missing", false, calendar.Conditions{IfNoneMatch: true}, true},
		{"If-None-Match * on existing", true, calendar.Conditions{IfNoneMatch: true}, false},
		{"If-Match * on missing", false, calendar.Conditions{IfMatch: "*"}, false},
		{"If-Match * on existing", true, calendar.Conditions{IfMatch: "*"}, true},
		{"If-Match etag on existing", true, calendar.Conditions{IfMatch: etag}, true},
		{"If-Match other etag on existing", true, calendar.Conditions{IfMatch: `"e2"`}, false},
		{"If-Match unquoted etag", true, calendar.Conditions{IfMatch: "e1"}, false},
		{"If-Match etag on missing", false, calendar.Conditions{IfMatch: etag}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			name := fmt.Sprintf("%x.ics", tc.name)
			if tc.exists {
				o := event(c.ID, name, name, day(0), day(1))
				o.ETag = etag
				mustPut(t, s, o, calendar.Conditions{})
			}
			seq := mustCollection(t, s, c.ID).Seq
			o := event(c.ID, name, name, day(2), day(3))
			o.ETag = `"new"`
			created, err := s.PutObject(ctx, o, tc.cond)
			if !tc.ok {
				wantErr(t, fmt.Sprintf("PutObject(%+v)", tc.cond), err, calendar.ErrPreconditionFailed)
				if got := mustCollection(t, s, c.ID).Seq; got != seq {
					t.Errorf("collection Seq = %d after a failed PutObject, want %d", got, seq)
				}
				got, err := s.Object(ctx, c.ID, name)
				switch {
				case tc.exists && (err != nil || got.ETag != etag):
					t.Errorf("Object() after a failed PutObject = %v, %v; want the old object", got, err)
				case !tc.exists && !errors.Is(err, calendar.ErrNotFound):
					t.Errorf("Object() after a failed PutObject = %v, want ErrNotFound", err)
				}
				return
			}
			if err != nil || created == tc.exists {
				t.Fatalf("PutObject(%+v) = %v, %v; want %v, nil", tc.cond, created, err, !tc.exists)
			}
			if got, err := s.Object(ctx, c.ID, name); err != nil || got.ETag != `"new"` {
				t.Errorf("Object() = %v, %v; want ETag \"new\"", got, err)
			}
		})
	}
	// DeleteObject's ifMatch.
	ctx := t.Context()
	o := event(c.ID, "del.ics", "del", day(0), day(1))
	o.ETag = etag
	mustPut(t, s, o, calendar.Conditions{})
	wantErr(t, `DeleteObject(ifMatch "e2")`, s.DeleteObject(ctx, c.ID, "del.ics", calendar.Conditions{IfMatch: `"e2"`}), calendar.ErrPreconditionFailed)
	if err := s.DeleteObject(ctx, c.ID, "del.ics", calendar.Conditions{IfMatch: etag}); err != nil {
		t.Errorf("DeleteObject(matching ifMatch) = %v", err)
	}
}

func testUIDConflict(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann, c := home(t, s)
	other := newCollection(t, s, ann.ID, "other")
	mustPut(t, s, event(c.ID, "a.ics", "U", day(0), day(1)), calendar.Conditions{})
	seq := mustCollection(t, s, c.ID).Seq

	_, err := s.PutObject(ctx, event(c.ID, "b.ics", "U", day(0), day(1)), calendar.Conditions{})
	var conflict *calendar.UIDConflictError
	if !errors.As(err, &conflict) || conflict.Name != "a.ics" || conflict.UID != "U" {
		t.Fatalf("PutObject(b.ics with the UID of a.ics) = %v, want *UIDConflictError{UID: U, Name: a.ics}", err)
	}
	if got := mustCollection(t, s, c.ID).Seq; got != seq {
		t.Errorf("collection Seq = %d after a UID conflict, want %d", got, seq)
	}
	if _, err := s.Object(ctx, c.ID, "b.ics"); !errors.Is(err, calendar.ErrNotFound) {
		t.Errorf("Object(b.ics) after a UID conflict = %v, want ErrNotFound", err)
	}
	// The same name may keep its UID; another collection may use it.
	mustPut(t, s, event(c.ID, "a.ics", "U", day(1), day(2)), calendar.Conditions{})
	mustPut(t, s, event(other.ID, "b.ics", "U", day(0), day(1)), calendar.Conditions{})
	// Once a.ics changes its UID, U is free.
	mustPut(t, s, event(c.ID, "a.ics", "V", day(1), day(2)), calendar.Conditions{})
	mustPut(t, s, event(c.ID, "b.ics", "U", day(0), day(1)), calendar.Conditions{})
	if got, err := s.ObjectByUID(ctx, c.ID, "U"); err != nil || got.Name != "b.ics" {
		t.Errorf("ObjectByUID(U) = %v, %v; want b.ics", got, err)
	}
}

func testDeleteObject(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	_, c := home(t, s)
	o := event(c.ID, "a.ics", "a", day(0), day(1))
	o.Index = calendar.Index{Start: day(0), End: day(9), Recurring: true, From: day(0), Until: day(9),
		Instances: []calendar.Span{{Start: day(0), End: day(1)}, {Start: day(8), End: day(9)}}}
	mustPut(t, s, o, calendar.Conditions{})
	if err := s.DeleteObject(ctx, c.ID, "a.ics", calendar.Conditions{}); err != nil {
		t.Fatalf("DeleteObject(a.ics) = %v", err)
	}
	_, err := s.Object(ctx, c.ID, "a.ics")
	wantErr(t, "Object(deleted)", err, calendar.ErrNotFound)
	_, err = s.ObjectByUID(ctx, c.ID, "a")
	wantErr(t, "ObjectByUID(deleted)", err, calendar.ErrNotFound)
	if got := mustCollection(t, s, c.ID).Seq; got != 2 {
		t.Errorf("collection Seq = %d after a put and a delete, want 2", got)
	}
	if got, err := s.QueryObjects(ctx, c.ID, calendar.Query{}); err != nil || len(got) != 0 {
		t.Errorf("QueryObjects() after delete = %q, %v; want none", names(got), err)
	}
	wantErr(t, "DeleteObject(deleted)", s.DeleteObject(ctx, c.ID, "a.ics", calendar.Conditions{}), calendar.ErrNotFound)
	wantErr(t, "DeleteObject(missing collection)", s.DeleteObject(ctx, -1, "a.ics", calendar.Conditions{}), calendar.ErrNotFound)
	// The UID is free again.
	mustPut(t, s, event(c.ID, "b.ics", "a", day(0), day(1)), calendar.Conditions{IfNoneMatch: true})
}

func testMoveObject(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann, c := home(t, s)
	dst := newCollection(t, s, ann.ID, "dst")
	mustPut(t, s, event(c.ID, "a.ics", "A", day(0), day(1)), calendar.Conditions{}) // seq 1

	// Within a collection, the UID moves along.
	m := event(c.ID, "b.ics", "A", day(0), day(1))
	created, err := s.MoveObject(ctx, c.ID, "a.ics", m, calendar.Conditions{IfNoneMatch: true})
	if err != nil || !created {
		t.Fatalf("MoveObject(a.ics → b.ics) = %v, %v; want true, nil", created, err)
	}
	if _, err := s.Object(ctx, c.ID, "a.ics"); !errors.Is(err, calendar.ErrNotFound) {
		t.Errorf("Object(a.ics) after the move = %v, want ErrNotFound", err)
	}
	if got, err := s.Object(ctx, c.ID, "b.ics"); err != nil || !bytes.Equal(got.Data, m.Data) || got.Seq != m.Seq {
		t.Errorf("Object(b.ics) after the move = %v, %v", got, err)
	}
	changes, err := s.Changes(ctx, c.ID, 1, 0)
	if err != nil {
		t.Fatalf("Changes(1) = %v", err)
	}
	if !hasChange(changes, "a.ics", true) || !hasChange(changes, "b.ics", false) || len(changes) != 2 {
		t.Errorf("Changes(1) after a move = %+v, want a.ics deleted and b.ics", changes)
	}

	// Across collections: both record a change.
	seqSrc, seqDst := mustCollection(t, s, c.ID).Seq, mustCollection(t, s, dst.ID).Seq
	m = event(dst.ID, "moved.ics", "A", day(0), day(1))
	if created, err := s.MoveObject(ctx, c.ID, "b.ics", m, calendar.Conditions{}); err != nil || !created {
		t.Fatalf("MoveObject(b.ics → dst/moved.ics) = %v, %v; want true, nil", created, err)
	}
	if _, err := s.Object(ctx, c.ID, "b.ics"); !errors.Is(err, calendar.ErrNotFound) {
		t.Errorf("Object(b.ics) after the move = %v, want ErrNotFound", err)
	}
	if _, err := s.Object(ctx, dst.ID, "moved.ics"); err != nil {
		t.Errorf("Object(dst/moved.ics) = %v", err)
	}
	if got := mustCollection(t, s, c.ID).Seq; got <= seqSrc {
		t.Errorf("source Seq = %d after a move out, want > %d", got, seqSrc)
	}
	if got := mustCollection(t, s, dst.ID).Seq; got <= seqDst || m.Seq != got {
		t.Errorf("destination Seq = %d (object Seq %d) after a move in, want > %d and equal", got, m.Seq, seqDst)
	}
	if ch, err := s.Changes(ctx, c.ID, seqSrc, 0); err != nil || !hasChange(ch, "b.ics", true) {
		t.Errorf("source Changes(%d) = %+v, %v; want b.ics deleted", seqSrc, ch, err)
	}
	if ch, err := s.Changes(ctx, dst.ID, seqDst, 0); err != nil || !hasChange(ch, "moved.ics", false) {
		t.Errorf("destination Changes(%d) = %+v, %v; want moved.ics", seqDst, ch, err)
	}

	// Failures leave everything as it was.
	mustPut(t, s, event(c.ID, "src.ics", "S", day(0), day(1)), calendar.Conditions{})
	mustPut(t, s, event(dst.ID, "taken.ics", "T", day(0), day(1)), calendar.Conditions{})
	seqSrc, seqDst = mustCollection(t, s, c.ID).Seq, mustCollection(t, s, dst.ID).Seq
	_, err = s.MoveObject(ctx, c.ID, "src.ics", event(dst.ID, "taken.ics", "S", day(0), day(1)), calendar.Conditions{IfNoneMatch: true})
	wantErr(t, "MoveObject(onto an existing name with If-None-Match)", err, calendar.ErrPreconditionFailed)
	_, err = s.MoveObject(ctx, c.ID, "src.ics", event(dst.ID, "new.ics", "S", day(0), day(1)), calendar.Conditions{IfMatch: "*"})
	wantErr(t, "MoveObject(If-Match * onto a missing name)", err, calendar.ErrPreconditionFailed)
	_, err = s.MoveObject(ctx, c.ID, "src.ics", event(dst.ID, "new.ics", "T", day(0), day(1)), calendar.Conditions{})
	var conflict *calendar.UIDConflictError
	if !errors.As(err, &conflict) || conflict.Name != "taken.ics" {
		t.Errorf("MoveObject(to a collection holding the UID) = %v, want *UIDConflictError naming taken.ics", err)
	}
	_, err = s.MoveObject(ctx, c.ID, "missing.ics", event(dst.ID, "new.ics", "N", day(0), day(1)), calendar.Conditions{})
	wantErr(t, "MoveObject(missing source)", err, calendar.ErrNotFound)
	if _, err := s.Object(ctx, c.ID, "src.ics"); err != nil {
		t.Errorf("Object(src.ics) after failed moves = %v, want it kept", err)
	}
	if _, err := s.Object(ctx, dst.ID, "new.ics"); !errors.Is(err, calendar.ErrNotFound) {
		t.Errorf("Object(dst/new.ics) after failed moves = %v, want ErrNotFound", err)
	}
	if a, b := mustCollection(t, s, c.ID).Seq, mustCollection(t, s, dst.ID).Seq; a != seqSrc || b != seqDst {
		t.Errorf("Seqs after failed moves = %d, %d; want %d, %d", a, b, seqSrc, seqDst)
	}
	// Replacing an existing destination with a matching ETag.
	taken, err := s.Object(ctx, dst.ID, "taken.ics")
	if err != nil {
		t.Fatalf("Object(taken.ics) = %v", err)
	}
	created, err = s.MoveObject(ctx, c.ID, "src.ics", event(dst.ID, "taken.ics", "S", day(0), day(1)), calendar.Conditions{IfMatch: taken.ETag})
	if err != nil || created {
		t.Errorf("MoveObject(onto taken.ics, If-Match) = %v, %v; want false, nil", created, err)
	}
}

func hasChange(cs []calendar.Change, name string, deleted bool) bool {
	return slices.ContainsFunc(cs, func(c calendar.Change) bool { return c.Name == name && c.Deleted == deleted })
}

func testObjectsAndList(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	_, c := home(t, s)
	want := map[string]*calendar.Object{}
	for _, n := range []string{"c.ics", "a.ics", "b.ics"} {
		o := event(c.ID, n, "uid-"+n, day(0), day(1))
		mustPut(t, s, o, calendar.Conditions{})
		want[n] = o
	}
	got, err := s.Objects(ctx, c.ID, []string{"b.ics", "missing.ics", "c.ics", "a.ics"})
	if err != nil {
		t.Fatalf("Objects() = %v", err)
	}
	if n := names(got); !slices.Equal(n, []string{"b.ics", "c.ics", "a.ics"}) {
		t.Errorf("Objects(b, missing, c, a) = %q, want [b.ics c.ics a.ics]", n)
	}
	for _, o := range got {
		if diff := objectDiff(o, want[o.Name], true); diff != "" {
			t.Errorf("Objects(): %s", diff)
		}
	}
	if got, err := s.Objects(ctx, c.ID, nil); err != nil || len(got) != 0 {
		t.Errorf("Objects(nil) = %q, %v; want none", names(got), err)
	}
	for _, withData := range []bool{false, true} {
		got, err := s.ListObjects(ctx, c.ID, withData)
		if err != nil {
			t.Fatalf("ListObjects(%v) = %v", withData, err)
		}
		if n := names(got); !slices.Equal(n, []string{"a.ics", "b.ics", "c.ics"}) {
			t.Errorf("ListObjects(%v) = %q, want by name", withData, n)
		}
		for _, o := range got {
			if diff := objectDiff(o, want[o.Name], withData); diff != "" {
				t.Errorf("ListObjects(%v): %s", withData, diff)
			}
		}
	}
}
