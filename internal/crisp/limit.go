// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"net/netip"
	"sync"
	"time"
)

// Limits bound what one request may carry and how often a sender may
// send (seed-mapping §3.9). Each zero value means the default given.
type Limits struct {
	// MaxContentLength is the largest body in octets; 0 means 256 KiB.
	// A larger body is refused with 413 max-content-length without being
	// read past the limit.
	MaxContentLength int64
	// MaxRecipients is the most distinct recipients of one request;
	// 0 means 100.
	MaxRecipients int
	// MaxInstances is the most recurrence instances one message may
	// expand to; 0 means 1000. A recurrence with COUNT or UNTIL is
	// counted between MinDateTime and MaxDateTime; one without either is
	// counted over the year after its DTSTART, so that a weekly meeting
	// without end passes and an hourly one does not.
	MaxInstances int
	// MinDateTime and MaxDateTime bound the dates of the message's
	// components (DTSTART, DTEND, DUE, RECURRENCE-ID, RDATE, EXDATE);
	// zero means 1900-01-01 and 2100-01-01, UTC.
	MinDateTime, MaxDateTime time.Time
	// RatePerDomain and RatePerIP are requests per minute, as token
	// buckets holding a minute's worth: per Originator domain and sender
	// mode (anonymous, DKIM and mTLS traffic naming one domain have a
	// bucket each), and per client address (per /64 for IPv6); 0 means 60
	// and 120, a negative value means no limit. The client address is
	// the request's RemoteAddr: behind a reverse proxy, set it from the
	// proxy's forwarding header first. A request over a limit is
	// refused with 429 Too Many Requests, Retry-After and the CRISP
	// element rate-limited, as iSchedule has no status or element for it.
	RatePerDomain, RatePerIP int
	// ReadTimeout is the time the client has to send the body; 0 means
	// 30 seconds, a negative value means no deadline.
	ReadTimeout time.Duration
}

// withDefaults returns l with the zero values replaced by the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxContentLength <= 0 {
		l.MaxContentLength = 256 << 10
	}
	if l.MaxRecipients <= 0 {
		l.MaxRecipients = 100
	}
	if l.MaxInstances <= 0 {
		l.MaxInstances = 1000
	}
	if l.MinDateTime.IsZero() {
		l.MinDateTime = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if l.MaxDateTime.IsZero() {
		l.MaxDateTime = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if l.RatePerDomain == 0 {
		l.RatePerDomain = 60
	}
	if l.RatePerIP == 0 {
		l.RatePerIP = 120
	}
	if l.ReadTimeout == 0 {
		l.ReadTimeout = 30 * time.Second
	}
	return l
}

// maxBuckets bounds the memory of one rate limiter: when it holds this
// many keys, the full buckets are dropped (a full bucket is the same as
// none), and if that frees nothing, new keys share one overflow bucket.
const maxBuckets = 1 << 16

// buckets is a set of token buckets, one per key, each refilled at
// perMinute tokens a minute and holding at most perMinute.
type buckets struct {
	mu        sync.Mutex
	perMinute int
	m         map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newBuckets returns the limiter; perMinute < 0 means no limit.
func newBuckets(perMinute int) *buckets {
	return &buckets{perMinute: perMinute, m: make(map[string]*bucket)}
}

// take takes one token from key's bucket at now. When the bucket is
// empty it returns false and how long until a token is back.
func (s *buckets) take(key string, now time.Time) (bool, time.Duration) {
	if s.perMinute < 0 {
		return true, 0
	}
	capacity := float64(s.perMinute)
	perSecond := capacity / 60
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.m[key]
	if b == nil {
		if len(s.m) >= maxBuckets {
			s.prune(now)
			if len(s.m) >= maxBuckets {
				key = ""
				b = s.m[key]
			}
		}
		if b == nil {
			b = &bucket{tokens: capacity, last: now}
			s.m[key] = b
		}
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(capacity, b.tokens+elapsed*perSecond)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / perSecond * float64(time.Second))
	return false, max(wait, time.Second)
}

// prune drops the buckets that are full at now.
func (s *buckets) prune(now time.Time) {
	capacity := float64(s.perMinute)
	for k, b := range s.m {
		if b.tokens+now.Sub(b.last).Seconds()*capacity/60 >= capacity {
			delete(s.m, k)
		}
	}
}

// ipKey returns the rate-limit key of a client address ("host:port" or
// a bare address): the address, or its /64 for IPv6, since one host
// commonly holds a whole /64.
func ipKey(remote string) string {
	ap, err := netip.ParseAddrPort(remote)
	var a netip.Addr
	if err == nil {
		a = ap.Addr()
	} else if a, err = netip.ParseAddr(remote); err != nil {
		return remote
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// maxReplayEntries bounds the replay cache.
const maxReplayEntries = 1 << 17

// maxSignatureAge is how long after its t= a DKIM signature is accepted,
// and so how long the replay cache remembers it (seed-mapping §3.9:
// "cache iSchedule-Message-ID + DKIM b= for the lifetime of the
// signature"). iSchedule is real time: a sender signs as it sends.
const maxSignatureAge = time.Hour

// replayCache remembers the DKIM signatures and message IDs seen, each
// until the signature it came with expires.
type replayCache struct {
	mu   sync.Mutex
	max  int
	seen map[string]time.Time
}

func newReplayCache(size int) *replayCache {
	return &replayCache{max: size, seen: make(map[string]time.Time)}
}

// Results of replayCache.add.
const (
	replayFresh = iota
	replaySeen
	replayFull
)

// add records keys until expiry. It reports replaySeen, recording
// nothing, when one of them is remembered at now, and replayFull when the
// cache has no room even after dropping the expired entries.
func (c *replayCache) add(keys []string, expiry, now time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if exp, ok := c.seen[k]; ok && now.Before(exp) {
			return replaySeen
		}
	}
	if len(c.seen)+len(keys) > c.max {
		for k, exp := range c.seen {
			if !now.Before(exp) {
				delete(c.seen, k)
			}
		}
		if len(c.seen)+len(keys) > c.max {
			return replayFull
		}
	}
	for _, k := range keys {
		c.seen[k] = expiry
	}
	return replayFresh
}
