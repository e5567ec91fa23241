// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// FuzzVTimezone parses VTIMEZONE components and evaluates them. Properties:
// no panic, bounded work, offsets below 24 hours, Transitions within
// MaxTransitions, and generated VTIMEZONEs parse.
func FuzzVTimezone(f *testing.F) {
	// Seeds: the real-world VTIMEZONEs of testdata/vtimezone.
	files, _ := filepath.Glob("testdata/vtimezone/*.ics")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			f.Add(string(b))
		}
	}
	// A rule with BYSETPOS and a negative UNTIL-less SECONDLY rule.
	f.Add("BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:x\r\nBEGIN:DAYLIGHT\r\nDTSTART:20000101T000000\r\nRRULE:FREQ=MONTHLY;BYDAY=SU;BYSETPOS=-1\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+2359\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nDTSTART:20000101T000000\r\nRRULE:FREQ=SECONDLY\r\nTZOFFSETFROM:+2359\r\nTZOFFSETTO:-2359\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n")
	f.Fuzz(fuzzOne)
}

// fuzzOne checks one FuzzVTimezone input.
func fuzzOne(t *testing.T, text string) {
	cal, err := ical.NewDecoder(strings.NewReader(text)).Decode()
	if err != nil {
		return
	}
	{
		r := NewResolver(cal.Component, ResolverOptions{})
		for tzid, v := range r.VTimezones() {
			if _, err := r.Zone(tzid); err != nil {
				t.Fatalf("Zone(%q) of a defined VTIMEZONE: %v", tzid, err)
			}
			for _, y := range []int{1601, 1970, 2024, 2100, 2500} {
				w := wallT(y, 3, 29, 2, 30, 0)
				// UTC offsets are below 24 hours (RFC 5545 §3.3.14).
				if d := v.Resolve(w).Sub(w); d <= -24*time.Hour || d >= 24*time.Hour {
					t.Fatalf("%q: Resolve(%v) is %v away", tzid, w, d)
				}
				if d := v.Wall(w).Sub(w); d <= -24*time.Hour || d >= 24*time.Hour {
					t.Fatalf("%q: Wall(%v) is %v away", tzid, w, d)
				}
			}
			if n := len(v.Transitions(date(1600, 1, 1), date(2500, 1, 1))); n > MaxTransitions {
				t.Fatalf("%q: %d transitions", tzid, n)
			}
			_, _ = Match(v, date(2020, 1, 1), date(2021, 1, 1))
			if c, err := Generate(v, date(2020, 1, 1), date(2022, 1, 1), GenerateOptions{}); err == nil {
				if _, err := ParseVTimezone(c); err != nil {
					t.Fatalf("%q: generated VTIMEZONE does not parse: %v", tzid, err)
				}
			}
		}
	}
}
