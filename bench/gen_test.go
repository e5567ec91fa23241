// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package bench

import (
	"bytes"
	"crypto/sha256"
	"testing"

	arran "github.com/arran4/golang-ical"
	emersion "github.com/emersion/go-ical"

	"github.com/almanac-project/almanac/bench/gen"
	"github.com/almanac-project/almanac/ical"
)

// TestGeneratorCounts checks that the benchmark file has the requested
// shape, and that it is deterministic.
func TestGeneratorCounts(t *testing.T) {
	data, st := bigFile(t)
	cfg := gen.Default()
	if st.Series != cfg.Series {
		t.Errorf("series = %d, want %d", st.Series, cfg.Series)
	}
	if st.Overrides < 1500 || st.Overrides > 1900 {
		t.Errorf("overrides = %d, want about 1,700", st.Overrides)
	}
	if st.Events != st.Series+st.Overrides {
		t.Errorf("events = %d, want series+overrides = %d", st.Events, st.Series+st.Overrides)
	}
	if st.Timezones != 4 {
		t.Errorf("timezones = %d, want 4", st.Timezones)
	}
	if mb := float64(len(data)) / 1e6; mb < 28 || mb > 33 {
		t.Errorf("size = %.2f MB, want about 30 MB", mb)
	}
	if int64(len(data)) != st.Bytes {
		t.Errorf("Stats.Bytes = %d, len = %d", st.Bytes, len(data))
	}
	if st.Count == 0 || st.Until == 0 || st.Open == 0 {
		t.Errorf("terminations: COUNT %d, UNTIL %d, open %d: want all kinds", st.Count, st.Until, st.Open)
	}
	for _, k := range []string{gen.KindDaily, gen.KindDailyWeekdays, gen.KindWeekly, gen.KindMonthlyDay,
		gen.KindMonthlyOrdinal, gen.KindMonthlySetPos, gen.KindYearly, gen.KindYearlyByMonthDD} {
		if st.Kinds[k] == 0 {
			t.Errorf("no %s rules", k)
		}
	}
	if st.ExdateSeries < cfg.Series/5 || st.Exdates <= st.ExdateSeries {
		t.Errorf("EXDATE: %d series, %d values: want lists on about 30%% of series", st.ExdateSeries, st.Exdates)
	}
	if st.Attendees < st.Events || st.Attendees > 6*st.Events {
		t.Errorf("attendees = %d for %d events, want 1-6 each", st.Attendees, st.Events)
	}
	if st.Alarms < st.Events/2 {
		t.Errorf("alarms = %d for %d events", st.Alarms, st.Events)
	}
	t.Logf("%.2f MB, %d VEVENTs (%d series + %d overrides), %d EXDATEs in %d series, %d attendees, %d alarms; kinds %v; zones %v",
		float64(len(data))/1e6, st.Events, st.Series, st.Overrides, st.Exdates, st.ExdateSeries, st.Attendees, st.Alarms, st.Kinds, st.Zones)

	again, _, err := gen.Bytes(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(again) != sha256.Sum256(data) {
		t.Error("the generator is not deterministic")
	}
}

// TestLibrariesAgree decodes the benchmark file with every library and
// checks that they see the same number of VEVENTs (so the benchmarks
// compare the same work), and the counts per property that matter.
func TestLibrariesAgree(t *testing.T) {
	data, st := bigFile(t)

	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	var series, overrides, zones int
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompEvent:
			if c.Prop("RRULE") != nil {
				series++
			}
			if c.Prop("RECURRENCE-ID") != nil {
				overrides++
			}
		case ical.CompTimezone:
			zones++
		}
	}
	if got := len(cal.Events()); got != st.Events {
		t.Errorf("almanac: %d VEVENTs, generator wrote %d", got, st.Events)
	}
	if series != st.Series || overrides != st.Overrides || zones != st.Timezones {
		t.Errorf("almanac: %d series, %d overrides, %d VTIMEZONEs; want %d, %d, %d",
			series, overrides, zones, st.Series, st.Overrides, st.Timezones)
	}

	ecal, err := emersion.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ecal.Events()); got != st.Events {
		t.Errorf("go-ical: %d VEVENTs, generator wrote %d", got, st.Events)
	}

	acal, err := arran.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(acal.Events()); got != st.Events {
		t.Errorf("golang-ical: %d VEVENTs, generator wrote %d", got, st.Events)
	}

	// A sample of values must agree byte for byte after unfolding.
	for i, ev := range cal.Events() {
		if i%997 != 0 {
			continue
		}
		e := ecal.Events()[i]
		for _, name := range []string{"UID", "DESCRIPTION", "SUMMARY", "RRULE", "DTSTART"} {
			var want string
			if p := e.Props.Get(name); p != nil {
				want = p.Value
			}
			if got := ev.Value(name); got != want {
				t.Errorf("event %d %s: almanac %q, go-ical %q", i, name, got, want)
			}
		}
		if got, want := len(ev.PropsNamed("ATTENDEE")), len(e.Props.Values("ATTENDEE")); got != want {
			t.Errorf("event %d: almanac %d attendees, go-ical %d", i, got, want)
		}
	}
}
