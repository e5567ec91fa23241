// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// ut parses a UTC date-time such as "20260601T090000Z".
func ut(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse("20060102T150405Z", s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// busyStrings writes busy periods as "TYPE start/end" in UTC.
func busyStrings(ps []BusyPeriod) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Type+" "+ical.NewUTC(p.Start).String()+"/"+ical.NewUTC(p.End).String())
	}
	return out
}

// checkBusy checks what every answer of Busy, Unavailable and layer
// promises: known types, UTC, positive length, sorted by start and no two
// periods overlapping; periods of one type do not touch either.
func checkBusy(t *testing.T, fn string, ps []BusyPeriod) {
	t.Helper()
	for i, p := range ps {
		if p.Type != FBTypeBusy && p.Type != FBTypeBusyTentative && p.Type != FBTypeBusyUnavailable {
			t.Errorf("%s: period %d has type %q", fn, i, p.Type)
		}
		if p.Start.Location() != time.UTC || p.End.Location() != time.UTC {
			t.Errorf("%s: period %d is not in UTC: %v", fn, i, p)
		}
		if !p.End.After(p.Start) {
			t.Errorf("%s: period %d is empty: %v", fn, i, p)
		}
		if i == 0 {
			continue
		}
		prev := ps[i-1]
		if p.Start.Before(prev.End) || (p.Start.Equal(prev.End) && p.Type == prev.Type) {
			t.Errorf("%s: periods %d and %d overlap or touch: %v, %v", fn, i-1, i, prev, p)
		}
	}
}

func event(lines ...string) []string {
	return append(append([]string{"BEGIN:VEVENT", "DTSTAMP:20260101T000000Z"}, lines...), "END:VEVENT")
}

