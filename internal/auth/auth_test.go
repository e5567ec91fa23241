// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package auth

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
)

// cheap parameters keep the tests fast; DefaultParams are tested once.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerify(t *testing.T) {
	for _, p := range []Params{cheap, DefaultParams} {
		h, err := HashPasswordParams("correct horse", p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$m=") {
			t.Errorf("HashPasswordParams = %q, want a PHC argon2id string", h)
		}
		if ok, err := VerifyPassword(h, "correct horse"); !ok || err != nil {
			t.Errorf("VerifyPassword(%q, right) = %v, %v; want true", h, ok, err)
		}
		if ok, err := VerifyPassword(h, "correct horsE"); ok || err != nil {
			t.Errorf("VerifyPassword(%q, wrong) = %v, %v; want false", h, ok, err)
		}
	}
	a, _ := HashPasswordParams("x", cheap)
	b, _ := HashPasswordParams("x", cheap)
	if a == b {
		t.Errorf("two hashes of one password are equal (%q): salt not random", a)
	}
	if h, _ := HashPassword("x"); !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("HashPassword uses %q, want m=19 MiB, t=2, p=1", h)
	}
}

func TestParseHash(t *testing.T) {
	// From the reference implementation's test.c (phc-winner-argon2):
	// argon2id, v=19, t=2, m=2^16, p=1, "password", "somesalt" gives
	// 09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7.
	ref := "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	p, salt, key, err := ParseHash(ref)
	if err != nil {
		t.Fatalf("ParseHash(%q): %v", ref, err)
	}
	if p.Memory != 65536 || p.Time != 2 || p.Threads != 1 || string(salt) != "somesalt" || len(key) != 32 {
		t.Errorf("ParseHash(%q) = %+v, %q, %d-byte key", ref, p, salt, len(key))
	}
	if ok, err := VerifyPassword(ref, "password"); !ok || err != nil {
		t.Errorf("VerifyPassword(reference vector) = %v, %v; want true (parameters must come from the string)", ok, err)
	}
	for _, bad := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$m=64,t=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$m=64,t=1,p=1,x=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$m=99999999999,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$m=64,t=1,p=1$!!!$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8",
		"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$",
	} {
		if _, _, _, err := ParseHash(bad); !errors.Is(err, ErrMalformedHash) {
			t.Errorf("ParseHash(%q) err = %v, want ErrMalformedHash", bad, err)
		}
		if ok, err := VerifyPassword(bad, "password"); ok || err == nil {
			t.Errorf("VerifyPassword(%q) = %v, %v; want an error", bad, ok, err)
		}
	}
}

func TestTokens(t *testing.T) {
	tok, h := NewAppToken()
	if len(tok) < 26 || !bytes.Equal(h, HashToken(tok)) || len(h) != 32 {
		t.Errorf("NewAppToken() = %q, %x", tok, h)
	}
	if a, b := GeneratePassword(), GeneratePassword(); a == b || len(a) < 20 {
		t.Errorf("GeneratePassword() = %q, %q", a, b)
	}
}

type fakeStore struct {
	mu   sync.Mutex
	ps   map[string]*calendar.Principal
	apps []*calendar.AppPassword
}

func (s *fakeStore) Principal(_ context.Context, id int64) (*calendar.Principal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.ps {
		if p.ID == id {
			c := *p
			return &c, nil
		}
	}
	return nil, calendar.ErrNotFound
}

func (s *fakeStore) PrincipalByName(_ context.Context, name string) (*calendar.Principal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.ps[name]; ok {
		c := *p
		return &c, nil
	}
	return nil, calendar.ErrNotFound
}

func (s *fakeStore) AppPasswordByHash(_ context.Context, h []byte) (*calendar.AppPassword, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.apps {
		if bytes.Equal(a.Hash, h) {
			return a, nil
		}
	}
	return nil, calendar.ErrNotFound
}

