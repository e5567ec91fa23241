// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// GenerateOptions configure Generate. The zero value writes the zone's own
// name as TZID and uses RRULEs where the transitions follow a rule.
type GenerateOptions struct {
	// TZID is the TZID property to write. "" means the zone's name.
	TZID string
	// RDatesOnly writes every onset as an RDATE, with no RRULE.
	RDatesOnly bool
}

// lookahead is how far past the range Generate reads transitions, to see
// whether a yearly rule goes on after it.
const lookahead = 400 * 24 * time.Hour

// Generate writes a VTIMEZONE component (RFC 5545 §3.6.5) for zone z
// truncated to the instants [from, to): it describes the offset in effect
// at from (with the transition that started it) and every transition
// before to. Transitions that follow a yearly rule over at least three
// years (or two, when the rule continues past to) become an observance
// with an RRULE such as FREQ=YEARLY;BYMONTH=3;BYDAY=2SU, ended with a UTC
// UNTIL when the rule stops within the range; the others become RDATEs.
// The DTSTART of each observance is the local time of its first onset in
// the offset before it (TZOFFSETFROM). A zone without transitions gets a
// single STANDARD. Generated definitions evaluate, through [VTimezone],
// to the same offsets as z over the range.
func Generate(z Zone, from, to time.Time, opts GenerateOptions) (*ical.Component, error) {
	if !from.Before(to) {
		return nil, errors.New("tz: generate: empty time range")
	}
	tzid := opts.TZID
	if tzid == "" {
		tzid = z.String()
	}
	vtz := ical.NewComponent(ical.CompTimezone)
	vtz.Add(ical.NewProperty(ical.PropTZID, ical.EscapeText(tzid)))
	if l, ok := z.(*Location); ok && IsIANA(l.Name()) {
		vtz.Add(ical.NewProperty("X-LIC-LOCATION", ical.EscapeText(l.Name())))
	}

	ts := z.Transitions(from, to.Add(lookahead))
	if prev, ok := previousTransition(z, from); ok {
		ts = append([]Transition{prev}, ts...)
	}
	if len(ts) == 0 || !ts[0].At.Before(to) {
		// No transition ever, or none before the end: one observance.
		off, dst, name := z.Offset(from)
		c := ical.NewComponent(ical.CompStandard)
		if dst {
			c.Name = ical.CompDaylight
		}
		c.Add(ical.NewProperty(ical.PropDTStart, "19700101T000000"))
		c.Add(ical.NewProperty(ical.PropTZOffsetFrom, ical.UTCOffset(off).String()))
		c.Add(ical.NewProperty(ical.PropTZOffsetTo, ical.UTCOffset(off).String()))
		if name != "" {
			c.Add(ical.NewProperty(ical.PropTZName, ical.EscapeText(name)))
		}
		vtz.Children = append(vtz.Children, c)
		return vtz, nil
	}

	type groupKey struct {
		daylight bool
		from, to int
		name     string
	}
	var keys []groupKey
	groups := map[groupKey][]onsetInfo{}
	prevDST := false
	for i, tr := range ts {
		if i > 0 {
			prevDST = ts[i-1].DST
		}
		// RFC 5545 leaves the meaning of DAYLIGHT to the producer; IANA's
		// negative DST (Europe/Dublin's winter) is written the way clients
		// expect: the observance with the larger offset is DAYLIGHT.
		daylight := tr.DST && tr.OffsetTo >= tr.OffsetFrom || !tr.DST && prevDST && tr.OffsetTo > tr.OffsetFrom
		k := groupKey{daylight, tr.OffsetFrom, tr.OffsetTo, tr.Name}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], newOnsetInfo(tr))
	}

	type obsOut struct {
		start int64
		c     *ical.Component
	}
	var out []obsOut
	end := to.Unix()
	for _, k := range keys {
		var runs [][]onsetInfo
		if opts.RDatesOnly {
			for _, o := range groups[k] {
				runs = append(runs, []onsetInfo{o})
			}
		} else {
			runs = yearlyRuns(groups[k])
		}
		var rdates []onsetInfo
		for _, run := range runs {
			if run[0].at >= end {
				continue
			}
			open := run[len(run)-1].at >= end
			if len(run) >= 3 || open && len(run) >= 2 {
				c := newObservance(k.daylight, k.from, k.to, k.name, run[0])
				r := run[0].rule(run)
				if !open {
					r.Until = ical.NewUTC(time.Unix(run[len(run)-1].at, 0))
				}
				c.Add(ical.NewProperty(ical.PropRRule, r.String()))
				out = append(out, obsOut{run[0].at, c})
				continue
			}
			for _, o := range run {
				if o.at < end {
					rdates = append(rdates, o)
				}
			}
		}
		if len(rdates) > 0 {
			c := newObservance(k.daylight, k.from, k.to, k.name, rdates[0])
			if len(rdates) > 1 {
				var b strings.Builder
				for i, o := range rdates[1:] {
					if i > 0 {
						b.WriteByte(',')
					}
					b.WriteString(ical.NewLocal(o.wall, "").String())
				}
				c.Add(ical.NewProperty(ical.PropRDate, b.String()))
			}
			out = append(out, obsOut{rdates[0].at, c})
		}
	}
	slices.SortStableFunc(out, func(a, b obsOut) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	})
	for _, o := range out {
		vtz.Children = append(vtz.Children, o.c)
	}
	return vtz, nil
}

