// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package recur implements iCalendar recurrence as defined in RFC 5545:
// the RECUR value type (§3.3.10), the RRULE, RDATE and EXDATE properties
// (§3.8.5) and RECURRENCE-ID overrides including RANGE=THISANDFUTURE
// (§3.8.4.4). It also implements RFC 7529 for the Gregorian calendar scale:
// RSCALE=GREGORIAN with SKIP=OMIT, BACKWARD or FORWARD.
//
// The package has three layers:
//
//   - Parse and ParseLenient turn a RECUR value into a Rule, and
//     (*Rule).String writes it back in canonical order.
//   - (*Rule).Iterator expands a rule on naive wall-clock time (time.Time
//     values in time.UTC whose fields are the local date and time), period
//     by period, with the expand and limit semantics of the table in RFC 5545
//     §3.3.10. It can skip ahead to a window and is bounded by Limits.
//   - Expand assembles the recurrence set of a component and its overrides
//     (DTSTART, RRULE, EXRULE, RDATE, EXDATE, RECURRENCE-ID) within a time
//     window, resolving zoned and floating times through ical.Zone values.
//
// No input can make expansion loop or allocate without bound: every
// expansion counts its work against Limits and fails with ErrBudget when it
// runs out, and a rule that produces no instance during one full 400-year
// Gregorian cycle is treated as exhausted (the calendar repeats itself
// after 146097 days, a whole number of weeks, so such a rule never matches
// again).
package recur
