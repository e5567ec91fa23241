// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package auth

import (
	"container/list"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
)

// Errors of Authenticate.
var (
	// ErrInvalidCredentials: unknown user or wrong password. The message
	// does not say which.
	ErrInvalidCredentials = errors.New("auth: invalid credentials")
	// ErrThrottled: too many recent failures for this user or client
	// address; the credentials were not checked.
	ErrThrottled = errors.New("auth: too many failed attempts")
)

// Store is what the Authenticator needs from storage; calendar.Store
// satisfies it. Methods return calendar.ErrNotFound when nothing matches
// and must be safe for concurrent use.
type Store interface {
	Principal(ctx context.Context, id int64) (*calendar.Principal, error)
	PrincipalByName(ctx context.Context, name string) (*calendar.Principal, error)
	AppPasswordByHash(ctx context.Context, hash []byte) (*calendar.AppPassword, error)
}

// Options configure an Authenticator. Zero values select the defaults.
type Options struct {
	// CacheTTL is how long a successful password verification is
	// remembered; 0 means 5 minutes, a negative value disables the cache.
	CacheTTL time.Duration
	// CacheSize bounds the number of remembered verifications; 0 means
	// 4096.
	CacheSize int
	// MaxFailures is the number of failed attempts per user name allowed
	// within FailureWindow before further password checks for the name
	// are refused with ErrThrottled until the window ends; 0 means 10.
	MaxFailures int
	// MaxFailuresPerIP is the same per client address (see
	// ContextWithClientIP); 0 means 100, as many users may share an
	// address (NAT, a reverse proxy).
	MaxFailuresPerIP int
	// FailureWindow: 0 means 1 minute.
	FailureWindow time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Authenticator checks user names with a password or an app password.
// It is safe for concurrent use.
//
// Successful password verifications are cached in memory for CacheTTL,
// keyed by an HMAC (with a random per-process key) of the user name and
// password, so that clients sending Basic credentials on every request pay
// the argon2id cost once. A cache entry is only used while the principal's
// stored password hash is the one it was verified against, so a password
// change, even by another process, invalidates it.
type Authenticator struct {
	store Store
	opt   Options
	key   [32]byte

	mu    sync.Mutex
	lru   *list.List // of *cacheEntry, most recent first
	cache map[[32]byte]*list.Element

	users, ips *limiter
	slots      chan struct{} // see acquire

	hashChecks atomic.Int64
	cacheHits  atomic.Int64
}

type cacheEntry struct {
	key          [32]byte
	user         string
	passwordHash string
	expires      time.Time
}

// New returns an Authenticator on store.
func New(store Store, opt Options) *Authenticator {
	if opt.CacheTTL == 0 {
		opt.CacheTTL = 5 * time.Minute
	}
	if opt.CacheSize <= 0 {
		opt.CacheSize = 4096
	}
	if opt.MaxFailures <= 0 {
		opt.MaxFailures = 10
	}
	if opt.MaxFailuresPerIP <= 0 {
		opt.MaxFailuresPerIP = 100
	}
	if opt.FailureWindow <= 0 {
		opt.FailureWindow = time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	a := &Authenticator{
		store: store,
		opt:   opt,
		lru:   list.New(),
		cache: make(map[[32]byte]*list.Element),
		users: newLimiter(opt.MaxFailures, opt.FailureWindow, 16384),
		ips:   newLimiter(opt.MaxFailuresPerIP, opt.FailureWindow, 16384),
		slots: make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
	rand.Read(a.key[:])
	return a
}

type clientIPKey struct{}

// ContextWithClientIP returns ctx carrying the client's address, which
// Authenticate uses to throttle failures per client as well as per user.
func ContextWithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, clientIPKey{}, ip)
}

// dummyHash is verified for unknown users so that their failures take as
// long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("almanac")
	return h
})

