// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
)

// vtCal builds an iTIP message: a VCALENDAR with PRODID, VERSION and, when
// method is not "", METHOD around the given lines, with CRLF line endings.
func vtCal(method string, lines ...string) string {
	head := []string{"BEGIN:VCALENDAR", "PRODID:-//Almanac//itip test//EN", "VERSION:2.0"}
	if method != "" {
		head = append(head, "METHOD:"+method)
	}
	all := append(append(head, lines...), "END:VCALENDAR")
	return strings.Join(all, "\r\n") + "\r\n"
}

// vtComp returns the lines of a component named name with the given
// properties and sub-component lines.
func vtComp(name string, lines ...string) []string {
	return append(append([]string{"BEGIN:" + name}, lines...), "END:"+name)
}

// vtEvent is a VEVENT that satisfies the REQUEST table, plus extra lines.
func vtEvent(extra ...string) []string {
	return vtComp("VEVENT", append([]string{
		"UID:1@example.com",
		"DTSTAMP:20260101T000000Z",
		"DTSTART:20260102T100000Z",
		"DTEND:20260102T110000Z",
		"SUMMARY:Meeting",
		"ORGANIZER:mailto:a@example.com",
		"ATTENDEE:mailto:b@example.com",
	}, extra...)...)
}

// vtReplyEvent is a VEVENT that satisfies the REPLY table, plus extra lines.
func vtReplyEvent(extra ...string) []string {
	return vtComp("VEVENT", append([]string{
		"UID:1@example.com",
		"DTSTAMP:20260101T000000Z",
		"ORGANIZER:mailto:a@example.com",
	}, extra...)...)
}

// vtReplace replaces the lines that start with prefix by line.
func vtReplace(lines []string, prefix, line string) []string {
	out := slices.Clone(lines)
	for i, l := range out {
		if strings.HasPrefix(l, prefix) {
			out[i] = line
		}
	}
	return out
}

// vtWithout drops the lines that start with prefix.
func vtWithout(lines []string, prefix string) []string {
	return slices.DeleteFunc(slices.Clone(lines), func(l string) bool { return strings.HasPrefix(l, prefix) })
}

func vtJoin(parts ...[]string) []string { return slices.Concat(parts...) }

// vtZone is a VTIMEZONE for Europe/Paris.
func vtZone(extra ...string) []string {
	return vtComp("VTIMEZONE", append([]string{"TZID:Europe/Paris"},
		vtComp("STANDARD", append([]string{"DTSTART:19701025T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
			"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"}, extra...)...)...)...)
}

// vtParse decodes a message built by the helpers; they must be well formed.
func vtParse(t *testing.T, s string) *ical.Component {
	t.Helper()
	cal, err := ParseMessage([]byte(s), ModeStrict)
	if err != nil {
		t.Fatalf("ParseMessage(%q): %v", s, err)
	}
	return cal.Component
}

// vtWant is the expected verdict in one mode. When valid is false, rule,
// prop and status describe the first error; when valid is true and rule is
// set, the first warning; when valid is true and rule is "", there must be
// no problem at all.
type vtWant struct {
	valid              bool
	rule, prop, status string
}

var vtOK = vtWant{valid: true}

func vtCheck(t *testing.T, name string, ps []Problem, want vtWant) {
	t.Helper()
	var first *Problem
	for i := range ps {
		if ps[i].Warning == want.valid {
			first = &ps[i]
			break
		}
	}
	if got := Valid(ps); got != want.valid {
		t.Errorf("%s: Valid = %v, want %v; problems:\n%s", name, got, want.valid, vtFormat(ps))
		return
	}
	if want.valid && want.rule == "" {
		if len(ps) > 0 {
			t.Errorf("%s: want no problems, got:\n%s", name, vtFormat(ps))
		}
		return
	}
	if first == nil {
		t.Errorf("%s: want a %s problem, got:\n%s", name, want.rule, vtFormat(ps))
		return
	}
	if first.Rule != want.rule || first.Property != want.prop || first.Status != want.status {
		t.Errorf("%s: first problem = %s (rule %q, property %q, status %s), want rule %q, property %q, status %s; all:\n%s",
			name, first, first.Rule, first.Property, first.Status, want.rule, want.prop, want.status, vtFormat(ps))
	}
	if !want.valid && StatusOf(ps) != want.status {
		t.Errorf("%s: StatusOf = %s, want %s", name, StatusOf(ps), want.status)
	}
}

func vtFormat(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		w := "error"
		if p.Warning {
			w = "warning"
		}
		b.WriteString("\t" + w + " " + p.Rule + " " + p.Status + " line " + strconv.Itoa(p.Line) + ": " + p.String() + "\n")
	}
	return b.String()
}

