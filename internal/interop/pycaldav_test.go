// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package interop

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// pycaldavRun is what testdata/pycaldav.py prints.
type pycaldavRun struct {
	Steps map[string]json.RawMessage `json:"steps"`
	HTTP  []struct {
		Method string `json:"method"`
		URL    string `json:"url"`
		Status int    `json:"status"`
		Auth   bool   `json:"auth"`
		Body   string `json:"body"`
	} `json:"http"`
}

// step decodes the result of one step into v; it reports a step that
// failed or did not run, and then returns false.
func (r *pycaldavRun) step(t *testing.T, name string, v any) bool {
	t.Helper()
	raw, ok := r.Steps[name]
	if !ok {
		t.Errorf("python3-caldav step %s did not run", name)
		return false
	}
	var st struct {
		OK        bool   `json:"ok"`
		Error     string `json:"error"`
		Traceback string `json:"traceback"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("python3-caldav step %s: %v\n%s", name, err, raw)
	}
	if !st.OK {
		t.Errorf("python3-caldav step %s failed: %s\n%s%s", name, st.Error, st.Traceback, r.failures())
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("python3-caldav step %s: %v\n%s", name, err, raw)
	}
	return true
}

// failures lists the HTTP exchanges the server answered with an error.
func (r *pycaldavRun) failures() string {
	var b strings.Builder
	for _, h := range r.HTTP {
		if h.Status >= 400 && h.Status != 401 {
			fmt.Fprintf(&b, "\n%s %s -> %d\n%s", h.Method, h.URL, h.Status, h.Body)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "HTTP errors so far:" + b.String()
}

// TestInteropPythonCaldav drives python3-caldav 0.11 from the server's
// base URL through principal discovery, calendar creation, every kind of
// object, server-side expansion, todos, sync-collection, free-busy and
// deletion (client-quirks §2).
func TestInteropPythonCaldav(t *testing.T) {
	requireInterop(t, []string{python}, "caldav", "icalendar")
	s := startServer(t)
	const user = "alice"
	s.addUser(t, user)
	_, env := tempHome(t)
	out := mustRun(t, env, t.TempDir(), "", python, testdataPath(t, "pycaldav.py"), s.url("/"), user, s.password(user))
	var run pycaldavRun
	if err := json.Unmarshal([]byte(out.stdout), &run); err != nil {
		t.Fatalf("pycaldav.py printed no JSON: %v\nstdout:\n%s\nstderr:\n%s", err, out.stdout, out.stderr)
	}

	// It sends credentials only after a challenge (client-quirks §2).
	if len(run.HTTP) == 0 || run.HTTP[0].Auth || run.HTTP[0].Status != 401 {
		t.Errorf("python3-caldav's first request should be anonymous and answered 401; the exchanges were %+v", run.HTTP[:min(3, len(run.HTTP))])
	}
	for _, h := range run.HTTP {
		if h.Status >= 500 {
			t.Errorf("%s %s = %d, want no server error\n%s", h.Method, h.URL, h.Status, h.Body)
		}
	}

	calPath := calendarPath(user, "interop")
	var principal struct{ URL, Home string }
	if run.step(t, "principal", &principal) {
		if principal.URL != principalPath(user) || principal.Home != "/dav/calendars/"+user+"/" {
			t.Errorf("python3-caldav found the principal %q with the calendar home %q, want %q and %q",
				principal.URL, principal.Home, principalPath(user), "/dav/calendars/"+user+"/")
		}
	}
	var calendars struct{ URLs []string }
	if run.step(t, "calendars", &calendars) && !slices.Contains(calendars.URLs, calendarPath(user, "calendar")) {
		t.Errorf("principal.calendars() = %q, want the default calendar %q among them", calendars.URLs, calendarPath(user, "calendar"))
	}
	var made struct {
		URL, Displayname string
		Listed           []string
	}
	if run.step(t, "make_calendar", &made) {
		if made.URL != calPath || !slices.Contains(made.Listed, calPath) || made.Displayname != "Interop" {
			t.Errorf("make_calendar(name=Interop, cal_id=interop) made %q named %q, listed in %q; want %q named Interop, listed",
				made.URL, made.Displayname, made.Listed, calPath)
		}
	}

	var saved struct {
		URLs       map[string]string
		Components map[string][]string
	}
	if run.step(t, "save", &saved) {
		for _, name := range []string{"single", "recurring", "allday", "zoned", "todo", "todo_done", "journal"} {
			want := calPath + "pycaldav-" + strings.ReplaceAll(name, "_", "-") + ".ics"
			if saved.URLs[name] != want {
				t.Errorf("the %s object was saved at %q, want %q", name, saved.URLs[name], want)
			}
			wantComps := []string{"master"}
			if name == "recurring" {
				wantComps = []string{"20260603T090000Z", "master"}
			}
			if !slices.Equal(saved.Components[name], wantComps) {
				t.Errorf("the %s object read back by UID has the components %q, want %q", name, saved.Components[name], wantComps)
			}
		}
	}

	var expand struct {
		Instances []struct {
			UID          string
			RecurrenceID *string `json:"recurrence_id"`
			DTStart      string
			Summary      string
		}
		ServerSentRRule bool `json:"server_sent_rrule"`
	}
	if run.step(t, "expand", &expand) {
		if expand.ServerSentRRule {
			t.Errorf("search(expand=True) over the week of 2026-06-01: the server returned an RRULE, want the instances expanded by the server (RFC 4791 §9.6.5)")
		}
		var got []string
		for _, in := range expand.Instances {
			rid := "-"
			if in.RecurrenceID != nil {
				rid = *in.RecurrenceID
			}
			got = append(got, in.UID+" "+rid+" "+in.DTStart)
		}
		want := []string{
			"pycaldav-allday - 20260604",
			"pycaldav-recurring 20260601T090000Z 20260601T090000Z",
			"pycaldav-recurring 20260602T090000Z 20260602T090000Z",
			"pycaldav-recurring 20260603T090000Z 20260603T150000Z",
			"pycaldav-recurring 20260604T090000Z 20260604T090000Z",
			"pycaldav-recurring 20260605T090000Z 20260605T090000Z",
			"pycaldav-single - 20260602T100000Z",
			"pycaldav-zoned 20260605T160000Z 20260605T160000Z",
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("search(expand=True) over the week of 2026-06-01 gave %d instances (UID RECURRENCE-ID DTSTART), want %d, each recurring one with a RECURRENCE-ID, in UTC:\n%s",
				len(got), len(want), diffLines(got, want))
		}
	}

	var todos struct{ Pending, All, Journals []string }
	if run.step(t, "todos", &todos) {
		if !slices.Equal(todos.Pending, []string{"pycaldav-todo"}) ||
			!slices.Equal(todos.All, []string{"pycaldav-todo", "pycaldav-todo-done"}) ||
			!slices.Equal(todos.Journals, []string{"pycaldav-journal"}) {
			t.Errorf("todos() = %q, todos(include_completed=True) = %q, journals() = %q; want [pycaldav-todo], [pycaldav-todo pycaldav-todo-done], [pycaldav-journal]",
				todos.Pending, todos.All, todos.Journals)
		}
	}

	var sync struct {
		Initial, Updated, Deleted []string
		Token0, Token1            string
		Delta0                    []string `json:"delta_since_token0"`
		Delta1                    []string `json:"delta_since_token1"`
	}
	if run.step(t, "sync", &sync) {
		href := func(names ...string) []string {
			var out []string
			for _, n := range names {
				out = append(out, calPath+"pycaldav-"+n+".ics")
			}
			slices.Sort(out)
			return out
		}
		checks := []struct {
			what      string
			got, want []string
		}{
			{"objects_by_sync_token() (initial)", sync.Initial, href("allday", "journal", "recurring", "single", "todo-done", "todo", "zoned")},
			{"sync() after an edit, a deletion and an addition: updated", sync.Updated, href("added", "single")},
			{"sync(): deleted", sync.Deleted, href("journal")},
			{"objects_by_sync_token(first token)", sync.Delta0, href("added", "journal", "single")},
			{"objects_by_sync_token(latest token)", sync.Delta1, nil},
		}
		for _, c := range checks {
			if !slices.Equal(c.got, c.want) {
				t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
			}
		}
		if sync.Token0 == "" || sync.Token0 == sync.Token1 {
			t.Errorf("sync tokens before and after the changes are %q and %q, want two different tokens", sync.Token0, sync.Token1)
		}
	}

	var invalid struct {
		Tokens []struct {
			Token  string
			Raised *string
			Status int
			Body   string
		}
	}
	if run.step(t, "invalid_sync_token", &invalid) {
		if len(invalid.Tokens) != 2 {
			t.Errorf("python3-caldav step invalid_sync_token tried %d tokens, want 2", len(invalid.Tokens))
		}
		for _, tok := range invalid.Tokens {
			if tok.Raised == nil || tok.Status != 403 || !strings.Contains(tok.Body, "valid-sync-token") {
				t.Errorf("objects_by_sync_token(%q), a token the server never issued: raised %v, the REPORT got %d\n%s\nwant an exception from a 403 with DAV:valid-sync-token (RFC 6578 §3.2)",
					tok.Token, tok.Raised, tok.Status, tok.Body)
			}
		}
	}

	var fb struct{ Data string }
	if run.step(t, "freebusy", &fb) {
		checkFreeBusy(t, fb.Data)
	}

	var slash struct {
		URL     string
		FoundAt string `json:"found_at"`
		UIDs    []string
		Gone    bool
	}
	if run.step(t, "slash_uid", &slash) {
		const uid = "pycaldav/slash@example.org"
		if slash.FoundAt != slash.URL || !slices.Equal(slash.UIDs, []string{uid, uid}) || !slash.Gone {
			t.Errorf("the event with UID %q saved at %q: found by UID at %q, read back with UIDs %q, gone after delete %v; want it found at its URL with its UID, then gone",
				uid, slash.URL, slash.FoundAt, slash.UIDs, slash.Gone)
		}
	}

	var del struct {
		EventGone      bool     `json:"event_gone"`
		CalendarsAfter []string `json:"calendars_after"`
	}
	if run.step(t, "delete", &del) {
		if !del.EventGone || slices.Contains(del.CalendarsAfter, calPath) {
			t.Errorf("after event.delete() and calendar.delete(): event gone %v, calendars %q; want the event and %s gone", del.EventGone, del.CalendarsAfter, calPath)
		}
	}
	if t.Failed() {
		t.Logf("pycaldav.py stderr:\n%s", out.stderr)
	}
}

// checkFreeBusy checks the answer to the free-busy-query over the week of
// 2026-06-01 (RFC 4791 §7.10): busy at every timed instance, including the
// moved one at its new time, and free at the slot it moved from.
func checkFreeBusy(t *testing.T, data string) {
	t.Helper()
	cal, err := ical.Parse([]byte(data))
	if err != nil {
		t.Errorf("calendar.freebusy_request() returned no iCalendar object: %v\n%s", err, data)
		return
	}
	type span struct{ start, end time.Time }
	var busy []span
	fbs := cal.Components(ical.CompFreeBusy)
	if len(fbs) != 1 {
		t.Errorf("calendar.freebusy_request() returned %d VFREEBUSY components, want 1\n%s", len(fbs), data)
		return
	}
	for _, p := range fbs[0].PropsNamed(ical.PropFreeBusy) {
		periods, err := p.Periods()
		if err != nil {
			t.Errorf("FREEBUSY%s:%s: %v", p.Params, p.Value, err)
			continue
		}
		for _, pe := range periods {
			end := pe.End.Wall
			if pe.HasDuration {
				end = pe.Duration.AddWall(pe.Start.Wall)
			}
			busy = append(busy, span{pe.Start.Wall, end})
		}
	}
	covered := func(start, end time.Time) bool {
		for _, b := range busy {
			if !b.start.After(start) && !b.end.Before(end) {
				return true
			}
		}
		return false
	}
	overlaps := func(start, end time.Time) bool {
		for _, b := range busy {
			if b.start.Before(end) && start.Before(b.end) {
				return true
			}
		}
		return false
	}
	at := func(day, hour, min int) time.Time { return time.Date(2026, 6, day, hour, min, 0, 0, time.UTC) }
	for _, want := range []span{
		{at(1, 9, 0), at(1, 9, 30)}, {at(2, 9, 0), at(2, 9, 30)}, {at(3, 15, 0), at(3, 15, 30)},
		{at(4, 9, 0), at(4, 9, 30)}, {at(5, 9, 0), at(5, 9, 30)},
		{at(2, 10, 0), at(2, 11, 0)},
		{at(5, 16, 0), at(5, 17, 0)},
	} {
		if !covered(want.start, want.end) {
			t.Errorf("free-busy over the week of 2026-06-01 does not show %v–%v as busy:\n%s", want.start, want.end, data)
		}
	}
	for _, free := range []span{{at(3, 9, 0), at(3, 9, 30)}, {at(2, 12, 0), at(2, 13, 0)}} {
		if overlaps(free.start, free.end) {
			t.Errorf("free-busy over the week of 2026-06-01 shows %v–%v as busy, want free (the moved instance's old slot, or no event):\n%s", free.start, free.end, data)
		}
	}
}
