// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package bench

import (
	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
)

// almanacZones returns the ical.Zones the expansion benchmark gives
// recur.Expand: a tz.Resolver for the calendar, which evaluates the
// calendar's own VTIMEZONE components (RFC 5545 §3.2.19), as the server
// does. With preferIANA it uses the IANA zones of the same names instead.
// The resolver is built once, before the timer, and caches its zones.
func almanacZones(cal *ical.Calendar, preferIANA bool) ical.Zones {
	return tz.NewResolver(cal.Component, tz.ResolverOptions{PreferIANA: preferIANA})
}
