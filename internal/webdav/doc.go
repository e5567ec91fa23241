// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package webdav implements the mechanics of WebDAV (RFC 4918) that the
// CalDAV handler builds on: XML names and a small element tree with a
// namespace-aware encoder (§14), hardened parsing of request bodies for
// PROPFIND (§9.1), PROPPATCH (§9.2), extended MKCOL (RFC 5689) and ACL
// (RFC 3744 §8.1) with a size cap and no DOCTYPE, a streaming multistatus
// writer (§13), an error type carrying a DAV:error precondition (§16), the
// Depth, Destination, Overwrite, If-Match and If-None-Match headers (§10,
// RFC 9110 §13.1) and path cleaning that refuses dot segments and encoded
// slashes.
//
// The package knows nothing about calendars and keeps no state; everything
// in it is safe for concurrent use.
package webdav
