// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/server"
	"github.com/almanac-project/almanac/internal/servertest"
)

const realm = `Basic realm="Almanac", charset="UTF-8"`

var davMethods = []string{"OPTIONS", "PROPFIND", "GET", "HEAD", "PUT", "DELETE", "REPORT", "MKCALENDAR", "PROPPATCH"}

// TestUnauthorized checks design/client-quirks.md §1: every anonymous or
// wrongly authenticated request to a DAV URL gets 401 with the same
// challenge, on every method, also on a connection that authenticated
// before.
func TestUnauthorized(t *testing.T) {
	in := servertest.Start(t)
	in.AddUser(t, "ann", "ann-password")

	tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var mu sync.Mutex
	var conns []string
	do := func(method, path, user, pass string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, in.BaseURL+path, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(ci httptrace.GotConnInfo) {
				mu.Lock()
				conns = append(conns, ci.Conn.LocalAddr().String())
				mu.Unlock()
			},
		}))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}

	// Authenticate first, so that the anonymous requests below travel on
	// a connection that has already carried credentials.
	if resp := do("PROPFIND", "/dav/", "ann", "ann-password"); resp.StatusCode == http.StatusUnauthorized {
		t.Fatalf("authenticated PROPFIND /dav/ = 401")
	}
	for _, path := range []string{"/", "/dav/", "/dav", "/dav/calendars/ann/", "/dav/calendars/ann/calendar/", "/dav/principals/ann/", "/.well-known/caldav", "/nowhere"} {
		for _, method := range davMethods {
			creds := [][2]string{{"", ""}}
			if path == "/dav/" {
				// Wrong credentials count as failures and are throttled
				// after ten per user name, so only on one path.
				creds = append(creds, [2]string{"ann", "wrong"}, [2]string{"nobody", "x"})
			}
			for _, cred := range creds {
				resp := do(method, path, cred[0], cred[1])
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s %s as %q: status %d, want 401", method, path, cred[0], resp.StatusCode)
					continue
				}
				if got := resp.Header.Values("WWW-Authenticate"); len(got) != 1 || got[0] != realm {
					t.Errorf("%s %s as %q: WWW-Authenticate %q, want exactly %q", method, path, cred[0], got, realm)
				}
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range conns[1:] {
		if c != conns[0] {
			t.Errorf("requests used more than one connection (%s, %s): keep-alive not exercised", conns[0], c)
			break
		}
	}
}

func TestWellKnown(t *testing.T) {
	in := servertest.Start(t)
	in.AddUser(t, "ann", "ann-password")
	for _, method := range []string{"GET", "PROPFIND", "OPTIONS"} {
		resp := in.Do(t, method, "/.well-known/caldav", "", "", nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous %s /.well-known/caldav = %d, want 401", method, resp.StatusCode)
		}
		resp = in.Do(t, method, "/.well-known/caldav", "ann", "", http.Header{"Depth": {"0"}})
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/dav/" {
			t.Errorf("%s /.well-known/caldav as ann = %d Location %q, want 301 to /dav/",
				method, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// TestContextRoot checks what clients configured with the bare server URL
// or following the well-known redirect meet.
func TestContextRoot(t *testing.T) {
	in := servertest.Start(t)
	in.AddUser(t, "ann", "ann-password")
	// python-requests re-sends a PROPFIND without its body after a 301
	// (design/client-quirks.md): the allprop answer must still name the
	// principal.
	for _, path := range []string{"/dav/", "/"} {
		resp := in.Do(t, "PROPFIND", path, "ann", "", http.Header{"Depth": {"0"}})
		if body := servertest.Body(t, resp); resp.StatusCode != http.StatusMultiStatus ||
			!strings.Contains(body, "current-user-principal") || !strings.Contains(body, "/dav/principals/ann/") {
			t.Errorf("body-less PROPFIND %s as ann = %d\n%s", path, resp.StatusCode, body)
		}
	}
	if resp := in.Do(t, "PUT", "/", "ann", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", http.Header{"Content-Type": {"text/calendar"}}); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT / as ann = %d, want 405", resp.StatusCode)
	}
	if resp := in.Do(t, "PROPFIND", "/dav", "ann", "", nil); resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != "/dav/" {
		t.Errorf("PROPFIND /dav as ann = %d %q, want 308 to /dav/", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestPostgres runs a smoke test on PostgreSQL when ALMANAC_TEST_POSTGRES
// is set.
func TestPostgres(t *testing.T) {
	in := servertest.Start(t, servertest.Postgres())
	in.AddUser(t, "ann", "ann-password", "ann@example.org")
	if resp := in.Do(t, "GET", "/healthz", "", "", nil); resp.StatusCode != 200 {
		t.Errorf("GET /healthz = %d", resp.StatusCode)
	}
	obj := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:pg-1\r\nDTSTAMP:20261101T000000Z\r\n" +
		"DTSTART:20261102T100000Z\r\nSUMMARY:On PostgreSQL\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if resp := in.Do(t, "PUT", "/dav/calendars/ann/calendar/pg-1.ics", "ann", obj, http.Header{"Content-Type": {"text/calendar"}}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT = %d", resp.StatusCode)
	}
	resp := in.Do(t, "GET", "/dav/calendars/ann/calendar/pg-1.ics", "ann", "", nil)
	if body := servertest.Body(t, resp); resp.StatusCode != 200 || !strings.Contains(body, "SUMMARY:On PostgreSQL") {
		t.Errorf("GET = %d %q", resp.StatusCode, body)
	}
}

func TestPublicIsReadOnlyAndAnonymous(t *testing.T) {
	in := servertest.Start(t)
	if resp := in.Do(t, "PUT", "/public/calendars/admin/calendar/x.ics", "", "BEGIN:VCALENDAR", nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT on /public/ = %d, want 405", resp.StatusCode)
	}
	if resp := in.Do(t, "PROPFIND", "/public/", "", "", http.Header{"Depth": {"0"}}); resp.StatusCode == http.StatusUnauthorized {
		t.Errorf("anonymous PROPFIND /public/ = 401, want an anonymous answer")
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	in := servertest.Start(t)
	resp := in.Do(t, "GET", "/healthz", "", "", nil)
	if body := servertest.Body(t, resp); resp.StatusCode != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("GET /healthz = %d %q, want 200 ok", resp.StatusCode, body)
	}
	in.Do(t, "PROPFIND", "/dav/", "", "", nil)                                                            // 401, no credentials
	in.Do(t, "PROPFIND", "/dav/", "admin", "", nil)                                                       // authenticated
	in.Do(t, "GET", in.BaseURL+"/dav/", "", "", http.Header{"Authorization": {"Basic YWRtaW46d3Jvbmc="}}) // admin:wrong

	body := servertest.Body(t, in.Do(t, "GET", "/metrics", "", "", nil))
	for _, want := range []string{
		`almanac_http_requests_total{code="401",method="PROPFIND"} 1`,
		`almanac_http_request_duration_seconds_bucket{method="PROPFIND"`,
		`almanac_http_requests_in_flight 1`, // the /metrics request itself
		`almanac_auth_failures_total{reason="invalid"} 1`,
		`almanac_objects_put_total 0`,
		`go_goroutines `,
		`process_cpu_seconds_total `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestAccessLog(t *testing.T) {
	in := servertest.Start(t)
	var ids []string
	for _, r := range []struct{ method, path, user string }{
		{"GET", "/healthz", ""},
		{"PROPFIND", "/dav/", "admin"},
		{"OPTIONS", "/", ""},
		{"GET", "/feeds/nope.ics", ""},
	} {
		resp := in.Do(t, r.method, r.path, r.user, "", http.Header{"Depth": {"0"}})
		ids = append(ids, resp.Header.Get("X-Request-Id"))
	}
	logs := in.Logs()
	for _, id := range ids {
		if id == "" {
			t.Fatal("response without X-Request-Id")
		}
		if n := len(regexp.MustCompile(`msg=request .*request_id=`+id).FindAllString(logs, -1)); n != 1 {
			t.Errorf("request %s has %d access log lines, want 1", id, n)
		}
	}
	if !strings.Contains(logs, "principal=admin") || strings.Contains(logs, in.AdminPassword) {
		t.Errorf("access log must name the principal and never the password:\n%s", logs)
	}
}

func TestFeed(t *testing.T) {
	in := servertest.Start(t)
	svc := in.Server.Service()
	ctx := t.Context()
	token, err := svc.SetFeedToken(ctx, "admin", "calendar", true)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := svc.Collection(ctx, "admin", "calendar")
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:feed-1\r\nDTSTAMP:20261101T000000Z\r\n" +
		"DTSTART:20261102T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Concert\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	vcal, err := ical.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.PutObject(ctx, coll, "feed-1.ics", data, vcal.Component, calendar.Conditions{}); err != nil {
		t.Fatal(err)
	}

	path := "/feeds/" + token + ".ics"
	resp := in.Do(t, "GET", path, "", "", nil)
	body := servertest.Body(t, resp)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") ||
		!strings.Contains(body, "SUMMARY:Concert") || !strings.HasPrefix(etag, `"`) || lm == "" ||
		resp.Header.Get("Cache-Control") == "" {
		t.Fatalf("GET feed = %d %q ETag %q Last-Modified %q\n%s", resp.StatusCode, resp.Header, etag, lm, body)
	}
	for _, h := range []http.Header{{"If-None-Match": {etag}}, {"If-Modified-Since": {lm}}} {
		if resp := in.Do(t, "GET", path, "", "", h); resp.StatusCode != http.StatusNotModified {
			t.Errorf("conditional GET with %v = %d, want 304", h, resp.StatusCode)
		}
	}
	if resp := in.Do(t, "GET", path, "", "", http.Header{"If-None-Match": {`"other"`}}); resp.StatusCode != 200 {
		t.Errorf("GET with a stale ETag = %d, want 200", resp.StatusCode)
	}
	if resp := in.Do(t, "HEAD", path, "", "", nil); resp.StatusCode != 200 || resp.Header.Get("ETag") != etag {
		t.Errorf("HEAD feed = %d ETag %q", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if resp := in.Do(t, "GET", "/feeds/not-a-token.ics", "", "", nil); resp.StatusCode != 404 {
		t.Errorf("GET unknown feed = %d, want 404", resp.StatusCode)
	}
}

// TestFirstStart checks that the one-time password is printed on the
// first start only, and the URL on every start.
func TestFirstStart(t *testing.T) {
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.Data = t.TempDir()
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	for i, wantPassword := range []bool{true, false} {
		var out bytes.Buffer
		srv, err := server.New(cfg, server.Options{Logger: logger, Out: &out})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- srv.Run(ctx) }()
		waitHealthy(t, srv.URL())
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("start %d: Run: %v", i+1, err)
		}
		text := out.String()
		if !strings.Contains(text, "Almanac is running at "+srv.URL()) {
			t.Errorf("start %d printed %q, want the URL", i+1, text)
		}
		if got := strings.Contains(text, "one-time password: "); got != wantPassword {
			t.Errorf("start %d printed %q; one-time password shown = %v, want %v", i+1, text, got, wantPassword)
		}
	}
}

// TestGracefulShutdown cancels Run while a request is in progress: the
// request completes, Run returns nil, and the port is closed.
func TestGracefulShutdown(t *testing.T) {
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.Data = t.TempDir()
	out := &lockedBuffer{}
	srv, err := server.New(cfg, server.Options{Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), Out: out})
	if err != nil {
		t.Fatal(err)
	}
	password := regexp.MustCompile(`one-time password: (\S+)  `)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	waitHealthy(t, srv.URL())
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil; time.Sleep(5 * time.Millisecond) {
		if m = password.FindStringSubmatch(out.String()); m == nil && time.Now().After(deadline) {
			t.Fatalf("no one-time password in %q", out.String())
		}
	}

	// A PUT whose body arrives in two halves, with the shutdown between.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("PUT", srv.URL()+"dav/calendars/admin/calendar/slow.ics", pr)
	req.SetBasicAuth("admin", m[1])
	req.Header.Set("Content-Type", "text/calendar")
	obj := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:slow\r\nDTSTAMP:20261101T000000Z\r\n" +
		"DTSTART:20261102T100000Z\r\nSUMMARY:Slow\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	status := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("slow PUT: %v", err)
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	pw.Write([]byte(obj[:40]))
	time.Sleep(100 * time.Millisecond) // the request is being served
	cancel()
	time.Sleep(100 * time.Millisecond) // Shutdown has begun
	pw.Write([]byte(obj[40:]))
	pw.Close()
	if got := <-status; got != http.StatusCreated {
		t.Errorf("PUT in progress during shutdown: status %d, want 201", got)
	}
	if err := <-done; err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
	if c, err := net.Dial("tcp", srv.Addr().String()); err == nil {
		c.Close()
		t.Errorf("port still open after shutdown")
	}
}

// TestTLS serves HTTPS with --tls-cert and --tls-key.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)

	in := servertest.Start(t, servertest.Config(func(c *config.Config) { c.TLSCert, c.TLSKey = certFile, keyFile }))
	if !strings.HasPrefix(in.BaseURL, "https://") {
		t.Fatalf("BaseURL = %q, want https", in.BaseURL)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	in.Client.Transport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: pool}
	if resp := in.Do(t, "PROPFIND", "/dav/", "admin", "", http.Header{"Depth": {"0"}}); resp.StatusCode != http.StatusMultiStatus {
		t.Errorf("PROPFIND over TLS = %d, want 207", resp.StatusCode)
	}
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server at %s not healthy: %v", base, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
