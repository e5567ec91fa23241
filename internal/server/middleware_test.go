// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func testServer(t *testing.T, logs io.Writer) *Server {
	return &Server{
		log:     slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), nil)),
		metrics: newMetrics(),
		opt:     Options{MaxBodyBytes: 16},
	}
}

func TestObservePanic(t *testing.T) {
	var logs strings.Builder
	s := testServer(t, &logs)
	h := s.observe(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaboom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("panicking handler: status %d, want 500", rec.Code)
	}
	if !strings.Contains(logs.String(), "kaboom") || !strings.Contains(logs.String(), "status=500") {
		t.Errorf("log does not record the panic and the 500:\n%s", logs.String())
	}
}

func TestObserveBodyLimit(t *testing.T) {
	var logs strings.Builder
	s := testServer(t, &logs)
	var readErr error
	h := s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, readErr = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusRequestEntityTooLarge)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("PUT", "/x", strings.NewReader(strings.Repeat("x", 17))))
	if _, ok := readErr.(*http.MaxBytesError); !ok {
		t.Errorf("reading a 17-byte body with a 16-byte limit: err = %v, want *http.MaxBytesError", readErr)
	}
}

func TestAccessLogFields(t *testing.T) {
	var logs strings.Builder
	s := testServer(t, &logs)
	s.opt.MaxBodyBytes = 1 << 20
	h := s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		infoFrom(r.Context()).principal = "ann"
		w.WriteHeader(207)
		w.Write([]byte("12345"))
	}))
	req := httptest.NewRequest("REPORT", "/dav/ann/calendar/", strings.NewReader(
		`<?xml version="1.0"?><C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:D="DAV:"><D:prop/></C:calendar-query>`))
	req.Header.Set("Depth", "1")
	req.Header.Set("Authorization", "Basic YW5uOnNlY3JldA==")
	req.Header.Set("X-Request-Id", "proxy-id-1")
	h.ServeHTTP(httptest.NewRecorder(), req)
	line := logs.String()
	for _, want := range []string{"msg=request", "method=REPORT", "path=/dav/ann/calendar/", "status=207",
		"principal=ann", "request_id=proxy-id-1", "depth=1", "report=calendar-query", "bytes=5", "duration="} {
		if !strings.Contains(line, want) {
			t.Errorf("access log line lacks %q:\n%s", want, line)
		}
	}
	if strings.Contains(line, "YW5u") || strings.Contains(line, "secret") || strings.Count(line, "\n") != 1 {
		t.Errorf("access log must be one line without credentials:\n%s", line)
	}
}

func TestReportName(t *testing.T) {
	for in, want := range map[string]string{
		`<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:">`:                       "sync-collection",
		"<!-- c -->\n<calendar-multiget xmlns=\"urn:ietf:params:xml:ns:caldav\"><prop>": "calendar-multiget",
		``:        "",
		`not xml`: "",
		`<?xml version="1.0" encoding="utf-8"?><C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:cal`: "free-busy-query",
	} {
		if got := reportName([]byte(in)); got != want {
			t.Errorf("reportName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBaseURL(t *testing.T) {
	for _, tc := range []struct{ listen, base, want string }{
		{"127.0.0.1:8008", "", "http://127.0.0.1:8008/"},
		{"0.0.0.0:8008", "", "http://localhost:8008/"},
		{"[::]:8008", "", "http://localhost:8008/"},
		{"127.0.0.1:8008", "https://cal.example.org", "https://cal.example.org/"},
	} {
		cfg := configFor(tc.listen, tc.base)
		addr := fakeAddr(tc.listen)
		if got := baseURL(cfg, addr); got != tc.want {
			t.Errorf("baseURL(listen %s, base-url %q) = %q, want %q", tc.listen, tc.base, got, tc.want)
		}
	}
}
