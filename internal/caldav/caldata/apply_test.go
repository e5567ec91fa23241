// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
)

// TestApply checks calendar-data cases the RFC 4791 §7.8 examples do not
// show: the first instance of an expansion carries a RECURRENCE-ID,
// limit-recurrence-set drops overrides outside the range, novalue keeps
// the parameters, and vcal is never modified.
func TestApply(t *testing.T) {
	src := cal(t,
		"BEGIN:VTIMEZONE", "TZID:Europe/Berlin", "BEGIN:STANDARD", "DTSTART:19701025T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD", "END:VTIMEZONE",
		"BEGIN:VEVENT", "UID:a", "DTSTAMP:20260101T000000Z", "DTSTART;TZID=Europe/Berlin:20260105T100000",
		"DTEND;TZID=Europe/Berlin:20260105T110000", "RRULE:FREQ=DAILY;COUNT=3", "ATTENDEE;CN=Ann:mailto:a@example.com", "END:VEVENT",
		"BEGIN:VEVENT", "UID:a", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID;TZID=Europe/Berlin:20260107T100000",
		"DTSTART;TZID=Europe/Berlin:20260107T120000", "DTEND;TZID=Europe/Berlin:20260107T130000", "END:VEVENT")
	before := string(ical.Marshal(src))
	tests := []struct {
		name string
		cd   *CalendarData
		want string
	}{
		{"expand", &CalendarData{Expand: &TimeRange{Start: "20260101T000000Z", End: "20260107T000000Z"}}, `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:a
DTSTAMP:20260101T000000Z
DTSTART:20260105T090000Z
DTEND:20260105T100000Z
RECURRENCE-ID:20260105T090000Z
ATTENDEE;CN=Ann:mailto:a@example.com
END:VEVENT
BEGIN:VEVENT
UID:a
DTSTAMP:20260101T000000Z
DTSTART:20260106T090000Z
DTEND:20260106T100000Z
RECURRENCE-ID:20260106T090000Z
ATTENDEE;CN=Ann:mailto:a@example.com
END:VEVENT
END:VCALENDAR
`},
		{"limit-recurrence-set", &CalendarData{
			LimitRecurrenceSet: &TimeRange{Start: "20260101T000000Z", End: "20260106T000000Z"},
			Comp:               &Comp{Name: "VCALENDAR", Comps: []Comp{{Name: "VEVENT", Props: []Prop{{Name: "UID"}, {Name: "attendee", NoValue: "yes"}}}}},
		}, `BEGIN:VCALENDAR
BEGIN:VEVENT
UID:a
ATTENDEE;CN=Ann:
END:VEVENT
END:VCALENDAR
`},
		{"limit-recurrence-set original slot", &CalendarData{LimitRecurrenceSet: &TimeRange{Start: "20260107T085959Z", End: "20260107T090001Z"}, Comp: &Comp{Name: "VCALENDAR", Comps: []Comp{{Name: "VEVENT", Props: []Prop{{Name: "RECURRENCE-ID"}}}}}}, `BEGIN:VCALENDAR
BEGIN:VEVENT
END:VEVENT
BEGIN:VEVENT
RECURRENCE-ID;TZID=Europe/Berlin:20260107T100000
END:VEVENT
END:VCALENDAR
`},
	}
	for _, tt := range tests {
		out, err := tt.cd.Apply(src, Options{})
		if err != nil {
			t.Fatalf("Apply(%s): %v", tt.name, err)
		}
		if got := strings.ReplaceAll(string(ical.Marshal(out)), "\r\n", "\n"); got != tt.want {
			t.Errorf("Apply(%s) =\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
	if string(ical.Marshal(src)) != before {
		t.Error("Apply modified its input")
	}
	bad := []*CalendarData{
		{ContentType: "application/calendar+json"},
		{Version: "3.0"},
		{Expand: &TimeRange{Start: "20260101T000000Z"}},
		{Comp: &Comp{Name: "VEVENT"}},
	}
	for _, cd := range bad {
		if _, err := cd.Apply(src, Options{}); err == nil {
			t.Errorf("Apply(%+v) = nil error, want a precondition", cd)
		}
	}
}
