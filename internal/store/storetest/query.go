// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
)

func testQueryObjects(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	_, c := home(t, s)
	h := time.Hour
	put := func(name, comp string, ix calendar.Index) {
		t.Helper()
		o := event(c.ID, name, name, ix.Start, ix.End)
		o.Component, o.Index = comp, ix
		mustPut(t, s, o, calendar.Conditions{})
	}
	put("point", "VEVENT", calendar.Index{Start: day(0).Add(10 * h), End: day(0).Add(10 * h)})
	put("hour", "VEVENT", calendar.Index{Start: day(0).Add(10 * h), End: day(0).Add(11 * h)})
	put("todo", "VTODO", calendar.Index{Start: day(0).Add(12 * h), End: day(0).Add(13 * h)})
	put("open", "VTODO", calendar.Index{Start: calendar.MinTime, End: calendar.MaxTime})
	put("month", "VEVENT", calendar.Index{Start: day(1), End: day(31)})
	put("six-days", "VEVENT", calendar.Index{Start: day(100), End: day(106)})
	put("eight-days", "VEVENT", calendar.Index{Start: day(100), End: day(108)})
	// A daily 09:00–10:00 series without end, expanded over 30 days.
	daily := calendar.Index{Start: day(2).Add(9 * h), End: calendar.MaxTime, Recurring: true, From: day(2), Until: day(32)}
	for i := range 30 {
		daily.Instances = append(daily.Instances, calendar.Span{Start: day(2 + i).Add(9 * h), End: day(2 + i).Add(10 * h)})
	}
	put("daily", "VEVENT", daily)
	// Three short instances over two days, the last one zero-length.
	put("triple", "VEVENT", calendar.Index{Start: day(40).Add(8 * h), End: day(41).Add(19 * h), Recurring: true, From: day(40), Until: day(42),
		Instances: []calendar.Span{
			{Start: day(40).Add(8 * h), End: day(40).Add(9 * h)},
			{Start: day(40).Add(18 * h), End: day(40).Add(19 * h)},
			{Start: day(41).Add(19 * h), End: day(41).Add(19 * h)},
		}})

	all := []string{"daily", "eight-days", "hour", "month", "open", "point", "six-days", "todo", "triple"}
	for _, tc := range []struct {
		name       string
		comp       string
		start, end time.Time
		want       []string
	}{
		{"unbounded", "", time.Time{}, time.Time{}, all},
		{"MinTime to MaxTime", "", calendar.MinTime, calendar.MaxTime, all},
		{"component VTODO", "VTODO", time.Time{}, time.Time{}, []string{"open", "todo"}},
		{"component VJOURNAL", "VJOURNAL", time.Time{}, time.Time{}, []string{}},
		{"exactly the hour", "", day(0).Add(10 * h), day(0).Add(11 * h), []string{"hour", "open", "point"}},
		{"one second at the point", "", day(0).Add(10 * h), day(0).Add(10*h + time.Second), []string{"hour", "open", "point"}},
		{"ending at the point", "", day(0).Add(9 * h), day(0).Add(10 * h), []string{"open"}},
		{"starting at the hour's end", "", day(0).Add(11 * h), day(0).Add(12 * h), []string{"open"}},
		{"just before the point", "", day(0).Add(10*h - time.Second), day(0).Add(10 * h), []string{"open"}},
		{"open start", "", time.Time{}, day(0).Add(10 * h), []string{"open"}},
		{"open end", "VEVENT", day(45), time.Time{}, []string{"daily", "eight-days", "six-days"}},
		{"between two instances", "VEVENT", day(5).Add(12 * h), day(5).Add(13 * h), []string{"month"}},
		{"inside an instance", "VEVENT", day(5).Add(9*h + 30*time.Minute), day(5).Add(9*h + 45*time.Minute), []string{"daily", "month"}},
		{"ending at an instance's start", "VEVENT", day(5).Add(8 * h), day(5).Add(9 * h), []string{"month"}},
		{"the whole window", "VEVENT", day(2), day(32), []string{"daily", "month"}},
		{"partly outside the window", "VEVENT", day(31).Add(12 * h), day(33), []string{"daily"}},
		{"after the window", "VEVENT", day(50), day(51), []string{"daily"}},
		{"before the series", "VEVENT", day(1), day(2), []string{"month"}},
		{"between the short series' instances", "VEVENT", day(40).Add(12 * h), day(40).Add(13 * h), []string{"daily"}},
		{"inside the short series' instance", "VEVENT", day(40).Add(18*h + 30*time.Minute), day(40).Add(18*h + 45*time.Minute), []string{"daily", "triple"}},
		{"at a zero-length instance", "VEVENT", day(41).Add(19 * h), day(41).Add(20 * h), []string{"daily", "triple"}},
		{"ending at a zero-length instance", "VEVENT", day(41).Add(18 * h), day(41).Add(19 * h), []string{"daily"}},
		{"the end of a six-day span", "VEVENT", day(105).Add(12 * h), day(105).Add(13 * h), []string{"daily", "eight-days", "six-days"}},
		{"the end of an eight-day span", "VEVENT", day(107), day(107).Add(h), []string{"daily", "eight-days"}},
	} {
		q := calendar.Query{Component: tc.comp, Start: tc.start, End: tc.end}
		got, err := s.QueryObjects(ctx, c.ID, q)
		if err != nil {
			t.Errorf("%s: QueryObjects(%+v) = %v", tc.name, q, err)
			continue
		}
		if n := names(got); !slices.Equal(n, tc.want) {
			t.Errorf("%s: QueryObjects(%s, [%v, %v)) = %q, want %q", tc.name, tc.comp, tc.start, tc.end, n, tc.want)
		}
	}

	for _, withData := range []bool{false, true} {
		q := calendar.Query{Component: "VTODO", WithData: withData}
		got, err := s.QueryObjects(ctx, c.ID, q)
		if err != nil || len(got) != 2 {
			t.Fatalf("QueryObjects(%+v) = %q, %v", q, names(got), err)
		}
		want, err := s.Object(ctx, c.ID, got[0].Name)
		if err != nil {
			t.Fatalf("Object(%q) = %v", got[0].Name, err)
		}
		if diff := objectDiff(got[0], want, withData); diff != "" {
			t.Errorf("QueryObjects(%+v): %s", q, diff)
		}
	}

	// Replacing a recurring object replaces its instances.
	moved := daily
	moved.Instances = nil
	for i := range 30 {
		moved.Instances = append(moved.Instances, calendar.Span{Start: day(2 + i).Add(12 * h), End: day(2 + i).Add(13 * h)})
	}
	put("daily", "VEVENT", moved)
	q := calendar.Query{Component: "VEVENT", Start: day(5).Add(9 * h), End: day(5).Add(10 * h)}
	if got, err := s.QueryObjects(ctx, c.ID, q); err != nil || slices.Contains(names(got), "daily") {
		t.Errorf("QueryObjects(old instance time) after replacing the series = %q, %v; want no daily", names(got), err)
	}
	q.Start, q.End = day(5).Add(12*h), day(5).Add(13*h)
	if got, err := s.QueryObjects(ctx, c.ID, q); err != nil || !slices.Contains(names(got), "daily") {
		t.Errorf("QueryObjects(new instance time) after replacing the series = %q, %v; want daily", names(got), err)
	}
}