func (s *fakeStore) setPassword(t *testing.T, name, pw string) {
	h, err := HashPasswordParams(pw, cheap)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ps[name].PasswordHash = h
}

func newFixture(t *testing.T, opt Options) (*fakeStore, *Authenticator, *time.Time) {
	s := &fakeStore{ps: map[string]*calendar.Principal{
		"ann": {ID: 1, Name: "ann"},
		"bob": {ID: 2, Name: "bob"},
	}}
	s.setPassword(t, "ann", "ann-secret")
	s.setPassword(t, "bob", "bob-secret")
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	opt.Now = func() time.Time { return now }
	return s, New(s, opt), &now
}

func TestAuthenticate(t *testing.T) {
	s, a, _ := newFixture(t, Options{})
	ctx := t.Context()
	tok, h := NewAppToken()
	s.apps = append(s.apps, &calendar.AppPassword{ID: 1, PrincipalID: 1, Label: "phone", Hash: h})

	for _, tc := range []struct {
		user, pass string
		want       error
	}{
		{"ann", "ann-secret", nil},
		{"ann", tok, nil},
		{"bob", tok, ErrInvalidCredentials}, // ann's token is not bob's
		{"ann", "bob-secret", ErrInvalidCredentials},
		{"ann", "", ErrInvalidCredentials},
		{"nobody", "ann-secret", ErrInvalidCredentials},
		{"", "", ErrInvalidCredentials},
	} {
		p, err := a.Authenticate(ctx, tc.user, tc.pass)
		if !errors.Is(err, tc.want) {
			t.Errorf("Authenticate(%q, %q) err = %v, want %v", tc.user, tc.pass, err, tc.want)
			continue
		}
		if err == nil && p.Name != tc.user {
			t.Errorf("Authenticate(%q, %q) = %q", tc.user, tc.pass, p.Name)
		}
	}
}

func TestCache(t *testing.T) {
	s, a, now := newFixture(t, Options{CacheTTL: 5 * time.Minute})
	ctx := t.Context()
	auth := func(pass string) error {
		_, err := a.Authenticate(ctx, "ann", pass)
		return err
	}
	if err := auth("ann-secret"); err != nil {
		t.Fatal(err)
	}
	if got := a.Stats().PasswordHashes; got != 1 {
		t.Fatalf("after first login: %d argon2 computations, want 1", got)
	}
	for range 5 {
		if err := auth("ann-secret"); err != nil {
			t.Fatal(err)
		}
	}
	if st := a.Stats(); st.PasswordHashes != 1 || st.CacheHits != 5 {
		t.Errorf("after 5 cached logins: %+v, want 1 hash and 5 hits", st)
	}
	// A wrong password is never answered from the cache.
	if err := auth("ann-secreT"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("wrong password err = %v", err)
	}

	t.Run("ttl", func(t *testing.T) {
		*now = now.Add(5*time.Minute + time.Second)
		before := a.Stats().PasswordHashes
		if err := auth("ann-secret"); err != nil {
			t.Fatal(err)
		}
		if got := a.Stats().PasswordHashes - before; got != 1 {
			t.Errorf("after the TTL: %d argon2 computations, want 1", got)
		}
	})

	t.Run("password change in another process", func(t *testing.T) {
		s.setPassword(t, "ann", "new-secret")
		if err := auth("ann-secret"); !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("old password after change: err = %v, want ErrInvalidCredentials", err)
		}
		if err := auth("new-secret"); err != nil {
			t.Errorf("new password: %v", err)
		}
	})

	t.Run("invalidate", func(t *testing.T) {
		before := a.Stats().PasswordHashes
		a.Invalidate("ann")
		if err := auth("new-secret"); err != nil {
			t.Fatal(err)
		}
		if got := a.Stats().PasswordHashes - before; got != 1 {
			t.Errorf("after Invalidate: %d argon2 computations, want 1", got)
		}
	})

	t.Run("bounded", func(t *testing.T) {
		s, a, _ := newFixture(t, Options{CacheSize: 1})
		ctx := t.Context()
		a.Authenticate(ctx, "ann", "ann-secret")
		a.Authenticate(ctx, "bob", "bob-secret") // evicts ann
		_ = s
		before := a.Stats().PasswordHashes
		a.Authenticate(ctx, "ann", "ann-secret")
		if got := a.Stats().PasswordHashes - before; got != 1 {
			t.Errorf("CacheSize 1: ann still cached after bob (%d hashes)", got)
		}
	})
}

