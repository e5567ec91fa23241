// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

var (
	clCyrus  = "mailto:cyrus@example.net"
	clNobody = "mailto:nobody@example.net"
)

func TestSendDelivers(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	c := e.client(t, nil)
	msg := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus, clNobody})
	got, err := c.Send(t.Context(), "MAILTO:Bernard@Example.com", []string{"MAILTO:Cyrus@Example.NET", clNobody}, msg)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := map[string]string{clCyrus: "2.0;Success", clNobody: "2.0;Success"}
	if !maps.Equal(got, want) {
		t.Errorf("Send = %v, want %v", got, want)
	}
	p := e.recv.posted()
	if len(p.paths) != 1 || p.paths[0] != "/custom/ischedule" {
		t.Fatalf("POSTs to %q, want 1 to /custom/ischedule", p.paths)
	}
	h := p.headers[0]
	// -05 §6.1 and seed-mapping §3.4.
	for name, want := range map[string]string{
		"iSchedule-Version": "1.0",
		"Originator":        "mailto:bernard@example.com",
		"Recipient":         clCyrus + ", " + clNobody,
		"Cache-Control":     "no-cache, no-transform",
		"Content-Type":      "text/calendar; charset=utf-8; component=VEVENT; method=REQUEST",
	} {
		if got := h.Values(name); len(got) != 1 || got[0] != want {
			t.Errorf("request header %s = %q, want %q", name, got, want)
		}
	}
	uuid := regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)
	if id := h.Get("iSchedule-Message-ID"); !uuid.MatchString(id) {
		t.Errorf("iSchedule-Message-ID = %q, want a random UUID", id)
	}
	if p.protos[0] != "HTTP/2.0" {
		t.Errorf("request protocol = %s, want HTTP/2.0 (the receiver offers h2)", p.protos[0])
	}
	if h.Get("DKIM-Signature") != "" {
		t.Error("an unsigned client sent a DKIM-Signature")
	}
	if !bytes.Equal(p.bodies[0], ical.Marshal(msg)) {
		t.Errorf("request body = %q, want ical.Marshal(msg)", p.bodies[0])
	}

	// A second message gets another message ID.
	if _, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, msg); err != nil {
		t.Fatal(err)
	}
	p = e.recv.posted()
	if a, b := p.headers[0].Get("iSchedule-Message-ID"), p.headers[1].Get("iSchedule-Message-ID"); a == b {
		t.Errorf("two requests with iSchedule-Message-ID %s", a)
	}
}

func TestSendRequestStatuses(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	e.recv.set(func(r *clReceiver) { r.postBody = clTestdata(t, "schedule-response.xml") })
	c := e.client(t, nil)
	ghost := "mailto:ghost@example.net"
	got, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus, clNobody, ghost},
		clMessage(t, "REQUEST", "VEVENT", []string{clCyrus, clNobody, ghost}))
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := map[string]string{
		clCyrus:  "2.0;Success",
		clNobody: "3.7;Invalid calendar user",
		ghost:    statusNoResponse,
	}
	if !maps.Equal(got, want) {
		t.Errorf("Send = %v, want %v", got, want)
	}
}

func TestSendCapabilitiesCached(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	c := e.client(t, nil)
	msg := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus})
	for range 2 {
		if _, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, msg); err != nil {
			t.Fatalf("Send: %v", err)
		}
		e.clock.Advance(time.Minute)
	}
	if gets, _, _, posts := e.recv.stats(); gets != 1 || posts != 2 {
		t.Errorf("after two Sends: %d capabilities requests and %d POSTs, want 1 and 2", gets, posts)
	}
}

func TestSendCapabilitiesRevalidated(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	e.recv.set(func(r *clReceiver) { r.cacheControl = "max-age=60" })
	c := e.client(t, nil)
	msg := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus})
	send := func() {
		t.Helper()
		if _, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, msg); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	send()
	e.clock.Advance(30 * time.Second)
	send()
	if gets, _, _, _ := e.recv.stats(); gets != 1 {
		t.Fatalf("capabilities requests within max-age = %d, want 1", gets)
	}
	e.clock.Advance(31 * time.Second)
	send()
	gets, conditional, notModified, posts := e.recv.stats()
	if gets != 2 || conditional != 1 || notModified != 1 || posts != 3 {
		t.Errorf("after max-age: %d capabilities requests, %d conditional, %d answered 304, %d POSTs; want 2, 1, 1, 3",
			gets, conditional, notModified, posts)
	}
	// The 304 renewed the freshness.
	e.clock.Advance(30 * time.Second)
	send()
	if gets, _, _, _ := e.recv.stats(); gets != 2 {
		t.Errorf("capabilities requests after the renewal = %d, want 2", gets)
	}
}

