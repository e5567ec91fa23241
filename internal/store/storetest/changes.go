// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/almanac-project/almanac/internal/calendar"
)

func testChanges(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	_, c := home(t, s)
	if got, err := s.Changes(ctx, c.ID, 0, 0); err != nil || len(got) != 0 {
		t.Errorf("Changes(0) on a new collection = %+v, %v; want none", got, err)
	}
	mustPut(t, s, event(c.ID, "a.ics", "a", day(0), day(1)), calendar.Conditions{})   // 1
	mustPut(t, s, event(c.ID, "b.ics", "b", day(0), day(1)), calendar.Conditions{})   // 2
	mustPut(t, s, event(c.ID, "c.ics", "c", day(0), day(1)), calendar.Conditions{})   // 3
	mustPut(t, s, event(c.ID, "a.ics", "a", day(1), day(2)), calendar.Conditions{})   // 4
	if err := s.DeleteObject(ctx, c.ID, "b.ics", calendar.Conditions{}); err != nil { // 5
		t.Fatalf("DeleteObject(b.ics) = %v", err)
	}
	mustPut(t, s, event(c.ID, "d.ics", "d", day(0), day(1)), calendar.Conditions{})   // 6
	if err := s.DeleteObject(ctx, c.ID, "d.ics", calendar.Conditions{}); err != nil { // 7
		t.Fatalf("DeleteObject(d.ics) = %v", err)
	}
	mustPut(t, s, event(c.ID, "d.ics", "d", day(0), day(1)), calendar.Conditions{}) // 8

	ch := func(name string, seq int64, deleted bool) calendar.Change {
		return calendar.Change{Name: name, Seq: seq, Deleted: deleted}
	}
	for _, tc := range []struct {
		since int64
		limit int
		want  []calendar.Change
	}{
		{0, 0, []calendar.Change{ch("c.ics", 3, false), ch("a.ics", 4, false), ch("b.ics", 5, true), ch("d.ics", 8, false)}},
		{3, 0, []calendar.Change{ch("a.ics", 4, false), ch("b.ics", 5, true), ch("d.ics", 8, false)}},
		{4, -1, []calendar.Change{ch("b.ics", 5, true), ch("d.ics", 8, false)}},
		{0, 2, []calendar.Change{ch("c.ics", 3, false), ch("a.ics", 4, false)}},
		{7, 0, []calendar.Change{ch("d.ics", 8, false)}},
		{8, 0, nil},
	} {
		got, err := s.Changes(ctx, c.ID, tc.since, tc.limit)
		if err != nil {
			t.Errorf("Changes(%d, %d) = %v", tc.since, tc.limit, err)
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) && (len(got) != 0 || len(tc.want) != 0) {
			t.Errorf("Changes(%d, %d) = %+v, want %+v", tc.since, tc.limit, got, tc.want)
		}
	}
	for _, since := range []int64{9, 100, -1} {
		_, err := s.Changes(ctx, c.ID, since, 0)
		wantErr(t, fmt.Sprintf("Changes(since %d, Seq 8)", since), err, calendar.ErrInvalidSyncToken)
	}
	_, err := s.Changes(ctx, -1, 0, 0)
	wantErr(t, "Changes(missing collection)", err, calendar.ErrNotFound)
}

func testShares(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann, c := home(t, s)
	c2 := newCollection(t, s, ann.ID, "second")
	bob := newPrincipal(t, s, "bob")
	carl := newPrincipal(t, s, "carl")
	for _, sh := range []calendar.Share{
		{CollectionID: c.ID, PrincipalID: carl.ID, Access: calendar.AccessFreeBusy},
		{CollectionID: c.ID, PrincipalID: bob.ID, Access: calendar.AccessRead},
		{CollectionID: c2.ID, PrincipalID: bob.ID, Access: calendar.AccessRead},
		{CollectionID: c.ID, PrincipalID: bob.ID, Access: calendar.AccessWrite}, // replaces
	} {
		if err := s.SetShare(ctx, sh); err != nil {
			t.Fatalf("SetShare(%+v) = %v", sh, err)
		}
	}
	want := []calendar.Share{{CollectionID: c.ID, PrincipalID: bob.ID, Access: calendar.AccessWrite}, {CollectionID: c.ID, PrincipalID: carl.ID, Access: calendar.AccessFreeBusy}}
	if got, err := s.Shares(ctx, c.ID); err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Shares(c) = %+v, %v; want %+v", got, err, want)
	}
	want = []calendar.Share{{CollectionID: c.ID, PrincipalID: bob.ID, Access: calendar.AccessWrite}, {CollectionID: c2.ID, PrincipalID: bob.ID, Access: calendar.AccessRead}}
	if got, err := s.SharedWith(ctx, bob.ID); err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("SharedWith(bob) = %+v, %v; want %+v", got, err, want)
	}
	if err := s.DeleteShare(ctx, c.ID, bob.ID); err != nil {
		t.Fatalf("DeleteShare() = %v", err)
	}
	wantErr(t, "DeleteShare(again)", s.DeleteShare(ctx, c.ID, bob.ID), calendar.ErrNotFound)
	if got, err := s.SharedWith(ctx, bob.ID); err != nil || len(got) != 1 || got[0].CollectionID != c2.ID {
		t.Errorf("SharedWith(bob) after DeleteShare = %+v, %v; want the second collection only", got, err)
	}
	if got, err := s.Shares(ctx, -1); err != nil || len(got) != 0 {
		t.Errorf("Shares(missing) = %+v, %v; want none", got, err)
	}
	if err := s.SetShare(ctx, calendar.Share{CollectionID: -1, PrincipalID: bob.ID, Access: calendar.AccessRead}); err == nil {
		t.Errorf("SetShare(missing collection) = nil, want an error")
	}
}

