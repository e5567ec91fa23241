// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package auth

import (
	"sync"
	"time"
)

// limiter counts failures per key in fixed windows: once a key reaches max
// failures, it is blocked until its window ends. The map is bounded:
// expired windows are swept when it is full, then the oldest window goes.
type limiter struct {
	max    int
	window time.Duration
	size   int

	mu   sync.Mutex
	keys map[string]*failures
}

type failures struct {
	count int
	start time.Time
}

func newLimiter(max int, window time.Duration, size int) *limiter {
	return &limiter{max: max, window: window, size: size, keys: make(map[string]*failures)}
}

func (l *limiter) blocked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.keys[key]
	if !ok {
		return false
	}
	if !now.Before(f.start.Add(l.window)) {
		delete(l.keys, key)
		return false
	}
	return f.count >= l.max
}

func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.keys[key]
	if ok && !now.Before(f.start.Add(l.window)) {
		f.count, f.start = 0, now
	}
	if !ok {
		if len(l.keys) >= l.size {
			l.sweep(now)
		}
		f = &failures{start: now}
		l.keys[key] = f
	}
	f.count++
}

func (l *limiter) sweep(now time.Time) {
	var oldest string
	var oldestStart time.Time
	for k, f := range l.keys {
		if !now.Before(f.start.Add(l.window)) {
			delete(l.keys, k)
			continue
		}
		if oldest == "" || f.start.Before(oldestStart) {
			oldest, oldestStart = k, f.start
		}
	}
	if len(l.keys) >= l.size && oldest != "" {
		delete(l.keys, oldest)
	}
}
