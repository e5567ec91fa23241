// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package interop

import (
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
)

// calcurseImport is what the test adds to calcurse before the first sync:
// floating times, as calcurse keeps them.
const calcurseImport = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VEVENT
UID:calcurse-dentist
DTSTAMP:20260501T000000Z
DTSTART:20260602T100000
DTEND:20260602T113000
SUMMARY:Dentist
END:VEVENT
BEGIN:VEVENT
UID:calcurse-holiday
DTSTAMP:20260501T000000Z
DTSTART;VALUE=DATE:20260603
SUMMARY:Holiday
END:VEVENT
BEGIN:VEVENT
UID:calcurse-standup
DTSTAMP:20260501T000000Z
DTSTART:20260604T080000
DTEND:20260604T083000
RRULE:FREQ=DAILY;COUNT=3
SUMMARY:Standup
END:VEVENT
BEGIN:VTODO
UID:calcurse-milk
DTSTAMP:20260501T000000Z
SUMMARY:Buy milk
PRIORITY:3
END:VTODO
END:VCALENDAR
`

// calcurseSecondImport is added in calcurse between the two syncs.
const calcurseSecondImport = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VEVENT
UID:calcurse-lunch
DTSTAMP:20260501T000000Z
DTSTART:20260611T120000
DTEND:20260611T130000
SUMMARY:Lunch
END:VEVENT
END:VCALENDAR
`

// calcurse is a calcurse data directory synced with calcurse-caldav.
type calcurse struct {
	t                  *testing.T
	env                []string
	home, data, config string
	binary             string
}

func newCalcurse(t *testing.T, s *server, user string) *calcurse {
	t.Helper()
	home, env := tempHome(t)
	bin, err := exec.LookPath("calcurse")
	if err != nil {
		t.Fatal(err)
	}
	c := &calcurse{t: t, env: env, home: home, data: filepath.Join(home, "calcurse"), config: filepath.Join(home, "caldav.conf"), binary: bin}
	if err := os.MkdirAll(c.data, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`[General]
Binary = %s
Hostname = %s
Path = %s
AuthMethod = basic
HTTPS = No
DryRun = No
Verbose = Yes
SyncFilter = cal,todo

[Auth]
Username = %s
Password = %s
`, bin, strings.TrimPrefix(s.base, "http://"), calendarPath(user, "calendar"), user, s.password(user))
	if err := os.WriteFile(c.config, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return c
}

// sync runs calcurse-caldav (under Debian's python: its shebang is
// "/usr/bin/env python3") with the given extra arguments.
func (c *calcurse) sync(args ...string) string {
	c.t.Helper()
	args = append([]string{"/usr/bin/calcurse-caldav", "--config", c.config, "--datadir", c.data,
		"--syncdb", filepath.Join(c.home, "sync.db"), "--lockfile", filepath.Join(c.home, "lock"),
		"--hookdir", filepath.Join(c.home, "hooks")}, args...)
	r := mustRun(c.t, c.env, c.home, "", python, args...)
	return r.stdout + r.stderr
}

// importICS adds the objects of an iCalendar text to calcurse.
func (c *calcurse) importICS(name, data string) {
	c.t.Helper()
	p := filepath.Join(c.home, name)
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(data, "\n", "\r\n")), 0o644); err != nil {
		c.t.Fatal(err)
	}
	mustRun(c.t, c.env, c.home, "", c.binary, "-D", c.data, "-q", "-i", p)
}

