// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"slices"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
)

const atA = "mailto:a@example.com"

// rpOrganizerCopy is a's copy of a meeting with b and c; b's reply of
// 20260302T090000Z is recorded.
func rpOrganizerCopy(extra ...string) []string {
	return slices.Concat([]string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN",
		"BEGIN:VEVENT", "UID:u1", "SEQUENCE:1", "DTSTAMP:20260301T080000Z",
		"DTSTART:20260310T090000Z", "DTEND:20260310T100000Z", "SUMMARY:Planning",
		"ORGANIZER:mailto:a@example.com",
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com",
		"ATTENDEE;PARTSTAT=TENTATIVE;RSVP=TRUE;SCHEDULE-STATUS=2.0;X-ALMANAC-REPLY-STAMP=20260302T090000Z:mailto:b@example.com",
		"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=1.2:mailto:c@example.com",
	}, extra, []string{"END:VEVENT", "END:VCALENDAR"})
}

// rpReply is a REPLY component's lines in a VCALENDAR.
func rpReply(comp string, lines ...string) []string {
	return slices.Concat([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "METHOD:REPLY", "BEGIN:" + comp},
		lines, []string{"END:" + comp, "END:VCALENDAR"})
}

func rpAttendee(c *ical.Component, addr string) string {
	if p := findAttendee(c, addr); p != nil {
		return string(ical.AppendProperty(nil, p))
	}
	return ""
}

