// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package imip is the iCalendar Message-Based Interoperability Protocol of
// RFC 6047: the binding of iTIP (RFC 5546) to Internet mail. It builds the
// e-mail messages that carry iTIP messages and parses the ones that arrive,
// without any network access or logging: bytes in, values out.
//
// Build writes the layout of RFC 6047 §4.2, the one Outlook and Exchange
// use: a multipart/alternative of a readable text/plain summary, the same
// summary as text/html, and the text/calendar part whose method parameter
// equals the METHOD property (RFC 6047 §2.4). The message is marked
// "Auto-Submitted: auto-generated" (RFC 3834) so that receivers never
// answer it automatically.
//
// Parse walks any MIME structure with bounded memory and collects every
// calendar part, undoing transfer encodings and converting charsets to
// UTF-8. It copes with what real producers send (see the design note
// imip-quirks.md, §2.1–2.3 and §2.9): calendar parts in any position and
// under several media types, a missing, quoted or contradicting method
// parameter, lenient quoted-printable, bare LF line endings, broken
// boundaries. It recognises delivery status notifications (RFC 3464) and
// automatic replies (RFC 3834), which are never processed as iTIP.
// Message.ITIP then picks the one iTIP message of the e-mail.
//
// The authenticity of the originator (RFC 6047 §3: S/MIME; in practice
// DKIM) is not checked here: Parse reports the header fields a caller
// needs to bind ORGANIZER or ATTENDEE to the sender.
package imip
