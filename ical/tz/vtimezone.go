// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// Bounds on the evaluation of a VTIMEZONE, so that no definition can make
// it loop or allocate without bound.
const (
	// MaxTransitions is the most transitions a VTIMEZONE is expanded to,
	// RDATEs and RRULE onsets together. Real definitions have a few hundred
	// at most (Yahoo lists the whole IANA history as RDATEs).
	MaxTransitions = 20000
	// MaxYear is the last year for which RRULE onsets are computed. Past
	// it, the offset in effect at the end of MaxYear is used.
	MaxYear = 2400
)

// firstHorizon is the year up to which onsets are computed at first use;
// the table grows in steps of horizonStep years as later times are asked
// for.
const (
	firstHorizon = 2050
	horizonStep  = 50
)

// observance is a STANDARD or DAYLIGHT sub-component (RFC 5545 §3.6.5).
type observance struct {
	dst      bool
	from, to int32
	name     string
	start    time.Time // DTSTART, a wall time in the TZOFFSETFROM offset
	startUTC bool      // DTSTART was written in UTC (against the RFC)
	rule     *recur.Rule
	rdates   []onset
	order    int // position in the VTIMEZONE, for deterministic ties
}

// onset is an RDATE: a wall time in TZOFFSETFROM, or an instant when it was
// written in UTC.
type onset struct {
	sec int64
	utc bool
}

// VTimezone is a time zone defined by a VTIMEZONE component (RFC 5545
// §3.6.5). It implements [ical.Zone] with the local-time rules of §3.3.5.
// Onsets of its observances are expanded lazily, up to the years asked
// for, and cached; a VTimezone is safe for concurrent use.
type VTimezone struct {
	tzid     string
	location string
	obs      []observance

	mu  sync.Mutex
	tab atomic.Pointer[table]
}

var _ ical.Zone = (*VTimezone)(nil)

// ParseVTimezone reads a VTIMEZONE component. It requires a TZID and at
// least one STANDARD or DAYLIGHT observance, each with DTSTART and
// TZOFFSETTO (RFC 5545 §3.6.5). It accepts what producers write in
// practice: a missing TZOFFSETFROM (taken equal to TZOFFSETTO),
// TZOFFSETFROM:-0000, "+01:00" style offsets, DTSTART in UTC, RDATE
// periods, and observances with only RDATEs. The RRULEs are parsed
// leniently (recur.ParseLenient).
func ParseVTimezone(c *ical.Component) (*VTimezone, error) {
	if c == nil || c.Name != ical.CompTimezone {
		return nil, errors.New("tz: not a VTIMEZONE component")
	}
	p := c.Prop(ical.PropTZID)
	if p == nil {
		// RFC 5545 §3.6.5: "tzid" is REQUIRED.
		return nil, errors.New("tz: VTIMEZONE without TZID")
	}
	tzid, _ := p.Text()
	v := &VTimezone{tzid: tzid}
	if p := c.Prop("X-LIC-LOCATION"); p != nil {
		v.location, _ = p.Text()
		v.location = strings.TrimSpace(v.location)
	}
	nRDates := 0
	for _, ch := range c.Children {
		if ch.Name != ical.CompStandard && ch.Name != ical.CompDaylight {
			continue
		}
		o, err := parseObservance(ch)
		if err != nil {
			return nil, fmt.Errorf("tz: VTIMEZONE %q: %s: %w", tzid, ch.Name, err)
		}
		nRDates += len(o.rdates)
		if nRDates > MaxTransitions {
			return nil, fmt.Errorf("tz: VTIMEZONE %q: more than %d RDATE onsets", tzid, MaxTransitions)
		}
		o.order = len(v.obs)
		v.obs = append(v.obs, o)
	}
	if len(v.obs) == 0 {
		// RFC 5545 §3.6.5: at least one STANDARD or DAYLIGHT is required.
		return nil, fmt.Errorf("tz: VTIMEZONE %q has no STANDARD or DAYLIGHT", tzid)
	}
	return v, nil
}

