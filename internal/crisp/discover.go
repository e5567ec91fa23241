// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Receiver discovery (iSchedule -05 §4, seed-mapping §3.2 and §4.1 step
// 3): SRV _ischedules._tcp.<domain> with the context path of the TXT
// record at the same name, the parent domains down to the registrable
// domain when there is no SRV record, and then
// https://<domain>/.well-known/ischedule, probed with a capabilities
// request.

const (
	// srvService and srvProto name the iSchedule SRV service; -05 §4.2
	// has TLS only (the plain _ischedule label was removed).
	srvService = "ischedules"
	srvProto   = "tcp"
	// wellKnownPath is the iSchedule well-known URI (-05 §4.4).
	wellKnownPath = "/.well-known/ischedule"
	// defaultPositiveTTL is how long a found endpoint is kept when the
	// DNS TTL is unknown (an injected LookupSRV, the well-known probe).
	defaultPositiveTTL = time.Hour
	// maxPositiveTTL caps DNS TTLs (seed-mapping §4.1: min(SRV TTL, 24 h)).
	maxPositiveTTL = 24 * time.Hour
	// maxCacheEntries bounds each cache; expired entries are dropped
	// when it is reached.
	maxCacheEntries = 10000
)

// srvTarget is one SRV record (RFC 2782).
type srvTarget struct {
	host             string
	port             uint16
	priority, weight uint16
}

// endpointEntry is the cached discovery result of one domain: either the
// SRV targets and the path, or one URL (the well-known probe), or the
// error saying there is no endpoint.
type endpointEntry struct {
	targets []srvTarget
	path    string
	url     *url.URL
	none    error // wraps ErrNoEndpoint
	expires time.Time
}

// Endpoint finds the iSchedule URL of a domain, cached for the DNS TTL
// of the SRV and TXT records (at most a day; an hour for a well-known
// endpoint or when the TTL is unknown) or, when the domain has no
// endpoint, for NegativeTTL. It returns an error wrapping ErrNoEndpoint
// when the domain has none. When the SRV records name several targets,
// each call picks one by priority and weight (RFC 2782). A domain
// without SRV records has an endpoint only if
// https://<domain>/.well-known/ischedule answers a capabilities request,
// so Endpoint may make that request; redirects lead to the endpoint
// returned.
func (c *Client) Endpoint(ctx context.Context, domain string) (*url.URL, error) {
	urls, err := c.endpoints(ctx, domain)
	if err != nil {
		return nil, err
	}
	return urls[0], nil
}

// endpoints returns the URLs of a domain's receivers in the order to try
// them: SRV targets ordered by priority and weight, or the one
// well-known URL.
func (c *Client) endpoints(ctx context.Context, domain string) ([]*url.URL, error) {
	d, err := canonicalDomain(domain)
	if err != nil {
		return nil, err
	}
	now := c.now()
	c.mu.Lock()
	e, ok := c.discovered[d]
	c.mu.Unlock()
	if !ok || !now.Before(e.expires) {
		e, err = c.discover(ctx, d)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if len(c.discovered) >= maxCacheEntries {
			for k, old := range c.discovered {
				if !now.Before(old.expires) {
					delete(c.discovered, k)
				}
			}
		}
		c.discovered[d] = e
		c.mu.Unlock()
	}
	switch {
	case e.none != nil:
		return nil, e.none
	case e.url != nil:
		u := *e.url
		return []*url.URL{&u}, nil
	}
	var urls []*url.URL
	for _, t := range orderSRV(e.targets) {
		host := t.host
		if t.port != 443 {
			host = net.JoinHostPort(t.host, strconv.Itoa(int(t.port)))
		}
		urls = append(urls, &url.URL{Scheme: "https", Host: host, Path: e.path})
	}
	return urls, nil
}

// canonicalDomain lower-cases a domain, drops a final dot and converts
// an internationalised name to its A-label form (RFC 5891).
func canonicalDomain(domain string) (string, error) {
	d := strings.TrimSuffix(strings.TrimSpace(domain), ".")
	a, err := idna.Lookup.ToASCII(d)
	if err != nil || a == "" {
		return "", fmt.Errorf("crisp: invalid domain %q", domain)
	}
	return strings.ToLower(a), nil
}

