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

func TestFreeBusyRequest(t *testing.T) {
	m := FreeBusyRequest("MAILTO:Cyrus@example.com",
		[]string{"mailto:wilfredo@example.com", "mailto:bernard@example.net", "MAILTO:Wilfredo@example.com"},
		time.Date(2009, 6, 2, 0, 0, 0, 0, time.UTC), time.Date(2009, 6, 3, 20, 0, 0, 0, time.FixedZone("-04", -4*3600)),
		"4FD3AD926350", Options{Now: time.Date(2009, 6, 2, 19, 4, 20, 0, time.UTC)})
	want := []string{
		"BEGIN:VCALENDAR", "PRODID:" + DefaultProdID, "VERSION:2.0", "METHOD:REQUEST",
		"BEGIN:VFREEBUSY", "UID:4FD3AD926350", "DTSTAMP:20090602T190420Z",
		"DTSTART:20090602T000000Z", "DTEND:20090604T000000Z",
		"ORGANIZER:mailto:cyrus@example.com",
		"ATTENDEE:mailto:wilfredo@example.com", "ATTENDEE:mailto:bernard@example.net",
		"END:VFREEBUSY", "END:VCALENDAR", "",
	}
	if got := strings.Split(string(ical.Marshal(m.Calendar)), "\r\n"); !slices.Equal(got, want) {
		t.Errorf("FreeBusyRequest() message:\n%s", scDiff(want, got))
	}
	if m.Method != MethodRequest || m.Originator != "mailto:cyrus@example.com" || m.UID != "4FD3AD926350" ||
		!slices.Equal(m.Recipients, []string{"mailto:wilfredo@example.com", "mailto:bernard@example.net"}) {
		t.Errorf("FreeBusyRequest() = %s from %s to %v uid %s", m.Method, m.Originator, m.Recipients, m.UID)
	}
	if ps := Validate(m.Calendar, ValidateOptions{}); !Valid(ps) {
		t.Errorf("FreeBusyRequest() is not valid iTIP: %v", ps)
	}
}

func TestFreeBusyReply(t *testing.T) {
	request := atParse(t,
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example Corp.//CalDAV Client//EN", "METHOD:REQUEST",
		"BEGIN:VFREEBUSY", "UID:4FD3AD926350", "DTSTAMP:20090602T190420Z",
		"DTSTART:20090602T000000Z", "DTEND:20090604T000000Z",
		`ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com`,
		`ATTENDEE;CN="Wilfredo Sanchez Vega":mailto:wilfredo@example.com`,
		`ATTENDEE;CN="Bernard Desruisseaux":mailto:bernard@example.net`,
		"END:VFREEBUSY", "END:VCALENDAR")
	busy := newObject(atParse(t,
		"BEGIN:VCALENDAR", "BEGIN:VFREEBUSY",
		"FREEBUSY;FBTYPE=BUSY:20090603T170000Z/20090603T180000Z,20090602T110000Z/PT1H",
		"FREEBUSY;FBTYPE=FREE:20090602T130000Z/20090602T140000Z",
		"FREEBUSY;FBTYPE=BUSY:20090602T110000Z/20090602T120000Z",
		"FREEBUSY:20090602T110000Z/20090602T113000Z",
		"END:VFREEBUSY", "END:VCALENDAR")).comps[0]
	m, err := FreeBusyReply(request, "mailto:wilfredo@example.com", busy, Options{Now: time.Date(2009, 6, 2, 20, 7, 33, 0, time.UTC)})
	if err != nil {
		t.Fatalf("FreeBusyReply() error = %v", err)
	}
	// RFC 6638 Appendix B.5, with the periods sorted and one duplicate (the
	// PT1H form of 11:00-12:00) and the FREE period dropped.
	want := []string{
		"BEGIN:VCALENDAR", "PRODID:" + DefaultProdID, "VERSION:2.0", "METHOD:REPLY",
		"BEGIN:VFREEBUSY", "UID:4FD3AD926350", "DTSTAMP:20090602T200733Z",
		"DTSTART:20090602T000000Z", "DTEND:20090604T000000Z",
		`ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com`,
		`ATTENDEE;CN="Wilfredo Sanchez Vega":mailto:wilfredo@example.com`,
		"FREEBUSY:20090602T110000Z/20090602T113000Z",
		"FREEBUSY;FBTYPE=BUSY:20090602T110000Z/PT1H",
		"FREEBUSY;FBTYPE=BUSY:20090603T170000Z/20090603T180000Z",
		"END:VFREEBUSY", "END:VCALENDAR", "",
	}
	if got := strings.Split(string(ical.Marshal(m.Calendar)), "\r\n"); !slices.Equal(got, want) {
		t.Errorf("FreeBusyReply() message:\n%s", scDiff(want, got))
	}
	if m.Method != MethodReply || m.Originator != "mailto:wilfredo@example.com" || !slices.Equal(m.Recipients, []string{"mailto:cyrus@example.com"}) {
		t.Errorf("FreeBusyReply() = %s from %s to %v", m.Method, m.Originator, m.Recipients)
	}
	if ps := Validate(m.Calendar, ValidateOptions{}); !Valid(ps) {
		t.Errorf("FreeBusyReply() is not valid iTIP: %v", ps)
	}

	if m, err := FreeBusyReply(request, "mailto:bernard@example.net", nil, Options{}); err != nil || m.Calendar.Components(ical.CompFreeBusy)[0].Prop(ical.PropFreeBusy) != nil {
		t.Errorf("FreeBusyReply(no busy time) = %v, want a reply without FREEBUSY", err)
	}
	if _, err := FreeBusyReply(request, "mailto:mike@example.org", busy, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("FreeBusyReply(not asked) error = %v, want ErrInvalid", err)
	}
	if _, err := FreeBusyReply(atParse(t, atEvent()...), "mailto:b@example.com", busy, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("FreeBusyReply(no VFREEBUSY) error = %v, want ErrInvalid", err)
	}
	// python3-caldav asks with "DTSTART;TZID=UTC:…Z": the reply writes UTC
	// as RFC 5545 §3.2.19 wants it.
	pyRequest := atParse(t,
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//python//EN", "METHOD:REQUEST",
		"BEGIN:VFREEBUSY", "UID:py1", "DTSTAMP:20090602T190420Z",
		"DTSTART;TZID=UTC:20090602T000000Z", "DTEND;TZID=UTC:20090604T000000Z",
		"ORGANIZER:mailto:cyrus@example.com", "ATTENDEE:mailto:wilfredo@example.com",
		"END:VFREEBUSY", "END:VCALENDAR")
	m, err = FreeBusyReply(pyRequest, "mailto:wilfredo@example.com", busy, Options{})
	if err != nil {
		t.Fatalf("FreeBusyReply(TZID=UTC) error = %v", err)
	}
	if got := string(ical.Marshal(m.Calendar)); !strings.Contains(got, "\r\nDTSTART:20090602T000000Z\r\nDTEND:20090604T000000Z\r\n") {
		t.Errorf("FreeBusyReply(TZID=UTC) keeps the TZID:\n%s", got)
	}
	bad := newObject(atParse(t, "BEGIN:VCALENDAR", "BEGIN:VFREEBUSY", "FREEBUSY:tomorrow", "END:VFREEBUSY", "END:VCALENDAR")).comps[0]
	if _, err := FreeBusyReply(request, "mailto:bernard@example.net", bad, Options{}); err == nil {
		t.Errorf("FreeBusyReply(bad FREEBUSY) error = nil, want an error")
	}
}

