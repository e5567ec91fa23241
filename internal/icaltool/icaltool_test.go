// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package icaltool_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/icaltool"
)

const sample = "../../testdata/sample/office-hours.ics"

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = icaltool.Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLint(t *testing.T) {
	code, out, _ := run(t, "", "lint", sample)
	if code != 0 {
		t.Fatalf("lint %s = %d, want 0:\n%s", sample, code, out)
	}
	bad := writeFile(t, "bad.ics", strings.ReplaceAll(`BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//x//y//EN
BEGIN:VEVENT
UID:1
DTSTAMP:20260101T000000Z
DTSTART:20260101T100000Z
DTEND:20260101T110000Z
DURATION:PT1H
END:VEVENT
END:VCALENDAR
`, "\n", "\r\n"))
	code, out, _ = run(t, "", "lint", bad)
	if code != 1 || !strings.Contains(out, bad+":9: VEVENT has both DTEND and DURATION") && !strings.Contains(out, bad+":8: ") {
		t.Errorf("lint bad = %d:\n%s\nwant exit 1 and a positioned DTEND/DURATION error", code, out)
	}
	garbage := writeFile(t, "garbage.ics", "BEGIN:VCALENDAR\r\nSUMMARY;X=1\r\nEND:VCALENDAR\r\n")
	code, out, _ = run(t, "", "lint", garbage)
	if code != 1 || !strings.Contains(out, garbage+":2: ") {
		t.Errorf("lint garbage = %d:\n%s\nwant exit 1 and FILE:2:", code, out)
	}
	code, _, errs := run(t, "", "lint", filepath.Join(t.TempDir(), "missing.ics"))
	if code != 1 || errs == "" {
		t.Errorf("lint missing file = %d, %q", code, errs)
	}
}

// TestLintWindowsZone checks that a Windows zone name is accepted and its
// mapping reported as a warning at the line that uses it.
func TestLintWindowsZone(t *testing.T) {
	f := writeFile(t, "outlook.ics", strings.ReplaceAll(`BEGIN:VCALENDAR
VERSION:2.0
PRODID:x
BEGIN:VEVENT
UID:1
DTSTAMP:20260101T000000Z
DTSTART;TZID=W. Europe Standard Time:20260101T100000
END:VEVENT
END:VCALENDAR
`, "\n", "\r\n"))
	code, out, _ := run(t, "", "lint", f)
	want := f + `:7: warning: TZID "W. Europe Standard Time" (Windows zone name) taken as "Europe/Berlin"`
	if code != 0 || strings.TrimSpace(out) != want {
		t.Errorf("lint = %d %q, want 0 %q", code, out, want)
	}
}

func TestFmt(t *testing.T) {
	in := "begin:vcalendar\nversion:2.0\nprodid:x\nbegin:vevent\nuid:1\nsummary:" + strings.Repeat("é", 60) + "\nend:vevent\nend:vcalendar\n"
	code, out, errs := run(t, in, "fmt")
	if code != 0 {
		t.Fatalf("fmt = %d: %s", code, errs)
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("fmt line of %d octets", len(l))
		}
	}
	code2, out2, _ := run(t, out, "fmt", "-")
	if code2 != 0 || out2 != out {
		t.Errorf("fmt is not idempotent")
	}
	if !strings.HasPrefix(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") {
		t.Errorf("fmt output starts %q", out[:30])
	}
}

