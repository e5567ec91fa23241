// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

func floating(s string) ical.DateTime {
	d, err := ical.ParseDateTime(s, "")
	if err != nil {
		panic(err)
	}
	return d
}

func wall(s string) time.Time { return floating(s).Wall }

func expandRule(t *testing.T, rule, start string, opts IterOptions) ([]string, *Iterator, error) {
	t.Helper()
	r, err := Parse(rule)
	if err != nil {
		t.Fatalf("Parse(%q) = %v", rule, err)
	}
	var dt ical.DateTime
	if len(start) == 8 {
		dt, _ = ical.ParseDate(start)
	} else {
		dt = floating(start)
	}
	it, err := r.Iterator(dt, opts)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	for w, ok := it.Next(); ok; w, ok = it.Next() {
		out = append(out, format(w, dt.Kind))
	}
	return out, it, it.Err()
}

func TestIterator(t *testing.T) {
	tests := []struct {
		rule, start string
		opts        IterOptions
		want        []string
	}{
		// RFC 7529 §4.3.4: the leap day with SKIP=FORWARD.
		{"RSCALE=GREGORIAN;FREQ=YEARLY;SKIP=FORWARD;COUNT=6", "20120229", IterOptions{},
			[]string{"20120229", "20130301", "20140301", "20150301", "20160229", "20170301"}},
		{"RSCALE=GREGORIAN;FREQ=YEARLY;SKIP=BACKWARD;COUNT=3", "20120229", IterOptions{},
			[]string{"20120229", "20130228", "20140228"}},
		// SKIP moves the invalid day, then BYDAY still applies (RFC 7529
		// §4.1 order): 2015-02-30 → 2015-03-01 is a Sunday.
		{"RSCALE=GREGORIAN;FREQ=MONTHLY;BYMONTHDAY=30;BYDAY=SU;SKIP=FORWARD;COUNT=2", "20150101T090000", IterOptions{},
			[]string{"20150301T090000", "20150830T090000"}},
		// Without RSCALE there is no SKIP: invalid dates are ignored.
		{"FREQ=MONTHLY;COUNT=3", "20140131T090000", IterOptions{},
			[]string{"20140131T090000", "20140331T090000", "20140531T090000"}},
		// RFC 5545 §3.3.10: BYHOUR etc. are ignored with a DATE DTSTART.
		{"FREQ=DAILY;BYHOUR=9,10;COUNT=2", "20260105", IterOptions{},
			[]string{"20260105", "20260106"}},
		// A DATE UNTIL with a DATE-TIME DTSTART includes that whole day.
		{"FREQ=DAILY;UNTIL=20260107", "20260105T230000", IterOptions{},
			[]string{"20260105T230000", "20260106T230000", "20260107T230000"}},
		// IncludeStart: DTSTART counts as the first of COUNT.
		{"FREQ=WEEKLY;BYDAY=MO;COUNT=2", "20260104T090000", IterOptions{IncludeStart: true},
			[]string{"20260104T090000", "20260105T090000"}},
		{"FREQ=WEEKLY;BYDAY=MO;COUNT=2", "20260104T090000", IterOptions{},
			[]string{"20260105T090000", "20260112T090000"}},
		// BYSETPOS works on the whole period from its start (RFC 5545
		// §3.3.10 "A set of recurrence instances starts at the beginning of
		// the interval"), even in DTSTART's partial week.
		{"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1,3;COUNT=3", "20241023", IterOptions{},
			[]string{"20241023", "20241028", "20241030"}},
		// With COUNT the window cannot skip ahead but still filters.
		{"FREQ=DAILY;COUNT=10", "20260101T090000", IterOptions{After: wall("20260108T000000")},
			[]string{"20260108T090000", "20260109T090000", "20260110T090000"}},
		// Skip-ahead inside a period: seek to the first candidate.
		{"FREQ=DAILY;BYHOUR=8,12,18;BYMINUTE=0,30", "20000101T080000",
			IterOptions{After: wall("20260105T123000"), Before: wall("20260105T190000")},
			[]string{"20260105T123000", "20260105T180000", "20260105T183000"}},
		// Sub-daily rules jump over days and hours that cannot match.
		{"FREQ=MINUTELY;INTERVAL=7;BYHOUR=3;BYMONTH=2;COUNT=3", "20260101T000000", IterOptions{},
			[]string{"20260201T030100", "20260201T030800", "20260201T031500"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, _, err := expandRule(t, tt.rule, tt.start, tt.opts)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("Expand(%q from %s) = %v, %v; want %v", tt.rule, tt.start, got, err, tt.want)
			}
		})
	}
}

