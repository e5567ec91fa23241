// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/server"
	"github.com/almanac-project/almanac/internal/servertest"
)

// testDNS is an authoritative DNS server on 127.0.0.1 whose records the
// test changes as it goes: iSchedule SRV and TXT records, A records of
// the endpoints, DKIM keys.
type testDNS struct {
	addr string
	mu   sync.Mutex
	rrs  map[string][]dns.RR // by "name TYPE"
}

func startDNS(t *testing.T) *testDNS {
	t.Helper()
	d := &testDNS{rrs: map[string][]dns.RR{}}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(d.serve), NotifyStartedFunc: func() { close(started) }}
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	d.addr = pc.LocalAddr().String()
	return d
}

// set replaces the records of one name and type with records (zone-file
// lines, TTL 1 s so that changes are seen).
func (d *testDNS) set(t *testing.T, name, typ string, records ...string) {
	t.Helper()
	var rrs []dns.RR
	for _, r := range records {
		rr, err := dns.NewRR(name + " 1 IN " + typ + " " + r)
		if err != nil {
			t.Fatalf("dns.NewRR(%q): %v", r, err)
		}
		rrs = append(rrs, rr)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rrs[strings.ToLower(dns.Fqdn(name))+" "+typ] = rrs
}

func (d *testDNS) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	d.mu.Lock()
	for _, q := range req.Question {
		rrs := d.rrs[strings.ToLower(q.Name)+" "+dns.TypeToString[q.Qtype]]
		m.Answer = append(m.Answer, rrs...)
		if len(rrs) == 0 {
			m.Rcode = dns.RcodeNameError
		}
	}
	d.mu.Unlock()
	w.WriteMsg(m)
}

// testPKI writes a CA and a server certificate for the test domains (and
// 127.0.0.1) into dir, and returns the CA's pool.
func testPKI(t *testing.T, dir string) (certFile, keyFile, caFile string, pool *x509.CertPool) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CRISP test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "crisp.test"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		DNSNames:    []string{"a.example", "b.example", "c.example", "e.example", "localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, caFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "ca.pem")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "PRIVATE KEY", keyDER)
	writePEM(t, caFile, "CERTIFICATE", caDER)
	pool = x509.NewCertPool()
	pool.AddCert(ca)
	return certFile, keyFile, caFile, pool
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// dkimKey writes an Ed25519 DKIM key for domain into dir and publishes
// it in d under selector "crisp".
func dkimKey(t *testing.T, d *testDNS, dir, domain string) string {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, domain+".dkim.pem")
	writePEM(t, path, "PRIVATE KEY", der)
	d.set(t, "crisp._domainkey."+domain, "TXT", `"v=DKIM1; k=ed25519; s=ischedule; p=`+base64.StdEncoding.EncodeToString(pub)+`"`)
	return path
}

// publish points domain's iSchedule SRV record at addr (host:port).
func (d *testDNS) publish(t *testing.T, domain, addr string) {
	t.Helper()
	_, port, _ := net.SplitHostPort(addr)
	d.set(t, "_ischedules._tcp."+domain, "SRV", "0 0 "+port+" "+domain+".")
	d.set(t, domain, "A", "127.0.0.1")
}

type crispSite struct {
	in     *servertest.Instance
	client *http.Client
}

