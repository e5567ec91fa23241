// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/vectors"
)

// valHead is the start of every table calendar: lines 1–3, so the body
// given in a case starts on line 4.
const valHead = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Almanac//validate test//EN\n"

// valEvent is a valid VEVENT; inside valCal it spans lines 4–9.
const valEvent = `BEGIN:VEVENT
UID:ev1@example.com
DTSTAMP:20240101T000000Z
DTSTART:20240102T100000Z
DTEND:20240102T110000Z
END:VEVENT
`

// valTZ is a valid VTIMEZONE for Europe/Berlin (12 lines).
const valTZ = `BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE
`

// valCal wraps body in a VCALENDAR with VERSION and PRODID, unless body
// is a whole calendar already.
func valCal(body string) string {
	if !strings.HasPrefix(body, "BEGIN:VCALENDAR") {
		body = valHead + body + "END:VCALENDAR\n"
	}
	return strings.ReplaceAll(body, "\n", "\r\n")
}

// valDecode decodes the first component of s leniently.
func valDecode(t *testing.T, s string) *ical.Component {
	t.Helper()
	c, err := ical.NewDecoder(strings.NewReader(s)).DecodeComponent()
	if err != nil {
		t.Fatalf("DecodeComponent: %v", err)
	}
	return c
}

// valFormat renders problems as "error: line N: msg" for comparison.
func valFormat(probs []ical.Problem) []string {
	out := make([]string, 0, len(probs))
	for _, p := range probs {
		out = append(out, p.Severity.String()+": "+p.String())
	}
	return out
}

func knownIANA(tzid string) bool { return tzid == "Europe/Paris" || tzid == "America/New_York" }

