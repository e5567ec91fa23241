// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/caldav"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/server"
	"github.com/almanac-project/almanac/internal/store/sqlite"
)

// davFixture is ann's calendar "work" shared with rob (read), wes
// (read-write) and fay (free-busy), her public calendar "pub", and out,
// who has no share.
type davFixture struct {
	svc *calendar.Service
	b   caldav.Backend
	as  map[string]context.Context // "" is anonymous
}

const davEvent = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:UIDX\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260310T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Secret meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func davObject(t *testing.T, uid string) ([]byte, *ical.Component) {
	t.Helper()
	data := []byte(strings.Replace(davEvent, "UIDX", uid, 1))
	cal, err := ical.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return data, cal.Component
}

func newDAVFixture(t *testing.T) *davFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "almanac.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	svc := calendar.New(st, calendar.Options{
		Now:    func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) },
		Logger: slog.New(slog.DiscardHandler),
	})
	f := &davFixture{svc: svc, b: server.NewDAVBackend(svc, server.DAVOptions{}), as: map[string]context.Context{"": ctx}}
	for _, n := range []string{"ann", "rob", "wes", "fay", "out"} {
		p := &calendar.Principal{Name: n, Addresses: []string{n + "@example.org"}}
		if n == "ann" {
			p.QuotaBytes = 100000
		}
		if err := svc.CreatePrincipal(ctx, p); err != nil {
			t.Fatal(err)
		}
		f.as[n] = calendar.ContextWithPrincipal(ctx, p)
	}
	for _, c := range []string{"work", "pub"} {
		if err := svc.CreateCollection(ctx, "ann", &calendar.Collection{Name: c, DisplayName: c}); err != nil {
			t.Fatal(err)
		}
	}
	for grantee, access := range map[string]string{"rob": calendar.AccessRead, "wes": calendar.AccessWrite, "fay": calendar.AccessFreeBusy} {
		if err := svc.Share(ctx, "ann", "work", grantee, access); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.SetPublicRead(ctx, "ann", "pub", true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"work", "pub"} {
		data, vcal := davObject(t, "seed")
		if _, err := f.b.PutObject(f.as["ann"], "ann", c, "seed.ics", data, vcal, caldav.Conditions{}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// collect gathers a listing of the backend, up to its error.
func collect(seq iter.Seq2[*caldav.Object, error]) ([]*caldav.Object, error) {
	var out []*caldav.Object
	for o, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
	return out, nil
}

// TestDAVPages checks that listings and queries read the store in pages
// and yield every object once, in name order, stopping when asked to.
func TestDAVPages(t *testing.T) {
	f := newDAVFixture(t)
	b := server.NewDAVBackend(f.svc, server.DAVOptions{PageSize: 2})
	ann := f.as["ann"]
	want := []string{"seed.ics"}
	for i := range 6 {
		name := fmt.Sprintf("o%d.ics", i)
		data, vcal := davObject(t, name)
		if _, err := b.PutObject(ann, "ann", "work", name, data, vcal, caldav.Conditions{}); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}
	slices.Sort(want)
	start, end := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		seq  func(ctx context.Context) iter.Seq2[*caldav.Object, error]
		data bool
	}{
		{"list", func(ctx context.Context) iter.Seq2[*caldav.Object, error] {
			return b.ListObjects(ctx, "ann", "work", false)
		}, false},
		{"list with data", func(ctx context.Context) iter.Seq2[*caldav.Object, error] {
			return b.ListObjects(ctx, "ann", "work", true)
		}, true},
		{"query", func(ctx context.Context) iter.Seq2[*caldav.Object, error] {
			return b.QueryObjects(ctx, "ann", "work", "VEVENT", time.Time{}, time.Time{}, false)
		}, false},
		{"query a month", func(ctx context.Context) iter.Seq2[*caldav.Object, error] {
			return b.QueryObjects(ctx, "ann", "work", "VEVENT", start, end, true)
		}, true},
	} {
		objs, err := collect(tc.seq(ann))
		var got []string
		for _, o := range objs {
			got = append(got, o.Name)
			if (o.Data != nil) != tc.data {
				t.Errorf("%s: %s has data %v, want %v", tc.name, o.Name, o.Data != nil, tc.data)
			}
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s = %q, %v; want %q", tc.name, got, err, want)
		}
		n := 0
		for range tc.seq(ann) {
			n++
			if n == 3 {
				break
			}
		}
		if n != 3 {
			t.Errorf("%s: stopped after %d objects, want 3", tc.name, n)
		}
		if objs, err := collect(tc.seq(f.as["out"])); len(objs) != 0 || !errors.Is(err, caldav.ErrForbidden) {
			t.Errorf("%s as out = %d objects, %v; want forbidden", tc.name, len(objs), err)
		}
	}
}

func errName(err error) string {
	var uc *caldav.UIDConflictError
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, caldav.ErrForbidden):
		return "forbidden"
	case errors.Is(err, caldav.ErrNotFound):
		return "notfound"
	case errors.As(err, &uc):
		return "uidconflict"
	}
	return err.Error()
}

