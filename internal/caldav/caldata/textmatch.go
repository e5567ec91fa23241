// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"strings"
	"unicode"
)

// The collations of RFC 4791 §7.5 and RFC 4790. Every CalDAV text-match is
// a substring match (RFC 4791 §7.5, RFC 4790 §4.2).
const (
	// CollationASCIICasemap folds a-z to A-Z and nothing else (RFC 4790
	// §9.2); it is the default (RFC 4791 §9.7.5).
	CollationASCIICasemap = "i;ascii-casemap"
	// CollationOctet compares octets (RFC 4790 §9.3).
	CollationOctet = "i;octet"
	// CollationUnicodeCasemap is RFC 5051's collation. This package
	// implements it with Unicode simple case folding (the equivalence of
	// strings.EqualFold) and no normalisation: a precomposed "é" and "e"
	// followed by a combining acute accent do not match.
	CollationUnicodeCasemap = "i;unicode-casemap"
)

// Collations lists the supported collations, for the
// CALDAV:supported-collation-set property (RFC 4791 §7.5.1).
var Collations = []string{CollationASCIICasemap, CollationOctet, CollationUnicodeCasemap}

// collation returns the fold function of a collation name, nil for
// i;octet, and false when it is not supported. RFC 4790 §3.1: "default"
// names the protocol's default collation.
func collation(name string) (func(string) string, bool) {
	switch name {
	case "", "default", CollationASCIICasemap:
		return foldASCII, true
	case CollationOctet:
		return nil, true
	case CollationUnicodeCasemap:
		return foldUnicode, true
	}
	return nil, false
}

func foldASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// foldUnicode maps each rune to the smallest rune of its simple case
// folding orbit, so that two strings fold equal exactly when
// strings.EqualFold holds rune by rune.
func foldUnicode(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < least {
				least = f
			}
		}
		return least
	}, s)
}

// matches applies a text-match (RFC 4791 §9.7.5) to one value: a substring
// match under the collation, inverted by negate-condition="yes".
func (tm *TextMatch) matches(value string) bool {
	fold, _ := collation(tm.Collation)
	needle := tm.Value
	if fold != nil {
		value, needle = fold(value), fold(needle)
	}
	return strings.Contains(value, needle) != tm.negated()
}

func (tm *TextMatch) negated() bool { return tm.NegateCondition == "yes" }