// Authenticate returns the principal named user if pass is its password
// or one of its app passwords. It returns ErrInvalidCredentials for an
// unknown user or a wrong password, ErrThrottled after too many recent
// failures, and other errors for storage failures.
//
// Throttling only refuses argon2id verifications: credentials verified
// recently (cached) and app passwords (random 128-bit tokens, checked with
// a SHA-256 and a lookup; guessing them is hopeless) are accepted even
// while the user name or the client address is throttled, so that an
// attacker guessing passwords does not lock the legitimate user out.
func (a *Authenticator) Authenticate(ctx context.Context, user, pass string) (*calendar.Principal, error) {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	now := a.opt.Now()
	if user == "" || pass == "" {
		return nil, a.fail(user, ip, now)
	}
	p, err := a.store.PrincipalByName(ctx, user)
	if errors.Is(err, calendar.ErrNotFound) {
		if a.throttled(user, ip, now) {
			return nil, ErrThrottled
		}
		a.verifyDummy(pass)
		return nil, a.fail(user, ip, now)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: look up %q: %w", user, err)
	}

	ck := a.cacheKey(user, pass)
	if a.cached(ck, user, p.PasswordHash, now) {
		a.cacheHits.Add(1)
		return p, nil
	}

	th := HashToken(pass)
	ap, err := a.store.AppPasswordByHash(ctx, th)
	switch {
	case err == nil && ap.PrincipalID == p.ID && subtle.ConstantTimeCompare(ap.Hash, th) == 1:
		return p, nil
	case err != nil && !errors.Is(err, calendar.ErrNotFound):
		return nil, fmt.Errorf("auth: look up app password: %w", err)
	}

	if a.throttled(user, ip, now) {
		return nil, ErrThrottled
	}
	if p.PasswordHash == "" {
		a.verifyDummy(pass)
		return nil, a.fail(user, ip, now)
	}
	release := a.acquire()
	if a.cached(ck, user, p.PasswordHash, a.opt.Now()) {
		// Another request verified the same credentials while this
		// one waited for its turn.
		release()
		a.cacheHits.Add(1)
		return p, nil
	}
	ok, err := a.verify(p.PasswordHash, pass)
	release()
	if err != nil {
		return nil, fmt.Errorf("auth: password of %q: %w", user, err)
	}
	if !ok {
		return nil, a.fail(user, ip, now)
	}
	a.remember(ck, user, p.PasswordHash, now)
	return p, nil
}

func (a *Authenticator) throttled(user, ip string, now time.Time) bool {
	return a.users.blocked(user, now) || (ip != "" && a.ips.blocked(ip, now))
}

// Invalidate forgets every cached verification of user, as after a
// password change made through this process.
func (a *Authenticator) Invalidate(user string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for e := a.lru.Front(); e != nil; {
		next := e.Next()
		if ce := e.Value.(*cacheEntry); ce.user == user {
			a.lru.Remove(e)
			delete(a.cache, ce.key)
		}
		e = next
	}
}

// Stats count the work done by an Authenticator since it was created.
type Stats struct {
	PasswordHashes int64 // argon2id computations
	CacheHits      int64 // successful authentications answered from the cache
}

// Stats returns the counters.
func (a *Authenticator) Stats() Stats {
	return Stats{PasswordHashes: a.hashChecks.Load(), CacheHits: a.cacheHits.Load()}
}

// acquire waits for one of the slots that bound concurrent argon2id
// verifications and returns the function that frees it. Each verification
// takes a core and 19 MiB for about 45 ms, so more of them at once than
// there are cores only adds memory: a burst of logins (or a flood of wrong
// passwords) is queued instead of growing the heap.
func (a *Authenticator) acquire() (release func()) {
	a.slots <- struct{}{}
	return func() { <-a.slots }
}

// verifyDummy spends what a real verification costs, so that unknown
// users and users without a password answer no faster than a wrong
// password.
func (a *Authenticator) verifyDummy(pass string) {
	defer a.acquire()()
	a.verify(dummyHash(), pass)
}

func (a *Authenticator) verify(phc, pass string) (bool, error) {
	a.hashChecks.Add(1)
	return VerifyPassword(phc, pass)
}

func (a *Authenticator) fail(user, ip string, now time.Time) error {
	if user != "" {
		a.users.fail(user, now)
	}
	if ip != "" {
		a.ips.fail(ip, now)
	}
	return ErrInvalidCredentials
}

func (a *Authenticator) cacheKey(user, pass string) [32]byte {
	m := hmac.New(sha256.New, a.key[:])
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(user)))
	m.Write(n[:])
	m.Write([]byte(user))
	m.Write([]byte(pass))
	var k [32]byte
	m.Sum(k[:0])
	return k
}

func (a *Authenticator) cached(k [32]byte, user, passwordHash string, now time.Time) bool {
	if a.opt.CacheTTL < 0 {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.cache[k]
	if !ok {
		return false
	}
	ce := e.Value.(*cacheEntry)
	if ce.user != user || ce.passwordHash != passwordHash || !now.Before(ce.expires) {
		a.lru.Remove(e)
		delete(a.cache, k)
		return false
	}
	a.lru.MoveToFront(e)
	return true
}

func (a *Authenticator) remember(k [32]byte, user, passwordHash string, now time.Time) {
	if a.opt.CacheTTL < 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if e, ok := a.cache[k]; ok {
		a.lru.Remove(e)
	}
	a.cache[k] = a.lru.PushFront(&cacheEntry{key: k, user: user, passwordHash: passwordHash, expires: now.Add(a.opt.CacheTTL)})
	for a.lru.Len() > a.opt.CacheSize {
		e := a.lru.Back()
		a.lru.Remove(e)
		delete(a.cache, e.Value.(*cacheEntry).key)
	}
}