func parseObservance(c *ical.Component) (observance, error) {
	o := observance{dst: c.Name == ical.CompDaylight}
	to := c.Prop(ical.PropTZOffsetTo)
	if to == nil {
		return o, errors.New("missing TZOFFSETTO")
	}
	off, err := parseOffset(to.Value)
	if err != nil {
		return o, fmt.Errorf("TZOFFSETTO: %w", err)
	}
	o.to = off
	o.from = off
	if from := c.Prop(ical.PropTZOffsetFrom); from != nil {
		if o.from, err = parseOffset(from.Value); err != nil {
			return o, fmt.Errorf("TZOFFSETFROM: %w", err)
		}
	}
	if n := c.Prop(ical.PropTZName); n != nil {
		o.name, _ = n.Text()
	}
	ds := c.Prop(ical.PropDTStart)
	if ds == nil {
		return o, errors.New("missing DTSTART")
	}
	dt, err := ds.DateTime()
	if err != nil {
		return o, err
	}
	o.start, o.startUTC = dt.Wall, dt.Kind == ical.KindUTC
	if r := c.Prop(ical.PropRRule); r != nil {
		if o.rule, _, err = recur.ParseLenient(r.Value); err != nil {
			return o, err
		}
	}
	for _, rp := range c.PropsNamed(ical.PropRDate) {
		var dts []ical.DateTime
		if rp.ValueType() == ical.TypePeriod {
			ps, err := rp.Periods()
			if err != nil {
				return o, err
			}
			for _, p := range ps {
				dts = append(dts, p.Start)
			}
		} else if dts, err = rp.DateTimes(); err != nil {
			return o, err
		}
		for _, d := range dts {
			o.rdates = append(o.rdates, onset{sec: d.Wall.Unix(), utc: d.Kind == ical.KindUTC})
		}
		if len(o.rdates) > MaxTransitions {
			return o, fmt.Errorf("more than %d RDATE onsets", MaxTransitions)
		}
	}
	return o, nil
}

// parseOffset parses a UTC-OFFSET (RFC 5545 §3.3.14), also accepting
// "+01:00", "+1:00" and "+01" as written by some producers.
func parseOffset(s string) (int32, error) {
	s = strings.TrimSpace(s)
	if o, err := ical.ParseUTCOffset(s); err == nil {
		return int32(o), nil
	}
	t := strings.ReplaceAll(s, ":", "")
	if len(t) == 4 && strings.Contains(s, ":") { // "+1:00"
		t = t[:1] + "0" + t[1:]
	}
	if len(t) == 3 { // "+01"
		t += "00"
	}
	o, err := ical.ParseUTCOffset(t)
	if err != nil {
		return 0, fmt.Errorf("invalid UTC offset %q", s)
	}
	return int32(o), nil
}

// TZID returns the value of the TZID property.
func (v *VTimezone) TZID() string { return v.tzid }

// LicLocation returns the X-LIC-LOCATION property (the IANA name libical
// and its descendants record), or "".
func (v *VTimezone) LicLocation() string { return v.location }

// String returns the TZID.
func (v *VTimezone) String() string { return v.tzid }

// Resolve returns the instant, in time.UTC, at which the wall-clock time
// wall (its date and clock fields) occurs in the zone. RFC 5545 §3.3.5: a
// wall time in a gap moves forward by the length of the gap, and an
// ambiguous wall time takes its first occurrence.
func (v *VTimezone) Resolve(wall time.Time) time.Time {
	w := wallSec(wall)
	tb := v.tab.Load()
	if tb == nil || w >= tb.untilWall {
		tb = v.extend(w + 26*3600)
	}
	return instantOf(wall, tb.resolveOff(w))
}

// Wall returns the wall-clock time of t in the zone, in time.UTC.
func (v *VTimezone) Wall(t time.Time) time.Time {
	return wallOf(t, v.period(t.Unix()).off)
}

// Offset returns the UTC offset in seconds east, the daylight saving flag
// and the TZNAME of the zone at instant t.
func (v *VTimezone) Offset(t time.Time) (offset int, dst bool, name string) {
	p := v.period(t.Unix())
	return int(p.off), p.dst, p.name
}

func (v *VTimezone) period(sec int64) period {
	tb := v.tab.Load()
	if tb == nil || sec >= tb.until {
		tb = v.extend(sec)
	}
	return *tb.periodAt(sec)
}

// Transitions returns the zone's transitions with from <= At < to. Only
// changes of offset, DST flag or name are transitions.
func (v *VTimezone) Transitions(from, to time.Time) []Transition {
	f, t := from.Unix(), to.Unix()
	tb := v.tab.Load()
	if tb == nil || t > tb.until {
		tb = v.extend(t)
	}
	return tb.transitions(f, t)
}

