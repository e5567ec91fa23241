// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const newEvent = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:quirk@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260120T100000Z\r\nSUMMARY:Quirk\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// do sends one request to a handler on a fresh fake backend.
func do(t *testing.T, h http.Handler, method, target string, hdr map[string]string, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "http://dav.example"+target, strings.NewReader(body))
	if i := strings.IndexByte(target, '?'); i < 0 {
		r.URL.RawPath = target
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestClientQuirks checks the conditions of design/client-quirks.md.
func TestClientQuirks(t *testing.T) {
	syncBody := `<D:sync-collection xmlns:D="DAV:"><D:sync-token>%s</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`
	tests := []struct {
		name       string
		method     string
		target     string
		hdr        map[string]string
		body       string
		wantStatus int
		wantETag   bool
		wantBody   string
	}{
		{"PUT new is 201 with ETag", "PUT", "/dav/calendars/alice/work/q.ics", nil, newEvent, 201, true, ""},
		{"PUT replace is 204 with ETag", "PUT", "/dav/calendars/alice/work/event1.ics", nil,
			strings.Replace(event1, "Planning", "Replanning", 1), 204, true, ""},
		{"PUT without Content-Type (cadaver)", "PUT", "/dav/calendars/alice/work/q.ics", map[string]string{"Content-Type": ""}, newEvent, 201, true, ""},
		{"PUT / is 405 (Thunderbird probe)", "PUT", "/", map[string]string{"If-Match": "nothing"}, newEvent, 405, false, ""},
		{"PUT on the context root is 405", "PUT", "/dav/", nil, newEvent, 405, false, ""},
		{"PUT on a calendar is 405", "PUT", "/dav/calendars/alice/work/", nil, newEvent, 405, false, ""},
		{"PUT If-None-Match on existing is 412", "PUT", "/dav/calendars/alice/work/event1.ics", map[string]string{"If-None-Match": "*"}, event1, 412, false, ""},
		{"PUT If-Match mismatch is 412", "PUT", "/dav/calendars/alice/work/event1.ics", map[string]string{"If-Match": `"nope"`}, event1, 412, false, ""},
		{"PUT weak If-Match is 412", "PUT", "/dav/calendars/alice/work/event1.ics", map[string]string{"If-Match": `W/"8beca9cddbe0adef"`}, event1, 412, false, ""},
		{"PUT If-Match list with the current tag", "PUT", "/dav/calendars/alice/work/event1.ics", map[string]string{"If-Match": `"x", "8beca9cddbe0adef"`}, event1, 204, true, ""},
		{"PUT If-Match on missing is 412", "PUT", "/dav/calendars/alice/work/none.ics", map[string]string{"If-Match": "*"}, newEvent, 412, false, ""},
		{"DELETE If-Match mismatch is 412", "DELETE", "/dav/calendars/alice/work/event1.ics", map[string]string{"If-Match": `"nope"`}, "", 412, false, ""},
		{"DELETE without If-Match (SyncEvolution)", "DELETE", "/dav/calendars/alice/work/event1.ics", nil, "", 204, false, ""},
		{"MKCALENDAR is exactly 201", "MKCALENDAR", "/dav/calendars/alice/fresh/", nil, "", 201, false, ""},
		{"sync-collection with Depth 1", "REPORT", "/dav/calendars/alice/work/", map[string]string{"Depth": "1"}, strings.Replace(syncBody, "%s", "", 1), 207, false, "sync-token"},
		{"unknown sync token is 403 valid-sync-token", "REPORT", "/dav/calendars/alice/work/", map[string]string{"Depth": "1"}, strings.Replace(syncBody, "%s", "urn:bogus", 1), 403, false, "valid-sync-token"},
		{"PROPFIND with a form Content-Type", "PROPFIND", "/dav/", map[string]string{"Depth": "0", "Content-Type": "application/x-www-form-urlencoded"},
			`<propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>`, 207, false, "/dav/principals/alice/"},
		{"PROPFIND without Depth is propfind-finite-depth", "PROPFIND", "/dav/calendars/alice/", nil, "", 403, false, "propfind-finite-depth"},
		{"body-less PROPFIND has current-user-principal", "PROPFIND", "/", map[string]string{"Depth": "0"}, "", 207, false, "current-user-principal"},
		{"malformed XML is 400", "PROPFIND", "/dav/", map[string]string{"Depth": "0"}, "<propfind xmlns='DAV:'><prop>", 400, false, ""},
		{"malformed REPORT is 400", "REPORT", "/dav/calendars/alice/work/", nil, "<<<", 400, false, ""},
		{"DOCTYPE is 400", "PROPFIND", "/dav/", map[string]string{"Depth": "0"},
			`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><propfind xmlns="DAV:"><prop>&lol2;</prop></propfind>`, 400, false, ""},
		{"external entity is 400", "PROPPATCH", "/dav/calendars/alice/work/", nil,
			`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><propertyupdate xmlns="DAV:"><set><prop><displayname>&e;</displayname></prop></set></propertyupdate>`, 400, false, ""},
		{"undefined entity is 400", "PROPFIND", "/dav/", map[string]string{"Depth": "0"}, `<propfind xmlns="DAV:">&x;</propfind>`, 400, false, ""},
		{"dot-dot is refused", "GET", "/dav/calendars/alice/../bob/shared/bob1.ics", nil, "", 400, false, ""},
		{"escaped dot-dot is refused", "GET", "/dav/calendars/alice/work/%2e%2e/%2e%2e/bob/shared/bob1.ics", nil, "", 400, false, ""},
		{"encoded slash is refused", "GET", "/dav/calendars/alice%2Fwork/event1.ics", nil, "", 400, false, ""},
		{"encoded slash in an object name is refused", "PUT", "/dav/calendars/alice/work/a%2F..%2F..%2Fx.ics", nil, newEvent, 400, false, ""},
		{"double-encoded slash stays inside", "PUT", "/dav/calendars/alice/work/a%252Fb.ics", nil, newEvent, 201, true, ""},
		{"outside the prefix is 404", "GET", "/elsewhere/x", nil, "", 404, false, ""},
		{"COPY Overwrite F onto existing is 412", "COPY", "/dav/calendars/alice/work/event1.ics",
			map[string]string{"Destination": "/dav/calendars/alice/work/weekly.ics", "Overwrite": "F"}, "", 412, false, ""},
		{"MOVE to a new name is 201", "MOVE", "/dav/calendars/alice/work/event1.ics",
			map[string]string{"Destination": "http://dav.example/dav/calendars/alice/work/moved.ics"}, "", 201, false, ""},
		{"MOVE onto existing with overwrite is 204", "MOVE", "/dav/calendars/alice/work/event1.ics",
			map[string]string{"Destination": "/dav/calendars/alice/work/weekly.ics"}, "", 204, false, ""},
		{"MOVE outside a calendar is 403", "MOVE", "/dav/calendars/alice/work/event1.ics",
			map[string]string{"Destination": "/dav/calendars/alice/"}, "", 403, false, ""},
		{"unknown report is 403 supported-report", "REPORT", "/dav/calendars/alice/work/", nil, `<x:foo xmlns:x="urn:x"/>`, 403, false, "supported-report"},
		{"unknown method is 405", "LOCK", "/dav/calendars/alice/work/event1.ics", nil, "", 405, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHandler(newFake(), "/dav/")
			w := do(t, h, tt.method, tt.target, tt.hdr, tt.body)
			if w.Code != tt.wantStatus {
				t.Fatalf("%s %s = %d, want %d\n%s", tt.method, tt.target, w.Code, tt.wantStatus, w.Body)
			}
			etag := w.Header().Get("ETag")
			if tt.wantETag && (etag == "" || strings.HasPrefix(etag, "W/")) {
				t.Errorf("%s %s: ETag %q, want a strong one", tt.method, tt.target, etag)
			}
			if tt.wantBody != "" && !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Errorf("%s %s: body lacks %q:\n%s", tt.method, tt.target, tt.wantBody, w.Body)
			}
		})
	}
}

