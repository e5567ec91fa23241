// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package bench

import (
	"fmt"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
)

// almanacZones returns the ical.Zones the expansion benchmark gives
// recur.Expand: the IANA zones of ical/tz (RFC 5545 gap and overlap
// resolution, transitions cached per zone) for the TZIDs of the calendar's
// VTIMEZONEs, looked up once before the timer.
//
// When ical/tz grows a per-calendar resolver (tz.NewResolver), use it here.
func almanacZones(cal *ical.Calendar) (ical.Zones, error) {
	z := ianaZones{}
	for _, vt := range cal.Components(ical.CompTimezone) {
		tzid := vt.Value(ical.PropTZID)
		loc, err := tz.IANA(tzid)
		if err != nil {
			return nil, err
		}
		z[tzid] = loc
	}
	return z, nil
}

type ianaZones map[string]*tz.Location

func (z ianaZones) Zone(tzid string) (ical.Zone, error) {
	if l, ok := z[tzid]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("unknown TZID %q", tzid)
}
