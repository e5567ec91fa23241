// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// readAvailability reads a file of testdata/availability, after applying
// fixes to its text.
func readAvailability(t *testing.T, name string, fixes ...fix) *ical.Component {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "availability", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, f := range fixes {
		if !strings.Contains(s, f.old) {
			t.Fatalf("%s: fix %q does not apply", name, f.old)
		}
		s = strings.ReplaceAll(s, f.old, f.new)
	}
	c, err := ical.Parse([]byte(s))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return c.Component
}

// freeBusyStrings writes the FREEBUSY periods of a VFREEBUSY as busyStrings
// does.
func freeBusyStrings(t *testing.T, vfb *ical.Component) []string {
	t.Helper()
	var out []string
	for _, p := range vfb.PropsNamed(ical.PropFreeBusy) {
		fbType := p.Params.Get(ical.ParamFBType)
		if fbType == "" {
			fbType = FBTypeBusy
		}
		pes, err := p.Periods()
		if err != nil || len(pes) != 1 {
			t.Fatalf("FREEBUSY:%s: %v, %d periods; want one", p.Value, err, len(pes))
		}
		out = append(out, fbType+" "+p.Value)
	}
	return out
}

// TestRFC7953Examples runs free-busy requests over the examples of RFC
// 7953. Times are in UTC; America/Montreal is UTC-4 until November 6,
// 2011, 2:00, and UTC-5 after; America/Denver is UTC-6 in October 2011.
func TestRFC7953Examples(t *testing.T) {
	const (
		U = FBTypeBusyUnavailable
		B = FBTypeBusy
	)
	// The meetings of Appendix A and B are on Sunday, November 6; the
	// requests of §5.1.1 and §5.1.2 are for other days.
	moveA := fix{"DTSTART;TZID=America/Montreal:20111106T120000", "DTSTART;TZID=America/Montreal:20111107T120000",
		"§5.1.1 means a Monday and the meeting on it"}
	moveB := fix{"DTSTART;TZID=America/Denver:20111106T120000", "DTSTART;TZID=America/Denver:20111024T120000",
		"§5.1.2 shows the meeting on October 24"}
	tests := []struct {
		name       string
		file       string
		fixes      []fix
		freeBusy   bool // FreeBusyAll with the file as objects and avail; else Unavailable
		start, end string
		want       []string
	}{
		{"§3.1 #1: Monday, available 9:00 to 17:00 Montreal", "rfc7953_3.1_01.ics", nil, false,
			"20111003T040000Z", "20111004T040000Z", []string{
				U + " 20111003T040000Z/20111003T130000Z",
				U + " 20111003T210000Z/20111004T040000Z",
			}},
		{"§3.1 #1: Saturday", "rfc7953_3.1_01.ics", nil, false,
			"20111008T040000Z", "20111009T040000Z", []string{U + " 20111008T040000Z/20111009T040000Z"}},
		{"§3.1 #1: no DTSTART, so unavailable before the first AVAILABLE", "rfc7953_3.1_01.ics", nil, false,
			"20110905T040000Z", "20110906T040000Z", []string{U + " 20110905T040000Z/20110906T040000Z"}},
		{"§3.1 #2: Thursday", "rfc7953_3.1_02.ics", nil, false,
			"20111006T040000Z", "20111007T040000Z", []string{
				U + " 20111006T040000Z/20111006T130000Z",
				U + " 20111006T210000Z/20111007T040000Z",
			}},
		// The "Friday" AVAILABLE starts on Thursday, October 6, and its
		// weekly rule keeps to Thursdays.
		{"§3.1 #2: Friday, as written", "rfc7953_3.1_02.ics", nil, false,
			"20111007T040000Z", "20111008T040000Z", []string{U + " 20111007T040000Z/20111008T040000Z"}},
		{"§3.1 #2: Friday, as meant", "rfc7953_3.1_02.ics",
			[]fix{{"DTSTART;TZID=America/Montreal:20111006T090000\r\nDTEND;TZID=America/Montreal:20111006T120000",
				"DTSTART;TZID=America/Montreal:20111007T090000\r\nDTEND;TZID=America/Montreal:20111007T120000",
				"the example says Friday"}}, false,
			"20111007T040000Z", "20111008T040000Z", []string{
				U + " 20111007T040000Z/20111007T130000Z",
				U + " 20111007T160000Z/20111008T040000Z",
			}},
		{"§3.1 #2: free after DTEND, December 2", "rfc7953_3.1_02.ics", nil, false,
			"20111201T050000Z", "20111203T050000Z", []string{
				U + " 20111201T050000Z/20111201T140000Z",
				U + " 20111201T220000Z/20111202T050000Z",
			}},
		{"§3.1 #3: Monday in Denver", "rfc7953_3.1_03.ics", nil, false,
			"20111024T060000Z", "20111025T060000Z", []string{
				U + " 20111024T060000Z/20111024T150000Z",
				U + " 20111024T230000Z/20111025T060000Z",
			}},
		// Denver's VAVAILABILITY ends at 06:00Z and the last one starts at
		// 07:00Z: the hour between has no availability information.
		{"§3.1 #3: back to Montreal, the gap", "rfc7953_3.1_03.ics", nil, false,
			"20111029T040000Z", "20111030T120000Z", []string{
				U + " 20111029T040000Z/20111030T060000Z",
				U + " 20111030T070000Z/20111030T120000Z",
			}},
		{"§3.1 #3: Monday in Montreal", "rfc7953_3.1_03.ics", nil, false,
			"20111031T040000Z", "20111101T040000Z", []string{
				U + " 20111031T040000Z/20111031T130000Z",
				U + " 20111031T210000Z/20111101T040000Z",
			}},
		{"§7.2.4: calendar-availability, Monday", "rfc7953_7.2.4_01.ics", nil, false,
			"20111107T050000Z", "20111108T050000Z", []string{
				U + " 20111107T050000Z/20111107T140000Z",
				U + " 20111107T230000Z/20111108T050000Z",
			}},
		// §5.1.1 asks for "Monday, 6th November 2011", a Sunday of 25
		// hours: no weekday availability, and the meeting.
		{"§5.1.1: Sunday, November 6, as written", "rfc7953_appA.ics", nil, true,
			"20111106T040000Z", "20111107T050000Z", []string{
				U + " 20111106T040000Z/20111106T170000Z",
				B + " 20111106T170000Z/20111106T190000Z",
				U + " 20111106T190000Z/20111107T050000Z",
			}},
		// Step 4 of the printed table: U U U U F F B F F U U U.
		{"§5.1.1: Monday, November 7, the meeting moved to it", "rfc7953_appA.ics", []fix{moveA}, true,
			"20111107T050000Z", "20111108T050000Z", []string{
				U + " 20111107T050000Z/20111107T130000Z",
				B + " 20111107T170000Z/20111107T190000Z",
				U + " 20111107T230000Z/20111108T050000Z",
			}},
		// Step 3.P1: U U U U U F F F F F U U; the base availability (free
		// from 12:00Z) is hidden by the Denver one of PRIORITY 1 (step 2.B).
		{"§5.1.2: Monday, October 24, as written", "rfc7953_appB.ics", nil, true,
			"20111024T040000Z", "20111025T040000Z", []string{
				U + " 20111024T040000Z/20111024T140000Z",
				U + " 20111025T000000Z/20111025T040000Z",
			}},
		// Step 4: U U U U U F F B F F U U.
		{"§5.1.2: the meeting moved to October 24", "rfc7953_appB.ics", []fix{moveB}, true,
			"20111024T040000Z", "20111025T040000Z", []string{
				U + " 20111024T040000Z/20111024T140000Z",
				B + " 20111024T180000Z/20111024T200000Z",
				U + " 20111025T000000Z/20111025T040000Z",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := readAvailability(t, tt.file, tt.fixes...)
			objs := []*ical.Component{c}
			start, end := ut(t, tt.start), ut(t, tt.end)
			var got []string
			if tt.freeBusy {
				fb, err := FreeBusyAll(objs, objs, start, end, start, Options{})
				if err != nil {
					t.Fatalf("FreeBusyAll(%s): %v", tt.file, err)
				}
				got = freeBusyStrings(t, fb)
			} else {
				un, err := Unavailable(objs, start, end, Options{})
				if err != nil {
					t.Fatalf("Unavailable(%s): %v", tt.file, err)
				}
				checkBusy(t, "Unavailable", un)
				got = busyStrings(un)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s(%s, %s/%s) =\n%s\nwant\n%s", map[bool]string{true: "FreeBusyAll", false: "Unavailable"}[tt.freeBusy],
					tt.file, tt.start, tt.end, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// vav is a VAVAILABILITY with the given lines (properties and AVAILABLE
// components).
func vav(lines ...string) []string {
	return slices.Concat([]string{"BEGIN:VAVAILABILITY", "DTSTAMP:20260101T000000Z"}, lines, []string{"END:VAVAILABILITY"})
}

// avl is an AVAILABLE component with the given properties.
func avl(lines ...string) []string {
	return slices.Concat([]string{"BEGIN:AVAILABLE", "DTSTAMP:20260101T000000Z"}, lines, []string{"END:AVAILABLE"})
}

// TestUnavailable checks the rules of RFC 7953 §3 and §4 on 2026-06-01
// in UTC.
func TestUnavailable(t *testing.T) {
	const (
		U = FBTypeBusyUnavailable
		B = FBTypeBusy
		T = FBTypeBusyTentative
	)
	day := func(from, to string) string { return "202606" + from + "Z/202606" + to + "Z" }
	tests := []struct {
		name  string
		cals  [][]string // each a VCALENDAR
		start string
		end   string
		want  []string
	}{
		{"no VAVAILABILITY", [][]string{event("UID:e", "DTSTART:20260601T090000Z", "DURATION:PT1H")}, "", "", nil},
		{"DTSTART, DTEND and BUSYTYPE", [][]string{vav(slices.Concat([]string{"UID:v", "DTSTART:20260601T060000Z", "DTEND:20260601T200000Z", "BUSYTYPE:BUSY-TENTATIVE"},
			avl("UID:a", "DTSTART:20260601T090000Z", "DTEND:20260601T170000Z"))...)}, "", "", []string{
			T + " " + day("01T060000", "01T090000"),
			T + " " + day("01T170000", "01T200000"),
		}},
		{"DURATION", [][]string{vav(slices.Concat([]string{"UID:v", "DTSTART:20260601T060000Z", "DURATION:PT14H"},
			avl("UID:a", "DTSTART:20260601T090000Z", "DURATION:PT8H"))...)}, "", "", []string{
			U + " " + day("01T060000", "01T090000"),
			U + " " + day("01T170000", "01T200000"),
		}},
		{"DTEND without DTSTART", [][]string{vav(slices.Concat([]string{"UID:v", "DTEND:20260601T120000Z"},
			avl("UID:a", "DTSTART:20260601T090000Z", "DTEND:20260601T100000Z"))...)}, "", "", []string{
			U + " " + day("01T000000", "01T090000"),
			U + " " + day("01T100000", "01T120000"),
		}},
		{"outside the range", [][]string{vav("UID:v", "DTSTART:20260602T000000Z")}, "", "", nil},
		{"unknown BUSYTYPE is BUSY", [][]string{vav("UID:v", "BUSYTYPE:X-AWAY")}, "", "", []string{B + " " + day("01T000000", "02T000000")}},
		{"AVAILABLE recurs, with EXDATE and an override", [][]string{vav(slices.Concat([]string{"UID:v"},
			avl("UID:a", "DTSTART:20260601T090000Z", "DTEND:20260601T170000Z", "RRULE:FREQ=DAILY", "EXDATE:20260602T090000Z"),
			avl("UID:a", "RECURRENCE-ID:20260603T090000Z", "DTSTART:20260603T120000Z", "DTEND:20260603T200000Z"))...)},
			"20260601T000000Z", "20260604T000000Z", []string{
				U + " " + day("01T000000", "01T090000"),
				U + " " + day("01T170000", "03T120000"),
				U + " " + day("03T200000", "04T000000"),
			}},
		{"AVAILABLE is free only within its VAVAILABILITY", [][]string{
			vav(slices.Concat([]string{"UID:v", "DTSTART:20260601T080000Z", "DTEND:20260601T120000Z"},
				avl("UID:a", "DTSTART:20260601T100000Z", "DTEND:20260601T140000Z"))...),
			vav("UID:w", "DTSTART:20260601T120000Z", "DTEND:20260601T160000Z"),
		}, "", "", []string{
			U + " " + day("01T080000", "01T100000"),
			U + " " + day("01T120000", "01T160000"),
		}},
		{"higher priority busy time hides lower available time", [][]string{
			vav(slices.Concat([]string{"UID:base"}, avl("UID:a", "DTSTART:20260601T080000Z", "DTEND:20260601T180000Z"))...),
			vav("UID:p1", "PRIORITY:1", "BUSYTYPE:BUSY", "DTSTART:20260601T120000Z", "DTEND:20260601T130000Z"),
		}, "", "", []string{
			U + " " + day("01T000000", "01T080000"),
			B + " " + day("01T120000", "01T130000"),
			U + " " + day("01T180000", "02T000000"),
		}},
		{"higher priority available time hides lower busy time", [][]string{
			vav(slices.Concat([]string{"UID:p5", "PRIORITY:5", "DTSTART:20260601T080000Z", "DTEND:20260601T200000Z"},
				avl("UID:a", "DTSTART:20260601T100000Z", "DTEND:20260601T120000Z"))...),
			vav("UID:base", "BUSYTYPE:BUSY"),
		}, "", "", []string{
			B + " " + day("01T000000", "01T080000"),
			U + " " + day("01T080000", "01T100000"),
			U + " " + day("01T120000", "01T200000"),
			B + " " + day("01T200000", "02T000000"),
		}},
		{"PRIORITY 9 is above 0", [][]string{
			vav("UID:p9", "PRIORITY:9", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z"),
			vav(slices.Concat([]string{"UID:p0", "PRIORITY:0"}, avl("UID:a", "DTSTART:20260601T000000Z", "DURATION:P1D"))...),
		}, "", "", []string{U + " " + day("01T100000", "01T110000")}},
		{"PRIORITY 1 is above 9, an invalid PRIORITY below both", [][]string{
			vav("UID:bad", "PRIORITY:12", "BUSYTYPE:BUSY"),
			vav(slices.Concat([]string{"UID:p9", "PRIORITY:9", "DTSTART:20260601T060000Z", "DTEND:20260601T200000Z", "BUSYTYPE:BUSY-TENTATIVE"},
				avl("UID:a", "DTSTART:20260601T080000Z", "DTEND:20260601T180000Z"))...),
			vav("UID:p1", "PRIORITY:1", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z"),
		}, "", "", []string{
			B + " " + day("01T000000", "01T060000"),
			T + " " + day("01T060000", "01T080000"),
			U + " " + day("01T100000", "01T110000"),
			T + " " + day("01T180000", "01T200000"),
			B + " " + day("01T200000", "02T000000"),
		}},
		{"equal priority: BUSY > BUSY-UNAVAILABLE > BUSY-TENTATIVE", [][]string{
			vav("UID:t", "PRIORITY:5", "BUSYTYPE:BUSY-TENTATIVE", "DTSTART:20260601T060000Z", "DTEND:20260601T120000Z"),
			vav("UID:u", "PRIORITY:5", "DTSTART:20260601T100000Z", "DTEND:20260601T160000Z"),
			vav("UID:b", "PRIORITY:5", "BUSYTYPE:BUSY", "DTSTART:20260601T140000Z", "DTEND:20260601T150000Z"),
		}, "", "", []string{
			T + " " + day("01T060000", "01T100000"),
			U + " " + day("01T100000", "01T140000"),
			B + " " + day("01T140000", "01T150000"),
			U + " " + day("01T150000", "01T160000"),
		}},
		// The inbox's calendar-availability and a stored VAVAILABILITY,
		// both of the lowest priority (none, and 0).
		{"equal priority: the available time of each is free", [][]string{
			vav(slices.Concat([]string{"UID:morning"}, avl("UID:a", "DTSTART:20260601T090000Z", "DTEND:20260601T120000Z"))...),
			vav(slices.Concat([]string{"UID:afternoon", "PRIORITY:0"}, avl("UID:b", "DTSTART:20260601T130000Z", "DTEND:20260601T170000Z"))...),
		}, "", "", []string{
			U + " " + day("01T000000", "01T090000"),
			U + " " + day("01T120000", "01T130000"),
			U + " " + day("01T170000", "02T000000"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := ut(t, "20260601T000000Z"), ut(t, "20260602T000000Z")
			if tt.start != "" {
				start, end = ut(t, tt.start), ut(t, tt.end)
			}
			var avail []*ical.Component
			for _, lines := range tt.cals {
				avail = append(avail, cal(t, lines...))
			}
			got, err := Unavailable(avail, start, end, Options{})
			if err != nil {
				t.Fatalf("Unavailable(%s): %v", tt.name, err)
			}
			checkBusy(t, "Unavailable", got)
			if g := busyStrings(got); !slices.Equal(g, tt.want) {
				t.Errorf("Unavailable(%s) =\n%s\nwant\n%s", tt.name, strings.Join(g, "\n"), strings.Join(tt.want, "\n"))
			}
			// The order of the components does not matter.
			slices.Reverse(avail)
			rev, err := Unavailable(avail, start, end, Options{})
			if err != nil || !slices.Equal(busyStrings(rev), busyStrings(got)) {
				t.Errorf("Unavailable(%s, reversed) = %v, %v; want %v", tt.name, busyStrings(rev), err, busyStrings(got))
			}
		})
	}
}

// TestUnavailableBomb checks that an AVAILABLE that recurs every second is
// an error wrapping the limit, and that FreeBusy leaves its VAVAILABILITY
// out.
func TestUnavailableBomb(t *testing.T) {
	avail := []*ical.Component{cal(t, vav(slices.Concat([]string{"UID:v"},
		avl("UID:a", "DTSTART:20260101T000000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY;INTERVAL=2"))...)...)}
	start, end := ut(t, "20260601T000000Z"), ut(t, "20260602T000000Z")
	if got, err := Unavailable(avail, start, end, Options{Limits: smallLimits}); !errors.Is(err, recur.ErrBudget) {
		t.Errorf("Unavailable(bomb) = %v, %v; want an error wrapping recur.ErrBudget", got, err)
	}
	fb := FreeBusy(avail, start, end, start, Options{Limits: smallLimits})
	if fb == nil || len(fb.Children[0].PropsNamed(ical.PropFreeBusy)) != 0 {
		t.Errorf("FreeBusy(bomb) = %v; want no FREEBUSY", fb)
	}
}
