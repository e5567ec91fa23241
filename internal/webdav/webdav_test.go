// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package webdav

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestParseXML(t *testing.T) {
	tests := []struct {
		name, in string
		wantCode int // 0: success
	}{
		{"namespaces", `<d:propfind xmlns:d="DAV:"><d:prop><x:a xmlns:x="urn:x"/></d:prop></d:propfind>`, 0},
		{"doctype", `<!DOCTYPE propfind><propfind xmlns="DAV:"/>`, 400},
		{"entity declaration", `<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`, 400},
		{"undefined entity", `<x>&a;</x>`, 400},
		{"unclosed", `<x><y></x>`, 400},
		{"two roots", `<x/><y/>`, 400},
		{"text outside", `<x/>junk`, 400},
		{"latin1", `<?xml version="1.0" encoding="ISO-8859-1"?><x/>`, 400},
		{"too deep", strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100), 400},
		{"empty", ``, 400},
		{"undeclared element prefix", `<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><X:color>red</X:color></d:prop></d:set></d:propertyupdate>`, 400},
		{"undeclared attribute prefix", `<d:x xmlns:d="DAV:" y:a="1"/>`, 400},
		{"prefix out of scope", `<d:x xmlns:d="DAV:"><a xmlns:y="urn:y"/><y:b/></d:x>`, 400},
		{"xml prefix predefined", `<d:x xmlns:d="DAV:" xml:lang="en"/>`, 0},
		{"no namespace", `<x/>`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseXML([]byte(tt.in))
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("ParseXML(%q) = %v", tt.in, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.wantCode {
				t.Fatalf("ParseXML(%q) = %v, want code %d", tt.in, err, tt.wantCode)
			}
		})
	}
}

func TestInnerXMLRoundTrip(t *testing.T) {
	root, err := ParseXML([]byte(`<p xmlns="urn:p"><a:x xmlns:a="urn:a" k="v">t&amp;<b/></a:x><y xmlns="">z</y></p>`))
	if err != nil {
		t.Fatal(err)
	}
	inner := root.InnerXML()
	again, err := ParseXML([]byte(`<wrap xmlns="urn:other">` + inner + `</wrap>`))
	if err != nil {
		t.Fatalf("InnerXML %q does not parse: %v", inner, err)
	}
	if got := again.Children[0].Name; got.Space != "urn:a" || got.Local != "x" {
		t.Errorf("InnerXML first child = %v, want {urn:a x}", got)
	}
	if got := again.Children[1].Name; got.Space != "" || got.Local != "y" {
		t.Errorf("InnerXML second child = %v, want {'' y}", got)
	}
	if got := again.Children[0].AttrValue("k"); got != "v" {
		t.Errorf("attribute = %q, want v", got)
	}
}

func TestParsePropfind(t *testing.T) {
	root, _ := ParseXML([]byte(`<propfind xmlns="DAV:"><prop><getetag/><displayname/></prop></propfind>`))
	pf, err := ParsePropfind(root)
	if err != nil || len(pf.Prop) != 2 || pf.Prop[0] != Name("getetag") {
		t.Errorf("ParsePropfind = %+v, %v", pf, err)
	}
	if pf, err := ParsePropfind(nil); err != nil || !pf.AllProp {
		t.Errorf("ParsePropfind(nil) = %+v, %v, want allprop", pf, err)
	}
	root, _ = ParseXML([]byte(`<propfind xmlns="DAV:"><allprop/><propname/></propfind>`))
	if _, err := ParsePropfind(root); err == nil {
		t.Errorf("ParsePropfind(allprop+propname) succeeded")
	}
}

func TestParsePropertyUpdateOrder(t *testing.T) {
	root, _ := ParseXML([]byte(`<propertyupdate xmlns="DAV:"><set><prop><a/></prop></set><remove><prop><b/></prop></remove><set><prop><c/></prop></set></propertyupdate>`))
	ops, err := ParsePropertyUpdate(root)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range ops {
		s := op.Prop.Name.Local
		if op.Remove {
			s = "-" + s
		}
		got = append(got, s)
	}
	if want := []string{"a", "-b", "c"}; !slices.Equal(got, want) {
		t.Errorf("ParsePropertyUpdate order = %v, want %v", got, want)
	}
}

