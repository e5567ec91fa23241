// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package mailer is Almanac's mail transport and the only package that
// speaks SMTP. It moves bytes and says who sent them; it knows nothing of
// calendars.
//
// Outbound, a [Submitter] hands messages to a relay (RFC 5321 submission
// with opportunistic STARTTLS, RFC 3207, and AUTH PLAIN, RFC 4954 and
// RFC 4616), signing them first with DKIM (RFC 6376, RSA and Ed25519 as in
// RFC 8463) when configured. Refusals come back as [SMTPError] and
// [PartialError] so that the caller can tell permanent from temporary
// failures (RFC 5321 §4.2.1).
//
// Inbound, a [Server] receives mail over LMTP (RFC 2033) behind an MTA or
// over SMTP, with limits on size, recipients, time and rate (RFC 5321
// §4.5.3.1), and tells its [Handler] who provably sent each message in an
// [Auth]: the DKIM signatures and their alignment with the From: domain
// (RFC 7489 §3.1.1, relaxed), the Authentication-Results (RFC 8601) of a
// trusted MTA, and the signers of S/MIME signatures (RFC 8551), which
// RFC 6047 §3 names as iMIP's authentication.
package mailer
