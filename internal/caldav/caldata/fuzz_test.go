// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzFilter decodes random XML into a Filter, validates it and matches
// it against a fixed recurring calendar. Properties: no panic, and Match
// ends within the small expansion limits.
func FuzzFilter(f *testing.F) {
	// The §7.8 example filters.
	for _, n := range []string{"7.8.1", "7.8.5", "7.8.7", "7.8.9", "7.8.10"} {
		b, err := os.ReadFile(filepath.Join("testdata", "rfc4791", "rfc4791_"+n+"_01_request.txt"))
		if err != nil {
			f.Fatal(err)
		}
		s := string(b)
		if i, j := strings.Index(s, "<C:filter>"), strings.Index(s, "</C:filter>"); i >= 0 && j > i {
			f.Add(`<C:filter xmlns:C="urn:ietf:params:xml:ns:caldav">` + s[i+len("<C:filter>"):j] + `</C:filter>`)
		}
	}
	// An open-ended range on an unbounded rule.
	f.Add(`<C:filter xmlns:C="urn:ietf:params:xml:ns:caldav"><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20300101T000000Z"/><C:comp-filter name="VALARM"><C:time-range end="20300101T000000Z"/></C:comp-filter></C:comp-filter></C:comp-filter></C:filter>`)
	vcal := cal(f, "BEGIN:VEVENT", "UID:f", "DTSTAMP:20260101T000000Z", "DTSTART;TZID=Europe/Berlin:20260105T100000", "DURATION:PT1H",
		"RRULE:FREQ=MINUTELY;INTERVAL=7", "SUMMARY:fuzz", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com",
		"BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "TRIGGER:-PT5M", "REPEAT:3", "DURATION:PT1M", "END:VALARM", "END:VEVENT",
		"BEGIN:VEVENT", "UID:f", "DTSTAMP:20260101T000000Z", "RECURRENCE-ID;TZID=Europe/Berlin:20260105T101400", "DTSTART:20260106T000000Z", "END:VEVENT",
		"BEGIN:VTODO", "UID:t", "DTSTAMP:20260101T000000Z", "DUE;VALUE=DATE:20260110", "END:VTODO")
	f.Fuzz(func(t *testing.T, in string) {
		var fl Filter
		if xml.Unmarshal([]byte(in), &fl) != nil || fl.Validate() != nil {
			return
		}
		fl.Range()
		Match(vcal, &fl, Options{Limits: smallLimits})
	})
}
