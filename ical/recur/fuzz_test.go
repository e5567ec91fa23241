// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"errors"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// FuzzRecur checks, for any RECUR text: no panic; Parse → String → Parse
// (and the same with ParseLenient) is stable; expansion within a window
// ends within its budget and every instance lies inside the window.
func FuzzRecur(f *testing.F) {
	// Every RRULE of the shared vectors: libical's icalrecur_test.txt
	// (including RSCALE=GREGORIAN with SKIP), python-dateutil's
	// test_rrule.py (including BYxxx parts invalid for the FREQ),
	// sabre/vobject's RRuleIteratorTest.php (including invalid values and
	// DST transitions) and pycalendar's rrule_examples.json.
	for _, v := range loadVectors(f) {
		f.Add(v.RRule, len(v.DTStart) == 8)
	}
	// Hostile rules: never matching, huge sets, huge counts and intervals.
	f.Add("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", false)
	f.Add("FREQ=SECONDLY;COUNT=999999999", false)
	f.Add("FREQ=SECONDLY;INTERVAL=1;BYMONTH=2;BYMONTHDAY=30", false)
	f.Add("FREQ=YEARLY;BYHOUR=0,23;BYMINUTE=0,59;BYSECOND=0,59;BYSETPOS=-366,366", false)
	f.Add("FREQ=MINUTELY;INTERVAL=999999999;BYDAY=MO", false)
	// Lenient syntax: spaces, case, empty parts, X- parts.
	f.Add(" freq = weekly ; byday = mo, tu ;; X-FOO=a=b;", true)
	f.Add("RSCALE=gregorian;FREQ=MONTHLY;SKIP=backward;BYMONTHDAY=-31,31", false)

	dtstart := ical.DateTime{Wall: time.Date(2026, 1, 31, 9, 30, 0, 0, time.UTC), Kind: ical.KindFloating}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string, date bool) {
		r, strictErr := Parse(s)
		if strictErr == nil {
			out := r.String()
			r2, err := Parse(out)
			if err != nil {
				t.Fatalf("Parse(%q) = %v after String of Parse(%q)", out, err, s)
			}
			if out2 := r2.String(); out2 != out {
				t.Fatalf("Parse(%q).String() = %q, want %q", out, out2, out)
			}
		}
		r, _, err := ParseLenient(s)
		if err != nil {
			if strictErr == nil {
				t.Fatalf("ParseLenient(%q) = %v, but Parse accepts it", s, err)
			}
			return
		}
		out := r.String()
		r2, _, err := ParseLenient(out)
		if err != nil || r2.String() != out {
			t.Fatalf("ParseLenient(%q) = %v, %v; want %q", out, r2, err, out)
		}

		start := dtstart
		if date {
			start = ical.DateTime{Wall: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), Kind: ical.KindDate}
		}
		it, err := r.Iterator(start, IterOptions{
			IncludeStart: true, After: from, Before: to,
			Limits: Limits{MaxInstances: 20000, MaxIterations: 300000},
		})
		if err != nil {
			if !errors.Is(err, ErrUnsupported) {
				t.Fatalf("Iterator(%q) = %v", out, err)
			}
			return
		}
		prev := time.Time{}
		for w, ok := it.Next(); ok; w, ok = it.Next() {
			if w.Before(from) || !w.Before(to) {
				t.Fatalf("Expand(%q) = %v, outside [%v, %v)", out, w, from, to)
			}
			if !w.After(prev) {
				t.Fatalf("Expand(%q) = %v after %v: not increasing", out, w, prev)
			}
			prev = w
		}
		if err := it.Err(); err != nil && !errors.Is(err, ErrBudget) {
			t.Fatalf("Expand(%q) = %v", out, err)
		}
		if it.Iterations() > 300000+1 {
			t.Fatalf("Expand(%q) took %d iterations, over budget", out, it.Iterations())
		}
	})
}
