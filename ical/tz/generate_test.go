// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// roundTrip encodes a generated VTIMEZONE, decodes it and parses it.
func roundTrip(t testing.TB, c *ical.Component) (*VTimezone, string) {
	t.Helper()
	cal := ical.NewCalendar("-//Almanac//tz test//EN")
	cal.Children = append(cal.Children, c)
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	back, err := ical.NewDecoder(strings.NewReader(text)).Decode()
	if err != nil {
		t.Fatalf("decode generated VTIMEZONE: %v\n%s", err, text)
	}
	v, err := ParseVTimezone(back.Components(ical.CompTimezone)[0])
	if err != nil {
		t.Fatalf("ParseVTimezone(generated): %v\n%s", err, text)
	}
	return v, text
}

// TestGenerateAllZones generates a VTIMEZONE for every zone of the IANA
// database over 2000-2030 and checks that it evaluates to the same offsets.
func TestGenerateAllZones(t *testing.T) {
	from, to := date(2000, 1, 1), date(2030, 1, 1)
	names := Names()
	if testing.Short() {
		names = []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia", "Europe/Dublin", "Asia/Tehran", "Africa/Casablanca"}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			l := mustIANA(t, name)
			c, err := Generate(l, from, to, GenerateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			v, text := roundTrip(t, c)
			if err := sameOffsets(v, l, from, to); err != nil {
				t.Errorf("Generate(%s) evaluates differently: %v\n%s", name, err, text)
			}
		})
	}
}

// TestGenerateWideRange checks long ranges, with history, for a sample.
func TestGenerateWideRange(t *testing.T) {
	for _, name := range []string{"America/New_York", "Europe/London", "Europe/Paris", "Australia/Sydney", "Asia/Jerusalem", "America/Sao_Paulo", "Pacific/Apia", "Africa/Casablanca", "Asia/Gaza"} {
		for _, opts := range []GenerateOptions{{}, {RDatesOnly: true}} {
			t.Run(name, func(t *testing.T) {
				l := mustIANA(t, name)
				from, to := date(1900, 1, 1), date(2060, 1, 1)
				c, err := Generate(l, from, to, opts)
				if err != nil {
					t.Fatal(err)
				}
				v, text := roundTrip(t, c)
				if err := sameOffsets(v, l, from, to); err != nil {
					t.Errorf("Generate(%s, %+v) evaluates differently: %v\n%s", name, opts, err, text)
				}
			})
		}
	}
}

func TestGenerateShape(t *testing.T) {
	tests := []struct {
		zone     string
		from, to time.Time
		want     []string // substrings of the output, in order
		absent   []string
	}{
		{"America/New_York", date(2020, 1, 1), date(2030, 1, 1), []string{
			"TZID:America/New_York",
			"X-LIC-LOCATION:America/New_York",
			"BEGIN:STANDARD", "DTSTART:20191103T020000", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "TZNAME:EST", "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", "END:STANDARD",
			"BEGIN:DAYLIGHT", "DTSTART:20200308T020000", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400", "TZNAME:EDT", "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", "END:DAYLIGHT",
		}, []string{"RDATE", "UNTIL"}},
		{"Europe/Berlin", date(2020, 1, 1), date(2030, 1, 1), []string{
			"BEGIN:STANDARD", "DTSTART:20191027T030000", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
			"BEGIN:DAYLIGHT", "DTSTART:20200329T020000", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
		}, []string{"RDATE"}},
		{"America/New_York", date(2000, 1, 1), date(2030, 1, 1), []string{
			"UNTIL=2006", "BYDAY=1SU;BYMONTH=4", "BYDAY=2SU;BYMONTH=3",
		}, nil},
		{"Asia/Tokyo", date(2000, 1, 1), date(2030, 1, 1), []string{
			"BEGIN:STANDARD", "TZOFFSETTO:+0900", "END:STANDARD",
		}, []string{"DAYLIGHT", "RRULE", "RDATE"}},
		{"UTC", date(2000, 1, 1), date(2030, 1, 1), []string{
			"BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:+0000", "TZOFFSETTO:+0000",
		}, []string{"DAYLIGHT"}},
		{"Asia/Kolkata", date(2000, 1, 1), date(2030, 1, 1), []string{
			"TZOFFSETTO:+0530",
		}, []string{"DAYLIGHT"}},
		// Dublin's winter is "negative DST" in IANA; it is written as
		// STANDARD.
		{"Europe/Dublin", date(2020, 1, 1), date(2030, 1, 1), []string{
			"BEGIN:STANDARD", "TZOFFSETTO:+0000", "TZNAME:GMT", "BEGIN:DAYLIGHT", "TZOFFSETTO:+0100", "TZNAME:IST",
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			c, err := Generate(mustIANA(t, tt.zone), tt.from, tt.to, GenerateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(string(ical.Marshal(c)), "\r\n", "\n")
			rest := text
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("Generate(%s) lacks %q in order:\n%s", tt.zone, w, text)
				}
				rest = rest[i+len(w):]
			}
			for _, a := range tt.absent {
				if strings.Contains(text, a) {
					t.Errorf("Generate(%s) contains %q:\n%s", tt.zone, a, text)
				}
			}
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	if _, err := Generate(mustIANA(t, "UTC"), date(2030, 1, 1), date(2020, 1, 1), GenerateOptions{}); err == nil {
		t.Error("Generate with an empty range succeeded")
	}
}
