// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestEndpointSRVAndTXT(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	c := e.client(t, nil)
	u, err := c.Endpoint(t.Context(), "Example.NET.")
	if err != nil {
		t.Fatalf("Endpoint(example.net): %v", err)
	}
	want := "https://ischedule.example.net:" + e.recv.port() + "/custom/ischedule"
	if u.String() != want {
		t.Errorf("Endpoint(example.net) = %s, want %s", u, want)
	}
	for _, q := range []string{"_ischedules._tcp.example.net. SRV", "_ischedules._tcp.example.net. TXT"} {
		if !e.dns.asked(q) {
			t.Errorf("no DNS query %q", q)
		}
	}
}

func TestEndpointWithoutTXTUsesWellKnownPath(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false,
		"_ischedules._tcp.plain.example.net. 3600 IN SRV 0 1 8443 ischedule.example.net.",
		`_ischedules._tcp.plain.example.net. 3600 IN TXT "txtvers=1"`,
		"_ischedules._tcp.std.example.net. 3600 IN SRV 0 1 443 ischedule.example.net.")
	c := e.client(t, nil)
	for domain, want := range map[string]string{
		"plain.example.net": "https://ischedule.example.net:8443/.well-known/ischedule",
		"std.example.net":   "https://ischedule.example.net/.well-known/ischedule",
	} {
		u, err := c.Endpoint(t.Context(), domain)
		if err != nil || u.String() != want {
			t.Errorf("Endpoint(%s) = %v, %v, want %s", domain, u, err, want)
		}
	}
}

func TestEndpointStripsSubdomains(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	c := e.client(t, nil)
	u, err := c.Endpoint(t.Context(), "cal.sub.example.net")
	if err != nil {
		t.Fatalf("Endpoint(cal.sub.example.net): %v", err)
	}
	if want := "https://ischedule.example.net:" + e.recv.port() + "/custom/ischedule"; u.String() != want {
		t.Errorf("Endpoint(cal.sub.example.net) = %s, want %s", u, want)
	}
	for _, q := range []string{"_ischedules._tcp.cal.sub.example.net. SRV", "_ischedules._tcp.sub.example.net. SRV", "_ischedules._tcp.example.net. TXT"} {
		if !e.dns.asked(q) {
			t.Errorf("no DNS query %q", q)
		}
	}

	// The stripping stops at the registrable domain: no query for a
	// public suffix.
	if _, err := c.Endpoint(t.Context(), "a.b.nothing.example.org"); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("Endpoint(a.b.nothing.example.org) error = %v, want ErrNoEndpoint", err)
	}
	if !e.dns.asked("_ischedules._tcp.example.org. SRV") {
		t.Error("no SRV query for the registrable domain example.org")
	}
	if e.dns.asked("_ischedules._tcp.org. SRV") {
		t.Error("SRV query for the public suffix org")
	}
}

func TestEndpointWellKnown(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	c := e.client(t, func(o *ClientOptions) { o.RootCAs, o.HTTPClient = nil, e.wellKnownHTTPClient(t) })
	u, err := c.Endpoint(t.Context(), "wk.example.org")
	if err != nil {
		t.Fatalf("Endpoint(wk.example.org): %v", err)
	}
	if want := "https://wk.example.org/.well-known/ischedule"; u.String() != want {
		t.Errorf("Endpoint(wk.example.org) = %s, want %s", u, want)
	}
	if gets, _, _, _ := e.recv.stats(); gets != 1 {
		t.Errorf("capabilities requests = %d, want 1 (the probe)", gets)
	}
	// The probe's document is cached: Capabilities makes no request.
	caps, err := c.Capabilities(t.Context(), u)
	if err != nil || caps.SerialNumber != 42 {
		t.Fatalf("Capabilities(%s) = %+v, %v", u, caps, err)
	}
	if gets, _, _, _ := e.recv.stats(); gets != 1 {
		t.Errorf("capabilities requests = %d after Capabilities, want 1", gets)
	}
}

