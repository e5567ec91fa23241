// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/miekg/dns"
)

// The test environment of the sending side: a DNS server on 127.0.0.1
// (miekg/dns, UDP) that counts its queries, a test PKI, iSchedule
// receivers on httptest TLS servers, and a fake clock.
//
// Receivers are reached by name: the DNS server answers A queries for
// the SRV targets with 127.0.0.1, and the client's default HTTP client
// resolves them through ClientOptions.Resolver. The well-known tests
// need port 443, which a test cannot listen on: there the client gets an
// HTTPClient whose DialContext sends port 443 to the receiver
// (wellKnownHTTPClient).

// clDNS is an authoritative DNS server for a few test names.
type clDNS struct {
	addr string

	mu      sync.Mutex
	rrs     map[string][]dns.RR // by "name TYPE"
	names   map[string]bool     // owner names that exist
	queries []string            // "name TYPE", in order
}

// startClDNS starts a DNS server answering with records (zone-file lines).
// Names without records are NXDOMAIN; other types of existing names get
// an empty answer.
func startClDNS(t *testing.T, records ...string) *clDNS {
	t.Helper()
	d := &clDNS{rrs: make(map[string][]dns.RR), names: make(map[string]bool)}
	for _, r := range records {
		rr, err := dns.NewRR(r)
		if err != nil {
			t.Fatalf("dns.NewRR(%q): %v", r, err)
		}
		h := rr.Header()
		key := strings.ToLower(h.Name) + " " + dns.TypeToString[h.Rrtype]
		d.rrs[key] = append(d.rrs[key], rr)
		d.names[strings.ToLower(h.Name)] = true
	}
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

func (d *clDNS) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	d.mu.Lock()
	for _, q := range req.Question {
		name := strings.ToLower(q.Name)
		key := name + " " + dns.TypeToString[q.Qtype]
		d.queries = append(d.queries, key)
		m.Answer = append(m.Answer, d.rrs[key]...)
		if !d.names[name] {
			m.Rcode = dns.RcodeNameError
		}
	}
	d.mu.Unlock()
	w.WriteMsg(m)
}

// count returns the number of queries so far.
func (d *clDNS) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queries)
}

// asked reports whether a query for "name TYPE" was made.
func (d *clDNS) asked(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, q := range d.queries {
		if q == key {
			return true
		}
	}
	return false
}

// clPKI is a CA with a server certificate for the test names and a
// client certificate.
type clPKI struct {
	pool   *x509.CertPool
	server tls.Certificate
	client tls.Certificate
}

var clPKIOnce = sync.OnceValues(func() (*clPKI, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Almanac test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, caKey.Public(), caKey)
	if err != nil {
		return nil, err
	}
	ca, err = x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage, names []string, ips []net.IP) (tls.Certificate, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return tls.Certificate{}, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			DNSNames: names, IPAddresses: ips,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
		if err != nil {
			return tls.Certificate{}, err
		}
		return tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}, nil
	}
	p := &clPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.server, err = leaf(2, "ischedule.example.net", x509.ExtKeyUsageServerAuth,
		[]string{"ischedule.example.net", "dead.example.net", "wk.example.org"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	p.client, err = leaf(3, "almanac.example.com", x509.ExtKeyUsageClientAuth, []string{"almanac.example.com"}, nil)
	return p, err
})

func clCerts(t *testing.T) *clPKI {
	t.Helper()
	p, err := clPKIOnce()
	if err != nil {
		t.Fatalf("test PKI: %v", err)
	}
	return p
}

// clRedirect is a redirect answer of the test receiver.
type clRedirect struct {
	status   int
	location string
}

// clReceiver is an iSchedule receiver that answers capabilities requests
// with a testdata document and POSTs with a schedule-response, counting
// what it gets.
type clReceiver struct {
	srv *httptest.Server

	mu           sync.Mutex
	capsDoc      []byte // serial-number rewritten to serial
	serial       int64
	etag         bool   // serve ETag "caps-<serial>"
	cacheControl string // of the capabilities response
	capsStatus   int    // 0: 200
	postStatus   int    // 0: 200
	postBody     []byte // nil: 2.0;Success for each recipient
	redirects    map[string]clRedirect

	gets        int // capabilities requests
	conditional int // of which with If-None-Match
	notModified int // of which answered 304
	posts       int
	postPaths   []string
	postHeaders []http.Header
	postBodies  [][]byte
	clientCNs   []string
	protos      []string
}

