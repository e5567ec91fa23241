// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/itip"
)

// external is an invitation from an organizer outside the service.
const external = "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n" +
	"BEGIN:VEVENT\r\nDTSTART:20260320T150000Z\r\nDTEND:20260320T160000Z\r\nDTSTAMP:20260301T100000Z\r\n" +
	"ORGANIZER;CN=Olga:mailto:olga@gmail.example\r\nUID:ext1@google.com\r\n" +
	"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.org\r\n" +
	"SUMMARY:Coffee\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func parseMsg(t testing.TB, s string) *ical.Component {
	t.Helper()
	c, err := ical.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return c.Component
}

func verifies(who ...string) calendar.Inbound {
	return calendar.Inbound{Transport: "imip", Verifies: func(actor string) bool {
		for _, w := range who {
			if w == actor {
				return true
			}
		}
		return false
	}}
}

func TestReceiveMessage(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	mustPrincipal(t, s, "bob")

	// Unverified: held in the inbox, marked, and no calendar changes.
	r, err := s.ReceiveMessage(ctx, "mailto:bob@example.org", parseMsg(t, external), verifies())
	if err != nil || !r.Held || r.Status != itip.StatusSuccess {
		t.Fatalf("ReceiveMessage(unverified) = %+v, %v; want held", r, err)
	}
	if items := inboxItems(t, s, "bob"); len(items) != 1 || !strings.Contains(items[0], calendar.PropUnverified+":") {
		t.Fatalf("bob's inbox = %q, want the held message marked %s", items, calendar.PropUnverified)
	}
	if _, err := s.Object(ctx, defaultCalendar(t, s, "bob"), calendar.ObjectName("ext1@google.com")); !errors.Is(err, calendar.ErrNotFound) {
		t.Fatalf("an unverified invitation reached bob's calendar: %v", err)
	}

	// Verified: applied.
	r, err = s.ReceiveMessage(ctx, "mailto:bob@example.org", parseMsg(t, external), verifies("olga@gmail.example"))
	if err != nil || r.Held || r.Status != itip.StatusSuccess {
		t.Fatalf("ReceiveMessage(verified) = %+v, %v", r, err)
	}
	c := copyOf(t, s, "bob", "ext1@google.com")
	if !strings.Contains(string(c.Data), "SUMMARY:Coffee") {
		t.Fatalf("bob's copy:\n%s", c.Data)
	}

	// A CANCEL forged by someone else is held and changes nothing.
	cancel := strings.NewReplacer("METHOD:REQUEST", "METHOD:CANCEL", "DTSTAMP:20260301T100000Z", "DTSTAMP:20260302T100000Z\r\nSEQUENCE:1").Replace(external)
	r, err = s.ReceiveMessage(ctx, "mailto:bob@example.org", parseMsg(t, cancel), verifies("mallory@evil.example"))
	if err != nil || !r.Held {
		t.Fatalf("ReceiveMessage(forged CANCEL) = %+v, %v; want held", r, err)
	}
	if got := copyOf(t, s, "bob", "ext1@google.com"); string(got.Data) != string(c.Data) {
		t.Errorf("a forged CANCEL changed bob's copy:\n%s", got.Data)
	}

	// An invalid message is refused and stored nowhere.
	before := len(inboxItems(t, s, "bob"))
	invalid := strings.Replace(external, "ORGANIZER;CN=Olga:mailto:olga@gmail.example\r\n", "", 1)
	r, err = s.ReceiveMessage(ctx, "mailto:bob@example.org", parseMsg(t, invalid), verifies("olga@gmail.example"))
	if err != nil || r.Status != itip.StatusNoScheduling {
		t.Errorf("ReceiveMessage(no ORGANIZER in a REQUEST) = %+v, %v; want 5.3", r, err)
	}
	if after := len(inboxItems(t, s, "bob")); after != before {
		t.Errorf("an invalid message reached the inbox (%d → %d items)", before, after)
	}

	// An unknown recipient.
	if r, err := s.ReceiveMessage(ctx, "mailto:nobody@example.org", parseMsg(t, external), verifies("olga@gmail.example")); err != nil || r.Status != itip.StatusInvalidUser {
		t.Errorf("ReceiveMessage(unknown recipient) = %+v, %v; want 3.7", r, err)
	}
}