func TestValidate(t *testing.T) {
	strict := ical.ValidateOptions{Strict: true}
	tests := []struct {
		name string
		in   string // a calendar body (see valCal) or a whole component
		opts ical.ValidateOptions
		want []string
	}{
		// RFC 5545 §3.6: calprops.
		{name: "valid event", in: valEvent},
		{name: "valid event strict", in: valEvent, opts: strict},
		{
			name: "no VERSION or PRODID lenient",
			in:   "BEGIN:VCALENDAR\n" + valEvent + "END:VCALENDAR\n",
			want: []string{"warning: line 1: VCALENDAR has no PRODID", "warning: line 1: VCALENDAR has no VERSION"},
		},
		{
			name: "no VERSION or PRODID strict",
			in:   "BEGIN:VCALENDAR\n" + valEvent + "END:VCALENDAR\n",
			opts: strict,
			want: []string{"error: line 1: VCALENDAR has no PRODID", "error: line 1: VCALENDAR has no VERSION"},
		},
		{
			name: "VERSION 1.0",
			in:   "BEGIN:VCALENDAR\nVERSION:1.0\nPRODID:x\n" + valEvent + "END:VCALENDAR\n",
			want: []string{`error: line 2: VERSION must be 2.0, not "1.0"`},
		},
		{name: "empty calendar", in: "", want: []string{"warning: line 1: VCALENDAR has no components"}},
		{name: "empty calendar strict", in: "", opts: strict, want: []string{"error: line 1: VCALENDAR has no components"}},
		{
			name: "CALSCALE and RFC 7986 calendar properties",
			in:   "CALSCALE:GREGORIAN\nNAME:Work\nNAME;LANGUAGE=de:Arbeit\nCOLOR:red\nREFRESH-INTERVAL;VALUE=DURATION:P1D\n" + valEvent,
		},
		{
			name: "COLOR twice and unknown CALSCALE",
			in:   "CALSCALE:HEBREW\nCOLOR:red\nCOLOR:blue\n" + valEvent,
			want: []string{`warning: line 4: CALSCALE has invalid value "HEBREW"`, "warning: line 6: VCALENDAR has more than one COLOR"},
		},

		// RFC 5545 §3.6.1: VEVENT.
		{
			name: "event without UID",
			in:   "BEGIN:VEVENT\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nEND:VEVENT\n",
			want: []string{"error: line 4: VEVENT has no UID"},
		},
		{
			name: "event without DTSTAMP lenient",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTART:20240102T100000Z\nEND:VEVENT\n",
			want: []string{"warning: line 4: VEVENT has no DTSTAMP"},
		},
		{
			name: "event without DTSTAMP strict",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTART:20240102T100000Z\nEND:VEVENT\n",
			opts: strict,
			want: []string{"error: line 4: VEVENT has no DTSTAMP"},
		},
		{
			name: "event without DTSTART",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nEND:VEVENT\n",
			want: []string{"error: line 4: VEVENT has no DTSTART"},
		},
		{
			name: "event without DTSTART in an iTIP message",
			in:   "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nSEQUENCE:1\nEND:VEVENT\nEND:VCALENDAR\n",
		},
		{
			name: "repeated SUMMARY lenient, repeated DTSTART",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nSUMMARY:a\nSUMMARY:b\nDTSTART:20240102T100000Z\nEND:VEVENT\n",
			want: []string{"warning: line 9: VEVENT has more than one SUMMARY", "error: line 10: VEVENT has more than one DTSTART"},
		},
		{
			name: "repeated SUMMARY strict",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nSUMMARY:a\nSUMMARY:b\nEND:VEVENT\n",
			opts: strict,
			want: []string{"error: line 9: VEVENT has more than one SUMMARY"},
		},
		{
			name: "DTEND and DURATION",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nDTEND:20240102T110000Z\nDURATION:PT1H\nEND:VEVENT\n",
			want: []string{"error: line 9: VEVENT has both DTEND and DURATION"},
		},
		{
			name: "DUE in a VEVENT",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nDUE:20240102T110000Z\nEND:VEVENT\n",
			want: []string{"warning: line 8: DUE is not allowed in VEVENT"},
		},
		{
			name: "all-day event",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;VALUE=DATE:20240102\nDTEND;VALUE=DATE:20240104\nRRULE:FREQ=YEARLY;UNTIL=20300102\nEND:VEVENT\n",
		},
		{
			name: "DTEND DATE-TIME with DTSTART DATE",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;VALUE=DATE:20240102\nDTEND:20240102T110000Z\nEND:VEVENT\n",
			want: []string{"error: line 8: DTEND must have the same value type as DTSTART"},
		},
		{
			name: "DTEND before DTSTART",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nDTEND:20240102T090000Z\nEND:VEVENT\n",
			want: []string{"error: line 8: DTEND is before DTSTART"},
		},
		{
			name: "DTEND equal to DTSTART",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000\nDTEND:20240102T100000\nEND:VEVENT\n",
			want: []string{"warning: line 8: DTEND is equal to DTSTART"},
		},
		{
			name: "DTEND earlier wall time in another zone is not compared",
			in:   valTZ + "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;TZID=Europe/Berlin:20240102T100000\nDTEND;TZID=America/New_York:20240102T050000\nEND:VEVENT\n",
			opts: ical.ValidateOptions{KnownTZID: knownIANA},
		},
		{
			name: "DTEND before DTSTART in one zone",
			in:   valTZ + "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;TZID=Europe/Berlin:20240102T100000\nDTEND;TZID=Europe/Berlin:20240102T050000\nEND:VEVENT\n",
			want: []string{"error: line 23: DTEND is before DTSTART"},
		},
		{
			name: "DTEND floating with DTSTART in UTC",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nDTEND:20240102T110000\nEND:VEVENT\n",
			want: []string{"warning: line 8: DTEND must be a floating time if and only if DTSTART is"},
		},
		{
			name: "DATE DTSTART with an hour DURATION, negative DURATION",
			in: "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;VALUE=DATE:20240102\nDURATION:PT24H\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nUID:b\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nDURATION:-PT1H\nEND:VEVENT\n",
			want: []string{"warning: line 8: DURATION of VEVENT must be in days or weeks when DTSTART is a DATE", "error: line 14: DURATION of VEVENT is negative"},
		},

		// RFC 5545 §3.3.10: RRULE.
		{
			name: "BYHOUR with a DATE DTSTART",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;VALUE=DATE:20240102\nRRULE:FREQ=DAILY;BYHOUR=10\nEND:VEVENT\n",
			want: []string{"warning: line 8: RRULE has BYHOUR but DTSTART is a DATE"},
		},
		{
			name: "COUNT and UNTIL, no FREQ",
			in: "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nRRULE:FREQ=DAILY;COUNT=3;UNTIL=20240110T000000Z\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nUID:b\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nRRULE:INTERVAL=0;COUNT=2\nEND:VEVENT\n",
			want: []string{
				"error: line 8: RRULE has both COUNT and UNTIL",
				`error: line 14: RRULE INTERVAL must be a positive integer, not "0"`,
				"error: line 14: RRULE has no FREQ",
			},
		},
		{
			name: "UNTIL forms",
			in: valTZ +
				"BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;TZID=Europe/Berlin:20240102T100000\nRRULE:FREQ=DAILY;UNTIL=20240110T090000Z\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nUID:b\nDTSTAMP:20240101T000000Z\nDTSTART;TZID=Europe/Berlin:20240102T100000\nRRULE:FREQ=DAILY;UNTIL=20240110T100000\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nUID:c\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nRRULE:FREQ=DAILY;UNTIL=20240110\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nUID:d\nDTSTAMP:20240101T000000Z\nDTSTART;VALUE=DATE:20240102\nRRULE:FREQ=DAILY;UNTIL=20240110T000000Z\nEND:VEVENT\n",
			want: []string{
				"warning: line 29: RRULE UNTIL must be in UTC when DTSTART is in UTC or has a TZID",
				"warning: line 35: RRULE UNTIL must be a DATE-TIME like DTSTART",
				"warning: line 41: RRULE UNTIL must be a DATE like DTSTART",
			},
		},
		{
			name: "UNTIL DATE strict",
			in:   "BEGIN:VEVENT\nUID:c\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nRRULE:FREQ=DAILY;UNTIL=20240110\nEND:VEVENT\n",
			opts: strict,
			want: []string{"error: line 8: RRULE UNTIL must be a DATE-TIME like DTSTART"},
		},
		{
			name: "EXRULE",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nRRULE:FREQ=DAILY\nEXRULE:FREQ=WEEKLY\nEND:VEVENT\n",
			want: []string{"warning: line 9: EXRULE is deprecated by RFC 5545"},
		},

		// RFC 5545 §3.2.19, §3.6.5: TZID and VTIMEZONE.
		{
			name: "TZID defined by a VTIMEZONE",
			in:   valTZ + "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;TZID=Europe/Berlin:20240102T100000\nEXDATE;TZID=Europe/Berlin:20240103T100000,20240104T100000\nEND:VEVENT\n",
		},
		{
			name: "TZID undefined lenient",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;TZID=Europe/Paris:20240102T100000\nDTEND;TZID=Europe/Paris:20240102T110000\nEND:VEVENT\n",
			want: []string{`warning: line 7: TZID "Europe/Paris" is not defined by a VTIMEZONE`},
		},
		{
			name: "TZID undefined strict",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;TZID=Europe/Paris:20240102T100000\nEND:VEVENT\n",
			opts: strict,
			want: []string{`error: line 7: TZID "Europe/Paris" is not defined by a VTIMEZONE`},
		},
		{
			name: "TZID known to KnownTZID",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;TZID=Europe/Paris:20240102T100000\nEND:VEVENT\n",
			opts: ical.ValidateOptions{Strict: true, KnownTZID: knownIANA},
		},
		{
			name: "TZID unknown to KnownTZID",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;TZID=Mars/Olympus:20240102T100000\nEND:VEVENT\n",
			opts: ical.ValidateOptions{KnownTZID: knownIANA},
			want: []string{`error: line 7: TZID "Mars/Olympus" is not defined by a VTIMEZONE and is not a known time zone`},
		},
		{
			name: "TZID on a UTC time and on a DATE",
			in:   valTZ + "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;TZID=Europe/Berlin:20240102T100000Z\nEXDATE;TZID=Europe/Berlin;VALUE=DATE:20240103\nEND:VEVENT\n",
			want: []string{"warning: line 22: DTSTART has TZID on a UTC time", "warning: line 23: EXDATE has TZID on a DATE value"},
		},
		{
			name: "VTIMEZONE without observance",
			in:   "BEGIN:VTIMEZONE\nTZID:Empty\nEND:VTIMEZONE\n" + valEvent,
			want: []string{"error: line 4: VTIMEZONE has no STANDARD or DAYLIGHT"},
		},
		{
			name: "STANDARD without TZOFFSETFROM, UTC onset and local UNTIL",
			in:   "BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:19701025T030000Z\nTZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;UNTIL=19801025T030000\nEND:STANDARD\nEND:VTIMEZONE\n" + valEvent,
			want: []string{
				"error: line 6: STANDARD has no TZOFFSETFROM",
				"warning: line 7: DTSTART in STANDARD must be a local time, not utc",
				"warning: line 9: RRULE UNTIL must be a UTC DATE-TIME",
			},
		},
		{
			name: "TZOFFSETTO -0000",
			in:   "BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:19701025T030000\nTZOFFSETFROM:+0000\nTZOFFSETTO:-0000\nEND:STANDARD\nEND:VTIMEZONE\n" + valEvent,
			want: []string{"warning: line 9: TZOFFSETTO must not be -0000"},
		},

		// RFC 5545 §3.6.2: VTODO.
		{
			name: "todo with DUE, PERCENT-COMPLETE and a relative alarm",
			in:   "BEGIN:VTODO\nUID:t\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nDUE:20240103T100000Z\nPERCENT-COMPLETE:50\nSTATUS:IN-PROCESS\nBEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\nTRIGGER;RELATED=END:-PT5M\nEND:VALARM\nEND:VTODO\n",
		},
		{
			name: "todo with DUE and DURATION",
			in:   "BEGIN:VTODO\nUID:t\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nDUE:20240103T100000Z\nDURATION:P1D\nEND:VTODO\n",
			want: []string{"error: line 9: VTODO has both DUE and DURATION"},
		},
		{
			name: "todo with DURATION or RRULE but no DTSTART",
			in:   "BEGIN:VTODO\nUID:t\nDTSTAMP:20240101T000000Z\nDURATION:P1D\nRRULE:FREQ=DAILY\nEND:VTODO\n",
			want: []string{"error: line 7: VTODO has DURATION but no DTSTART", "error: line 8: VTODO has RRULE but no DTSTART"},
		},
		{
			name: "todo STATUS, PERCENT-COMPLETE, PRIORITY out of range",
			in:   "BEGIN:VTODO\nUID:t\nDTSTAMP:20240101T000000Z\nSTATUS:TENTATIVE\nPERCENT-COMPLETE:101\nPRIORITY:10\nEND:VTODO\n",
			want: []string{
				"error: line 7: STATUS:TENTATIVE is not allowed in VTODO",
				"error: line 8: PERCENT-COMPLETE must be between 0 and 100, not 101",
				"error: line 9: PRIORITY must be between 0 and 9, not 10",
			},
		},
		{
			name: "todo alarm relative to a missing end",
			in:   "BEGIN:VTODO\nUID:t\nDTSTAMP:20240101T000000Z\nBEGIN:VALARM\nACTION:AUDIO\nTRIGGER;RELATED=END:-PT5M\nEND:VALARM\nBEGIN:VALARM\nACTION:AUDIO\nTRIGGER:-PT5M\nEND:VALARM\nEND:VTODO\n",
			want: []string{
				"warning: line 9: TRIGGER is relative to the end but the VTODO has no DUE nor DTSTART and DURATION",
				"warning: line 13: TRIGGER is relative to the start but the VTODO has no DTSTART",
			},
		},

		// RFC 5545 §3.6.3: VJOURNAL.
		{
			name: "journal",
			in:   "BEGIN:VJOURNAL\nUID:j\nDTSTAMP:20240101T000000Z\nDTSTART;VALUE=DATE:20240102\nSTATUS:FINAL\nDESCRIPTION:a\nDESCRIPTION:b\nEND:VJOURNAL\n",
		},
		{
			name: "journal with DTEND, event STATUS and an alarm",
			in:   "BEGIN:VJOURNAL\nUID:j\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nDTEND:20240102T110000Z\nSTATUS:CONFIRMED\nBEGIN:VALARM\nACTION:AUDIO\nTRIGGER:-PT5M\nEND:VALARM\nEND:VJOURNAL\n",
			want: []string{
				"warning: line 8: DTEND is not allowed in VJOURNAL",
				"error: line 9: STATUS:CONFIRMED is not allowed in VJOURNAL",
				"warning: line 10: VALARM is not allowed in VJOURNAL",
			},
		},

		// RFC 5545 §3.6.4: VFREEBUSY.
		{
			name: "free/busy",
			in:   "BEGIN:VFREEBUSY\nUID:f\nDTSTAMP:20240101T000000Z\nDTSTART:20240101T000000Z\nDTEND:20240108T000000Z\nFREEBUSY;FBTYPE=BUSY-TENTATIVE:20240102T100000Z/PT1H,20240103T100000Z/20240103T120000Z\nEND:VFREEBUSY\n",
		},
		{
			name: "free/busy without UID, local times, DTEND first",
			in:   "BEGIN:VFREEBUSY\nDTSTAMP:20240101T000000Z\nDTSTART:20240108T000000Z\nDTEND:20240101T000000Z\nFREEBUSY;FBTYPE=OUT:20240102T100000/PT1H\nEND:VFREEBUSY\n",
			want: []string{
				"error: line 4: VFREEBUSY has no UID",
				"error: line 7: DTEND of VFREEBUSY is not after DTSTART",
				`warning: line 8: FREEBUSY has unregistered FBTYPE value "OUT"`,
				"warning: line 8: FREEBUSY periods must be in UTC",
			},
		},

		// RFC 5545 §3.6.6: VALARM.
		{
			name: "alarms by action",
			in: "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\n" +
				"BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nEND:VALARM\n" +
				"BEGIN:VALARM\nACTION:EMAIL\nDESCRIPTION:d\nTRIGGER:-PT15M\nEND:VALARM\n" +
				"BEGIN:VALARM\nACTION:AUDIO\nTRIGGER;VALUE=DATE-TIME:20240102T093000\nDURATION:PT5M\nEND:VALARM\n" +
				"BEGIN:VALARM\nACTION:X-SMS\nEND:VALARM\n" +
				"END:VEVENT\n",
			want: []string{
				"warning: line 8: VALARM with ACTION:DISPLAY has no DESCRIPTION",
				"warning: line 12: VALARM with ACTION:EMAIL has no SUMMARY",
				"warning: line 12: VALARM with ACTION:EMAIL has no ATTENDEE",
				"warning: line 19: absolute TRIGGER must be in UTC",
				"warning: line 20: VALARM has DURATION but no REPEAT",
				"error: line 22: VALARM with ACTION:X-SMS has no TRIGGER",
			},
		},
		{
			name: "valid email alarm",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nBEGIN:VALARM\nACTION:EMAIL\nDESCRIPTION:d\nSUMMARY:s\nATTENDEE:mailto:a@example.com\nTRIGGER;RELATED=START:-PT15M\nREPEAT:2\nDURATION:PT5M\nEND:VALARM\nEND:VEVENT\n",
		},

		// RFC 7953: VAVAILABILITY.
		{
			name: "availability",
			in: valTZ + "BEGIN:VAVAILABILITY\nORGANIZER:mailto:bernard@example.com\nUID:0428C7D2\nDTSTAMP:20111005T133225Z\nBUSYTYPE:BUSY-UNAVAILABLE\n" +
				"BEGIN:AVAILABLE\nUID:34EDA59B\nDTSTAMP:20111005T133225Z\nSUMMARY:Monday to Friday from 9:00 to 17:00\nDTSTART;TZID=Europe/Berlin:20111002T090000\nDTEND;TZID=Europe/Berlin:20111002T170000\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\nEND:AVAILABLE\nEND:VAVAILABILITY\n",
		},
		{
			name: "available without DTSTART, with DATE",
			in: "BEGIN:VAVAILABILITY\nUID:v\nDTSTAMP:20111005T133225Z\nDTSTART;VALUE=DATE:20111002\nDURATION:P1D\n" +
				"BEGIN:AVAILABLE\nUID:a\nDTSTAMP:20111005T133225Z\nDTEND:20111002T170000Z\nEND:AVAILABLE\nEND:VAVAILABILITY\n",
			want: []string{
				"error: line 7: DTSTART of VAVAILABILITY must be a DATE-TIME",
				"error: line 9: AVAILABLE has no DTSTART",
			},
		},

		// RFC 5545 §3.8.4.4: recurrence sets.
		{
			name: "master and overrides",
			in: "BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nRRULE:FREQ=DAILY;COUNT=5\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nRECURRENCE-ID:20240103T100000Z\nDTSTART:20240103T120000Z\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nRECURRENCE-ID;RANGE=THISANDFUTURE:20240104T100000Z\nDTSTART:20240104T120000Z\nEND:VEVENT\n",
		},
		{
			name: "two masters, duplicate override, DATE RECURRENCE-ID, VTODO with the UID",
			in: "BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nRRULE:FREQ=DAILY\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nRECURRENCE-ID:20240103T100000Z\nDTSTART:20240103T120000Z\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nRECURRENCE-ID:20240103T100000Z\nDTSTART:20240103T130000Z\nEND:VEVENT\n" +
				"BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nRECURRENCE-ID;VALUE=DATE:20240104\nDTSTART:20240104T130000Z\nEND:VEVENT\n" +
				"BEGIN:VTODO\nUID:r\nDTSTAMP:20240101T000000Z\nEND:VTODO\n",
			want: []string{
				"error: line 10: VEVENT has the same UID as the VEVENT on line 4 and neither has RECURRENCE-ID",
				"error: line 24: VEVENT has the same UID and RECURRENCE-ID as the VEVENT on line 15",
				"warning: line 30: RECURRENCE-ID must have the same value type as DTSTART",
				"error: line 33: VTODO has the same UID as the VEVENT on line 4",
			},
		},
		{
			name: "override without master",
			in:   "BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nRECURRENCE-ID;VALUE=DATE:20240103\nDTSTART:20240103T120000Z\nEND:VEVENT\n",
			want: []string{"warning: line 7: RECURRENCE-ID must have the same value type as DTSTART"},
		},

		// RFC 5545 §3.3, §3.2: values and parameters.
		{
			name: "values that do not parse",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20241302T100000Z\nDURATION:1H\nSEQUENCE:one\nGEO:91;0\nURL:http://[::1\nEND:VEVENT\n",
			want: []string{
				`error: line 7: DTSTART: invalid DATE-TIME "20241302T100000Z"`,
				`error: line 8: DURATION: invalid DURATION "1H"`,
				`error: line 9: SEQUENCE: invalid INTEGER "one"`,
				`error: line 10: GEO: invalid GEO "91;0"`,
				`error: line 11: URL: invalid URI "http://[::1"`,
			},
		},
		{
			name: "GEO with a comma, negative SEQUENCE",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nGEO:37.386013,-122.082932\nSEQUENCE:-1\nEND:VEVENT\n",
			want: []string{`warning: line 8: GEO must separate latitude and longitude with ";"`, "error: line 9: SEQUENCE must not be negative"},
		},
		{
			name: "DATE without VALUE=DATE, DTSTAMP not UTC, bad escape",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000\nDTSTART:20240102\nSUMMARY:a\\:b\nEND:VEVENT\n",
			want: []string{
				"warning: line 6: DTSTAMP must be a UTC DATE-TIME",
				"warning: line 7: DTSTART value 20240102 is a DATE without VALUE=DATE",
				`warning: line 8: SUMMARY has invalid escape "\\:"`,
			},
		},
		{
			name: "DATE without VALUE=DATE strict",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102\nEND:VEVENT\n",
			opts: strict,
			want: []string{"error: line 7: DTSTART value 20240102 is a DATE without VALUE=DATE"},
		},
		{
			name: "attendee parameters",
			in: "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\n" +
				"ORGANIZER;CN=Boss;SCHEDULE-AGENT=SERVER:mailto:boss@example.com\n" +
				"ATTENDEE;CUTYPE=ROOM;ROLE=NON-PARTICIPANT;PARTSTAT=X-MAYBE;RSVP=FALSE;SCHEDULE-STATUS=\"2.0,1.1\":mailto:room@example.com\n" +
				"ATTENDEE;CUTYPE=individual;ROLE=CHAIR;PARTSTAT=accepted;RSVP=true:mailto:a@example.com\n" +
				"END:VEVENT\n",
		},
		{
			name: "bad attendee parameters",
			in: "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\n" +
				"ATTENDEE;RSVP=YES;PARTSTAT=COMPLETED;ROLE=BOSS;CUTYPE=\"a b\":b@example.com\n" +
				"ATTENDEE;SCHEDULE-STATUS=OK;SCHEDULE-AGENT=X-ME:mailto:c@example.com\n" +
				"END:VEVENT\n",
			want: []string{
				`warning: line 8: ATTENDEE has invalid RSVP value "YES"`,
				"warning: line 8: PARTSTAT=COMPLETED is not allowed in VEVENT",
				`warning: line 8: ATTENDEE has unregistered ROLE value "BOSS"`,
				`warning: line 8: ATTENDEE has invalid CUTYPE value "a b"`,
				`warning: line 8: ATTENDEE value "b@example.com" is not a URI`,
				`warning: line 9: SCHEDULE-STATUS "OK" is not a status code`,
			},
		},
		{
			name: "RSVP=YES strict",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nATTENDEE;RSVP=YES:mailto:b@example.com\nEND:VEVENT\n",
			opts: strict,
			want: []string{`error: line 8: ATTENDEE has invalid RSVP value "YES"`},
		},
		{
			name: "RANGE, RELATED, ENCODING, RELTYPE",
			in: "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\n" +
				"RECURRENCE-ID;RANGE=THISANDPRIOR:20240102T100000Z\n" +
				"ATTACH;ENCODING=QUOTED-PRINTABLE:http://example.com/x\n" +
				"RELATED-TO;RELTYPE=X-NEXT:b\n" +
				"RELATED-TO;RELTYPE=DEPENDS-ON:c\n" +
				"BEGIN:VALARM\nACTION:AUDIO\nTRIGGER;RELATED=MIDDLE:-PT5M\nEND:VALARM\n" +
				"END:VEVENT\n",
			want: []string{
				"warning: line 8: RANGE=THISANDPRIOR is deprecated by RFC 5545",
				`error: line 9: ATTACH has invalid ENCODING value "QUOTED-PRINTABLE"`,
				`error: line 14: TRIGGER has invalid RELATED value "MIDDLE"`,
			},
		},
		{
			name: "VALUE types",
			in: "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART;VALUE=TEXT:tomorrow\n" +
				"X-ONE;VALUE=FOO:bar\nX-TWO;VALUE=X-BAR:baz\nX-THREE;VALUE=INTEGER:3\nX-FOUR;VALUE=BOOLEAN:YES\n" +
				"ATTACH;VALUE=BINARY:aGVsbG8=\n" +
				"ATTACH;VALUE=BINARY;ENCODING=BASE64:aGVsbG8=\n" +
				"END:VEVENT\n",
			want: []string{
				"error: line 7: DTSTART cannot have VALUE=TEXT",
				`warning: line 8: X-ONE has unknown VALUE type "FOO"`,
				`error: line 11: X-FOUR: invalid BOOLEAN "YES"`,
				"error: line 12: ATTACH with VALUE=BINARY has no ENCODING=BASE64",
			},
		},
		{
			name: "CLASS, TRANSP, STATUS, ACTION",
			in: "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nCLASS:SECRET\nTRANSP:SEE-THROUGH\nSTATUS:DONE\n" +
				"BEGIN:VALARM\nACTION:PROCEDURE\nTRIGGER:-PT5M\nEND:VALARM\n" +
				"END:VEVENT\n" +
				"BEGIN:VEVENT\nUID:b\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nCLASS:X-SECRET\nTRANSP:transparent\nSTATUS:cancelled\nEND:VEVENT\n",
			want: []string{
				`warning: line 8: CLASS has unregistered value "SECRET"`,
				`error: line 9: TRANSP has invalid value "SEE-THROUGH"`,
				"error: line 10: STATUS:DONE is not allowed in VEVENT",
				"warning: line 12: ACTION:PROCEDURE is deprecated by RFC 5545",
			},
		},
		{
			name: "RFC 7986 event properties",
			in: "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nCOLOR:turquoise\n" +
				"IMAGE;VALUE=URI;DISPLAY=BADGE;FMTTYPE=image/png:http://example.com/images/party.png\n" +
				"CONFERENCE;VALUE=URI;FEATURE=PHONE,MODERATOR;LABEL=Moderator dial-in:tel:+1-412-555-0123,,,654321\n" +
				"CONFERENCE:https://chat.example.com/audio?id=123456\n" +
				"END:VEVENT\n",
			want: []string{"warning: line 11: CONFERENCE has no VALUE parameter"},
		},
		{
			name: "nested components",
			in:   "BEGIN:VEVENT\nUID:a\nDTSTAMP:20240101T000000Z\nDTSTART:20240102T100000Z\nBEGIN:VTODO\nUID:b\nDTSTAMP:20240101T000000Z\nEND:VTODO\nBEGIN:X-THING\nEND:X-THING\nEND:VEVENT\n",
			want: []string{"error: line 8: VTODO is not allowed in VEVENT"},
		},
		{
			name: "lone VEVENT",
			in:   "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;TZID=Europe/Paris:20240102T100000\r\nPRIORITY:-1\r\nEND:VEVENT\r\n",
			want: []string{"error: line 5: PRIORITY must be between 0 and 9, not -1"},
		},
		{
			name: "lone VEVENT with KnownTZID",
			in:   "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20240101T000000Z\r\nDTSTART;TZID=Mars/Olympus:20240102T100000\r\nEND:VEVENT\r\n",
			opts: ical.ValidateOptions{KnownTZID: knownIANA},
			want: []string{`error: line 4: TZID "Mars/Olympus" is not defined by a VTIMEZONE and is not a known time zone`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if !strings.HasPrefix(in, "BEGIN:VEVENT\r\n") {
				in = valCal(in)
			}
			c := valDecode(t, in)
			got := valFormat(ical.Validate(c, tt.opts))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Validate(%s) =\n\t%s\nwant\n\t%s", tt.name, strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
		})
	}
}

