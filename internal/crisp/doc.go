// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package crisp is CRISP, the restricted real-time scheduling profile of
// the seeds, on the wire of iSchedule (draft-desruisseaux-ischedule-05):
// an HTTP endpoint that accepts nothing but valid iTIP messages (RFC 5546)
// from other domains and exposes no calendar access at all
// (ITIPVERSION=1.0, CAPVERSION=1.0, CAR=NONE), the client that delivers
// to other domains' endpoints, found by DNS, and the proxy that runs the
// endpoint alone in a DMZ.
//
// The package speaks HTTP and iTIP only: the calendar service is behind
// the small Backend interface, which internal/server implements. Senders
// are authenticated with DKIM for HTTP (iSchedule -05 §7, our own
// implementation of the ischedule-relaxed canonicalization), mutual TLS
// with configured peers, or not at all (anonymous, by policy). Design:
// the project's design/seed-mapping.md §3 and §4.1.
package crisp