// TestSkipAhead checks that a window far from DTSTART is answered without
// iterating from DTSTART: the work is counted, not timed.
func TestSkipAhead(t *testing.T) {
	tests := []struct {
		rule, start, after, before string
		n, maxIter                 int
	}{
		{"FREQ=MINUTELY", "20000101T000000", "20260301T000000", "20260302T000000", 1440, 5000},
		{"FREQ=SECONDLY", "00010101T000000", "99991231T235900", "99991231T235959", 59, 500},
		{"FREQ=HOURLY;INTERVAL=5", "20000101T000000", "20260301T000000", "20260302T000000", 5, 100},
		{"FREQ=WEEKLY;BYDAY=MO,WE", "19700105T100000", "20260301T000000", "20260401T000000", 9, 100},
		{"FREQ=MONTHLY;BYDAY=-1FR", "19000126T100000", "20260101T000000", "20270101T000000", 12, 1000},
		{"FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,10,20,30,40,50",
			"20000305T000000", "20260308T120000", "20260308T130000", 6, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got, it, err := expandRule(t, tt.rule, tt.start, IterOptions{After: wall(tt.after), Before: wall(tt.before)})
			if err != nil || len(got) != tt.n {
				t.Fatalf("Expand(%q, [%s, %s)) = %d instances, %v; want %d", tt.rule, tt.after, tt.before, len(got), err, tt.n)
			}
			if it.Iterations() > tt.maxIter {
				t.Errorf("Expand(%q, [%s, %s)) took %d iterations, want at most %d", tt.rule, tt.after, tt.before, it.Iterations(), tt.maxIter)
			}
			if got[0] < tt.after || got[len(got)-1] >= tt.before {
				t.Errorf("Expand(%q, [%s, %s)) = %s … %s, outside the window", tt.rule, tt.after, tt.before, got[0], got[len(got)-1])
			}
		})
	}
}

// TestHostile checks that rules built to loop or allocate end quickly,
// with a bounded answer or ErrBudget.
func TestHostile(t *testing.T) {
	tests := []struct {
		name, rule, start string
		opts              IterOptions
		budget            bool // want ErrBudget; else a clean end
		n                 int
	}{
		{"huge COUNT", "FREQ=SECONDLY;COUNT=999999999", "20260101T000000", IterOptions{}, true, 0},
		{"huge COUNT before a far window", "FREQ=SECONDLY;COUNT=999999999", "20000101T000000",
			IterOptions{After: wall("20260101T000000"), Before: wall("20260102T000000")}, true, 0},
		{"unbounded without window", "FREQ=SECONDLY", "00010101T000000", IterOptions{}, true, 0},
		// Never-matching rules end after one 400-year Gregorian cycle.
		{"February 30, yearly", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "20260101T000000", IterOptions{}, false, 0},
		{"February 30, monthly", "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30,31", "20260101T000000", IterOptions{}, false, 0},
		{"February 30, daily", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "20260101T000000", IterOptions{}, false, 0},
		{"February 30, secondly", "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30", "20260101T000000", IterOptions{}, false, 0},
		{"April 31, hourly with interval", "FREQ=HOURLY;INTERVAL=7;BYMONTH=4;BYMONTHDAY=31", "20260101T000000", IterOptions{}, false, 0},
		{"week 53 never on Monday 31st", "FREQ=YEARLY;BYWEEKNO=53;BYMONTH=1;BYMONTHDAY=31", "20260101T000000", IterOptions{}, false, 0},
		{"BYSETPOS out of range", "FREQ=MONTHLY;BYDAY=2TU;BYSETPOS=2", "20260101T000000", IterOptions{}, false, 0},
		// BYSETPOS on a set of 31.6 million candidates is decoded, not built.
		{"BYSETPOS on a huge set", "FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31;" +
			"BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;" +
			"BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59;" +
			"BYSECOND=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59;" +
			"BYSETPOS=1,-1;COUNT=4", "20260101T000000", IterOptions{}, false, 4},
		{"year 9999 ends", "FREQ=YEARLY", "99990101T000000", IterOptions{}, false, 1},
		{"yearly with huge interval", "FREQ=YEARLY;INTERVAL=999999999", "20260101T000000", IterOptions{}, false, 1},
		{"secondly with huge interval", "FREQ=SECONDLY;INTERVAL=999999999", "20260101T000000", IterOptions{}, false, 252},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			got, _, err := expandRule(t, tt.rule, tt.start, tt.opts)
			if errors.Is(err, ErrBudget) != tt.budget || !tt.budget && (err != nil || len(got) != tt.n) {
				t.Errorf("Expand(%q) = %d instances, %v; want %d, budget error %v", tt.rule, len(got), err, tt.n, tt.budget)
			}
			// A generous bound to catch a runaway loop, not a benchmark.
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Expand(%q) took %v", tt.rule, d)
			}
		})
	}
}

func TestIteratorUntilZoned(t *testing.T) {
	z, _ := testZones{}.Zone("America/New_York")
	r, _ := Parse("FREQ=DAILY;UNTIL=20260310T130000Z")
	start := ical.DateTime{Wall: wall("20260306T090000"), Kind: ical.KindZoned, TZID: "America/New_York"}
	it, err := r.Iterator(start, IterOptions{Zone: z})
	if err != nil {
		t.Fatal(err)
	}
	got, err := it.All()
	// 09:00 EST is 14:00Z until 2026-03-08; from then 09:00 EDT is 13:00Z,
	// so 2026-03-10 09:00 EDT is exactly UNTIL and included.
	if err != nil || len(got) != 5 {
		t.Errorf("Expand(UNTIL=20260310T130000Z) = %v, %v; want 5 instances through 2026-03-10", got, err)
	}
}

func TestIteratorErrors(t *testing.T) {
	r, _ := Parse("RSCALE=CHINESE;FREQ=YEARLY")
	if _, err := r.Iterator(floating("20260101T000000"), IterOptions{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Iterator(RSCALE=CHINESE) = %v, want ErrUnsupported", err)
	}
	if _, err := (&Rule{}).Iterator(floating("20260101T000000"), IterOptions{}); err == nil {
		t.Errorf("Iterator(no FREQ) = nil, want error")
	}
}
