// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
)

// cal wraps component lines in a VCALENDAR and parses it.
func cal(t testing.TB, lines ...string) *ical.Component {
	t.Helper()
	s := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCALENDAR\r\n"
	c, err := ical.Parse([]byte(s))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return c.Component
}

// filter parses the inner XML of a CALDAV:filter.
func filter(t testing.TB, inner string) *Filter {
	t.Helper()
	var f Filter
	if err := xml.Unmarshal([]byte(`<C:filter xmlns:C="urn:ietf:params:xml:ns:caldav">`+inner+`</C:filter>`), &f); err != nil {
		t.Fatalf("filter: %v", err)
	}
	return &f
}

// rangeFilter is a filter for comp (below VCALENDAR, or below VEVENT for
// VALARM) with a time-range.
func rangeFilter(t testing.TB, comp, start, end string) *Filter {
	tr := `<C:time-range`
	if start != "" {
		tr += ` start="` + start + `"`
	}
	if end != "" {
		tr += ` end="` + end + `"`
	}
	tr += `/>`
	inner := `<C:comp-filter name="` + comp + `">` + tr + `</C:comp-filter>`
	if comp == "VALARM" {
		inner = `<C:comp-filter name="VEVENT">` + inner + `</C:comp-filter>`
	}
	return filter(t, `<C:comp-filter name="VCALENDAR">`+inner+`</C:comp-filter>`)
}

func mustMatch(t *testing.T, c *ical.Component, f *Filter) bool {
	t.Helper()
	if err := f.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	ok, err := Match(c, f, Options{})
	if err != nil {
		t.Fatalf("Match: %v", err)
	}
	return ok
}