// discover runs the discovery of one domain. Definite answers (records
// or their absence) come back as an entry; DNS failures that may pass
// are returned as errors and not cached.
func (c *Client) discover(ctx context.Context, domain string) (*endpointEntry, error) {
	now := c.now()
	for _, name := range srvCandidates(domain) {
		targets, ttl, err := c.lookupSRV(ctx, name)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("crisp: SRV lookup for %s: %w", name, err)
		}
		// RFC 2782: a single target "." means the service is decidedly
		// not available at this domain.
		if len(targets) == 1 && targets[0].host == "" {
			return c.noEndpoint(now, fmt.Errorf("crisp: %s refuses iSchedule (SRV target \".\"): %w", name, ErrNoEndpoint)), nil
		}
		path, txtTTL, err := c.lookupPath(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("crisp: TXT lookup for %s: %w", name, err)
		}
		return &endpointEntry{targets: targets, path: path, expires: now.Add(min(ttl, txtTTL))}, nil
	}
	// No SRV record: the well-known URI on the domain itself, if it
	// answers a capabilities request (seed-mapping §4.1 step 3b).
	u := &url.URL{Scheme: "https", Host: domain, Path: wellKnownPath}
	final, err := c.probe(ctx, u)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return c.noEndpoint(now, fmt.Errorf("crisp: no iSchedule SRV record for %s and no receiver at %s (%v): %w", domain, u, err, ErrNoEndpoint)), nil
	}
	return &endpointEntry{url: final, expires: now.Add(defaultPositiveTTL)}, nil
}

func (c *Client) noEndpoint(now time.Time, err error) *endpointEntry {
	return &endpointEntry{none: err, expires: now.Add(c.negativeTTL)}
}

// srvCandidates lists the names whose SRV records are tried: the domain
// and then its parents with one label stripped at a time (-05 §4.1 MAY),
// stopping at the registrable domain so that no query goes to a public
// suffix such as "com" or "co.uk".
func srvCandidates(domain string) []string {
	names := []string{domain}
	floor, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return names
	}
	for d := domain; d != floor && strings.HasSuffix(d, "."+floor); {
		d = d[strings.IndexByte(d, '.')+1:]
		names = append(names, d)
	}
	return names
}

// lookupSRV returns the SRV targets of _ischedules._tcp.<name> and their
// TTL.
func (c *Client) lookupSRV(ctx context.Context, name string) ([]srvTarget, time.Duration, error) {
	var (
		srvs []*net.SRV
		err  error
		ttl  = defaultPositiveTTL
	)
	if c.opts.LookupSRV != nil {
		_, srvs, err = c.opts.LookupSRV(ctx, srvService, srvProto, name+".")
	} else {
		rec := new(ttlRecorder)
		_, srvs, err = c.sniffingResolver(rec).LookupSRV(ctx, srvService, srvProto, name+".")
		if t, ok := rec.min(); ok {
			ttl = t
		}
	}
	// The resolver drops records with invalid target names and reports
	// an error alongside the others; use the others.
	if err != nil && len(srvs) == 0 {
		return nil, 0, err
	}
	if len(srvs) == 0 {
		return nil, 0, &net.DNSError{Err: "no SRV records", Name: name, IsNotFound: true}
	}
	targets := make([]srvTarget, 0, len(srvs))
	for _, s := range srvs {
		host := strings.ToLower(strings.TrimSuffix(s.Target, "."))
		targets = append(targets, srvTarget{host: host, port: s.Port, priority: s.Priority, weight: s.Weight})
	}
	return targets, min(ttl, maxPositiveTTL), nil
}

// lookupPath returns the context path of the TXT records of
// _ischedules._tcp.<name> (-05 §4.3, RFC 6763 §6 key "path"), or the
// well-known path when there is none, and the TTL of the records.
//
// The resolver joins the character-strings of one TXT record, so a path
// is recognised in a record that consists of the "path=" pair alone or
// begins with it.
func (c *Client) lookupPath(ctx context.Context, name string) (string, time.Duration, error) {
	var (
		txts []string
		err  error
		ttl  = maxPositiveTTL
	)
	qname := "_" + srvService + "._" + srvProto + "." + name + "."
	if c.opts.LookupTXT != nil {
		txts, err = c.opts.LookupTXT(ctx, qname)
	} else {
		rec := new(ttlRecorder)
		txts, err = c.sniffingResolver(rec).LookupTXT(ctx, qname)
		if t, ok := rec.min(); ok {
			ttl = t
		}
	}
	if isNotFound(err) {
		return wellKnownPath, maxPositiveTTL, nil
	}
	if err != nil {
		return "", 0, err
	}
	for _, t := range txts {
		// RFC 6763 §6.4: keys are case-insensitive.
		if len(t) > 5 && strings.EqualFold(t[:5], "path=") && strings.HasPrefix(t[5:], "/") {
			return t[5:], ttl, nil
		}
	}
	return wellKnownPath, ttl, nil
}

