// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func ics(lines ...string) []byte {
	return []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCALENDAR\r\n")
}

// TestCheckObject checks each precondition of RFC 4791 §5.3.2.1 and the
// acceptance of what real clients send.
func TestCheckObject(t *testing.T) {
	event := []string{"BEGIN:VEVENT", "UID:e@example.com", "DTSTAMP:20060101T000000Z", "DTSTART:20060104T100000Z", "DTEND:20060104T110000Z", "END:VEVENT"}
	tests := []struct {
		name        string
		data        []byte
		contentType string
		supported   []string
		lim         Limits
		want        string // precondition, "" = accepted
	}{
		{"plain event", ics(event...), "text/calendar; charset=utf-8", nil, Limits{}, ""},
		{"no content type (cadaver)", ics(event...), "", nil, Limits{}, ""},
		{"calcurse: floating DTSTART, DURATION, no DTSTAMP", ics("BEGIN:VEVENT", "UID:c@example.com", "DTSTART:20260105T100000", "DURATION:PT1H", "SUMMARY:calcurse", "END:VEVENT"), "text/calendar", nil, Limits{}, ""},
		{"Windows TZID", ics("BEGIN:VEVENT", "UID:w@example.com", "DTSTAMP:20060101T000000Z", "DTSTART;TZID=W. Europe Standard Time:20260105T100000", "END:VEVENT"), "", nil, Limits{}, ""},
		{"overrides without master", ics("BEGIN:VEVENT", "UID:o@example.com", "DTSTAMP:20060101T000000Z", "RECURRENCE-ID:20060104T100000Z", "DTSTART:20060104T120000Z", "END:VEVENT"), "", nil, Limits{}, ""},
		{"bare LF and broken folding", []byte("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:l@example.com\nDTSTAMP:20060101T000000Z\nDTSTART:20060104T100000Z\nSUMMARY:long\nline\nEND:VEVENT\nEND:VCALENDAR\n"), "", nil, Limits{}, ""},
		{"json", ics(event...), "application/json", nil, Limits{}, "supported-calendar-data"},
		{"latin-1", ics(event...), "text/calendar; charset=iso-8859-1", nil, Limits{}, "supported-calendar-data"},
		{"not iCalendar", []byte("hello"), "", nil, Limits{}, "valid-calendar-data"},
		{"invalid RRULE", ics("BEGIN:VEVENT", "UID:x@example.com", "DTSTAMP:20060101T000000Z", "DTSTART:20060104T100000Z", "RRULE:COUNT=3", "END:VEVENT"), "", nil, Limits{}, "valid-calendar-data"},
		{"no UID", ics("BEGIN:VEVENT", "DTSTAMP:20060101T000000Z", "DTSTART:20060104T100000Z", "END:VEVENT"), "", nil, Limits{}, "valid-calendar-object-resource"},
		{"two objects", append(ics(event...), ics(event...)...), "", nil, Limits{}, "valid-calendar-object-resource"},
		{"no component", ics(), "", nil, Limits{}, "valid-calendar-object-resource"},
		{"METHOD", ics(append([]string{"METHOD:REQUEST"}, event...)...), "", nil, Limits{}, "valid-calendar-object-resource"},
		{"mixed types", ics(append(append([]string{}, event...), "BEGIN:VTODO", "UID:e@example.com", "DTSTAMP:20060101T000000Z", "END:VTODO")...), "", nil, Limits{}, "valid-calendar-object-resource"},
		{"two UIDs", ics(append(append([]string{}, event...), "BEGIN:VEVENT", "UID:f@example.com", "DTSTAMP:20060101T000000Z", "DTSTART:20060104T100000Z", "END:VEVENT")...), "", nil, Limits{}, "valid-calendar-object-resource"},
		{"unsupported component", ics("BEGIN:VTODO", "UID:t@example.com", "DTSTAMP:20060101T000000Z", "END:VTODO"), "", []string{"VEVENT"}, Limits{}, "supported-calendar-component"},
		{"VFREEBUSY by default", ics("BEGIN:VFREEBUSY", "UID:f@example.com", "DTSTAMP:20060101T000000Z", "END:VFREEBUSY"), "", nil, Limits{}, "supported-calendar-component"},
		{"too large", ics(event...), "", nil, Limits{MaxResourceSize: 100}, "max-resource-size"},
		{"too early", ics(event...), "", nil, Limits{MinDateTime: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)}, "min-date-time"},
		{"too late", ics(event...), "", nil, Limits{MaxDateTime: time.Date(2006, 1, 4, 10, 0, 0, 0, time.UTC)}, "max-date-time"},
		{"unbounded rule within max-date-time", ics("BEGIN:VEVENT", "UID:r@example.com", "DTSTAMP:20060101T000000Z", "DTSTART:20060104T100000Z", "RRULE:FREQ=DAILY", "END:VEVENT"), "", nil, Limits{MaxDateTime: time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)}, ""},
		{"too many instances", ics("BEGIN:VEVENT", "UID:r@example.com", "DTSTAMP:20060101T000000Z", "DTSTART:20060104T100000Z", "RRULE:FREQ=DAILY;COUNT=11", "END:VEVENT"), "", nil, Limits{MaxInstances: 10}, "max-instances"},
		{"unbounded rules are exempt", ics("BEGIN:VEVENT", "UID:r@example.com", "DTSTAMP:20060101T000000Z", "DTSTART:20060104T100000Z", "RRULE:FREQ=DAILY", "END:VEVENT"), "", nil, Limits{MaxInstances: 10}, ""},
		{"instances at the limit", ics("BEGIN:VEVENT", "UID:r@example.com", "DTSTAMP:20060101T000000Z", "DTSTART:20060104T100000Z", "RRULE:FREQ=DAILY;COUNT=10", "END:VEVENT"), "", nil, Limits{MaxInstances: 10}, ""},
		{"too many attendees", ics("BEGIN:VEVENT", "UID:a@example.com", "DTSTAMP:20060101T000000Z", "DTSTART:20060104T100000Z", "ORGANIZER:mailto:o@example.com", "ATTENDEE:mailto:a@example.com", "ATTENDEE:mailto:b@example.com", "END:VEVENT"), "", nil, Limits{MaxAttendeesPerInstance: 1}, "max-attendees-per-instance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vcal, uid, err := CheckObject(tt.data, tt.contentType, tt.supported, tt.lim)
			if tt.want == "" {
				if err != nil || vcal == nil || uid == "" {
					t.Errorf("CheckObject() = %v, %q, %v; want accepted", vcal != nil, uid, err)
				}
				return
			}
			var pe *PreconditionError
			if !errors.As(err, &pe) || pe.Name != tt.want || pe.Status != 403 {
				t.Errorf("CheckObject() error = %v, want %s", err, tt.want)
			}
		})
	}
}
