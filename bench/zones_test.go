// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package bench

import (
	"fmt"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// almanacZones returns the ical.Zones the expansion benchmark gives
// recur.Expand.
//
// Interim: ical/tz has no committed resolver yet, so this adapter maps
// TZIDs to stdlib locations. Its Resolve uses time.Date, which differs from
// RFC 5545 only for wall times in a gap or overlap; the generator never
// writes those (events start between 07:00 and 18:45).
func almanacZones(cal *ical.Calendar) (ical.Zones, error) {
	z := stdZones{}
	for _, vt := range cal.Components(ical.CompTimezone) {
		tzid := vt.Value(ical.PropTZID)
		loc, err := time.LoadLocation(tzid)
		if err != nil {
			return nil, err
		}
		z[tzid] = stdZone{loc}
	}
	return z, nil
}

// stdZones is built once; Zone does not load zone data.
type stdZones map[string]stdZone

func (z stdZones) Zone(tzid string) (ical.Zone, error) {
	if l, ok := z[tzid]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("unknown TZID %q", tzid)
}

type stdZone struct{ loc *time.Location }

func (z stdZone) Resolve(w time.Time) time.Time {
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), z.loc)
}

func (z stdZone) Wall(t time.Time) time.Time {
	l := t.In(z.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}