func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// orderSRV orders SRV targets as RFC 2782 says: by ascending priority,
// and within one priority by a weighted random choice repeated until
// every target is placed, so a target of weight 0 comes last unless it
// wins the small chance the RFC gives it.
func orderSRV(in []srvTarget) []srvTarget {
	ts := slices.Clone(in)
	slices.SortStableFunc(ts, func(a, b srvTarget) int { return int(a.priority) - int(b.priority) })
	for i := 0; i < len(ts); {
		j := i + 1
		for j < len(ts) && ts[j].priority == ts[i].priority {
			j++
		}
		group := ts[i:j]
		for k := range group {
			// RFC 2782: the unordered records with weight 0 first, then
			// the first whose running sum of weights reaches a random
			// number between 0 and the sum.
			slices.SortStableFunc(group[k:], func(a, b srvTarget) int {
				return min(int(a.weight), 1) - min(int(b.weight), 1)
			})
			sum := 0
			for _, t := range group[k:] {
				sum += int(t.weight)
			}
			r := rand.IntN(sum + 1)
			for m, t := range group[k:] {
				r -= int(t.weight)
				if r <= 0 {
					group[k], group[k+m] = group[k+m], group[k]
					break
				}
			}
		}
		i = j
	}
	return ts
}

// sniffingResolver returns a resolver that asks the configured DNS
// server (or the system's) and hands every DNS response it reads to rec,
// which keeps the smallest answer TTL: net.Resolver does not return
// TTLs, and -05 §4 says senders MUST honour them.
func (c *Client) sniffingResolver(rec *ttlRecorder) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			if c.opts.Resolver != "" {
				address = c.resolverAddr
			}
			var d net.Dialer
			conn, err := d.DialContext(ctx, network, address)
			if err != nil {
				return nil, err
			}
			sc := &sniffConn{Conn: conn, rec: rec}
			// The Go resolver frames messages by whether the connection
			// is a PacketConn; keep that visible.
			if pc, ok := conn.(net.PacketConn); ok {
				return &sniffPacketConn{sniffConn: sc, pc: pc}, nil
			}
			sc.stream = true
			return sc, nil
		},
	}
}

// ttlRecorder keeps the smallest TTL of the answer records it sees.
type ttlRecorder struct {
	mu   sync.Mutex
	ttl  uint32
	seen bool
}

func (r *ttlRecorder) record(msg []byte) {
	var p dnsmessage.Parser
	if _, err := p.Start(msg); err != nil {
		return
	}
	if err := p.SkipAllQuestions(); err != nil {
		return
	}
	for {
		h, err := p.AnswerHeader()
		if err != nil {
			return
		}
		r.mu.Lock()
		if !r.seen || h.TTL < r.ttl {
			r.ttl, r.seen = h.TTL, true
		}
		r.mu.Unlock()
		if err := p.SkipAnswer(); err != nil {
			return
		}
	}
}

func (r *ttlRecorder) min() (time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Duration(r.ttl) * time.Second, r.seen
}

// sniffConn passes DNS responses read from a connection to a
// ttlRecorder: one message per Read on UDP, two-byte length-prefixed
// messages on TCP (RFC 1035 §4.2.2).
type sniffConn struct {
	net.Conn
	rec    *ttlRecorder
	stream bool
	buf    []byte
}

func (s *sniffConn) Read(b []byte) (int, error) {
	n, err := s.Conn.Read(b)
	if n > 0 {
		if !s.stream {
			s.rec.record(b[:n])
		} else {
			s.buf = append(s.buf, b[:n]...)
			for len(s.buf) >= 2 {
				l := int(s.buf[0])<<8 | int(s.buf[1])
				if len(s.buf) < 2+l {
					break
				}
				s.rec.record(s.buf[2 : 2+l])
				s.buf = s.buf[2+l:]
			}
		}
	}
	return n, err
}

// sniffPacketConn is a sniffConn over a datagram connection.
type sniffPacketConn struct {
	*sniffConn
	pc net.PacketConn
}

func (s *sniffPacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, addr, err := s.pc.ReadFrom(b)
	if n > 0 {
		s.rec.record(b[:n])
	}
	return n, addr, err
}

func (s *sniffPacketConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	return s.pc.WriteTo(b, addr)
}
