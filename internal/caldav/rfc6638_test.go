// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"bufio"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/webdav"
)

// transcript is an HTTP message of the RFC 6638 Appendix B examples under
// testdata/rfc6638 (copied from shared/vectors/rfc-examples, see
// manifest.json there): a start line, headers, and a body with LF line
// ends as printed in the RFC.
type transcript struct {
	start  string
	header http.Header
	body   string
}

func readTranscript(t *testing.T, name string) transcript {
	t.Helper()
	data, err := os.ReadFile("testdata/rfc6638/" + name)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(data), "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	sc.Scan()
	tr := transcript{start: sc.Text(), header: http.Header{}, body: body}
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		tr.header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return tr
}

// rfcPath finds the RFC's "/home/<user>/calendars/<collection>/…", which is
// this server's "/dav/calendars/<user>/<collection>/…".
var rfcPath = regexp.MustCompile(`/home/([^/]+)/calendars/`)

// send replays an RFC request on h: its path mapped, Host and the
// "Content-Length: xxxx" placeholder dropped, the body's LF made CRLF.
func send(t *testing.T, h http.Handler, tr transcript) *httptest.ResponseRecorder {
	t.Helper()
	method, rest, _ := strings.Cut(tr.start, " ")
	target, _, _ := strings.Cut(rest, " ")
	target = rfcPath.ReplaceAllString(target, "/dav/calendars/$1/")
	r := httptest.NewRequest(method, "http://dav.example"+target, strings.NewReader(strings.ReplaceAll(tr.body, "\n", "\r\n")))
	for k, vs := range tr.header {
		if k != "Host" && k != "Content-Length" {
			r.Header[k] = vs
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func mediaType(t *testing.T, ct string) string {
	t.Helper()
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", ct, err)
	}
	return mt
}

// TestRFC6638 replays the examples of RFC 6638 Appendix B that the handler
// answers by itself on the fake backend's fixture of the same users, and
// compares the answers with the RFC's.
func TestRFC6638(t *testing.T) {
	t.Run("B.1 organizer invites", func(t *testing.T) {
		h := newTestHandler(newFakeRFC6638(), "/dav/")
		w := send(t, h, readTranscript(t, "rfc6638_B.1_01_request.txt"))
		want := readTranscript(t, "rfc6638_B.1_01_response.txt")
		if got := "HTTP/1.1 " + w.Result().Status; got != want.start {
			t.Fatalf("B.1 PUT = %q, want %q:\n%s", got, want.start, w.Body)
		}
		if !isOpaqueTag(w.Header().Get("Schedule-Tag")) || !isOpaqueTag(want.header.Get("Schedule-Tag")) {
			t.Errorf("B.1 PUT Schedule-Tag = %q, want an opaque-tag like %q", w.Header().Get("Schedule-Tag"), want.header.Get("Schedule-Tag"))
		}
		// The RFC's server sends an ETag although it changed the data
		// (SCHEDULE-STATUS): RFC 4791 §5.3.4 forbids that, so there is
		// none here.
		if want.header.Get("ETag") == "" || w.Header().Get("ETag") != "" {
			t.Errorf("B.1 PUT ETag = %q, want none (the RFC shows %q)", w.Header().Get("ETag"), want.header.Get("ETag"))
		}
	})
	t.Run("B.5 busy time request", func(t *testing.T) {
		h := newTestHandler(newFakeRFC6638(), "/dav/")
		w := send(t, h, readTranscript(t, "rfc6638_B.5_01_request.txt"))
		compareAnswer(t, "B.5 POST", w, readTranscript(t, "rfc6638_B.5_01_response.txt"))
	})
	t.Run("B.6 invitation on behalf of another", func(t *testing.T) {
		// Cyrus may write Wilfredo's calendar, but Wilfredo has not
		// granted him schedule-send-invite on his outbox, so the backend
		// refuses to send the invitations.
		b := newFakeRFC6638()
		work := &b.cals["wilfredo/work"].cal
		work.ACL = append(work.ACL, ACE{Principal: "cyrus", Grant: PrivRead | PrivWrite})
		h := newTestHandler(errBackend{b, &PrivilegeError{Path: "calendars/wilfredo/outbox/", Privilege: PrivScheduleSendInvite}}, "/dav/")
		w := send(t, h, readTranscript(t, "rfc6638_B.6_01_request.txt"))
		want := readTranscript(t, "rfc6638_B.6_01_response.txt")
		compareAnswer(t, "B.6 PUT", w, want)
	})
}

// compareAnswer compares an answer with the RFC's: status line, media
// type, and the XML body element by element with the RFC's paths mapped
// (canonicalXML).
func compareAnswer(t *testing.T, what string, w *httptest.ResponseRecorder, want transcript) {
	t.Helper()
	if got := "HTTP/1.1 " + w.Result().Status; got != want.start {
		t.Fatalf("%s = %q, want %q:\n%s", what, got, want.start, w.Body)
	}
	if got, exp := mediaType(t, w.Header().Get("Content-Type")), mediaType(t, want.header.Get("Content-Type")); got != exp {
		t.Errorf("%s Content-Type = %q, want %q", what, got, exp)
	}
	got, err := webdav.ParseXML(w.Body.Bytes())
	if err != nil {
		t.Fatalf("%s answer: %v\n%s", what, err, w.Body)
	}
	exp, err := webdav.ParseXML([]byte(rfcPath.ReplaceAllString(want.body, "/dav/calendars/$1/")))
	if err != nil {
		t.Fatalf("the RFC's answer: %v", err)
	}
	gotCanon, expCanon := canonicalXML(t, got), canonicalXML(t, exp)
	if !slices.Equal(gotCanon, expCanon) {
		t.Errorf("%s answer:\n%s\nwant (DTSTAMP and PRODID aside):\n%s", what, strings.Join(gotCanon, "\n"), strings.Join(expCanon, "\n"))
	}
}

// canonicalXML lists the elements of e by path with their text, the
// text of calendar-data as canonicalICal lines.
func canonicalXML(t *testing.T, e *webdav.Element) []string {
	t.Helper()
	var out []string
	var walk func(e *webdav.Element, path string)
	walk = func(e *webdav.Element, path string) {
		path += "/" + e.Name.Space + " " + e.Name.Local
		if e.Name == pCalendarData {
			for _, l := range canonicalICal(t, e.Text) {
				out = append(out, path+" "+l)
			}
			return
		}
		out = append(out, path+" "+strings.TrimSpace(e.Text))
		for _, c := range e.Children {
			walk(c, path)
		}
	}
	walk(e, "")
	return out
}

// canonicalICal lists the properties of each component of an iCalendar
// object, sorted within the component (their order has no meaning, RFC
// 5545 §3.6), without the DTSTAMP and PRODID that a server sets.
func canonicalICal(t *testing.T, text string) []string {
	t.Helper()
	cal, err := ical.Parse([]byte(text))
	if err != nil {
		t.Fatalf("calendar-data %q: %v", text, err)
	}
	var out []string
	var walk func(c *ical.Component, path string)
	walk = func(c *ical.Component, path string) {
		path += "/" + c.Name
		var props []string
		for _, p := range c.Props {
			if p.Name != ical.PropDTStamp && p.Name != ical.PropProdID {
				props = append(props, fmt.Sprintf("%s %s%s:%s", path, p.Name, p.Params.String(), p.Value))
			}
		}
		slices.Sort(props)
		out = append(out, props...)
		for _, ch := range c.Children {
			walk(ch, path)
		}
	}
	walk(cal.Component, "")
	return out
}