func TestValidateNil(t *testing.T) {
	if got := ical.Validate(nil, ical.ValidateOptions{}); got != nil {
		t.Errorf("Validate(nil) = %v, want nil", got)
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    ical.Problem
		want string
	}{
		{ical.Problem{Line: 12, Severity: ical.SeverityError, Msg: "VEVENT has both DTEND and DURATION"}, "line 12: VEVENT has both DTEND and DURATION"},
		{ical.Problem{Severity: ical.SeverityWarning, Msg: "x"}, "x"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("Problem%+v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// valDecodeAll decodes every top-level component of data leniently; it
// returns nil if the data does not decode.
func valDecodeAll(data []byte) []*ical.Component {
	dec := ical.NewDecoder(bytes.NewReader(data))
	var out []*ical.Component
	for {
		c, err := dec.DecodeComponent()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			return out
		}
		out = append(out, c)
	}
}

// rfcJustified lists the Error-severity problems Validate finds in RFC
// examples whose manifest entry has no known_issues, each with the RFC
// text that the example violates.
var rfcJustified = map[string][]struct{ msg, quote string }{
	"rfc-examples/rfc5546/rfc5546_4.2.1_a_REQUEST-VEVENT.ics": {{
		`line 15: DTEND: invalid DATE-TIME "19970701T2100000Z": want YYYYMMDDTHHMMSS`,
		`RFC 5545 §3.3.12: time = time-hour time-minute time-second [time-utc], each 2DIGIT; "2100000" has seven digits`,
	}},
	"rfc-examples/rfc5546/rfc5546_4.7.2_a_REQUEST-VEVENT.ics": {{
		`line 9: RDATE: invalid PERIOD "19970819T210000Z/199700819T220000Z": bad end`,
		`RFC 5545 §3.3.4: date-fullyear = 4DIGIT; "199700819" has a five-digit year`,
	}},
	"rfc-examples/rfc6047/rfc6047_4.6_part1_REQUEST-VEVENT.ics": {{
		`line 12: DTEND: invalid DATE-TIME "199706211T173000Z": want YYYYMMDDTHHMMSS`,
		`RFC 5545 §3.3.4: date-value = date-fullyear date-month date-mday, 4DIGIT 2DIGIT 2DIGIT; "199706211" has nine digits`,
	}},
	"rfc-examples/rfc6047/rfc6047_4.6_message.txt": {{
		`line 12: DTEND: invalid DATE-TIME "199706211T173000Z": want YYYYMMDDTHHMMSS`,
		`RFC 5545 §3.3.4: date-value = date-fullyear date-month date-mday, 4DIGIT 2DIGIT 2DIGIT; "199706211" has nine digits`,
	}},
}

// rfcKnownIssues reads the rfc-examples manifest: the number of
// known_issues of each file, by its path relative to the vectors.
func rfcKnownIssues(t *testing.T) map[string]int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectors.Dir(), "rfc-examples", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Vectors []struct {
			File        string   `json:"file"`
			KnownIssues []string `json:"known_issues"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	out := make(map[string]int, len(m.Vectors))
	for _, v := range m.Vectors {
		out["rfc-examples/"+v.File] = len(v.KnownIssues)
	}
	return out
}

// valShape reduces a problem message to its rule for counting: quoted
// values and numbers are elided.
var valShape = regexp.MustCompile(`"[^"]*"|[0-9]+`)

// TestValidateVectors runs Validate, lenient and strict, over every object
// of the shared vectors. It must not panic; the RFC examples without known
// issues must have no error other than the justified ones; the findings in
// the real-world corpus are logged (run with -v) to guide lenient repairs.
func TestValidateVectors(t *testing.T) {
	objs, err := vectors.Calendars("ics", "imip", "rfc-examples")
	if err != nil {
		t.Fatal(err)
	}
	known := rfcKnownIssues(t)
	counts := map[string]int{}
	strictErrors, objects := 0, 0
	for _, o := range objs {
		if _, ok := brokenVectors[o.Name]; ok {
			continue
		}
		t.Run(o.Name, func(t *testing.T) {
			comps := valDecodeAll(o.Data)
			for _, c := range comps {
				objects++
				probs := ical.Validate(c, ical.ValidateOptions{})
				for _, p := range ical.Validate(c, ical.ValidateOptions{Strict: true}) {
					if p.Severity == ical.SeverityError {
						strictErrors++
					}
				}
				if !strings.HasPrefix(o.Name, "rfc-examples/") {
					for _, p := range probs {
						counts[p.Severity.String()+": "+valShape.ReplaceAllString(p.Msg, "…")]++
					}
					continue
				}
				file, _, _ := strings.Cut(o.Name, "#")
				n, ok := known[file]
				if !ok || n > 0 {
					continue
				}
				for _, p := range probs {
					if p.Severity != ical.SeverityError {
						continue
					}
					if !slices.ContainsFunc(rfcJustified[o.Name], func(j struct{ msg, quote string }) bool { return j.msg == p.String() }) {
						t.Errorf("Validate(%s) = %q, want no error (the manifest lists no known issue)", o.Name, p.String())
					}
				}
			}
		})
	}
	type kv struct {
		k string
		n int
	}
	var top []kv
	for k, n := range counts {
		top = append(top, kv{k, n})
	}
	slices.SortFunc(top, func(a, b kv) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return strings.Compare(a.k, b.k)
	})
	var b strings.Builder
	for i, e := range top {
		if i == 40 {
			break
		}
		fmt.Fprintf(&b, "\n%6d  %s", e.n, e.k)
	}
	t.Logf("%d components in %d objects; %d errors in strict mode; lenient findings in ics/ and imip/ (top 40):%s", objects, len(objs), strictErrors, b.String())
}

// TestValidateGolden checks the files in testdata/validate: comment lines
// starting with "#", an iCalendar object, then the expected problems in
// lenient mode after "---------- lenient" and in strict mode after
// "---------- strict". Line numbers count from the object's first line.
func TestValidateGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "validate", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in testdata/validate: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(string(data), "\r\n", "\n")
			in, rest, ok1 := strings.Cut(text, "---------- lenient\n")
			lenient, strict, ok2 := strings.Cut(rest, "---------- strict\n")
			if !ok1 || !ok2 {
				t.Fatalf("%s: want sections \"---------- lenient\" and \"---------- strict\"", file)
			}
			var ics strings.Builder
			for _, line := range strings.SplitAfter(in, "\n") {
				if !strings.HasPrefix(line, "#") {
					ics.WriteString(strings.TrimSuffix(line, "\n"))
					if strings.HasSuffix(line, "\n") {
						ics.WriteString("\r\n")
					}
				}
			}
			c := valDecode(t, ics.String())
			for _, mode := range []struct {
				opts ical.ValidateOptions
				want string
			}{{ical.ValidateOptions{}, lenient}, {ical.ValidateOptions{Strict: true}, strict}} {
				got := strings.Join(valFormat(ical.Validate(c, mode.opts)), "\n")
				if want := strings.TrimSpace(mode.want); got != want {
					t.Errorf("Validate(%s, Strict=%v) =\n%s\nwant\n%s", file, mode.opts.Strict, got, want)
				}
			}
		})
	}
}

