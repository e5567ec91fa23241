// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/almanac-project/almanac/internal/calendar"
)

func testCollections(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann := newPrincipal(t, s, "ann")
	bob := newPrincipal(t, s, "bob")
	full := &calendar.Collection{
		OwnerID: ann.ID, Name: "work", Kind: calendar.KindCalendar,
		DisplayName: "Work", Description: "Meetings\nand more", Color: "#FF8800AA", Order: 2,
		Timezone:   "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n",
		Components: []string{"VEVENT", "VTODO"},
		Props: []calendar.DeadProp{
			{Space: "http://apple.com/ns/ical/", Local: "calendar-order", XML: "2"},
			{Space: "urn:x", Local: "raw", XML: "<x:a xmlns:x=\"urn:x\">caf\u00e9 &amp; &lt;b&gt;\r\n\t<![CDATA[<>]]></x:a> "},
			{Space: "urn:x", Local: "empty", XML: ""},
		},
		Transparent: true, PublicRead: true, FeedToken: "feed-secret-1",
	}
	if err := s.CreateCollection(ctx, full); err != nil {
		t.Fatalf("CreateCollection(work) = %v", err)
	}
	if full.ID == 0 || full.Seq != 0 || full.Created.IsZero() || full.Modified.IsZero() {
		t.Errorf("CreateCollection(work) set ID %d, Seq %d, Created %v, Modified %v", full.ID, full.Seq, full.Created, full.Modified)
	}
	for _, c := range []*calendar.Collection{
		{OwnerID: ann.ID, Name: "b-home", Kind: calendar.KindCalendar, Order: 1},
		{OwnerID: ann.ID, Name: "a-home", Kind: calendar.KindCalendar, Order: 1, Components: []string{"VTODO"}},
		{OwnerID: ann.ID, Name: "inbox", Kind: calendar.KindInbox, Order: 0},
		{OwnerID: bob.ID, Name: "work", Kind: calendar.KindCalendar},
	} {
		if err := s.CreateCollection(ctx, c); err != nil {
			t.Fatalf("CreateCollection(%d, %q) = %v", c.OwnerID, c.Name, err)
		}
	}
	wantErr(t, "CreateCollection(taken name)", s.CreateCollection(ctx, &calendar.Collection{OwnerID: ann.ID, Name: "work", Kind: calendar.KindCalendar}), calendar.ErrExists)
	if err := s.CreateCollection(ctx, &calendar.Collection{OwnerID: -1, Name: "x", Kind: calendar.KindCalendar}); err == nil {
		t.Errorf("CreateCollection(missing owner) = nil, want an error")
	}

	for _, tc := range []struct {
		call string
		get  func() (*calendar.Collection, error)
	}{
		{"Collection(id)", func() (*calendar.Collection, error) { return s.Collection(ctx, full.ID) }},
		{"CollectionByName(ann, work)", func() (*calendar.Collection, error) { return s.CollectionByName(ctx, ann.ID, "work") }},
		{"CollectionByFeedToken()", func() (*calendar.Collection, error) { return s.CollectionByFeedToken(ctx, "feed-secret-1") }},
	} {
		got, err := tc.get()
		if err != nil {
			t.Errorf("%s = %v", tc.call, err)
			continue
		}
		if diff := collectionDiff(got, full); diff != "" {
			t.Errorf("%s: %s", tc.call, diff)
		}
	}
	for _, tc := range []struct {
		call string
		err  error
	}{
		{"Collection(-1)", func() error { _, err := s.Collection(ctx, -1); return err }()},
		{"CollectionByName(ann, missing)", func() error { _, err := s.CollectionByName(ctx, ann.ID, "missing"); return err }()},
		{"CollectionByName(bob, a-home)", func() error { _, err := s.CollectionByName(ctx, bob.ID, "a-home"); return err }()},
		{`CollectionByFeedToken("")`, func() error { _, err := s.CollectionByFeedToken(ctx, ""); return err }()},
		{`CollectionByFeedToken("nope")`, func() error { _, err := s.CollectionByFeedToken(ctx, "nope"); return err }()},
	} {
		wantErr(t, tc.call, tc.err, calendar.ErrNotFound)
	}

	list, err := s.Collections(ctx, ann.ID)
	if err != nil {
		t.Fatalf("Collections(ann) = %v", err)
	}
	var got []string
	for _, c := range list {
		got = append(got, c.Name)
	}
	if want := []string{"inbox", "a-home", "b-home", "work"}; !slices.Equal(got, want) {
		t.Errorf("Collections(ann) = %q, want %q (by Order, then Name)", got, want)
	}
	for _, c := range list {
		switch c.Name {
		case "b-home":
			if c.Components != nil || c.Props != nil {
				t.Errorf("Collections(ann): b-home Components %q, Props %v; want nil (the default set), nil", c.Components, c.Props)
			}
		case "a-home":
			if !slices.Equal(c.Components, []string{"VTODO"}) {
				t.Errorf("Collections(ann): a-home Components %q, want [VTODO]", c.Components)
			}
		}
	}
	if list, err := s.Collections(ctx, -1); err != nil || len(list) != 0 {
		t.Errorf("Collections(missing) = %v, %v; want none", list, err)
	}
}