func TestSendCapabilitiesSerialChange(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	c := e.client(t, nil)
	msg := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus})
	send := func() {
		t.Helper()
		if _, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, msg); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	send()
	e.recv.set(func(r *clReceiver) { r.serial = 43 })
	send() // the POST's iSchedule-Capabilities: 43 marks the cache stale
	if gets, _, _, _ := e.recv.stats(); gets != 1 {
		t.Fatalf("capabilities requests = %d before the change is seen, want 1", gets)
	}
	send()
	gets, conditional, _, _ := e.recv.stats()
	if gets != 2 || conditional != 0 {
		t.Errorf("after a serial change: %d capabilities requests, %d conditional; want 2, 0", gets, conditional)
	}
	ep, err := c.Endpoint(t.Context(), "example.net")
	if err != nil {
		t.Fatal(err)
	}
	if caps, err := c.Capabilities(t.Context(), ep); err != nil || caps.SerialNumber != 43 {
		t.Errorf("Capabilities = serial %d, %v; want 43", caps.SerialNumber, err)
	}
	send()
	if gets, _, _, _ := e.recv.stats(); gets != 2 {
		t.Errorf("capabilities requests = %d once the new serial is cached, want 2", gets)
	}
}

func TestSendNotAccepted(t *testing.T) {
	big := "DESCRIPTION:" + strings.Repeat("x", 2100)
	for _, tc := range []struct {
		name       string
		component  string
		method     string
		recipients []string
		extra      []string
	}{
		{"component", "VTODO", "REQUEST", []string{clCyrus}, nil},
		{"method", "VEVENT", "ADD", []string{clCyrus}, nil},
		{"max-recipients", "VEVENT", "REQUEST", []string{clCyrus, clNobody, "mailto:third@example.net"}, nil},
		{"max-content-length", "VEVENT", "REQUEST", []string{clCyrus}, []string{big}},
		{"inline attachment", "VEVENT", "REQUEST", []string{clCyrus}, []string{"ATTACH;ENCODING=BASE64;VALUE=BINARY:SGVsbG8="}},
		{"rscale", "VEVENT", "REQUEST", []string{clCyrus}, []string{"RRULE:RSCALE=CHINESE;FREQ=YEARLY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startClEnv(t, "capabilities-limits.xml", false)
			c := e.client(t, nil)
			msg := clMessage(t, tc.method, tc.component, tc.recipients, tc.extra...)
			_, err := c.Send(t.Context(), "mailto:bernard@example.com", tc.recipients, msg)
			if !errors.Is(err, ErrNotAccepted) {
				t.Fatalf("Send error = %v, want ErrNotAccepted", err)
			}
			if _, _, _, posts := e.recv.stats(); posts != 0 {
				t.Errorf("POSTs = %d, want 0", posts)
			}
		})
	}

	// The same limits admit a message within them.
	e := startClEnv(t, "capabilities-limits.xml", false)
	c := e.client(t, nil)
	ok := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus, clNobody}, "ATTACH:https://example.com/agenda.pdf", "RRULE:RSCALE=GREGORIAN;FREQ=WEEKLY;COUNT=3")
	if _, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus, clNobody}, ok); err != nil {
		t.Errorf("Send within the limits: %v", err)
	}
}

func TestSendRemoteError(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	e.recv.set(func(r *clReceiver) {
		r.postStatus = http.StatusForbidden
		r.postBody = clTestdata(t, "error-verification-failed.xml")
	})
	c := e.client(t, func(o *ClientOptions) { o.BreakerFailures = 2 })
	msg := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus})
	for range 3 {
		_, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, msg)
		var re *RemoteError
		if !errors.As(err, &re) {
			t.Fatalf("Send error = %v, want *RemoteError", err)
		}
		want := RemoteError{Status: 403, Condition: "verification-failed", Description: "DKIM signature did not verify"}
		if *re != want {
			t.Errorf("Send error = %+v, want %+v", *re, want)
		}
	}
	// A refusal is an answer: the breaker stays closed.
	if _, _, _, posts := e.recv.stats(); posts != 3 {
		t.Errorf("POSTs = %d, want 3", posts)
	}
}

