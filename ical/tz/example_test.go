// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
)

// RFC 5545 §3.3.5: 02:30 on the day New York springs forward does not
// exist and is read as 03:30 EDT; 01:30 on the day it falls back happens
// twice and is read as the first, EDT.
func ExampleLocation_Resolve() {
	ny, _ := tz.IANA("America/New_York")
	for _, wall := range []time.Time{
		time.Date(2007, 3, 11, 2, 30, 0, 0, time.UTC),
		time.Date(2007, 11, 4, 1, 30, 0, 0, time.UTC),
	} {
		fmt.Println(ny.Resolve(wall).In(ny.Location()).Format("2006-01-02 15:04 MST"))
	}
	// Output:
	// 2007-03-11 03:30 EDT
	// 2007-11-04 01:30 EDT
}

func ExampleLookup() {
	z, repair, err := tz.Lookup("W. Europe Standard Time")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(z.Name())
	fmt.Println(repair)
	// Output:
	// Europe/Berlin
	// TZID "W. Europe Standard Time" (Windows zone name) taken as "Europe/Berlin"
}

// A VTIMEZONE for the years a calendar uses, evaluated back.
func ExampleGenerate() {
	berlin, _ := tz.IANA("Europe/Berlin")
	vtz, err := tz.Generate(berlin, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), tz.GenerateOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(strings.ReplaceAll(string(ical.Marshal(vtz)), "\r\n", "\n"))
	// Output:
	// BEGIN:VTIMEZONE
	// TZID:Europe/Berlin
	// X-LIC-LOCATION:Europe/Berlin
	// BEGIN:STANDARD
	// DTSTART:20251026T030000
	// TZOFFSETFROM:+0200
	// TZOFFSETTO:+0100
	// TZNAME:CET
	// RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
	// END:STANDARD
	// BEGIN:DAYLIGHT
	// DTSTART:20260329T020000
	// TZOFFSETFROM:+0100
	// TZOFFSETTO:+0200
	// TZNAME:CEST
	// RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
	// END:DAYLIGHT
	// END:VTIMEZONE
}