// startClReceiver starts a receiver with the capabilities document
// testdata/client/<capsFile> and serial 42; mtls makes it require a
// client certificate of the test CA.
func startClReceiver(t *testing.T, capsFile string, mtls bool) *clReceiver {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("testdata", "client", capsFile))
	if err != nil {
		t.Fatal(err)
	}
	r := &clReceiver{capsDoc: doc, serial: 42, etag: true, cacheControl: "max-age=3600", redirects: make(map[string]clRedirect)}
	r.srv = httptest.NewUnstartedServer(r)
	// HTTP/2, as most HTTPS servers speak it: the client's own TLS dialer
	// must still negotiate it.
	r.srv.EnableHTTP2 = true
	r.srv.Config.ErrorLog = log.New(t.Output(), "receiver: ", 0)
	r.srv.TLS = &tls.Config{Certificates: []tls.Certificate{clCerts(t).server}}
	if mtls {
		r.srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
		r.srv.TLS.ClientCAs = clCerts(t).pool
	}
	r.srv.StartTLS()
	t.Cleanup(r.srv.Close)
	return r
}

// port returns the receiver's port.
func (r *clReceiver) port() string {
	_, port, _ := net.SplitHostPort(r.srv.Listener.Addr().String())
	return port
}

func (r *clReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// -05 §8.2, §8.3: on every response.
	w.Header().Set("iSchedule-Version", "1.0")
	w.Header().Set("iSchedule-Capabilities", fmt.Sprint(r.serial))
	if rd, ok := r.redirects[req.URL.Path]; ok {
		loc := rd.location
		if req.URL.RawQuery != "" {
			loc += "?" + req.URL.RawQuery
		}
		http.Redirect(w, req, loc, rd.status)
		return
	}
	switch {
	case req.Method == http.MethodGet && req.URL.Query().Get("action") == "capabilities":
		r.gets++
		etag := fmt.Sprintf(`"caps-%d"`, r.serial)
		if inm := req.Header.Get("If-None-Match"); inm != "" {
			r.conditional++
			if r.etag && inm == etag {
				r.notModified++
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		if r.capsStatus != 0 {
			http.Error(w, "no", r.capsStatus)
			return
		}
		if r.etag {
			w.Header().Set("ETag", etag)
		}
		w.Header().Set("Cache-Control", r.cacheControl)
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		doc := bytes.Replace(r.capsDoc, []byte("<serial-number>42</serial-number>"), fmt.Appendf(nil, "<serial-number>%d</serial-number>", r.serial), 1)
		doc = bytes.Replace(doc, []byte("<serial-number>7</serial-number>"), fmt.Appendf(nil, "<serial-number>%d</serial-number>", r.serial), 1)
		w.Write(doc)
	case req.Method == http.MethodPost:
		body, _ := io.ReadAll(req.Body)
		r.posts++
		r.postPaths = append(r.postPaths, req.URL.Path)
		r.postHeaders = append(r.postHeaders, req.Header.Clone())
		r.postBodies = append(r.postBodies, body)
		r.protos = append(r.protos, req.Proto)
		if req.TLS != nil && len(req.TLS.PeerCertificates) > 0 {
			r.clientCNs = append(r.clientCNs, req.TLS.PeerCertificates[0].Subject.CommonName)
		}
		w.Header().Set("Cache-Control", "no-cache, no-transform")
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		status := r.postStatus
		if status == 0 {
			status = http.StatusOK
		}
		out := r.postBody
		if out == nil {
			var sr ScheduleResponse
			for _, a := range strings.Split(req.Header.Get("Recipient"), ",") {
				sr.Responses = append(sr.Responses, Response{Recipient: strings.TrimSpace(a), RequestStatus: "2.0;Success"})
			}
			out, _ = xml.Marshal(sr)
		}
		w.WriteHeader(status)
		w.Write(out)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// set changes the receiver under its lock.
func (r *clReceiver) set(f func(r *clReceiver)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(r)
}

// stats returns the counters: capabilities GETs, conditional GETs,
// 304s and POSTs.
func (r *clReceiver) stats() (gets, conditional, notModified, posts int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gets, r.conditional, r.notModified, r.posts
}

// clPosted is what the receiver got in POSTs.
type clPosted struct {
	paths     []string
	headers   []http.Header
	bodies    [][]byte
	clientCNs []string
	protos    []string
}

func (r *clReceiver) posted() clPosted {
	r.mu.Lock()
	defer r.mu.Unlock()
	return clPosted{slices.Clone(r.postPaths), slices.Clone(r.postHeaders), slices.Clone(r.postBodies), slices.Clone(r.clientCNs), slices.Clone(r.protos)}
}

func clTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "client", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// clClock is a settable clock.
type clClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClClock() *clClock {
	return &clClock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
}

func (c *clClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// clEnv is the usual set-up: example.net publishes an SRV record
// for a receiver at ischedule.example.net with the context path of its
// TXT record; wk.example.org exists but has no SRV record.
type clEnv struct {
	dns   *clDNS
	recv  *clReceiver
	clock *clClock
}

func startClEnv(t *testing.T, capsFile string, mtls bool, extra ...string) *clEnv {
	t.Helper()
	recv := startClReceiver(t, capsFile, mtls)
	records := append([]string{
		"_ischedules._tcp.example.net. 3600 IN SRV 0 1 " + recv.port() + " ischedule.example.net.",
		`_ischedules._tcp.example.net. 3600 IN TXT "path=/custom/ischedule"`,
		"ischedule.example.net. 3600 IN A 127.0.0.1",
		"wk.example.org. 3600 IN A 127.0.0.1",
	}, extra...)
	return &clEnv{dns: startClDNS(t, records...), recv: recv, clock: newClClock()}
}

// client returns a Client with the default HTTP client trusting the test
// CA, resolving through the test DNS server, on the fake clock.
func (e *clEnv) client(t *testing.T, mod func(o *ClientOptions)) *Client {
	t.Helper()
	o := ClientOptions{Resolver: e.dns.addr, RootCAs: clCerts(t).pool, Now: e.clock.Now}
	if mod != nil {
		mod(&o)
	}
	c, err := NewClient(o)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// wellKnownHTTPClient trusts the test CA and connects every address on
// port 443 to the receiver instead.
func (e *clEnv) wellKnownHTTPClient(t *testing.T) *http.Client {
	t.Helper()
	target := e.recv.srv.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if strings.HasSuffix(addr, ":443") {
				addr = target
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
		TLSClientConfig: &tls.Config{RootCAs: clCerts(t).pool},
	}}
}

// clMessage returns an iTIP message: a VCALENDAR with METHOD and one
// component, organised by bernard@example.com, with the attendees and
// the extra content lines.
func clMessage(t *testing.T, method, component string, attendees []string, extra ...string) *ical.Component {
	t.Helper()
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Almanac//crisp client test//EN\r\n")
	b.WriteString("METHOD:" + method + "\r\nBEGIN:" + component + "\r\n")
	b.WriteString("UID:crisp-client-test@example.com\r\nDTSTAMP:20260302T100000Z\r\n")
	b.WriteString("DTSTART:20260310T140000Z\r\nSUMMARY:Planning\r\nSEQUENCE:0\r\n")
	b.WriteString("ORGANIZER:mailto:bernard@example.com\r\n")
	for _, a := range attendees {
		b.WriteString("ATTENDEE;RSVP=TRUE:" + a + "\r\n")
	}
	for _, l := range extra {
		b.WriteString(l + "\r\n")
	}
	b.WriteString("END:" + component + "\r\nEND:VCALENDAR\r\n")
	cal, err := ical.Parse([]byte(b.String()))
	if err != nil {
		t.Fatalf("ical.Parse: %v", err)
	}
	return cal.Component
}
