// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package auth checks principals' credentials: argon2id password hashes in
// the PHC string format (RFC 9106 parameters chosen in
// design/dependencies.md: m=19 MiB, t=2, p=1), app passwords stored as the
// SHA-256 of a random token, and an Authenticator for HTTP Basic
// authentication (RFC 7617) that caches recent successful verifications
// and throttles repeated failures.
package auth