func TestSendServerErrorIsTemporary(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	e.recv.set(func(r *clReceiver) { r.postStatus, r.postBody = http.StatusServiceUnavailable, []byte("busy") })
	c := e.client(t, nil)
	_, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, clMessage(t, "REQUEST", "VEVENT", []string{clCyrus}))
	var re *RemoteError
	if err == nil || errors.As(err, &re) || errors.Is(err, ErrNoEndpoint) || errors.Is(err, ErrNotAccepted) || errors.Is(err, ErrCircuitOpen) {
		t.Errorf("Send with a 503 answer: error = %v, want a transport error", err)
	}
}

func TestSendCircuitBreaker(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	e.recv.set(func(r *clReceiver) { r.postStatus, r.postBody = http.StatusInternalServerError, []byte("oops") })
	c := e.client(t, func(o *ClientOptions) { o.BreakerFailures, o.BreakerCooldown = 3, 5*time.Minute })
	msg := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus})
	send := func() error {
		_, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, msg)
		return err
	}
	for i := range 3 {
		if err := send(); err == nil || errors.Is(err, ErrCircuitOpen) {
			t.Fatalf("Send %d: error = %v, want a transport error", i+1, err)
		}
	}
	if err := send(); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("Send after 3 failures: error = %v, want ErrCircuitOpen", err)
	}
	if _, _, _, posts := e.recv.stats(); posts != 3 {
		t.Errorf("POSTs = %d, want 3 (none while open)", posts)
	}

	// After the cool-down one trial goes through; it fails: open again.
	e.clock.Advance(5 * time.Minute)
	if err := send(); err == nil || errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("trial Send: error = %v, want a transport error", err)
	}
	if err := send(); !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("Send after a failed trial: error = %v, want ErrCircuitOpen", err)
	}

	// The next trial succeeds: closed.
	e.clock.Advance(5 * time.Minute)
	e.recv.set(func(r *clReceiver) { r.postStatus, r.postBody = 0, nil })
	for i := range 2 {
		if err := send(); err != nil {
			t.Fatalf("Send %d after recovery: %v", i+1, err)
		}
	}
	if _, _, _, posts := e.recv.stats(); posts != 6 {
		t.Errorf("POSTs = %d, want 6", posts)
	}
}

func TestSendFollowsRedirect(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			e := startClEnv(t, "capabilities.xml", false)
			// The capabilities stay at the endpoint; the POST moves.
			e.recv.set(func(r *clReceiver) { r.redirects["/custom/ischedule"] = clRedirect{status, "/moved/ischedule"} })
			c := e.client(t, nil)
			ep, err := c.Endpoint(t.Context(), "example.net")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Capabilities(t.Context(), ep); err != nil {
				t.Fatalf("Capabilities through the redirect: %v", err)
			}
			got, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, clMessage(t, "REQUEST", "VEVENT", []string{clCyrus}))
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if got[clCyrus] != "2.0;Success" {
				t.Errorf("Send = %v", got)
			}
			if p := e.recv.posted(); len(p.paths) != 1 || p.paths[0] != "/moved/ischedule" || len(p.bodies[0]) == 0 {
				t.Errorf("POSTs to %q, want the message POSTed to /moved/ischedule", p.paths)
			}
		})
	}
}

func TestSendRefusesPlainHTTPRedirect(t *testing.T) {
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { plainHits.Add(1) }))
	t.Cleanup(plain.Close)
	e := startClEnv(t, "capabilities.xml", false)
	c := e.client(t, nil)
	msg := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus})
	// Capabilities first, so that the redirect meets the POST.
	if _, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, msg); err != nil {
		t.Fatal(err)
	}
	e.recv.set(func(r *clReceiver) {
		r.redirects["/custom/ischedule"] = clRedirect{http.StatusTemporaryRedirect, plain.URL + "/ischedule"}
	})
	_, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, msg)
	if !errors.Is(err, errRedirect) {
		t.Errorf("Send redirected to http: error = %v, want a refused redirect", err)
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the plain-http server got %d requests", n)
	}
}