// items lists calcurse's appointments and events in June 2026 and its
// todos, one line each, sorted.
func (c *calcurse) items() []string {
	c.t.Helper()
	r := mustRun(c.t, c.env, c.home, "", c.binary, "-D", c.data, "-Q", "--filter-type", "cal",
		"--from", "06/01/2026", "--days", "30",
		"--format-apt", "apt %(start:%Y-%m-%d %H:%M) %m\\n", "--format-recur-apt", "apt %(start:%Y-%m-%d %H:%M) %m\\n",
		"--format-event", "event %m\\n", "--format-recur-event", "event %m\\n")
	todo := mustRun(c.t, c.env, c.home, "", c.binary, "-D", c.data, "-Q", "--filter-type", "todo", "--format-todo", "todo %p %m\\n")
	var out []string
	for l := range strings.Lines(r.stdout + todo.stdout) {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "apt ") || strings.HasPrefix(l, "event ") || strings.HasPrefix(l, "todo ") {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// serverBySummary returns the objects of a calendar by the SUMMARY of
// their first VEVENT or VTODO.
func serverBySummary(t *testing.T, s *server, user, path string) map[string]object {
	t.Helper()
	out := map[string]object{}
	for _, o := range s.queryCalendar(t, user, path, "", "") {
		cal := parseCalendar(t, o.href, o.data)
		for _, c := range cal.Children {
			if c.Name != ical.CompEvent && c.Name != ical.CompToDo {
				continue
			}
			sum, _ := c.Prop(ical.PropSummary).Text()
			if _, dup := out[sum]; dup {
				t.Errorf("two objects on the server have the summary %q", sum)
			}
			out[sum] = o
			break
		}
	}
	return out
}

// TestInteropCalcurse syncs calcurse both ways with calcurse-caldav:
// calcurse's own export (floating DTSTART with DURATION, no UID, no DTSTAMP)
// is stored; additions, edits and deletions on the server reach calcurse;
// a local deletion reaches the server through a DELETE with the ETag
// calcurse re-quotes (client-quirks §2).
func TestInteropCalcurse(t *testing.T) {
	requireInterop(t, []string{python, "calcurse", "/usr/bin/calcurse-caldav"}, "httplib2")
	s := startServer(t)
	const user = "alice"
	s.addUser(t, user)
	calPath := calendarPath(user, "calendar")
	c := newCalcurse(t, s, user)

	c.importICS("first.ics", calcurseImport)
	out := c.sync("--init=two-way")
	if !strings.Contains(out, "4 items exported") {
		t.Errorf("calcurse-caldav --init=two-way did not report 4 items exported:\n%s", out)
	}
	objs := serverBySummary(t, s, user, calPath)
	if got := slices.Sorted(maps.Keys(objs)); !slices.Equal(got, []string{"Buy milk", "Dentist", "Holiday", "Standup"}) {
		t.Fatalf("after the first sync the server has the summaries %q, want [Buy milk Dentist Holiday Standup]\ncalcurse-caldav:\n%s", got, out)
	}
	dentist := parseCalendar(t, "Dentist", objs["Dentist"].data).Events()
	if len(dentist) != 1 {
		t.Fatalf("the Dentist object has %d VEVENTs, want 1:\n%s", len(dentist), objs["Dentist"].data)
	}
	if got := dentist[0].Value(ical.PropDTStart); got != "20260602T100000" || dentist[0].Value(ical.PropDuration) == "" {
		t.Errorf("the Dentist object from calcurse has DTSTART %q and DURATION %q, want the floating 20260602T100000 and a DURATION, as sent:\n%s",
			got, dentist[0].Value(ical.PropDuration), objs["Dentist"].data)
	}
	for sum, o := range objs {
		if strings.HasPrefix(o.etag, "W/") || !strings.HasPrefix(o.etag, `"`) {
			t.Errorf("the %s object has the ETag %s, want a strong ETag (calcurse-caldav strips and re-adds the quotes)", sum, o.etag)
		}
	}

	// Changes on the server: one addition of each kind, an edit, a deletion.
	put := func(path, ifMatch, data string, want int) {
		t.Helper()
		h := map[string]string{"Content-Type": "text/calendar; charset=utf-8"}
		if ifMatch != "" {
			h["If-Match"] = ifMatch
		}
		if r := s.request(t, user, http.MethodPut, path, h, strings.ReplaceAll(data, "\n", "\r\n")); r.status != want {
			t.Fatalf("PUT %s = %v, want %d", path, r, want)
		}
	}
	put(calPath+"server-event.ics", "", `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VEVENT
UID:server-event
DTSTAMP:20260501T000000Z
DTSTART:20260610T140000Z
DTEND:20260610T150000Z
SUMMARY:From the server
END:VEVENT
END:VCALENDAR
`, http.StatusCreated)
	put(calPath+"server-todo.ics", "", `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VTODO
UID:server-todo
DTSTAMP:20260501T000000Z
SUMMARY:Server task
PRIORITY:1
END:VTODO
END:VCALENDAR
`, http.StatusCreated)
	holiday := objs["Holiday"]
	put(holiday.href, holiday.etag, strings.ReplaceAll(strings.ReplaceAll(holiday.data, "\r\n", "\n"), "SUMMARY:Holiday", "SUMMARY:Public holiday"), http.StatusNoContent)
	if r := s.request(t, user, http.MethodDelete, objs["Standup"].href, nil, ""); r.status != http.StatusNoContent {
		t.Fatalf("DELETE %s = %v, want 204", objs["Standup"].href, r)
	}

	// Changes in calcurse: a deletion and an addition.
	apts := filepath.Join(c.data, "apts")
	b, err := os.ReadFile(apts)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for l := range strings.Lines(string(b)) {
		if !strings.Contains(l, "|Dentist") {
			kept = append(kept, l)
		}
	}
	if len(kept) == len(strings.Split(strings.TrimSpace(string(b)), "\n")) {
		t.Fatalf("no Dentist appointment in calcurse's apts file:\n%s", b)
	}
	if err := os.WriteFile(apts, []byte(strings.Join(kept, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	c.importICS("second.ics", calcurseSecondImport)

	out = c.sync()
	objs = serverBySummary(t, s, user, calPath)
	if got := slices.Sorted(maps.Keys(objs)); !slices.Equal(got, []string{"Buy milk", "From the server", "Lunch", "Public holiday", "Server task"}) {
		t.Errorf("after the second sync the server has the summaries %q, want [Buy milk From the server Lunch Public holiday Server task]\ncalcurse-caldav:\n%s", got, out)
	}
	want := []string{
		"apt 2026-06-10 14:00 From the server",
		"apt 2026-06-11 12:00 Lunch",
		"event Public holiday",
		"todo 1 Server task",
		"todo 3 Buy milk",
	}
	if got := c.items(); !slices.Equal(got, want) {
		t.Errorf("after the second sync calcurse has\n%s\nwant\n%s\ncalcurse-caldav:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"), out)
	}

	// Nothing changed: a third sync transfers nothing.
	out = c.sync()
	if !strings.Contains(out, "0 items imported, 0 items removed locally.") || !strings.Contains(out, "0 items exported, 0 items removed from the server.") {
		t.Errorf("a third calcurse-caldav sync with nothing changed transferred items:\n%s", out)
	}
}
