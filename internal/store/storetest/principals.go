// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/almanac-project/almanac/internal/calendar"
)

func testPrincipals(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann := &calendar.Principal{
		Name: "ann", DisplayName: "Ann", Type: calendar.TypeIndividual, Admin: true,
		Addresses:    []string{"mailto:Ann@Example.org", "urn:uuid:ABC-1"},
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", QuotaBytes: 1 << 20,
	}
	if err := s.CreatePrincipal(ctx, ann); err != nil {
		t.Fatalf("CreatePrincipal(ann) = %v", err)
	}
	if ann.ID == 0 || ann.Created.IsZero() {
		t.Errorf("CreatePrincipal(ann) set ID %d, Created %v; want both set", ann.ID, ann.Created)
	}
	room := newPrincipal(t, s, "room-1", "mailto:room-1@example.org")
	room.Type = calendar.TypeRoom
	if err := s.UpdatePrincipal(ctx, room); err != nil {
		t.Fatalf("UpdatePrincipal(room-1) = %v", err)
	}
	bob := newPrincipal(t, s, "bob")

	for _, tc := range []struct {
		call string
		get  func() (*calendar.Principal, error)
		want *calendar.Principal
	}{
		{"Principal(ann.ID)", func() (*calendar.Principal, error) { return s.Principal(ctx, ann.ID) }, ann},
		{`PrincipalByName("ann")`, func() (*calendar.Principal, error) { return s.PrincipalByName(ctx, "ann") }, ann},
		{`PrincipalByAddress(as stored)`, func() (*calendar.Principal, error) { return s.PrincipalByAddress(ctx, "mailto:Ann@Example.org") }, ann},
		{`PrincipalByAddress(other case)`, func() (*calendar.Principal, error) { return s.PrincipalByAddress(ctx, "MAILTO:ann@EXAMPLE.ORG") }, ann},
		{`PrincipalByAddress(non-mailto, scheme case)`, func() (*calendar.Principal, error) { return s.PrincipalByAddress(ctx, "URN:uuid:ABC-1") }, ann},
		{`PrincipalByAddress(room)`, func() (*calendar.Principal, error) { return s.PrincipalByAddress(ctx, "mailto:ROOM-1@example.org") }, room},
		{`PrincipalByName("bob")`, func() (*calendar.Principal, error) { return s.PrincipalByName(ctx, "bob") }, bob},
	} {
		got, err := tc.get()
		if err != nil {
			t.Errorf("%s = %v", tc.call, err)
			continue
		}
		if diff := principalDiff(got, tc.want); diff != "" {
			t.Errorf("%s: %s", tc.call, diff)
		}
	}

	for _, tc := range []struct {
		call string
		err  error
	}{
		{"Principal(-1)", func() error { _, err := s.Principal(ctx, -1); return err }()},
		{`PrincipalByName("nobody")`, func() error { _, err := s.PrincipalByName(ctx, "nobody"); return err }()},
		{`PrincipalByName("ANN")`, func() error { _, err := s.PrincipalByName(ctx, "ANN"); return err }()},
		{`PrincipalByAddress("mailto:nobody@example.org")`, func() error { _, err := s.PrincipalByAddress(ctx, "mailto:nobody@example.org"); return err }()},
		// Only the scheme of a non-mailto URI ignores case.
		{`PrincipalByAddress("urn:uuid:abc-1")`, func() error { _, err := s.PrincipalByAddress(ctx, "urn:uuid:abc-1"); return err }()},
	} {
		wantErr(t, tc.call, tc.err, calendar.ErrNotFound)
	}

	for _, p := range []*calendar.Principal{
		{Name: "ann", Type: calendar.TypeIndividual},
		{Name: "carl", Type: calendar.TypeIndividual, Addresses: []string{"mailto:ANN@example.ORG"}},
		{Name: "dora", Type: calendar.TypeIndividual, Addresses: []string{"mailto:dora@example.org", "mailto:Dora@Example.org"}},
	} {
		wantErr(t, "CreatePrincipal("+p.Name+")", s.CreatePrincipal(ctx, p), calendar.ErrExists)
	}
	if _, err := s.PrincipalByName(ctx, "dora"); !errors.Is(err, calendar.ErrNotFound) {
		t.Errorf(`PrincipalByName("dora") after a failed CreatePrincipal = %v, want ErrNotFound`, err)
	}

	all, err := s.Principals(ctx)
	if err != nil {
		t.Fatalf("Principals() = %v", err)
	}
	var got []string
	for _, p := range all {
		got = append(got, p.Name)
	}
	if want := []string{"ann", "bob", "room-1"}; !slices.Equal(got, want) {
		t.Errorf("Principals() names = %q, want %q", got, want)
	}
	if len(all) == 3 {
		if diff := principalDiff(all[0], ann); diff != "" {
			t.Errorf("Principals()[0]: %s", diff)
		}
	}
}