// previousTransition returns the last transition of z at or before t.
func previousTransition(z Zone, t time.Time) (Transition, bool) {
	end := t.Add(time.Second)
	for _, back := range []int{2, 20, 200, 600} {
		ts := z.Transitions(t.AddDate(-back, 0, 0), end)
		if len(ts) > 0 {
			return ts[len(ts)-1], true
		}
	}
	return Transition{}, false
}

// onsetInfo is a transition with its onset as a local time in the offset
// before it, and the parts a yearly rule is built from.
type onsetInfo struct {
	at    int64
	wall  time.Time
	year  int
	month time.Month
	day   int
	wd    time.Weekday
	clock int // seconds since local midnight
	last  bool
}

func newOnsetInfo(tr Transition) onsetInfo {
	w := wallOf(tr.At, int32(tr.OffsetFrom))
	return onsetInfo{
		at:    tr.At.Unix(),
		wall:  w,
		year:  w.Year(),
		month: w.Month(),
		day:   w.Day(),
		wd:    w.Weekday(),
		clock: w.Hour()*3600 + w.Minute()*60 + w.Second(),
		last:  w.Day()+7 > ical.DaysIn(w.Year(), w.Month()),
	}
}

// ruleForms is the set of yearly rules a run of onsets still fits.
type ruleForms struct {
	fixed  bool // same day of the month: BYMONTHDAY=d
	nth    bool // same n-th weekday, n in 1..4: BYDAY=nWD
	last   bool // last weekday of the month: BYDAY=-1WD
	window bool // weekday within a week from lo: BYMONTHDAY=lo..lo+6;BYDAY=WD
	lo, hi int
}

func (f ruleForms) any() bool { return f.fixed || f.nth || f.last || f.window }

// fits narrows the forms of a run starting with first to include o.
func (f ruleForms) fits(first, o onsetInfo) ruleForms {
	f.fixed = f.fixed && o.day == first.day
	sameWD := o.wd == first.wd
	f.nth = f.nth && sameWD && (o.day-1)/7 == (first.day-1)/7
	f.last = f.last && sameWD && o.last
	f.lo, f.hi = min(f.lo, o.day), max(f.hi, o.day)
	f.window = f.window && sameWD && f.hi-f.lo <= 6 && f.lo+6 <= 31
	return f
}

// yearlyRuns splits onsets, sorted by time, into maximal runs of one
// onset a year, in consecutive years, that follow one yearly rule.
func yearlyRuns(os []onsetInfo) [][]onsetInfo {
	var runs [][]onsetInfo
	var cur []onsetInfo
	var forms ruleForms
	start := func(o onsetInfo) {
		cur = []onsetInfo{o}
		forms = ruleForms{fixed: true, nth: (o.day-1)/7 < 4, last: o.last, window: true, lo: o.day, hi: o.day}
	}
	for _, o := range os {
		if len(cur) == 0 {
			start(o)
			continue
		}
		p, first := cur[len(cur)-1], cur[0]
		if o.year == p.year+1 && o.month == first.month && o.clock == first.clock {
			if f := forms.fits(first, o); f.any() {
				cur = append(cur, o)
				forms = f
				continue
			}
		}
		runs = append(runs, cur)
		start(o)
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// rule returns the yearly RRULE for a run that starts with o.
func (o onsetInfo) rule(run []onsetInfo) *recur.Rule {
	f := ruleForms{fixed: true, nth: (o.day-1)/7 < 4, last: o.last, window: true, lo: o.day, hi: o.day}
	for _, x := range run[1:] {
		f = f.fits(o, x)
	}
	r := &recur.Rule{Freq: recur.Yearly, ByMonth: []int{int(o.month)}}
	switch {
	case f.nth:
		r.ByDay = []recur.WeekdayNum{{N: (o.day-1)/7 + 1, Day: o.wd}}
	case f.last:
		r.ByDay = []recur.WeekdayNum{{N: -1, Day: o.wd}}
	case f.fixed:
		r.ByMonthDay = []int{o.day}
	default:
		r.ByDay = []recur.WeekdayNum{{Day: o.wd}}
		for d := f.lo; d <= f.lo+6; d++ {
			r.ByMonthDay = append(r.ByMonthDay, d)
		}
	}
	return r
}

// newObservance returns a STANDARD or DAYLIGHT component whose first onset
// is o.
func newObservance(daylight bool, from, to int, name string, o onsetInfo) *ical.Component {
	c := ical.NewComponent(ical.CompStandard)
	if daylight {
		c.Name = ical.CompDaylight
	}
	c.Add(ical.NewProperty(ical.PropDTStart, ical.NewLocal(o.wall, "").String()))
	c.Add(ical.NewProperty(ical.PropTZOffsetFrom, ical.UTCOffset(from).String()))
	c.Add(ical.NewProperty(ical.PropTZOffsetTo, ical.UTCOffset(to).String()))
	if name != "" {
		c.Add(ical.NewProperty(ical.PropTZName, ical.EscapeText(name)))
	}
	return c
}