func TestValidateRules(t *testing.T) {
	paris := func(id string) bool { return id == "Europe/Paris" }
	tests := []struct {
		name            string
		cal             string
		knownTZID       func(string) bool
		strict, interop vtWant
	}{
		{"minimal REQUEST", vtCal("REQUEST", vtEvent()...), nil, vtOK, vtOK},
		{"minimal REPLY", vtCal("REPLY", vtReplyEvent("ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.com")...), nil, vtOK, vtOK},

		// RFC 5546 §3.1.1, the outer level.
		{"no PRODID", strings.Replace(vtCal("REQUEST", vtEvent()...), "PRODID:-//Almanac//itip test//EN\r\n", "", 1), nil,
			vtWant{false, "presence", "PRODID", "3.11"}, vtWant{false, "presence", "PRODID", "3.11"}},
		{"VERSION 3.0", strings.Replace(vtCal("REQUEST", vtEvent()...), "VERSION:2.0", "VERSION:3.0", 1), nil,
			vtWant{false, "version", "VERSION", "3.9"}, vtWant{false, "version", "VERSION", "3.9"}},
		{"CALSCALE twice", vtCal("REQUEST", vtJoin([]string{"CALSCALE:GREGORIAN", "CALSCALE:GREGORIAN"}, vtEvent())...), nil,
			vtWant{false, "presence", "CALSCALE", "3.13"}, vtWant{false, "presence", "CALSCALE", "3.13"}},
		{"X- and IANA properties and components", vtCal("REQUEST", vtJoin([]string{"X-WR-CALNAME:Work", "NAME:Work"},
			vtEvent("X-MOZ-GENERATION:1", "COLOR:red"), vtComp("X-THING", "X-A:1"), vtComp("VAVAILABILITY", "UID:2", "DTSTAMP:20260101T000000Z"))...), nil,
			vtOK, vtOK},

		// Step 4a: METHOD and the component type.
		{"no METHOD", vtCal("", vtEvent()...), nil,
			vtWant{false, "method", "METHOD", "3.11"}, vtWant{false, "method", "METHOD", "3.11"}},
		{"METHOD twice", vtCal("REQUEST", vtJoin([]string{"METHOD:REQUEST"}, vtEvent())...), nil,
			vtWant{false, "method", "METHOD", "3.13"}, vtWant{false, "method", "METHOD", "3.13"}},
		{"unknown METHOD", vtCal("POLL", vtEvent()...), nil,
			vtWant{false, "method", "METHOD", "3.14"}, vtWant{false, "method", "METHOD", "3.14"}},
		{"REQUEST of VJOURNAL", vtCal("REQUEST", vtComp("VJOURNAL", "UID:1", "DTSTAMP:20260101T000000Z", "ORGANIZER:mailto:a@example.com")...), nil,
			vtWant{false, "method", "METHOD", "3.14"}, vtWant{false, "method", "METHOD", "3.14"}},
		{"no component", vtCal("REQUEST", vtZone()...), nil,
			vtWant{false, "component-type", "", "3.11"}, vtWant{false, "component-type", "", "3.11"}},
		{"VEVENT and VTODO", vtCal("REQUEST", vtJoin(vtEvent(), vtComp("VTODO", "UID:1@example.com", "DTSTAMP:20260101T000000Z"))...), nil,
			vtWant{false, "component-type", "", "3.4"}, vtWant{false, "component-type", "", "3.4"}},
		{"VJOURNAL in a VTODO REPLY (unlisted component)", vtCal("REPLY", vtJoin(
			vtComp("VTODO", "UID:1", "DTSTAMP:20260101T000000Z", "ORGANIZER:mailto:a@example.com", "ATTENDEE:mailto:b@example.com"),
			vtComp("VJOURNAL", "UID:1", "DTSTAMP:20260101T000000Z"))...), nil,
			vtWant{false, "component-type", "", "3.4"}, vtWant{false, "component-type", "", "3.4"}},

		// Step 4b: the calendar rows.
		{"ADD with two VEVENTs", vtCal("ADD", vtJoin(vtEvent("SEQUENCE:1"), vtEvent("SEQUENCE:1"))...), nil,
			vtWant{false, "presence", "", "3.4"}, vtWant{false, "presence", "", "3.4"}},
		{"VTIMEZONE in a VFREEBUSY PUBLISH", vtCal("PUBLISH", vtJoin(vtZone(), vtComp("VFREEBUSY", "UID:1", "DTSTAMP:20260101T000000Z",
			"DTSTART:20260101T000000Z", "DTEND:20260102T000000Z", "ORGANIZER:mailto:a@example.com"))...), nil,
			vtWant{false, "forbidden", "", "3.4"}, vtWant{false, "forbidden", "", "3.4"}},
		{"REPLY with two VTIMEZONEs (printed 0 or 1)", vtCal("REPLY", vtJoin(vtZone(),
			strings.Split(strings.ReplaceAll(strings.Join(vtZone(), "\n"), "Europe/Paris", "Europe/Rome"), "\n"),
			vtReplyEvent("ATTENDEE:mailto:b@example.com", "DTSTART;TZID=Europe/Paris:20260102T100000",
				"DTEND;TZID=Europe/Rome:20260102T110000"))...), nil,
			vtWant{false, "presence", "", "3.4"}, vtOK},

		// Step 4c: the component rows.
		{"REQUEST without ATTENDEE", vtCal("REQUEST", vtWithout(vtEvent(), "ATTENDEE")...), nil,
			vtWant{false, "presence", "ATTENDEE", "3.11"}, vtWant{false, "presence", "ATTENDEE", "3.11"}},
		{"REQUEST without SUMMARY", vtCal("REQUEST", vtWithout(vtEvent(), "SUMMARY")...), nil,
			vtWant{false, "presence", "SUMMARY", "3.11"}, vtWant{false, "presence", "SUMMARY", "3.11"}},
		{"REQUEST with two ORGANIZERs", vtCal("REQUEST", vtEvent("ORGANIZER:mailto:c@example.com")...), nil,
			vtWant{false, "presence", "ORGANIZER", "3.13"}, vtWant{false, "presence", "ORGANIZER", "3.13"}},
		{"REQUEST with REQUEST-STATUS", vtCal("REQUEST", vtEvent("REQUEST-STATUS:2.0;Success")...), nil,
			vtWant{false, "forbidden", "REQUEST-STATUS", "3.13"}, vtWant{false, "forbidden", "REQUEST-STATUS", "3.13"}},
		{"PUBLISH with ATTENDEE", vtCal("PUBLISH", vtEvent()...), nil,
			vtWant{false, "forbidden", "ATTENDEE", "3.13"}, vtWant{false, "forbidden", "ATTENDEE", "3.13"}},
		{"REPLY with VALARM", vtCal("REPLY", vtReplyEvent(vtJoin([]string{"ATTENDEE:mailto:b@example.com"},
			vtComp("VALARM", "ACTION:AUDIO", "TRIGGER:-PT5M"))...)...), nil,
			vtWant{false, "forbidden", "", "3.4"}, vtWant{false, "forbidden", "", "3.4"}},
		{"VALARM without TRIGGER", vtCal("REQUEST", vtEvent(vtComp("VALARM", "ACTION:AUDIO")...)...), nil,
			vtWant{false, "presence", "TRIGGER", "3.11"}, vtWant{false, "presence", "TRIGGER", "3.11"}},
		{"VALARM DURATION without REPEAT", vtCal("REQUEST", vtEvent(vtComp("VALARM", "ACTION:AUDIO", "TRIGGER:-PT5M", "DURATION:PT5M")...)...), nil,
			vtWant{false, "together", "DURATION", "3.11"}, vtWant{false, "together", "DURATION", "3.11"}},
		{"VALARM with DURATION and REPEAT", vtCal("REQUEST", vtEvent(vtComp("VALARM", "ACTION:AUDIO", "TRIGGER:-PT5M", "DURATION:PT5M", "REPEAT:2")...)...), nil,
			vtOK, vtOK},
		{"X- sub-component in VEVENT", vtCal("REQUEST", vtEvent(vtComp("X-THING", "X-A:1")...)...), nil,
			vtWant{false, "unlisted", "", "3.12"}, vtWant{true, "unlisted", "", "3.12"}},
		{"VTIMEZONE without STANDARD or DAYLIGHT", vtCal("REQUEST", vtJoin(vtComp("VTIMEZONE", "TZID:Europe/Paris"), vtEvent())...), nil,
			vtWant{false, "presence", "", "3.11"}, vtWant{false, "presence", "", "3.11"}},
		{"VTIMEZONE without TZID", vtCal("REQUEST", vtJoin(vtWithout(vtZone(), "TZID"), vtEvent())...), nil,
			vtWant{false, "presence", "TZID", "3.11"}, vtWant{false, "presence", "TZID", "3.11"}},
		{"STANDARD with RRULE and RDATE", vtCal("REQUEST", vtJoin(vtZone("RDATE:20271031T030000"), vtEvent())...), nil,
			vtWant{false, "exclusive", "RDATE", "3.13"}, vtWant{true, "exclusive", "RDATE", "3.13"}},

		// Step 4d: the derived rules.
		{"DTEND and DURATION", vtCal("REQUEST", vtEvent("DURATION:PT1H")...), nil,
			vtWant{false, "exclusive", "DURATION", "3.13"}, vtWant{false, "exclusive", "DURATION", "3.13"}},
		{"DUE and DURATION", vtCal("REQUEST", vtComp("VTODO", "UID:1", "DTSTAMP:20260101T000000Z", "DTSTART:20260102T100000Z",
			"DUE:20260103T100000Z", "DURATION:P1D", "SUMMARY:Task", "PRIORITY:1", "ORGANIZER:mailto:a@example.com", "ATTENDEE:mailto:b@example.com")...), nil,
			vtWant{false, "exclusive", "DURATION", "3.13"}, vtWant{false, "exclusive", "DURATION", "3.13"}},
		{"two UIDs in a REQUEST", vtCal("REQUEST", vtJoin(vtEvent(), strings.Split(strings.Replace(strings.Join(vtEvent(), "\n"), "UID:1@", "UID:2@", 1), "\n"))...), nil,
			vtWant{false, "same-uid", "UID", "3.1"}, vtWant{false, "same-uid", "UID", "3.1"}},
		{"two UIDs in a PUBLISH", vtCal("PUBLISH", vtJoin(vtWithout(vtEvent(), "ATTENDEE"),
			strings.Split(strings.Replace(strings.Join(vtWithout(vtEvent(), "ATTENDEE"), "\n"), "UID:1@", "UID:2@", 1), "\n"))...), nil,
			vtOK, vtOK},
		{"ADD with SEQUENCE 0", vtCal("ADD", vtEvent("SEQUENCE:0")...), nil,
			vtWant{false, "sequence", "SEQUENCE", "3.1"}, vtWant{false, "sequence", "SEQUENCE", "3.1"}},
		{"ADD without SEQUENCE", vtCal("ADD", vtEvent()...), nil,
			vtWant{false, "presence", "SEQUENCE", "3.11"}, vtWant{false, "presence", "SEQUENCE", "3.11"}},
		{"VFREEBUSY REQUEST in local time", vtCal("REQUEST", vtComp("VFREEBUSY", "UID:1", "DTSTAMP:20260101T000000Z",
			"DTSTART:20260101T000000", "DTEND:20260102T000000Z", "ORGANIZER:mailto:a@example.com", "ATTENDEE:mailto:b@example.com")...), nil,
			vtWant{false, "utc", "DTSTART", "3.5"}, vtWant{false, "utc", "DTSTART", "3.5"}},
		{"COUNTER with STATUS:NEEDS-ACTION (MUST)", vtCal("COUNTER", vtEvent("SEQUENCE:0", "STATUS:NEEDS-ACTION")...), nil,
			vtWant{false, "status", "STATUS", "3.1"}, vtWant{false, "status", "STATUS", "3.1"}},
		{"COUNTER with STATUS:TENTATIVE (TENATIVE in the RFC)", vtCal("COUNTER", vtEvent("SEQUENCE:0", "STATUS:TENTATIVE")...), nil,
			vtOK, vtOK},
		{"REQUEST with STATUS:CANCELLED (MAY)", vtCal("REQUEST", vtEvent("STATUS:CANCELLED")...), nil,
			vtWant{true, "status", "STATUS", "3.1"}, vtWant{true, "status", "STATUS", "3.1"}},
		{"CANCEL with STATUS:CONFIRMED", vtCal("CANCEL", vtEvent("SEQUENCE:1", "STATUS:CONFIRMED")...), nil,
			vtWant{false, "status", "STATUS", "3.1"}, vtWant{false, "status", "STATUS", "3.1"}},
		{"CANCEL with STATUS:CANCELLED", vtCal("CANCEL", vtEvent("SEQUENCE:1", "STATUS:CANCELLED")...), nil, vtOK, vtOK},
		{"RECURRENCE-ID of a master that does not recur", vtCal("REQUEST", vtJoin(vtEvent(), vtEvent("RECURRENCE-ID:20260102T100000Z"))...), nil,
			vtWant{false, "recurrence-id", "RECURRENCE-ID", "3.13"}, vtWant{false, "recurrence-id", "RECURRENCE-ID", "3.13"}},
		{"RECURRENCE-ID of a recurring master", vtCal("REQUEST", vtJoin(vtEvent("RRULE:FREQ=DAILY;COUNT=3"), vtEvent("RECURRENCE-ID:20260103T100000Z"))...), nil,
			vtOK, vtOK},
		{"RECURRENCE-ID without its master", vtCal("REQUEST", vtEvent("RECURRENCE-ID:20260103T100000Z")...), nil, vtOK, vtOK},
		{"REQUEST-STATUS 2.0 and 3.1 in one component", vtCal("REPLY", vtReplyEvent("ATTENDEE:mailto:b@example.com",
			"REQUEST-STATUS:2.0;Success", "REQUEST-STATUS:3.1;Invalid property value;DTSTART:96-Apr-01")...), nil,
			vtWant{false, "request-status", "REQUEST-STATUS", "3.1"}, vtWant{false, "request-status", "REQUEST-STATUS", "3.1"}},
		{"REQUEST-STATUS 5.1 and 2.0 in two components", vtCal("REPLY", vtJoin(
			vtReplyEvent("ATTENDEE:mailto:b@example.com", "RECURRENCE-ID:20260102T100000Z", "REQUEST-STATUS:5.1;Service unavailable"),
			vtReplyEvent("ATTENDEE:mailto:b@example.com", "RECURRENCE-ID:20260103T100000Z", "REQUEST-STATUS:2.0;Success"))...), nil,
			vtWant{false, "request-status", "REQUEST-STATUS", "3.1"}, vtWant{false, "request-status", "REQUEST-STATUS", "3.1"}},
		{"REQUEST-STATUS 2.0 and 4.0 in two components", vtCal("REPLY", vtJoin(
			vtReplyEvent("ATTENDEE:mailto:b@example.com", "RECURRENCE-ID:20260102T100000Z", "REQUEST-STATUS:4.0;Event conflict"),
			vtReplyEvent("ATTENDEE:mailto:b@example.com", "RECURRENCE-ID:20260103T100000Z", "REQUEST-STATUS:2.0;Success"))...), nil,
			vtOK, vtOK},
		{"TZID without VTIMEZONE", vtCal("REQUEST", vtEvent("RDATE;TZID=Europe/Paris:20260105T100000")...), nil,
			vtWant{false, "vtimezone", "RDATE", "3.11"}, vtWant{false, "vtimezone", "RDATE", "3.11"}},
		{"TZID known by reference (RFC 7809)", vtCal("REQUEST", vtEvent("RDATE;TZID=Europe/Paris:20260105T100000")...), paris, vtOK, vtOK},
		{"TZID with its VTIMEZONE", vtCal("REQUEST", vtJoin(vtZone(), vtEvent("RDATE;TZID=Europe/Paris:20260105T100000"))...), nil, vtOK, vtOK},

		// Steps 4e and 4f: unlisted properties and known inconsistencies.
		{"SUMMARY in a VTODO CANCEL (unlisted)", vtCal("CANCEL", vtComp("VTODO", "UID:1", "DTSTAMP:20260101T000000Z",
			"ORGANIZER:mailto:a@example.com", "SEQUENCE:1", "SUMMARY:Task")...), nil,
			vtWant{false, "unlisted", "SUMMARY", "3.13"}, vtOK},
		{"two SUMMARYs in a VTODO CANCEL", vtCal("CANCEL", vtComp("VTODO", "UID:1", "DTSTAMP:20260101T000000Z",
			"ORGANIZER:mailto:a@example.com", "SEQUENCE:1", "SUMMARY:Task", "SUMMARY:Again")...), nil,
			vtWant{false, "unlisted", "SUMMARY", "3.13"}, vtWant{false, "unlisted", "SUMMARY", "3.13"}},
		{"VALARM in VJOURNAL (RFC 5545 wins)", vtCal("PUBLISH", vtComp("VJOURNAL", append([]string{"UID:1", "DTSTAMP:20260101T000000Z",
			"DTSTART:20260101T000000Z", "ORGANIZER:mailto:a@example.com", "DESCRIPTION:Notes"}, vtComp("VALARM", "ACTION:AUDIO", "TRIGGER:-PT5M")...)...)...), nil,
			vtWant{false, "forbidden", "", "3.4"}, vtWant{false, "forbidden", "", "3.4"}},
		{"delegation REPLY", vtCal("REPLY", vtReplyEvent(
			`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`,
			`ATTENDEE;PARTSTAT=ACCEPTED;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`)...), nil,
			vtWant{false, "presence", "ATTENDEE", "3.13"}, vtWant{true, "delegation", "ATTENDEE", "3.13"}},
		{"REPLY with two unrelated ATTENDEEs", vtCal("REPLY", vtReplyEvent("ATTENDEE:mailto:b@example.com", "ATTENDEE:mailto:c@example.com")...), nil,
			vtWant{false, "presence", "ATTENDEE", "3.13"}, vtWant{false, "presence", "ATTENDEE", "3.13"}},
		{"REPLY with three ATTENDEEs, one not delegated", vtCal("REPLY", vtReplyEvent(
			`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`,
			`ATTENDEE;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`, "ATTENDEE:mailto:f@example.com")...), nil,
			vtWant{false, "presence", "ATTENDEE", "3.13"}, vtWant{false, "presence", "ATTENDEE", "3.13"}},
		{"VTODO REFRESH with ORGANIZER (forbidden as printed)", vtCal("REFRESH", vtComp("VTODO", "UID:1", "DTSTAMP:20260101T000000Z",
			"ATTENDEE:mailto:b@example.com", "ORGANIZER:mailto:a@example.com")...), nil,
			vtWant{false, "forbidden", "ORGANIZER", "3.13"}, vtWant{false, "forbidden", "ORGANIZER", "3.13"}},

		// Step 5: RFC 5545 values.
		{"DTSTAMP not in UTC", vtCal("REQUEST", vtReplace(vtEvent(), "DTSTAMP", "DTSTAMP:20260101T000000")...), nil,
			vtWant{false, "value", "DTSTAMP", "3.5"}, vtWant{true, "value", "DTSTAMP", "3.5"}},
		{"DTEND not a DATE-TIME", vtCal("REQUEST", vtReplace(vtEvent(), "DTEND", "DTEND:199706211T173000Z")...), nil,
			vtWant{false, "value", "DTEND", "3.5"}, vtWant{false, "value", "DTEND", "3.5"}},
		{"ORGANIZER without a scheme", vtCal("REQUEST", vtReplace(vtEvent(), "ORGANIZER", "ORGANIZER:a@example.com")...), nil,
			vtWant{false, "value", "ORGANIZER", "3.7"}, vtWant{true, "value", "ORGANIZER", "3.7"}},
		{"RSVP=YES", vtCal("REQUEST", vtEvent("ATTENDEE;RSVP=YES:mailto:c@example.com")...), nil,
			vtWant{false, "value", "ATTENDEE", "3.3"}, vtWant{true, "value", "ATTENDEE", "3.3"}},
		{"RRULE without FREQ", vtCal("REQUEST", vtEvent("RRULE:COUNT=2")...), nil,
			vtWant{false, "value", "RRULE", "3.6"}, vtWant{false, "value", "RRULE", "3.6"}},
	}
	for _, tt := range tests {
		cal := vtParse(t, tt.cal)
		for _, mode := range []Mode{ModeStrict, ModeInterop} {
			want := tt.strict
			if mode == ModeInterop {
				want = tt.interop
			}
			ps := Validate(cal, ValidateOptions{Mode: mode, KnownTZID: tt.knownTZID})
			vtCheck(t, "Validate("+tt.name+", "+mode.String()+")", ps, want)
			for _, p := range ps {
				if p.Rule == "" || p.Section == "" || p.Status == "" || p.Message == "" || p.Component == "" {
					t.Errorf("Validate(%s, %s): incomplete problem %#v", tt.name, mode, p)
				}
			}
		}
	}
}