func testUsedBytes(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann, c := home(t, s)
	c2 := newCollection(t, s, ann.ID, "second")
	bob := newPrincipal(t, s, "bob")
	bobCal := newCollection(t, s, bob.ID, "default")
	sized := func(cid int64, name string, n int) *calendar.Object {
		o := event(cid, name, name, day(0), day(1))
		o.Data = make([]byte, n)
		return o
	}
	check := func(step string, p *calendar.Principal, want int64) {
		t.Helper()
		if got, err := s.UsedBytes(ctx, p.ID); err != nil || got != want {
			t.Errorf("%s: UsedBytes(%s) = %d, %v; want %d", step, p.Name, got, err, want)
		}
	}
	check("empty", ann, 0)
	mustPut(t, s, sized(c.ID, "a", 100), calendar.Conditions{})
	mustPut(t, s, sized(c2.ID, "b", 20), calendar.Conditions{})
	mustPut(t, s, sized(bobCal.ID, "x", 7), calendar.Conditions{})
	check("two objects", ann, 120)
	check("bob", bob, 7)
	mustPut(t, s, sized(c.ID, "a", 50), calendar.Conditions{})
	check("replaced smaller", ann, 70)
	if _, err := s.MoveObject(ctx, c.ID, "a", sized(bobCal.ID, "a", 50), calendar.Conditions{}); err != nil {
		t.Fatalf("MoveObject() = %v", err)
	}
	check("moved to bob: ann", ann, 20)
	check("moved to bob: bob", bob, 57)
	if err := s.DeleteObject(ctx, c2.ID, "b", calendar.Conditions{}); err != nil {
		t.Fatalf("DeleteObject() = %v", err)
	}
	check("deleted", ann, 0)
}

func testConcurrentCreate(t *testing.T, s calendar.Store) {
	_, c := home(t, s)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			o := event(c.ID, "same.ics", "same", day(0), day(1))
			o.ETag = fmt.Sprintf(`"writer-%d"`, i)
			_, errs[i] = s.PutObject(t.Context(), o, calendar.Conditions{IfNoneMatch: true})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, calendar.ErrPreconditionFailed):
			t.Errorf("writer %d: PutObject(If-None-Match: *) = %v, want nil or ErrPreconditionFailed", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d concurrent PutObject(If-None-Match: *) of one name succeeded, want exactly 1", won)
	}
	if got := mustCollection(t, s, c.ID).Seq; got != 1 {
		t.Errorf("collection Seq = %d, want 1", got)
	}
}

func testConcurrentPuts(t *testing.T, s calendar.Store) {
	_, c := home(t, s)
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			name := fmt.Sprintf("o%02d.ics", i)
			_, errs[i] = s.PutObject(t.Context(), event(c.ID, name, name, day(i), day(i+1)), calendar.Conditions{IfNoneMatch: true})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: PutObject() = %v", i, err)
		}
	}
	if got := mustCollection(t, s, c.ID).Seq; got != n {
		t.Errorf("collection Seq = %d after %d concurrent PutObject calls, want %d", got, n, n)
	}
	objs, err := s.ListObjects(t.Context(), c.ID, false)
	if err != nil || len(objs) != n {
		t.Fatalf("ListObjects() = %d objects, %v; want %d", len(objs), err, n)
	}
	seen := map[int64]bool{}
	for _, o := range objs {
		if o.Seq < 1 || o.Seq > n || seen[o.Seq] {
			t.Errorf("object %s has Seq %d; want distinct values in 1..%d", o.Name, o.Seq, n)
		}
		seen[o.Seq] = true
	}
	if ch, err := s.Changes(t.Context(), c.ID, 0, 0); err != nil || len(ch) != n {
		t.Errorf("Changes(0) = %d changes, %v; want %d", len(ch), err, n)
	}
}