// TestTimeRangeTable checks each row of the RFC 4791 §9.9 tables, with
// ranges that end exactly at the start, start exactly at the end and so on.
// Times are UTC; the component starts at 10:00 on 2006-01-04 where it has
// a start.
func TestTimeRangeTable(t *testing.T) {
	const (
		d0900 = "20060104T090000Z"
		d1000 = "20060104T100000Z"
		d1030 = "20060104T103000Z"
		d1100 = "20060104T110000Z"
		d1200 = "20060104T120000Z"
		d0000 = "20060104T000000Z"
		n0000 = "20060105T000000Z"
		n0100 = "20060105T010000Z"
	)
	tests := []struct {
		name       string
		comp       string
		lines      []string
		start, end string
		want       bool
	}{
		// VEVENT with DTEND: (start < DTEND AND end > DTSTART).
		{"event dtend inside", "VEVENT", []string{"DTSTART:" + d1000, "DTEND:" + d1100}, d1030, d1200, true},
		{"event dtend range ends at start", "VEVENT", []string{"DTSTART:" + d1000, "DTEND:" + d1100}, d0900, d1000, false},
		{"event dtend range starts at end", "VEVENT", []string{"DTSTART:" + d1000, "DTEND:" + d1100}, d1100, d1200, false},
		{"event dtend open start", "VEVENT", []string{"DTSTART:" + d1000, "DTEND:" + d1100}, "", d1030, true},
		{"event dtend open end", "VEVENT", []string{"DTSTART:" + d1000, "DTEND:" + d1100}, d1030, "", true},
		// VEVENT with DURATION > 0: (start < DTSTART+DURATION AND end > DTSTART).
		{"event duration inside", "VEVENT", []string{"DTSTART:" + d1000, "DURATION:PT1H"}, d1030, d1200, true},
		{"event duration range starts at end", "VEVENT", []string{"DTSTART:" + d1000, "DURATION:PT1H"}, d1100, d1200, false},
		// VEVENT with DURATION 0: (start <= DTSTART AND end > DTSTART).
		{"event zero duration start at", "VEVENT", []string{"DTSTART:" + d1000, "DURATION:PT0S"}, d1000, d1100, true},
		{"event zero duration end at", "VEVENT", []string{"DTSTART:" + d1000, "DURATION:PT0S"}, d0900, d1000, false},
		// VEVENT, DATE-TIME, no DTEND or DURATION: (start <= DTSTART AND end > DTSTART).
		{"event instant start at", "VEVENT", []string{"DTSTART:" + d1000}, d1000, d1030, true},
		{"event instant end at", "VEVENT", []string{"DTSTART:" + d1000}, d0900, d1000, false},
		// VEVENT, DATE, no DTEND or DURATION: (start < DTSTART+P1D AND end > DTSTART).
		{"event date inside", "VEVENT", []string{"DTSTART;VALUE=DATE:20060104"}, d1000, d1100, true},
		{"event date range starts at next day", "VEVENT", []string{"DTSTART;VALUE=DATE:20060104"}, n0000, n0100, false},
		{"event date range ends at day", "VEVENT", []string{"DTSTART;VALUE=DATE:20060104"}, "20060103T000000Z", d0000, false},
		{"event date dtend", "VEVENT", []string{"DTSTART;VALUE=DATE:20060104", "DTEND;VALUE=DATE:20060106"}, "20060105T120000Z", "20060105T130000Z", true},

		// VAVAILABILITY, RFC 7953 §7.2.2.
		{"availability dtend inside", "VAVAILABILITY", []string{"DTSTART:" + d1000, "DTEND:" + d1100}, d1030, d1200, true},
		{"availability dtend range starts at end", "VAVAILABILITY", []string{"DTSTART:" + d1000, "DTEND:" + d1100}, d1100, d1200, false},
		{"availability duration range ends at start", "VAVAILABILITY", []string{"DTSTART:" + d1000, "DURATION:PT1H"}, d0900, d1000, false},
		{"availability duration inside", "VAVAILABILITY", []string{"DTSTART:" + d1000, "DURATION:PT1H"}, d1030, d1200, true},
		{"availability start only before", "VAVAILABILITY", []string{"DTSTART:" + d1000}, d0900, d1000, false},
		{"availability start only after", "VAVAILABILITY", []string{"DTSTART:" + d1000}, n0000, n0100, true},
		{"availability end only before", "VAVAILABILITY", []string{"DTEND:" + d1100}, d0900, d1000, true},
		{"availability end only after", "VAVAILABILITY", []string{"DTEND:" + d1100}, d1100, d1200, false},
		{"availability unbounded", "VAVAILABILITY", nil, d0900, d1000, true},

		// VTODO DTSTART+DURATION: (start <= DTSTART+DURATION) AND ((end > DTSTART) OR (end >= DTSTART+DURATION)).
		{"todo duration range starts at end", "VTODO", []string{"DTSTART:" + d1000, "DURATION:PT1H"}, d1100, d1200, true},
		{"todo duration range ends at start", "VTODO", []string{"DTSTART:" + d1000, "DURATION:PT1H"}, d0900, d1000, false},
		{"todo duration after", "VTODO", []string{"DTSTART:" + d1000, "DURATION:PT1H"}, "20060104T110001Z", d1200, false},
		// VTODO DTSTART+DUE: ((start < DUE) OR (start <= DTSTART)) AND ((end > DTSTART) OR (end >= DUE)).
		{"todo due inside", "VTODO", []string{"DTSTART:" + d1000, "DUE:" + d1100}, d1030, d1200, true},
		{"todo due range starts at due", "VTODO", []string{"DTSTART:" + d1000, "DUE:" + d1100}, d1100, d1200, false},
		{"todo due range ends at start", "VTODO", []string{"DTSTART:" + d1000, "DUE:" + d1100}, d0900, d1000, false},
		{"todo start=due range at it", "VTODO", []string{"DTSTART:" + d1000, "DUE:" + d1000}, d1000, d1100, true},
		// VTODO DTSTART only: (start <= DTSTART) AND (end > DTSTART).
		{"todo start only at", "VTODO", []string{"DTSTART:" + d1000}, d1000, d1100, true},
		{"todo start only end at", "VTODO", []string{"DTSTART:" + d1000}, d0900, d1000, false},
		// VTODO DUE only: (start < DUE) AND (end >= DUE).
		{"todo due only end at due", "VTODO", []string{"DUE:" + d1000}, d0900, d1000, true},
		{"todo due only start at due", "VTODO", []string{"DUE:" + d1000}, d1000, d1100, false},
		// VTODO COMPLETED and CREATED: ((start <= CREATED) OR (start <= COMPLETED)) AND ((end >= CREATED) OR (end >= COMPLETED)).
		{"todo completed created between", "VTODO", []string{"CREATED:" + d0900, "COMPLETED:" + d1100}, d1000, d1030, true},
		{"todo completed created after", "VTODO", []string{"CREATED:" + d0900, "COMPLETED:" + d1100}, "20060104T110001Z", d1200, false},
		{"todo completed created end at created", "VTODO", []string{"CREATED:" + d0900, "COMPLETED:" + d1100}, d0000, d0900, true},
		{"todo completed created start at completed", "VTODO", []string{"CREATED:" + d0900, "COMPLETED:" + d1100}, d1100, d1200, true},
		// VTODO COMPLETED only: (start <= COMPLETED) AND (end >= COMPLETED).
		{"todo completed end at", "VTODO", []string{"COMPLETED:" + d1000}, d0900, d1000, true},
		{"todo completed start at", "VTODO", []string{"COMPLETED:" + d1000}, d1000, d1100, true},
		{"todo completed before", "VTODO", []string{"COMPLETED:" + d1000}, d1030, d1100, false},
		// VTODO CREATED only: (end > CREATED).
		{"todo created end after", "VTODO", []string{"CREATED:" + d1000}, "20000101T000000Z", d1030, true},
		{"todo created end at", "VTODO", []string{"CREATED:" + d1000}, d0900, d1000, false},
		// VTODO with none of them: TRUE.
		{"todo bare", "VTODO", nil, d0900, d1000, true},

		// VJOURNAL DATE-TIME: (start <= DTSTART) AND (end > DTSTART).
		{"journal datetime start at", "VJOURNAL", []string{"DTSTART:" + d1000}, d1000, d1100, true},
		{"journal datetime end at", "VJOURNAL", []string{"DTSTART:" + d1000}, d0900, d1000, false},
		// VJOURNAL DATE: (start < DTSTART+P1D) AND (end > DTSTART).
		{"journal date", "VJOURNAL", []string{"DTSTART;VALUE=DATE:20060104"}, "20060104T235959Z", n0000, true},
		{"journal date next day", "VJOURNAL", []string{"DTSTART;VALUE=DATE:20060104"}, n0000, n0100, false},
		// VJOURNAL without DTSTART: FALSE.
		{"journal bare", "VJOURNAL", nil, "", d1000, false},

		// VFREEBUSY with DTSTART and DTEND: (start <= DTEND) AND (end > DTSTART).
		{"freebusy range starts at dtend", "VFREEBUSY", []string{"DTSTART:" + d1000, "DTEND:" + d1100}, d1100, d1200, true},
		{"freebusy range ends at dtstart", "VFREEBUSY", []string{"DTSTART:" + d1000, "DTEND:" + d1100}, d0900, d1000, false},
		// VFREEBUSY with FREEBUSY only: (start < period-end) AND (end > period-start).
		{"freebusy periods", "VFREEBUSY", []string{"FREEBUSY:" + d1000 + "/PT1H"}, d1030, d1200, true},
		{"freebusy periods start at end", "VFREEBUSY", []string{"FREEBUSY:" + d1000 + "/" + d1100}, d1100, d1200, false},
		// VFREEBUSY with neither: FALSE.
		{"freebusy bare", "VFREEBUSY", nil, "", "", false},

		// VALARM: (start <= trigger-time) AND (end > trigger-time).
		{"alarm relative start at", "VALARM", []string{"DTSTART:" + d1000, "DTEND:" + d1100, "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER:-PT1H", "END:VALARM"}, d0900, d1000, true},
		{"alarm relative end at", "VALARM", []string{"DTSTART:" + d1000, "DTEND:" + d1100, "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER:-PT1H", "END:VALARM"}, d0000, d0900, false},
		{"alarm related end", "VALARM", []string{"DTSTART:" + d1000, "DTEND:" + d1100, "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER;RELATED=END:PT1H", "END:VALARM"}, d1200, "20060104T120001Z", true},
		{"alarm absolute", "VALARM", []string{"DTSTART:" + d1000, "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER;VALUE=DATE-TIME:" + d0000, "END:VALARM"}, d0000, d0900, true},
		{"alarm repeat", "VALARM", []string{"DTSTART:" + d1000, "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER:-PT1H", "REPEAT:2", "DURATION:PT15M", "END:VALARM"}, d0900 + "", "20060104T093001Z", true},
		{"alarm repeat after last", "VALARM", []string{"DTSTART:" + d1000, "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER:-PT1H", "REPEAT:2", "DURATION:PT15M", "END:VALARM"}, "20060104T093001Z", d1000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := tt.comp
			if name == "VALARM" {
				name = "VEVENT"
			}
			lines := append([]string{"BEGIN:" + name, "UID:1@example.com", "DTSTAMP:20060101T000000Z"}, tt.lines...)
			c := cal(t, append(lines, "END:"+name)...)
			start, end := tt.start, tt.end
			if start == "" && end == "" {
				start = "19000101T000000Z"
			}
			if got := mustMatch(t, c, rangeFilter(t, tt.comp, start, end)); got != tt.want {
				t.Errorf("Match(%s in [%s, %s)) = %v, want %v", tt.name, tt.start, tt.end, got, tt.want)
			}
		})
	}
}

