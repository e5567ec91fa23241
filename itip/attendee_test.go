// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

var atNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// atParse parses an iCalendar object written one content line per string.
func atParse(t *testing.T, lines ...string) *ical.Component {
	t.Helper()
	cal, err := ical.Parse([]byte(strings.Join(lines, "\r\n") + "\r\n"))
	if err != nil {
		t.Fatalf("ical.Parse: %v", err)
	}
	return cal.Component
}

// atEvent is an attendee's copy of a meeting organized by a with b and c;
// extra lines go into the VEVENT, before END:VEVENT.
func atEvent(extra ...string) []string {
	return slices.Concat([]string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN",
		"BEGIN:VEVENT",
		"UID:u1", "SEQUENCE:1", "DTSTAMP:20260301T080000Z",
		"DTSTART:20260310T090000Z", "DTEND:20260310T100000Z",
		"SUMMARY:Planning",
		"ORGANIZER;CN=A:mailto:a@example.com",
		"ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:a@example.com",
		"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CUTYPE=INDIVIDUAL;CN=B:mailto:b@example.com",
		"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:c@example.com",
	}, extra, []string{"END:VEVENT", "END:VCALENDAR"})
}

// atEdit returns lines with every line starting with prefix replaced by
// repl (nothing when repl is "").
func atEdit(lines []string, prefix string, repl ...string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			out = append(out, repl...)
			continue
		}
		out = append(out, l)
	}
	return out
}

// atComps returns the main components of a message's calendar.
func atComps(m Message) []*ical.Component { return newObject(m.Calendar).comps }

const (
	atB   = "mailto:b@example.com"
	atBNA = "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CUTYPE=INDIVIDUAL;CN=B:mailto:b@example.com"
)

func atBAs(partstat string, more ...string) string {
	return "ATTENDEE;PARTSTAT=" + partstat + ";RSVP=TRUE;CUTYPE=INDIVIDUAL;CN=B" + strings.Join(more, "") + ":mailto:b@example.com"
}

