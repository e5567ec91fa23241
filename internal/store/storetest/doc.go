// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package storetest is the conformance suite of calendar.Store: every store
// package runs it against its engine with
//
//	func TestStore(t *testing.T) { storetest.Run(t, newStore) }
//
// It covers principals and their addresses, app passwords, collections and
// dead properties, objects with ETag preconditions (RFC 9110 §13.1) and UID
// uniqueness (RFC 4791 §5.3.2.1), schedule tags and If-Schedule-Tag-Match
// (RFC 6638 §3.2.10, §8.3), moves, time-range candidates (RFC 4791 §9.9,
// with recurring objects), change logs for sync tokens (RFC 6578), shares,
// quotas, the scheduling delivery queue and concurrent writers.
//
// Stores that can open the same database twice also run Reopen, and the
// stores of internal/store/sqlstore run Upgrade and UpgradeScheduling on a
// database at an earlier schema version.
package storetest