func TestExpandJSON(t *testing.T) {
	code, out, errs := run(t, "", "expand", "--json", "--from", "2026-11-01T00:00:00Z", "--to", "2026-12-01T00:00:00Z", sample)
	if code != 0 {
		t.Fatalf("expand = %d: %s", code, errs)
	}
	var got []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		for _, k := range []string{"uid", "recurrence_id", "start", "end", "tzid", "all_day", "override"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("line %q lacks %q", sc.Text(), k)
			}
		}
		got = append(got, m)
	}
	find := func(start string) map[string]any {
		for _, m := range got {
			if m["start"] == start {
				return m
			}
		}
		return nil
	}
	// Office hours on Tuesdays and Thursdays at 14:00 Berlin time; Nov 3 and
	// 5 are excluded; the Nov 26 instance moved to Friday Nov 27 10:00.
	if m := find("2026-11-10T14:00:00+01:00"); m == nil || m["tzid"] != "Europe/Berlin" || m["recurrence_id"] != "20261110T140000" {
		t.Errorf("Nov 10 office hours = %v", m)
	}
	if find("2026-11-03T14:00:00+01:00") != nil || find("2026-11-26T14:00:00+01:00") != nil {
		t.Errorf("excluded or moved instances listed:\n%s", out)
	}
	if m := find("2026-11-27T10:00:00+01:00"); m == nil || m["override"] != true || m["recurrence_id"] != "20261126T140000" {
		t.Errorf("moved instance = %v", m)
	}
	// Hamlet: 19:30 New York time, end after PT2H45M.
	if m := find("2026-11-07T19:30:00-05:00"); m == nil || m["end"] != "2026-11-07T22:15:00-05:00" {
		t.Errorf("Hamlet opening = %v", m)
	}
	// The RDATE matinee.
	if find("2026-11-29T14:00:00-05:00") == nil {
		t.Errorf("RDATE instance missing:\n%s", out)
	}
	// All-day club dinner on the last Friday.
	if m := find("2026-11-27"); m == nil || m["all_day"] != true || m["end"] != "2026-11-28" {
		t.Errorf("club dinner = %v", m)
	}
}

// TestExpandDSTGap checks RFC 5545 §3.3.5 end to end: a daily 02:30 event
// in New York moves to 03:30 EDT on the day the clocks spring forward, and
// keeps its 02:30 RECURRENCE-ID.
func TestExpandDSTGap(t *testing.T) {
	f := writeFile(t, "gap.ics", strings.ReplaceAll(`BEGIN:VCALENDAR
VERSION:2.0
PRODID:x
BEGIN:VEVENT
UID:gap
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20260307T023000
DURATION:PT1H
RRULE:FREQ=DAILY;COUNT=3
END:VEVENT
END:VCALENDAR
`, "\n", "\r\n"))
	code, out, errs := run(t, "", "expand", "--json", f)
	if code != 0 {
		t.Fatalf("expand = %d: %s", code, errs)
	}
	want := []string{
		`{"uid":"gap","recurrence_id":"20260307T023000","start":"2026-03-07T02:30:00-05:00","end":"2026-03-07T03:30:00-05:00","tzid":"America/New_York","all_day":false,"override":false}`,
		`{"uid":"gap","recurrence_id":"20260308T023000","start":"2026-03-08T03:30:00-04:00","end":"2026-03-08T04:30:00-04:00","tzid":"America/New_York","all_day":false,"override":false}`,
		`{"uid":"gap","recurrence_id":"20260309T023000","start":"2026-03-09T02:30:00-04:00","end":"2026-03-09T03:30:00-04:00","tzid":"America/New_York","all_day":false,"override":false}`,
	}
	if got := strings.Split(strings.TrimSpace(out), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("expand =\n%s\nwant\n%s", out, strings.Join(want, "\n"))
	}
}

func TestExpandOpenWindow(t *testing.T) {
	code, out, errs := run(t, "", "expand", "--json", "--max", "5", sample)
	if code != 0 {
		t.Fatalf("expand = %d: %s", code, errs)
	}
	n := strings.Count(out, `"uid":"club-dinner-2026@club.example"`)
	if n != 5 {
		t.Errorf("open-ended monthly rule listed %d times with --max 5, want 5", n)
	}
}

