// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package sqlstore implements calendar.Store over database/sql, once for
// every SQL engine Almanac supports. The engines differ only in their DDL
// (each engine package embeds its own ordered migrations) and in the few
// things a Dialect describes: how a unique or foreign-key violation looks and
// how concurrent migrators are kept apart. The DML is shared: $N
// placeholders, INSERT … ON CONFLICT … DO UPDATE and RETURNING run unchanged
// on SQLite (modernc.org/sqlite) and PostgreSQL (pgx).
//
// Times are stored as int64 Unix microseconds, so range comparisons are
// integer comparisons on both engines; calendar.MinTime and
// calendar.MaxTime fit.
//
// Writes serialize per collection: every object write starts by
// incrementing the collection's seq, which on PostgreSQL locks the
// collection row until commit, so the precondition, UID and change-log
// checks that follow see every earlier write of the collection. On SQLite
// the engine packages give the Store a single-connection writer, so writes
// serialize anyway.
//
// Time-range queries (RFC 4791 §9.9) use two index paths: objects whose
// span is at most LongSpan long are found by span start within
// [start-LongSpan, end), the others (recurring series, long or unbounded
// objects) by span end. A recurring object whose instance window covers
// the query range matches only if one of its stored instances overlaps
// the range.
package sqlstore