// TestPutNothingCreated checks that a refused PUT / creates nothing.
func TestPutNothingCreated(t *testing.T) {
	b := newFake()
	h := newTestHandler(b, "/dav/")
	before := len(b.cals)
	do(t, h, "PUT", "/", map[string]string{"If-Match": "nothing"}, newEvent)
	do(t, h, "PUT", "/dav/calendars/alice/", nil, newEvent)
	if len(b.cals) != before {
		t.Errorf("PUT / created a calendar")
	}
	for _, fc := range b.cals {
		for n := range fc.objects {
			if !strings.HasSuffix(n, ".ics") {
				t.Errorf("PUT / created object %q", n)
			}
		}
	}
}

// TestETagsAgree checks that PUT, PROPFIND, REPORT and GET show the same
// strong ETag (vdirsyncer).
func TestETagsAgree(t *testing.T) {
	h := newTestHandler(newFake(), "/dav/")
	w := do(t, h, "PUT", "/dav/calendars/alice/work/e.ics", nil, newEvent)
	etag := w.Header().Get("ETag")
	if w.Code != 201 || etag == "" {
		t.Fatalf("PUT = %d, ETag %q", w.Code, etag)
	}
	pf := do(t, h, "PROPFIND", "/dav/calendars/alice/work/", map[string]string{"Depth": "1"}, `<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>`)
	rep := do(t, h, "REPORT", "/dav/calendars/alice/work/", map[string]string{"Depth": "1"},
		`<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><D:href>/dav/calendars/alice/work/e.ics</D:href></C:calendar-multiget>`)
	get := do(t, h, "GET", "/dav/calendars/alice/work/e.ics", nil, "")
	want := "<D:getetag>" + etag + "</D:getetag>"
	if !strings.Contains(pf.Body.String(), want) {
		t.Errorf("PROPFIND lacks %s", want)
	}
	if !strings.Contains(rep.Body.String(), want) {
		t.Errorf("multiget lacks %s", want)
	}
	if got := get.Header().Get("ETag"); got != etag {
		t.Errorf("GET ETag = %q, want %q", got, etag)
	}
}