func TestEndpointWellKnownRedirect(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	e.recv.set(func(r *clReceiver) {
		r.redirects["/.well-known/ischedule"] = clRedirect{http.StatusMovedPermanently, "/ischedule/real"}
	})
	c := e.client(t, func(o *ClientOptions) { o.RootCAs, o.HTTPClient = nil, e.wellKnownHTTPClient(t) })
	u, err := c.Endpoint(t.Context(), "wk.example.org")
	if err != nil {
		t.Fatalf("Endpoint(wk.example.org): %v", err)
	}
	if want := "https://wk.example.org/ischedule/real"; u.String() != want {
		t.Errorf("Endpoint(wk.example.org) = %s, want %s (after the redirect)", u, want)
	}
}

func TestEndpointWellKnownAbsent(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	e.recv.set(func(r *clReceiver) { r.capsStatus = 404 })
	c := e.client(t, func(o *ClientOptions) { o.RootCAs, o.HTTPClient = nil, e.wellKnownHTTPClient(t) })
	if _, err := c.Endpoint(t.Context(), "wk.example.org"); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("Endpoint(wk.example.org) with a 404 probe: error = %v, want ErrNoEndpoint", err)
	}
}

func TestEndpointNoneIsCached(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	c := e.client(t, func(o *ClientOptions) { o.NegativeTTL = 10 * time.Minute })
	_, err := c.Endpoint(t.Context(), "nx.example.org")
	if !errors.Is(err, ErrNoEndpoint) {
		t.Fatalf("Endpoint(nx.example.org) error = %v, want ErrNoEndpoint", err)
	}
	if !e.dns.asked("_ischedules._tcp.nx.example.org. SRV") {
		t.Error("no SRV query for nx.example.org")
	}
	n := e.dns.count()

	e.clock.Advance(9 * time.Minute)
	if _, err := c.Endpoint(t.Context(), "nx.example.org"); !errors.Is(err, ErrNoEndpoint) {
		t.Fatalf("second Endpoint(nx.example.org) error = %v, want ErrNoEndpoint", err)
	}
	if got := e.dns.count(); got != n {
		t.Errorf("DNS queries = %d after a cached negative answer, want %d", got, n)
	}

	e.clock.Advance(2 * time.Minute)
	if _, err := c.Endpoint(t.Context(), "nx.example.org"); !errors.Is(err, ErrNoEndpoint) {
		t.Fatalf("Endpoint(nx.example.org) after NegativeTTL: error = %v, want ErrNoEndpoint", err)
	}
	if got := e.dns.count(); got == n {
		t.Error("no DNS query after NegativeTTL")
	}
}

func TestEndpointSRVTTL(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false,
		"_ischedules._tcp.short.example.net. 60 IN SRV 0 1 443 ischedule.example.net.")
	c := e.client(t, nil)
	if _, err := c.Endpoint(t.Context(), "short.example.net"); err != nil {
		t.Fatalf("Endpoint(short.example.net): %v", err)
	}
	n := e.dns.count()
	e.clock.Advance(59 * time.Second)
	if _, err := c.Endpoint(t.Context(), "short.example.net"); err != nil {
		t.Fatal(err)
	}
	if got := e.dns.count(); got != n {
		t.Errorf("DNS queries = %d within the TTL, want %d", got, n)
	}
	e.clock.Advance(2 * time.Second)
	if _, err := c.Endpoint(t.Context(), "short.example.net"); err != nil {
		t.Fatal(err)
	}
	if got := e.dns.count(); got == n {
		t.Error("no DNS query after the SRV TTL of 60 s")
	}
}

