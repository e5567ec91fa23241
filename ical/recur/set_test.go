// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// comp builds a component from content lines "NAME;PARAM=V:VALUE" (no
// quoting, no folding: enough for these tests).
func comp(name string, lines ...string) *ical.Component {
	c := ical.NewComponent(name)
	for _, l := range lines {
		head, value, _ := strings.Cut(l, ":")
		parts := strings.Split(head, ";")
		p := ical.NewProperty(parts[0], value)
		for _, kv := range parts[1:] {
			k, v, _ := strings.Cut(kv, "=")
			p.Params.Set(k, v)
		}
		c.Add(p)
	}
	return c
}

func utc(s string) time.Time {
	t, err := time.Parse("20060102T150405Z", s)
	if err != nil {
		panic(err)
	}
	return t
}

// describe renders instances as "start/end" in UTC, with "*" for overridden
// ones.
func describe(ins []Instance) []string {
	out := make([]string, 0, len(ins))
	for _, in := range ins {
		s := in.StartTime.UTC().Format("20060102T150405Z") + "/" + in.EndTime.UTC().Format("20060102T150405Z")
		if in.Override != nil {
			s += "*"
		}
		out = append(out, s)
	}
	return out
}

func TestExpand(t *testing.T) {
	zurich, _ := testZones{}.Zone("Europe/Zurich")
	tests := []struct {
		name      string
		master    []string
		overrides [][]string
		from, to  string
		floating  ical.Zone
		want      []string
	}{
		{
			name:   "weekly over a month",
			master: []string{"DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO"},
			from:   "20260201T000000Z", to: "20260301T000000Z",
			want: []string{"20260202T090000Z/20260202T100000Z", "20260209T090000Z/20260209T100000Z",
				"20260216T090000Z/20260216T100000Z", "20260223T090000Z/20260223T100000Z"},
		},
		{
			name:   "instance overlapping the window start is included",
			master: []string{"DTSTART:20260105T090000Z", "DURATION:PT2H", "RRULE:FREQ=DAILY"},
			from:   "20260110T100000Z", to: "20260110T120000Z",
			want: []string{"20260110T090000Z/20260110T110000Z"},
		},
		{
			name:   "zero-duration instance at To is excluded, at From included",
			master: []string{"DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=5"},
			from:   "20260106T090000Z", to: "20260108T090000Z",
			want: []string{"20260106T090000Z/20260106T090000Z", "20260107T090000Z/20260107T090000Z"},
		},
		{
			name: "RDATE PERIOD keeps its own end, duplicates count once",
			master: []string{"DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=2",
				"RDATE;VALUE=PERIOD:20260110T090000Z/PT3H,20260111T120000Z/20260111T123000Z",
				"RDATE:20260106T090000Z"},
			want: []string{"20260105T090000Z/20260105T100000Z", "20260106T090000Z/20260106T100000Z",
				"20260110T090000Z/20260110T120000Z", "20260111T120000Z/20260111T123000Z"},
		},
		{
			name: "EXDATE comma list with TZID",
			master: []string{"DTSTART;TZID=Europe/Zurich:20260105T090000", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=5",
				"EXDATE;TZID=Europe/Zurich:20260106T090000,20260108T090000"},
			want: []string{"20260105T080000Z/20260105T090000Z", "20260107T080000Z/20260107T090000Z",
				"20260109T080000Z/20260109T090000Z"},
		},
		{
			name: "EXDATE in UTC matches a zoned instance by instant; DATE EXDATE the whole day",
			master: []string{"DTSTART;TZID=Europe/Zurich:20260105T090000", "RRULE:FREQ=DAILY;COUNT=4",
				"EXDATE:20260106T080000Z", "EXDATE;VALUE=DATE:20260107"},
			want: []string{"20260105T080000Z/20260105T080000Z", "20260108T080000Z/20260108T080000Z"},
		},
		{
			name:   "zoned daily across the DST change keeps local time",
			master: []string{"DTSTART;TZID=Europe/Zurich:20260327T090000", "DTEND;TZID=Europe/Zurich:20260327T100000", "RRULE:FREQ=DAILY;COUNT=3"},
			want: []string{"20260327T080000Z/20260327T090000Z", "20260328T080000Z/20260328T090000Z",
				"20260329T070000Z/20260329T080000Z"},
		},
		{
			name:   "local time in the DST gap moves forward (RFC 5545 §3.3.5)",
			master: []string{"DTSTART;TZID=Europe/Zurich:20260328T023000", "RRULE:FREQ=DAILY;COUNT=2"},
			want:   []string{"20260328T013000Z/20260328T013000Z", "20260329T013000Z/20260329T013000Z"},
		},
		{
			name:   "override moves an instance out of the window",
			master: []string{"DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=5"},
			overrides: [][]string{{"RECURRENCE-ID:20260106T090000Z", "DTSTART:20260120T090000Z",
				"DTEND:20260120T110000Z"}},
			from: "20260106T000000Z", to: "20260107T000000Z",
			want: nil,
		},
		{
			name:   "override moves an instance into the window",
			master: []string{"DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=5"},
			overrides: [][]string{{"RECURRENCE-ID:20260106T090000Z", "DTSTART:20260120T090000Z",
				"DTEND:20260120T110000Z"}},
			from: "20260120T000000Z", to: "20260121T000000Z",
			want: []string{"20260120T090000Z/20260120T110000Z*"},
		},
		{
			name:      "override without DTEND keeps the master's duration",
			master:    []string{"DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=2"},
			overrides: [][]string{{"RECURRENCE-ID:20260106T090000Z", "DTSTART:20260106T150000Z"}},
			want:      []string{"20260105T090000Z/20260105T100000Z", "20260106T150000Z/20260106T160000Z*"},
		},
		{
			name:   "THISANDFUTURE shifts later instances and applies the new duration",
			master: []string{"DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", "RRULE:FREQ=DAILY;COUNT=4"},
			overrides: [][]string{{"RECURRENCE-ID;RANGE=THISANDFUTURE:20260106T090000Z",
				"DTSTART:20260106T110000Z", "DTEND:20260106T113000Z"}},
			want: []string{"20260105T090000Z/20260105T100000Z", "20260106T110000Z/20260106T113000Z*",
				"20260107T110000Z/20260107T113000Z*", "20260108T110000Z/20260108T113000Z*"},
		},
		{
			name:   "all-day without DTEND lasts one day",
			master: []string{"DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=WEEKLY;COUNT=3"},
			from:   "20260112T120000Z", to: "20260113T000000Z",
			want: []string{"20260112T000000Z/20260113T000000Z"},
		},
		{
			name:     "all-day in a floating zone",
			master:   []string{"DTSTART;VALUE=DATE:20260105", "DTEND;VALUE=DATE:20260107", "RRULE:FREQ=WEEKLY;COUNT=2"},
			floating: zurich,
			want:     []string{"20260104T230000Z/20260106T230000Z", "20260111T230000Z/20260113T230000Z"},
		},
		{
			name:      "all-day override by DATE RECURRENCE-ID",
			master:    []string{"DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=DAILY;COUNT=3"},
			overrides: [][]string{{"RECURRENCE-ID;VALUE=DATE:20260106", "DTSTART;VALUE=DATE:20260110"}},
			want: []string{"20260105T000000Z/20260106T000000Z", "20260107T000000Z/20260108T000000Z",
				"20260110T000000Z/20260111T000000Z*"},
		},
		{
			name:   "EXRULE removes instances",
			master: []string{"DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY;COUNT=7", "EXRULE:FREQ=WEEKLY;BYDAY=SA,SU"},
			want: []string{"20260105T090000Z/20260105T090000Z", "20260106T090000Z/20260106T090000Z",
				"20260107T090000Z/20260107T090000Z", "20260108T090000Z/20260108T090000Z",
				"20260109T090000Z/20260109T090000Z"},
		},
		{
			name:   "two RRULEs are merged",
			master: []string{"DTSTART:20260105T090000Z", "RRULE:FREQ=WEEKLY;COUNT=2", "RRULE:FREQ=DAILY;COUNT=2"},
			want: []string{"20260105T090000Z/20260105T090000Z", "20260106T090000Z/20260106T090000Z",
				"20260112T090000Z/20260112T090000Z"},
		},
		{
			name:   "DTSTART not matching the rule is the first instance",
			master: []string{"DTSTART:20260104T090000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2"},
			want:   []string{"20260104T090000Z/20260104T090000Z", "20260105T090000Z/20260105T090000Z"},
		},
		{
			name:   "no RRULE: DTSTART and RDATEs",
			master: []string{"DTSTART:20260104T090000Z", "RDATE:20260101T090000Z"},
			want:   []string{"20260101T090000Z/20260101T090000Z", "20260104T090000Z/20260104T090000Z"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			master := comp("VEVENT", tt.master...)
			var ovs []*ical.Component
			for _, o := range tt.overrides {
				ovs = append(ovs, comp("VEVENT", o...))
			}
			opts := Options{Zones: testZones{}, Floating: tt.floating}
			if tt.from != "" {
				opts.From, opts.To = utc(tt.from), utc(tt.to)
			}
			got, err := Expand(master, ovs, opts)
			if err != nil {
				t.Fatalf("Expand(%q) error: %v", tt.master, err)
			}
			if d := describe(got); !slices.Equal(d, tt.want) {
				t.Errorf("Expand(%q, %q) = %v, want %v", tt.master, tt.overrides, d, tt.want)
			}
		})
	}
}