func TestFreeBusyPublish(t *testing.T) {
	busy := newObject(atParse(t,
		"BEGIN:VCALENDAR", "BEGIN:VFREEBUSY",
		"FREEBUSY;FBTYPE=BUSY-TENTATIVE:19980314T233000Z/19980315T003000Z",
		"FREEBUSY:19980313T141711Z/19980314T000000Z",
		"END:VFREEBUSY", "END:VCALENDAR")).comps[0]
	start := time.Date(1998, 3, 13, 14, 17, 11, 0, time.UTC)
	m, err := FreeBusyPublish("MAILTO:A@Example.com", busy, start, start.Add(8*24*time.Hour), "0981234-1234234-23@example.com",
		Options{Now: time.Date(1997, 9, 1, 13, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("FreeBusyPublish() error = %v", err)
	}
	// RFC 5546 §4.3.1, with a UID (the example lacks one the table
	// requires) and the periods sorted.
	want := []string{
		"BEGIN:VCALENDAR", "PRODID:" + DefaultProdID, "VERSION:2.0", "METHOD:PUBLISH",
		"BEGIN:VFREEBUSY", "UID:0981234-1234234-23@example.com", "DTSTAMP:19970901T130000Z",
		"DTSTART:19980313T141711Z", "DTEND:19980321T141711Z", "ORGANIZER:mailto:a@example.com",
		"FREEBUSY:19980313T141711Z/19980314T000000Z",
		"FREEBUSY;FBTYPE=BUSY-TENTATIVE:19980314T233000Z/19980315T003000Z",
		"END:VFREEBUSY", "END:VCALENDAR", "",
	}
	if got := strings.Split(string(ical.Marshal(m.Calendar)), "\r\n"); !slices.Equal(got, want) {
		t.Errorf("FreeBusyPublish() message:\n%s", scDiff(want, got))
	}
	if m.Method != MethodPublish || len(m.Recipients) != 0 || m.Originator != "mailto:a@example.com" {
		t.Errorf("FreeBusyPublish() = %s from %s to %v", m.Method, m.Originator, m.Recipients)
	}
	for _, mode := range []Mode{ModeStrict, ModeInterop} {
		if ps := Validate(m.Calendar, ValidateOptions{Mode: mode}); !Valid(ps) {
			t.Errorf("FreeBusyPublish() is not valid iTIP (%s): %v", mode, ps)
		}
	}
}
