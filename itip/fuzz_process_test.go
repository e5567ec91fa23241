// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip_test

import (
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// fuzzCopy is a recurring meeting as the organizer and the attendees hold
// it: what received messages are applied to.
const fuzzCopy = "BEGIN:VCALENDAR\r\nPRODID:x\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\n" +
	"DTSTART:20260105T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Weekly\r\nSEQUENCE:1\r\n" +
	"ORGANIZER:mailto:a@x\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@x\r\nATTENDEE;RSVP=TRUE:mailto:c@x\r\n" +
	"ATTENDEE;CUTYPE=GROUP:mailto:g@x\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20260112T090000Z\r\nDTSTART:20260112T100000Z\r\n" +
	"DURATION:PT1H\r\nSUMMARY:Weekly\r\nSEQUENCE:1\r\nORGANIZER:mailto:a@x\r\nATTENDEE:mailto:c@x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// FuzzProcess applies arbitrary messages to a stored copy, as the
// organizer, as an attendee and without a copy, and lets the attendee and
// the organizer turn them into changes of their own copies. Properties: no
// panic; Process never modifies its inputs; an applied Result has an
// object that encodes and parses again; a recurrence bomb ends in an
// answer or an error, not a hang (the fuzzer's deadline would catch one).
func FuzzProcess(f *testing.F) {
	// Every iTIP message of the RFC examples: see
	// testdata/rfc-examples/manifest.json.
	entries, files := loadVectors(f)
	for _, e := range entries {
		f.Add(files[e.ID])
	}
	// A REPLY for an instance the copy has no override for.
	f.Add([]byte(strings.ReplaceAll(fuzzCopy, "BEGIN:VCALENDAR\r\n", "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n")))
	// A REQUEST with a recurrence that never ends, every second.
	f.Add([]byte("BEGIN:VCALENDAR\r\nPRODID:x\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20270101T000000Z\r\n" +
		"DTSTART:20260105T090000Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:x\r\nSEQUENCE:2\r\nORGANIZER:mailto:a@x\r\nATTENDEE:mailto:c@x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	// A CANCEL of one instance with RANGE=THISANDFUTURE.
	f.Add([]byte("BEGIN:VCALENDAR\r\nPRODID:x\r\nVERSION:2.0\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20270101T000000Z\r\n" +
		"RECURRENCE-ID;RANGE=THISANDFUTURE:20260119T090000Z\r\nSEQUENCE:2\r\nORGANIZER:mailto:a@x\r\nATTENDEE:mailto:c@x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	opts := itip.Options{Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), MaxInstances: 1000}
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := ical.Parse(data)
		if err != nil {
			return
		}
		before := string(ical.Marshal(msg.Component))
		for _, who := range []string{"mailto:a@x", "mailto:c@x", "mailto:g@x"} {
			for _, withCopy := range []bool{true, false} {
				var stored *ical.Component
				if withCopy {
					c, err := ical.Parse([]byte(fuzzCopy))
					if err != nil {
						t.Fatal(err)
					}
					stored = c.Component
				}
				res, err := itip.Process(stored, msg.Component, who, opts)
				if got := string(ical.Marshal(msg.Component)); got != before {
					t.Fatalf("Process(%s) changed the message", who)
				}
				if stored != nil && string(ical.Marshal(stored)) != fuzzCopy {
					t.Fatalf("Process(%s) changed the stored copy", who)
				}
				if err != nil || !res.Applied {
					continue
				}
				if res.Object == nil {
					t.Fatalf("Process(%s) applied without an object", who)
				}
				if _, err := ical.Parse(ical.Marshal(res.Object)); err != nil {
					t.Fatalf("Process(%s) gave an object that does not parse: %v", who, err)
				}
				// The recipient's own follow-ups on what they now hold.
				if who == "mailto:a@x" {
					_, _ = itip.OrganizerUpdate(stored, res.Object, opts)
				} else {
					_, _ = itip.AttendeeUpdate(stored, res.Object, who, opts)
				}
			}
		}
	})
}