// TestPropTimeRange checks time-range on properties (RFC 4791 §9.9):
// (start <= date-time) AND (end > date-time), with the effective DTEND of
// DTSTART+DURATION.
func TestPropTimeRange(t *testing.T) {
	c := cal(t, "BEGIN:VEVENT", "UID:1", "DTSTAMP:20060104T100000Z", "DTSTART:20060104T120000Z", "DURATION:PT1H", "END:VEVENT")
	tests := []struct {
		prop, start, end string
		want             bool
	}{
		{"DTSTAMP", "20060104T100000Z", "20060104T100001Z", true},
		{"DTSTAMP", "20060104T090000Z", "20060104T100000Z", false},
		{"DTEND", "20060104T130000Z", "20060104T140000Z", true},
		{"DTEND", "20060104T120000Z", "20060104T130000Z", false},
		{"COMPLETED", "20000101T000000Z", "", false},
	}
	for _, tt := range tests {
		f := filter(t, `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="`+tt.prop+
			`"><C:time-range start="`+tt.start+`"`+map[bool]string{true: ` end="` + tt.end + `"`, false: ""}[tt.end != ""]+`/></C:prop-filter></C:comp-filter></C:comp-filter>`)
		if got := mustMatch(t, c, f); got != tt.want {
			t.Errorf("Match(%s in [%s, %s)) = %v, want %v", tt.prop, tt.start, tt.end, got, tt.want)
		}
	}
}

