// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"fmt"
	"time"
	_ "time/tzdata"

	"github.com/almanac-project/almanac/ical"
)

// testZone is a test-only ical.Zone over a *time.Location with the RFC 5545
// §3.3.5 rules: a wall time in a gap is read with the offset before the gap
// (it moves forward by the gap), an ambiguous one takes its first
// occurrence. The real implementation lives in ical/tz.
type testZone struct{ loc *time.Location }

func (z testZone) Resolve(w time.Time) time.Time {
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, z.loc)
	// time.Date picks one of the two instants of an ambiguous time; take
	// the earlier one if it shows the same wall clock.
	for _, d := range []time.Duration{-time.Hour, -30 * time.Minute, -2 * time.Hour} {
		if e := t.Add(d); sameWall(e, w) {
			t = e
		}
	}
	if sameWall(t, w) {
		return t
	}
	// A gap: use the offset in force just before it.
	_, off := t.Add(-3 * time.Hour).Zone()
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, time.UTC).Add(-time.Duration(off) * time.Second)
}

func (z testZone) Wall(t time.Time) time.Time {
	l := t.In(z.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

func sameWall(t, w time.Time) bool {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return y == w.Year() && m == w.Month() && d == w.Day() && h == w.Hour() && mi == w.Minute() && s == w.Second()
}

// testZones finds IANA zones.
type testZones struct{}

func (testZones) Zone(tzid string) (ical.Zone, error) {
	loc, err := time.LoadLocation(tzid)
	if err != nil {
		return nil, fmt.Errorf("test zone %q: %w", tzid, err)
	}
	return testZone{loc}, nil
}