func (s crispSite) do(t *testing.T, method, path, user, body string, h http.Header) *http.Response {
	t.Helper()
	req := s.in.NewRequest(t, method, path, user, body, h)
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

func (s crispSite) get(t *testing.T, path, user string) (int, string) {
	t.Helper()
	resp := s.do(t, "GET", path, user, "", nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.ReplaceAll(string(b), "\r\n ", "")
}

// eventually polls cond, for the delivery queues.
func eventually(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 20*time.Second {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// TestCRISPTwoDomains: two independently configured servers, a.example
// and b.example, on 127.0.0.1 with a loopback DNS server. An organizer in
// A invites an attendee in B in real time with a DKIM-signed request; B
// accepts and A's copy shows it; the same goes through crisp-proxy; with
// an endpoint gone, the invitation falls back to e-mail.
func TestCRISPTwoDomains(t *testing.T) {
	dir := t.TempDir()
	d := startDNS(t)
	certFile, keyFile, caFile, pool := testPKI(t, dir)
	relay := startSink(t)
	site := func(domain string) crispSite {
		key := dkimKey(t, d, dir, domain)
		in := servertest.Start(t, servertest.Config(func(c *config.Config) {
			c.Domains = []string{domain}
			c.TLSCert, c.TLSKey, c.CAFile = certFile, keyFile, caFile
			c.Resolver = d.addr
			c.CRISPDKIMKey, c.CRISPDKIMSelector = key, "crisp"
			c.CRISPAnonymous = "deny"
			c.SMTPRelay, c.MailFrom = relay.addr, "calendar@"+domain
		}))
		tr := in.Client.Transport.(*http.Transport)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
		d.publish(t, domain, in.Server.Addr().String())
		return crispSite{in: in, client: in.Client}
	}
	a, b := site("a.example"), site("b.example")
	a.in.AddUser(t, "ann", "pw-ann-1234", "ann@a.example")
	b.in.AddUser(t, "bob", "pw-bob-1234", "bob@b.example")
	b.in.AddUser(t, "cat", "pw-cat-1234", "cat@c.example")

	invite := func(uid string, attendees ...string) string {
		var atts strings.Builder
		for _, x := range attendees {
			atts.WriteString("\r\nATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:" + x)
		}
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
			"\r\nDTSTAMP:20260301T000000Z\r\nDTSTART:20260320T100000Z\r\nDTEND:20260320T110000Z\r\nSUMMARY:Cross-domain" +
			"\r\nORGANIZER;CN=Ann:mailto:ann@a.example\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ann@a.example" + atts.String() +
			"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	put := func(s crispSite, user, path, body string) {
		t.Helper()
		resp := s.do(t, "PUT", path, user, body, http.Header{"Content-Type": {"text/calendar"}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusNoContent {
			t.Fatalf("PUT %s = %d", path, resp.StatusCode)
		}
	}

	// 1. ann invites bob: real time, DKIM-signed by a.example.
	const uid = "crisp-e2e-1@a.example"
	annPath := "/dav/calendars/ann/calendar/" + uid + ".ics"
	bobPath := "/dav/calendars/bob/calendar/" + uid + ".ics"
	put(a, "ann", annPath, invite(uid, "bob@b.example"))
	latency := eventually(t, "bob's copy on B", func() bool {
		st, _ := b.get(t, bobPath, "bob")
		return st == http.StatusOK
	})
	t.Logf("invitation from A in B's calendar after %v", latency)
	eventually(t, "SCHEDULE-STATUS 1.2 on A", func() bool {
		_, body := a.get(t, annPath, "ann")
		return strings.Contains(attendeeOf(body, "bob@b.example"), "SCHEDULE-STATUS=1.2")
	})
	if len(relay.msgs) != 0 {
		t.Errorf("the relay got %d messages; real time should have been used", len(relay.msgs))
	}

	// 2. bob accepts on B: the REPLY goes back in real time.
	_, copyBody := b.get(t, bobPath, "bob")
	accepted := strings.Replace(copyBody, "RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:bob@b.example", "PARTSTAT=ACCEPTED:mailto:bob@b.example", 1)
	if accepted == copyBody {
		t.Fatalf("test bug: bob's line not found in\n%s", copyBody)
	}
	put(b, "bob", bobPath, strings.ReplaceAll(accepted, "\n", "\r\n"))
	eventually(t, "ACCEPTED in ann's copy", func() bool {
		_, body := a.get(t, annPath, "ann")
		return strings.Contains(attendeeOf(body, "bob@b.example"), "PARTSTAT=ACCEPTED")
	})

	// An unsigned request to B, which requires a signature, is refused
	// and stores nothing.
	unsigned := strings.Replace(invite("crisp-e2e-x@a.example", "bob@b.example"), "BEGIN:VEVENT", "METHOD:REQUEST\r\nBEGIN:VEVENT", 1)
	if st, body := crispPost(t, b.client, b.in.BaseURL+"/.well-known/ischedule", "mailto:ann@a.example", "mailto:bob@b.example",
		"text/calendar; charset=utf-8; component=VEVENT; method=REQUEST", unsigned); st != http.StatusForbidden || !strings.Contains(body, "verification-failed") {
		t.Errorf("unsigned POST to B = %d %s, want 403 verification-failed", st, body)
	}
	if st, _ := b.get(t, "/dav/calendars/bob/calendar/crisp-e2e-x@a.example.ics", "bob"); st != http.StatusNotFound {
		t.Errorf("an unsigned invitation reached bob's calendar (GET %d)", st)
	}

	// 3. Through crisp-proxy: c.example's endpoint is a DMZ proxy in
	// front of B.
	pln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pcfg := config.Default()
	pcfg.Listen = pln.Addr().String()
	pcfg.TLSCert, pcfg.TLSKey, pcfg.CAFile, pcfg.Resolver = certFile, keyFile, caFile, d.addr
	pcfg.CRISPAnonymous = "deny"
	ctx, cancel := context.WithCancel(context.Background())
	proxyDone := make(chan error, 1)
	go func() {
		proxyDone <- server.RunCRISPProxy(ctx, pcfg, "https://"+b.in.Server.Addr().String()+"/.well-known/ischedule",
			server.ProxyOptions{Listener: pln})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-proxyDone; err != nil {
			t.Errorf("RunCRISPProxy: %v", err)
		}
	})
	d.publish(t, "c.example", pln.Addr().String())
	const uid2 = "crisp-e2e-2@a.example"
	put(a, "ann", "/dav/calendars/ann/calendar/"+uid2+".ics", invite(uid2, "cat@c.example"))
	eventually(t, "cat's copy on B through the proxy", func() bool {
		st, _ := b.get(t, "/dav/calendars/cat/calendar/"+uid2+".ics", "cat")
		return st == http.StatusOK
	})

	// 4. An endpoint gone: e.example's SRV points at a closed port; the
	// invitation goes by e-mail and the status says so.
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()
	d.publish(t, "e.example", deadAddr)
	const uid3 = "crisp-e2e-3@a.example"
	put(a, "ann", "/dav/calendars/ann/calendar/"+uid3+".ics", invite(uid3, "eve@e.example"))
	msgs := relay.wait(t, 1)
	if msgs[0].to[0] != "eve@e.example" || !strings.Contains(string(msgs[0].data), "method=REQUEST") {
		t.Errorf("fallback mail to %v:\n%s", msgs[0].to, msgs[0].data)
	}
	eventually(t, "SCHEDULE-STATUS 1.1 for eve", func() bool {
		_, body := a.get(t, "/dav/calendars/ann/calendar/"+uid3+".ics", "ann")
		return strings.Contains(attendeeOf(body, "eve@e.example"), "SCHEDULE-STATUS=1.1")
	})
}

// crispPost sends a raw iSchedule POST to a receiver.
func crispPost(t *testing.T, c *http.Client, url, originator, recipient, ctype, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("iSchedule-Version", "1.0")
	req.Header.Set("Cache-Control", "no-cache, no-transform")
	if originator != "" {
		req.Header.Set("Originator", originator)
	}
	req.Header.Set("Recipient", recipient)
	req.Header.Set("Content-Type", ctype)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestCRISPRefusals: requests a receiver must refuse, each with its
// status and iSchedule error element, and nothing stored.
func TestCRISPRefusals(t *testing.T) {
	in := servertest.Start(t, servertest.Config(func(c *config.Config) {
		c.Domains = []string{"b.example"}
		c.CRISPAnonymous = "allow"
	}))
	in.AddUser(t, "bob", "pw-bob-1234", "bob@b.example")
	url := in.BaseURL + "/.well-known/ischedule"
	msg := func(method, extra string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n" + method + "BEGIN:VEVENT\r\nUID:r1@a.example\r\nDTSTAMP:20260301T000000Z\r\n" +
			"DTSTART:20260320T100000Z\r\nDTEND:20260320T110000Z\r\nSUMMARY:x\r\nORGANIZER:mailto:ann@a.example\r\n" + extra +
			"END:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	const ct = "text/calendar; charset=utf-8; component=VEVENT; method=REQUEST"
	good := msg("METHOD:REQUEST\r\n", "ATTENDEE:mailto:bob@b.example\r\n")
	for _, tc := range []struct {
		name, originator, ctype, body string
		status                        int
		element                       string
	}{
		{"not valid iTIP (REQUEST without ATTENDEE)", "mailto:ann@a.example", ct, msg("METHOD:REQUEST\r\n", ""), 400, "invalid-scheduling-message"},
		{"no METHOD", "mailto:ann@a.example", "text/calendar; charset=utf-8", msg("", "ATTENDEE:mailto:bob@b.example\r\n"), 400, "invalid-scheduling-message"},
		{"forged Originator", "mailto:mallory@evil.example", ct, good, 403, "originator-denied"},
		{"bad DKIM signature", "mailto:ann@a.example", ct, good, 403, "verification-failed"},
		{"oversized body", "mailto:ann@a.example", ct, good + strings.Repeat("X-PAD:"+strings.Repeat("x", 70)+"\r\n", 5000), 413, "max-content-length"},
		{"not iCalendar", "mailto:ann@a.example", ct, "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 400, "invalid-calendar-data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", url, strings.NewReader(tc.body))
			req.Header.Set("iSchedule-Version", "1.0")
			req.Header.Set("Originator", tc.originator)
			req.Header.Set("Recipient", "mailto:bob@b.example")
			req.Header.Set("Content-Type", tc.ctype)
			if tc.element == "verification-failed" {
				req.Header.Set("DKIM-Signature", "v=1; a=ed25519-sha256; d=a.example; s=crisp; c=ischedule-relaxed/simple; q=dns/txt; t=1; x=4102444800; h=Content-Type:iSchedule-Version:Originator:Recipient; bh=AAAA; b=AAAA")
			}
			resp, err := in.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || !strings.Contains(string(body), "<"+tc.element) {
				t.Errorf("POST = %d %s, want %d %s", resp.StatusCode, body, tc.status, tc.element)
			}
		})
	}
	// Nothing of the above reached bob.
	items := func() []string {
		var out []string
		for _, l := range listing(t, in, "bob", "/dav/calendars/bob/inbox/") {
			if href, _, _ := strings.Cut(l, " "); strings.HasSuffix(href, ".ics") {
				out = append(out, href)
			}
		}
		return out
	}
	if got := items(); len(got) != 0 {
		t.Errorf("bob's inbox after the refusals: %q, want it empty", got)
	}
	// A valid anonymous request is accepted, and held.
	st, body := crispPost(t, in.Client, url, "mailto:ann@a.example", "mailto:bob@b.example", ct, good)
	if st != http.StatusOK || !strings.Contains(body, "2.0") {
		t.Fatalf("valid anonymous POST = %d %s", st, body)
	}
	held := false
	for _, href := range items() {
		if strings.Contains(getBody(t, in, href, "bob"), "X-ALMANAC-UNVERIFIED") {
			held = true
		}
	}
	if !held {
		t.Errorf("the anonymous message is not held in bob's inbox")
	}
	if code := fmt.Sprint(in.Do(t, "GET", "/dav/calendars/bob/calendar/r1@a.example.ics", "bob", "", nil).StatusCode); code != "404" {
		t.Errorf("an anonymous invitation reached bob's calendar (GET %s)", code)
	}
	// A flood from one address: refused once over the limit, and the
	// refused requests store nothing.
	before := len(items())
	limited := 0
	for range 130 {
		st, _ := crispPost(t, in.Client, url, "mailto:ann@a.example", "mailto:bob@b.example", ct, msg("METHOD:REQUEST\r\n", ""))
		if st == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Errorf("130 requests from one address were never limited")
	}
	if after := len(items()); after != before {
		t.Errorf("the flood changed bob's inbox: %d → %d items", before, after)
	}
}