// TestValidateNotCalendar checks the answer for something that is not a
// VCALENDAR.
func TestValidateNotCalendar(t *testing.T) {
	for _, c := range []*ical.Component{nil, ical.NewComponent(ical.CompEvent)} {
		ps := Validate(c, ValidateOptions{})
		if Valid(ps) || len(ps) != 1 || ps[0].Rule != "component-type" || ps[0].Status != "3.4" {
			t.Errorf("Validate(%v) = %v, want one component-type problem", c, ps)
		}
	}
}

// TestValidateConstructed validates a message built in memory, without
// input lines.
func TestValidateConstructed(t *testing.T) {
	cal := ical.NewCalendar("-//Almanac//test//EN")
	cal.Add(ical.NewProperty(ical.PropMethod, "REQUEST"))
	ev := ical.NewComponent(ical.CompEvent)
	for _, p := range [][2]string{{"UID", "1"}, {"DTSTAMP", "20260101T000000Z"}, {"DTSTART", "20260102T100000Z"},
		{"SUMMARY", "x"}, {"ORGANIZER", "mailto:a@example.com"}} {
		ev.Add(ical.NewProperty(p[0], p[1]))
	}
	cal.Children = append(cal.Children, ev)
	ps := Validate(cal.Component, ValidateOptions{Mode: ModeStrict})
	vtCheck(t, "Validate(constructed REQUEST without ATTENDEE)", ps, vtWant{false, "presence", "ATTENDEE", "3.11"})
	ev.Add(ical.NewProperty("ATTENDEE", "mailto:b@example.com"))
	vtCheck(t, "Validate(constructed REQUEST)", Validate(cal.Component, ValidateOptions{Mode: ModeStrict}), vtOK)
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{Component: "VEVENT", Index: 0, Property: "ATTENDEE", Message: "too many (presence 1, found 2)", Section: "RFC 5546 §3.2.3"},
			"VEVENT[0]: ATTENDEE: too many (presence 1, found 2) [RFC 5546 §3.2.3]"},
		{Problem{Component: "VCALENDAR", Index: -1, Property: "METHOD", Message: "missing", Section: "RFC 5546 §1.4"},
			"VCALENDAR: METHOD: missing [RFC 5546 §1.4]"},
		{Problem{Component: "VALARM", Index: 1, Property: "TRIGGER", Message: "missing in VEVENT[1]"},
			"VALARM: TRIGGER: missing in VEVENT[1]"},
		{Problem{Component: "VTIMEZONE", Index: 2, Message: "STANDARD or DAYLIGHT missing"},
			"VTIMEZONE[2]: STANDARD or DAYLIGHT missing"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("Problem.String() = %q, want %q", got, tt.want)
		}
	}
}

