// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package calendar is Almanac's domain service: principals and their
// credentials, calendar homes, collections and calendar objects, the derived
// time-range index, change sequences for sync, sharing and quotas.
//
// It declares Store, the contract every storage engine satisfies
// (internal/store/sqlite, internal/store/postgres), and it never imports
// net/http: protocol adapters live in internal/server.
package calendar