func testCollectionUpdate(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann, c := home(t, s)
	mustPut(t, s, event(c.ID, "a.ics", "a", day(0), day(1)), calendar.Conditions{})
	before := mustCollection(t, s, c.ID)

	upd := *before
	upd.Name, upd.Kind, upd.Seq = "ignored", calendar.KindInbox, 99
	upd.DisplayName, upd.Description, upd.Color, upd.Order = "New", "Desc", "#112233", 7
	upd.Timezone = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
	upd.Components = []string{"VJOURNAL"}
	upd.Props = []calendar.DeadProp{{Space: "DAV:", Local: "x", XML: "<y/>"}}
	upd.Transparent, upd.PublicRead, upd.FeedToken = true, true, "tok"
	if err := s.UpdateCollection(ctx, &upd); err != nil {
		t.Fatalf("UpdateCollection() = %v", err)
	}
	if upd.Modified.Before(before.Modified) {
		t.Errorf("UpdateCollection() set Modified %v, before %v", upd.Modified, before.Modified)
	}
	got := mustCollection(t, s, c.ID)
	want := upd
	want.Name, want.Kind, want.Seq = before.Name, before.Kind, before.Seq
	if diff := collectionDiff(got, &want); diff != "" {
		t.Errorf("after UpdateCollection: %s", diff)
	}
	if got.Seq != 1 {
		t.Errorf("after UpdateCollection, Seq = %d, want 1 (unchanged)", got.Seq)
	}

	// Back to the defaults: nil Components, no props, no feed token.
	upd.Components, upd.Props, upd.FeedToken = nil, nil, ""
	if err := s.UpdateCollection(ctx, &upd); err != nil {
		t.Fatalf("UpdateCollection(defaults) = %v", err)
	}
	got = mustCollection(t, s, c.ID)
	if got.Components != nil || len(got.Props) != 0 || got.FeedToken != "" {
		t.Errorf("after UpdateCollection(defaults): Components %q, Props %v, FeedToken %q; want nil, none, \"\"", got.Components, got.Props, got.FeedToken)
	}
	if _, err := s.CollectionByFeedToken(ctx, "tok"); err == nil {
		t.Errorf("CollectionByFeedToken(removed token) = nil error, want ErrNotFound")
	}
	missing := calendar.Collection{ID: -1, OwnerID: ann.ID, Name: "x"}
	wantErr(t, "UpdateCollection(missing)", s.UpdateCollection(ctx, &missing), calendar.ErrNotFound)
}

func testCollectionDelete(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	ann, c := home(t, s)
	other := newCollection(t, s, ann.ID, "other")
	bob := newPrincipal(t, s, "bob")
	o := event(c.ID, "a.ics", "a", day(0), day(1))
	o.Index = calendar.Index{Start: day(0), End: day(10), Recurring: true, From: day(0), Until: day(10), Instances: []calendar.Span{{Start: day(0), End: day(1)}}}
	mustPut(t, s, o, calendar.Conditions{})
	mustPut(t, s, event(other.ID, "a.ics", "a", day(0), day(1)), calendar.Conditions{})
	if err := s.SetShare(ctx, calendar.Share{CollectionID: c.ID, PrincipalID: bob.ID, Access: calendar.AccessRead}); err != nil {
		t.Fatalf("SetShare() = %v", err)
	}
	if err := s.DeleteCollection(ctx, c.ID); err != nil {
		t.Fatalf("DeleteCollection() = %v", err)
	}
	_, err := s.Collection(ctx, c.ID)
	wantErr(t, "Collection(deleted)", err, calendar.ErrNotFound)
	_, err = s.Object(ctx, c.ID, "a.ics")
	wantErr(t, "Object(in deleted collection)", err, calendar.ErrNotFound)
	_, err = s.Changes(ctx, c.ID, 0, 0)
	wantErr(t, "Changes(deleted collection)", err, calendar.ErrNotFound)
	if got, err := s.SharedWith(ctx, bob.ID); err != nil || len(got) != 0 {
		t.Errorf("SharedWith(bob) = %v, %v; want none", got, err)
	}
	if _, err := s.Object(ctx, other.ID, "a.ics"); err != nil {
		t.Errorf("Object(other collection) = %v after deleting a sibling", err)
	}
	wantErr(t, "DeleteCollection(again)", s.DeleteCollection(ctx, c.ID), calendar.ErrNotFound)
	_, err = s.PutObject(ctx, event(c.ID, "b.ics", "b", day(0), day(1)), calendar.Conditions{})
	wantErr(t, "PutObject(deleted collection)", err, calendar.ErrNotFound)
	// The name is free again.
	newCollection(t, s, ann.ID, "default")
}

// collectionDiff describes how got differs from want, or returns "".
func collectionDiff(got, want *calendar.Collection) string {
	g, w := *got, *want
	switch {
	case !slices.Equal(g.Components, w.Components) || (g.Components == nil) != (w.Components == nil):
		return fmt.Sprintf("Components %#v, want %#v", g.Components, w.Components)
	case !slices.Equal(g.Props, w.Props):
		return fmt.Sprintf("Props %q, want %q", g.Props, w.Props)
	case !g.Created.Equal(w.Created) || !g.Modified.Equal(w.Modified):
		return fmt.Sprintf("Created, Modified %v, %v; want %v, %v", g.Created, g.Modified, w.Created, w.Modified)
	}
	g.Components, g.Props, w.Components, w.Props = nil, nil, nil, nil
	g.Created, g.Modified = w.Created, w.Modified
	if gs, ws := fmt.Sprintf("%+v", g), fmt.Sprintf("%+v", w); gs != ws {
		return fmt.Sprintf("got %s, want %s", gs, ws)
	}
	return ""
}
