// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package ical reads and writes iCalendar, as defined in RFC 5545, with the
// additions of RFC 7986 (new properties), RFC 7953 (VAVAILABILITY), RFC 6868
// (caret escapes in parameter values) and RFC 7265 (jCal, the JSON form).
//
// The codec is lossless: a Decoder keeps every component, property and
// parameter in order, X- and unknown IANA ones included, and keeps property
// values as written (unfolded, still escaped), so that encoding a decoded
// object gives back the same content. Properties are always written before
// sub-components, as the RFC 5545 grammar requires. An Encoder writes the
// canonical form: CRLF line endings, lines folded at 75 octets without
// splitting a UTF-8 sequence, upper-case names, and parameter values quoted
// where RFC 5545 §3.1 requires it. Encoding is idempotent.
//
// Decoding is lenient by default: it accepts what real producers send (bare
// LF line endings, broken folding, stray text, unbalanced END lines, Apple's
// backslash-escaped parameter values, …) and records a Warning for each
// repair. DecodeOptions.Strict turns every repair into a SyntaxError. Input is
// bounded: line length, nesting depth and component count have limits, and
// errors carry the line they refer to.
//
// Typed accessors on Property decode each RFC 5545 §3.3 value type on demand
// and never panic. Validate checks the component rules of RFC 5545 §3.6–3.8.
// Recurrence lives in package ical/recur, time zones in package ical/tz.
package ical