func TestSendFailsOverToNextSRVTarget(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, deadPort, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	recv := startClReceiver(t, "capabilities.xml", false)
	d := startClDNS(t,
		"_ischedules._tcp.example.net. 3600 IN SRV 0 1 "+deadPort+" dead.example.net.",
		"_ischedules._tcp.example.net. 3600 IN SRV 10 1 "+recv.port()+" ischedule.example.net.",
		"dead.example.net. 3600 IN A 127.0.0.1",
		"ischedule.example.net. 3600 IN A 127.0.0.1")
	c, err := NewClient(ClientOptions{Resolver: d.addr, RootCAs: clCerts(t).pool})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := c.Endpoint(t.Context(), "example.net")
	if err != nil || ep.Hostname() != "dead.example.net" {
		t.Fatalf("Endpoint(example.net) = %v, %v; want the priority-0 target", ep, err)
	}
	got, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, clMessage(t, "REQUEST", "VEVENT", []string{clCyrus}))
	if err != nil || got[clCyrus] != "2.0;Success" {
		t.Fatalf("Send = %v, %v; want delivery through the priority-10 target", got, err)
	}
	if _, _, _, posts := recv.stats(); posts != 1 {
		t.Errorf("POSTs = %d, want 1", posts)
	}
}

func TestSendMutualTLS(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", true)
	msg := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus})

	anon := e.client(t, nil)
	if _, err := anon.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, msg); err == nil {
		t.Error("Send without a client certificate to a receiver that requires one succeeded")
	}

	cert := clCerts(t).client
	c := e.client(t, func(o *ClientOptions) { o.ClientCert = &cert })
	if _, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, msg); err != nil {
		t.Fatalf("Send with a client certificate: %v", err)
	}
	if cns := e.recv.posted().clientCNs; len(cns) != 1 || cns[0] != "almanac.example.com" {
		t.Errorf("client certificates seen = %q, want [almanac.example.com]", cns)
	}
}

func TestSendVerifiesServerCertificate(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false,
		"_ischedules._tcp.other.example.net. 3600 IN SRV 0 1 "+startClReceiver(t, "capabilities.xml", false).port()+" other.example.net.",
		"other.example.net. 3600 IN A 127.0.0.1")
	msg := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus})

	// The test CA is not among the system's roots.
	c := e.client(t, func(o *ClientOptions) { o.RootCAs = nil })
	if _, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, msg); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Send to a receiver of an unknown CA: error = %v, want a certificate error", err)
	}

	// The certificate does not name other.example.net.
	c = e.client(t, nil)
	other := "mailto:someone@other.example.net"
	if _, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{other}, clMessage(t, "REQUEST", "VEVENT", []string{other})); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("Send to a receiver with another name's certificate: error = %v, want a certificate error", err)
	}
}

func TestSendSigned(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t, func(o *ClientOptions) {
		o.Signer = &Signer{Domain: "example.com", Selector: "crisp", Key: key}
	})
	if _, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, clMessage(t, "REQUEST", "VEVENT", []string{clCyrus})); err != nil {
		t.Fatalf("Send with a Signer: %v", err)
	}
	p := e.recv.posted()
	sig := p.headers[0].Get("DKIM-Signature")
	if !strings.Contains(sig, "d=example.com") || !strings.Contains(sig, "s=crisp") {
		t.Errorf("DKIM-Signature = %q, want one with d=example.com and s=crisp", sig)
	}
	// What arrived is what was signed: the receiver's check passes.
	v := &Verifier{
		Keys: map[string]string{"crisp._domainkey.example.com": "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)},
		Now:  e.clock.Now,
	}
	if d, err := v.Verify(t.Context(), p.headers[0], p.bodies[0]); err != nil || d != "example.com" {
		t.Errorf("Verify(received request) = %q, %v; want example.com", d, err)
	}
}

