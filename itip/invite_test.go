// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"slices"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
)

// otMsg is a message: METHOD then components.
func otMsg(method string, comps ...[]string) []string {
	out := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Organizer//EN", "METHOD:" + method}
	for _, c := range comps {
		out = append(out, c...)
	}
	return append(out, "END:VCALENDAR")
}

// otMsgLines are the lines of the test event as the organizer sends them:
// without SCHEDULE-STATUS.
func otMsgLines(extra ...string) []string {
	lines := otEventLines(extra...)
	for i, l := range lines {
		lines[i] = strings.Replace(l, ";SCHEDULE-STATUS=1.2", "", 1)
	}
	return lines
}

// otBobsCopy is Bob's copy of the test event: accepted, with his alarm,
// TRANSP and client state.
func otBobsCopy(extra ...string) []string {
	lines := otEdit(otEventLines(extra...), "ATTENDEE;CN=Bob", "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:"+otB)
	lines = append(lines, "TRANSP:TRANSPARENT", "X-MOZ-LASTACK:20260105T084500Z", "X-MOZ-SNOOZE-TIME-1767603600000000:20260105T085000Z", "X-APPLE-DEFAULT-ALARM:FALSE")
	return append(lines, otComp("VALARM", "ACTION:DISPLAY", "TRIGGER:-PT10M", "DESCRIPTION:Bob's")...)
}

// otResult sums up a Result.
func otResult(r Result) string {
	s := r.Status
	if r.Applied {
		s += " applied"
	}
	if r.Significant {
		s += " significant"
	}
	return s
}

// otProcess runs Process for Bob, or for who.
func otProcess(t *testing.T, stored, msg []string, who string) Result {
	t.Helper()
	var s *ical.Component
	if stored != nil {
		s = otParse(t, stored...)
	}
	if who == "" {
		who = otB
	}
	r, err := Process(s, otParse(t, msg...), who, otOpts())
	if err != nil {
		t.Fatalf("Process() error: %v", err)
	}
	if r.Applied && r.Object == nil {
		t.Fatalf("Process() applied without an object")
	}
	return r
}

func TestApplyRequestNewCopy(t *testing.T) {
	zone := otComp("VTIMEZONE", "TZID:Europe/Paris",
		"BEGIN:STANDARD", "DTSTART:19701025T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD")
	master := otEdit(otEventLines("RRULE:FREQ=DAILY;COUNT=5"), "DTSTART", "DTSTART;TZID=Europe/Paris:20260105T100000")
	master = append(master, otComp("VALARM", "ACTION:EMAIL", "TRIGGER:-PT10M", "SUMMARY:x", "DESCRIPTION:x", "ATTENDEE:mailto:spam@example.com")...)
	master = append(master, otComp("VALARM", "ACTION:DISPLAY", "TRIGGER:-PT10M", "DESCRIPTION:x")...)
	msg := otMsg("REQUEST", zone, otComp("VEVENT", master...), otComp("VEVENT", otInstance(7, []string{otO, otC})...))
	r := otProcess(t, nil, msg, "")
	if got := otResult(r); got != "2.0 applied significant" {
		t.Fatalf("Process(REQUEST, no copy) = %q", got)
	}
	text := string(ical.Marshal(r.Object))
	for _, bad := range []string{"METHOD", "ACTION:EMAIL", "RECURRENCE-ID"} {
		if strings.Contains(text, bad) {
			t.Errorf("new copy has %q:\n%s", bad, text)
		}
	}
	for _, want := range []string{"TZID:Europe/Paris\r\n", "ACTION:DISPLAY", "EXDATE:20260107T090000Z", "PRODID:" + DefaultProdID} {
		if !strings.Contains(text, want) {
			t.Errorf("new copy lacks %q:\n%s", want, text)
		}
	}
}

