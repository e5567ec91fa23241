// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package itip is the iCalendar Transport-Independent Interoperability
// Protocol of RFC 5546 as pure functions: values in, values out, no I/O,
// no logging, the clock injected through Options.Now.
//
// A scheduling object is a calendar object resource (RFC 6638 §1.1): a
// VCALENDAR holding the components of one UID, a master and its overrides,
// with an ORGANIZER and ATTENDEEs. The functions fall into four groups:
//
//   - Validation of any iTIP message against the restriction tables of
//     RFC 5546 §3 (Validate, CheckOriginator), in a strict mode that reads
//     the tables as printed and an interop mode that settles the RFC's own
//     inconsistencies the way real producers need.
//   - The organizer's side: OrganizerUpdate and OrganizerDelete turn a
//     change of the organizer's copy into REQUEST, ADD and CANCEL messages
//     (whole or per instance); AcceptCounter, DeclineCounter and the answer
//     to REFRESH; Process applies REPLY, COUNTER and REFRESH to the
//     organizer's copy.
//   - The attendee's side: AttendeeUpdate and AttendeeDelete turn a change
//     of an attendee's copy into REPLY messages and refuse changes an
//     attendee may not make (RFC 6638 §3.2.2.1); Counter and Refresh build
//     those messages; Process applies REQUEST, ADD, CANCEL and
//     DECLINECOUNTER to the attendee's copy, keeping what is private to
//     the attendee (alarms, TRANSP).
//   - Ordering (RFC 5546 §2.1.4–2.1.5): a message older than what the
//     recipient holds, by SEQUENCE and then DTSTAMP, is not applied; its
//     Result says so with a status.
//
// REQUEST-STATUS codes are data, not errors: they travel in Result.Status
// and in the SCHEDULE-STATUS parameters of RFC 6638 §7.3. An error means
// the input could not be processed at all.
package itip
