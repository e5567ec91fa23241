// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package servertest starts the real Almanac server (the server.New the
// binary uses) on 127.0.0.1:0 for integration tests, with a t.TempDir()
// SQLite store, or PostgreSQL when ALMANAC_TEST_POSTGRES holds a DSN and
// the test asks for it with Postgres().
//
//	in := servertest.Start(t)
//	in.AddUser(t, "ann", "secret", "ann@example.org")
//	resp := in.Do(t, "PROPFIND", "/dav/", "ann", "", http.Header{"Depth": {"0"}})
package servertest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", to create test databases

	"github.com/almanac-project/almanac/internal/auth"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/server"
)

// Instance is a running server.
type Instance struct {
	// BaseURL is "http://127.0.0.1:<port>", without a final slash.
	BaseURL string
	// Admin and AdminPassword are the administrator created on the first
	// start and its one-time password, as printed by the server.
	Admin, AdminPassword string
	// Server is the running server; Server.Service() reaches the calendar
	// service directly.
	Server *server.Server
	// Config is the configuration the server was started with.
	Config config.Config
	// Client does not follow redirects and keeps connections alive.
	Client *http.Client

	logs, out *syncBuffer
	mu        sync.Mutex
	passwords map[string]string
}

type options struct {
	postgres  bool
	cfg       []func(*config.Config)
	now       func() time.Time
	lookupTXT func(ctx context.Context, name string) ([]string, error)
}

// Option changes how Start sets up the server.
type Option func(*options)

// Postgres runs the server on a fresh PostgreSQL database created in the
// server ALMANAC_TEST_POSTGRES names (and dropped at the end); the test is
// skipped when the variable is unset.
func Postgres() Option { return func(o *options) { o.postgres = true } }

// Config changes the configuration before the server starts.
func Config(f func(*config.Config)) Option { return func(o *options) { o.cfg = append(o.cfg, f) } }

// Now sets the server's clock.
func Now(now func() time.Time) Option { return func(o *options) { o.now = now } }

// LookupTXT answers the server's DNS TXT look-ups for DKIM keys of
// received mail (server.Options.LookupTXT).
func LookupTXT(f func(ctx context.Context, name string) ([]string, error)) Option {
	return func(o *options) { o.lookupTXT = f }
}

// Start starts a server for the test and stops it (checking that it shuts
// down cleanly) when the test ends. Server logs go to t.Output().
func Start(t testing.TB, opts ...Option) *Instance {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	cfg := config.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.Data = t.TempDir()
	if o.postgres {
		cfg.DB = postgresDB(t)
	}
	for _, f := range o.cfg {
		f(&cfg)
	}
	in := &Instance{Config: cfg, logs: &syncBuffer{}, out: &syncBuffer{}, passwords: map[string]string{}}
	// The configured level (info unless a test changes it: a benchmark
	// sets "warn" to keep access lines out of its output).
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		t.Fatalf("log level %q: %v", cfg.LogLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), in.logs), &slog.HandlerOptions{Level: level}))
	srv, err := server.New(cfg, server.Options{Logger: logger, Out: in.out, Now: o.now, LookupTXT: o.lookupTXT})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	in.Server = srv
	in.BaseURL = strings.TrimSuffix(srv.URL(), "/")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server.Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("server did not shut down within 30 s")
		}
	})

	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(in.out.String(), "running at") {
		if time.Now().After(deadline) {
			t.Fatalf("server did not print its URL; output: %q", in.out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if m := regexp.MustCompile(`Administrator: (\S+), one-time password: (\S+)`).FindStringSubmatch(in.out.String()); m != nil {
		in.Admin, in.AdminPassword = m[1], m[2]
		in.passwords[m[1]] = m[2]
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	in.Client = &http.Client{
		Transport:     tr,
		Timeout:       time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	t.Cleanup(tr.CloseIdleConnections)
	return in
}

// Logs returns what the server has logged so far.
func (in *Instance) Logs() string { return in.logs.String() }

// Output returns what the server has printed for the person who started
// it (its URL and the one-time password).
func (in *Instance) Output() string { return in.out.String() }

// AddUser creates an individual principal (with its default calendar)
// with the password and calendar user addresses ("ann@example.org" or
// "mailto:ann@example.org"); Do then authenticates as name.
func (in *Instance) AddUser(t testing.TB, name, password string, emails ...string) *calendar.Principal {
	t.Helper()
	return in.AddPrincipal(t, calendar.TypeIndividual, name, password, emails...)
}

// AddPrincipal is AddUser for a principal of any calendar user type
// (RFC 6638 §2.4.2): calendar.TypeRoom or calendar.TypeResource for one
// that answers invitations itself, calendar.TypeGroup.
func (in *Instance) AddPrincipal(t testing.TB, typ, name, password string, emails ...string) *calendar.Principal {
	t.Helper()
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, e := range emails {
		if !strings.Contains(e, ":") {
			e = "mailto:" + e
		}
		addrs = append(addrs, e)
	}
	p := &calendar.Principal{Name: name, Type: typ, Addresses: addrs, PasswordHash: hash}
	if err := in.Server.Service().CreatePrincipal(context.Background(), p); err != nil {
		t.Fatalf("AddPrincipal(%q, %q): %v", typ, name, err)
	}
	in.mu.Lock()
	in.passwords[name] = password
	in.mu.Unlock()
	return p
}

// Password returns the password Do uses for user.
func (in *Instance) Password(user string) string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.passwords[user]
}

// Do sends a request to path (relative to BaseURL, or an absolute URL) as
// user ("" for an anonymous request) with its known password, and returns
// the response with its body read: the Body can be read again and need not
// be closed. body may be "". A Content-Type of text/xml is set for XML
// bodies unless headers say otherwise.
func (in *Instance) Do(t testing.TB, method, path, user, body string, headers http.Header) *http.Response {
	t.Helper()
	req := in.NewRequest(t, method, path, user, body, headers)
	resp, err := in.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp
}

// NewRequest builds the request Do sends.
func (in *Instance) NewRequest(t testing.TB, method, path, user, body string, headers http.Header) *http.Request {
	t.Helper()
	u := path
	if !strings.Contains(path, "://") {
		u = in.BaseURL + path
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatalf("NewRequest(%s %s): %v", method, path, err)
	}
	for k, vs := range headers {
		req.Header[k] = vs
	}
	if body != "" && req.Header.Get("Content-Type") == "" && strings.HasPrefix(strings.TrimSpace(body), "<") {
		req.Header.Set("Content-Type", `text/xml; charset="utf-8"`)
	}
	if user != "" {
		pw := in.Password(user)
		if pw == "" {
			t.Fatalf("Do as %q: unknown user; add it with AddUser", user)
		}
		req.SetBasicAuth(user, pw)
	}
	return req
}

// Body returns the body of a response from Do as a string.
func Body(t testing.TB, resp *http.Response) string {
	t.Helper()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return string(data)
}

// postgresDB creates a schema for the test in the database of
// ALMANAC_TEST_POSTGRES (a URL or libpq keyword/value pairs), drops it at
// the end, and returns the DSN with search_path set to it.
func postgresDB(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("ALMANAC_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("PostgreSQL test: set ALMANAC_TEST_POSTGRES=<DSN> to run it")
	}
	schema := "almanac_test_" + strings.ToLower(rand.Text()[:12])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("ALMANAC_TEST_POSTGRES: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema %s: %v", schema, err)
	}
	// Registered before the server's cleanup, so it runs after the server
	// has stopped.
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
