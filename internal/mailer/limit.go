// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"strings"
	"sync"
	"time"
)

// Default flood limits, in messages per hour. A person rarely sends more
// than one invitation a minute; a domain's many users together get ten
// times that. RFC 5321 §4.5.3.1 lets a server refuse with 4xx when it
// runs short of resources, so the sending MTA retries later.
const (
	defaultRatePerSender = 60
	defaultRatePerDomain = 600
)

// maxBuckets bounds the memory of a limiter: beyond it, buckets that have
// refilled are dropped, and if none has, new senders are refused until
// some have (an attack with ever new sender names fails closed).
const maxBuckets = 100_000

// limiter holds token buckets, one per key (RFC 5321 §4.5.3.1 allows
// refusing with 4xx). A bucket holds at most an hour's worth of messages
// and refills continuously.
type limiter struct {
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens  float64
	perHour float64
	last    time.Time
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, buckets: map[string]*bucket{}}
}

// limit is one bucket a message is charged to.
type limit struct {
	key     string
	perHour int // < 0: unlimited
}

// take charges one message to every bucket of limits, or to none if any
// is empty; it reports whether the message may pass.
func (l *limiter) take(limits ...limit) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var bs []*bucket
	for _, lim := range limits {
		if lim.perHour < 0 || lim.key == "" {
			continue
		}
		b := l.buckets[lim.key]
		if b == nil {
			if len(l.buckets) >= maxBuckets && !l.sweep(now) {
				return false
			}
			b = &bucket{tokens: float64(lim.perHour), perHour: float64(lim.perHour), last: now}
			l.buckets[lim.key] = b
		}
		b.refill(now)
		if b.tokens < 1 {
			return false
		}
		bs = append(bs, b)
	}
	for _, b := range bs {
		b.tokens--
	}
	return true
}

func (b *bucket) refill(now time.Time) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.perHour, b.tokens+d.Hours()*b.perHour)
		b.last = now
	}
}

// sweep drops the buckets that are full again, at most once a minute; it
// reports whether there is room for a new one.
func (l *limiter) sweep(now time.Time) bool {
	if now.Sub(l.swept) >= time.Minute {
		l.swept = now
		for k, b := range l.buckets {
			if b.refill(now); b.tokens >= b.perHour {
				delete(l.buckets, k)
			}
		}
	}
	return len(l.buckets) < maxBuckets
}

// addrList is an Allow or Block list: entries "user@domain" match that
// address, "@domain" and "domain" every address at that domain (not its
// subdomains); all case-insensitive.
type addrList struct {
	addrs, domains map[string]bool
}

func newAddrList(entries []string) addrList {
	l := addrList{addrs: map[string]bool{}, domains: map[string]bool{}}
	for _, e := range entries {
		e = normAddress(e)
		switch {
		case e == "" || e == "@":
		case strings.HasPrefix(e, "@"):
			l.domains[normDomain(e[1:])] = true
		case strings.Contains(e, "@"):
			l.addrs[e] = true
		default:
			l.domains[normDomain(e)] = true
		}
	}
	return l
}

// match reports whether addr is on the list.
func (l addrList) match(addr string) bool {
	addr = normAddress(addr)
	if addr == "" {
		return false
	}
	return l.addrs[addr] || l.domains[domainOf(addr)]
}