// TestBusy checks the busy time of RFC 4791 §7.10 as data.
func TestBusy(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	daily := event("UID:d", "DTSTART:20260601T090000Z", "DTEND:20260601T100000Z", "RRULE:FREQ=DAILY;COUNT=5",
		"EXDATE:20260603T090000Z")
	tests := []struct {
		name    string
		objects [][]string
		zone    *time.Location
		want    []string
	}{
		{"opaque", [][]string{event("UID:a", "DTSTART:20260601T090000Z", "DTEND:20260601T100000Z")}, nil,
			[]string{"BUSY 20260601T090000Z/20260601T100000Z"}},
		{"transparent", [][]string{event("UID:a", "DTSTART:20260601T090000Z", "DTEND:20260601T100000Z", "TRANSP:TRANSPARENT")}, nil, nil},
		{"cancelled", [][]string{event("UID:a", "DTSTART:20260601T090000Z", "DTEND:20260601T100000Z", "STATUS:CANCELLED")}, nil, nil},
		{"tentative", [][]string{event("UID:a", "DTSTART:20260601T090000Z", "DURATION:PT30M", "STATUS:TENTATIVE")}, nil,
			[]string{"BUSY-TENTATIVE 20260601T090000Z/20260601T093000Z"}},
		{"confirmed, explicitly opaque", [][]string{event("UID:a", "DTSTART:20260601T090000Z", "DURATION:PT30M", "STATUS:CONFIRMED", "TRANSP:OPAQUE")}, nil,
			[]string{"BUSY 20260601T090000Z/20260601T093000Z"}},
		{"zero duration", [][]string{event("UID:a", "DTSTART:20260601T090000Z")}, nil, nil},
		{"recurring with EXDATE", [][]string{daily}, nil, []string{
			"BUSY 20260601T090000Z/20260601T100000Z",
			"BUSY 20260602T090000Z/20260602T100000Z",
			"BUSY 20260604T090000Z/20260604T100000Z",
			"BUSY 20260605T090000Z/20260605T100000Z",
		}},
		{"override moves an instance, another is cancelled, a third is transparent", [][]string{append(append(append(daily,
			event("UID:d", "RECURRENCE-ID:20260602T090000Z", "DTSTART:20260602T150000Z", "DTEND:20260602T160000Z")...),
			event("UID:d", "RECURRENCE-ID:20260604T090000Z", "DTSTART:20260604T090000Z", "DTEND:20260604T100000Z", "STATUS:CANCELLED")...),
			event("UID:d", "RECURRENCE-ID:20260605T090000Z", "DTSTART:20260605T090000Z", "DTEND:20260605T100000Z", "TRANSP:TRANSPARENT")...)}, nil, []string{
			"BUSY 20260601T090000Z/20260601T100000Z",
			"BUSY 20260602T150000Z/20260602T160000Z",
		}},
		{"override makes one instance tentative", [][]string{append(slices.Clone(daily),
			event("UID:d", "RECURRENCE-ID:20260601T090000Z", "DTSTART:20260601T090000Z", "DTEND:20260601T100000Z", "STATUS:TENTATIVE")...)}, nil, []string{
			"BUSY-TENTATIVE 20260601T090000Z/20260601T100000Z",
			"BUSY 20260602T090000Z/20260602T100000Z",
			"BUSY 20260604T090000Z/20260604T100000Z",
			"BUSY 20260605T090000Z/20260605T100000Z",
		}},
		{"all-day event in the floating zone", [][]string{event("UID:a", "DTSTART;VALUE=DATE:20260602", "DTEND;VALUE=DATE:20260603")}, berlin,
			[]string{"BUSY 20260601T220000Z/20260602T220000Z"}},
		{"all-day event without a zone is UTC", [][]string{event("UID:a", "DTSTART;VALUE=DATE:20260602")}, nil,
			[]string{"BUSY 20260602T000000Z/20260603T000000Z"}},
		{"floating time in the floating zone", [][]string{event("UID:a", "DTSTART:20260602T100000", "DURATION:PT1H")}, berlin,
			[]string{"BUSY 20260602T080000Z/20260602T090000Z"}},
		{"VFREEBUSY", [][]string{{"BEGIN:VFREEBUSY", "UID:f", "DTSTAMP:20260101T000000Z",
			"FREEBUSY:20260601T080000Z/PT1H,20260601T100000Z/20260601T110000Z",
			"FREEBUSY;FBTYPE=FREE:20260601T120000Z/PT8H",
			"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260602T000000Z/PT8H",
			"FREEBUSY;FBTYPE=busy-tentative:20260603T080000Z/PT1H",
			"FREEBUSY;FBTYPE=X-OUT-OF-OFFICE:20260604T080000Z/PT1H",
			"END:VFREEBUSY"}}, nil, []string{
			"BUSY 20260601T080000Z/20260601T090000Z",
			"BUSY 20260601T100000Z/20260601T110000Z",
			"BUSY-UNAVAILABLE 20260602T000000Z/20260602T080000Z",
			"BUSY-TENTATIVE 20260603T080000Z/20260603T090000Z",
			"BUSY 20260604T080000Z/20260604T090000Z", // RFC 5545 §3.2.9: unknown is BUSY
		}},
		{"clipped to the range", [][]string{
			event("UID:a", "DTSTART:20260531T220000Z", "DTEND:20260601T020000Z"),
			event("UID:b", "DTSTART:20260607T230000Z", "DTEND:20260608T010000Z"),
			event("UID:c", "DTSTART:20260608T000000Z", "DTEND:20260608T010000Z"),
			event("UID:d", "DTSTART:20260531T000000Z", "DTEND:20260601T000000Z"),
		}, nil, []string{
			"BUSY 20260601T000000Z/20260601T020000Z",
			"BUSY 20260607T230000Z/20260608T000000Z",
		}},
		{"merged per type where they overlap or touch", [][]string{
			event("UID:a", "DTSTART:20260601T090000Z", "DTEND:20260601T100000Z"),
			event("UID:b", "DTSTART:20260601T093000Z", "DTEND:20260601T103000Z"),
			event("UID:c", "DTSTART:20260601T103000Z", "DTEND:20260601T110000Z"),
			event("UID:d", "DTSTART:20260601T110000Z", "DTEND:20260601T120000Z", "STATUS:TENTATIVE"),
			event("UID:e", "DTSTART:20260601T113000Z", "DTEND:20260601T123000Z", "STATUS:TENTATIVE"),
		}, nil, []string{
			"BUSY 20260601T090000Z/20260601T110000Z",
			"BUSY-TENTATIVE 20260601T110000Z/20260601T123000Z",
		}},
		{"precedence across types", [][]string{
			{"BEGIN:VFREEBUSY", "UID:f", "DTSTAMP:20260101T000000Z", "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260601T080000Z/20260601T180000Z", "END:VFREEBUSY"},
			event("UID:t", "DTSTART:20260601T090000Z", "DTEND:20260601T120000Z", "STATUS:TENTATIVE"),
			event("UID:b", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z"),
			event("UID:c", "DTSTART:20260601T170000Z", "DTEND:20260601T190000Z"),
		}, nil, []string{
			"BUSY-UNAVAILABLE 20260601T080000Z/20260601T090000Z",
			"BUSY-TENTATIVE 20260601T090000Z/20260601T100000Z",
			"BUSY 20260601T100000Z/20260601T110000Z",
			"BUSY-TENTATIVE 20260601T110000Z/20260601T120000Z",
			"BUSY-UNAVAILABLE 20260601T120000Z/20260601T170000Z",
			"BUSY 20260601T170000Z/20260601T190000Z",
		}},
		{"VAVAILABILITY is not busy time here", [][]string{{"BEGIN:VAVAILABILITY", "UID:v", "DTSTAMP:20260101T000000Z", "END:VAVAILABILITY"}}, nil, nil},
		{"invalid RRULE takes no time", [][]string{event("UID:a", "DTSTART:20260601T090000Z", "DTEND:20260601T100000Z", "RRULE:FREQ=SOMETIMES")}, nil, nil},
	}
	start, end := ut(t, "20260601T000000Z"), ut(t, "20260608T000000Z")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var objs []*ical.Component
			for _, lines := range tt.objects {
				objs = append(objs, cal(t, lines...))
			}
			got, err := Busy(objs, start, end, Options{Zone: tt.zone})
			if err != nil {
				t.Fatalf("Busy(%s) error: %v", tt.name, err)
			}
			checkBusy(t, "Busy", got)
			if g := busyStrings(got); !slices.Equal(g, tt.want) {
				t.Errorf("Busy(%s) =\n%s\nwant\n%s", tt.name, strings.Join(g, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// bomb is an endless event every second: more instances in a day than the
// limits of smallLimits, or the default limits, allow.
var bomb = event("UID:bomb", "DTSTART:20260101T000000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY")

// TestBusyBomb checks that a recurrence bomb is an error wrapping the
// limit, and that FreeBusy leaves it out instead.
func TestBusyBomb(t *testing.T) {
	objs := []*ical.Component{
		cal(t, event("UID:a", "DTSTART:20260601T090000Z", "DTEND:20260601T100000Z")...),
		cal(t, bomb...),
	}
	start, end := ut(t, "20260601T000000Z"), ut(t, "20260608T000000Z")
	for _, lim := range []recur.Limits{smallLimits, {}} {
		if got, err := Busy(objs, start, end, Options{Limits: lim}); !errors.Is(err, recur.ErrBudget) {
			t.Errorf("Busy(bomb, %+v) = %v, %v; want an error wrapping recur.ErrBudget", lim, got, err)
		}
		if got, err := FreeBusyAll(objs, nil, start, end, start, Options{Limits: lim}); !errors.Is(err, recur.ErrBudget) || got != nil {
			t.Errorf("FreeBusyAll(bomb, %+v) = %v, %v; want an error wrapping recur.ErrBudget", lim, got, err)
		}
	}
	fb := FreeBusy(objs, start, end, start, Options{Limits: smallLimits})
	if fb == nil {
		t.Fatal("FreeBusy(bomb) = nil")
	}
	var got []string
	for _, p := range fb.Children[0].PropsNamed(ical.PropFreeBusy) {
		got = append(got, p.Value)
	}
	if want := []string{"20260601T090000Z/20260601T100000Z"}; !slices.Equal(got, want) {
		t.Errorf("FreeBusy(bomb) FREEBUSY = %v, want %v (the bomb left out)", got, want)
	}
}

// TestBusyRange checks that a range whose end is not after its start is
// refused by every function that takes one.
func TestBusyRange(t *testing.T) {
	at := ut(t, "20260601T000000Z")
	c := cal(t, event("UID:a", "DTSTART:20260601T090000Z", "DTEND:20260601T100000Z")...)
	for _, end := range []time.Time{at, at.Add(-time.Hour), {}} {
		if _, err := Busy(nil, at, end, Options{}); err == nil {
			t.Errorf("Busy(%v, %v) error = nil", at, end)
		}
		if _, err := Unavailable(nil, at, end, Options{}); err == nil {
			t.Errorf("Unavailable(%v, %v) error = nil", at, end)
		}
		if _, err := FreeBusyAll(nil, nil, at, end, at, Options{}); err == nil {
			t.Errorf("FreeBusyAll(%v, %v) error = nil", at, end)
		}
		if _, _, err := Conflict(c, nil, nil, at, end, Options{}); err == nil {
			t.Errorf("Conflict(%v, %v) error = nil", at, end)
		}
		if fb := FreeBusy([]*ical.Component{c}, at, end, at, Options{}); fb == nil || len(fb.Children[0].PropsNamed(ical.PropFreeBusy)) != 0 {
			t.Errorf("FreeBusy(%v, %v) = %v; want a VFREEBUSY without FREEBUSY", at, end, fb)
		}
	}
}

// TestFreeBusyAll checks the VFREEBUSY built from events and availability.
func TestFreeBusyAll(t *testing.T) {
	objs := []*ical.Component{
		cal(t, event("UID:a", "DTSTART:20260601T070000Z", "DTEND:20260601T083000Z")...),
		cal(t, event("UID:b", "DTSTART:20260601T120000Z", "DTEND:20260601T130000Z", "STATUS:TENTATIVE")...),
		cal(t, event("UID:c", "DTSTART:20260601T160000Z", "DTEND:20260601T190000Z")...),
	}
	// Available 08:00 to 17:00 UTC every day, from June 1.
	avail := []*ical.Component{cal(t, "BEGIN:VAVAILABILITY", "UID:v", "DTSTAMP:20260101T000000Z", "DTSTART:20260601T000000Z",
		"BEGIN:AVAILABLE", "UID:v1", "DTSTAMP:20260101T000000Z", "DTSTART:20260601T080000Z", "DTEND:20260601T170000Z", "RRULE:FREQ=DAILY", "END:AVAILABLE",
		"END:VAVAILABILITY")}
	start, end := ut(t, "20260601T000000Z"), ut(t, "20260602T000000Z")
	now := ut(t, "20260520T101500Z")
	fb, err := FreeBusyAll(objs, avail, start, end, now, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(string(ical.Marshal(fb)), "\r\n", "\n")
	want := "BEGIN:VFREEBUSY\nDTSTAMP:20260520T101500Z\nDTSTART:20260601T000000Z\nDTEND:20260602T000000Z\n" +
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260601T000000Z/20260601T070000Z\n" +
		"FREEBUSY:20260601T070000Z/20260601T083000Z\n" +
		"FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260601T120000Z/20260601T130000Z\n" +
		"FREEBUSY:20260601T160000Z/20260601T190000Z\n" +
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260601T190000Z/20260602T000000Z\n" +
		"END:VFREEBUSY\n"
	if got != want {
		t.Errorf("FreeBusyAll =\n%s\nwant\n%s", got, want)
	}
	// Without availability it is the busy time of the events alone, and
	// FreeBusy wraps the same VFREEBUSY in a VCALENDAR.
	fb, err = FreeBusyAll(objs, nil, start, end, now, Options{})
	if err != nil {
		t.Fatal(err)
	}
	whole := FreeBusy(objs, start, end, now, Options{})
	if g, w := string(ical.Marshal(whole)), "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"+ProdID+"\r\n"+string(ical.Marshal(fb))+"END:VCALENDAR\r\n"; g != w {
		t.Errorf("FreeBusy =\n%s\nwant\n%s", g, w)
	}
	if n := len(fb.PropsNamed(ical.PropFreeBusy)); n != 3 {
		t.Errorf("FreeBusyAll(no availability) has %d FREEBUSY, want 3", n)
	}
}

// TestFreeBusyStoredAvailability checks RFC 7953 §7.2.3: a
// free-busy-query counts the VAVAILABILITY components stored in the
// collection.
func TestFreeBusyStoredAvailability(t *testing.T) {
	objs := []*ical.Component{
		cal(t, event("UID:a", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z")...),
		cal(t, "BEGIN:VAVAILABILITY", "UID:v", "DTSTAMP:20260101T000000Z", "BUSYTYPE:BUSY",
			"BEGIN:AVAILABLE", "UID:v1", "DTSTAMP:20260101T000000Z", "DTSTART:20260601T080000Z", "DTEND:20260601T170000Z", "END:AVAILABLE",
			"END:VAVAILABILITY"),
	}
	fb := FreeBusy(objs, ut(t, "20260601T000000Z"), ut(t, "20260602T000000Z"), ut(t, "20260520T000000Z"), Options{})
	var got []string
	for _, p := range fb.Children[0].PropsNamed(ical.PropFreeBusy) {
		got = append(got, p.Value)
	}
	want := []string{"20260601T000000Z/20260601T080000Z", "20260601T100000Z/20260601T110000Z", "20260601T170000Z/20260602T000000Z"}
	if !slices.Equal(got, want) {
		t.Errorf("FreeBusy(event, VAVAILABILITY) FREEBUSY = %v, want %v", got, want)
	}
}