func TestValidStatusOf(t *testing.T) {
	warn := Problem{Warning: true, Status: "3.1"}
	err1 := Problem{Status: "3.11"}
	err2 := Problem{Status: "3.13"}
	tests := []struct {
		ps     []Problem
		valid  bool
		status string
	}{
		{nil, true, "2.0"},
		{[]Problem{warn}, true, "2.0"},
		{[]Problem{warn, err1, err2}, false, "3.11"},
		{[]Problem{err2, err1}, false, "3.13"},
	}
	for _, tt := range tests {
		if got := Valid(tt.ps); got != tt.valid {
			t.Errorf("Valid(%v) = %v, want %v", tt.ps, got, tt.valid)
		}
		if got := StatusOf(tt.ps); got != tt.status {
			t.Errorf("StatusOf(%v) = %q, want %q", tt.ps, got, tt.status)
		}
	}
}

func TestMethodOf(t *testing.T) {
	tests := []struct {
		cal               string
		method, component string
	}{
		{vtCal("request", vtEvent()...), "REQUEST", "VEVENT"},
		{vtCal("REPLY", vtJoin(vtZone(), vtComp("VTODO", "UID:1"))...), "REPLY", "VTODO"},
		{vtCal("PUBLISH", vtJoin(vtEvent(), vtComp("VTODO", "UID:1"))...), "PUBLISH", ""},
		{vtCal("", vtEvent()...), "", "VEVENT"},
		{vtCal("CANCEL", vtZone()...), "CANCEL", ""},
	}
	for _, tt := range tests {
		m, c := MethodOf(vtParse(t, tt.cal))
		if m != tt.method || c != tt.component {
			t.Errorf("MethodOf(%q) = %q, %q, want %q, %q", tt.cal, m, c, tt.method, tt.component)
		}
	}
	if m, c := MethodOf(nil); m != "" || c != "" {
		t.Errorf("MethodOf(nil) = %q, %q", m, c)
	}
}