func TestExpandInstanceFields(t *testing.T) {
	master := comp("VEVENT", "DTSTART;TZID=Europe/Zurich:20260328T023000", "DURATION:PT1H", "RRULE:FREQ=DAILY;COUNT=2")
	got, err := Expand(master, nil, Options{Zones: testZones{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("Expand = %d instances, want 2", len(got))
	}
	// 2026-03-29 02:30 does not exist in Zurich: the RECURRENCE-ID keeps the
	// computed time, the start is where RFC 5545 §3.3.5 moves it.
	in := got[1]
	if rid := in.RecurrenceID; rid.String() != "20260329T023000" || rid.TZID != "Europe/Zurich" {
		t.Errorf("RecurrenceID = %v %q, want 20260329T023000 Europe/Zurich", rid, rid.TZID)
	}
	if s := in.Start.String(); s != "20260329T033000" {
		t.Errorf("Start = %s, want 20260329T033000", s)
	}
	if e := in.End.String(); e != "20260329T043000" {
		t.Errorf("End = %s, want 20260329T043000", e)
	}
}

func TestExpandOrphans(t *testing.T) {
	o := comp("VEVENT", "RECURRENCE-ID:20260106T090000Z", "DTSTART:20260106T100000Z", "DTEND:20260106T110000Z")
	got, err := Expand(nil, []*ical.Component{o}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"20260106T100000Z/20260106T110000Z*"}
	if d := describe(got); !slices.Equal(d, want) {
		t.Errorf("Expand(nil, orphan) = %v, want %v", d, want)
	}
}

func TestExpandErrors(t *testing.T) {
	tests := []struct {
		name   string
		master []string
		opts   Options
		budget bool
	}{
		{"unbounded without To", []string{"DTSTART:20260105T090000Z", "RRULE:FREQ=DAILY"}, Options{}, true},
		{"too many in window", []string{"DTSTART:20260105T090000Z", "RRULE:FREQ=MINUTELY"},
			Options{To: utc("20270101T000000Z"), Limits: Limits{MaxInstances: 100}}, true},
		{"unknown TZID", []string{"DTSTART;TZID=Nowhere/Land:20260105T090000", "RRULE:FREQ=DAILY;COUNT=2"}, Options{Zones: testZones{}}, false},
		{"TZID without zones", []string{"DTSTART;TZID=Europe/Zurich:20260105T090000"}, Options{}, false},
		{"no DTSTART", []string{"RRULE:FREQ=DAILY;COUNT=2"}, Options{}, false},
		{"bad RRULE", []string{"DTSTART:20260105T090000Z", "RRULE:FREQ=FORTNIGHTLY"}, Options{}, false},
		{"unsupported RSCALE", []string{"DTSTART:20260105T090000Z", "RRULE:RSCALE=HEBREW;FREQ=YEARLY"}, Options{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Expand(comp("VEVENT", tt.master...), nil, tt.opts)
			if err == nil {
				t.Fatalf("Expand(%q) = nil error, want one", tt.master)
			}
			if errors.Is(err, ErrBudget) != tt.budget {
				t.Errorf("Expand(%q) = %v, want ErrBudget: %v", tt.master, err, tt.budget)
			}
		})
	}
}