// BenchmarkValidate measures Validate on a typical CalDAV PUT body: a
// VTIMEZONE and a recurring meeting with attendees, an alarm and an
// override.
func BenchmarkValidate(b *testing.B) {
	in := valCal(valTZ +
		"BEGIN:VEVENT\nUID:bench@example.com\nDTSTAMP:20240101T000000Z\nCREATED:20240101T000000Z\nSEQUENCE:2\n" +
		"DTSTART;TZID=Europe/Berlin:20240102T100000\nDTEND;TZID=Europe/Berlin:20240102T110000\n" +
		"RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20241231T090000Z\nEXDATE;TZID=Europe/Berlin:20240109T100000\n" +
		"SUMMARY:Weekly sync\\, all hands\nDESCRIPTION:Agenda:\\n1. news\\n2. plans\nLOCATION:Room 1\n" +
		"ORGANIZER;CN=Alice:mailto:alice@example.com\n" +
		"ATTENDEE;CN=Bob;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:bob@example.com\n" +
		"ATTENDEE;CN=Carol;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol@example.com\n" +
		"BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:Reminder\nTRIGGER:-PT10M\nEND:VALARM\nEND:VEVENT\n" +
		"BEGIN:VEVENT\nUID:bench@example.com\nDTSTAMP:20240101T000000Z\nRECURRENCE-ID;TZID=Europe/Berlin:20240116T100000\n" +
		"DTSTART;TZID=Europe/Berlin:20240116T140000\nDTEND;TZID=Europe/Berlin:20240116T150000\nSUMMARY:Weekly sync (moved)\nEND:VEVENT\n")
	c, err := ical.NewDecoder(strings.NewReader(in)).DecodeComponent()
	if err != nil {
		b.Fatal(err)
	}
	if probs := ical.Validate(c, ical.ValidateOptions{Strict: true}); len(probs) != 0 {
		b.Fatalf("Validate(bench) = %v, want no problems", probs)
	}
	b.ReportAllocs()
	for b.Loop() {
		ical.Validate(c, ical.ValidateOptions{Strict: true})
	}
}