func testPrincipalUpdate(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann := newPrincipal(t, s, "ann", "mailto:ann@example.org", "mailto:a@example.org")
	newPrincipal(t, s, "bob", "mailto:bob@example.org")
	created := ann.Created

	upd := *ann
	upd.Name = "renamed"
	upd.DisplayName = "Ann B."
	upd.Type = calendar.TypeResource
	upd.Admin = true
	upd.PasswordHash = "new-hash"
	upd.QuotaBytes = 42
	upd.Addresses = []string{"mailto:ann.b@example.org", "mailto:ann@example.org"}
	if err := s.UpdatePrincipal(ctx, &upd); err != nil {
		t.Fatalf("UpdatePrincipal(ann) = %v", err)
	}
	got, err := s.Principal(ctx, ann.ID)
	if err != nil {
		t.Fatalf("Principal(ann) = %v", err)
	}
	want := upd
	want.Name, want.Created = "ann", created
	if diff := principalDiff(got, &want); diff != "" {
		t.Errorf("after UpdatePrincipal: %s", diff)
	}
	if _, err := s.PrincipalByAddress(ctx, "mailto:a@example.org"); !errors.Is(err, calendar.ErrNotFound) {
		t.Errorf("PrincipalByAddress(removed address) = %v, want ErrNotFound", err)
	}
	if p, err := s.PrincipalByAddress(ctx, "mailto:ANN.B@example.org"); err != nil || p.ID != ann.ID {
		t.Errorf("PrincipalByAddress(added address) = %v, %v; want ann", p, err)
	}

	taken := want
	taken.Addresses = []string{"mailto:Bob@example.org"}
	wantErr(t, "UpdatePrincipal(address of bob)", s.UpdatePrincipal(ctx, &taken), calendar.ErrExists)
	if got, err := s.Principal(ctx, ann.ID); err != nil || !slices.Equal(got.Addresses, want.Addresses) {
		t.Errorf("after a failed UpdatePrincipal, Principal(ann) = %+v, %v; want addresses %q kept", got, err, want.Addresses)
	}
	wantErr(t, "UpdatePrincipal(missing)", s.UpdatePrincipal(ctx, &calendar.Principal{ID: -5, Name: "x"}), calendar.ErrNotFound)
}

func testPrincipalDelete(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann, cal := home(t, s)
	bob := newPrincipal(t, s, "bob")
	bobCal := newCollection(t, s, bob.ID, "work")
	o := event(cal.ID, "a.ics", "a", day(0), day(1))
	o.Index = calendar.Index{Start: day(0), End: day(30), Recurring: true, From: day(0), Until: day(30),
		Instances: []calendar.Span{{Start: day(0), End: day(1)}, {Start: day(7), End: day(8)}}}
	mustPut(t, s, o, calendar.Conditions{})
	ap := &calendar.AppPassword{PrincipalID: ann.ID, Label: "phone", Hash: []byte("0123456789abcdef0123456789abcdef")}
	if err := s.CreateAppPassword(ctx, ap); err != nil {
		t.Fatalf("CreateAppPassword() = %v", err)
	}
	for _, sh := range []calendar.Share{
		{CollectionID: cal.ID, PrincipalID: bob.ID, Access: calendar.AccessRead},
		{CollectionID: bobCal.ID, PrincipalID: ann.ID, Access: calendar.AccessWrite},
	} {
		if err := s.SetShare(ctx, sh); err != nil {
			t.Fatalf("SetShare(%+v) = %v", sh, err)
		}
	}

	annMsg := mustEnqueue(t, s, newDelivery(ann.ID, cal.ID, "mailto:x@example.com", "imip", day(0)))
	annFB := mustEnqueue(t, s, newDelivery(ann.ID, 0, "mailto:y@example.com", "", day(0)))
	bobMsg := mustEnqueue(t, s, newDelivery(bob.ID, bobCal.ID, "mailto:x@example.com", "imip", day(0)))

	if err := s.DeletePrincipal(ctx, ann.ID); err != nil {
		t.Fatalf("DeletePrincipal(ann) = %v", err)
	}
	_, err := s.Principal(ctx, ann.ID)
	wantErr(t, "Principal(deleted)", err, calendar.ErrNotFound)
	_, err = s.PrincipalByAddress(ctx, "mailto:ann@example.org")
	wantErr(t, "PrincipalByAddress(of deleted)", err, calendar.ErrNotFound)
	_, err = s.Collection(ctx, cal.ID)
	wantErr(t, "Collection(of deleted principal)", err, calendar.ErrNotFound)
	_, err = s.Object(ctx, cal.ID, "a.ics")
	wantErr(t, "Object(of deleted principal)", err, calendar.ErrNotFound)
	_, err = s.AppPasswordByHash(ctx, ap.Hash)
	wantErr(t, "AppPasswordByHash(of deleted principal)", err, calendar.ErrNotFound)
	if got, err := s.SharedWith(ctx, bob.ID); err != nil || len(got) != 0 {
		t.Errorf("SharedWith(bob) = %v, %v; want no shares of the deleted collection", got, err)
	}
	if got, err := s.Shares(ctx, bobCal.ID); err != nil || len(got) != 0 {
		t.Errorf("Shares(bob's calendar) = %v, %v; want the share to the deleted principal gone", got, err)
	}
	if n, err := s.UsedBytes(ctx, ann.ID); err != nil || n != 0 {
		t.Errorf("UsedBytes(deleted) = %d, %v; want 0", n, err)
	}
	for _, id := range []int64{annMsg.ID, annFB.ID} {
		_, err = s.Delivery(ctx, id)
		wantErr(t, "Delivery(of deleted principal)", err, calendar.ErrNotFound)
	}
	if got, err := s.Deliveries(ctx, ann.ID); err != nil || len(got) != 0 {
		t.Errorf("Deliveries(deleted) = %v, %v; want none", ids(got), err)
	}
	if got, err := s.DueDeliveries(ctx, "imip", day(1), 0); err != nil || !slices.Equal(ids(got), []int64{bobMsg.ID}) {
		t.Errorf("DueDeliveries(imip) after deleting ann = %v, %v; want only bob's %d", ids(got), err, bobMsg.ID)
	}
	wantErr(t, "DeletePrincipal(again)", s.DeletePrincipal(ctx, ann.ID), calendar.ErrNotFound)
	// The name and address are free again.
	newPrincipal(t, s, "ann", "mailto:ann@example.org")
	if _, err := s.Principal(ctx, bob.ID); err != nil {
		t.Errorf("Principal(bob) = %v after deleting ann", err)
	}
}