// TestExpandOpenWindowEdges pins down what a review found in the open
// window: dense rules, overrides moved onto another instance's start, and
// a --from long before the series.
func TestExpandOpenWindowEdges(t *testing.T) {
	cal := func(body string) string {
		return writeFile(t, "e.ics", strings.ReplaceAll("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n"+body+"END:VCALENDAR\n", "\n", "\r\n"))
	}
	count := func(args ...string) int {
		t.Helper()
		code, out, errs := run(t, "", append([]string{"expand", "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("expand %v = %d: %s", args, code, errs)
		}
		return strings.Count(out, "\n")
	}
	minutely := cal("BEGIN:VEVENT\nUID:m\nDTSTAMP:20240101T000000Z\nDTSTART:20240101T000000Z\nRRULE:FREQ=MINUTELY\nEND:VEVENT\n")
	if n := count("--max", "3", minutely); n != 3 {
		t.Errorf("MINUTELY with --max 3 listed %d", n)
	}
	moved := cal("BEGIN:VEVENT\nUID:d\nDTSTAMP:20240101T000000Z\nDTSTART:20240101T100000Z\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n" +
		"BEGIN:VEVENT\nUID:d\nDTSTAMP:20240101T000000Z\nRECURRENCE-ID:20240102T100000Z\nDTSTART:20240103T100000Z\nEND:VEVENT\n")
	if n := count(moved); n != 3 {
		t.Errorf("override moved onto another instance's start: listed %d, want 3", n)
	}
	if n := count("--from", "1900-01-01", moved); n != 3 {
		t.Errorf("--from 1900: listed %d, want 3", n)
	}
}

func TestExpandBadFlags(t *testing.T) {
	if code, _, _ := run(t, "", "expand", "--from", "yesterday", sample); code != 2 {
		t.Errorf("bad --from exit = %d, want 2", code)
	}
	if code, _, _ := run(t, "", "expand", "--from", "2026-02-01", "--to", "2026-01-01", sample); code != 2 {
		t.Errorf("reversed window exit = %d, want 2", code)
	}
}

// TestExpandHostileRule checks that a rule that never ends and a window of
// centuries stop on the budget with exit status 1, not by running away.
func TestExpandHostileRule(t *testing.T) {
	f := writeFile(t, "hostile.ics", strings.ReplaceAll(`BEGIN:VCALENDAR
VERSION:2.0
PRODID:x
BEGIN:VEVENT
UID:h
DTSTAMP:20000101T000000Z
DTSTART:20000101T000000Z
RRULE:FREQ=SECONDLY
END:VEVENT
END:VCALENDAR
`, "\n", "\r\n"))
	code, _, errs := run(t, "", "expand", "--from", "2000-01-01T00:00:00Z", "--to", "2100-01-01T00:00:00Z", f)
	if code != 1 || !strings.Contains(errs, "budget") {
		t.Errorf("hostile expand = %d, %q; want exit 1 with a budget error", code, errs)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	code, j, errs := run(t, "", "json", sample)
	if code != 0 {
		t.Fatalf("json = %d: %s", code, errs)
	}
	if !json.Valid([]byte(j)) {
		t.Fatalf("json output is not JSON: %s", j)
	}
	code, back, errs := run(t, j, "json", "--to-ical")
	if code != 0 {
		t.Fatalf("json --to-ical = %d: %s", code, errs)
	}
	_, canon, _ := run(t, "", "fmt", sample)
	if back != canon {
		t.Errorf("ical -> jCal -> ical differs from fmt:\n%s\n---\n%s", back, canon)
	}
	if _, err := ical.Parse([]byte(back)); err != nil {
		t.Error(err)
	}
	if code, _, _ := run(t, "[1,2", "json", "--to-ical"); code != 1 {
		t.Errorf("bad jCal exit = %d, want 1", code)
	}
}

func TestUsage(t *testing.T) {
	if code, _, _ := run(t, ""); code != 2 {
		t.Errorf("no command exit = %d", code)
	}
	if code, _, _ := run(t, "", "frobnicate"); code != 2 {
		t.Errorf("unknown command exit = %d", code)
	}
	if code, _, _ := run(t, "", "fmt", "a", "b"); code != 2 {
		t.Errorf("two files exit = %d", code)
	}
	if code, out, _ := run(t, "", "expand", "-h"); code != 0 || !strings.HasPrefix(out, "usage: almanac ical expand [--from RFC3339]") || !strings.Contains(out, "-max int") {
		t.Errorf("expand -h = %d %q", code, out)
	}
	if code, _, errs := run(t, "", "bogus"); code != 2 || strings.Count(errs, "\n") != 1 {
		t.Errorf("unknown command = %d %q, want exit 2 and one line", code, errs)
	}
}
