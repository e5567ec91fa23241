// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package server wires Almanac together and runs it: configuration →
// store → calendar service → protocol adapters → one http.ServeMux, with
// HTTP Basic authentication (RFC 7617), client discovery
// (/.well-known/caldav, RFC 6764), the subscribable .ics feed, health and
// Prometheus metrics endpoints, access logging and graceful shutdown.
//
// It is the only package that sees both the protocol handlers and the
// calendar service; protocol packages never see credentials.
package server