func TestSendSigningFailure(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	c := e.client(t, func(o *ClientOptions) {
		o.Signer = &Signer{Domain: "example.com", Selector: "crisp"} // no key
		o.BreakerFailures = 1
	})
	for range 2 {
		// A local failure does not count towards the breaker.
		_, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{clCyrus}, clMessage(t, "REQUEST", "VEVENT", []string{clCyrus}))
		if err == nil || !strings.Contains(err.Error(), "sign request") || errors.Is(err, ErrCircuitOpen) {
			t.Fatalf("Send with a broken Signer: error = %v, want a signing error", err)
		}
	}
	if _, _, _, posts := e.recv.stats(); posts != 0 {
		t.Errorf("POSTs = %d, want none unsigned", posts)
	}
}

func TestSendNoEndpoint(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	c := e.client(t, func(o *ClientOptions) { o.BreakerFailures = 1 })
	nx := "mailto:someone@nx.example.org"
	for range 2 {
		// ErrNoEndpoint does not count towards the breaker.
		if _, err := c.Send(t.Context(), "mailto:bernard@example.com", []string{nx}, clMessage(t, "REQUEST", "VEVENT", []string{nx})); !errors.Is(err, ErrNoEndpoint) {
			t.Fatalf("Send to a domain without a receiver: error = %v, want ErrNoEndpoint", err)
		}
	}
}

func TestSendRefusesBadArguments(t *testing.T) {
	e := startClEnv(t, "capabilities.xml", false)
	c := e.client(t, nil)
	good := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus})
	noMethod := clMessage(t, "REQUEST", "VEVENT", []string{clCyrus})
	noMethod.Del(ical.PropMethod)
	for _, tc := range []struct {
		name       string
		originator string
		recipients []string
		msg        *ical.Component
	}{
		{"mixed domains", "mailto:bernard@example.com", []string{clCyrus, "mailto:ann@example.org"}, good},
		{"no recipients", "mailto:bernard@example.com", nil, good},
		{"not mailto", "mailto:bernard@example.com", []string{"urn:uuid:9e3b1f2a-1111-4c3d-9a4e-000000000001"}, good},
		{"comma in recipient", "mailto:bernard@example.com", []string{"mailto:a@example.net,b@example.net"}, good},
		{"bad originator", "bernard", []string{clCyrus}, good},
		{"no METHOD", "mailto:bernard@example.com", []string{clCyrus}, noMethod},
		{"not a VCALENDAR", "mailto:bernard@example.com", []string{clCyrus}, good.Children[0]},
		{"originator not the ORGANIZER", "mailto:eve@example.com", []string{clCyrus}, good},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.dns.count()
			_, err := c.Send(t.Context(), tc.originator, tc.recipients, tc.msg)
			if err == nil || errors.Is(err, ErrNoEndpoint) || errors.Is(err, ErrNotAccepted) {
				t.Errorf("Send error = %v, want an argument error", err)
			}
			if e.dns.count() != before {
				t.Error("Send looked up DNS for a refused argument")
			}
		})
	}
}

func TestNewClientRefusesBadOptions(t *testing.T) {
	cert := tls.Certificate{}
	for name, o := range map[string]ClientOptions{
		"HTTPClient with ClientCert": {HTTPClient: http.DefaultClient, ClientCert: &cert},
		"negative cooldown":          {BreakerCooldown: -time.Second},
		"bad resolver":               {Resolver: "[::1"},
	} {
		if _, err := NewClient(o); err == nil {
			t.Errorf("NewClient(%s) succeeded", name)
		}
	}
	c, err := NewClient(ClientOptions{Resolver: "127.0.0.1"})
	if err != nil || c.resolverAddr != "127.0.0.1:53" {
		t.Errorf("NewClient(Resolver 127.0.0.1) = %v; want resolver 127.0.0.1:53", err)
	}
}

func TestCapsFreshness(t *testing.T) {
	for _, tc := range []struct {
		cc   []string
		want time.Duration
	}{
		{nil, defaultCapsFreshness},
		{[]string{"max-age=60"}, time.Minute},
		{[]string{"public, MAX-AGE=\"120\""}, 2 * time.Minute},
		{[]string{"max-age=31536000"}, maxCapsFreshness},
		{[]string{"max-age=600", "no-cache"}, 0},
		{[]string{"no-store"}, 0},
		{[]string{"max-age=bogus"}, defaultCapsFreshness},
	} {
		h := http.Header{"Cache-Control": tc.cc}
		if got := capsFreshness(h); got != tc.want {
			t.Errorf("capsFreshness(%q) = %v, want %v", tc.cc, got, tc.want)
		}
	}
}
