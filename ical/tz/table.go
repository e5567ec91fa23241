// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"time"

	"github.com/almanac-project/almanac/ical"
)

// period is the state of a zone between two transitions.
type period struct {
	off  int32 // seconds east of UTC
	dst  bool
	name string
}

// trans is one transition of a zone. key is the first wall-clock time
// (seconds since the Unix epoch, read as UTC) that resolves with the new
// offset: before key a wall time takes the old offset, which puts a time in
// a gap forward by the gap and an ambiguous time on its first occurrence
// (RFC 5545 §3.3.5).
type trans struct {
	at  int64 // instant, Unix seconds
	key int64 // wall seconds from which the new offset applies
	p   period
}

// table is an immutable, sorted list of transitions. It is authoritative
// for instants before until and wall times before untilWall; past them the
// owner either extends the table or answers another way.
type table struct {
	first     period // in effect before trans[0]
	trans     []trans
	until     int64
	untilWall int64
}

// Time bounds used where a table covers "all time".
const (
	minSec = -1 << 62
	maxSec = 1<<62 - 1
)

// newTable builds a table from transitions sorted by instant. It computes
// the resolution keys and keeps them non-decreasing, so that a hostile or
// inconsistent definition still yields a deterministic answer.
func newTable(first period, ts []trans, until int64) *table {
	prev := first.off
	var lastKey int64 = minSec
	for i := range ts {
		// The new offset applies to walls from the transition read in the
		// larger of the two offsets: before that, a wall time is either in
		// the gap or the first of two occurrences.
		k := ts[i].at + int64(max(prev, ts[i].p.off))
		if k < lastKey {
			k = lastKey
		}
		ts[i].key = k
		lastKey = k
		prev = ts[i].p.off
	}
	uw := int64(maxSec)
	if until < maxSec {
		// A wall time w below until+minimum offset certainly maps to an
		// instant below until; offsets are bounded by ±26 hours.
		uw = until - 26*3600
	}
	return &table{first: first, trans: ts, until: until, untilWall: uw}
}

// periodAt returns the period in effect at instant sec.
func (tb *table) periodAt(sec int64) *period {
	// Find the first transition after sec.
	lo, hi := 0, len(tb.trans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if tb.trans[m].at <= sec {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return &tb.first
	}
	return &tb.trans[lo-1].p
}

// resolveOff returns the offset to subtract from wall seconds w to get the
// instant, following RFC 5545 §3.3.5.
func (tb *table) resolveOff(w int64) int32 {
	lo, hi := 0, len(tb.trans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if tb.trans[m].key <= w {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return tb.first.off
	}
	return tb.trans[lo-1].p.off
}

// wallOf returns the wall-clock time of t for offset off, in time.UTC,
// without a monotonic clock reading.
func wallOf(t time.Time, off int32) time.Time {
	return time.Unix(t.Unix()+int64(off), int64(t.Nanosecond())).UTC()
}

// instantOf returns the instant of wall time w for offset off, in time.UTC.
func instantOf(w time.Time, off int32) time.Time {
	return time.Unix(wallSec(w)-int64(off), int64(w.Nanosecond())).UTC()
}

// wallSec returns the date and clock fields of w as seconds since the Unix
// epoch read as UTC, whatever w's location.
func wallSec(w time.Time) int64 {
	if w.Location() == time.UTC {
		return w.Unix()
	}
	_, off := w.Zone()
	return w.Unix() + int64(off)
}

// Transition is a change of UTC offset, DST flag or abbreviation of a zone.
type Transition struct {
	// At is the instant of the change, in time.UTC.
	At time.Time
	// OffsetFrom and OffsetTo are the UTC offsets in seconds east before and
	// after the change (TZOFFSETFROM and TZOFFSETTO, RFC 5545 §3.8.3.3-4).
	OffsetFrom, OffsetTo int
	// DST reports whether the period that starts is daylight saving time.
	DST bool
	// Name is the abbreviation of the period that starts (TZNAME), or "".
	Name string
}

// transitions returns the transitions of tb with from <= at < to.
func (tb *table) transitions(from, to int64) []Transition {
	var out []Transition
	prev := tb.first.off
	for _, t := range tb.trans {
		if t.at >= to {
			break
		}
		if t.at >= from {
			out = append(out, Transition{
				At:         time.Unix(t.at, 0).UTC(),
				OffsetFrom: int(prev),
				OffsetTo:   int(t.p.off),
				DST:        t.p.dst,
				Name:       t.p.name,
			})
		}
		prev = t.p.off
	}
	return out
}

// Zone is a time zone whose offsets and transitions are known: a
// *Location or a *VTimezone. It extends [ical.Zone].
type Zone interface {
	ical.Zone
	// Offset returns the UTC offset in seconds east, the daylight saving
	// flag and the abbreviation of the zone at instant t.
	Offset(t time.Time) (offset int, dst bool, name string)
	// Transitions returns the zone's transitions with from <= At < to.
	Transitions(from, to time.Time) []Transition
	// String returns the zone's name or TZID.
	String() string
}

var (
	_ Zone = (*Location)(nil)
	_ Zone = (*VTimezone)(nil)
)