// TestDAVPrivilegeMatrix checks every kind of user against every
// operation on a shared and a public calendar (RFC 3744, RFC 4791 §6).
func TestDAVPrivilegeMatrix(t *testing.T) {
	f := newDAVFixture(t)
	ops := []struct {
		name string
		do   func(ctx context.Context, cal string) error
	}{
		{"calendar", func(ctx context.Context, cal string) error {
			_, err := f.b.Calendar(ctx, "ann", cal)
			return err
		}},
		{"get", func(ctx context.Context, cal string) error {
			_, err := f.b.Object(ctx, "ann", cal, "seed.ics")
			return err
		}},
		{"list", func(ctx context.Context, cal string) error {
			_, err := collect(f.b.ListObjects(ctx, "ann", cal, false))
			return err
		}},
		{"query", func(ctx context.Context, cal string) error {
			_, err := collect(f.b.QueryObjects(ctx, "ann", cal, "VEVENT", time.Time{}, time.Time{}, false))
			return err
		}},
		{"sync", func(ctx context.Context, cal string) error {
			_, _, _, err := f.b.Changes(ctx, "ann", cal, "", 0)
			return err
		}},
		{"put", func(ctx context.Context, cal string) error {
			data, vcal := davObject(t, "new-"+cal)
			_, err := f.b.PutObject(ctx, "ann", cal, "new-"+cal+".ics", data, vcal, caldav.Conditions{})
			return err
		}},
		{"proppatch", func(ctx context.Context, cal string) error {
			c, err := f.svc.Collection(context.Background(), "ann", cal)
			if err != nil {
				return err
			}
			return f.b.UpdateCalendar(ctx, &caldav.Calendar{Owner: "ann", Name: cal, DisplayName: c.DisplayName})
		}},
		{"acl", func(ctx context.Context, cal string) error {
			c, err := f.b.Calendar(f.as["ann"], "ann", cal)
			if err != nil {
				return err
			}
			return f.b.SetACL(ctx, "ann", cal, c.ACL)
		}},
		{"delete", func(ctx context.Context, cal string) error {
			err := f.b.DeleteObject(ctx, "ann", cal, "new-"+cal+".ics", caldav.Conditions{})
			if errors.Is(err, caldav.ErrNotFound) {
				return nil // allowed, and nothing was put
			}
			return err
		}},
	}
	// want[user] lists the result of each op in order, on "work" then "pub".
	want := map[string][2]string{
		"ann": {"ok ok ok ok ok ok ok ok ok", "ok ok ok ok ok ok ok ok ok"},
		"rob": {"ok ok ok ok ok forbidden forbidden forbidden forbidden", "ok ok ok ok ok forbidden forbidden forbidden forbidden"},
		"wes": {"ok ok ok ok ok ok ok forbidden ok", "ok ok ok ok ok forbidden forbidden forbidden forbidden"},
		"fay": {"ok forbidden forbidden ok forbidden forbidden forbidden forbidden forbidden", "ok ok ok ok ok forbidden forbidden forbidden forbidden"},
		"out": {"forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden", "ok ok ok ok ok forbidden forbidden forbidden forbidden"},
		"":    {"forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden forbidden", "ok ok ok ok ok forbidden forbidden forbidden forbidden"},
	}
	for user, w := range want {
		for i, cal := range []string{"work", "pub"} {
			var got []string
			for _, op := range ops {
				got = append(got, errName(op.do(f.as[user], cal)))
			}
			if g := strings.Join(got, " "); g != w[i] {
				t.Errorf("user %q on ann/%s:\n got  %s\n want %s", user, cal, g, w[i])
			}
		}
	}
}

