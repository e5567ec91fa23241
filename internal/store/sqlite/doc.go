// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package sqlite is calendar.Store on an embedded SQLite database
// (modernc.org/sqlite, pure Go), Almanac's default store. The Store itself
// is internal/store/sqlstore; this package opens the database, applies its
// embedded, ordered migrations and tunes the connections.
//
// # Connections
//
// Writes go through a pool of exactly one connection that begins every
// transaction with BEGIN IMMEDIATE (_txlock=immediate), so writers queue in
// Go instead of failing with SQLITE_BUSY, and a read-modify-write
// transaction never has to upgrade its lock. Reads go through a separate
// pool of query-only connections; in WAL mode they read a snapshot and never
// wait for the writer. busy_timeout covers other processes (such as
// "almanac user add" while the server runs). Foreign keys are on, so
// deleting a principal or a collection cascades.
//
// # Durability
//
// The journal is a write-ahead log. Options.Synchronous chooses when SQLite
// calls fsync:
//
//   - SyncNormal (the default): a commit is written to the WAL file but the
//     WAL is synced only at checkpoints. Every acknowledged write survives a
//     crash or kill -9 of the server process, because the data is in the
//     operating system's page cache once the write returns. A power loss or
//     kernel crash can lose the transactions committed since the last
//     checkpoint (at most about 1,000 pages of WAL, typically the last
//     second or so of writes); the database stays consistent, it just rolls
//     back to an earlier state. This is SQLite's recommended setting for WAL
//     and what keeps PUTs above 1,000/s on slow disks.
//   - SyncFull: the WAL is synced at every commit, so acknowledged writes
//     also survive a power loss, at the cost of one fsync per write
//     (throughput then follows the disk's fsync latency).
//
// The default is SyncNormal because the requirement is that acknowledged
// writes survive the server process dying, which it meets without an fsync
// per write. Deployments that must also survive power loss without a
// battery-backed disk cache set SyncFull. BenchmarkPutObject (one object in
// four a weekly series of ten) on the 2-vCPU development VM: about 5,000
// PUTs/s with SyncNormal and 2,500 with SyncFull, from 1 or 4 clients.
package sqlite