func TestParseMessage(t *testing.T) {
	good := vtCal("REQUEST", vtEvent()...)
	lf := strings.ReplaceAll(good, "\r\n", "\n")
	folded := strings.Replace(good, "BEGIN:VEVENT", "BEG\r\n IN:VEVENT", 1)
	tests := []struct {
		name            string
		data            string
		strict, interop bool // parses
		line            int  // the error's line when it does not parse in interop mode
	}{
		{"CRLF", good, true, true, 0},
		{"bare LF", lf, false, true, 0},
		{"folded BEGIN", folded, true, true, 0},
		{"BEGIN:VTODO closed by END:VEVENT", strings.Replace(good, "BEGIN:VEVENT", "BEGIN:VTODO", 1), false, false, 13},
		{"END without BEGIN", strings.Replace(good, "END:VEVENT", "END:VEVENT\r\nEND:VTODO", 1), false, false, 14},
		{"BEGIN without END", strings.Replace(good, "END:VEVENT\r\n", "", 1), false, false, 13},
		{"two VCALENDARs", good + good, false, false, 15},
		{"no VCALENDAR", "", false, false, 1},
		{"a VEVENT alone", strings.Join(vtEvent(), "\r\n") + "\r\n", false, false, 1},
	}
	for _, tt := range tests {
		for _, mode := range []Mode{ModeStrict, ModeInterop} {
			want := tt.strict
			if mode == ModeInterop {
				want = tt.interop
			}
			cal, err := ParseMessage([]byte(tt.data), mode)
			if (err == nil) != want || (err == nil) != (cal != nil) {
				t.Errorf("ParseMessage(%s, %s) = %v, %v; want parsed %v", tt.name, mode, cal != nil, err, want)
			}
			var se *ical.SyntaxError
			if err != nil && !errors.As(err, &se) {
				t.Errorf("ParseMessage(%s, %s) error %v is not an *ical.SyntaxError", tt.name, mode, err)
			}
			if mode == ModeInterop && err != nil && se != nil && se.Line != tt.line {
				t.Errorf("ParseMessage(%s, %s) error on line %d, want %d: %v", tt.name, mode, se.Line, tt.line, err)
			}
		}
	}
}