func TestApplyReply(t *testing.T) {
	reply := func(seq, stamp, attendee string, more ...string) []string {
		return rpReply("VEVENT", slices.Concat([]string{"UID:u1", "SEQUENCE:" + seq, "DTSTAMP:" + stamp, "ORGANIZER:mailto:a@example.com", attendee}, more)...)
	}
	tests := []struct {
		name      string
		stored    []string
		msg       []string
		recipient string
		status    string
		applied   bool
		// check holds ATTENDEE lines expected in the master of the result.
		check []string
	}{{
		name: "accept", stored: rpOrganizerCopy(),
		msg:    reply("1", "20260302T100000Z", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@example.com"),
		status: "2.0", applied: true,
		check: []string{"ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE;SCHEDULE-STATUS=2.0;X-ALMANAC-REPLY-STAMP=20260302T100000Z:mailto:c@example.com"},
	}, {
		name: "later reply of the same revision", stored: rpOrganizerCopy(),
		msg:    reply("1", "20260302T100000Z", "ATTENDEE;PARTSTAT=DECLINED:mailto:b@example.com"),
		status: "2.0", applied: true,
		check: []string{"ATTENDEE;PARTSTAT=DECLINED;RSVP=TRUE;SCHEDULE-STATUS=2.0;X-ALMANAC-REPLY-STAMP=20260302T100000Z:mailto:b@example.com"},
	}, {
		name: "earlier reply of the same revision", stored: rpOrganizerCopy(),
		msg:    reply("1", "20260302T080000Z", "ATTENDEE;PARTSTAT=DECLINED:mailto:b@example.com"),
		status: "2.0",
	}, {
		name: "same DTSTAMP again", stored: rpOrganizerCopy(),
		msg:    reply("1", "20260302T090000Z", "ATTENDEE;PARTSTAT=DECLINED:mailto:b@example.com"),
		status: "2.0",
	}, {
		name: "reply to an older revision", stored: rpOrganizerCopy(),
		msg:    reply("0", "20260303T080000Z", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@example.com"),
		status: "2.0",
	}, {
		name: "party crasher", stored: rpOrganizerCopy(),
		msg:    reply("1", "20260302T100000Z", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:x@example.com"),
		status: "3.7",
	}, {
		name: "sent by an assistant", stored: rpOrganizerCopy(),
		msg:    reply("1", "20260302T100000Z", `ATTENDEE;PARTSTAT=ACCEPTED;SENT-BY="mailto:s@example.com":mailto:c@example.com`),
		status: "2.0", applied: true,
		check: []string{`ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE;SCHEDULE-STATUS=2.0;SENT-BY="mailto:s@example.com";X-ALMANAC-REPLY-STAMP=20260302T100000Z:mailto:c@example.com`},
	}, {
		name: "failure reply keeps PARTSTAT", stored: rpOrganizerCopy(),
		msg:    reply("1", "20260302T100000Z", "ATTENDEE:mailto:c@example.com", "REQUEST-STATUS:3.0;Invalid Property Name;FOO"),
		status: "3.0", applied: true,
		check: []string{"ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=3.0;X-ALMANAC-REPLY-STAMP=20260302T100000Z:mailto:c@example.com"},
	}, {
		name: "several REQUEST-STATUS", stored: rpOrganizerCopy(),
		msg:    reply("1", "20260302T100000Z", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@example.com", "REQUEST-STATUS:2.0;Success", "REQUEST-STATUS:2.4;Success\\, unknown property ignored;X-FOO"),
		status: "2.0", applied: true,
		check: []string{`ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE;SCHEDULE-STATUS="2.0,2.4";X-ALMANAC-REPLY-STAMP=20260302T100000Z:mailto:c@example.com`},
	}, {
		name: "delegator", stored: rpOrganizerCopy(),
		msg: reply("1", "20260302T100000Z", `ATTENDEE;PARTSTAT=DELEGATED;RSVP=FALSE;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`,
			`ATTENDEE;RSVP=TRUE;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`),
		status: "2.0", applied: true,
		check: []string{
			`ATTENDEE;PARTSTAT=DELEGATED;RSVP=FALSE;SCHEDULE-STATUS=2.0;DELEGATED-TO="mailto:e@example.com";X-ALMANAC-REPLY-STAMP=20260302T100000Z:mailto:c@example.com`,
			`ATTENDEE;RSVP=TRUE;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`,
		},
	}, {
		name: "delegate before the delegator's reply", stored: rpOrganizerCopy(),
		msg: reply("1", "20260302T100000Z", `ATTENDEE;PARTSTAT=ACCEPTED;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`,
			`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`),
		status: "2.0", applied: true,
		check: []string{
			`ATTENDEE;PARTSTAT=DELEGATED;RSVP=TRUE;SCHEDULE-STATUS=1.2;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`,
			`ATTENDEE;PARTSTAT=ACCEPTED;DELEGATED-FROM="mailto:c@example.com";SCHEDULE-STATUS=2.0;X-ALMANAC-REPLY-STAMP=20260302T100000Z:mailto:e@example.com`,
		},
	}, {
		name:   "group member",
		stored: atEdit(rpOrganizerCopy(), "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=1.2:mailto:c", "ATTENDEE;CUTYPE=GROUP:mailto:team@example.com"),
		msg:    reply("1", "20260302T100000Z", `ATTENDEE;PARTSTAT=ACCEPTED;MEMBER="mailto:team@example.com":mailto:m@example.com`),
		status: "2.0", applied: true,
		check: []string{`ATTENDEE;PARTSTAT=ACCEPTED;MEMBER="mailto:team@example.com";CUTYPE=INDIVIDUAL;SCHEDULE-STATUS=2.0;X-ALMANAC-REPLY-STAMP=20260302T100000Z:mailto:m@example.com`},
	}, {
		name:   "member of an individual",
		stored: rpOrganizerCopy(),
		msg:    reply("1", "20260302T100000Z", `ATTENDEE;PARTSTAT=ACCEPTED;MEMBER="mailto:c@example.com":mailto:m@example.com`),
		status: "3.7",
	}, {
		name: "other organizer", stored: rpOrganizerCopy(),
		msg:    rpReply("VEVENT", "UID:u1", "SEQUENCE:1", "DTSTAMP:20260302T100000Z", "ORGANIZER:mailto:z@example.com", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@example.com"),
		status: "3.8",
	}, {
		name: "no ORGANIZER (Outlook)", stored: rpOrganizerCopy(),
		msg:    rpReply("VEVENT", "UID:u1", "SEQUENCE:1", "DTSTAMP:20260302T100000Z", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@example.com"),
		status: "2.0", applied: true,
		check: []string{"ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE;SCHEDULE-STATUS=2.0;X-ALMANAC-REPLY-STAMP=20260302T100000Z:mailto:c@example.com"},
	}, {
		name: "no ATTENDEE", stored: rpOrganizerCopy(),
		msg:    rpReply("VEVENT", "UID:u1", "SEQUENCE:1", "DTSTAMP:20260302T100000Z", "ORGANIZER:mailto:a@example.com"),
		status: "3.11",
	}, {
		name:   "no copy",
		msg:    reply("1", "20260302T100000Z", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@example.com"),
		status: "2.0",
	}, {
		name: "received by an attendee who did not delegate", stored: rpOrganizerCopy(), recipient: "mailto:c@example.com",
		msg:    reply("1", "20260302T100000Z", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.com"),
		status: "3.8",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stored *ical.Component
			if tt.stored != nil {
				stored = atParse(t, tt.stored...)
			}
			before := ""
			if stored != nil {
				before = string(ical.Marshal(stored))
			}
			recipient := tt.recipient
			if recipient == "" {
				recipient = atA
			}
			res, err := Process(stored, atParse(t, tt.msg...), recipient, Options{Now: atNow})
			if err != nil {
				t.Fatalf("Process(REPLY %s) error = %v", tt.name, err)
			}
			if res.Status != tt.status || res.Applied != tt.applied || res.Significant {
				t.Fatalf("Process(REPLY %s) = status %s applied %v significant %v, want %s %v false", tt.name, res.Status, res.Applied, res.Significant, tt.status, tt.applied)
			}
			if stored != nil && string(ical.Marshal(stored)) != before {
				t.Errorf("Process(REPLY %s) modified the stored copy", tt.name)
			}
			if !tt.applied {
				return
			}
			master := newObject(res.Object).master
			for _, want := range tt.check {
				addr := want[strings.LastIndex(want, ":mailto:")+1:]
				if got := rpAttendee(master, addr); got != want {
					t.Errorf("Process(REPLY %s) ATTENDEE\n got %s\nwant %s", tt.name, got, want)
				}
			}
		})
	}
}

func TestApplyReplyDelegateToDelegator(t *testing.T) {
	delegator := atEdit(atEvent(), atBNA,
		`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:b@example.com`,
		`ATTENDEE;RSVP=TRUE;DELEGATED-FROM="mailto:b@example.com":mailto:e@example.com`)
	msg := rpReply("VEVENT", "UID:u1", "SEQUENCE:1", "DTSTAMP:20260302T100000Z", "ORGANIZER;CN=A:mailto:a@example.com",
		`ATTENDEE;PARTSTAT=ACCEPTED;DELEGATED-FROM="mailto:b@example.com":mailto:e@example.com`)
	res, err := Process(atParse(t, delegator...), atParse(t, msg...), atB, Options{Now: atNow})
	if err != nil {
		t.Fatalf("Process(delegate's REPLY to the delegator) error = %v", err)
	}
	if !res.Applied || res.Status != "2.0" || res.Significant {
		t.Fatalf("Process(delegate's REPLY to the delegator) = %+v, want applied 2.0", res)
	}
	if got := partStat(findAttendee(newObject(res.Object).master, "mailto:e@example.com")); got != "ACCEPTED" {
		t.Errorf("Process(delegate's REPLY to the delegator) delegate PARTSTAT = %s, want ACCEPTED", got)
	}
}

func TestApplyReplyInstances(t *testing.T) {
	stored := func(overrides ...[]string) []string {
		lines := atEdit(atSeries(nil, overrides...), "ORGANIZER", "ORGANIZER:mailto:a@example.com")
		return lines
	}
	reply := func(rid string) []string {
		return rpReply("VEVENT", "UID:s1", "SEQUENCE:0", "DTSTAMP:20260302T100000Z", "RECURRENCE-ID:"+rid, "ORGANIZER:mailto:a@example.com", "ATTENDEE;PARTSTAT=DECLINED:mailto:c@example.com")
	}
	// A new override, made from the master.
	res, err := Process(atParse(t, stored()...), atParse(t, reply("20260311T090000Z")...), atA, Options{Now: atNow})
	if err != nil || !res.Applied {
		t.Fatalf("Process(REPLY for an instance) = %+v, %v; want applied", res, err)
	}
	o := newObject(res.Object)
	ov := o.byKey["20260311T090000Z"]
	if ov == nil || len(o.comps) != 2 {
		t.Fatalf("Process(REPLY for an instance) made no override: %d components", len(o.comps))
	}
	if ov.Value(ical.PropDTStart) != "20260311T090000Z" || ov.Value(ical.PropDTEnd) != "20260311T100000Z" || ov.Prop(ical.PropRRule) != nil {
		t.Errorf("Process(REPLY for an instance) override DTSTART %s DTEND %s RRULE %v, want the instance without RRULE",
			ov.Value(ical.PropDTStart), ov.Value(ical.PropDTEnd), ov.Prop(ical.PropRRule) != nil)
	}
	if partStat(findAttendee(ov, "mailto:c@example.com")) != "DECLINED" || partStat(findAttendee(o.master, "mailto:c@example.com")) != "NEEDS-ACTION" {
		t.Errorf("Process(REPLY for an instance) changed the master or not the override")
	}
	// An existing override.
	moved := atInstance("20260311T090000Z", "20260311T100000Z", "20260311T110000Z", "ACCEPTED")
	res, err = Process(atParse(t, stored(moved)...), atParse(t, reply("20260311T090000Z")...), atA, Options{Now: atNow})
	if err != nil || !res.Applied || len(newObject(res.Object).comps) != 2 {
		t.Fatalf("Process(REPLY for an override) = %+v, %v; want applied to the override", res, err)
	}
	if got := newObject(res.Object).byKey["20260311T090000Z"].Value(ical.PropDTStart); got != "20260311T100000Z" {
		t.Errorf("Process(REPLY for an override) DTSTART %s, want the override's 20260311T100000Z", got)
	}
	// No such instance.
	res, err = Process(atParse(t, stored()...), atParse(t, reply("20260320T090000Z")...), atA, Options{Now: atNow})
	if err != nil || res.Applied || res.Status != StatusInvalidDate {
		t.Errorf("Process(REPLY for no instance) = %+v, %v; want not applied, %s", res, err, StatusInvalidDate)
	}
}

func TestApplyReplyToDo(t *testing.T) {
	todo := func(attendees ...string) []string {
		return slices.Concat([]string{
			"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN",
			"BEGIN:VTODO", "UID:t1", "SEQUENCE:0", "DTSTAMP:20260301T080000Z", "DUE:20260320T170000Z",
			"SUMMARY:Write", "STATUS:NEEDS-ACTION", "ORGANIZER:mailto:a@example.com",
			"ATTENDEE;ROLE=CHAIR:mailto:a@example.com",
		}, attendees, []string{"END:VTODO", "END:VCALENDAR"})
	}
	msg := rpReply("VTODO", "UID:t1", "SEQUENCE:0", "DTSTAMP:20260302T100000Z", "ORGANIZER:mailto:a@example.com",
		"ATTENDEE;PARTSTAT=IN-PROCESS:mailto:b@example.com", "PERCENT-COMPLETE:75", "STATUS:IN-PROCESS")
	for _, tt := range []struct {
		name      string
		attendees []string
		percent   string
	}{
		{"one assignee", []string{"ATTENDEE;RSVP=TRUE:mailto:b@example.com"}, "75"},
		{"two assignees", []string{"ATTENDEE;RSVP=TRUE:mailto:b@example.com", "ATTENDEE;RSVP=TRUE:mailto:d@example.com"}, ""},
	} {
		res, err := Process(atParse(t, todo(tt.attendees...)...), atParse(t, msg...), atA, Options{Now: atNow})
		if err != nil || !res.Applied {
			t.Fatalf("Process(VTODO REPLY, %s) = %+v, %v", tt.name, res, err)
		}
		c := newObject(res.Object).master
		if got := c.Value(ical.PropPercentComplete); got != tt.percent {
			t.Errorf("Process(VTODO REPLY, %s) PERCENT-COMPLETE = %q, want %q", tt.name, got, tt.percent)
		}
		if got := partStat(findAttendee(c, atB)); got != "IN-PROCESS" {
			t.Errorf("Process(VTODO REPLY, %s) PARTSTAT = %s, want IN-PROCESS", tt.name, got)
		}
	}
}

func TestReplier(t *testing.T) {
	tests := []struct {
		name      string
		attendees []string
		want      string
	}{
		{"one", []string{"ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.com"}, "mailto:b@example.com"},
		{"RFC 5546 4.2.5 delegator", []string{
			`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`,
			`ATTENDEE;RSVP=TRUE;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`}, "mailto:c@example.com"},
		{"RFC 5546 4.2.6 delegate accepts", []string{
			`ATTENDEE;PARTSTAT=ACCEPTED;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`,
			`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`}, "mailto:e@example.com"},
		{"RFC 5546 4.2.7 delegate declines", []string{
			`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`,
			`ATTENDEE;PARTSTAT=DECLINED;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`}, "mailto:e@example.com"},
		{"unrelated", []string{"ATTENDEE:mailto:b@example.com", "ATTENDEE:mailto:c@example.com"}, ""},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		c := newObject(atParse(t, slices.Concat([]string{"BEGIN:VCALENDAR", "BEGIN:VEVENT"}, tt.attendees, []string{"END:VEVENT", "END:VCALENDAR"})...)).comps[0]
		got := ""
		if p := replier(c); p != nil {
			got = p.CalAddress()
		}
		if got != tt.want {
			t.Errorf("replier(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestApplyCounterAndRefresh(t *testing.T) {
	msg := func(method string, attendees ...string) []string {
		props := []string{"UID:u1", "DTSTAMP:20260302T100000Z", "ORGANIZER:mailto:a@example.com"}
		if method == "COUNTER" {
			props = append(props, "SEQUENCE:1", "DTSTART:20260310T140000Z", "SUMMARY:x")
		}
		return slices.Concat([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "METHOD:" + method, "BEGIN:VEVENT"},
			props, attendees, []string{"END:VEVENT", "END:VCALENDAR"})
	}
	tests := []struct {
		name      string
		stored    bool
		msg       []string
		recipient string
		status    string
	}{
		{"counter from an attendee", true, msg("COUNTER", "ATTENDEE:mailto:a@example.com", "ATTENDEE:mailto:b@example.com", "ATTENDEE:mailto:c@example.com"), atA, "2.0"},
		{"counter from a stranger", true, msg("COUNTER", "ATTENDEE:mailto:a@example.com", "ATTENDEE:mailto:x@example.com"), atA, "3.7"},
		{"counter for no copy", false, msg("COUNTER", "ATTENDEE:mailto:b@example.com"), atA, "3.7"},
		{"counter to someone else", true, msg("COUNTER", "ATTENDEE:mailto:b@example.com"), "mailto:c@example.com", "3.8"},
		{"refresh from a stranger", true, msg("REFRESH", "ATTENDEE:mailto:x@example.com"), atA, "3.7"},
		{"refresh with several requesters", true, msg("REFRESH", "ATTENDEE:mailto:b@example.com", "ATTENDEE:mailto:c@example.com"), atA, "3.7"},
		{"refresh for no copy", false, msg("REFRESH", "ATTENDEE:mailto:b@example.com"), atA, "3.7"},
		{"refresh to someone else", true, msg("REFRESH", "ATTENDEE:mailto:b@example.com"), "mailto:c@example.com", "3.8"},
	}
	for _, tt := range tests {
		var stored *ical.Component
		if tt.stored {
			stored = atParse(t, rpOrganizerCopy()...)
		}
		// Validated: the several requesters break the REFRESH table, and
		// this tests what applyRefresh makes of them.
		res, err := Process(stored, atParse(t, tt.msg...), tt.recipient, Options{Now: atNow, Validated: true})
		if err != nil {
			t.Fatalf("Process(%s) error = %v", tt.name, err)
		}
		if res.Status != tt.status || res.Applied || len(res.Messages) != 0 {
			t.Errorf("Process(%s) = status %s applied %v %d messages, want %s, not applied, none", tt.name, res.Status, res.Applied, len(res.Messages), tt.status)
		}
	}
}

// TestApplyRefreshAnswer depends on refreshAnswer (organizer.go): the
// answer is a REQUEST to the requester.
func TestApplyRefreshAnswer(t *testing.T) {
	msg := rpReply("VEVENT", "UID:u1", "DTSTAMP:20260302T100000Z", "ORGANIZER:mailto:a@example.com", "ATTENDEE:mailto:b@example.com")
	msg = atEdit(msg, "METHOD", "METHOD:REFRESH")
	res, err := Process(atParse(t, rpOrganizerCopy()...), atParse(t, msg...), atA, Options{Now: atNow})
	if err != nil {
		t.Fatalf("Process(REFRESH) error = %v", err)
	}
	if res.Status != "2.0" || res.Applied || len(res.Messages) != 1 {
		t.Fatalf("Process(REFRESH) = status %s applied %v %d messages, want 2.0, not applied, 1 message", res.Status, res.Applied, len(res.Messages))
	}
	if m := res.Messages[0]; m.Method != MethodRequest || !slices.Equal(m.Recipients, []string{atB}) {
		t.Errorf("Process(REFRESH) answer = %s to %v, want REQUEST to b", m.Method, m.Recipients)
	}
}

// TestApplyReplyDelegateDeclines depends on refreshAnswer (organizer.go):
// RFC 5546 §4.2.5, the organizer MUST send the delegator an update.
func TestApplyReplyDelegateDeclines(t *testing.T) {
	stored := atEdit(rpOrganizerCopy(), "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;SCHEDULE-STATUS=1.2:mailto:c",
		`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`,
		`ATTENDEE;RSVP=TRUE;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`)
	msg := rpReply("VEVENT", "UID:u1", "SEQUENCE:1", "DTSTAMP:20260302T100000Z", "ORGANIZER:mailto:a@example.com",
		`ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:e@example.com":mailto:c@example.com`,
		`ATTENDEE;PARTSTAT=DECLINED;DELEGATED-FROM="mailto:c@example.com":mailto:e@example.com`)
	res, err := Process(atParse(t, stored...), atParse(t, msg...), atA, Options{Now: atNow})
	if err != nil {
		t.Fatalf("Process(delegate declines) error = %v", err)
	}
	if !res.Applied || len(res.Messages) != 1 || !slices.Equal(res.Messages[0].Recipients, []string{"mailto:c@example.com"}) {
		t.Fatalf("Process(delegate declines) = applied %v, %d messages, want applied and an update to c", res.Applied, len(res.Messages))
	}
	master := newObject(res.Object).master
	if got := partStat(findAttendee(master, "mailto:e@example.com")); got != "DECLINED" {
		t.Errorf("Process(delegate declines) delegate PARTSTAT = %s, want DECLINED", got)
	}
	if got, want := rpAttendee(master, "mailto:c@example.com"), "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:c@example.com"; got != want {
		t.Errorf("Process(delegate declines) delegator = %s, want %s (RFC 5546 §4.2.7)", got, want)
	}
	if c := newObject(res.Messages[0].Calendar).comps[0]; partStat(findAttendee(c, "mailto:c@example.com")) != "NEEDS-ACTION" {
		t.Errorf("Process(delegate declines) update to the delegator does not ask again")
	}
}
