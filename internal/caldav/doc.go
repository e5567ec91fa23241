// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package caldav serves calendar access over HTTP: CalDAV (RFC 4791) on
// WebDAV (RFC 4918, 5689), collection synchronisation (RFC 6578), access
// control (RFC 3744), quota (RFC 4331) and principal discovery (RFC 5397,
// 6764). It declares Backend, the calendar service as the handler needs it,
// and imports nothing of internal/ but internal/webdav.
package caldav
