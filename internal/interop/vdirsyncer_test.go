// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package interop

import (
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

const vtimezoneBerlin = `BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
`

const vtimezoneNewYork = `BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
`

// eventUID is the UID of the i-th generated event. vdirsyncer PUTs an item
// to <UID>.ics when the UID has only [A-Za-z0-9_.+-], and to a random
// name otherwise (client-quirks §2): some UIDs have a "+", some an "@".
func eventUID(i int) string {
	switch i % 10 {
	case 6:
		return fmt.Sprintf("interop-%03d@example.org", i)
	case 8:
		return fmt.Sprintf("interop-%03d+x", i)
	}
	return fmt.Sprintf("interop-%03d", i)
}

// generateEvent returns the iCalendar object of the i-th generated event
// and its UID. The kinds rotate: a single UTC event; a daily series with an
// override or an EXDATE; an all-day event; an event in Europe/Berlin or
// America/New_York, every other one weekly; a fortnightly series without an
// end. Every instance starts and ends on one UTC day between June and
// October 2026, so that khal (which lists an event on each day it touches)
// and a CalDAV time-range count the same instances.
func generateEvent(i int) (uid, data string) {
	uid = eventUID(i)
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*7%90)
	hour := 8 + i%9
	start := day.Add(time.Duration(hour) * time.Hour)
	utc := func(t time.Time) string { return t.Format("20060102T150405Z") }
	local := func(t time.Time) string { return t.Format("20060102T150405") }
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Almanac//interop generator//EN\n")
	event := func(lines ...string) {
		b.WriteString("BEGIN:VEVENT\nUID:" + uid + "\nDTSTAMP:20260501T120000Z\n")
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
		if i%7 == 0 {
			b.WriteString("BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:Reminder\nTRIGGER:-PT15M\nEND:VALARM\n")
		}
		b.WriteString("END:VEVENT\n")
	}
	summary := fmt.Sprintf("SUMMARY:Event %d\\, kind %d", i, i%5)
	if i%6 == 0 {
		summary = fmt.Sprintf("SUMMARY:Café Zürich — 東京 %d", i)
	}
	switch i % 5 {
	case 0:
		event("DTSTART:"+utc(start), "DTEND:"+utc(start.Add(time.Hour)), summary,
			"LOCATION:Room "+fmt.Sprint(i%13),
			"DESCRIPTION:Line one\\nline two; with a semicolon, and a line longer than 75 octets: "+strings.Repeat("ünïcödé ", 12))
	case 1:
		rule := "RRULE:FREQ=DAILY;COUNT=5"
		if i%10 == 1 {
			event("DTSTART:"+utc(start), "DURATION:PT45M", rule, "EXDATE:"+utc(start.AddDate(0, 0, 1)), summary)
		} else {
			event("DTSTART:"+utc(start), "DURATION:PT45M", rule, summary)
			third := start.AddDate(0, 0, 2)
			event("RECURRENCE-ID:"+utc(third), "DTSTART:"+utc(third.Add(2*time.Hour)), "DURATION:PT45M",
				fmt.Sprintf("SUMMARY:Event %d moved", i))
		}
	case 2:
		event("DTSTART;VALUE=DATE:"+day.Format("20060102"), "DTEND;VALUE=DATE:"+day.AddDate(0, 0, 1).Format("20060102"),
			summary, "CATEGORIES:HOLIDAY,TEST", "TRANSP:TRANSPARENT")
	case 3:
		tzid, vtz := "Europe/Berlin", vtimezoneBerlin
		if i%2 == 0 {
			tzid, vtz = "America/New_York", vtimezoneNewYork
		}
		b.WriteString(vtz)
		lines := []string{"DTSTART;TZID=" + tzid + ":" + local(start), "DTEND;TZID=" + tzid + ":" + local(start.Add(time.Hour)), summary}
		if i%4 == 3 {
			lines = append(lines, "RRULE:FREQ=WEEKLY;COUNT=6")
		}
		event(lines...)
	case 4:
		event("DTSTART:"+utc(start), "DTEND:"+utc(start.Add(30*time.Minute)), "RRULE:FREQ=WEEKLY;INTERVAL=2", summary)
	}
	b.WriteString("END:VCALENDAR\n")
	return uid, strings.ReplaceAll(b.String(), "\n", "\r\n")
}