// extend makes sure the table covers instant sec and returns it.
func (v *VTimezone) extend(sec int64) *table {
	v.mu.Lock()
	defer v.mu.Unlock()
	if tb := v.tab.Load(); tb != nil && sec < tb.until {
		return tb
	}
	year := time.Unix(sec, 0).UTC().Year() + 1
	h := firstHorizon
	for h < year && h < MaxYear {
		h += horizonStep
	}
	h = min(h, MaxYear)
	tb := v.build(h)
	v.tab.Store(tb)
	return tb
}

// candidate is one onset of an observance during expansion.
type candidate struct {
	at      int64
	obs     *observance
	isStart bool // the DTSTART of an observance whose RRULE it does not match
}

// build expands the observances up to the start of year horizon.
func (v *VTimezone) build(horizon int) *table {
	end := time.Date(horizon, 1, 1, 0, 0, 0, 0, time.UTC)
	var cs []candidate
	budget := MaxTransitions
	for i := range v.obs {
		o := &v.obs[i]
		add := func(sec int64, utc, isStart bool) {
			if !utc {
				// Onsets are local times in the offset before the change
				// (RFC 5545 §3.6.5, TZOFFSETFROM).
				sec -= int64(o.from)
			}
			cs = append(cs, candidate{at: sec, obs: o, isStart: isStart})
			budget--
		}
		start := o.start.Unix()
		if o.rule == nil {
			add(start, o.startUTC, false)
		} else {
			startMatches := false
			dt := ical.DateTime{Wall: o.start, Kind: ical.KindZoned, TZID: v.tzid}
			if o.startUTC {
				dt.Kind, dt.TZID = ical.KindUTC, ""
			}
			it, err := o.rule.Iterator(dt, recur.IterOptions{
				// UNTIL is in UTC (RFC 5545 §3.6.5); compare it with the
				// onsets as instants, in the TZOFFSETFROM offset.
				Zone:   fixedOffset(o.from),
				Before: end,
				Limits: recur.Limits{MaxInstances: max(budget, 1), MaxIterations: 4 * MaxTransitions * 50},
			})
			if err == nil {
				n := len(cs)
				for w, ok := it.Next(); ok && budget > 0; w, ok = it.Next() {
					s := w.Unix()
					if s == start {
						startMatches = true
					}
					add(s, o.startUTC, false)
				}
				// DTSTART counts as the first occurrence for COUNT
				// (RFC 5545 §3.8.5.3); the iterator did not count it.
				if !startMatches && o.rule.Count > 0 && len(cs) > n && len(cs)-n >= o.rule.Count {
					cs = cs[:len(cs)-1]
					budget++
				}
			}
			// RFC 5545 §3.8.5.3: DTSTART is always the first onset, even
			// when it does not match the rule (Outlook writes 1601-01-01).
			if !startMatches && budget > 0 {
				add(start, o.startUTC, true)
			}
		}
		for _, r := range o.rdates {
			if budget <= 0 {
				break
			}
			add(r.sec, r.utc, false)
		}
		if budget <= 0 {
			break
		}
	}
	slices.SortStableFunc(cs, func(a, b candidate) int {
		switch {
		case a.at != b.at:
			if a.at < b.at {
				return -1
			}
			return 1
		case a.isStart != b.isStart:
			// An onset of the rule proper wins over a stray DTSTART.
			if b.isStart {
				return -1
			}
			return 1
		case a.obs.dst != b.obs.dst:
			// Otherwise STANDARD wins (Exchange writes STANDARD and
			// DAYLIGHT with the same DTSTART).
			if !a.obs.dst {
				return -1
			}
			return 1
		}
		return a.obs.order - b.obs.order
	})
	var first period
	if len(cs) > 0 {
		first = period{off: cs[0].obs.from}
	} else {
		first = period{off: v.obs[0].to, dst: v.obs[0].dst, name: v.obs[0].name}
	}
	ts := make([]trans, 0, len(cs))
	prev := first
	var lastAt int64 = minSec
	for _, c := range cs {
		if c.at == lastAt {
			continue // the tie was decided by the sort
		}
		lastAt = c.at
		p := period{off: c.obs.to, dst: c.obs.dst, name: c.obs.name}
		if p == prev {
			continue
		}
		ts = append(ts, trans{at: c.at, p: p})
		prev = p
	}
	until := end.Unix()
	if horizon >= MaxYear {
		until = maxSec
	}
	return newTable(first, ts, until)
}

// fixedOffset is an ical.Zone with a constant offset.
type fixedOffset int32

func (f fixedOffset) Resolve(wall time.Time) time.Time { return instantOf(wall, int32(f)) }
func (f fixedOffset) Wall(t time.Time) time.Time       { return wallOf(t, int32(f)) }
