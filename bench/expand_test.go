// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package bench

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the same zone data for rrule-go on every host

	"github.com/teambition/rrule-go"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// The expansion window: March 2026 in UTC. It holds the start of daylight
// saving time in New York (Mar 8) and Berlin (Mar 29).
var (
	windowFrom = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	windowTo   = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
)

// expandEvents is how many recurring events the expansion benchmarks use.
const expandEvents = 10000

// An expandCase is one recurring event, with what rrule-go needs to expand
// it: the same DTSTART, DTEND or DURATION, RRULE and EXDATE strings.
type expandCase struct {
	master    *ical.Component
	overrides []*ical.Component

	tzid    string
	loc     *time.Location
	dtstart string // wall-clock value of DTSTART
	dtend   string // wall-clock value of DTEND, or ""
	dur     time.Duration
	rrule   string
	exdates []string // EXDATE property values (comma lists), same TZID

	set *rrule.Set // prebuilt for rrule-go-prebuilt
}

type expandSetup struct {
	cases   []expandCase
	zones   ical.Zones     // the calendar's VTIMEZONEs
	iana    ical.Zones     // IANA zones of the same names
	skipped map[string]int // why events were left out of the comparison
}

var (
	expandOnce sync.Once
	expandData *expandSetup
	expandErr  error
)

// expandInput decodes the benchmark file and picks the first 10,000
// recurring events that rrule-go can expand too: a DATE-TIME DTSTART with
// a TZID, exactly one RRULE, no RDATE, EXDATEs in the DTSTART's zone.
func expandInput(tb testing.TB) *expandSetup {
	tb.Helper()
	data, _ := bigFile(tb)
	expandOnce.Do(func() {
		expandData, expandErr = buildExpandSetup(data)
	})
	if expandErr != nil {
		tb.Fatal(expandErr)
	}
	return expandData
}

func buildExpandSetup(data []byte) (*expandSetup, error) {
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return nil, err
	}
	s := &expandSetup{zones: almanacZones(cal, false), iana: almanacZones(cal, true), skipped: map[string]int{}}
	overrides := map[string][]*ical.Component{}
	for _, ev := range cal.Events() {
		if ev.Prop(ical.PropRecurrenceID) != nil {
			uid := ev.Value(ical.PropUID)
			overrides[uid] = append(overrides[uid], ev)
		}
	}
	locs := map[string]*time.Location{}
	for _, ev := range cal.Events() {
		if len(s.cases) == expandEvents {
			break
		}
		if ev.Prop(ical.PropRecurrenceID) != nil {
			continue
		}
		c, why := rruleCase(ev, locs)
		if why != "" {
			s.skipped[why]++
			continue
		}
		c.overrides = overrides[ev.Value(ical.PropUID)]
		set, err := c.rruleGoSet()
		if err != nil {
			s.skipped["rrule-go: "+err.Error()]++
			continue
		}
		c.set = set
		s.cases = append(s.cases, c)
	}
	if len(s.cases) < expandEvents {
		return nil, fmt.Errorf("only %d events usable for the expansion benchmark (skipped: %v)", len(s.cases), s.skipped)
	}
	return s, nil
}

// rruleCase extracts the strings rrule-go needs, or says why the event is
// left out of the comparison.
func rruleCase(ev *ical.Component, locs map[string]*time.Location) (expandCase, string) {
	c := expandCase{master: ev}
	rr := ev.PropsNamed(ical.PropRRule)
	if len(rr) != 1 {
		return c, fmt.Sprintf("%d RRULEs", len(rr))
	}
	if ev.Prop(ical.PropRDate) != nil || ev.Prop("EXRULE") != nil {
		return c, "RDATE or EXRULE"
	}
	c.rrule = rr[0].Value
	ds := ev.Prop(ical.PropDTStart)
	if ds == nil || ds.Params.Get(ical.ParamTZID) == "" || ds.Params.Get("VALUE") != "" {
		return c, "DTSTART not a zoned DATE-TIME"
	}
	c.tzid, c.dtstart = ds.Params.Get(ical.ParamTZID), ds.Value
	loc, ok := locs[c.tzid]
	if !ok {
		var err error
		if loc, err = time.LoadLocation(c.tzid); err != nil {
			return c, "TZID unknown to Go"
		}
		locs[c.tzid] = loc
	}
	c.loc = loc
	if de := ev.Prop(ical.PropDTEnd); de != nil {
		if de.Params.Get(ical.ParamTZID) != c.tzid {
			return c, "DTEND in another zone"
		}
		c.dtend = de.Value
	} else if du := ev.Prop(ical.PropDuration); du != nil {
		d, err := du.Duration()
		if err != nil || d.NominalDays() != 0 {
			return c, "DURATION with days"
		}
		c.dur = d.Exact()
	}
	for _, ex := range ev.PropsNamed(ical.PropExDate) {
		if ex.Params.Get(ical.ParamTZID) != c.tzid || ex.Params.Get("VALUE") != "" {
			return c, "EXDATE in another zone or of another type"
		}
		c.exdates = append(c.exdates, ex.Value)
	}
	return c, ""
}

const wallLayout = "20060102T150405"