func TestDAVPrivilegeSets(t *testing.T) {
	f := newDAVFixture(t)
	for user, want := range map[string]caldav.Privileges{
		"ann": caldav.PrivAll,
		"rob": caldav.PrivRead | caldav.PrivReadFreeBusy | caldav.PrivReadCurrentUserPrivilegeSet,
		"wes": caldav.PrivRead | caldav.PrivReadFreeBusy | caldav.PrivWrite | caldav.PrivReadCurrentUserPrivilegeSet,
		"fay": caldav.PrivReadFreeBusy | caldav.PrivReadCurrentUserPrivilegeSet,
	} {
		c, err := f.b.Calendar(f.as[user], "ann", "work")
		if err != nil {
			t.Fatal(err)
		}
		if c.Privileges != want {
			t.Errorf("Calendar(ann/work) as %s: Privileges = %b, want %b", user, c.Privileges, want)
		}
		if (c.ACL != nil) != (user == "ann") {
			t.Errorf("Calendar(ann/work) as %s: ACL = %v", user, c.ACL)
		}
	}
	c, _ := f.b.Calendar(f.as["ann"], "ann", "work")
	var aces []string
	for _, a := range c.ACL {
		aces = append(aces, a.Principal)
	}
	slices.Sort(aces)
	if want := []string{"ann", "fay", "rob", "wes"}; !slices.Equal(aces, want) {
		t.Errorf("ACL principals = %q, want %q", aces, want)
	}
	// Free-busy only: the query answer hides everything but the times.
	objs, err := collect(f.b.QueryObjects(f.as["fay"], "ann", "work", "", time.Time{}, time.Time{}, true))
	if err != nil || len(objs) != 1 {
		t.Fatalf("QueryObjects as fay = %d, %v", len(objs), err)
	}
	if s := string(objs[0].Data); strings.Contains(s, "Secret") || !strings.Contains(s, "DTSTART:20260310T100000Z") {
		t.Errorf("free-busy view:\n%s", s)
	}
}

