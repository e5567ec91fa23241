// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"time"

	"github.com/almanac-project/almanac/ical/recur"
)

// Options configure Match, CalendarData.Apply and FreeBusy.
type Options struct {
	// Zone is the zone of floating date-times and dates: the collection's
	// CALDAV:calendar-timezone (RFC 4791 §7.3) or the CALDAV:timezone of
	// the request (§9.8). Nil means UTC.
	Zone *time.Location
	// Limits bound each recurrence expansion. The zero value uses the
	// defaults of package recur (10,000 instances, 1,000,000 iterations).
	Limits recur.Limits
}