func TestSplitPath(t *testing.T) {
	tests := []struct {
		in       string
		want     []string
		wantCode int
	}{
		{"/dav/", nil, 0},
		{"/dav", nil, 0},
		{"/dav/calendars/alice/", []string{"calendars", "alice"}, 0},
		{"/dav/calendars/alice/a%40b.ics", []string{"calendars", "alice", "a@b.ics"}, 0},
		{"/dav/calendars/alice/a%252Fb.ics", []string{"calendars", "alice", "a%2Fb.ics"}, 0},
		{"/dav/calendars/alice/a%2Fb.ics", nil, 400},
		{"/dav/calendars/../x", nil, 400},
		{"/dav/calendars/%2e%2e/x", nil, 400},
		{"/dav/calendars/%2E/x", nil, 400},
		{"/dav/calendars//x", nil, 400},
		{"/dav/calendars/%00/x", nil, 400},
		{"/dav/calendars/%zz", nil, 400},
		{"/other/", nil, 404},
	}
	for _, tt := range tests {
		got, _, err := SplitPath(tt.in, "/dav/")
		if tt.wantCode == 0 {
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("SplitPath(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != tt.wantCode {
			t.Errorf("SplitPath(%q) = %q, %v, want code %d", tt.in, got, err, tt.wantCode)
		}
	}
	if got := JoinPath("/dav/", false, "calendars", "a b", "x/y.ics"); got != "/dav/calendars/a%20b/x%2Fy.ics" {
		t.Errorf("JoinPath = %q", got)
	}
}

func TestPreconditions(t *testing.T) {
	tests := []struct {
		ifMatch, ifNoneMatch string
		etag                 string
		want                 bool
	}{
		{"", "", `"a"`, true},
		{`"a"`, "", `"a"`, true},
		{`"b", "a"`, "", `"a"`, true},
		{`"b"`, "", `"a"`, false},
		{`W/"a"`, "", `"a"`, false},
		{"*", "", "", false},
		{"*", "", `"a"`, true},
		{"nothing", "", `"a"`, false},
		{"", "*", `"a"`, false},
		{"", "*", "", true},
		{"", `W/"a"`, `"a"`, false},
		{"", `"b"`, `"a"`, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.ifMatch != "" {
			h.Set("If-Match", tt.ifMatch)
		}
		if tt.ifNoneMatch != "" {
			h.Set("If-None-Match", tt.ifNoneMatch)
		}
		if got := ParsePreconditions(h).Check(tt.etag); got != tt.want {
			t.Errorf("Check(If-Match %q, If-None-Match %q, etag %q) = %v, want %v", tt.ifMatch, tt.ifNoneMatch, tt.etag, got, tt.want)
		}
	}
}

func TestHeaders(t *testing.T) {
	for in, want := range map[string]Depth{"0": DepthZero, "1": DepthOne, "infinity": DepthInfinity, "Infinity": DepthInfinity} {
		if got, err := ParseDepth(http.Header{"Depth": {in}}, DepthZero); err != nil || got != want {
			t.Errorf("ParseDepth(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	if _, err := ParseDepth(http.Header{"Depth": {"2"}}, DepthZero); err == nil {
		t.Errorf("ParseDepth(2) succeeded")
	}
	r := httptest.NewRequest("COPY", "http://dav.example/dav/x", nil)
	for in, want := range map[string]string{
		"http://dav.example/dav/calendars/a%20b/": "/dav/calendars/a%20b/",
		"/dav/y":                       "/dav/y",
		"http://evil.example/dav/y":    "502",
		"relative":                     "400",
		"http://dav.example/dav/y?q=1": "400",
	} {
		r.Header.Set("Destination", in)
		got, err := ParseDestination(r)
		var e *Error
		if errors.As(err, &e) {
			got = map[int]string{400: "400", 502: "502"}[e.Code]
		}
		if got != want {
			t.Errorf("ParseDestination(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMultistatusWriter(t *testing.T) {
	w := httptest.NewRecorder()
	mw := NewMultistatusWriter(w)
	resp := &Response{Href: "/a"}
	resp.Add(http.StatusNotFound, NewElement(Name("x")))
	resp.Add(http.StatusOK, TextElement(Name("displayname"), "A & B"))
	if err := mw.Write(resp); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(TextElement(Name("sync-token"), "t")); err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusMultiStatus {
		t.Errorf("status = %d", w.Code)
	}
	root, err := ParseXML(w.Body.Bytes())
	if err != nil {
		t.Fatalf("multistatus does not parse: %v\n%s", err, w.Body)
	}
	r := root.Child(Name("response"))
	ps := r.ChildrenNamed(Name("propstat"))
	if len(ps) != 2 || ps[0].Child(Name("status")).Text != "HTTP/1.1 200 OK" ||
		ps[0].Child(Name("prop")).Child(Name("displayname")).Text != "A & B" {
		t.Errorf("multistatus = %s", w.Body)
	}
	if root.Child(Name("sync-token")).Text != "t" {
		t.Errorf("sync-token missing: %s", w.Body)
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a&b<c>d\r\ne\tf", "a&amp;b&lt;c&gt;d&#xD;\ne\tf"},
		{"café ☃ \uFFFD", "café ☃ \uFFFD"},
		{"bad\xffbyte\x01ctl", "bad\uFFFDbyte\uFFFDctl"},
		{"", ""},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		escape(&b, tt.in)
		if b.String() != tt.want {
			t.Errorf("escape(%q) = %q, want %q", tt.in, b.String(), tt.want)
		}
	}
}