// vdirsyncerSetup writes the vdirsyncer and khal configurations for a local
// vdir collection named "interop" paired with the user's calendar home.
func vdirsyncerSetup(t *testing.T, s *server, home, user string) (vdir, vdirsyncerConf, khalConf string) {
	t.Helper()
	vdir = filepath.Join(home, "calendars", "interop")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	vdirsyncerConf = filepath.Join(home, "vdirsyncer.conf")
	conf := fmt.Sprintf(`[general]
status_path = %q

[pair almanac]
a = "local"
b = "remote"
collections = ["from a"]
metadata = ["displayname", "color"]

[storage local]
type = "filesystem"
path = %q
fileext = ".ics"

[storage remote]
type = "caldav"
url = %q
username = %q
password = %q
`, filepath.Join(home, "vdirsyncer-status"), filepath.Join(home, "calendars"), s.url("/"), user, s.password(user))
	if err := os.WriteFile(vdirsyncerConf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	khalConf = filepath.Join(home, "khal.conf")
	conf = fmt.Sprintf(`[calendars]
[[interop]]
path = %s
type = calendar

[sqlite]
path = %s

[locale]
local_timezone = UTC
default_timezone = UTC
timeformat = %%H:%%M
dateformat = %%Y-%%m-%%d
longdateformat = %%Y-%%m-%%d
datetimeformat = %%Y-%%m-%%d %%H:%%M
longdatetimeformat = %%Y-%%m-%%d %%H:%%M
`, vdir, filepath.Join(home, "khal.db"))
	if err := os.WriteFile(khalConf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return vdir, vdirsyncerConf, khalConf
}

// readVdir returns the files of a vdir collection by name.
func readVdir(t *testing.T, vdir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(vdir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".ics") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(vdir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// serverObjects returns the objects of a calendar by href.
func serverObjects(t *testing.T, s *server, user, path string) map[string]object {
	t.Helper()
	out := map[string]object{}
	for _, o := range s.queryCalendar(t, user, path, "", "") {
		out[o.href] = o
	}
	return out
}

// hrefsByUID maps the UID of each server object to its href.
func hrefsByUID(t *testing.T, objs map[string]object) map[string]string {
	t.Helper()
	out := map[string]string{}
	for href, o := range objs {
		cal := parseCalendar(t, href, o.data)
		for _, ev := range cal.Events() {
			out[ev.Value(ical.PropUID)] = href
		}
	}
	return out
}

// summaryLine matches the SUMMARY lines of an object, with or without CR.
var summaryLine = regexp.MustCompile(`(?m)^SUMMARY:[^\r\n]*`)

// syncActions are the lines in which vdirsyncer reports a transfer.
var syncActions = regexp.MustCompile(`(?m)^(Copying|Deleting|Updating).*$`)

// TestInteropVdirsyncerKhal syncs 500 generated events both ways between a
// vdir and the server with vdirsyncer, changes both sides, syncs again and
// checks that the two sides hold the same events; then checks that khal,
// reading the vdir, lists as many instances in a month as the server's
// CALDAV:expand returns.
func TestInteropVdirsyncerKhal(t *testing.T) {
	requireInterop(t, []string{"vdirsyncer", "khal"})
	s := startServer(t)
	const user = "alice"
	s.addUser(t, user)
	home, env := tempHome(t)
	vdir, vconf, kconf := vdirsyncerSetup(t, s, home, user)
	calPath := calendarPath(user, "interop")

	const n = 500
	uids := map[string]bool{}
	for i := range n {
		uid, data := generateEvent(i)
		uids[uid] = true
		if err := os.WriteFile(filepath.Join(vdir, uid+".ics"), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	vdirsyncer := func(args ...string) result {
		t.Helper()
		return mustRun(t, env, home, "", "vdirsyncer", append([]string{"-c", vconf}, args...)...)
	}
	// discover asks whether to create the remote collection: yes, with an
	// extended MKCOL (RFC 5689).
	r := mustRun(t, env, home, strings.Repeat("y\n", 10), "vdirsyncer", "-c", vconf, "discover")
	if !strings.Contains(r.stdout+r.stderr, `"calendar"`) {
		t.Errorf("vdirsyncer discover from %s did not find the default calendar:\n%s%s", s.url("/"), r.stdout, r.stderr)
	}
	got := s.request(t, user, "PROPFIND", calPath, map[string]string{"Depth": "0"},
		`<propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>`)
	if ms := parseMultistatus(t, "PROPFIND "+calPath, got); len(ms.Responses) != 1 || len(ms.Responses[0].Propstat) == 0 ||
		ms.Responses[0].Propstat[0].Prop.ResourceType.Calendar == nil {
		t.Fatalf("vdirsyncer discover did not create the calendar %s with an extended MKCOL: PROPFIND resourcetype = %v\nvdirsyncer output:\n%s%s", calPath, got, r.stdout, r.stderr)
	}
	vdirsyncer("sync")
	checkMetasync(t, s, env, home, vconf, vdir, user, calPath)

	objs := serverObjects(t, s, user, calPath)
	if len(objs) != n {
		t.Fatalf("after the first sync the server has %d objects in %s, want %d", len(objs), calPath, n)
	}
	compareSides(t, "after the first sync", readVdir(t, vdir), objs)

	// Changes on both sides, on disjoint events, some with the UIDs that
	// vdirsyncer does not use as names.
	hrefs := hrefsByUID(t, objs)
	var editedLocal, deletedLocal, editedRemote, deletedRemote, added []string
	for i := range n {
		uid := eventUID(i)
		switch i % 50 {
		case 3:
			editedLocal = append(editedLocal, uid)
		case 46:
			deletedLocal = append(deletedLocal, uid)
		case 16:
			editedRemote = append(editedRemote, uid)
		case 28:
			deletedRemote = append(deletedRemote, uid)
		}
	}
	for _, uid := range editedLocal {
		p := filepath.Join(vdir, uid+".ics")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		edited := summaryLine.ReplaceAllString(string(b), "SUMMARY:Edited locally")
		if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, uid := range deletedLocal {
		if err := os.Remove(filepath.Join(vdir, uid+".ics")); err != nil {
			t.Fatal(err)
		}
		delete(uids, uid)
	}
	for _, uid := range editedRemote {
		o := objs[hrefs[uid]]
		edited := strings.ReplaceAll(summaryLine.ReplaceAllString(strings.ReplaceAll(o.data, "\r\n", "\n"), "SUMMARY:Edited on the server"), "\n", "\r\n")
		r := s.request(t, user, http.MethodPut, hrefs[uid], map[string]string{"Content-Type": "text/calendar; charset=utf-8", "If-Match": o.etag}, edited)
		if r.status != http.StatusNoContent {
			t.Fatalf("PUT %s with If-Match %s = %v, want 204", hrefs[uid], o.etag, r)
		}
	}
	for _, uid := range deletedRemote {
		r := s.request(t, user, http.MethodDelete, hrefs[uid], nil, "")
		if r.status != http.StatusNoContent {
			t.Fatalf("DELETE %s = %v, want 204", hrefs[uid], r)
		}
		delete(uids, uid)
	}
	putETags := map[string]string{}
	for i := n; i < n+10; i++ {
		uid, data := generateEvent(i)
		path := calPath + uid + ".ics"
		r := s.request(t, user, http.MethodPut, path, map[string]string{"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"}, data)
		if r.status != http.StatusCreated {
			t.Fatalf("PUT %s with If-None-Match: * = %v, want 201", path, r)
		}
		putETags[path] = r.header.Get("ETag")
		added = append(added, uid)
		uids[uid] = true
	}

	vdirsyncer("sync")
	local := readVdir(t, vdir)
	objs = serverObjects(t, s, user, calPath)
	compareSides(t, "after changes on both sides", local, objs)
	for path, etag := range putETags {
		if o := objs[path]; etag == "" || strings.HasPrefix(etag, "W/") || o.etag != etag {
			t.Errorf("PUT %s answered the ETag %q, the calendar-query lists %q: want one strong ETag (client-quirks §2)", path, etag, o.etag)
		}
	}
	localEvents := eventsByUID(t, "vdir", local)
	if got, want := slices.Sorted(maps.Keys(localEvents)), slices.Sorted(maps.Keys(uids)); !slices.Equal(got, want) {
		t.Errorf("after the second sync the vdir has %d UIDs, want %d (500 - %d deleted locally - %d deleted on the server + %d added on the server)",
			len(got), len(want), len(deletedLocal), len(deletedRemote), len(added))
	}
	summaries := map[string][]string{}
	for name, data := range local {
		for _, ev := range parseCalendar(t, "vdir "+name, data).Events() {
			sum, _ := ev.Prop(ical.PropSummary).Text()
			summaries[ev.Value(ical.PropUID)] = append(summaries[ev.Value(ical.PropUID)], sum)
		}
	}
	for _, c := range []struct {
		uids    []string
		summary string
	}{{editedLocal, "Edited locally"}, {editedRemote, "Edited on the server"}} {
		for _, uid := range c.uids {
			if !slices.Contains(summaries[uid], c.summary) {
				t.Errorf("after the second sync %s has the summaries %q in the vdir, want %q", uid, summaries[uid], c.summary)
			}
		}
	}

	// A sync with no changes transfers nothing: the ETags the server gave
	// in PUT answers, listings and multiget reports agree (client-quirks §2).
	r = vdirsyncer("-v", "INFO", "sync")
	if acts := syncActions.FindAllString(r.stdout+r.stderr, -1); len(acts) > 0 {
		t.Errorf("a third vdirsyncer sync with nothing changed transferred %d items, want 0:\n%s", len(acts), strings.Join(acts, "\n"))
	}

	checkKhalCount(t, s, env, home, kconf, user, calPath)
}

// checkMetasync sets the display name and colour of the vdir collection
// and checks that vdirsyncer metasync carries them to the server
// (PROPPATCH of DAV:displayname and Apple's calendar-color).
func checkMetasync(t *testing.T, s *server, env []string, home, vconf, vdir, user, calPath string) {
	t.Helper()
	for name, value := range map[string]string{"displayname": "Interop events", "color": "#FF8800"} {
		if err := os.WriteFile(filepath.Join(vdir, name), []byte(value), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustRun(t, env, home, "", "vdirsyncer", "-c", vconf, "metasync")
	r := s.request(t, user, "PROPFIND", calPath, map[string]string{"Depth": "0"},
		`<propfind xmlns="DAV:" xmlns:A="http://apple.com/ns/ical/"><prop><displayname/><A:calendar-color/></prop></propfind>`)
	ms := parseMultistatus(t, "PROPFIND "+calPath, r)
	var name, color string
	for _, resp := range ms.Responses {
		for _, ps := range resp.Propstat {
			if strings.Contains(ps.Status, " 200 ") {
				name, color = ps.Prop.DisplayName, ps.Prop.CalendarColor
			}
		}
	}
	if name != "Interop events" || !strings.HasPrefix(strings.ToUpper(color), "#FF8800") {
		t.Errorf("after vdirsyncer metasync %s has the displayname %q and the calendar-color %q, want \"Interop events\" and #FF8800\n%s", calPath, name, color, r.body)
	}
}

// compareSides checks that the vdir and the server collection hold the same
// VEVENTs per UID.
func compareSides(t *testing.T, when string, local map[string]string, objs map[string]object) {
	t.Helper()
	remote := map[string]string{}
	for href, o := range objs {
		remote[href] = o.data
	}
	l, r := eventsByUID(t, "vdir", local), eventsByUID(t, "server", remote)
	for uid, lv := range l {
		rv, ok := r[uid]
		switch {
		case !ok:
			t.Errorf("%s: %s is in the vdir but not on the server", when, uid)
		case lv != rv:
			t.Errorf("%s: %s differs:\nvdir:\n%s\nserver:\n%s", when, uid, lv, rv)
		}
	}
	for uid := range r {
		if _, ok := l[uid]; !ok {
			t.Errorf("%s: %s is on the server but not in the vdir", when, uid)
		}
	}
}

// checkKhalCount compares the instances khal lists in June 2026 (reading
// the vdir) with those the server's CALDAV:expand returns for the same
// window: the same UIDs at the same start times.
func checkKhalCount(t *testing.T, s *server, env []string, home, kconf, user, calPath string) {
	t.Helper()
	// khal list takes whole days, the last one included.
	r := mustRun(t, env, home, "", "khal", "-c", kconf, "list", "--format", "{uid} {start}", "--day-format", "", "2026-06-01", "2026-06-30")
	var fromKhal []string
	for l := range strings.Lines(r.stdout) {
		if l = strings.TrimSpace(l); l != "" {
			fromKhal = append(fromKhal, l)
		}
	}
	var fromServer, notUTC []string
	for _, o := range s.queryCalendar(t, user, calPath, "20260601T000000Z", "20260701T000000Z") {
		cal := parseCalendar(t, o.href, o.data)
		for _, ev := range cal.Events() {
			p := ev.Prop(ical.PropDTStart)
			if p == nil {
				t.Fatalf("expanded instance of %s in %s has no DTSTART", ev.Value(ical.PropUID), o.href)
			}
			dt, err := p.DateTime()
			if err != nil {
				t.Fatalf("expanded instance of %s in %s: DTSTART %q: %v", ev.Value(ical.PropUID), o.href, p.Value, err)
			}
			start := dt.Wall.Format("2006-01-02")
			if !dt.IsDate() {
				if dt.Kind != ical.KindUTC {
					notUTC = append(notUTC, fmt.Sprintf("%s: DTSTART%s:%s", o.href, p.Params, p.Value))
				}
				start = dt.Wall.Format("2006-01-02 15:04")
			}
			fromServer = append(fromServer, ev.Value(ical.PropUID)+" "+start)
		}
	}
	if len(notUTC) > 0 {
		t.Errorf("REPORT calendar-query with CALDAV:expand: %d instances have a DTSTART not in UTC (RFC 4791 §9.6.5), such as\n%s",
			len(notUTC), strings.Join(notUTC[:min(5, len(notUTC))], "\n"))
	}
	slices.Sort(fromKhal)
	slices.Sort(fromServer)
	if len(fromKhal) == 0 || !slices.Equal(fromKhal, fromServer) {
		t.Errorf("khal list 2026-06-01 2026-06-30 gives %d instances, the server's expand over June gives %d, want the same instances\n%s",
			len(fromKhal), len(fromServer), diffLines(fromKhal, fromServer))
	}
}

// diffLines lists the lines only in a (prefixed "-") and only in b ("+"),
// both sorted.
func diffLines(a, b []string) string {
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, "- "+a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, "+ "+b[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
	return strings.Join(out, "\n")
}