// rruleGoSet builds the rrule-go set from the event's strings, the way a
// program using rrule-go would: DTSTART and EXDATE parsed in the zone of
// the TZID (the *time.Location is cached, which favours rrule-go), the
// RRULE with rrule.StrToROptionInLocation. It also sets c.dur from DTEND.
func (c *expandCase) rruleGoSet() (*rrule.Set, error) {
	start, err := time.ParseInLocation(wallLayout, c.dtstart, c.loc)
	if err != nil {
		return nil, err
	}
	if c.dtend != "" {
		end, err := time.ParseInLocation(wallLayout, c.dtend, c.loc)
		if err != nil {
			return nil, err
		}
		c.dur = end.Sub(start)
	}
	opt, err := rrule.StrToROptionInLocation(c.rrule, c.loc)
	if err != nil {
		return nil, err
	}
	opt.Dtstart = start
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, err
	}
	set := &rrule.Set{}
	set.RRule(r)
	for _, list := range c.exdates {
		for v := range strings.SplitSeq(list, ",") {
			t, err := time.ParseInLocation(wallLayout, v, c.loc)
			if err != nil {
				return nil, err
			}
			set.ExDate(t)
		}
	}
	return set, nil
}

// rruleGoWindow returns rrule-go's instances that overlap the window the
// way recur.Expand (and CalDAV, RFC 4791 §9.9) counts them: start < To and
// start + duration > From. Between with inc=false on (From-dur, To) is
// exactly that for a positive duration.
func rruleGoWindow(set *rrule.Set, dur time.Duration) []time.Time {
	if dur <= 0 {
		// Zero duration: From <= start < To.
		return set.Between(windowFrom.Add(-time.Nanosecond), windowTo, false)
	}
	return set.Between(windowFrom.Add(-dur), windowTo, false)
}

func almanacOptions(zones ical.Zones) recur.Options {
	return recur.Options{From: windowFrom, To: windowTo, Zones: zones}
}

// BenchmarkExpand expands 10,000 recurring events over March 2026:
//
//   - almanac: recur.Expand on the decoded component, without overrides
//     (DTSTART, DTEND/DURATION, RRULE and EXDATE are parsed on every call);
//   - almanac+overrides: the same with each series' RECURRENCE-ID overrides;
//   - almanac-iana: like almanac, with the IANA zones of the same names
//     instead of the calendar's VTIMEZONEs;
//   - rrule-go: build the rrule.Set from the same property values on every
//     iteration (StrToROptionInLocation, time.ParseInLocation with a cached
//     *time.Location), then Between;
//   - rrule-go-prebuilt: Between only, on sets built before the timer: a
//     lower bound for rrule-go.
//
// instances/op is the number of instances found, which must be the same
// for almanac and both rrule-go variants (TestExpandAgree checks each
// event).
func BenchmarkExpand(b *testing.B) {
	s := expandInput(b)
	opts := almanacOptions(s.zones)
	run := func(b *testing.B, expand func(c *expandCase) (int, error)) {
		b.ReportAllocs()
		n := 0
		cpu := startCPU()
		for b.Loop() {
			n = 0
			for i := range s.cases {
				k, err := expand(&s.cases[i])
				if err != nil {
					b.Fatal(err)
				}
				n += k
			}
		}
		cpu.report(b)
		b.ReportMetric(float64(n), "instances/op")
		b.ReportMetric(float64(len(s.cases)), "events/op")
	}
	b.Run("almanac", func(b *testing.B) {
		run(b, func(c *expandCase) (int, error) {
			ins, err := recur.Expand(c.master, nil, opts)
			return len(ins), err
		})
	})
	b.Run("almanac+overrides", func(b *testing.B) {
		run(b, func(c *expandCase) (int, error) {
			ins, err := recur.Expand(c.master, c.overrides, opts)
			return len(ins), err
		})
	})
	b.Run("almanac-iana", func(b *testing.B) {
		opts := almanacOptions(s.iana)
		run(b, func(c *expandCase) (int, error) {
			ins, err := recur.Expand(c.master, nil, opts)
			return len(ins), err
		})
	})
	b.Run("rrule-go", func(b *testing.B) {
		run(b, func(c *expandCase) (int, error) {
			set, err := c.rruleGoSet()
			if err != nil {
				return 0, err
			}
			return len(rruleGoWindow(set, c.dur)), nil
		})
	})
	b.Run("rrule-go-prebuilt", func(b *testing.B) {
		run(b, func(c *expandCase) (int, error) {
			return len(rruleGoWindow(c.set, c.dur)), nil
		})
	})
}

// TestExpandAgree checks, event by event, that recur.Expand and rrule-go
// find the same instants in the window, so that BenchmarkExpand compares
// the same work.
func TestExpandAgree(t *testing.T) {
	s := expandInput(t)
	t.Logf("%d events; left out of the comparison: %v", len(s.cases), s.skipped)
	t.Run("vtimezone", func(t *testing.T) { expandAgree(t, s, s.zones) })
	t.Run("iana", func(t *testing.T) { expandAgree(t, s, s.iana) })
}

func expandAgree(t *testing.T, s *expandSetup, zones ical.Zones) {
	opts := almanacOptions(zones)
	total, bad := 0, 0
	for i := range s.cases {
		c := &s.cases[i]
		ins, err := recur.Expand(c.master, nil, opts)
		if err != nil {
			t.Errorf("%s: %v", c.master.Value(ical.PropUID), err)
			bad++
			continue
		}
		want := rruleGoWindow(c.set, c.dur)
		total += len(want)
		got := make([]time.Time, len(ins))
		for k, in := range ins {
			got[k] = in.StartTime
		}
		if !sameInstants(got, want) {
			bad++
			if bad <= 10 {
				t.Errorf("%s DTSTART;TZID=%s:%s RRULE:%s EXDATE:%v:\n almanac  %v\n rrule-go %v",
					c.master.Value(ical.PropUID), c.tzid, c.dtstart, c.rrule, c.exdates, utc(got), utc(want))
			}
		}
	}
	t.Logf("%d instances; %d of %d events differ", total, bad, len(s.cases))
}

func sameInstants(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func utc(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.UTC().Format("2006-01-02T15:04Z")
	}
	return out
}
