// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server_test

import (
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/server"
)

// openAdmin opens an Admin on a fresh data directory with users ann and
// bob.
func openAdmin(t *testing.T, base string) *server.Admin {
	t.Helper()
	cfg := config.Default()
	cfg.Data = t.TempDir()
	cfg.BaseURL = base
	a, err := server.OpenAdmin(t.Context(), cfg, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	for _, u := range []string{"ann", "bob"} {
		if err := a.AddUser(t.Context(), server.NewUser{Name: u, Password: "pw"}); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func calendarInfo(t *testing.T, a *server.Admin, user, name string) server.CalendarInfo {
	t.Helper()
	cals, err := a.Calendars(t.Context(), user)
	if err != nil {
		t.Fatalf("Calendars(%q): %v", user, err)
	}
	for _, c := range cals {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("Calendars(%q) lacks %q: %+v", user, name, cals)
	return server.CalendarInfo{}
}

func TestAdminCalendars(t *testing.T) {
	a := openAdmin(t, "https://cal.example.org")
	ctx := t.Context()

	cals, err := a.Calendars(ctx, "ann")
	if err != nil || len(cals) != 1 || cals[0].Name != calendar.DefaultCalendar || cals[0].Objects != 0 ||
		!slices.Equal(cals[0].Components, []string{"VEVENT", "VTODO"}) || cals[0].Public || cals[0].FeedURL != "" {
		t.Fatalf("Calendars(ann) of a new user = %+v, %v", cals, err)
	}

	if err := a.CreateCalendar(ctx, "ann", server.NewCalendar{Name: "work", Color: "#3A87AD", Components: []string{"vevent", "VJOURNAL", "VEVENT"}}); err != nil {
		t.Fatalf("CreateCalendar: %v", err)
	}
	work := calendarInfo(t, a, "ann", "work")
	if work.DisplayName != "work" || work.Color != "#3A87AD" || !slices.Equal(work.Components, []string{"VEVENT", "VJOURNAL"}) {
		t.Errorf("created calendar = %+v", work)
	}
	if _, err := a.Import(ctx, "ann", "work", strings.NewReader("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"+
		"BEGIN:VEVENT\r\nUID:a1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260102T100000Z\r\nEND:VEVENT\r\n"+
		"BEGIN:VEVENT\r\nUID:a2\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260103T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"), nil); err != nil {
		t.Fatal(err)
	}
	if got := calendarInfo(t, a, "ann", "work").Objects; got != 2 {
		t.Errorf("Objects after importing two events = %d, want 2", got)
	}

	if err := a.Share(ctx, "ann", "work", "bob", calendar.AccessFreeBusy); err != nil {
		t.Fatalf("Share: %v", err)
	}
	if err := a.Share(ctx, "ann", "work", "bob", calendar.AccessRead); err != nil {
		t.Fatalf("Share again: %v", err)
	}
	if got := calendarInfo(t, a, "ann", "work").Shares; !slices.Equal(got, []calendar.Grant{{Principal: "bob", Access: "read"}}) {
		t.Errorf("Shares after sharing twice = %v, want bob:read only", got)
	}

	u, err := a.Publish(ctx, "ann", "work")
	if want := "https://cal.example.org/public/calendars/ann/work/"; err != nil || u != want {
		t.Errorf("Publish = %q, %v; want %q", u, err, want)
	}
	if w := calendarInfo(t, a, "ann", "work"); !w.Public || w.PublicURL != u {
		t.Errorf("after Publish: %+v", w)
	}

	feed, err := a.Feed(ctx, "ann", "work", server.FeedShow)
	if err != nil || !strings.HasPrefix(feed, "https://cal.example.org/feeds/") || !strings.HasSuffix(feed, ".ics") {
		t.Fatalf("Feed(show) = %q, %v", feed, err)
	}
	if again, _ := a.Feed(ctx, "ann", "work", server.FeedShow); again != feed {
		t.Errorf("Feed(show) twice = %q then %q; want the same URL", feed, again)
	}
	rotated, err := a.Feed(ctx, "ann", "work", server.FeedRotate)
	if err != nil || rotated == feed || !strings.HasPrefix(rotated, "https://cal.example.org/feeds/") {
		t.Errorf("Feed(rotate) = %q, %v; want a new URL", rotated, err)
	}
	if got := calendarInfo(t, a, "ann", "work").FeedURL; got != rotated {
		t.Errorf("FeedURL after rotate = %q, want %q", got, rotated)
	}
	if u, err := a.Feed(ctx, "ann", "work", server.FeedDisable); err != nil || u != "" {
		t.Errorf("Feed(disable) = %q, %v", u, err)
	}
	if got := calendarInfo(t, a, "ann", "work").FeedURL; got != "" {
		t.Errorf("FeedURL after disable = %q", got)
	}
	if got := server.WebcalURL(rotated); got != "webcal://"+strings.TrimPrefix(rotated, "https://") {
		t.Errorf("WebcalURL(%q) = %q", rotated, got)
	}

	if err := a.Unpublish(ctx, "ann", "work"); err != nil {
		t.Fatal(err)
	}
	if err := a.Unshare(ctx, "ann", "work", "bob"); err != nil {
		t.Fatal(err)
	}
	if w := calendarInfo(t, a, "ann", "work"); w.Public || len(w.Shares) != 0 {
		t.Errorf("after Unpublish and Unshare: %+v", w)
	}
	if err := a.DeleteCalendar(ctx, "ann", "work"); err != nil {
		t.Fatal(err)
	}
	if cals, _ := a.Calendars(ctx, "ann"); len(cals) != 1 {
		t.Errorf("Calendars after DeleteCalendar = %+v", cals)
	}
}

func TestAdminCalendarErrors(t *testing.T) {
	a := openAdmin(t, "")
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"list of nobody", second(a.Calendars(ctx, "nobody")), `user "nobody" does not exist`},
		{"create for nobody", a.CreateCalendar(ctx, "nobody", server.NewCalendar{Name: "x"}), `user "nobody" does not exist`},
		{"create existing", a.CreateCalendar(ctx, "ann", server.NewCalendar{Name: "calendar"}), `already has a calendar "calendar"`},
		{"bad name", a.CreateCalendar(ctx, "ann", server.NewCalendar{Name: "a~b"}), `invalid calendar name "a~b"`},
		{"bad colour", a.CreateCalendar(ctx, "ann", server.NewCalendar{Name: "x", Color: "#12345"}), `invalid --color "#12345"`},
		{"bad component", a.CreateCalendar(ctx, "ann", server.NewCalendar{Name: "x", Components: []string{"VCARD"}}), `invalid component "VCARD"`},
		{"delete missing", a.DeleteCalendar(ctx, "ann", "nope"), `user "ann" has no calendar "nope"`},
		{"share bad access", a.Share(ctx, "ann", "calendar", "bob", "write"), `invalid --access "write"`},
		{"share with nobody", a.Share(ctx, "ann", "calendar", "nobody", "read"), `user "nobody" does not exist`},
		{"share with owner", a.Share(ctx, "ann", "calendar", "ann", "read"), "share it with someone else"},
		{"unshare not shared", a.Unshare(ctx, "ann", "calendar", "bob"), "ann/calendar is not shared with bob"},
		{"publish missing", second(a.Publish(ctx, "ann", "nope")), `user "ann" has no calendar "nope"`},
		{"feed of nobody", second(a.Feed(ctx, "nobody", "calendar", server.FeedShow)), `user "nobody" does not exist`},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) || strings.Contains(tc.err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", tc.name, tc.err, tc.want)
		}
	}
	// Without base-url the URLs are those of the default listen address,
	// which serve prints.
	if got, want := a.URL(), "http://127.0.0.1:8008/"; got != want {
		t.Errorf("URL() without base-url = %q, want %q", got, want)
	}
	if got, want := a.PublicURL("ann", "my cal"), "http://127.0.0.1:8008/public/calendars/ann/my%20cal/"; got != want {
		t.Errorf("PublicURL with a space = %q, want %q", got, want)
	}
}

func second[T any](_ T, err error) error { return err }
