// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
)

// Run runs the conformance suite. newStore returns an empty, ready store
// for one subtest; Run closes it when the subtest ends.
func Run(t *testing.T, newStore func(t *testing.T) calendar.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s calendar.Store)
	}{
		{"Principals", testPrincipals},
		{"PrincipalUpdate", testPrincipalUpdate},
		{"PrincipalDeleteCascades", testPrincipalDelete},
		{"AppPasswords", testAppPasswords},
		{"Collections", testCollections},
		{"CollectionUpdate", testCollectionUpdate},
		{"CollectionDeleteCascades", testCollectionDelete},
		{"PutObject", testPutObject},
		{"Conditions", testConditions},
		{"UIDConflict", testUIDConflict},
		{"DeleteObject", testDeleteObject},
		{"MoveObject", testMoveObject},
		{"ScheduleTag", testScheduleTag},
		{"ScheduleTagConditions", testScheduleTagConditions},
		{"ObjectsAndList", testObjectsAndList},
		{"QueryObjects", testQueryObjects},
		{"QueryKinds", testQueryKinds},
		{"QueryPages", testQueryPages},
		{"Changes", testChanges},
		{"Shares", testShares},
		{"UsedBytes", testUsedBytes},
		{"Deliveries", testDeliveries},
		{"ConcurrentCreate", testConcurrentCreate},
		{"ConcurrentPuts", testConcurrentPuts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close() = %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

// t0 is the origin of the suite's times; day(n) is n days after it.
var t0 = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

func newPrincipal(t *testing.T, s calendar.Store, name string, addrs ...string) *calendar.Principal {
	t.Helper()
	p := &calendar.Principal{Name: name, DisplayName: "The " + name, Type: calendar.TypeIndividual, Addresses: addrs}
	if err := s.CreatePrincipal(t.Context(), p); err != nil {
		t.Fatalf("CreatePrincipal(%q) = %v", name, err)
	}
	return p
}

func newCollection(t *testing.T, s calendar.Store, ownerID int64, name string) *calendar.Collection {
	t.Helper()
	c := &calendar.Collection{OwnerID: ownerID, Name: name, Kind: calendar.KindCalendar, DisplayName: name}
	if err := s.CreateCollection(t.Context(), c); err != nil {
		t.Fatalf("CreateCollection(%q) = %v", name, err)
	}
	return c
}

// home creates a principal with one calendar.
func home(t *testing.T, s calendar.Store) (*calendar.Principal, *calendar.Collection) {
	t.Helper()
	p := newPrincipal(t, s, "ann", "mailto:ann@example.org")
	return p, newCollection(t, s, p.ID, "default")
}

// event returns an object of component VEVENT spanning [start, end).
func event(collectionID int64, name, uid string, start, end time.Time) *calendar.Object {
	data := fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTART:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		uid, start.Format("20060102T150405Z"))
	return &calendar.Object{
		CollectionID: collectionID,
		Name:         name,
		UID:          uid,
		Component:    "VEVENT",
		ETag:         `"` + name + `-` + uid + `"`,
		Data:         []byte(data),
		Index:        calendar.Index{Start: start, End: end},
	}
}

func mustPut(t *testing.T, s calendar.Store, o *calendar.Object, cond calendar.Conditions) bool {
	t.Helper()
	created, err := s.PutObject(t.Context(), o, cond)
	if err != nil {
		t.Fatalf("PutObject(%d, %q, %+v) = %v", o.CollectionID, o.Name, cond, err)
	}
	return created
}

func mustCollection(t *testing.T, s calendar.Store, id int64) *calendar.Collection {
	t.Helper()
	c, err := s.Collection(t.Context(), id)
	if err != nil {
		t.Fatalf("Collection(%d) = %v", id, err)
	}
	return c
}

func wantErr(t *testing.T, call string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s = %v, want %v", call, err, want)
	}
}

func names(os []*calendar.Object) []string {
	out := []string{}
	for _, o := range os {
		out = append(out, o.Name)
	}
	return out
}