func TestReceiveReplyAndBounce(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	mustPrincipal(t, s, "ann")
	const uid = "out1@example.org"
	mustPut(t, s, defaultCalendar(t, s, "ann"), calendar.ObjectName(uid), meeting(uid, "20260321T090000Z", "ann", "pat@outlook.example", "gus@gmail.example"), calendar.Conditions{})

	// Outlook replies without ORGANIZER, with "Accepted:" in the summary.
	outlook := "BEGIN:VCALENDAR\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:MAILTO:pat@outlook.example\r\nSUMMARY;LANGUAGE=en-US:Accepted: Meeting\r\n" +
		"DTSTART:20260321T090000Z\r\nDTEND:20260321T100000Z\r\nUID:" + uid + "\r\nDTSTAMP:20260305T120000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	r, err := s.ReceiveMessage(ctx, "mailto:ann@example.org", parseMsg(t, outlook), verifies("pat@outlook.example"))
	if err != nil || r.Held || r.Status != itip.StatusSuccess {
		t.Fatalf("ReceiveMessage(Outlook REPLY) = %+v, %v", r, err)
	}
	if l := attendeeLine(copyOf(t, s, "ann", uid).Data, "pat@outlook.example"); !strings.Contains(l, "PARTSTAT=ACCEPTED") {
		t.Errorf("ann's copy after Outlook's REPLY: %q", l)
	}
	// A DSN for gus: permanent failure.
	if ok, err := s.RecordBounce(ctx, uid, "mailto:ann@example.org", "mailto:gus@gmail.example", true); !ok || err != nil {
		t.Fatalf("RecordBounce = %v, %v", ok, err)
	}
	if l := attendeeLine(copyOf(t, s, "ann", uid).Data, "gus@gmail.example"); !strings.Contains(l, "SCHEDULE-STATUS=5.2") {
		t.Errorf("after the bounce gus's line is %q, want SCHEDULE-STATUS=5.2", l)
	}
}

// TestReceiveRefresh: an external attendee's REFRESH (RFC 5546 §3.2.6) is
// answered with the current REQUEST, queued for the transport.
func TestReceiveRefresh(t *testing.T) {
	ctx := context.Background()
	tr := &fakeTransport{}
	s := newService(t, calendar.Options{Outbound: tr})
	mustPrincipal(t, s, "ann")
	const uid = "ref1@example.org"
	mustPut(t, s, defaultCalendar(t, s, "ann"), calendar.ObjectName(uid), meeting(uid, "20260322T090000Z", "ann", "pat@outlook.example"), calendar.Conditions{})
	s.DeliverDue(ctx) // the invitation itself
	refresh := "BEGIN:VCALENDAR\r\nPRODID:-//x//EN\r\nVERSION:2.0\r\nMETHOD:REFRESH\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20260306T120000Z\r\nORGANIZER:mailto:ann@example.org\r\nATTENDEE:mailto:pat@outlook.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	r, err := s.ReceiveMessage(ctx, "mailto:ann@example.org", parseMsg(t, refresh), verifies("pat@outlook.example"))
	if err != nil || r.Held || r.Status != itip.StatusSuccess {
		t.Fatalf("ReceiveMessage(REFRESH) = %+v, %v", r, err)
	}
	s.DeliverDue(ctx)
	if len(tr.got) != 2 || tr.got[1] != "mailto:pat@outlook.example REQUEST" {
		t.Errorf("transport got %q, want the invitation and the REQUEST answering the REFRESH", tr.got)
	}
}

func TestAnswerFreeBusy(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	mustPrincipal(t, s, "bob")
	mustPut(t, s, defaultCalendar(t, s, "bob"), "private.ics", event("private", "20260313T090000Z"), calendar.Conditions{})
	req := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\nUID:fb-remote\r\nDTSTAMP:20260301T000000Z\r\n" +
		"DTSTART:20260313T000000Z\r\nDTEND:20260314T000000Z\r\nORGANIZER:mailto:olga@other.example\r\nATTENDEE:mailto:bob@example.org\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n"
	st, reply, err := s.AnswerFreeBusy(ctx, "mailto:bob@example.org", parseMsg(t, req))
	if err != nil || !strings.HasPrefix(st, "2.0") {
		t.Fatalf("AnswerFreeBusy = %q, %v", st, err)
	}
	if r := string(reply); !strings.Contains(r, "METHOD:REPLY") || !strings.Contains(r, "FREEBUSY") || strings.Contains(r, "private") {
		t.Errorf("reply:\n%s", r)
	}
	if st, _, err := s.AnswerFreeBusy(ctx, "mailto:nobody@example.org", parseMsg(t, req)); err != nil || !strings.HasPrefix(st, "3.7") {
		t.Errorf("AnswerFreeBusy(unknown) = %q, %v", st, err)
	}
}
