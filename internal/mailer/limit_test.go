// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	l := newLimiter(func() time.Time { return now })
	ann := limit{"s:ann@example.org", 4}
	dom := limit{"d:example.org", 6}
	for i := range 4 {
		if !l.take(ann, dom) {
			t.Fatalf("message %d refused", i+1)
		}
	}
	if l.take(ann, dom) {
		t.Fatal("fifth message in an hour passed a limit of 4")
	}
	// A refusal charges nothing: the domain still has 2.
	for range 2 {
		if !l.take(limit{"s:bob@example.org", 4}, dom) {
			t.Fatal("bob refused while the domain had room")
		}
	}
	if l.take(limit{"s:carol@example.org", 4}, dom) {
		t.Fatal("seventh message of the domain passed a limit of 6")
	}
	// 4 per hour: one more after a quarter of an hour.
	now = now.Add(15 * time.Minute)
	if !l.take(ann) || l.take(ann) {
		t.Error("after 15 minutes ann should have exactly one more message")
	}
	// Unlimited and empty keys are not charged.
	for range 10 {
		if !l.take(limit{"s:x@example.org", -1}, limit{"", 1}) {
			t.Fatal("an unlimited sender was refused")
		}
	}
}

func TestLimiterMemoryBound(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	l := newLimiter(func() time.Time { return now })
	for i := range maxBuckets {
		l.take(limit{fmt.Sprint("s:", i), 2})
	}
	// Full, and no bucket has refilled: a new sender is refused.
	if l.take(limit{"s:new", 2}) {
		t.Error("a new sender passed with every bucket in use")
	}
	// An hour later they all have; the sweep makes room.
	now = now.Add(time.Hour)
	if !l.take(limit{"s:new", 2}) {
		t.Error("a new sender was refused after the buckets refilled")
	}
	if len(l.buckets) != 1 {
		t.Errorf("%d buckets after the sweep, want 1", len(l.buckets))
	}
}

func TestAddrList(t *testing.T) {
	l := newAddrList([]string{"Ann@Example.org", "@spam.example", "junk.example", "mailto:x@y.example", "", "@"})
	tests := map[string]bool{
		"ann@example.org":      true,
		"ANN@EXAMPLE.ORG":      true,
		"bob@example.org":      false,
		"a@spam.example":       true,
		"a@sub.spam.example":   false,
		"b@junk.example":       true,
		"x@y.example":          true,
		"":                     false,
		"no-domain":            false,
		"a@spam.example.":      true,
		"<ann@example.org>":    true,
		"ann@example.org.evil": false,
	}
	for addr, want := range tests {
		if got := l.match(addr); got != want {
			t.Errorf("match(%q) = %v, want %v", addr, got, want)
		}
	}
}
