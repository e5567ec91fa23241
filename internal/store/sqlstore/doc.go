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
// Time-range queries (RFC 4791 §9.9) must touch only the rows near the
// range, whatever the size of the collection. Each object has a kind,
// chosen when it is written, that says which of three index paths finds
// it:
//
//   - a single object whose span is at most LongSpan long: by span start
//     within [start-LongSpan, end), through a partial index of these
//     objects;
//   - a recurring object whose instances are listed over all time (a
//     bounded series, expanded whole) and are all at most LongSpan long:
//     by the start of one of its instances within [start-LongSpan, end),
//     through an index of the instances by collection and start; such a
//     series never appears in a span index, however far its span reaches;
//   - anything else (long single spans, series with a longer instance,
//     series listed over a window only, such as unbounded ones): by span
//     end at or after start, through a partial index of these objects. A
//     recurring one whose window covers the range matches only if one of
//     its instances overlaps the range, any other by its span.
//
// Every overlap test is calendar.Overlaps in SQL, zero-length spans and
// instances included.
//
// The hot statements are prepared once per database and reused (see
// stmts): reads through the reader's cache, object and delivery-queue
// writes through statements prepared on the writer before its first
// transaction and bound to each transaction with Tx.StmtContext.
package sqlstore