func TestCheckOriginator(t *testing.T) {
	delegationReply := vtCal("REPLY", vtReplyEvent(
		`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`,
		`ATTENDEE;PARTSTAT=ACCEPTED;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`)...)
	// RFC 5546 §4.2.5: the delegator C forwards the REQUEST to the delegate E.
	delegationRequest := vtCal("REQUEST", vtComp("VEVENT", "UID:1@example.com", "DTSTAMP:20260101T000000Z",
		"DTSTART:20260102T100000Z", "SUMMARY:Meeting", "ORGANIZER:mailto:a@example.com",
		`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`,
		`ATTENDEE;RSVP=TRUE;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`,
		"ATTENDEE:mailto:b@example.com")...)
	sentBy := vtCal("REQUEST", vtComp("VEVENT", "UID:1", "DTSTAMP:20260101T000000Z", "DTSTART:20260102T100000Z", "SUMMARY:x",
		`ORGANIZER;SENT-BY="mailto:sec@example.com":mailto:boss@example.com`, "ATTENDEE:mailto:b@example.com")...)
	twoEvents := vtCal("REQUEST", vtJoin(vtEvent(), vtComp("VEVENT", "UID:1@example.com", "RECURRENCE-ID:20260103T100000Z",
		"DTSTAMP:20260101T000000Z", "DTSTART:20260103T100000Z", "SUMMARY:x", "ORGANIZER:mailto:other@example.com", "ATTENDEE:mailto:b@example.com"))...)
	tests := []struct {
		name, cal, originator string
		ok                    bool
	}{
		{"organizer REQUEST", vtCal("REQUEST", vtEvent()...), "mailto:a@example.com", true},
		{"organizer address in other case", vtCal("REQUEST", vtEvent()...), "MAILTO:A@Example.COM", true},
		{"bare address", vtCal("REQUEST", vtEvent()...), "a@example.com", true},
		{"forged REQUEST", vtCal("REQUEST", vtEvent()...), "mailto:mallory@example.com", false},
		{"REQUEST from an attendee, not delegating", vtCal("REQUEST", vtEvent()...), "mailto:b@example.com", false},
		{"organizer of one component only", twoEvents, "mailto:a@example.com", false},
		{"SENT-BY of the ORGANIZER", sentBy, "mailto:sec@example.com", true},
		{"the ORGANIZER with a SENT-BY", sentBy, "mailto:boss@example.com", true},
		{"CANCEL from organizer", vtCal("CANCEL", vtEvent("SEQUENCE:1")...), "mailto:a@example.com", true},
		{"CANCEL from attendee", vtCal("CANCEL", vtEvent("SEQUENCE:1")...), "mailto:b@example.com", false},
		{"DECLINECOUNTER from organizer", vtCal("DECLINECOUNTER", vtEvent("SEQUENCE:1")...), "mailto:a@example.com", true},
		{"attendee REPLY", vtCal("REPLY", vtReplyEvent("ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.com")...), "mailto:b@example.com", true},
		{"REPLY by SENT-BY", vtCal("REPLY", vtReplyEvent(`ATTENDEE;SENT-BY="mailto:sec@example.com":mailto:b@example.com`)...), "mailto:sec@example.com", true},
		{"REPLY from the organizer", vtCal("REPLY", vtReplyEvent("ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.com")...), "mailto:a@example.com", false},
		{"REPLY from someone else", vtCal("REPLY", vtReplyEvent("ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.com")...), "mailto:z@example.com", false},
		{"delegation REPLY from the delegate", delegationReply, "mailto:e@example.com", true},
		{"delegation REPLY from the delegator", delegationReply, "mailto:c@example.com", true},
		{"REPLY with unrelated ATTENDEEs", vtCal("REPLY", vtReplyEvent("ATTENDEE:mailto:b@example.com", "ATTENDEE:mailto:c@example.com")...), "mailto:b@example.com", false},
		{"delegation REQUEST from the delegator", delegationRequest, "mailto:c@example.com", true},
		{"delegation REQUEST from the organizer", delegationRequest, "mailto:a@example.com", true},
		{"delegation REQUEST from a non-delegating attendee", delegationRequest, "mailto:b@example.com", false},
		{"delegation REQUEST from the delegate", delegationRequest, "mailto:e@example.com", false},
		{"REFRESH from an attendee", vtCal("REFRESH", vtReplyEvent("ATTENDEE:mailto:b@example.com")...), "mailto:b@example.com", true},
		{"REFRESH from a stranger", vtCal("REFRESH", vtReplyEvent("ATTENDEE:mailto:b@example.com")...), "mailto:z@example.com", false},
		{"COUNTER from an attendee", vtCal("COUNTER", vtEvent("SEQUENCE:0")...), "mailto:b@example.com", true},
		{"COUNTER from the organizer", vtCal("COUNTER", vtEvent("SEQUENCE:0")...), "mailto:a@example.com", false},
		{"unknown METHOD", vtCal("POLL", vtEvent()...), "mailto:a@example.com", false},
		{"no METHOD", vtCal("", vtEvent()...), "mailto:a@example.com", false},
		{"no originator", vtCal("REQUEST", vtEvent()...), "", false},
		{"no component", vtCal("REQUEST", vtZone()...), "mailto:a@example.com", false},
		{"REQUEST without ORGANIZER", vtCal("REQUEST", vtWithout(vtEvent(), "ORGANIZER")...), "mailto:a@example.com", false},
	}
	for _, tt := range tests {
		p := CheckOriginator(vtParse(t, tt.cal), tt.originator)
		if (p == nil) != tt.ok {
			t.Errorf("CheckOriginator(%s, %q) = %v, want ok %v", tt.name, tt.originator, p, tt.ok)
			continue
		}
		if p != nil && (p.Rule != "originator" || p.Status != "3.8" || p.Warning || p.Message == "") {
			t.Errorf("CheckOriginator(%s, %q) = %#v, want rule originator, status 3.8", tt.name, tt.originator, *p)
		}
	}
	if p := CheckOriginator(nil, "mailto:a@example.com"); p == nil || p.Status != "3.8" {
		t.Errorf("CheckOriginator(nil) = %v, want a 3.8 problem", p)
	}
}