func TestDAVSharedNames(t *testing.T) {
	f := newDAVFixture(t)
	rob := f.as["rob"]
	cals, err := f.b.Calendars(rob, "rob")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cals {
		names = append(names, c.Owner+"/"+c.Name)
	}
	if want := []string{"rob/calendar", "rob/inbox", "rob/outbox", "rob/ann~work"}; !slices.Equal(names, want) {
		t.Errorf("Calendars(rob) = %q, want %q", names, want)
	}
	if _, err := f.b.Object(rob, "rob", "ann~work", "seed.ics"); err != nil {
		t.Errorf("Object(rob/ann~work/seed.ics) = %v", err)
	}
	// The same name in someone else's home means nothing.
	if _, err := f.b.Calendar(f.as["wes"], "rob", "ann~work"); !errors.Is(err, caldav.ErrNotFound) {
		t.Errorf("Calendar(rob/ann~work) as wes = %v, want ErrNotFound", err)
	}
	if _, err := f.b.Calendar(f.as["out"], "out", "ann~work"); !errors.Is(err, caldav.ErrNotFound) {
		t.Errorf("Calendar(out/ann~work) as out = %v, want ErrNotFound", err)
	}
	// ann's home as rob: the shared and the public calendar only.
	cals, _ = f.b.Calendars(rob, "ann")
	names = nil
	for _, c := range cals {
		names = append(names, c.Name)
	}
	slices.Sort(names)
	if want := []string{"pub", "work"}; !slices.Equal(names, want) {
		t.Errorf("Calendars(ann) as rob = %q, want %q", names, want)
	}
	// A write through the shared name by wes conflicts with the href wes uses.
	data, vcal := davObject(t, "seed")
	_, err = f.b.PutObject(f.as["wes"], "wes", "ann~work", "other.ics", data, vcal, caldav.Conditions{})
	var uc *caldav.UIDConflictError
	if !errors.As(err, &uc) || uc.Href != "calendars/wes/ann~work/seed.ics" {
		t.Errorf("PutObject(same UID) = %v, want UIDConflictError calendars/wes/ann~work/seed.ics", err)
	}
	// Deleting the shared calendar from one's home removes the share only.
	if err := f.b.DeleteCalendar(rob, "rob", "ann~work"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.b.Calendar(rob, "ann", "work"); !errors.Is(err, caldav.ErrForbidden) {
		t.Errorf("Calendar(ann/work) after unsharing = %v, want ErrForbidden", err)
	}
	if _, err := f.b.Calendar(f.as["ann"], "ann", "work"); err != nil {
		t.Errorf("the owner lost the calendar: %v", err)
	}
	// Anonymous: public calendars only.
	cals, err = f.b.Calendars(f.as[""], "ann")
	if err != nil || len(cals) != 1 || cals[0].Name != "pub" || cals[0].Privileges&caldav.PrivWrite != 0 {
		t.Errorf("Calendars(ann) anonymously = %+v, %v", cals, err)
	}
}

func TestDAVSetACL(t *testing.T) {
	f := newDAVFixture(t)
	ann := f.as["ann"]
	err := f.b.SetACL(ann, "ann", "work", []caldav.ACE{
		{Principal: "ann", Grant: caldav.PrivAll, Protected: true},
		{Principal: "out", Grant: caldav.PrivRead | caldav.PrivWrite},
		{Principal: "all", Grant: caldav.PrivRead},
	})
	if err != nil {
		t.Fatal(err)
	}
	grants, _ := f.svc.Grants(context.Background(), mustColl(t, f.svc, "ann", "work"))
	if len(grants) != 1 || grants[0] != (calendar.Grant{Principal: "out", Access: calendar.AccessWrite}) {
		t.Errorf("grants after SetACL = %+v", grants)
	}
	if c := mustColl(t, f.svc, "ann", "work"); !c.PublicRead {
		t.Errorf("SetACL with all:read did not make the calendar public")
	}
	for _, bad := range []caldav.ACE{
		{Principal: "rob", Grant: caldav.PrivWriteACL},
		{Principal: "authenticated", Grant: caldav.PrivRead},
		{Principal: "rob", Grant: caldav.PrivWriteContent},
		{Principal: "nobody", Grant: caldav.PrivRead},
	} {
		if err := f.b.SetACL(ann, "ann", "work", []caldav.ACE{bad}); !errors.Is(err, caldav.ErrForbidden) && !errors.Is(err, caldav.ErrNotFound) {
			t.Errorf("SetACL(%+v) = %v, want an error", bad, err)
		}
	}
}

func mustColl(t *testing.T, svc *calendar.Service, owner, name string) *calendar.Collection {
	t.Helper()
	c, err := svc.Collection(context.Background(), owner, name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDAVSyncTokens(t *testing.T) {
	f := newDAVFixture(t)
	ann := f.as["ann"]
	changes, token, truncated, err := f.b.Changes(ann, "ann", "work", "", 0)
	if err != nil || len(changes) != 1 || truncated || !strings.HasPrefix(token, "http://almanac.invalid/sync/") {
		t.Fatalf("Changes(\"\") = %v, %q, %v, %v", changes, token, truncated, err)
	}
	c, _ := f.b.Calendar(ann, "ann", "work")
	if c.SyncToken != token || c.CTag == "" {
		t.Errorf("Calendar().SyncToken = %q, want %q", c.SyncToken, token)
	}
	for _, uid := range []string{"a", "b", "c"} {
		data, vcal := davObject(t, uid)
		if _, err := f.b.PutObject(ann, "ann", "work", uid+".ics", data, vcal, caldav.Conditions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.b.DeleteObject(ann, "ann", "work", "seed.ics", caldav.Conditions{}); err != nil {
		t.Fatal(err)
	}
	got, t2, truncated, err := f.b.Changes(ann, "ann", "work", token, 2)
	if err != nil || len(got) != 2 || !truncated || got[0].Name != "a.ics" {
		t.Fatalf("Changes(token, 2) = %v, %v, %v", got, truncated, err)
	}
	got, t3, truncated, err := f.b.Changes(ann, "ann", "work", t2, 0)
	if err != nil || truncated || len(got) != 2 || got[1] != (caldav.Change{Name: "seed.ics", Deleted: true}) {
		t.Fatalf("Changes(t2) = %v, %v, %v", got, truncated, err)
	}
	if got, _, _, _ := f.b.Changes(ann, "ann", "work", t3, 0); len(got) != 0 {
		t.Errorf("Changes(latest) = %v, want none", got)
	}
	other, _ := f.b.Calendar(ann, "ann", "pub")
	for _, bad := range []string{"garbage", other.SyncToken, t3 + "0", strings.TrimSuffix(t3, "5") + "99", "http://almanac.invalid/sync/x/1"} {
		if _, _, _, err := f.b.Changes(ann, "ann", "work", bad, 0); !errors.Is(err, caldav.ErrInvalidSyncToken) {
			t.Errorf("Changes(%q) = %v, want ErrInvalidSyncToken", bad, err)
		}
	}
}

func TestDAVQuotaAndFeed(t *testing.T) {
	f := newDAVFixture(t)
	used, avail, err := f.b.Quota(f.as["ann"], "ann")
	if err != nil || used == 0 || avail != 100000-used {
		t.Errorf("Quota(ann) = %d, %d, %v", used, avail, err)
	}
	if _, avail, _ := f.b.Quota(f.as["rob"], "rob"); avail != -1 {
		t.Errorf("Quota(rob) available = %d, want -1 (no limit)", avail)
	}
	if _, _, err := f.b.Quota(f.as["rob"], "ann"); !errors.Is(err, caldav.ErrForbidden) {
		t.Errorf("Quota(ann) as rob = %v, want ErrForbidden", err)
	}
	token, err := f.svc.SetFeedToken(context.Background(), "ann", "work", true)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := f.b.Calendar(f.as["ann"], "ann", "work"); c.FeedURL != "/feeds/"+token+".ics" {
		t.Errorf("FeedURL = %q", c.FeedURL)
	}
	if c, _ := f.b.Calendar(f.as["rob"], "ann", "work"); c.FeedURL != "" {
		t.Errorf("FeedURL shown to a sharee: %q", c.FeedURL)
	}
	if err := f.b.CreateCalendar(f.as["rob"], &caldav.Calendar{Owner: "ann", Name: "x"}); !errors.Is(err, caldav.ErrForbidden) {
		t.Errorf("CreateCalendar in ann's home as rob = %v, want ErrForbidden", err)
	}
	if err := f.b.CreateCalendar(f.as["ann"], &caldav.Calendar{Owner: "ann", Name: "work"}); !errors.Is(err, caldav.ErrExists) {
		t.Errorf("CreateCalendar(existing) = %v, want ErrExists", err)
	}
	if err := f.b.CreateCalendar(f.as["ann"], &caldav.Calendar{Owner: "ann", Name: "a~b"}); !errors.Is(err, caldav.ErrForbidden) {
		t.Errorf("CreateCalendar(a~b) = %v, want ErrForbidden", err)
	}
}