// TestRecurrence checks that time ranges see every instance, that a moved
// instance matches its new time only, and the weekly rule with COUNT=10,
// an EXDATE and an override whose tenth instance Xandikos once missed.
func TestRecurrence(t *testing.T) {
	weekly := cal(t,
		"BEGIN:VEVENT", "UID:w", "DTSTAMP:20260101T000000Z",
		"DTSTART;TZID=Europe/Berlin:20260105T100000", "DURATION:PT1H",
		"RRULE:FREQ=WEEKLY;COUNT=10",
		"EXDATE;TZID=Europe/Berlin:20260119T100000",
		"END:VEVENT",
		"BEGIN:VEVENT", "UID:w", "DTSTAMP:20260101T000000Z",
		"RECURRENCE-ID;TZID=Europe/Berlin:20260126T100000",
		"DTSTART;TZID=Europe/Berlin:20260128T150000", "DURATION:PT1H",
		"SUMMARY:moved",
		"END:VEVENT")
	tests := []struct {
		name, start, end string
		want             bool
	}{
		{"tenth instance", "20260309T000000Z", "20260310T000000Z", true},
		{"after the last", "20260316T000000Z", "20270101T000000Z", false},
		{"excluded instance", "20260119T000000Z", "20260120T000000Z", false},
		{"original slot of the moved one", "20260126T000000Z", "20260127T000000Z", false},
		{"new slot of the moved one", "20260128T000000Z", "20260129T000000Z", true},
		{"open end", "20260301T000000Z", "", true},
		{"open start", "", "20260106T000000Z", true},
	}
	for _, tt := range tests {
		f := rangeFilter(t, "VEVENT", tt.start, tt.end)
		if got := mustMatch(t, weekly, f); got != tt.want {
			t.Errorf("Match(%s [%s, %s)) = %v, want %v", tt.name, tt.start, tt.end, got, tt.want)
		}
	}
	// The override's SUMMARY is found only together with its own time.
	f := filter(t, `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20260126T000000Z" end="20260127T000000Z"/>`+
		`<C:prop-filter name="SUMMARY"><C:text-match>moved</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`)
	if mustMatch(t, weekly, f) {
		t.Error("Match(SUMMARY of the override at its original slot) = true, want false")
	}
	// Alarms of a recurring event fire relative to each instance.
	alarm := cal(t, "BEGIN:VEVENT", "UID:a", "DTSTAMP:20260101T000000Z", "DTSTART:20260105T100000Z", "DURATION:PT1H",
		"RRULE:FREQ=DAILY", "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER:-P1D", "END:VALARM", "END:VEVENT")
	if !mustMatch(t, alarm, rangeFilter(t, "VALARM", "20300101T095000Z", "20300101T100001Z")) {
		t.Error("Match(alarm of a daily event in 2030) = false, want true")
	}
	if mustMatch(t, alarm, rangeFilter(t, "VALARM", "20260103T000000Z", "20260104T095959Z")) {
		t.Error("Match(alarm before the first trigger) = true, want false")
	}
	// An unbounded rule with a tiny budget is an error, not a hang.
	daily := cal(t, "BEGIN:VEVENT", "UID:d", "DTSTAMP:20260101T000000Z", "DTSTART:20000101T000000Z", "RRULE:FREQ=SECONDLY", "END:VEVENT")
	f = rangeFilter(t, "VEVENT", "20000101T000000Z", "20500101T000000Z")
	if _, err := Match(daily, f, Options{Limits: smallLimits}); err == nil {
		t.Error("Match(secondly rule over 50 years, small limits) = nil error, want budget error")
	}
}