func TestEndpointRefusedBySRVDot(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false,
		"_ischedules._tcp.closed.example.net. 3600 IN SRV 0 0 0 .",
		"closed.example.net. 3600 IN A 127.0.0.1")
	c := e.client(t, nil)
	if _, err := c.Endpoint(t.Context(), "closed.example.net"); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("Endpoint(closed.example.net) error = %v, want ErrNoEndpoint", err)
	}
	// RFC 2782: no well-known probe either.
	if e.dns.asked("closed.example.net. A") {
		t.Error("the well-known URL was tried despite the SRV target \".\"")
	}
}

func TestEndpointLookupOverrides(t *testing.T) {
	var srvNames, txtNames []string
	c, err := NewClient(ClientOptions{
		LookupSRV: func(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
			srvNames = append(srvNames, service+"/"+proto+"/"+name)
			return "", []*net.SRV{
				{Target: "backup.example.com.", Port: 443, Priority: 20, Weight: 1},
				{Target: "cal.example.com.", Port: 8443, Priority: 10, Weight: 5},
			}, nil
		},
		LookupTXT: func(_ context.Context, name string) ([]string, error) {
			txtNames = append(txtNames, name)
			return []string{"path=/ischedule"}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.Endpoint(t.Context(), "example.com")
	if err != nil {
		t.Fatalf("Endpoint(example.com): %v", err)
	}
	if want := "https://cal.example.com:8443/ischedule"; u.String() != want {
		t.Errorf("Endpoint(example.com) = %s, want %s (lowest priority first)", u, want)
	}
	if want := []string{"ischedules/tcp/example.com."}; !slices.Equal(srvNames, want) {
		t.Errorf("LookupSRV calls = %q, want %q", srvNames, want)
	}
	if want := []string{"_ischedules._tcp.example.com."}; !slices.Equal(txtNames, want) {
		t.Errorf("LookupTXT calls = %q, want %q", txtNames, want)
	}
}

func TestEndpointTemporaryDNSFailureNotCached(t *testing.T) {
	calls := 0
	c, err := NewClient(ClientOptions{
		LookupSRV: func(context.Context, string, string, string) (string, []*net.SRV, error) {
			calls++
			return "", nil, &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_, err := c.Endpoint(t.Context(), "example.com")
		if err == nil || errors.Is(err, ErrNoEndpoint) {
			t.Fatalf("Endpoint with a failing resolver: error = %v, want a temporary error", err)
		}
	}
	if calls != 2 {
		t.Errorf("LookupSRV calls = %d, want 2 (a failure is not cached)", calls)
	}
}

func TestOrderSRV(t *testing.T) {
	in := []srvTarget{
		{host: "c", priority: 20, weight: 1},
		{host: "a", priority: 10, weight: 99},
		{host: "z", priority: 10, weight: 0},
		{host: "b", priority: 10, weight: 1},
	}
	firstA := 0
	for range 1000 {
		out := orderSRV(in)
		if len(out) != len(in) {
			t.Fatalf("orderSRV returned %d targets, want %d", len(out), len(in))
		}
		if out[3].host != "c" {
			t.Fatalf("orderSRV: priority 20 at %v, want last", out)
		}
		if out[0].host == "a" {
			firstA++
		}
	}
	// Weight 99 of 100: first in about 98 % of the orderings.
	if firstA < 900 {
		t.Errorf("orderSRV put the weight-99 target first %d times in 1000, want about 980", firstA)
	}
}

func TestSRVCandidates(t *testing.T) {
	for domain, want := range map[string][]string{
		"example.com":            {"example.com"},
		"host.cal.example.com":   {"host.cal.example.com", "cal.example.com", "example.com"},
		"cal.example.co.uk":      {"cal.example.co.uk", "example.co.uk"},
		"localhost":              {"localhost"},
		"mail.example.github.io": {"mail.example.github.io", "example.github.io"},
	} {
		if got := srvCandidates(domain); !slices.Equal(got, want) {
			t.Errorf("srvCandidates(%q) = %q, want %q", domain, got, want)
		}
	}
}
