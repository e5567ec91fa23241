// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"errors"
	"testing"
	"time"
)

func TestBreaker(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	allowed := func(b *breaker, domain string, now time.Time) bool {
		t.Helper()
		_, err := b.allow(domain, now)
		if err != nil && !errors.Is(err, ErrCircuitOpen) {
			t.Fatalf("allow(%s) error = %v", domain, err)
		}
		return err == nil
	}

	t.Run("consecutive failures only", func(t *testing.T) {
		b := newBreaker(3, time.Minute)
		b.failure("a.example", t0)
		b.failure("a.example", t0)
		b.success("a.example")
		b.failure("a.example", t0)
		b.failure("a.example", t0)
		if !allowed(b, "a.example", t0) {
			t.Error("open after 2 consecutive failures, want closed until 3")
		}
		b.failure("a.example", t0)
		if allowed(b, "a.example", t0) {
			t.Error("closed after 3 consecutive failures, want open")
		}
		if !allowed(b, "b.example", t0) {
			t.Error("another domain is affected")
		}
	})

	t.Run("one trial after the cool-down", func(t *testing.T) {
		b := newBreaker(1, time.Minute)
		b.failure("a.example", t0)
		if allowed(b, "a.example", t0.Add(59*time.Second)) {
			t.Fatal("allowed during the cool-down")
		}
		later := t0.Add(time.Minute)
		trial, err := b.allow("a.example", later)
		if err != nil || !trial {
			t.Fatalf("allow after the cool-down = %v, %v; want a trial", trial, err)
		}
		if allowed(b, "a.example", later) {
			t.Error("a second request allowed while the trial is under way")
		}
		// A neutral outcome frees the trial.
		b.neutral("a.example", true)
		if trial, err := b.allow("a.example", later); err != nil || !trial {
			t.Fatalf("allow after a neutral trial = %v, %v; want another trial", trial, err)
		}
		b.success("a.example")
		for range 3 {
			if trial, err := b.allow("a.example", later); err != nil || trial {
				t.Fatalf("allow after a successful trial = %v, %v; want closed", trial, err)
			}
		}
	})

	t.Run("failed trial reopens", func(t *testing.T) {
		b := newBreaker(2, time.Minute)
		b.failure("a.example", t0)
		b.failure("a.example", t0)
		later := t0.Add(2 * time.Minute)
		if trial, err := b.allow("a.example", later); err != nil || !trial {
			t.Fatalf("allow after the cool-down = %v, %v; want a trial", trial, err)
		}
		b.failure("a.example", later)
		if allowed(b, "a.example", later.Add(59*time.Second)) {
			t.Error("allowed within a cool-down after the failed trial")
		}
		if !allowed(b, "a.example", later.Add(time.Minute)) {
			t.Error("no trial after the second cool-down")
		}
	})
}
