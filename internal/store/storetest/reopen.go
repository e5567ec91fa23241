// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package storetest

import (
	"slices"
	"testing"

	"github.com/almanac-project/almanac/internal/calendar"
)

// Reopen checks that what a store holds survives closing it: open opens
// the same database, empty at first, on every call. Reopen writes a
// principal, a calendar, an object with a schedule tag and queued
// deliveries, closes the store, opens it again and reads them back, then
// writes through the reopened store.
func Reopen(t *testing.T, open func(t *testing.T) calendar.Store) {
	ctx := t.Context()
	s := open(t)
	ann, c := home(t, s)
	o := event(c.ID, "a.ics", "a", day(0), day(1))
	o.ScheduleTag = `"s1"`
	mustPut(t, s, o, calendar.Conditions{})
	due := mustEnqueue(t, s, newDelivery(ann.ID, c.ID, "mailto:x@example.com", "imip", day(0)))
	later := mustEnqueue(t, s, newDelivery(ann.ID, c.ID, "mailto:y@example.com", "imip", day(2)))
	if err := s.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}

	s = open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	if got, err := s.PrincipalByName(ctx, "ann"); err != nil || got.ID != ann.ID {
		t.Errorf("PrincipalByName(ann) after reopening = %v, %v; want ID %d", got, err, ann.ID)
	}
	if got, err := s.Object(ctx, c.ID, "a.ics"); err != nil {
		t.Errorf("Object(a.ics) after reopening = %v", err)
	} else if diff := objectDiff(got, o, true); diff != "" {
		t.Errorf("Object(a.ics) after reopening: %s", diff)
	}
	got, err := s.Deliveries(ctx, ann.ID)
	if err != nil || !slices.Equal(ids(got), []int64{due.ID, later.ID}) {
		t.Fatalf("Deliveries(ann) after reopening = %v, %v; want %v", ids(got), err, []int64{due.ID, later.ID})
	}
	for i, want := range []*calendar.Delivery{due, later} {
		if diff := deliveryDiff(got[i], want); diff != "" {
			t.Errorf("Deliveries(ann)[%d] after reopening: %s", i, diff)
		}
	}
	if got, err := s.DueDeliveries(ctx, "imip", day(1), 0); err != nil || !slices.Equal(ids(got), []int64{due.ID}) {
		t.Errorf("DueDeliveries(imip, day 1) after reopening = %v, %v; want %v", ids(got), err, []int64{due.ID})
	}
	due.Status, due.Attempts = "1.1", 1
	if err := s.UpdateDelivery(ctx, due); err != nil {
		t.Errorf("UpdateDelivery() after reopening = %v", err)
	}
	next := mustEnqueue(t, s, newDelivery(ann.ID, c.ID, "mailto:z@example.com", "imip", day(0)))
	if next.ID <= later.ID {
		t.Errorf("EnqueueDelivery() after reopening set ID %d, want more than %d", next.ID, later.ID)
	}
	if _, err := s.PutObject(ctx, event(c.ID, "a.ics", "a", day(0), day(1)), calendar.Conditions{IfScheduleTag: `"s1"`}); err != nil {
		t.Errorf("PutObject(If-Schedule-Tag-Match) after reopening = %v", err)
	}
}
