// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import "time"

// Zone maps wall-clock times of one time zone to instants. Wall times are
// passed as time.Time values in time.UTC whose fields are the local
// date and time. Implementations follow RFC 5545 §3.3.5: a wall time that
// falls in a gap (it does not exist) moves forward by the length of the gap,
// and an ambiguous wall time (it occurs twice) takes its first occurrence.
//
// Package ical/tz provides implementations for IANA zones and for zones
// defined by VTIMEZONE components.
type Zone interface {
	// Resolve returns the instant at which the wall-clock time occurs.
	Resolve(wall time.Time) time.Time
	// Wall returns the wall-clock time, in time.UTC, of an instant.
	Wall(t time.Time) time.Time
}

// Zones finds the Zone a TZID parameter names.
type Zones interface {
	// Zone returns the zone for tzid, or an error saying why it is unknown.
	Zone(tzid string) (Zone, error)
}
