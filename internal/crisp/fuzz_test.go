// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// FuzzSchedulingMessage posts request bodies through the receiver's whole
// pipeline (seed-mapping §3.7) in both modes, with the Originator and
// Recipient headers taken from the message itself so that inputs get past
// the binding. Properties: no panic; the answer is a schedule-response or
// an IS:error with one of the pipeline's statuses; whatever reaches the
// backend is a valid iTIP message for a recipient of the request; the
// expansion limits keep every input bounded.
func FuzzSchedulingMessage(f *testing.F) {
	for _, v := range loadISVectors(f) {
		if strings.HasPrefix(v.Kind, "itip-message") {
			// The iSchedule drafts' messages: REQUEST VEVENT and VFREEBUSY,
			// the VFREEBUSY REPLY, and the BEGIN:VTODO … END:VEVENT task.
			f.Add(rxReadFile(f, "testdata/ischedule/"+v.File))
		}
	}
	// RFC 6047 §4.5's task, also closed by END:VEVENT.
	f.Add(rxReadFile(f, "testdata/receiver/rfc6047/rfc6047_4.5_part2_REQUEST-VTODO.ics"))
	// A recurrence bomb: secondly without end.
	f.Add([]byte(rxInvitation([]string{"RRULE:FREQ=SECONDLY"}, rxCyrus)))
	// A bounded rule just over max-instances, with an override.
	f.Add([]byte(rxInvitation([]string{"RRULE:FREQ=DAILY;COUNT=1001;BYHOUR=9,10"}, rxCyrus)))
	// An inline attachment.
	f.Add([]byte(rxInvitation([]string{"ATTACH;VALUE=BINARY;ENCODING=BASE64:aGk="}, rxCyrus)))
	// A zoned event with its VTIMEZONE.
	f.Add([]byte(rxCalendar("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "METHOD:REQUEST",
		"BEGIN:VTIMEZONE", "TZID:Europe/Paris", "BEGIN:STANDARD", "DTSTART:19701025T030000",
		"TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
		"END:VTIMEZONE", "BEGIN:VEVENT", "DTSTAMP:20260301T200200Z", "UID:z@example.com",
		"ORGANIZER:mailto:bernard@example.com", "ATTENDEE:mailto:cyrus@example.org",
		"DTSTART;TZID=Europe/Paris:20260402T130000", "RRULE:FREQ=MONTHLY;BYDAY=1MO", "SUMMARY:z",
		"END:VEVENT", "END:VCALENDAR")))

	backend := newRecordingBackend(rxCyrus, rxMike, rxBernard)
	receivers := map[itip.Mode]*Receiver{}
	for _, mode := range []itip.Mode{itip.ModeInterop, itip.ModeStrict} {
		receivers[mode] = NewReceiver(Options{
			Backend:   backend,
			Anonymous: AnonymousAllow,
			Mode:      mode,
			Logger:    rxQuietLogger(),
			Limits:    Limits{MaxContentLength: 64 << 10, RatePerDomain: -1, RatePerIP: -1},
		})
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		originator, recipients, contentType := fuzzHeaders(body)
		for mode, rc := range receivers {
			before := len(backend.deliveries())
			w := rxServe(rc, rxRequest(originator, recipients, contentType, string(body)))
			switch w.Code {
			case http.StatusOK:
				var sr ScheduleResponse
				if err := xml.Unmarshal(w.Body.Bytes(), &sr); err != nil {
					t.Fatalf("%v: 200 without a schedule-response: %v", mode, err)
				}
				if len(sr.Responses) == 0 {
					t.Fatalf("%v: schedule-response without responses", mode)
				}
			case http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge:
				var e Error
				if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Condition.XMLName.Local == "" {
					t.Fatalf("%v: status %d without an IS:error: %v\n%s", mode, w.Code, err, w.Body)
				}
			default:
				t.Fatalf("%v: status %d\n%s", mode, w.Code, w.Body)
			}
			for _, in := range backend.deliveries()[before:] {
				if ps := itip.Validate(in.Message, itip.ValidateOptions{Mode: mode, KnownTZID: itip.KnownTZID}); !itip.Valid(ps) {
					t.Fatalf("%v: delivered an invalid message: %s", mode, problemText(ps))
				}
				found := false
				for _, r := range recipients {
					found = found || ical.NormalizeAddress(r) == in.Recipient
				}
				if !found {
					t.Fatalf("%v: delivered to %s, not a recipient", mode, in.Recipient)
				}
			}
		}
		backend.mu.Lock()
		backend.delivered = nil
		backend.mu.Unlock()
	})
}

// fuzzHeaders derives the iSchedule headers from a message: the ORGANIZER
// as Originator and the ATTENDEEs as Recipients for the organizer's
// methods, the reverse for the attendee's.
func fuzzHeaders(body []byte) (originator string, recipients []string, contentType string) {
	originator, recipients, contentType = rxBernard, []string{rxCyrus}, requestEvent
	cal, err := ical.Parse(body)
	if err != nil || cal == nil {
		return
	}
	method, component := itip.MethodOf(cal.Component)
	contentType = "text/calendar; component=" + component + "; method=" + method
	org, atts := itip.Organizer(cal.Component), itip.Attendees(cal.Component)
	switch itip.Method(method) {
	case itip.MethodReply, itip.MethodRefresh, itip.MethodCounter:
		if len(atts) > 0 && org != "" {
			originator, recipients = atts[0], []string{org}
		}
	default:
		if org != "" && len(atts) > 0 {
			originator, recipients = org, atts
		}
	}
	return
}