func TestAttendeeUpdateRefused(t *testing.T) {
	base := atEvent()
	tests := []struct {
		name string
		new  []string
	}{
		{"organizer rewritten", atEdit(base, "ORGANIZER", "ORGANIZER:mailto:b@example.com")},
		{"organizer CN changed", atEdit(base, "ORGANIZER", "ORGANIZER;CN=Boss:mailto:a@example.com")},
		{"another attendee's PARTSTAT", atEdit(base, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:c", "ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:c@example.com")},
		{"DTSTART moved", atEdit(base, "DTSTART", "DTSTART:20260310T100000Z")},
		{"DTEND moved", atEdit(base, "DTEND", "DTEND:20260310T110000Z")},
		{"SUMMARY changed", atEdit(base, "SUMMARY", "SUMMARY:Mine")},
		{"LOCATION added", atEdit(base, "SUMMARY", "SUMMARY:Planning", "LOCATION:Home")},
		{"attendee added", atEdit(base, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:c", "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:c@example.com", "ATTENDEE:mailto:x@example.com")},
		{"attendee removed", atEdit(base, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:c")},
		{"own attendee removed", atEdit(base, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CUTYPE")},
		{"own CN changed", atEdit(base, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CUTYPE", "ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE;CUTYPE=INDIVIDUAL;CN=Bob:mailto:b@example.com")},
		{"UID changed", atEdit(base, "UID", "UID:u2")},
		{"delegate without DELEGATED-TO", atEdit(base, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:c", "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:c@example.com", `ATTENDEE;DELEGATED-FROM="mailto:b@example.com":mailto:e@example.com`)},
		{"RRULE added", atEdit(base, "SUMMARY", "SUMMARY:Planning", "RRULE:FREQ=DAILY;COUNT=2")},
		{"VTODO STATUS cancelled", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, new := base, tt.new
			if new == nil {
				old = atEdit(atEvent("STATUS:NEEDS-ACTION"), "BEGIN:VEVENT", "BEGIN:VTODO")
				old = atEdit(old, "END:VEVENT", "END:VTODO")
				old = atEdit(old, "DTEND", "DUE:20260310T100000Z")
				new = atEdit(old, "STATUS", "STATUS:CANCELLED")
			}
			_, err := AttendeeUpdate(atParse(t, old...), atParse(t, new...), atB, Options{Now: atNow})
			var ce *ChangeError
			if !errors.As(err, &ce) || ce.Condition != "allowed-attendee-scheduling-object-change" {
				t.Fatalf("AttendeeUpdate(%s) = %v, want a ChangeError allowed-attendee-scheduling-object-change", tt.name, err)
			}
		})
	}
}

func TestAttendeeUpdateSilent(t *testing.T) {
	base := atEvent()
	tests := []struct {
		name        string
		new         []string
		wantChanged bool
	}{
		{"unchanged", base, false},
		{"alarm added", atEdit(base, "SUMMARY", "SUMMARY:Planning", "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT5M", "DESCRIPTION:x", "END:VALARM"), false},
		{"TRANSP and X- property", atEdit(base, "SUMMARY", "SUMMARY:Planning", "TRANSP:TRANSPARENT", "X-MY-COLOR:red"), false},
		{"DTSTAMP and LAST-MODIFIED", atEdit(atEdit(base, "DTSTAMP", "DTSTAMP:20260302T090000Z"), "SUMMARY", "SUMMARY:Planning", "LAST-MODIFIED:20260302T090000Z"), false},
		{"RSVP only", atEdit(base, atBNA, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=FALSE;CUTYPE=INDIVIDUAL;CN=B:mailto:b@example.com"), false},
		{"parameters reordered and address case", atEdit(base, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:c", "ATTENDEE;RSVP=TRUE;PARTSTAT=needs-action:MAILTO:C@example.com"), false},
		{"same instant in another zone", atEdit(atEdit(base, "DTSTART", "DTSTART;TZID=Europe/Paris:20260310T100000"), "DTEND", "DTEND;TZID=Europe/Paris:20260310T110000"), false},
		{"SEQUENCE raised by the client", atEdit(base, "SEQUENCE", "SEQUENCE:7"), true},
		{"calendar PRODID and X- property", atEdit(base, "PRODID", "PRODID:-//Other//EN", "X-WR-CALNAME:Mine"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := AttendeeUpdate(atParse(t, base...), atParse(t, tt.new...), atB, Options{Now: atNow})
			if err != nil {
				t.Fatalf("AttendeeUpdate(%s) error = %v", tt.name, err)
			}
			if len(u.Messages) != 0 || u.Changed != tt.wantChanged {
				t.Errorf("AttendeeUpdate(%s) = %d messages, Changed %v; want 0, %v", tt.name, len(u.Messages), u.Changed, tt.wantChanged)
			}
			if got := sequence(newObject(u.Object).master); got != 1 {
				t.Errorf("AttendeeUpdate(%s) stored SEQUENCE %d, want the organizer's 1", tt.name, got)
			}
		})
	}
}

func TestAttendeeUpdateReply(t *testing.T) {
	base := atEvent()
	u, err := AttendeeUpdate(atParse(t, base...), atParse(t, atEdit(atEdit(base, atBNA, atBAs("ACCEPTED")), "SEQUENCE", "SEQUENCE:2")...), atB, Options{Now: atNow})
	if err != nil {
		t.Fatalf("AttendeeUpdate(accept) error = %v", err)
	}
	if len(u.Messages) != 1 {
		t.Fatalf("AttendeeUpdate(accept) = %d messages, want 1", len(u.Messages))
	}
	m := u.Messages[0]
	if m.Method != MethodReply || m.Originator != atB || !slices.Equal(m.Recipients, []string{"mailto:a@example.com"}) || m.UID != "u1" {
		t.Errorf("AttendeeUpdate(accept) message = %s from %s to %v uid %s, want REPLY from b to a, u1", m.Method, m.Originator, m.Recipients, m.UID)
	}
	want := []string{
		"BEGIN:VCALENDAR", "PRODID:" + DefaultProdID, "VERSION:2.0", "METHOD:REPLY",
		"BEGIN:VEVENT", "UID:u1", "SEQUENCE:1", "DTSTAMP:20260302T100000Z",
		"DTSTART:20260310T090000Z", "DTEND:20260310T100000Z", "SUMMARY:Planning",
		"ORGANIZER;CN=A:mailto:a@example.com",
		"ATTENDEE;PARTSTAT=ACCEPTED;CN=B:mailto:b@example.com",
		"END:VEVENT", "END:VCALENDAR", "",
	}
	if got := strings.Split(string(ical.Marshal(m.Calendar)), "\r\n"); !slices.Equal(got, want) {
		t.Errorf("AttendeeUpdate(accept) REPLY:\n%s", scDiff(want, got))
	}
	if !u.Changed || sequence(newObject(u.Object).master) != 1 {
		t.Errorf("AttendeeUpdate(accept) Changed %v, SEQUENCE %d; want true (SEQUENCE restored), 1", u.Changed, sequence(newObject(u.Object).master))
	}
}

func TestAttendeeUpdateCases(t *testing.T) {
	base := atEvent()
	type want struct {
		methods    []Method
		recipients [][]string
		// attendees are the ATTENDEE lines of the first message's first
		// component; props other lines that must be in it.
		attendees []string
		props     []string
		changed   bool
	}
	tests := []struct {
		name     string
		old, new []string
		attendee string
		want     want
	}{{
		name: "decline with a comment",
		old:  base,
		new:  atEdit(atEdit(base, atBNA, atBAs("DECLINED")), "SUMMARY", "SUMMARY:Planning", "COMMENT:Out of office"),
		want: want{methods: []Method{MethodReply}, attendees: []string{"ATTENDEE;PARTSTAT=DECLINED;CN=B:mailto:b@example.com"}, props: []string{"COMMENT:Out of office"}},
	}, {
		name: "force send",
		old:  base,
		new:  atEdit(base, "ORGANIZER", "ORGANIZER;CN=A;SCHEDULE-FORCE-SEND=REPLY:mailto:a@example.com"),
		want: want{methods: []Method{MethodReply}, attendees: []string{"ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=B:mailto:b@example.com"}, changed: true},
	}, {
		name: "created accepted",
		new:  atEdit(base, atBNA, atBAs("TENTATIVE")),
		want: want{methods: []Method{MethodReply}, attendees: []string{"ATTENDEE;PARTSTAT=TENTATIVE;CN=B:mailto:b@example.com"}},
	}, {
		name: "over a copy that was not a scheduling object",
		old:  atEdit(atEdit(base, "ORGANIZER"), "ATTENDEE"),
		new:  atEdit(base, atBNA, atBAs("ACCEPTED")),
		want: want{methods: []Method{MethodReply}, attendees: []string{"ATTENDEE;PARTSTAT=ACCEPTED;CN=B:mailto:b@example.com"}},
	}, {
		name: "created unanswered",
		new:  base,
		want: want{},
	}, {
		name: "delegation",
		old:  base,
		new: atEdit(base, atBNA,
			`ATTENDEE;PARTSTAT=DELEGATED;RSVP=FALSE;CUTYPE=INDIVIDUAL;CN=B;DELEGATED-TO="mailto:e@example.com":mailto:b@example.com`,
			`ATTENDEE;RSVP=TRUE;DELEGATED-FROM="mailto:b@example.com":mailto:e@example.com`),
		want: want{
			methods:    []Method{MethodReply, MethodRequest},
			recipients: [][]string{{"mailto:a@example.com"}, {"mailto:e@example.com"}},
			attendees: []string{
				`ATTENDEE;PARTSTAT=DELEGATED;RSVP=FALSE;CN=B;DELEGATED-TO="mailto:e@example.com":mailto:b@example.com`,
				`ATTENDEE;RSVP=TRUE;DELEGATED-FROM="mailto:b@example.com":mailto:e@example.com`,
			},
		},
	}, {
		name:     "delegate answers organizer and delegator",
		attendee: "mailto:e@example.com",
		old: atEdit(base, atBNA,
			`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:b@example.com`,
			`ATTENDEE;RSVP=TRUE;DELEGATED-FROM="mailto:b@example.com":mailto:e@example.com`),
		new: atEdit(base, atBNA,
			`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:b@example.com`,
			`ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE;DELEGATED-FROM="mailto:b@example.com":mailto:e@example.com`),
		want: want{
			methods:    []Method{MethodReply},
			recipients: [][]string{{"mailto:a@example.com", "mailto:b@example.com"}},
			attendees:  []string{`ATTENDEE;PARTSTAT=ACCEPTED;DELEGATED-FROM="mailto:b@example.com":mailto:e@example.com`},
		},
	}, {
		name:     "group member answers",
		attendee: "mailto:m@example.com",
		old:      atEdit(base, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:c", "ATTENDEE;CUTYPE=GROUP;RSVP=TRUE:mailto:team@example.com"),
		new: atEdit(base, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:c", "ATTENDEE;CUTYPE=GROUP;RSVP=TRUE:mailto:team@example.com",
			`ATTENDEE;CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;MEMBER="mailto:team@example.com":mailto:m@example.com`),
		want: want{methods: []Method{MethodReply}, attendees: []string{`ATTENDEE;CUTYPE=INDIVIDUAL;PARTSTAT=ACCEPTED;MEMBER="mailto:team@example.com":mailto:m@example.com`}},
	}, {
		name: "client scheduling",
		old:  base,
		new:  atEdit(atEdit(base, "ORGANIZER", "ORGANIZER;SCHEDULE-AGENT=CLIENT:mailto:a@example.com"), "DTSTART", "DTSTART:20260311T090000Z"),
		want: want{},
	}, {
		name: "cancelled",
		old:  atEdit(base, "SUMMARY", "SUMMARY:Planning", "STATUS:CANCELLED"),
		new:  atEdit(atEdit(base, atBNA, atBAs("ACCEPTED")), "SUMMARY", "SUMMARY:Planning", "STATUS:CANCELLED"),
		want: want{},
	}, {
		name: "force send of another method",
		old:  base,
		new:  atEdit(base, "ORGANIZER", "ORGANIZER;CN=A;SCHEDULE-FORCE-SEND=REQUEST:mailto:a@example.com"),
		want: want{changed: true},
	}, {
		name:     "not an attendee",
		attendee: "mailto:z@example.com",
		old:      base,
		new:      atEdit(base, "SUMMARY", "SUMMARY:Other"),
		want:     want{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attendee := tt.attendee
			if attendee == "" {
				attendee = atB
			}
			var old *ical.Component
			if tt.old != nil {
				old = atParse(t, tt.old...)
			}
			u, err := AttendeeUpdate(old, atParse(t, tt.new...), attendee, Options{Now: atNow})
			if err != nil {
				t.Fatalf("AttendeeUpdate(%s) error = %v", tt.name, err)
			}
			var methods []Method
			for _, m := range u.Messages {
				methods = append(methods, m.Method)
			}
			if !slices.Equal(methods, tt.want.methods) || u.Changed != tt.want.changed {
				t.Fatalf("AttendeeUpdate(%s) = %v, Changed %v; want %v, %v", tt.name, methods, u.Changed, tt.want.methods, tt.want.changed)
			}
			for i, r := range tt.want.recipients {
				if !slices.Equal(u.Messages[i].Recipients, r) {
					t.Errorf("AttendeeUpdate(%s) message %d to %v, want %v", tt.name, i, u.Messages[i].Recipients, r)
				}
			}
			if len(u.Messages) == 0 {
				return
			}
			c := atComps(u.Messages[0])[0]
			var got []string
			for _, p := range c.PropsNamed(ical.PropAttendee) {
				got = append(got, string(ical.AppendProperty(nil, p)))
			}
			if !slices.Equal(got, tt.want.attendees) {
				t.Errorf("AttendeeUpdate(%s) ATTENDEEs:\n%s", tt.name, scDiff(tt.want.attendees, got))
			}
			for _, line := range tt.want.props {
				name, _, _ := strings.Cut(line, ":")
				if p := c.Prop(name); p == nil || string(ical.AppendProperty(nil, p)) != line {
					t.Errorf("AttendeeUpdate(%s) reply lacks %q", tt.name, line)
				}
			}
			if strings.Contains(string(ical.Marshal(u.Object)), "SCHEDULE-FORCE-SEND") {
				t.Errorf("AttendeeUpdate(%s) kept SCHEDULE-FORCE-SEND in the stored copy", tt.name)
			}
		})
	}
}

func TestAttendeeUpdateForceSendStatus(t *testing.T) {
	base := atEvent()
	u, err := AttendeeUpdate(atParse(t, base...), atParse(t, atEdit(base, "ORGANIZER", "ORGANIZER;CN=A;SCHEDULE-FORCE-SEND=X-OTHER:mailto:a@example.com")...), atB, Options{Now: atNow})
	if err != nil {
		t.Fatal(err)
	}
	org := newObject(u.Object).master.Prop(ical.PropOrganizer)
	if got := string(ical.AppendProperty(nil, org)); got != "ORGANIZER;CN=A;SCHEDULE-STATUS=2.3:mailto:a@example.com" {
		t.Errorf("AttendeeUpdate(SCHEDULE-FORCE-SEND=X-OTHER) ORGANIZER = %s, want SCHEDULE-STATUS=2.3 (RFC 6638 §7.2)", got)
	}
}

func TestAttendeeUpdateErrors(t *testing.T) {
	base := atEvent()
	if _, err := AttendeeUpdate(nil, atParse(t, base...), "mailto:a@example.com", Options{}); !errors.Is(err, ErrNotScheduling) {
		t.Errorf("AttendeeUpdate(by the organizer) error = %v, want ErrNotScheduling", err)
	}
	noOrg := atEdit(base, "ORGANIZER")
	if _, err := AttendeeUpdate(nil, atParse(t, noOrg...), atB, Options{}); !errors.Is(err, ErrNotScheduling) {
		t.Errorf("AttendeeUpdate(no ORGANIZER) error = %v, want ErrNotScheduling", err)
	}
	if _, err := AttendeeUpdate(nil, nil, atB, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("AttendeeUpdate(nil) error = %v, want ErrInvalid", err)
	}
}

// atSeries is b's copy of a daily meeting of three instances, with an
// organizer's override of the second (moved an hour later).
func atSeries(masterExtra []string, overrides ...[]string) []string {
	lines := []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN",
		"BEGIN:VEVENT", "UID:s1", "SEQUENCE:0", "DTSTAMP:20260301T080000Z",
		"DTSTART:20260310T090000Z", "DTEND:20260310T100000Z", "RRULE:FREQ=DAILY;COUNT=3",
	}
	lines = append(lines, masterExtra...)
	lines = append(lines, "SUMMARY:Daily", "ORGANIZER:mailto:a@example.com", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.com", "ATTENDEE:mailto:c@example.com", "END:VEVENT")
	for _, o := range overrides {
		lines = append(lines, o...)
	}
	return append(lines, "END:VCALENDAR")
}

func atInstance(rid, start, end, partstat string, extra ...string) []string {
	return slices.Concat([]string{
		"BEGIN:VEVENT", "UID:s1", "RECURRENCE-ID:" + rid, "SEQUENCE:0", "DTSTAMP:20260301T080000Z",
		"DTSTART:" + start, "DTEND:" + end, "SUMMARY:Daily", "ORGANIZER:mailto:a@example.com",
		"ATTENDEE;PARTSTAT=" + partstat + ":mailto:b@example.com", "ATTENDEE:mailto:c@example.com",
	}, extra, []string{"END:VEVENT"})
}

func TestAttendeeUpdateRecurring(t *testing.T) {
	moved := atInstance("20260311T090000Z", "20260311T100000Z", "20260311T110000Z", "ACCEPTED")
	base := atSeries(nil, moved)
	tests := []struct {
		name    string
		new     []string
		wantErr bool
		// want are the RECURRENCE-ID (or "master") and PARTSTAT of each
		// reply component.
		want []string
	}{
		{"decline one instance by override", atSeries(nil, moved, atInstance("20260312T090000Z", "20260312T090000Z", "20260312T100000Z", "DECLINED", "TRANSP:TRANSPARENT")),
			false, []string{"20260312T090000Z DECLINED"}},
		{"override without a change", atSeries(nil, moved, atInstance("20260312T090000Z", "20260312T090000Z", "20260312T100000Z", "ACCEPTED")), false, nil},
		{"override that moves the instance", atSeries(nil, moved, atInstance("20260312T090000Z", "20260312T080000Z", "20260312T090000Z", "DECLINED")), true, nil},
		{"override of no instance", atSeries(nil, moved, atInstance("20260320T090000Z", "20260320T090000Z", "20260320T100000Z", "DECLINED")), true, nil},
		{"EXDATE declines", atSeries([]string{"EXDATE:20260312T090000Z"}, moved), false, []string{"20260312T090000Z DECLINED"}},
		{"EXDATE of the moved instance", atSeries([]string{"EXDATE:20260311T090000Z"}), false, []string{"20260311T090000Z DECLINED"}},
		{"organizer's override removed", atSeries(nil), true, nil},
		{"accept the moved instance", atSeries(nil, atInstance("20260311T090000Z", "20260311T100000Z", "20260311T110000Z", "TENTATIVE")), false, []string{"20260311T090000Z TENTATIVE"}},
		{"master and instance", atEdit(atSeries(nil, atInstance("20260311T090000Z", "20260311T100000Z", "20260311T110000Z", "DECLINED")), "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b", "ATTENDEE;PARTSTAT=TENTATIVE:mailto:b@example.com"),
			false, []string{"master TENTATIVE", "20260311T090000Z DECLINED"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := AttendeeUpdate(atParse(t, base...), atParse(t, tt.new...), atB, Options{Now: atNow})
			if tt.wantErr {
				var ce *ChangeError
				if !errors.As(err, &ce) {
					t.Fatalf("AttendeeUpdate(%s) error = %v, want a ChangeError", tt.name, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("AttendeeUpdate(%s) error = %v", tt.name, err)
			}
			var got []string
			for _, m := range u.Messages {
				for _, c := range atComps(m) {
					rid := c.Value(ical.PropRecurrenceID)
					if rid == "" {
						rid = "master"
					}
					got = append(got, rid+" "+partStat(findAttendee(c, atB)))
					if (c.Prop(ical.PropRRule) != nil) != (rid == "master") || c.Value(ical.PropDTStart) == "" {
						t.Errorf("AttendeeUpdate(%s) reply component %s: RRULE %v, DTSTART %q; want RRULE on the master only, and DTSTART",
							tt.name, rid, c.Prop(ical.PropRRule) != nil, c.Value(ical.PropDTStart))
					}
				}
				if ps := Validate(m.Calendar, ValidateOptions{}); !Valid(ps) {
					t.Errorf("AttendeeUpdate(%s) REPLY is not valid iTIP: %v", tt.name, ps)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("AttendeeUpdate(%s) replies %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestAttendeeUpdateAttendeeLocalOverrideRemoved(t *testing.T) {
	local := atInstance("20260312T090000Z", "20260312T090000Z", "20260312T100000Z", "DECLINED", "TRANSP:TRANSPARENT")
	u, err := AttendeeUpdate(atParse(t, atSeries(nil, local)...), atParse(t, atSeries(nil)...), atB, Options{Now: atNow})
	if err != nil {
		t.Fatalf("AttendeeUpdate(remove own override) error = %v", err)
	}
	if len(u.Messages) != 1 {
		t.Fatalf("AttendeeUpdate(remove own override) = %d messages, want 1", len(u.Messages))
	}
	c := atComps(u.Messages[0])[0]
	if c.Value(ical.PropRecurrenceID) != "20260312T090000Z" || partStat(findAttendee(c, atB)) != "ACCEPTED" || c.Value(ical.PropDTStart) != "20260312T090000Z" {
		t.Errorf("AttendeeUpdate(remove own override) reply %q %q %q, want the instance ACCEPTED again",
			c.Value(ical.PropRecurrenceID), partStat(findAttendee(c, atB)), c.Value(ical.PropDTStart))
	}
}

func TestAttendeeDelete(t *testing.T) {
	moved := atInstance("20260311T090000Z", "20260311T100000Z", "20260311T110000Z", "ACCEPTED")
	tests := []struct {
		name     string
		obj      []string
		attendee string
		want     int // reply components
	}{
		{"series with an override", atSeries(nil, moved), atB, 2},
		{"cancelled", atEdit(atEvent(), "SUMMARY", "SUMMARY:Planning", "STATUS:CANCELLED"), atB, 0},
		{"cancelled instance", atSeries(nil, atInstance("20260311T090000Z", "20260311T100000Z", "20260311T110000Z", "ACCEPTED", "STATUS:CANCELLED")), atB, 1},
		{"client scheduling", atEdit(atEvent(), "ORGANIZER", "ORGANIZER;SCHEDULE-AGENT=NONE:mailto:a@example.com"), atB, 0},
		{"not an attendee", atEvent(), "mailto:z@example.com", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := AttendeeDelete(atParse(t, tt.obj...), tt.attendee, Options{Now: atNow})
			if err != nil {
				t.Fatalf("AttendeeDelete(%s) error = %v", tt.name, err)
			}
			if u.Object != nil {
				t.Errorf("AttendeeDelete(%s) Object = %v, want nil", tt.name, u.Object)
			}
			n := 0
			for _, m := range u.Messages {
				if m.Method != MethodReply || !slices.Equal(m.Recipients, []string{"mailto:a@example.com"}) {
					t.Errorf("AttendeeDelete(%s) message %s to %v, want REPLY to a", tt.name, m.Method, m.Recipients)
				}
				for _, c := range atComps(m) {
					n++
					if ps := partStat(findAttendee(c, tt.attendee)); ps != "DECLINED" {
						t.Errorf("AttendeeDelete(%s) PARTSTAT %s, want DECLINED", tt.name, ps)
					}
				}
			}
			if n != tt.want {
				t.Errorf("AttendeeDelete(%s) = %d reply components, want %d", tt.name, n, tt.want)
			}
		})
	}
	if _, err := AttendeeDelete(atParse(t, atEvent()...), "mailto:a@example.com", Options{}); !errors.Is(err, ErrNotScheduling) {
		t.Errorf("AttendeeDelete(by the organizer) error = %v, want ErrNotScheduling", err)
	}
}

func TestCounter(t *testing.T) {
	stored := atParse(t, atEvent()...)
	proposal := atParse(t, atEdit(atEdit(atEdit(atEvent("COMMENT:Later please", "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT5M", "DESCRIPTION:x", "END:VALARM"),
		"DTSTART", "DTSTART:20260310T140000Z"), "SEQUENCE", "SEQUENCE:9"), "SUMMARY")...)
	m, err := Counter(stored, proposal, atB, Options{Now: atNow})
	if err != nil {
		t.Fatalf("Counter() error = %v", err)
	}
	if m.Method != MethodCounter || m.Originator != atB || !slices.Equal(m.Recipients, []string{"mailto:a@example.com"}) {
		t.Errorf("Counter() = %s from %s to %v, want COUNTER from b to a", m.Method, m.Originator, m.Recipients)
	}
	c := atComps(m)[0]
	for name, want := range map[string]string{
		ical.PropSequence: "1", ical.PropDTStart: "20260310T140000Z", ical.PropSummary: "Planning",
		ical.PropDTStamp: "20260302T100000Z", ical.PropComment: "Later please",
	} {
		if got := c.Value(name); got != want {
			t.Errorf("Counter() %s = %q, want %q", name, got, want)
		}
	}
	if len(c.Components(ical.CompAlarm)) != 0 {
		t.Errorf("Counter() kept the attendee's VALARM")
	}
	bad := []struct {
		name     string
		proposed *ical.Component
		attendee string
	}{
		{"other UID", atParse(t, atEdit(atEvent(), "UID", "UID:zz")...), atB},
		{"not an attendee", atParse(t, atEvent()...), "mailto:z@example.com"},
		{"two components", atParse(t, atSeries(nil, atInstance("20260311T090000Z", "20260311T100000Z", "20260311T110000Z", "ACCEPTED"))...), atB},
	}
	for _, tt := range bad {
		if _, err := Counter(stored, tt.proposed, tt.attendee, Options{Now: atNow}); err == nil {
			t.Errorf("Counter(%s) error = nil, want an error", tt.name)
		}
	}
}

func TestRefresh(t *testing.T) {
	m, err := Refresh(atParse(t, atEvent()...), atB, Options{Now: atNow})
	if err != nil {
		t.Fatalf("Refresh() error = %v", err)
	}
	want := []string{
		"BEGIN:VCALENDAR", "PRODID:" + DefaultProdID, "VERSION:2.0", "METHOD:REFRESH",
		"BEGIN:VEVENT", "UID:u1", "DTSTAMP:20260302T100000Z", "ORGANIZER;CN=A:mailto:a@example.com",
		"ATTENDEE:mailto:b@example.com", "END:VEVENT", "END:VCALENDAR", "",
	}
	if got := strings.Split(string(ical.Marshal(m.Calendar)), "\r\n"); !slices.Equal(got, want) {
		t.Errorf("Refresh() message:\n%s", scDiff(want, got))
	}
	if !slices.Equal(m.Recipients, []string{"mailto:a@example.com"}) || m.Method != MethodRefresh {
		t.Errorf("Refresh() = %s to %v, want REFRESH to a", m.Method, m.Recipients)
	}
	todo := atEdit(atEdit(atEvent(), "BEGIN:VEVENT", "BEGIN:VTODO"), "END:VEVENT", "END:VTODO")
	m, err = Refresh(atParse(t, todo...), atB, Options{Now: atNow})
	if err != nil {
		t.Fatalf("Refresh(VTODO) error = %v", err)
	}
	if c := atComps(m)[0]; c.Prop(ical.PropOrganizer) != nil || c.Name != ical.CompToDo {
		t.Errorf("Refresh(VTODO) has ORGANIZER, which RFC 5546 §3.4.6 forbids")
	}
	if _, err := Refresh(atParse(t, atEvent()...), "mailto:z@example.com", Options{}); err == nil {
		t.Errorf("Refresh(not an attendee) error = nil, want an error")
	}
}