// vtJSONRow is a row of restrictions.json as the test reads it,
// independently of parseRestrictions.
type vtJSONRow struct {
	Presence string `json:"presence"`
	Min      int    `json:"min"`
	Max      *int   `json:"max"`
}

// TestTablesLoaded compares the loaded tables with restrictions.json, read
// again here: every one of the 22 method tables and the 3 common tables,
// row by row.
func TestTablesLoaded(t *testing.T) {
	var j struct {
		Matrix map[string]map[string]bool `json:"method_component_matrix"`
		Common map[string]struct {
			Properties    map[string]vtJSONRow `json:"properties"`
			Subcomponents map[string]struct {
				Properties map[string]vtJSONRow `json:"properties"`
			} `json:"subcomponents"`
		} `json:"common"`
		Tables map[string]map[string]struct {
			Section       string               `json:"section"`
			Calendar      map[string]vtJSONRow `json:"calendar"`
			Component     map[string]vtJSONRow `json:"component"`
			Required      []string             `json:"required"`
			Forbidden     []string             `json:"forbidden"`
			UnlistedProps []string             `json:"unlisted_rfc5545_properties"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(restrictionsJSON, &j); err != nil {
		t.Fatal(err)
	}
	r := loadedRestrictions()
	// compare checks that the rows rs hold exactly the JSON rows (with the
	// IANA-/X- rows as flags), plus the unlisted ones.
	compare := func(what string, rs *rowSet, rows map[string]vtJSONRow, unlisted []string, skip string) {
		t.Helper()
		n := 0
		for name, jr := range rows {
			switch name {
			case "IANA-PROPERTY", "IANA-COMPONENT":
				if !rs.iana {
					t.Errorf("%s: %s row not loaded", what, name)
				}
				continue
			case "X-PROPERTY", "X-COMPONENT":
				if !rs.x {
					t.Errorf("%s: %s row not loaded", what, name)
				}
				continue
			case skip:
				continue
			}
			n++
			row, ok := rs.row(name)
			wantMax := -1
			if jr.Max != nil {
				wantMax = *jr.Max
			}
			if !ok || row.min != jr.Min || row.max != wantMax || row.presence != jr.Presence || row.unlisted {
				t.Errorf("%s: row %s = %+v, %v; want presence %q", what, name, row, ok, jr.Presence)
			}
		}
		for _, name := range unlisted {
			if row, ok := rs.row(name); !ok || !row.unlisted || row.max != 1 {
				t.Errorf("%s: unlisted %s = %+v, %v", what, name, row, ok)
			}
		}
		if got := len(rs.rows); got != n+len(unlisted) {
			t.Errorf("%s: %d rows loaded, want %d", what, got, n+len(unlisted))
		}
	}
	tables := 0
	for comp, methods := range j.Tables {
		for method, jt := range methods {
			tables++
			what := comp + " " + method
			tb := r.table(comp, method)
			if tb == nil {
				t.Errorf("%s: not loaded", what)
				continue
			}
			if !j.Matrix[method][comp] {
				t.Errorf("%s: a table for a pair the matrix does not allow", what)
			}
			if tb.props.section != "RFC 5546 §"+jt.Section || tb.calendar.section != tb.props.section {
				t.Errorf("%s: section %q", what, tb.props.section)
			}
			compare(what+" calendar", &tb.calendar, jt.Calendar, nil, "")
			compare(what+" component", &tb.props, jt.Component, jt.UnlistedProps, "VALARM")
			if a := jt.Component["VALARM"]; tb.alarm.presence != a.Presence {
				t.Errorf("%s: VALARM row %+v, want %q", what, tb.alarm, a.Presence)
			}
			var required, forbidden []string
			for _, row := range tb.props.rows {
				if row.min > 0 {
					required = append(required, row.name)
				}
				if row.max == 0 {
					forbidden = append(forbidden, row.name)
				}
			}
			if !vtSameSet(required, jt.Required) || !vtSameSet(forbidden, jt.Forbidden) {
				t.Errorf("%s: required %v forbidden %v, want %v and %v", what, required, forbidden, jt.Required, jt.Forbidden)
			}
		}
	}
	if tables != 22 {
		t.Errorf("restrictions.json has %d method tables, want 22", tables)
	}
	for method, comps := range j.Matrix {
		for comp, ok := range comps {
			if ok != (r.table(comp, method) != nil) {
				t.Errorf("matrix[%s][%s] = %v, but table loaded: %v", method, comp, ok, r.table(comp, method) != nil)
			}
		}
	}
	if len(j.Common) != 3 {
		t.Errorf("restrictions.json has %d common tables, want 3", len(j.Common))
	}
	compare("common VCALENDAR", &r.calendar, j.Common["VCALENDAR"].Properties, nil, "")
	compare("common VTIMEZONE", &r.timezone, j.Common["VTIMEZONE"].Properties, nil, "")
	compare("common VALARM", &r.alarm, j.Common["VALARM"].Properties, nil, "")
	for name, sub := range j.Common["VTIMEZONE"].Subcomponents {
		compare("common VTIMEZONE "+name, r.tzSub[name], sub.Properties, nil, "")
	}
	if len(r.tzSub) != 2 {
		t.Errorf("VTIMEZONE sub-components: %d, want 2", len(r.tzSub))
	}
	// Rules read from comments and derived rules.
	if got := r.alarm.together; !vtSamePairs(got, [][2]string{{"DURATION", "REPEAT"}, {"REPEAT", "DURATION"}}) {
		t.Errorf("VALARM together = %v", got)
	}
	if got := r.tzSub["STANDARD"].exclusive; !vtSamePairs(got, [][2]string{{"RDATE", "RRULE"}}) && !vtSamePairs(got, [][2]string{{"RRULE", "RDATE"}}) {
		t.Errorf("STANDARD exclusive = %v", got)
	}
	if got := r.table("VEVENT", "COUNTER").status; got == nil || !got.must || !slices.Contains(got.values, "TENTATIVE") {
		t.Errorf("VEVENT COUNTER status rule = %+v, want MUST with TENTATIVE", got)
	}
	for _, comp := range []string{"VEVENT", "VTODO", "VJOURNAL"} {
		if got := r.table(comp, "CANCEL").status; got == nil || !got.must || !slices.Equal(got.values, []string{"CANCELLED"}) {
			t.Errorf("%s CANCEL status rule = %+v, want MUST CANCELLED", comp, got)
		}
	}
	if got := r.table("VFREEBUSY", "REPLY").utc; !vtSameSet(got, []string{"DTSTART", "DTEND"}) {
		t.Errorf("VFREEBUSY REPLY utc = %v", got)
	}
	if !slices.Equal(r.delegating, []string{"REQUEST"}) || len(r.organizer) != 5 || len(r.attendee) != 3 {
		t.Errorf("originator roles: organizer %v attendee %v delegating %v", r.organizer, r.attendee, r.delegating)
	}
}

func vtSameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func vtSamePairs(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, p := range b {
		if !slices.Contains(a, p) {
			return false
		}
	}
	return true
}

// TestParseRestrictionsErrors checks that a broken table file is refused
// rather than read half.
func TestParseRestrictionsErrors(t *testing.T) {
	for _, data := range []string{
		`{`,
		`{"tables":{},"common":{}}`,
		`{"tables":{"VEVENT":{"REQUEST":{"section":"3.2.2","component":{}}}}}`,
		`{"tables":{"VEVENT":{"REQUEST":{"section":"3.2.2","component":{"VALARM":{"presence":"0"}},"derived_rules":[{"rule":"new"}]}}}}`,
	} {
		if _, err := parseRestrictions([]byte(data)); err == nil {
			t.Errorf("parseRestrictions(%s) = nil error", data)
		}
	}
}
