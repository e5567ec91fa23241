// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		file     string
		tzid     string
		from, to time.Time
		want     string // "" means no match
	}{
		{"ics__recurring-ical-events__issue_27_t1.ics", "W. Europe Standard Time", date(2020, 1, 1), date(2030, 1, 1), "Europe/Berlin"},
		{"ics__icalendar__issue_165_missing_event.ics", "GMT +0100 (Standard) / GMT +0200 (Daylight)", date(2000, 1, 1), date(2030, 1, 1), "Europe/Berlin"},
		{"ics__ical4j__calconnect6.ics", "Eastern", date(1990, 1, 1), date(2006, 1, 1), "America/New_York"},
		{"ics__ical4j__Standup.ics", "Canberra, Melbourne, Sydney", date(2010, 1, 1), date(2030, 1, 1), "Australia/Sydney"},
		{"imip__ical4j__outlook-TZ-set-to-utc.ics", "(no TZ description)", date(2000, 1, 1), date(2030, 1, 1), "Etc/UTC"},
		{"ics__ical4j__2207678.ics", "Kuala Lumpur, Singapore", date(2000, 1, 1), date(2030, 1, 1), "Asia/Singapore"},
		// America/Tijuana kept the pre-2007 US rule until 2010, so it agrees
		// with this definition longer than America/Los_Angeles does.
		{"imip__libical__2446.ics", "America-SanJose", date(1990, 1, 1), date(2006, 1, 1), "America/Tijuana"},
		// The old US rule does not hold after 2006: no zone matches.
		{"imip__libical__2446.ics", "America-Chicago", date(1990, 1, 1), date(2010, 1, 1), ""},
		{"imip__thunderbird__message-non-invite.ics", "Europe/Helsinki", date(1990, 1, 1), date(2030, 1, 1), "Europe/Helsinki"},
	}
	for _, tt := range tests {
		t.Run(tt.tzid, func(t *testing.T) {
			var v *VTimezone
			for _, c := range decodeFile(t, "testdata/vtimezone/"+tt.file).Components(ical.CompTimezone) {
				if x, err := ParseVTimezone(c); err == nil && x.TZID() == tt.tzid {
					v = x
				}
			}
			if v == nil {
				t.Fatalf("no VTIMEZONE %q in %s", tt.tzid, tt.file)
			}
			l, ok := Match(v, tt.from, tt.to)
			switch {
			case tt.want == "" && ok:
				t.Errorf("Match(%q) = %s, want no match", tt.tzid, l.Name())
			case tt.want != "" && !ok:
				t.Errorf("Match(%q) found nothing, want %s", tt.tzid, tt.want)
			case ok && l.Name() != tt.want:
				t.Errorf("Match(%q) = %s, want %s", tt.tzid, l.Name(), tt.want)
			}
		})
	}
}

// TestMatchGenerated matches generated VTIMEZONEs with a meaningless TZID
// back to a zone with the same offsets.
func TestMatchGenerated(t *testing.T) {
	from, to := date(2015, 1, 1), date(2030, 1, 1)
	for _, name := range []string{"America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns", "Asia/Tehran", "Africa/Casablanca"} {
		t.Run(name, func(t *testing.T) {
			c, err := Generate(mustIANA(t, name), from, to, GenerateOptions{TZID: "custom"})
			if err != nil {
				t.Fatal(err)
			}
			c.Del("X-LIC-LOCATION")
			v, _ := roundTrip(t, c)
			l, ok := Match(v, from, to)
			if !ok {
				t.Fatalf("Match(generated %s) found nothing", name)
			}
			if !equalOffsets(l, mustIANA(t, name), from, to) {
				t.Errorf("Match(generated %s) = %s, which differs", name, l.Name())
			}
		})
	}
}

func TestMatchNone(t *testing.T) {
	v := parseVTZ(t, `BEGIN:VTIMEZONE
TZID:Mars
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0317
TZOFFSETTO:+0317
END:STANDARD
END:VTIMEZONE`)[0]
	if l, ok := Match(v, date(2000, 1, 1), date(2030, 1, 1)); ok {
		t.Errorf("Match(+0317) = %s, want none", l.Name())
	}
	if _, ok := Match(v, date(2030, 1, 1), date(2000, 1, 1)); ok {
		t.Error("Match with an empty range succeeded")
	}
}