func TestThrottle(t *testing.T) {
	s, a, now := newFixture(t, Options{MaxFailures: 3, MaxFailuresPerIP: 4, FailureWindow: time.Minute})
	tok, h := NewAppToken()
	s.apps = append(s.apps, &calendar.AppPassword{ID: 1, PrincipalID: 1, Hash: h})
	ctx := ContextWithClientIP(t.Context(), "192.0.2.1")
	other := ContextWithClientIP(t.Context(), "192.0.2.2")

	if _, err := a.Authenticate(ctx, "ann", "ann-secret"); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := a.Authenticate(ctx, "ann", "guess"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("failure %d: err = %v", i, err)
		}
	}
	before := a.Stats().PasswordHashes
	if _, err := a.Authenticate(other, "ann", "guess"); !errors.Is(err, ErrThrottled) {
		t.Errorf("4th guess for ann from another address: err = %v, want ErrThrottled", err)
	}
	if _, err := a.Authenticate(ctx, "nobody", "guess"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("4th failure from the address: err = %v, want ErrInvalidCredentials", err)
	}
	if _, err := a.Authenticate(ctx, "bob", "bob-secret"); !errors.Is(err, ErrThrottled) {
		t.Errorf("the throttled address logging in as bob: err = %v, want ErrThrottled", err)
	}
	if got := a.Stats().PasswordHashes - before; got != 1 {
		t.Errorf("throttled attempts computed %d argon2 hashes, want 1 (for the unthrottled one)", got)
	}
	// The legitimate user's client keeps working, even from the throttled
	// address: its verified password is cached, and app passwords are not
	// throttled.
	if _, err := a.Authenticate(ctx, "ann", "ann-secret"); err != nil {
		t.Errorf("cached credentials while ann and the address are throttled: %v", err)
	}
	if _, err := a.Authenticate(ctx, "ann", tok); err != nil {
		t.Errorf("app password while ann and the address are throttled: %v", err)
	}
	if _, err := a.Authenticate(other, "bob", "bob-secret"); err != nil {
		t.Errorf("bob from another address: %v", err)
	}
	*now = now.Add(time.Minute)
	if _, err := a.Authenticate(ctx, "ann", "guess"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("after the window: err = %v, want ErrInvalidCredentials", err)
	}
}

func TestLimiterBounded(t *testing.T) {
	l := newLimiter(1, time.Minute, 10)
	now := time.Now()
	for i := range 100 {
		l.fail(strings.Repeat("k", i+1), now.Add(time.Duration(i)*time.Millisecond))
	}
	if len(l.keys) > 10 {
		t.Errorf("limiter holds %d keys, want at most 10", len(l.keys))
	}
}

// TestConcurrentLogins: a burst of logins with the same credentials on a
// cold cache runs at most one argon2id verification per slot (one per
// core); the others wait and are answered from the cache.
func TestConcurrentLogins(t *testing.T) {
	_, a, _ := newFixture(t, Options{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := a.Authenticate(t.Context(), "ann", "ann-secret"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	st := a.Stats()
	if slots := int64(runtime.GOMAXPROCS(0)); st.PasswordHashes > slots {
		t.Errorf("16 concurrent logins ran %d argon2 verifications, want at most %d", st.PasswordHashes, slots)
	}
	if st.PasswordHashes+st.CacheHits != 16 {
		t.Errorf("stats %+v: want 16 logins answered", st)
	}
}
