// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package caldav serves calendar access over HTTP: CalDAV (RFC 4791) on
// WebDAV (RFC 4918, 5689), collection synchronisation (RFC 6578), access
// control (RFC 3744), quota (RFC 4331) and principal discovery (RFC 5397,
// 6764). It declares Backend, the calendar service as the handler needs it,
// and imports nothing of internal/ but internal/webdav and its own caldata.
//
// Scheduling (RFC 6638) is split between the handler and the backend. The
// handler does the protocol: the scheduling inbox and outbox collections
// (Calendar.Kind "inbox" and "outbox", found through Principal.Inbox and
// Principal.Outbox), the Schedule-Tag response header and CALDAV:schedule-tag
// property (Object.ScheduleTag), If-Schedule-Tag-Match and Schedule-Reply
// (Conditions), the scheduling privileges and properties
// (schedule-calendar-transp, schedule-default-calendar-URL, and RFC 7953's
// calendar-availability), the checks of a busy time request POSTed to an
// outbox and the CALDAV:schedule-response answering it. The backend does
// the scheduling itself, the iTIP (RFC 5546) messages that a PUT, DELETE,
// COPY or MOVE of a scheduling object resource implies, and reports the
// RFC 6638 preconditions it finds broken as *ScheduleError; it answers busy
// time requests as a Scheduler, the optional interface whose presence makes
// the handler advertise calendar-auto-schedule.
package caldav
