// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package postgres is calendar.Store on PostgreSQL through pgx's
// database/sql driver (github.com/jackc/pgx/v5/stdlib). The Store itself is
// internal/store/sqlstore; this package opens the connection pool and
// applies its embedded, ordered migrations under a transaction-level
// advisory lock, so several servers starting at once migrate one after the
// other.
//
// The DSN is a pgx connection string (URL or key=value); a search_path
// parameter in it selects the schema. Tests run the storetest suite when
// ALMANAC_TEST_POSTGRES holds a DSN, each in a fresh schema.
package postgres
