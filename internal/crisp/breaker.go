// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"sync"
	"time"
)

// breaker is a circuit breaker per remote domain (seed-mapping §3.9 and
// §4.1 step 7): after a number of consecutive failures the domain is
// skipped for a cool-down period, after which one trial request is let
// through; its success closes the circuit, its failure opens it again.
// It is safe for concurrent use.
type breaker struct {
	failures int
	cooldown time.Duration

	mu      sync.Mutex
	domains map[string]*circuit
}

// circuit is the state of one domain; a domain without one is closed
// with no failures.
type circuit struct {
	failures int
	open     bool
	openedAt time.Time
	trial    bool // a trial request is under way
}

func newBreaker(failures int, cooldown time.Duration) *breaker {
	return &breaker{failures: failures, cooldown: cooldown, domains: make(map[string]*circuit)}
}

// allow reports whether a request to domain may go ahead, and whether it
// is the trial request of an open circuit. It returns ErrCircuitOpen
// when it may not.
func (b *breaker) allow(domain string, now time.Time) (trial bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.domains[domain]
	if c == nil || !c.open {
		return false, nil
	}
	if c.trial || now.Before(c.openedAt.Add(b.cooldown)) {
		return false, ErrCircuitOpen
	}
	c.trial = true
	return true, nil
}

// success records that the domain answered: the circuit closes.
func (b *breaker) success(domain string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.domains, domain)
}

// failure records a failed request: the circuit opens after the
// configured number of consecutive failures, and again at once when the
// trial request failed.
func (b *breaker) failure(domain string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.domains[domain]
	if c == nil {
		if len(b.domains) >= maxCacheEntries {
			b.sweep(now)
		}
		c = new(circuit)
		b.domains[domain] = c
	}
	c.failures++
	if c.trial || (!c.open && c.failures >= b.failures) {
		c.open, c.openedAt, c.trial = true, now, false
	}
}

// neutral records a request whose outcome says nothing about the domain
// (cancelled by the caller, no endpoint, a local failure): a trial
// request may be made again.
func (b *breaker) neutral(domain string, trial bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c := b.domains[domain]; c != nil && trial {
		c.trial = false
	}
}

// sweep drops closed circuits and open ones whose cool-down is long
// over, to bound the map.
func (b *breaker) sweep(now time.Time) {
	for d, c := range b.domains {
		if !c.open || (!c.trial && now.After(c.openedAt.Add(2*b.cooldown))) {
			delete(b.domains, d)
		}
	}
}
