// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
	"github.com/almanac-project/almanac/ical/tz"
)

// The instances of a weekly event in November 2026: one is excluded, one
// is moved to another day.
func ExampleExpand() {
	in := strings.ReplaceAll(`BEGIN:VCALENDAR
BEGIN:VEVENT
UID:choir@example.com
DTSTART;TZID=Europe/Berlin:20261006T190000
DURATION:PT2H
RRULE:FREQ=WEEKLY;BYDAY=TU
EXDATE;TZID=Europe/Berlin:20261110T190000
END:VEVENT
BEGIN:VEVENT
UID:choir@example.com
RECURRENCE-ID;TZID=Europe/Berlin:20261117T190000
DTSTART;TZID=Europe/Berlin:20261119T180000
DURATION:PT2H
END:VEVENT
END:VCALENDAR
`, "\n", "\r\n")
	cal, _ := ical.Parse([]byte(in))
	events := cal.Events()
	insts, err := recur.Expand(events[0], events[1:], recur.Options{
		From:  time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
		To:    time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		Zones: tz.NewResolver(cal.Component, tz.ResolverOptions{}),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, in := range insts {
		fmt.Println(in.Start, "until", in.End.Wall.Format("15:04"), "moved:", in.Override != nil)
	}
	// Output:
	// 20261103T190000 until 21:00 moved: false
	// 20261119T180000 until 20:00 moved: true
	// 20261124T190000 until 21:00 moved: false
}

// Skip-ahead: a rule that fires every minute since 2000 answers a window
// in 2026 without walking the 26 years before it.
func ExampleRule_Iterator() {
	r, _ := recur.Parse("FREQ=MINUTELY;INTERVAL=15")
	start, _ := ical.ParseDateTime("20000101T000000Z", "")
	it, _ := r.Iterator(start, recur.IterOptions{
		After:  time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC),
		Before: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
	})
	for t, ok := it.Next(); ok; t, ok = it.Next() {
		fmt.Println(t.Format("2006-01-02 15:04"))
	}
	fmt.Println(it.Iterations() < 100)
	// Output:
	// 2026-11-21 09:00
	// 2026-11-21 09:15
	// 2026-11-21 09:30
	// 2026-11-21 09:45
	// true
}
