// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package storetest

import (
	"fmt"
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

// testQueryKinds covers the ways a store may find objects by time range:
// by a short span, by the instances of a recurring object whose instances
// are all short (at most a week), and by the span of anything else, such
// as a series with a long instance or whose window does not cover the
// query.
func testQueryKinds(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	_, c := home(t, s)
	h := time.Hour
	put := func(name, comp string, ix calendar.Index) {
		t.Helper()
		o := event(c.ID, name, name, ix.Start, ix.End)
		o.Component, o.Index = comp, ix
		mustPut(t, s, o, calendar.Conditions{})
	}
	// series is the index of a recurring object expanded over all time.
	series := func(insts ...calendar.Span) calendar.Index {
		ix := calendar.Index{Start: calendar.MaxTime, End: calendar.MinTime, Recurring: true,
			From: calendar.MinTime, Until: calendar.MaxTime, Instances: insts}
		for _, sp := range insts {
			if sp.Start.Before(ix.Start) {
				ix.Start = sp.Start
			}
			if sp.End.After(ix.End) {
				ix.End = sp.End
			}
		}
		return ix
	}
	// A weekly 10:00–11:00 series of ten.
	var weekly []calendar.Span
	for i := range 10 {
		weekly = append(weekly, calendar.Span{Start: day(7 * i).Add(10 * h), End: day(7 * i).Add(11 * h)})
	}
	put("weekly", "VEVENT", series(weekly...))
	put("weekly-todo", "VTODO", series(weekly...))
	// Instances of one hour, ten days, five days and exactly a week.
	put("long-instance", "VEVENT", series(
		calendar.Span{Start: day(100), End: day(100).Add(h)},
		calendar.Span{Start: day(110), End: day(120)},
		calendar.Span{Start: day(130), End: day(130).Add(h)}))
	put("five-days", "VEVENT", series(
		calendar.Span{Start: day(140), End: day(145)},
		calendar.Span{Start: day(150), End: day(150).Add(h)}))
	put("one-week", "VEVENT", series(
		calendar.Span{Start: day(160), End: day(167)},
		calendar.Span{Start: day(170), End: day(170).Add(h)}))
	// Zero-length instances at 10:00 and 12:00.
	put("points", "VEVENT", series(
		calendar.Span{Start: day(200).Add(10 * h), End: day(200).Add(10 * h)},
		calendar.Span{Start: day(200).Add(12 * h), End: day(200).Add(12 * h)}))
	// A daily 09:00–10:00 series from day 300 to day 400, listed over
	// [day 300, day 310) only, and one without end listed over the same
	// window.
	var daily []calendar.Span
	for i := range 10 {
		daily = append(daily, calendar.Span{Start: day(300 + i).Add(9 * h), End: day(300 + i).Add(10 * h)})
	}
	windowed := calendar.Index{Start: day(300).Add(9 * h), End: day(399).Add(10 * h), Recurring: true, From: day(300), Until: day(310), Instances: daily}
	put("windowed", "VEVENT", windowed)
	windowed.End = calendar.MaxTime
	put("windowed-open", "VEVENT", windowed)
	// An hour-long single event next to the series.
	put("single", "VEVENT", calendar.Index{Start: day(14).Add(12 * h), End: day(14).Add(13 * h)})

	for _, tc := range []struct {
		name       string
		comp       string
		start, end time.Time
		want       []string
	}{
		{"a weekly instance", "", day(14).Add(10 * h), day(14).Add(11 * h), []string{"weekly", "weekly-todo"}},
		{"a weekly instance, VEVENT", "VEVENT", day(14).Add(10 * h), day(14).Add(11 * h), []string{"weekly"}},
		{"between weekly instances", "", day(14).Add(11 * h), day(14).Add(14 * h), []string{"single"}},
		{"a month of the weekly series", "VEVENT", day(7), day(37), []string{"single", "weekly"}},
		{"all of the weekly series", "VEVENT", day(-1), day(70), []string{"single", "weekly"}},
		{"after the weekly series", "VEVENT", day(63).Add(11 * h), day(99), []string{}},
		{"inside the long instance, late", "", day(118), day(119), []string{"long-instance"}},
		{"at the end of the long instance", "", day(120).Add(-time.Second), day(120), []string{"long-instance"}},
		{"after the long instance", "", day(120), day(121), []string{}},
		{"between the long series' instances", "", day(125), day(126), []string{}},
		{"the end of a five-day instance", "", day(144).Add(12 * h), day(144).Add(13 * h), []string{"five-days"}},
		{"the last second of a one-week instance", "", day(167).Add(-time.Second), day(167), []string{"one-week"}},
		{"after a one-week instance", "", day(167), day(168), []string{}},
		{"starting at a point", "", day(200).Add(10 * h), day(200).Add(11 * h), []string{"points"}},
		{"ending at a point", "", day(200).Add(9 * h), day(200).Add(10 * h), []string{}},
		{"between the points", "", day(200).Add(10*h + time.Second), day(200).Add(12 * h), []string{}},
		{"one second at the second point", "", day(200).Add(12 * h), day(200).Add(12*h + time.Second), []string{"points"}},
		{"after the points", "", day(200).Add(12*h + time.Second), day(201), []string{}},
		{"a windowed instance", "", day(305).Add(9 * h), day(305).Add(10 * h), []string{"windowed", "windowed-open"}},
		{"between windowed instances", "", day(305).Add(11 * h), day(305).Add(12 * h), []string{}},
		{"before the series", "", day(299), day(300).Add(9 * h), []string{}},
		{"partly before the window", "", day(299), day(300).Add(9*h + time.Second), []string{"windowed", "windowed-open"}},
		{"partly after the window", "", day(309).Add(12 * h), day(310).Add(12 * h), []string{"windowed", "windowed-open"}},
		{"after the window", "", day(350), day(351), []string{"windowed", "windowed-open"}},
		{"after the windowed series", "", day(400), day(401), []string{"windowed-open"}},
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

	// Replacing a series by a single event, and a single event by a series,
	// moves the object between the ways it is found.
	put("weekly", "VEVENT", calendar.Index{Start: day(21).Add(12 * h), End: day(21).Add(13 * h)})
	put("single", "VEVENT", series(calendar.Span{Start: day(28).Add(15 * h), End: day(28).Add(16 * h)}))
	for _, tc := range []struct {
		start time.Time
		want  []string
	}{
		{day(14).Add(10 * h), []string{}},
		{day(14).Add(12 * h), []string{}},
		{day(21).Add(12 * h), []string{"weekly"}},
		{day(28).Add(15 * h), []string{"single"}},
	} {
		q := calendar.Query{Component: "VEVENT", Start: tc.start, End: tc.start.Add(h)}
		got, err := s.QueryObjects(ctx, c.ID, q)
		if n := names(got); err != nil || !slices.Equal(n, tc.want) {
			t.Errorf("after replacing: QueryObjects(VEVENT, [%v, %v)) = %q, %v; want %q", q.Start, q.End, n, err, tc.want)
		}
	}
	if err := s.DeleteObject(ctx, c.ID, "single", calendar.Conditions{}); err != nil {
		t.Fatalf("DeleteObject(single) = %v", err)
	}
	q := calendar.Query{Start: day(28).Add(15 * h), End: day(28).Add(16 * h)}
	if got, err := s.QueryObjects(ctx, c.ID, q); err != nil || len(got) != 0 {
		t.Errorf("QueryObjects(a deleted series' instance) = %q, %v; want none", names(got), err)
	}
}

// testQueryPages covers keyset pagination (Query.After and Limit), with
// and without a time range: pages concatenate to the whole answer.
func testQueryPages(t *testing.T, s calendar.Store) {
	ctx := t.Context()
	_, c := home(t, s)
	h := time.Hour
	put := func(name, comp string, ix calendar.Index) {
		t.Helper()
		o := event(c.ID, name, name, ix.Start, ix.End)
		o.Component, o.Index = comp, ix
		mustPut(t, s, o, calendar.Conditions{})
	}
	// Short spans, long spans and short series, of two components.
	for i := range 12 {
		start := day(i).Add(10 * h)
		put(fmt.Sprintf("span-%02d", i), "VEVENT", calendar.Index{Start: start, End: start.Add(h)})
	}
	put("long", "VEVENT", calendar.Index{Start: day(-5), End: day(30)})
	put("open-todo", "VTODO", calendar.Index{Start: calendar.MinTime, End: calendar.MaxTime})
	put("todo", "VTODO", calendar.Index{Start: day(3), End: day(3).Add(h)})
	for _, name := range []string{"series-a", "series-b"} {
		var insts []calendar.Span
		for i := range 5 {
			insts = append(insts, calendar.Span{Start: day(2 * i).Add(8 * h), End: day(2 * i).Add(9 * h)})
		}
		put(name, "VEVENT", calendar.Index{Start: insts[0].Start, End: insts[4].End, Recurring: true,
			From: day(0), Until: day(10), Instances: insts})
	}
	// A series without instances is listed, though no time range finds
	// it.
	put("series-empty", "VEVENT", calendar.Index{Start: day(1), End: day(2), Recurring: true,
		From: calendar.MinTime, Until: calendar.MaxTime})

	list, err := s.ListObjects(ctx, c.ID, false)
	if err != nil || len(list) != 18 || !slices.Contains(names(list), "series-empty") {
		t.Fatalf("ListObjects() = %q, %v; want 18 objects with series-empty", names(list), err)
	}
	for _, tc := range []struct {
		name       string
		comp       string
		start, end time.Time
	}{
		{"unbounded", "", time.Time{}, time.Time{}},
		{"unbounded VEVENT", "VEVENT", time.Time{}, time.Time{}},
		{"unbounded VTODO", "VTODO", calendar.MinTime, calendar.MaxTime},
		{"a week", "", day(2), day(9)},
		{"a week of VEVENT", "VEVENT", day(2), day(9)},
		{"open end", "", day(6), time.Time{}},
		{"an hour", "", day(4).Add(8 * h), day(4).Add(9 * h)},
	} {
		q := calendar.Query{Component: tc.comp, Start: tc.start, End: tc.end}
		whole, err := s.QueryObjects(ctx, c.ID, q)
		if err != nil {
			t.Fatalf("%s: QueryObjects(%+v) = %v", tc.name, q, err)
		}
		want := names(whole)
		if q.Unbounded() && tc.comp == "" && !slices.Equal(want, names(list)) {
			t.Errorf("%s: QueryObjects() = %q, want the listing %q", tc.name, want, names(list))
		}
		for _, limit := range []int{1, 2, 5, 100} {
			var got []string
			for page, after := 0, ""; ; page++ {
				q.After, q.Limit = after, limit
				os, err := s.QueryObjects(ctx, c.ID, q)
				if err != nil {
					t.Fatalf("%s: QueryObjects(%+v) = %v", tc.name, q, err)
				}
				if len(os) > limit || page > len(want) {
					t.Fatalf("%s: QueryObjects(after %q, limit %d) = %q, want at most %d", tc.name, after, limit, names(os), limit)
				}
				got = append(got, names(os)...)
				if len(os) < limit {
					break
				}
				after = os[len(os)-1].Name
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: pages of %d = %q, want %q", tc.name, limit, got, want)
			}
		}
		q.After, q.Limit = "zzz", 0
		if os, err := s.QueryObjects(ctx, c.ID, q); err != nil || len(os) != 0 {
			t.Errorf("%s: QueryObjects(after the last name) = %q, %v; want none", tc.name, names(os), err)
		}
		if len(want) > 0 {
			q.After, q.Limit = "", 1
			if os, err := s.QueryObjects(ctx, c.ID, q); err != nil || !slices.Equal(names(os), want[:1]) {
				t.Errorf("%s: QueryObjects(limit 1) = %q, %v; want %q", tc.name, names(os), err, want[:1])
			}
		}
	}

	// After need not be a stored name; pages carry data when asked.
	q := calendar.Query{After: "span-05x", Limit: 3, WithData: true}
	os, err := s.QueryObjects(ctx, c.ID, q)
	if n := names(os); err != nil || !slices.Equal(n, []string{"span-06", "span-07", "span-08"}) {
		t.Fatalf("QueryObjects(%+v) = %q, %v; want span-06 … span-08", q, n, err)
	}
	for _, o := range os {
		want, err := s.Object(ctx, c.ID, o.Name)
		if err != nil {
			t.Fatalf("Object(%q) = %v", o.Name, err)
		}
		if diff := objectDiff(o, want, true); diff != "" {
			t.Errorf("QueryObjects(%+v): %s", q, diff)
		}
	}
}
