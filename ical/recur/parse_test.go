// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"FREQ=DAILY", "FREQ=DAILY"},
		{"COUNT=10;FREQ=WEEKLY;BYDAY=TU,TH;WKST=SU", "FREQ=WEEKLY;COUNT=10;BYDAY=TU,TH;WKST=SU"},
		{"freq=monthly;byday=-1fr;interval=2", "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR"},
		{"FREQ=MONTHLY;BYDAY=+1WE,20MO", "FREQ=MONTHLY;BYDAY=1WE,20MO"},
		{"FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1", "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1"},
		{"FREQ=DAILY;UNTIL=20000131", "FREQ=DAILY;UNTIL=20000131"},
		{"FREQ=YEARLY;BYWEEKNO=-1,20;BYYEARDAY=-366,1;BYMONTHDAY=-31,+5", "FREQ=YEARLY;BYMONTHDAY=-31,5;BYYEARDAY=-366,1;BYWEEKNO=-1,20"},
		{"FREQ=MINUTELY;BYSECOND=0,60;BYMINUTE=59;BYHOUR=23", "FREQ=MINUTELY;BYSECOND=0,60;BYMINUTE=59;BYHOUR=23"},
		{"FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1", "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1"},
		{"RSCALE=gregorian;FREQ=YEARLY;SKIP=FORWARD", "FREQ=YEARLY;RSCALE=GREGORIAN;SKIP=FORWARD"},
		{"RSCALE=HEBREW;FREQ=YEARLY;BYMONTH=5L,6", "FREQ=YEARLY;BYMONTH=6,5L;RSCALE=HEBREW"},
		{"FREQ=DAILY;X-NAME=Some;X-OTHER=v", "FREQ=DAILY;X-NAME=Some;X-OTHER=v"},
		{"FREQ=WEEKLY;WKST=MO;INTERVAL=1", "FREQ=WEEKLY"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) = %v", tt.in, err)
			}
			got := r.String()
			if got != tt.want {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			r2, err := Parse(got)
			if err != nil || r2.String() != got {
				t.Errorf("Parse(%q) = %v, %v; not stable", got, r2, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []string{
		"",
		"COUNT=2",                                 // no FREQ
		"FREQ=DAILY;FREQ=WEEKLY",                  // repeated
		"FREQ=FORTNIGHTLY",                        // unknown FREQ
		"FREQ=DAILY;COUNT=2;UNTIL=20200101",       // both bounds
		"FREQ=DAILY;COUNT=0",                      // not positive
		"FREQ=DAILY;INTERVAL=0",                   // not positive
		"FREQ=DAILY;INTERVAL=-1",                  // not a number
		"FREQ=DAILY;BYHOUR=24",                    // range
		"FREQ=DAILY;BYMINUTE=60",                  // range
		"FREQ=DAILY;BYSECOND=61",                  // range
		"FREQ=MONTHLY;BYMONTHDAY=0",               // range
		"FREQ=MONTHLY;BYMONTHDAY=32",              // range
		"FREQ=YEARLY;BYYEARDAY=367",               // range
		"FREQ=YEARLY;BYWEEKNO=54",                 // range
		"FREQ=YEARLY;BYMONTH=13",                  // range
		"FREQ=YEARLY;BYMONTH=0",                   // range
		"FREQ=MONTHLY;BYDAY=0MO",                  // ordinal 0
		"FREQ=MONTHLY;BYDAY=54MO",                 // ordinal range
		"FREQ=MONTHLY;BYDAY=XX",                   // weekday
		"FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=0",     // range
		"FREQ=WEEKLY;WKST=XX",                     // weekday
		"FREQ=DAILY;UNTIL=2020",                   // date
		"FREQ=DAILY;FOO=BAR",                      // unknown part
		"FREQ=DAILY;BYDAY",                        // no value
		"FREQ=MONTHLY;BYWEEKNO=1",                 // N/A
		"FREQ=MONTHLY;BYYEARDAY=1",                // N/A
		"FREQ=WEEKLY;BYMONTHDAY=1",                // N/A
		"FREQ=WEEKLY;BYDAY=1MO",                   // ordinal outside MONTHLY/YEARLY
		"FREQ=YEARLY;BYWEEKNO=1;BYDAY=1MO",        // ordinal with BYWEEKNO
		"FREQ=DAILY;BYSETPOS=1",                   // lone BYSETPOS
		"FREQ=YEARLY;SKIP=FORWARD",                // SKIP without RSCALE
		"RSCALE=GREGORIAN;FREQ=YEARLY;BYMONTH=2L", // Gregorian leap month
		"FREQ=DAILY;BYDAY=MO, TU",                 // space: lenient only
		"FREQ=DAILY;",                             // trailing ";": lenient only
		"FREQ=DAILY;COUNT=9999999999",             // too long
	}
	for _, in := range tests {
		if r, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %v, want error", in, r)
		} else if !strings.HasPrefix(err.Error(), "recur: ") {
			t.Errorf("Parse(%q) error %q lacks the package prefix", in, err)
		}
	}
}

func TestParseLenient(t *testing.T) {
	tests := []struct {
		in, want string
		warnings int
	}{
		{"FREQ=WEEKLY;INTERVAL=1;COUNT=2;BYDAY=MO;", "FREQ=WEEKLY;COUNT=2;BYDAY=MO", 0},
		{" freq = weekly ; byday = MO, TU ;; ", "FREQ=WEEKLY;BYDAY=MO,TU", 0},
		{"FREQ=DAILY;INTERVAL=0", "FREQ=DAILY", 1},
		{"FREQ=MONTHLY;BYWEEKNO=1;BYMONTHDAY=2", "FREQ=MONTHLY;BYMONTHDAY=2", 1},
		{"FREQ=WEEKLY;BYDAY=1MO,-1MO,TU", "FREQ=WEEKLY;BYDAY=MO,TU", 1},
		{"FREQ=DAILY;BYYEARDAY=1;BYWEEKNO=1", "FREQ=DAILY", 2},
		{"FREQ=DAILY;BYSETPOS=1", "FREQ=DAILY", 1},
		{"FREQ=YEARLY;SKIP=BACKWARD", "FREQ=YEARLY", 1},
		{"FREQ=DAILY;COUNT=2;UNTIL=20200101", "FREQ=DAILY;UNTIL=20200101;COUNT=2", 1},
		{"FREQ=DAILY;COUNT=2;COUNT=3", "FREQ=DAILY;COUNT=2", 1},
		{"FREQ=DAILY;FOO=1", "FREQ=DAILY", 1},
		{"FREQ=YEARLY;BYWEEKDAY=MO", "FREQ=YEARLY;BYDAY=MO", 1},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, warnings, err := ParseLenient(tt.in)
			if err != nil {
				t.Fatalf("ParseLenient(%q) = %v", tt.in, err)
			}
			if got := r.String(); got != tt.want || len(warnings) != tt.warnings {
				t.Errorf("ParseLenient(%q) = %q, %q; want %q with %d warnings", tt.in, got, warnings, tt.want, tt.warnings)
			}
		})
	}
}

func TestParseFields(t *testing.T) {
	r, err := Parse("FREQ=MONTHLY;BYDAY=-2FR,+1MO;UNTIL=20261231T235959Z")
	if err != nil {
		t.Fatal(err)
	}
	want := []WeekdayNum{{N: -2, Day: 5}, {N: 1, Day: 1}}
	if r.Freq != Monthly || !reflect.DeepEqual(r.ByDay, want) || r.Until.String() != "20261231T235959Z" {
		t.Errorf("Parse = %+v, want MONTHLY, %v, UNTIL 20261231T235959Z", r, want)
	}
}
