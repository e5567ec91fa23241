// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"testing"

	"github.com/almanac-project/almanac/ical/recur"
)

// smallLimits make expansions run out quickly.
var smallLimits = recur.Limits{MaxInstances: 100, MaxIterations: 10000}

func benchCal(b *testing.B) *CalendarData {
	b.Helper()
	return &CalendarData{Expand: &TimeRange{Start: "20260101T000000Z", End: "20270101T000000Z"}}
}

// BenchmarkMatchRecurring matches a time range in 2030 against a weekly
// event that started in 2020.
func BenchmarkMatchRecurring(b *testing.B) {
	c := cal(b, "BEGIN:VEVENT", "UID:w", "DTSTAMP:20200101T000000Z", "DTSTART;TZID=Europe/Berlin:20200106T100000",
		"DURATION:PT1H", "RRULE:FREQ=WEEKLY;BYDAY=MO,WE", "EXDATE;TZID=Europe/Berlin:20300107T100000", "END:VEVENT")
	f := rangeFilter(b, "VEVENT", "20300107T000000Z", "20300108T000000Z")
	for b.Loop() {
		if ok, err := Match(c, f, Options{}); err != nil || ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkApplyExpand expands a daily event over a year.
func BenchmarkApplyExpand(b *testing.B) {
	c := cal(b, "BEGIN:VEVENT", "UID:d", "DTSTAMP:20200101T000000Z", "DTSTART;TZID=America/New_York:20200106T100000",
		"DTEND;TZID=America/New_York:20200106T110000", "RRULE:FREQ=DAILY", "END:VEVENT")
	cd := benchCal(b)
	for b.Loop() {
		out, err := cd.Apply(c, Options{})
		if err != nil || len(out.Children) != 365 {
			b.Fatal(err)
		}
	}
}
