// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// TestConflict checks the conflict check of a room that accepts
// invitations automatically (RFC 5546 §3.6.28, REQUEST-STATUS 4.0).
func TestConflict(t *testing.T) {
	// The room is available Monday to Friday, 8:00 to 18:00 in Berlin.
	officeHours := vav(slices.Concat([]string{"UID:room-hours"},
		avl("UID:h", "DTSTART;TZID=Europe/Berlin:20260601T080000", "DTEND;TZID=Europe/Berlin:20260601T180000", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"))...)
	at10 := event("UID:x", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z")
	// weeklyTue is a candidate every Tuesday from June 2, 10:00 to 11:00.
	weeklyTue := func(lines ...string) []string {
		return slices.Concat(event("UID:cand", "DTSTART:20260602T100000Z", "DTEND:20260602T110000Z", "RRULE:FREQ=WEEKLY;COUNT=3"), lines)
	}
	tests := []struct {
		name       string
		candidate  []string
		existing   [][]string
		avail      [][]string
		start, end string // default 2026-06-01 to 2027-01-01
		want       string // the conflicting instance's start, "" for none
	}{
		{"single vs single", event("UID:cand", "DTSTART:20260601T103000Z", "DTEND:20260601T113000Z"),
			[][]string{at10}, nil, "", "", "20260601T103000Z"},
		{"touching is no conflict", event("UID:cand", "DTSTART:20260601T110000Z", "DTEND:20260601T120000Z"),
			[][]string{at10}, nil, "", "", ""},
		{"an override moved the busy instance away", event("UID:cand", "DTSTART:20260608T100000Z", "DTEND:20260608T110000Z"),
			[][]string{slices.Concat(event("UID:w", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "RRULE:FREQ=WEEKLY;COUNT=4"),
				event("UID:w", "RECURRENCE-ID:20260608T100000Z", "DTSTART:20260608T140000Z", "DTEND:20260608T150000Z"))}, nil, "", "", ""},
		{"an override moved the busy instance here", event("UID:cand", "DTSTART:20260608T143000Z", "DTEND:20260608T153000Z"),
			[][]string{slices.Concat(event("UID:w", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "RRULE:FREQ=WEEKLY;COUNT=4"),
				event("UID:w", "RECURRENCE-ID:20260608T100000Z", "DTSTART:20260608T140000Z", "DTEND:20260608T150000Z"))}, nil, "", "", "20260608T143000Z"},
		{"recurring vs recurring", event("UID:cand", "DTSTART:20260602T100000Z", "DTEND:20260602T110000Z", "RRULE:FREQ=WEEKLY"),
			[][]string{event("UID:d", "DTSTART:20260610T103000Z", "DTEND:20260610T110000Z", "RRULE:FREQ=DAILY;COUNT=30")}, nil, "", "", "20260616T100000Z"},
		{"the earliest conflicting instance", weeklyTue(), [][]string{
			event("UID:b", "DTSTART:20260616T104500Z", "DTEND:20260616T120000Z"),
			event("UID:a", "DTSTART:20260609T090000Z", "DTEND:20260609T100100Z"),
		}, nil, "", "", "20260609T100000Z"},
		{"EXDATE on the clash", event("UID:cand", "DTSTART:20260602T100000Z", "DTEND:20260602T110000Z", "RRULE:FREQ=WEEKLY;COUNT=3", "EXDATE:20260609T100000Z"),
			[][]string{event("UID:a", "DTSTART:20260609T100000Z", "DTEND:20260609T110000Z")}, nil, "", "", ""},
		{"cancelled candidate instance", weeklyTue(event("UID:cand", "RECURRENCE-ID:20260609T100000Z", "DTSTART:20260609T100000Z", "DTEND:20260609T110000Z", "STATUS:CANCELLED")...),
			[][]string{event("UID:a", "DTSTART:20260609T100000Z", "DTEND:20260609T110000Z")}, nil, "", "", ""},
		{"transparent candidate instance", weeklyTue(event("UID:cand", "RECURRENCE-ID:20260609T100000Z", "DTSTART:20260609T100000Z", "DTEND:20260609T110000Z", "TRANSP:TRANSPARENT")...),
			[][]string{event("UID:a", "DTSTART:20260609T100000Z", "DTEND:20260609T110000Z")}, nil, "", "", ""},
		{"the candidate's other instances still conflict", weeklyTue(event("UID:cand", "RECURRENCE-ID:20260609T100000Z", "DTSTART:20260609T100000Z", "DTEND:20260609T110000Z", "STATUS:CANCELLED")...),
			[][]string{event("UID:a", "DTSTART:20260616T100000Z", "DTEND:20260616T110000Z")}, nil, "", "", "20260616T100000Z"},
		{"transparent candidate", event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "TRANSP:TRANSPARENT"),
			[][]string{at10}, nil, "", "", ""},
		{"cancelled candidate", event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "STATUS:CANCELLED"),
			[][]string{at10}, nil, "", "", ""},
		{"zero duration candidate", event("UID:cand", "DTSTART:20260601T103000Z"),
			[][]string{at10}, nil, "", "", ""},
		{"transparent existing", event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z"),
			[][]string{event("UID:x", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "TRANSP:TRANSPARENT")}, nil, "", "", ""},
		{"cancelled existing", event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z"),
			[][]string{event("UID:x", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "STATUS:CANCELLED")}, nil, "", "", ""},
		{"tentative existing", event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z"),
			[][]string{event("UID:x", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "STATUS:TENTATIVE")}, nil, "", "", "20260601T100000Z"},
		{"published busy time", event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z"),
			[][]string{{"BEGIN:VFREEBUSY", "UID:f", "DTSTAMP:20260101T000000Z", "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260601T103000Z/PT1H", "END:VFREEBUSY"}},
			nil, "", "", "20260601T100000Z"},
		{"the same UID is the same event", event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "SEQUENCE:1"),
			[][]string{event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z")}, nil, "", "", ""},
		{"the same UID is ignored, another is not", event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "SEQUENCE:1"),
			[][]string{event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z"), at10}, nil, "", "", "20260601T100000Z"},
		{"unavailable at night", event("UID:cand", "DTSTART;TZID=Europe/Berlin:20260601T200000", "DTEND;TZID=Europe/Berlin:20260601T210000"),
			nil, [][]string{officeHours}, "", "", "20260601T180000Z"},
		{"available in office hours", event("UID:cand", "DTSTART;TZID=Europe/Berlin:20260601T090000", "DTEND;TZID=Europe/Berlin:20260601T100000"),
			nil, [][]string{officeHours}, "", "", ""},
		{"office hours, but booked", event("UID:cand", "DTSTART;TZID=Europe/Berlin:20260601T120000", "DTEND;TZID=Europe/Berlin:20260601T130000"),
			[][]string{at10}, [][]string{officeHours}, "", "", "20260601T100000Z"},
		{"unavailable on Saturday", event("UID:cand", "DTSTART;TZID=Europe/Berlin:20260606T090000", "DTEND;TZID=Europe/Berlin:20260606T100000"),
			nil, [][]string{officeHours}, "", "", "20260606T070000Z"},
		{"an endless candidate is checked up to end", event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "RRULE:FREQ=WEEKLY"),
			[][]string{event("UID:late", "DTSTART:20270104T100000Z", "DTEND:20270104T110000Z")}, nil, "", "", ""},
		{"an endless candidate, a later end", event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "RRULE:FREQ=WEEKLY"),
			[][]string{event("UID:late", "DTSTART:20270104T100000Z", "DTEND:20270104T110000Z")}, nil, "", "20270201T000000Z", "20270104T100000Z"},
		{"an instance that begins before start", event("UID:cand", "DTSTART:20260531T230000Z", "DTEND:20260601T010000Z"),
			[][]string{event("UID:x", "DTSTART:20260601T003000Z", "DTEND:20260601T010000Z")}, nil, "", "", "20260531T230000Z"},
		{"busy only before start", event("UID:cand", "DTSTART:20260531T230000Z", "DTEND:20260601T010000Z"),
			[][]string{event("UID:x", "DTSTART:20260531T230000Z", "DTEND:20260601T000000Z")}, nil, "", "", ""},
		{"no VEVENT", []string{"BEGIN:VTODO", "UID:cand", "DTSTAMP:20260101T000000Z", "DTSTART:20260601T100000Z", "DUE:20260601T110000Z", "END:VTODO"},
			[][]string{at10}, nil, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := ut(t, "20260601T000000Z"), ut(t, "20270101T000000Z")
			if tt.start != "" {
				start = ut(t, tt.start)
			}
			if tt.end != "" {
				end = ut(t, tt.end)
			}
			var existing, avail []*ical.Component
			for _, lines := range tt.existing {
				existing = append(existing, cal(t, lines...))
			}
			for _, lines := range tt.avail {
				avail = append(avail, cal(t, lines...))
			}
			conflict, at, err := Conflict(cal(t, tt.candidate...), existing, avail, start, end, Options{})
			if err != nil {
				t.Fatalf("Conflict(%s): %v", tt.name, err)
			}
			want := tt.want != ""
			if conflict != want || (want && !at.Equal(ut(t, tt.want))) || (!want && !at.IsZero()) {
				t.Errorf("Conflict(%s) = %v, %v; want %v, %s", tt.name, conflict, at, want, tt.want)
			}
		})
	}
}

// TestConflictBomb checks that a recurrence bomb on either side, or in
// the availability, is an error wrapping the limit and does not hang.
func TestConflictBomb(t *testing.T) {
	single := cal(t, event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z")...)
	weekly := cal(t, event("UID:cand", "DTSTART:20260601T100000Z", "DTEND:20260601T110000Z", "RRULE:FREQ=WEEKLY")...)
	bombCal := cal(t, bomb...)
	bombCand := cal(t, event("UID:cand", "DTSTART:20260101T000000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY")...)
	bombAvail := cal(t, vav(slices.Concat([]string{"UID:v"},
		avl("UID:a", "DTSTART:20260101T000000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY;INTERVAL=2"))...)...)
	start, end := ut(t, "20260601T000000Z"), ut(t, "20270101T000000Z")
	tests := []struct {
		name            string
		candidate       *ical.Component
		existing, avail []*ical.Component
		lim             recur.Limits
	}{
		{"existing, small limits", single, []*ical.Component{bombCal}, nil, smallLimits},
		{"existing over a year", weekly, []*ical.Component{bombCal}, nil, recur.Limits{}},
		{"candidate, small limits", bombCand, nil, nil, smallLimits},
		{"candidate", bombCand, nil, nil, recur.Limits{}},
		{"availability, small limits", single, nil, []*ical.Component{bombAvail}, smallLimits},
		{"availability over a year", weekly, nil, []*ical.Component{bombAvail}, recur.Limits{}},
	}
	for _, tt := range tests {
		done := make(chan struct{})
		var conflict bool
		var err error
		go func() {
			defer close(done)
			conflict, _, err = Conflict(tt.candidate, tt.existing, tt.avail, start, end, Options{Limits: tt.lim})
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("Conflict(bomb %s) did not return", tt.name)
		}
		if !errors.Is(err, recur.ErrBudget) {
			t.Errorf("Conflict(bomb %s) = %v, %v; want an error wrapping recur.ErrBudget", tt.name, conflict, err)
		}
	}
	// Only the hour of a single candidate is expanded: the bomb's 3,600
	// instances in it fit the default limits, and they conflict.
	if conflict, at, err := Conflict(single, []*ical.Component{bombCal}, nil, start, end, Options{}); err != nil || !conflict || !at.Equal(ut(t, "20260601T100000Z")) {
		t.Errorf("Conflict(one hour, bomb) = %v, %v, %v; want true at 10:00", conflict, at, err)
	}
	if _, _, err := Conflict(nil, nil, nil, start, end, Options{}); err == nil {
		t.Error("Conflict(nil candidate) error = nil")
	}
}

// TestConflictOracle compares Conflict with a pairwise check on random
// events: a candidate every three hours, eight times, one instance perhaps
// moved and lengthened by an override past the next ones, against single
// events of every status.
func TestConflictOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := ut(t, "20260601T000000Z")
	stamp := func(t time.Time) string { return ical.NewUTC(t).String() }
	quarters := func(n int) time.Duration { return time.Duration(n) * 15 * time.Minute }
	type span struct{ s, e time.Time }
	for round := range 500 {
		first := base.Add(quarters(rng.IntN(96)))
		dur := quarters(1 + rng.IntN(8))
		lines := event("UID:cand", "DTSTART:"+stamp(first), "DURATION:PT"+fmt.Sprint(int(dur.Minutes()))+"M", "RRULE:FREQ=HOURLY;INTERVAL=3;COUNT=8")
		var instances []span
		for k := range 8 {
			s := first.Add(time.Duration(3*k) * time.Hour)
			instances = append(instances, span{s, s.Add(dur)})
		}
		if rng.IntN(2) == 0 {
			k := rng.IntN(8)
			s := instances[k].s.Add(quarters(rng.IntN(25) - 12))
			e := s.Add(quarters(1 + rng.IntN(48)))
			lines = append(lines, event("UID:cand", "RECURRENCE-ID:"+stamp(instances[k].s), "DTSTART:"+stamp(s), "DTEND:"+stamp(e))...)
			instances[k] = span{s, e}
		}
		slices.SortStableFunc(instances, func(a, b span) int { return a.s.Compare(b.s) })
		var existing []*ical.Component
		var busy []span
		for i := range rng.IntN(12) {
			s := base.Add(quarters(rng.IntN(2 * 96)))
			e := s.Add(quarters(rng.IntN(9)))
			lines := []string{fmt.Sprintf("UID:e%d", i), "DTSTART:" + stamp(s), "DTEND:" + stamp(e)}
			switch rng.IntN(5) {
			case 0:
				lines = append(lines, "TRANSP:TRANSPARENT")
			case 1:
				lines = append(lines, "STATUS:CANCELLED")
			case 2:
				lines = append(lines, "STATUS:TENTATIVE")
				busy = append(busy, span{s, e})
			default:
				busy = append(busy, span{s, e})
			}
			existing = append(existing, cal(t, event(lines...)...))
		}
		var want time.Time
	instances:
		for _, in := range instances {
			for _, b := range busy {
				if b.s.Before(in.e) && b.e.After(in.s) && b.e.After(b.s) {
					want = in.s
					break instances
				}
			}
		}
		conflict, at, err := Conflict(cal(t, lines...), existing, nil, base, base.AddDate(0, 0, 7), Options{})
		if err != nil || conflict != !want.IsZero() || !at.Equal(want) {
			t.Fatalf("round %d: Conflict = %v, %v, %v; want %v, %v", round, conflict, at, err, !want.IsZero(), want)
		}
	}
}

// BenchmarkConflict checks a weekly candidate in a room with 2,000
// events over a year, one in ten of them recurring weekly, and the
// office hours of a VAVAILABILITY: "free" finds no conflict and sweeps
// the whole year, "busy" clashes in the last week.
func BenchmarkConflict(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday
	end := start.AddDate(1, 0, 0)
	stamp := func(t time.Time) string { return ical.NewUTC(t).String() }
	var existing []*ical.Component
	for i := range 2000 {
		// Monday to Friday, 8:00 to 17:00 UTC.
		day := start.AddDate(0, 0, 7*rng.IntN(52)+rng.IntN(5))
		s := day.Add(time.Duration(8*4+rng.IntN(9*4)) * 15 * time.Minute)
		lines := []string{fmt.Sprintf("UID:e%d", i), "DTSTART:" + stamp(s), "DURATION:PT1H"}
		if i%10 == 0 {
			lines = append(lines, "RRULE:FREQ=WEEKLY")
		}
		existing = append(existing, cal(b, event(lines...)...))
	}
	avail := []*ical.Component{cal(b, vav(slices.Concat([]string{"UID:hours"},
		avl("UID:h", "DTSTART:20260105T070000Z", "DTEND:20260105T190000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA"))...)...)}
	for _, bc := range []struct {
		name, dtstart string
		want          bool
	}{
		{"free", "20260110T090000Z", false}, // Saturdays, inside the office hours
		{"busy", "20260109T173000Z", true},  // Fridays, after the last event starts
	} {
		candidate := cal(b, slices.Concat(event("UID:cand", "DTSTART:"+bc.dtstart, "DURATION:PT1H", "RRULE:FREQ=WEEKLY"))...)
		if bc.want {
			// Only the last Friday clashes.
			last := end.AddDate(0, 0, -3).Add(17*time.Hour + 30*time.Minute)
			existing = append(existing, cal(b, event("UID:last", "DTSTART:"+stamp(last), "DURATION:PT30M")...))
		}
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				conflict, _, err := Conflict(candidate, existing, avail, start, end, Options{})
				if err != nil || conflict != bc.want {
					b.Fatalf("Conflict = %v, %v; want %v", conflict, err, bc.want)
				}
			}
		})
	}
}
