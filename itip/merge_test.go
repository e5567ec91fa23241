// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
)

func mustParse(t *testing.T, s string) *ical.Component {
	t.Helper()
	cal, err := ical.Parse([]byte(strings.ReplaceAll(s, "\n", "\r\n")))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cal.Component
}

func TestMergeParticipation(t *testing.T) {
	const organizerCopy = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:x
BEGIN:VEVENT
UID:m1
DTSTAMP:20260101T000000Z
DTSTART:20260105T090000Z
RRULE:FREQ=DAILY;COUNT=3
SUMMARY:Standup
ORGANIZER:mailto:o@example.com
ATTENDEE;PARTSTAT=ACCEPTED;SCHEDULE-STATUS=1.2:mailto:a@example.com
ATTENDEE;CN=B;PARTSTAT=DECLINED;SCHEDULE-STATUS=1.2:mailto:b@example.com
END:VEVENT
BEGIN:VEVENT
UID:m1
DTSTAMP:20260101T000000Z
RECURRENCE-ID:20260106T090000Z
DTSTART:20260106T100000Z
SUMMARY:Standup
ORGANIZER:mailto:o@example.com
ATTENDEE;PARTSTAT=TENTATIVE:mailto:a@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:b@example.com
END:VEVENT
END:VCALENDAR
`
	const attendeeCopy = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:x
BEGIN:VEVENT
UID:m1
DTSTAMP:20260101T000000Z
DTSTART:20260105T090000Z
RRULE:FREQ=DAILY;COUNT=3
SUMMARY:Standup
ORGANIZER:mailto:o@example.com
ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:a@example.com
ATTENDEE;CN=B;PARTSTAT=ACCEPTED:mailto:b@example.com
END:VEVENT
BEGIN:VEVENT
UID:m1
DTSTAMP:20260101T000000Z
RECURRENCE-ID:20260107T090000Z
DTSTART:20260107T110000Z
SUMMARY:Standup
ORGANIZER:mailto:o@example.com
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:a@example.com
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:b@example.com
END:VEVENT
END:VCALENDAR
`
	from := mustParse(t, organizerCopy)
	into := mustParse(t, attendeeCopy)
	if !MergeParticipation(from, into, "mailto:b@example.com", false) {
		t.Fatalf("MergeParticipation = false, want true")
	}
	got := string(ical.Marshal(into))
	for _, want := range []string{
		// a's answer on the master comes across, RSVP with it.
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com\r\n",
		// b is the owner of the copy: untouched.
		"ATTENDEE;CN=B;PARTSTAT=ACCEPTED:mailto:b@example.com\r\n",
		// The override the organizer lacks takes the master's answers.
		"RECURRENCE-ID:20260107T090000Z\r\nDTSTART:20260107T110000Z\r\nSUMMARY:Standup\r\nORGANIZER:mailto:o@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:b@example.com\r\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("MergeParticipation result lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "SCHEDULE-STATUS") {
		t.Errorf("MergeParticipation(withStatus=false) copied SCHEDULE-STATUS:\n%s", got)
	}
	if MergeParticipation(from, into, "mailto:b@example.com", false) {
		t.Errorf("second MergeParticipation = true, want false (idempotent)")
	}
	if !MergeParticipation(from, into, "mailto:o@example.com", true) {
		t.Fatalf("MergeParticipation(withStatus) = false, want true")
	}
	if got := string(ical.Marshal(into)); !strings.Contains(got, "ATTENDEE;CN=B;PARTSTAT=DECLINED;SCHEDULE-STATUS=1.2:mailto:b@example.com") {
		t.Errorf("MergeParticipation(withStatus) lacks b's status:\n%s", got)
	}
}