// TestTextMatch checks the collations and the text-match options.
func TestTextMatch(t *testing.T) {
	c := cal(t, "BEGIN:VEVENT", "UID:t", "DTSTAMP:20060101T000000Z", "DTSTART:20060104T100000Z",
		"SUMMARY:Team Meeting\\, Straße ÉTÉ",
		"ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Lisa:mailto:lisa@example.com",
		"END:VEVENT")
	prop := func(name, tm string) *Filter {
		return filter(t, `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="`+name+`">`+tm+`</C:prop-filter></C:comp-filter></C:comp-filter>`)
	}
	tests := []struct {
		name string
		f    *Filter
		want bool
	}{
		{"substring", prop("SUMMARY", `<C:text-match>eam Mee</C:text-match>`), true},
		{"unescaped", prop("SUMMARY", `<C:text-match>Meeting, Str</C:text-match>`), true},
		{"ascii-casemap default", prop("SUMMARY", `<C:text-match>TEAM meeting</C:text-match>`), true},
		{"ascii-casemap explicit", prop("SUMMARY", `<C:text-match collation="i;ascii-casemap">team</C:text-match>`), true},
		{"ascii-casemap leaves non-ASCII", prop("SUMMARY", `<C:text-match>été</C:text-match>`), false},
		{"octet case-sensitive", prop("SUMMARY", `<C:text-match collation="i;octet">team</C:text-match>`), false},
		{"octet exact", prop("SUMMARY", `<C:text-match collation="i;octet">Team</C:text-match>`), true},
		{"unicode-casemap", prop("SUMMARY", `<C:text-match collation="i;unicode-casemap">été</C:text-match>`), true},
		{"unicode-casemap sharp s", prop("SUMMARY", `<C:text-match collation="i;unicode-casemap">STRAßE</C:text-match>`), true},
		{"negate", prop("SUMMARY", `<C:text-match negate-condition="yes">cancelled</C:text-match>`), true},
		{"negate match", prop("SUMMARY", `<C:text-match negate-condition="yes">team</C:text-match>`), false},
		{"negate missing property", prop("LOCATION", `<C:text-match negate-condition="yes">x</C:text-match>`), false},
		{"is-not-defined", prop("LOCATION", `<C:is-not-defined/>`), true},
		{"is-not-defined present", prop("SUMMARY", `<C:is-not-defined/>`), false},
		{"exists", prop("SUMMARY", ``), true},
		{"param", prop("ATTENDEE", `<C:param-filter name="PARTSTAT"><C:text-match>needs-action</C:text-match></C:param-filter>`), true},
		{"param wrong", prop("ATTENDEE", `<C:param-filter name="PARTSTAT"><C:text-match>ACCEPTED</C:text-match></C:param-filter>`), false},
		{"param is-not-defined", prop("ATTENDEE", `<C:param-filter name="ROLE"><C:is-not-defined/></C:param-filter>`), true},
		{"param present", prop("ATTENDEE", `<C:param-filter name="CN"/>`), true},
		{"comp is-not-defined", filter(t, `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:is-not-defined/></C:comp-filter></C:comp-filter>`), true},
		{"comp is-not-defined present", filter(t, `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:is-not-defined/></C:comp-filter></C:comp-filter>`), false},
	}
	for _, tt := range tests {
		if got := mustMatch(t, c, tt.f); got != tt.want {
			t.Errorf("Match(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestFilterValidate checks the preconditions of Filter.Validate.
func TestFilterValidate(t *testing.T) {
	tests := []struct {
		name, inner, want string
	}{
		{"ok", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20060104T000000Z"/></C:comp-filter></C:comp-filter>`, ""},
		{"x-name", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="X-ABC-GUID"/></C:comp-filter></C:comp-filter>`, ""},
		{"top not VCALENDAR", `<C:comp-filter name="VEVENT"/>`, "valid-filter"},
		{"VEVENT in VTODO", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:comp-filter name="VEVENT"/></C:comp-filter></C:comp-filter>`, "valid-filter"},
		{"time-range on SUMMARY", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:time-range start="20060104T000000Z"/></C:prop-filter></C:comp-filter></C:comp-filter>`, "valid-filter"},
		{"time-range on VTIMEZONE", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTIMEZONE"><C:time-range start="20060104T000000Z"/></C:comp-filter></C:comp-filter>`, "valid-filter"},
		{"empty time-range", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range/></C:comp-filter></C:comp-filter>`, "valid-filter"},
		{"local time-range", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20060104T000000"/></C:comp-filter></C:comp-filter>`, "valid-filter"},
		{"reversed time-range", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20060105T000000Z" end="20060104T000000Z"/></C:comp-filter></C:comp-filter>`, "valid-filter"},
		{"is-not-defined and more", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:is-not-defined/><C:prop-filter name="UID"/></C:comp-filter></C:comp-filter>`, "valid-filter"},
		{"collation", `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID"><C:text-match collation="i;basic">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>`, "supported-collation"},
	}
	for _, tt := range tests {
		err := filter(t, tt.inner).Validate()
		var pe *PreconditionError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Validate(%s) = %v, want nil", tt.name, err)
		case tt.want != "" && (!errors.As(err, &pe) || pe.Name != tt.want || pe.Status != 403 || pe.Space != NS):
			t.Errorf("Validate(%s) = %v, want %s", tt.name, err, tt.want)
		}
	}
}

// TestRange checks what Filter.Range gives a store index.
func TestRange(t *testing.T) {
	comp, start, end := rangeFilter(t, "VTODO", "20060104T000000Z", "").Range()
	if comp != "VTODO" || start.Format("20060102T150405Z") != "20060104T000000Z" || !end.IsZero() {
		t.Errorf("Range() = %q, %v, %v", comp, start, end)
	}
	comp, start, end = filter(t, `<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/><C:comp-filter name="VTODO"/></C:comp-filter>`).Range()
	if comp != "" || !start.IsZero() || !end.IsZero() {
		t.Errorf("Range(two comp-filters) = %q, %v, %v", comp, start, end)
	}
}
