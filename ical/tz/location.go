// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"fmt"
	"sync"
	"time"

	// The IANA database compiled into the binary, so zones resolve the same
	// way on hosts without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/almanac-project/almanac/ical"
)

// Location is an IANA time zone with RFC 5545 local-time resolution. It
// implements [ical.Zone]. Transitions are read once from the Go location and
// cached, so Resolve and Wall do not allocate. A Location is safe for
// concurrent use.
type Location struct {
	name string
	loc  *time.Location

	once sync.Once
	tab  *table
}

var _ ical.Zone = (*Location)(nil)

// tableStart and tableEnd bound the instants whose transitions a Location
// caches; outside them it asks the Go location directly.
var (
	tableStart = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	tableEnd   = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

var ianaCache sync.Map // name -> *Location

// IANA returns the zone of the IANA time zone database with exactly the
// given name, such as "America/New_York". Zones are loaded with
// [time.LoadLocation], which reads the host's database when it has one and
// Go's embedded copy (time/tzdata) otherwise. Locations are cached: calling
// IANA twice with the same name returns the same *Location. Use [Lookup]
// for TZID values that may need repair.
func IANA(name string) (*Location, error) {
	if v, ok := ianaCache.Load(name); ok {
		return v.(*Location), nil
	}
	// time.LoadLocation accepts "" and "Local", which are not zone names.
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("tz: unknown IANA time zone %q", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("tz: unknown IANA time zone %q", name)
	}
	v, _ := ianaCache.LoadOrStore(name, &Location{name: name, loc: loc})
	return v.(*Location), nil
}

// FromLocation returns a Location for a Go location. Its name is
// loc.String().
func FromLocation(loc *time.Location) *Location {
	return &Location{name: loc.String(), loc: loc}
}

// Name returns the zone's name, such as "Europe/Berlin".
func (l *Location) Name() string { return l.name }

// String returns the zone's name.
func (l *Location) String() string { return l.name }

// Location returns the Go location of the zone.
func (l *Location) Location() *time.Location { return l.loc }

func (l *Location) table() *table {
	l.once.Do(func() { l.tab = goTable(l.loc, tableStart, tableEnd) })
	return l.tab
}

// Resolve returns the instant, in time.UTC, at which the wall-clock time
// wall (its date and clock fields, whatever its location) occurs in the
// zone. RFC 5545 §3.3.5: a wall time that does not exist because of a
// forward shift is moved forward by the length of the shift (02:30 on the
// spring-forward day in New York is 03:30 EDT), and a wall time that occurs
// twice takes its first occurrence (the offset before the transition).
func (l *Location) Resolve(wall time.Time) time.Time {
	w := wallSec(wall)
	tb := l.table()
	var off int32
	if w < tb.untilWall && w > tableStart+26*3600 {
		off = tb.resolveOff(w)
	} else {
		off = slowResolve(l.loc, w)
	}
	return instantOf(wall, off)
}

// Wall returns the wall-clock time of t in the zone, as a time.Time in
// time.UTC carrying the local date and clock fields.
func (l *Location) Wall(t time.Time) time.Time {
	return wallOf(t, l.offset(t.Unix()).off)
}

// Offset returns the UTC offset in seconds east, the daylight saving flag
// and the abbreviation of the zone at instant t.
func (l *Location) Offset(t time.Time) (offset int, dst bool, name string) {
	p := l.offset(t.Unix())
	return int(p.off), p.dst, p.name
}

func (l *Location) offset(sec int64) period {
	tb := l.table()
	if sec < tb.until && sec >= tableStart {
		return *tb.periodAt(sec)
	}
	t := time.Unix(sec, 0).In(l.loc)
	name, off := t.Zone()
	return period{off: int32(off), dst: t.IsDST(), name: name}
}

// Transitions returns the zone's transitions with from <= At < to.
func (l *Location) Transitions(from, to time.Time) []Transition {
	f, t := from.Unix(), to.Unix()
	if f >= tableStart && t <= tableEnd {
		return l.table().transitions(f, t)
	}
	tb := goTable(l.loc, f, t)
	return tb.transitions(f, t)
}

// goTable reads the transitions of loc with start <= at < end.
func goTable(loc *time.Location, start, end int64) *table {
	var ts []trans
	first := walkGo(loc, start, end, func(at int64, p period) bool {
		ts = append(ts, trans{at: at, p: p})
		return true
	})
	return newTable(first, ts, end)
}

// walkGo calls fn for each change of period of loc with start < at < end,
// in order, until fn returns false. It returns the period at start.
//
// time.Time.ZoneBounds is the only way to read the transitions of a Go
// location. In the years computed from the zone's POSIX TZ rule it reports
// year boundaries as bounds (filtered out here, as the period is the same),
// and in leap years Go 1.26 reports a year end one day early at which the
// bounds stop advancing; walkGo then steps forward a day and keeps reading.
func walkGo(loc *time.Location, start, end int64, fn func(at int64, p period) bool) period {
	t := time.Unix(start, 0).In(loc)
	name, off := t.Zone()
	first := period{off: int32(off), dst: t.IsDST(), name: name}
	prev := first
	last := start
	cur := start
	for {
		_, e := time.Unix(cur, 0).In(loc).ZoneBounds()
		if e.IsZero() {
			return first
		}
		next := e.Unix()
		if next <= cur {
			// Stuck on a bad bound: step a day; ZoneBounds' start then
			// tells us of any transition we stepped over.
			next = cur + 86400
		}
		if next >= end {
			return first
		}
		x := time.Unix(next, 0).In(loc)
		name, off := x.Zone()
		p := period{off: int32(off), dst: x.IsDST(), name: name}
		if p != prev {
			at := next
			if s, _ := x.ZoneBounds(); !s.IsZero() && s.Unix() > last && s.Unix() < at {
				at = s.Unix()
			}
			if !fn(at, p) {
				return first
			}
			prev = p
			last = at
		}
		cur = next
	}
}

// slowResolve resolves wall seconds w in loc without a cached table, by
// reading the transitions within two days of w.
func slowResolve(loc *time.Location, w int64) int32 {
	const window = 2 * 86400
	_, o := time.Unix(w-window, 0).In(loc).Zone()
	prev, res := int32(o), int32(o)
	walkGo(loc, w-window, w+window, func(at int64, p period) bool {
		if at+int64(max(prev, p.off)) <= w {
			res = p.off
		}
		prev = p.off
		return true
	})
	return res
}