// FuzzValidate checks that Validate does not panic on anything the
// lenient decoder accepts, and that its problems are sorted by line.
func FuzzValidate(f *testing.F) {
	// A valid event, a VTIMEZONE with an observance, and a recurrence set.
	f.Add([]byte(valCal(valEvent)))
	f.Add([]byte(valCal(valTZ + valEvent)))
	f.Add([]byte(valCal("BEGIN:VEVENT\nUID:r\nDTSTAMP:20240101T000000Z\nDTSTART;VALUE=DATE:20240102\nRRULE:FREQ=DAILY;UNTIL=20240110;BYHOUR=1\nEND:VEVENT\n" +
		"BEGIN:VEVENT\nUID:r\nRECURRENCE-ID;TZID=X:20240103T000000\nDTSTART:20240103T120000Z\nDURATION:-P1D\nEND:VEVENT\n")))
	// An alarm with every parameter kind, and a free/busy.
	f.Add([]byte(valCal("BEGIN:VTODO\nUID:t\nDUE:2024\nBEGIN:VALARM\nACTION:EMAIL\nTRIGGER;RELATED=END;VALUE=DATE-TIME:20240101T000000\nATTENDEE;RSVP=YES;PARTSTAT=X;CUTYPE=\"\":x\nEND:VALARM\nEND:VTODO\n" +
		"BEGIN:VFREEBUSY\nFREEBUSY:20240101T000000Z/,/P\nGEO:;\nEND:VFREEBUSY\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range valDecodeAll(data) {
			for _, strict := range []bool{false, true} {
				probs := ical.Validate(c, ical.ValidateOptions{Strict: strict, KnownTZID: knownIANA})
				if !slices.IsSortedFunc(probs, func(a, b ical.Problem) int { return cmp.Compare(a.Line, b.Line) }) {
					t.Fatalf("Validate(%q) problems are not sorted by line: %v", data, probs)
				}
			}
		}
	})
}
