// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"bufio"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/internal/caldav/caldata"
)

var update = flag.Bool("update", false, "rewrite the expected responses of testdata/*.txt")

// The golden files under testdata/ hold one case each, in the style of a
// txtar archive: optional "user: name", "prefix: /path/" and "fixture:
// name" lines and comments, then pairs of "-- request --" and "--
// response --" sections, run in order on one fresh fake backend (newFake,
// or newFakeRFC6638 for "fixture: rfc6638"). A request is a request line,
// header lines, a blank line and the body; a header "X-Fake-User: name"
// is not sent but makes name the current user from that request on. A
// response is the status line, the headers that matter (not Date,
// Content-Length, or DAV except for OPTIONS), a blank line and the body
// with CRLF shown as LF. With -update the responses are rewritten;
// without it they are compared.

type goldenCase struct {
	preamble string
	user     *string
	prefix   string
	fixture  string
	requests []string
	expected []string
}

// fakeUserHeader switches the current user of a golden case.
const fakeUserHeader = "X-Fake-User"

func parseGolden(t *testing.T, data string) *goldenCase {
	t.Helper()
	gc := &goldenCase{prefix: "/dav/"}
	parts := strings.Split(data, "\n-- ")
	gc.preamble = strings.TrimRight(parts[0], "\n")
	if strings.HasPrefix(data, "-- ") {
		gc.preamble = ""
		parts = strings.Split("\n"+data, "\n-- ")
	}
	for _, line := range strings.Split(gc.preamble, "\n") {
		if v, ok := strings.CutPrefix(line, "user:"); ok {
			v = strings.TrimSpace(v)
			gc.user = &v
		}
		if v, ok := strings.CutPrefix(line, "prefix:"); ok {
			gc.prefix = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "fixture:"); ok {
			gc.fixture = strings.TrimSpace(v)
		}
	}
	for _, p := range parts[1:] {
		name, body, _ := strings.Cut(p, " --\n")
		switch name {
		case "request":
			gc.requests = append(gc.requests, body)
		case "response":
			gc.expected = append(gc.expected, body)
		default:
			t.Fatalf("unknown section %q", name)
		}
	}
	return gc
}

func (gc *goldenCase) format(responses []string) string {
	var b strings.Builder
	b.WriteString(gc.preamble)
	b.WriteString("\n")
	for i, rq := range gc.requests {
		b.WriteString("-- request --\n")
		b.WriteString(strings.TrimRight(rq, "\n") + "\n")
		b.WriteString("-- response --\n")
		b.WriteString(strings.TrimRight(responses[i], "\n") + "\n")
	}
	return b.String()
}

// buildRequest parses the text of a request section.
func buildRequest(t *testing.T, text string) *http.Request {
	t.Helper()
	text = strings.TrimRight(text, "\n")
	head, body, _ := strings.Cut(text, "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	sc.Scan()
	method, target, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
	if body != "" {
		body += "\n"
	}
	r := httptest.NewRequest(method, "http://dav.example"+target, strings.NewReader(body))
	if body == "" {
		r.Body = http.NoBody
		r.ContentLength = 0
	}
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		r.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	// The raw path keeps the escapes the case was written with.
	r.URL.RawPath = target
	if i := strings.IndexByte(target, '?'); i >= 0 {
		r.URL.RawPath = target[:i]
	}
	return r
}

func formatResponse(method string, w *httptest.ResponseRecorder) string {
	var b strings.Builder
	b.WriteString("HTTP/1.1 " + w.Result().Status)
	b.WriteString("\n")
	var keys []string
	for k := range w.Header() {
		switch k {
		case "Date", "Content-Length", "X-Content-Type-Options":
			continue
		case "Dav":
			if method != http.MethodOptions {
				continue
			}
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(k + ": " + strings.Join(w.Header()[k], ", ") + "\n")
	}
	b.WriteString("\n")
	b.WriteString(strings.ReplaceAll(w.Body.String(), "\r\n", "\n"))
	return b.String()
}

// testLimits are the resource limits of the test handler.
var testLimits = caldata.Limits{
	MaxResourceSize:         50000,
	MinDateTime:             time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
	MaxDateTime:             time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
	MaxAttendeesPerInstance: 100,
}

func newTestHandler(b Backend, prefix string) http.Handler {
	return NewHandler(b, Options{
		Prefix: prefix,
		Now:    func() time.Time { return time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC) },
		Limits: testLimits,
	})
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			gc := parseGolden(t, string(data))
			var b *fakeBackend
			switch gc.fixture {
			case "":
				b = newFake()
			case "rfc6638":
				b = newFakeRFC6638()
			default:
				t.Fatalf("unknown fixture %q", gc.fixture)
			}
			if gc.user != nil {
				b.user = *gc.user
			}
			h := newTestHandler(b, gc.prefix)
			var got []string
			for _, text := range gc.requests {
				r := buildRequest(t, text)
				if u := r.Header.Get(fakeUserHeader); u != "" {
					r.Header.Del(fakeUserHeader)
					b.mu.Lock()
					b.user = u
					b.mu.Unlock()
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				got = append(got, formatResponse(r.Method, w))
			}
			if *update {
				if err := os.WriteFile(file, []byte(gc.format(got)), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if len(gc.expected) != len(got) {
				t.Fatalf("%s: %d responses expected, %d requests", file, len(gc.expected), len(got))
			}
			for i := range got {
				if strings.TrimRight(got[i], "\n") != strings.TrimRight(gc.expected[i], "\n") {
					t.Errorf("%s: request %d:\n%s\nresponse:\n%s\nwant:\n%s", file, i+1, gc.requests[i], got[i], gc.expected[i])
				}
			}
		})
	}
}
