// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package caldata implements the calendar-data side of CalDAV (RFC 4791)
// without HTTP: the XML request elements of calendaring reports (§9.6,
// §9.7, §9.9), the evaluation of a CALDAV:filter on one calendar object
// resource (§9.7, with the time-range rules of §9.9 and the text-match
// collations of RFC 4790 and RFC 5051), the partial retrieval, expansion
// and limiting of returned calendar data (§9.6.1–§9.6.7), the answer of a
// free-busy-query report (§7.10) and the checks of a calendar object
// resource stored by PUT (§4.1, §5.3.2.1).
//
// Busy time is also returned as data (Busy), together with the time that
// VAVAILABILITY components make unavailable (Unavailable, RFC 7953) and the
// conflict check of a room or resource that accepts invitations
// automatically (Conflict, RFC 5546 REQUEST-STATUS 4.0); FreeBusyAll
// merges busy and unavailable time into the VFREEBUSY of a free-busy
// request (RFC 4791 §7.10, RFC 6638).
//
// Failed preconditions are returned as *PreconditionError, which names the
// CALDAV: or DAV: element the handler puts in its DAV:error body.
//
// Recurrence is expanded with package ical/recur and time zones are
// resolved with package ical/tz, one Resolver per calendar object.
// Floating times are read in Options.Zone (the collection's
// CALDAV:calendar-timezone, §7.3). The package does not log and keeps no
// state; every function is safe for concurrent use on distinct or shared
// read-only inputs.
package caldata
