// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package tz provides time zones for iCalendar as defined in RFC 5545: the
// local-time resolution rules of §3.3.5, VTIMEZONE components (§3.6.5) and
// the TZID parameter (§3.2.19).
//
// Three kinds of zone implement [ical.Zone]:
//
//   - [Location], a zone of the IANA time zone database, loaded with
//     time.LoadLocation: the host's database when it has one, else Go's
//     embedded copy (time/tzdata), so every zone is available everywhere;
//   - [VTimezone], a zone defined by a VTIMEZONE component, evaluated from
//     its STANDARD and DAYLIGHT observances;
//   - both resolve wall-clock times the RFC 5545 way: a time in a gap moves
//     forward by the length of the gap, and an ambiguous time takes its
//     first occurrence.
//
// [Lookup] maps the TZID values found in the wild (IANA names, Windows zone
// names, old Outlook display names, vendor prefixes such as
// "/mozilla.org/20050126_1/") to IANA zones and says when a repair was
// needed. [Resolver] answers [ical.Zones] for one calendar, preferring the
// calendar's own VTIMEZONE components. [Match] finds the IANA zone a
// VTIMEZONE describes and [Generate] writes a VTIMEZONE for an IANA zone.
//
// The Windows zone names come from the Unicode CLDR (windowsZones.xml),
// used under the Unicode License; see windows_zones.go.
package tz

//go:generate go run gen_names.go
