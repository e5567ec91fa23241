// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// BenchmarkExpandWeekly expands a typical weekly meeting, zoned, started
// years ago, over a one-month window.
func BenchmarkExpandWeekly(b *testing.B) {
	master := comp("VEVENT", "DTSTART;TZID=Europe/Zurich:20200106T090000", "DTEND;TZID=Europe/Zurich:20200106T100000",
		"RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR", "EXDATE;TZID=Europe/Zurich:20260304T090000")
	opts := Options{
		From:  time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		To:    time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		Zones: testZones{},
	}
	b.ReportAllocs()
	for b.Loop() {
		ins, err := Expand(master, nil, opts)
		if err != nil || len(ins) != 12 {
			b.Fatalf("Expand = %d, %v", len(ins), err)
		}
	}
}

// BenchmarkExpandDense expands a rule with an instance every minute over a
// one-day window.
func BenchmarkExpandDense(b *testing.B) {
	master := comp("VEVENT", "DTSTART:20200101T000000Z", "RRULE:FREQ=MINUTELY")
	opts := Options{
		From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		To:   time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
	}
	b.ReportAllocs()
	for b.Loop() {
		ins, err := Expand(master, nil, opts)
		if err != nil || len(ins) != 1440 {
			b.Fatalf("Expand = %d, %v", len(ins), err)
		}
	}
}

// BenchmarkIteratorYearlyExpand measures the kernel alone on a rule with a
// large day set per period.
func BenchmarkIteratorYearlyExpand(b *testing.B) {
	r, err := Parse("FREQ=YEARLY;BYMONTH=1,4,7,10;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,14;COUNT=2000")
	if err != nil {
		b.Fatal(err)
	}
	start := ical.DateTime{Wall: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC), Kind: ical.KindFloating}
	b.ReportAllocs()
	for b.Loop() {
		it, err := r.Iterator(start, IterOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, ok := it.Next(); ok; _, ok = it.Next() {
			n++
		}
		if n != 2000 {
			b.Fatalf("Iterator = %d instances, want 2000", n)
		}
	}
}
