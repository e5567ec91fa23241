// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package archtest holds the tests that enforce Almanac's architecture
// rules (STYLE.md §2): which packages may import which, and that every
// package has exactly one package doc comment.
package archtest