func testAppPasswords(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann := newPrincipal(t, s, "ann")
	bob := newPrincipal(t, s, "bob")
	var made []*calendar.AppPassword
	for i, label := range []string{"phone", "laptop"} {
		a := &calendar.AppPassword{PrincipalID: ann.ID, Label: label, Hash: bytes.Repeat([]byte{byte(i + 1)}, 32)}
		if err := s.CreateAppPassword(ctx, a); err != nil {
			t.Fatalf("CreateAppPassword(%q) = %v", label, err)
		}
		if a.ID == 0 || a.Created.IsZero() {
			t.Errorf("CreateAppPassword(%q) set ID %d, Created %v; want both set", label, a.ID, a.Created)
		}
		made = append(made, a)
	}
	got, err := s.AppPasswordByHash(ctx, made[1].Hash)
	if err != nil {
		t.Fatalf("AppPasswordByHash() = %v", err)
	}
	if got.ID != made[1].ID || got.PrincipalID != ann.ID || got.Label != "laptop" || !bytes.Equal(got.Hash, made[1].Hash) || !got.Created.Equal(made[1].Created) {
		t.Errorf("AppPasswordByHash() = %+v, want %+v", got, made[1])
	}
	_, err = s.AppPasswordByHash(ctx, bytes.Repeat([]byte{9}, 32))
	wantErr(t, "AppPasswordByHash(unknown)", err, calendar.ErrNotFound)

	list, err := s.AppPasswords(ctx, ann.ID)
	if err != nil || len(list) != 2 || list[0].Label != "phone" || list[1].Label != "laptop" {
		t.Errorf("AppPasswords(ann) = %v, %v; want phone, laptop", list, err)
	}
	if list, err := s.AppPasswords(ctx, bob.ID); err != nil || len(list) != 0 {
		t.Errorf("AppPasswords(bob) = %v, %v; want none", list, err)
	}
	if err := s.DeleteAppPassword(ctx, made[0].ID); err != nil {
		t.Fatalf("DeleteAppPassword() = %v", err)
	}
	_, err = s.AppPasswordByHash(ctx, made[0].Hash)
	wantErr(t, "AppPasswordByHash(deleted)", err, calendar.ErrNotFound)
	wantErr(t, "DeleteAppPassword(deleted)", s.DeleteAppPassword(ctx, made[0].ID), calendar.ErrNotFound)
	if err := s.CreateAppPassword(ctx, &calendar.AppPassword{PrincipalID: -1, Label: "x", Hash: []byte("x")}); err == nil {
		t.Errorf("CreateAppPassword(missing principal) = nil, want an error")
	}
}

// principalDiff describes how got differs from want, or returns "".
func principalDiff(got, want *calendar.Principal) string {
	switch {
	case got.ID != want.ID || got.Name != want.Name || got.DisplayName != want.DisplayName || got.Type != want.Type ||
		got.Admin != want.Admin || got.PasswordHash != want.PasswordHash || got.QuotaBytes != want.QuotaBytes:
		return fmt.Sprintf("got %+v, want %+v", got, want)
	case !slices.Equal(got.Addresses, want.Addresses):
		return fmt.Sprintf("addresses %q, want %q", got.Addresses, want.Addresses)
	case !got.Created.Equal(want.Created):
		return fmt.Sprintf("created %v, want %v", got.Created, want.Created)
	}
	return ""
}