func TestApplyRequestChecks(t *testing.T) {
	event := func(extra ...string) []string { return otComp("VEVENT", otMsgLines(extra...)...) }
	for _, tc := range []struct {
		name   string
		stored []string
		msg    []string
		who    string
		want   string
	}{
		{name: "not an attendee", msg: otMsg("REQUEST", event()), who: otD, want: StatusInvalidUser},
		{name: "a group member", msg: otMsg("REQUEST", event("ATTENDEE;CUTYPE=GROUP:mailto:team@example.com")), who: otD, want: "2.0 applied significant"},
		{name: "a delegate", msg: otMsg("REQUEST", event("ATTENDEE;DELEGATED-FROM=\"mailto:c@example.com\":"+otD)), who: otD, want: "2.0 applied significant"},
		{name: "no organizer", msg: otMsg("REQUEST", otComp("VEVENT", "UID:u1", "DTSTAMP:20260101T000000Z", "DTSTART:20260105T090000Z", "ATTENDEE:"+otB)), want: StatusMissing},
		{
			name:   "another organizer: UID hijack",
			stored: otCal(event()),
			msg:    otMsg("REQUEST", otComp("VEVENT", otEdit(otMsgLines("SEQUENCE:5"), "ORGANIZER", "ORGANIZER:mailto:x@example.com")...)),
			want:   StatusNoAuthority,
		},
		{name: "older SEQUENCE", stored: otCal(event("SEQUENCE:2")), msg: otMsg("REQUEST", event("SEQUENCE:1", "DESCRIPTION:old")), want: StatusSuccess},
		{
			name:   "same SEQUENCE, older DTSTAMP",
			stored: otCal(event("SEQUENCE:2")),
			msg:    otMsg("REQUEST", otComp("VEVENT", otEdit(otMsgLines("SEQUENCE:2", "LOCATION:x"), "DTSTAMP", "DTSTAMP:20251231T000000Z")...)),
			want:   StatusSuccess,
		},
		{name: "the same message again", stored: otCal(event("SEQUENCE:2")), msg: otMsg("REQUEST", event("SEQUENCE:2")), want: StatusSuccess},
		{
			name:   "same SEQUENCE and DTSTAMP, other content: a second update within the second",
			stored: otCal(event("SEQUENCE:2")),
			msg:    otMsg("REQUEST", event("SEQUENCE:2", "DESCRIPTION:agenda")),
			want:   "2.0 applied significant",
		},
		{
			name:   "same SEQUENCE, later DTSTAMP: an update",
			stored: otCal(event("SEQUENCE:2")),
			msg:    otMsg("REQUEST", otComp("VEVENT", otEdit(otMsgLines("SEQUENCE:2", "DESCRIPTION:agenda"), "DTSTAMP", "DTSTAMP:20260102T000000Z")...)),
			want:   "2.0 applied significant",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := otResult(otProcess(t, tc.stored, tc.msg, tc.who)); got != tc.want {
				t.Errorf("Process(REQUEST) = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestApplyRequestUpdate(t *testing.T) {
	stored := otCal(otComp("VEVENT", otBobsCopy()...))
	msgOf := func(lines []string) []string {
		return otMsg("REQUEST", otComp("VEVENT", otEdit(lines, "DTSTAMP", "DTSTAMP:20260103T000000Z")...))
	}
	for _, tc := range []struct {
		name string
		msg  []string
		want string
		// bob is Bob's ATTENDEE parameters after.
		bob string
		// has and hasNot are checked in the new copy.
		has, hasNot []string
	}{
		{
			name: "others' answers only",
			msg:  msgOf(otEdit(otMsgLines(), "ATTENDEE;CN=Cleo", "ATTENDEE;CN=Cleo;PARTSTAT=DECLINED:"+otC)),
			want: "2.0 applied",
			bob:  ";CN=Bob;PARTSTAT=ACCEPTED",
			has:  []string{"PARTSTAT=DECLINED:mailto:c@example.com"},
		},
		{
			name:   "description: Bob's answer and private data kept",
			msg:    msgOf(otMsgLines("DESCRIPTION:agenda", "TRANSP:OPAQUE", "X-MOZ-LASTACK:20200101T000000Z", "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT1H", "DESCRIPTION:organizer's", "END:VALARM")),
			want:   "2.0 applied significant",
			bob:    ";CN=Bob;PARTSTAT=ACCEPTED",
			has:    []string{"DESCRIPTION:agenda", "TRANSP:TRANSPARENT", "X-MOZ-LASTACK:20260105T084500Z", "X-MOZ-SNOOZE-TIME-1767603600000000", "X-APPLE-DEFAULT-ALARM:FALSE", "DESCRIPTION:Bob's"},
			hasNot: []string{"TRANSP:OPAQUE", "organizer's", "X-MOZ-LASTACK:2020"},
		},
		{
			name:   "rescheduled: the organizer's answer for Bob",
			msg:    msgOf(otEdit(otEdit(otMsgLines("SEQUENCE:1"), "DTSTART", "DTSTART:20260105T080000Z"), "ATTENDEE;CN=Bob", "ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"+otB)),
			want:   "2.0 applied significant",
			bob:    ";CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE",
			has:    []string{"DTSTART:20260105T080000Z", "DESCRIPTION:Bob's", "TRANSP:TRANSPARENT"},
			hasNot: []string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := otProcess(t, stored, tc.msg, "")
			if got := otResult(r); got != tc.want {
				t.Fatalf("Process(REQUEST) = %q, want %q", got, tc.want)
			}
			text := strings.ReplaceAll(string(ical.Marshal(r.Object)), "\r\n ", "")
			if got := otAttendee(r.Object, "", otB); got != tc.bob {
				t.Errorf("Bob after Process(REQUEST) = %q, want %q", got, tc.bob)
			}
			for _, s := range tc.has {
				if !strings.Contains(text, s) {
					t.Errorf("copy after Process(REQUEST) lacks %q:\n%s", s, text)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(text, s) {
					t.Errorf("copy after Process(REQUEST) has %q:\n%s", s, text)
				}
			}
			if n := strings.Count(text, "BEGIN:VALARM"); n != 1 {
				t.Errorf("copy after Process(REQUEST) has %d alarms, want Bob's only", n)
			}
		})
	}
}

func TestApplyRequestInstances(t *testing.T) {
	all := []string{otO, otB, otC}
	stored := otSeries(nil, otInstance(8, all, "LOCATION:Elsewhere"))
	for _, tc := range []struct {
		name   string
		stored []string
		msg    []string
		// keys are the instances of the copy after, "" for the master.
		keys   []string
		exdate string
	}{
		{
			name: "one instance changed (RFC 5546 §4.4.2)",
			msg:  otMsg("REQUEST", otComp("VEVENT", otEdit(otInstance(6, all, "SEQUENCE:1"), "DTSTAMP", "DTSTAMP:20260103T000000Z")...)),
			keys: []string{"", "20260108T090000Z", "20260106T090000Z"},
		},
		{
			name:   "the whole object without the override, which Bob left (RFC 6638 §3.2.6)",
			msg:    otMsg("REQUEST", otComp("VEVENT", otMsgLines("RRULE:FREQ=DAILY;COUNT=5", "EXDATE:20260108T090000Z", "SEQUENCE:1")...)),
			keys:   []string{""},
			exdate: "20260108T090000Z",
		},
		{
			name: "the whole object with an override without Bob",
			msg: otMsg("REQUEST", otComp("VEVENT", otMsgLines("RRULE:FREQ=DAILY;COUNT=5", "SEQUENCE:1")...),
				otComp("VEVENT", otInstance(8, []string{otO, otC}, "SEQUENCE:1")...)),
			keys:   []string{""},
			exdate: "20260108T090000Z",
		},
		{
			name:   "invited to an instance after the series was cancelled",
			stored: otSeries([]string{"STATUS:CANCELLED", "SEQUENCE:1"}),
			msg:    otMsg("REQUEST", otComp("VEVENT", otInstance(8, all, "SEQUENCE:2")...)),
			keys:   []string{"20260108T090000Z"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := stored
			if tc.stored != nil {
				s = tc.stored
			}
			r := otProcess(t, s, tc.msg, "")
			if !r.Applied {
				t.Fatalf("Process(REQUEST) = %q, want applied", otResult(r))
			}
			o := newObject(r.Object)
			var keys []string
			for _, c := range o.comps {
				keys = append(keys, o.key(c))
			}
			if !slices.Equal(keys, tc.keys) {
				t.Errorf("instances after Process(REQUEST) = %q, want %q", keys, tc.keys)
			}
			if o.master != nil {
				if got := otProp(r.Object, "", ical.PropExDate); got != tc.exdate {
					t.Errorf("EXDATE after Process(REQUEST) = %q, want %q", got, tc.exdate)
				}
			}
		})
	}
}

func TestApplyAdd(t *testing.T) {
	add := otMsg("ADD", otComp("VEVENT", otEdit(otEdit(otMsgLines("SEQUENCE:1", "LOCATION:Annex"), "DTSTART", "DTSTART:20260112T090000Z"), "DTEND", "DTEND:20260112T100000Z")...))
	r := otProcess(t, nil, add, "")
	if otResult(r) != "2.0" || len(r.Messages) != 1 {
		t.Fatalf("Process(ADD, no copy) = %q with %d messages, want a REFRESH (RFC 5546 §3.2.4)", otResult(r), len(r.Messages))
	}
	if m := r.Messages[0]; m.Method != MethodRefresh || !slices.Equal(m.Recipients, []string{otO}) || m.Originator != otB {
		t.Errorf("Process(ADD, no copy) message = %s", otText(m))
	}
	otValid(t, r.Messages[0])

	stored := otCal(otComp("VEVENT", otBobsCopy("RRULE:FREQ=DAILY;COUNT=5")...))
	r = otProcess(t, stored, add, "")
	if got := otResult(r); got != "2.0 applied significant" {
		t.Fatalf("Process(ADD) = %q", got)
	}
	if got := otProp(r.Object, "", ical.PropRDate); got != "20260112T090000Z" {
		t.Errorf("RDATE after Process(ADD) = %q", got)
	}
	if got := otProp(r.Object, "", ical.PropSequence); got != "1" {
		t.Errorf("master SEQUENCE after Process(ADD) = %q, want the ADD's", got)
	}
	if got := otProp(r.Object, "20260112T090000Z", ical.PropLocation); got != "Annex" {
		t.Errorf("new instance LOCATION = %q", got)
	}
	if got := otProp(r.Object, "20260112T090000Z", ical.PropTransp); got != "TRANSPARENT" {
		t.Errorf("new instance TRANSP = %q, want Bob's", got)
	}
	if r2 := otProcess(t, strings.Split(strings.TrimSuffix(string(ical.Marshal(r.Object)), "\r\n"), "\r\n"), add, ""); r2.Applied {
		t.Errorf("Process(ADD) twice applied again")
	}

	journal := otMsg("ADD", otComp("VJOURNAL", "UID:j1", "DTSTAMP:20260101T000000Z", "DTSTART:20260105T090000Z", "SEQUENCE:1", "ORGANIZER:"+otO, "DESCRIPTION:x"))
	if got := otResult(otProcess(t, nil, journal, "")); got != "2.0 applied significant" {
		t.Errorf("Process(VJOURNAL ADD, no copy) = %q, want it taken as a PUBLISH (RFC 5546 §3.5.2)", got)
	}
}

func TestApplyCancel(t *testing.T) {
	series := otCal(otComp("VEVENT", otBobsCopy("RRULE:FREQ=DAILY;COUNT=5")...), otComp("VEVENT", otInstance(8, []string{otO, otB, otC})...))
	cancel := func(lines ...string) []string {
		return otMsg("CANCEL", otComp("VEVENT", slices.Concat([]string{"UID:u1", "DTSTAMP:20260103T000000Z", "ORGANIZER:" + otO, "ATTENDEE:" + otB}, lines)...))
	}
	for _, tc := range []struct {
		name   string
		stored []string
		msg    []string
		who    string
		want   string
		check  func(t *testing.T, obj *ical.Component)
	}{
		{
			name:   "whole event: kept, marked cancelled",
			stored: series,
			msg:    cancel("SEQUENCE:1", "STATUS:CANCELLED"),
			want:   "2.0 applied significant",
			check: func(t *testing.T, obj *ical.Component) {
				// The master takes the CANCEL's revision; the override
				// keeps its own, so that the organizer's later REQUEST of it
				// is not older.
				for rid, want := range map[string]string{"": "CANCELLED/1", "20260108T090000Z": "CANCELLED/"} {
					if got := otProp(obj, rid, ical.PropStatus) + "/" + otProp(obj, rid, ical.PropSequence); got != want {
						t.Errorf("instance %q after CANCEL = %q, want %q", rid, got, want)
					}
				}
			},
		},
		{
			name:   "an instance",
			stored: series,
			msg:    cancel("SEQUENCE:1", "RECURRENCE-ID:20260108T090000Z", "STATUS:CANCELLED"),
			want:   "2.0 applied significant",
			check: func(t *testing.T, obj *ical.Component) {
				if got := otProp(obj, "", ical.PropExDate); got != "20260108T090000Z" {
					t.Errorf("EXDATE after CANCEL = %q", got)
				}
				if len(newObject(obj).comps) != 1 {
					t.Errorf("override kept after its CANCEL")
				}
			},
		},
		{
			name:   "this and future instances",
			stored: series,
			msg:    cancel("SEQUENCE:1", "RECURRENCE-ID;RANGE=THISANDFUTURE:20260107T090000Z"),
			want:   "2.0 applied significant",
			check: func(t *testing.T, obj *ical.Component) {
				if got := otProp(obj, "", ical.PropRRule); got != "FREQ=DAILY;UNTIL=20260107T085959Z" {
					t.Errorf("RRULE after CANCEL THISANDFUTURE = %q", got)
				}
				if len(newObject(obj).comps) != 1 {
					t.Errorf("later override kept after CANCEL THISANDFUTURE")
				}
			},
		},
		{
			name:   "all-day series: this and future instances",
			stored: otCal(otComp("VEVENT", otEdit(otBobsCopy("RRULE:FREQ=WEEKLY;COUNT=4", "RDATE;VALUE=DATE:20260130"), "DTSTART", "DTSTART;VALUE=DATE:20260105")...)),
			msg:    cancel("SEQUENCE:1", "RECURRENCE-ID;VALUE=DATE;RANGE=THISANDFUTURE:20260119"),
			want:   "2.0 applied significant",
			check: func(t *testing.T, obj *ical.Component) {
				if got := otProp(obj, "", ical.PropRRule) + " " + otProp(obj, "", ical.PropRDate); got != "FREQ=WEEKLY;UNTIL=20260118 " {
					t.Errorf("RRULE and RDATE after CANCEL THISANDFUTURE = %q", got)
				}
			},
		},
		{
			name:   "an instance of a copy of instances only",
			stored: otCal(otComp("VEVENT", otInstance(8, []string{otO, otB})...)),
			msg:    cancel("SEQUENCE:1", "RECURRENCE-ID:20260108T090000Z"),
			want:   "2.0 applied significant",
			check: func(t *testing.T, obj *ical.Component) {
				if got := otProp(obj, "20260108T090000Z", ical.PropStatus); got != "CANCELLED" {
					t.Errorf("override STATUS after CANCEL = %q", got)
				}
			},
		},
		{name: "stale", stored: otCal(otComp("VEVENT", otBobsCopy("SEQUENCE:3")...)), msg: cancel("SEQUENCE:2"), want: "2.0"},
		{
			name:   "the same revision as the copy: Bob removed within the second he was invited",
			stored: otCal(otComp("VEVENT", otEdit(otBobsCopy("SEQUENCE:2"), "DTSTAMP", "DTSTAMP:20260103T000000Z")...)),
			msg:    cancel("SEQUENCE:2"),
			want:   "2.0 applied significant",
		},
		{name: "already cancelled", stored: otCal(otComp("VEVENT", otBobsCopy("SEQUENCE:2", "STATUS:CANCELLED")...)), msg: cancel("SEQUENCE:2"), want: "2.0"},
		{
			name:   "an instance already excluded",
			stored: otCal(otComp("VEVENT", otBobsCopy("RRULE:FREQ=DAILY;COUNT=5", "EXDATE:20260107T090000Z")...)),
			msg:    cancel("SEQUENCE:1", "RECURRENCE-ID:20260107T090000Z"),
			want:   "2.0",
		},
		{name: "unknown object (RFC 5546 §5.2.1)", msg: cancel("SEQUENCE:2"), want: "2.0"},
		{name: "from another organizer", stored: series, msg: otEdit(cancel("SEQUENCE:2"), "ORGANIZER", "ORGANIZER:mailto:x@example.com"), want: StatusNoAuthority},
		{name: "for another attendee", stored: series, msg: cancel("SEQUENCE:2"), who: otC, want: StatusInvalidUser},
		{name: "DECLINECOUNTER", stored: series, msg: otEdit(cancel("SEQUENCE:0"), "METHOD", "METHOD:DECLINECOUNTER"), want: "2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := otProcess(t, tc.stored, tc.msg, tc.who)
			if got := otResult(r); got != tc.want {
				t.Fatalf("Process(%s) = %q, want %q", tc.msg[3], got, tc.want)
			}
			if tc.check != nil {
				tc.check(t, r.Object)
			}
		})
	}
}

// TestOrganizerToAttendee delivers what OrganizerUpdate sends and checks
// the attendees' copies follow the organizer's.
func TestOrganizerToAttendee(t *testing.T) {
	copies := map[string]*ical.Component{}
	step := func(old, new []string) {
		t.Helper()
		var o *ical.Component
		if old != nil {
			o = otParse(t, old...)
		}
		up, err := OrganizerUpdate(o, otParse(t, new...), otOpts())
		if err != nil {
			t.Fatalf("OrganizerUpdate() error: %v", err)
		}
		for _, m := range up.Messages {
			for _, r := range m.Recipients {
				res, err := Process(copies[r], m.Calendar, r, otOpts())
				if err != nil || res.Status != StatusSuccess {
					t.Fatalf("Process(%s) for %s = %+v, %v", m.Method, r, res, err)
				}
				if res.Applied {
					copies[r] = res.Object
				}
			}
		}
	}
	v1 := otSeries(nil)
	step(nil, v1)
	v2 := otSeries([]string{"EXDATE:20260107T090000Z", "SEQUENCE:1"}, otInstance(8, []string{otO, otB, otD}, "SEQUENCE:1"))
	step(v1, v2)
	if got := otProp(copies[otB], "", ical.PropExDate); got != "20260107T090000Z" {
		t.Errorf("Bob's EXDATE = %q", got)
	}
	if got := otProp(copies[otC], "", ical.PropExDate); got != "20260107T090000Z|20260108T090000Z" {
		t.Errorf("Cleo's EXDATE = %q", got)
	}
	if o := newObject(copies[otD]); o.master != nil || len(o.comps) != 1 {
		t.Errorf("Dan's copy has %d components and master %v, want the instance only", len(o.comps), o.master != nil)
	}
	step(v2, otSeries([]string{"EXDATE:20260107T090000Z", "SEQUENCE:2", "STATUS:CANCELLED"}, otInstance(8, []string{otO, otB, otD}, "SEQUENCE:1")))
	for _, r := range []string{otB, otC, otD} {
		for _, c := range newObject(copies[r]).comps {
			if !isCancelledComp(c) {
				t.Errorf("%s's copy not cancelled after the series was", otShort(r))
			}
		}
	}
}

// TestAttendeeRFC5546Examples applies the organizer's messages of RFC 5546
// §4.2 and §4.4 to attendee B's copy, through Process (which validates
// them first).
func TestAttendeeRFC5546Examples(t *testing.T) {
	msg := func(name string, edits ...string) *ical.Component {
		return otParse(t, strings.Split(strings.TrimRight(otRFC(t, name, edits...), "\r\n"), "\r\n")...)
	}
	apply := func(stored *ical.Component, m *ical.Component) Result {
		t.Helper()
		r, err := Process(stored, m, "mailto:b@example.com", otOpts())
		if err != nil {
			t.Fatalf("Process() error: %v", err)
		}
		return r
	}
	// §4.2.1 then §4.2.3: the invitation, then the event moved. §4.2.1's
	// DTEND has a digit too many, which validation refuses (3.5).
	invite := msg("4.2.1_a", "DTEND:19970701T2100000Z", "DTEND:19970701T210000Z")
	if got := otResult(apply(nil, msg("4.2.1_a"))); got != StatusInvalidDate {
		t.Errorf("Process(4.2.1 as printed) = %q, want %s", got, StatusInvalidDate)
	}
	r := apply(nil, invite)
	if !r.Applied || r.Object.Prop(ical.PropMethod) != nil {
		t.Fatalf("Process(4.2.1) = %q", otResult(r))
	}
	r = apply(r.Object, msg("4.2.3_a"))
	if got := otResult(r); got != "2.0 applied significant" || otProp(r.Object, "", ical.PropDTStart) != "19970701T180000Z" {
		t.Errorf("Process(4.2.3) = %q, DTSTART %q", got, otProp(r.Object, "", ical.PropDTStart))
	}
	// Delivered again, §4.2.1 is older than the copy (§2.1.5).
	if got := otResult(apply(r.Object, invite)); got != "2.0" {
		t.Errorf("Process(4.2.1 after 4.2.3) = %q, want ignored", got)
	}
	// §4.2.9: cancelled.
	if r2 := apply(r.Object, msg("4.2.9_a")); !r2.Applied || !isCancelledComp(newObject(r2.Object).master) {
		t.Errorf("Process(4.2.9) = %q", otResult(r2))
	}

	// §4.4.2–4.4.4: a recurring event, an instance moved, another
	// cancelled, then the series.
	r = apply(nil, msg("4.4.2_a"))
	r = apply(r.Object, msg("4.4.2_b"))
	if n := len(newObject(r.Object).comps); n != 2 || otProp(r.Object, "19970701T210000Z", ical.PropDTStart) != "19970703T210000Z" {
		t.Fatalf("Process(4.4.2 b) = %q with %d components", otResult(r), n)
	}
	r = apply(r.Object, msg("4.4.3_a"))
	if got := otProp(r.Object, "", ical.PropExDate) + " " + otProp(r.Object, "", ical.PropSequence); got != "19970801T210000Z 2" {
		t.Errorf("master after Process(4.4.3) = %q, want the EXDATE and the CANCEL's SEQUENCE", got)
	}
	r = apply(r.Object, msg("4.4.4_a"))
	if !r.Applied || !isCancelledComp(newObject(r.Object).master) {
		t.Errorf("Process(4.4.4) = %q", otResult(r))
	}

	// §4.4.6: an instance added to §4.4.7's series (the same UID).
	r = apply(nil, msg("4.4.7_a"))
	r = apply(r.Object, msg("4.4.6_a"))
	if got := otProp(r.Object, "", ical.PropRDate); got != "19970715T210000Z" {
		t.Errorf("RDATE after Process(4.4.6) = %q", got)
	}
	if got := otProp(r.Object, "19970715T210000Z", ical.PropDescription); got != "IETF-C&S Conference Call" {
		t.Errorf("added instance after Process(4.4.6) has DESCRIPTION %q", got)
	}
}