// countingReader counts the bytes read from an endless body.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	c.n += int64(len(p))
	return len(p), nil
}

// TestHugeBodies checks that 100 MB bodies are refused with 413 without
// being read, with or without Content-Length.
func TestHugeBodies(t *testing.T) {
	for _, method := range []string{"PUT", "PROPFIND", "PROPPATCH", "REPORT"} {
		for _, withLength := range []bool{true, false} {
			h := newTestHandler(newFake(), "/dav/")
			body := &countingReader{}
			target := "/dav/calendars/alice/work/big.ics"
			if method != "PUT" {
				target = "/dav/calendars/alice/work/"
			}
			r := httptest.NewRequest(method, "http://dav.example"+target, io.LimitReader(body, 100<<20))
			r.Header.Set("Depth", "0")
			r.ContentLength = -1
			if withLength {
				r.ContentLength = 100 << 20
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("%s 100 MB (length %v) = %d, want 413", method, withLength, w.Code)
			}
			if body.n > 17<<20 {
				t.Errorf("%s 100 MB (length %v) read %d bytes", method, withLength, body.n)
			}
		}
	}
}

// TestEntityBombFast checks that a billion-laughs document is refused
// quickly.
func TestEntityBombFast(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">`)
	prev := "lol"
	for i := range 10 {
		name := "lol" + string(rune('a'+i))
		b.WriteString(`<!ENTITY ` + name + ` "` + strings.Repeat("&"+prev+";", 10) + `">`)
		prev = name
	}
	b.WriteString(`]><propfind xmlns="DAV:"><prop>&` + prev + `;</prop></propfind>`)
	h := newTestHandler(newFake(), "/dav/")
	start := time.Now()
	w := do(t, h, "PROPFIND", "/dav/", map[string]string{"Depth": "0"}, b.String())
	if w.Code != 400 {
		t.Errorf("entity bomb = %d, want 400", w.Code)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("entity bomb took %v", d)
	}
}

// TestSyncTruncation checks the 507 of a sync-collection cut by
// Options.MaxSyncResults and that its token continues.
func TestSyncTruncation(t *testing.T) {
	b := newFake()
	h := NewHandler(b, Options{Prefix: "/dav/", MaxSyncResults: 1})
	body := `<D:sync-collection xmlns:D="DAV:"><D:sync-token>%s</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`
	w := do(t, h, "REPORT", "/dav/calendars/alice/work/", map[string]string{"Depth": "1"}, strings.Replace(body, "%s", "", 1))
	out := w.Body.String()
	if w.Code != 207 || !strings.Contains(out, "507 Insufficient Storage") || !strings.Contains(out, "event1.ics") {
		t.Fatalf("sync-collection = %d:\n%s", w.Code, out)
	}
	tok := out[strings.Index(out, "<D:sync-token>")+len("<D:sync-token>") : strings.Index(out, "</D:sync-token>")]
	w = do(t, h, "REPORT", "/dav/calendars/alice/work/", map[string]string{"Depth": "1"}, strings.Replace(body, "%s", tok, 1))
	out = w.Body.String()
	if w.Code != 207 || !strings.Contains(out, "weekly.ics") || strings.Contains(out, "event1.ics") {
		t.Errorf("continued sync-collection = %d:\n%s", w.Code, out)
	}
}
