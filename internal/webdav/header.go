// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package webdav

import (
	"net/http"
	"net/url"
	"strings"
)

// Depth is the value of the Depth header (RFC 4918 §10.2).
type Depth int

// Depth values.
const (
	DepthZero     Depth = 0
	DepthOne      Depth = 1
	DepthInfinity Depth = -1
)

// ParseDepth reads the Depth header; a missing header gives def. An
// unknown value is a 400 error.
func ParseDepth(h http.Header, def Depth) (Depth, error) {
	v, ok := h["Depth"]
	if !ok || len(v) == 0 {
		return def, nil
	}
	switch strings.ToLower(strings.TrimSpace(v[0])) {
	case "0":
		return DepthZero, nil
	case "1":
		return DepthOne, nil
	case "infinity":
		return DepthInfinity, nil
	}
	return 0, &Error{Code: http.StatusBadRequest, Msg: "invalid Depth header"}
}

// ParseOverwrite reads the Overwrite header (RFC 4918 §10.6); missing
// means true.
func ParseOverwrite(h http.Header) (bool, error) {
	switch strings.TrimSpace(h.Get("Overwrite")) {
	case "", "T", "t":
		return true, nil
	case "F", "f":
		return false, nil
	}
	return false, &Error{Code: http.StatusBadRequest, Msg: "invalid Overwrite header"}
}

// ParseDestination reads the Destination header (RFC 4918 §10.3): an
// absolute URI or an absolute path. It returns the escaped path. A URI
// naming another host than the request's is a 502 error (§9.8.5).
func ParseDestination(r *http.Request) (string, error) {
	v := strings.TrimSpace(r.Header.Get("Destination"))
	if v == "" {
		return "", &Error{Code: http.StatusBadRequest, Msg: "missing Destination header"}
	}
	u, err := url.Parse(v)
	if err != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", &Error{Code: http.StatusBadRequest, Msg: "invalid Destination header", Err: err}
	}
	if u.Host != "" && !strings.EqualFold(u.Host, r.Host) {
		return "", &Error{Code: http.StatusBadGateway, Msg: "destination on another server"}
	}
	if u.Host == "" && u.Scheme != "" {
		return "", &Error{Code: http.StatusBadRequest, Msg: "invalid Destination header"}
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") {
		return "", &Error{Code: http.StatusBadRequest, Msg: "invalid Destination header"}
	}
	return p, nil
}

// Preconditions are the entity tags of the If-Match and If-None-Match
// headers (RFC 9110 §13.1.1, §13.1.2).
type Preconditions struct {
	// IfMatch holds the entity tags of If-Match as written (quoted,
	// possibly weak), or "*"; nil without the header.
	IfMatch []string
	// IfNoneMatch is the same for If-None-Match.
	IfNoneMatch []string
}

// ParsePreconditions reads If-Match and If-None-Match. Values that are not
// entity tags are kept as they are: they never match a strong tag, so a
// request carrying one fails with 412 as RFC 9110 requires.
func ParsePreconditions(h http.Header) Preconditions {
	return Preconditions{IfMatch: etagList(h.Values("If-Match")), IfNoneMatch: etagList(h.Values("If-None-Match"))}
}

func etagList(values []string) []string {
	var out []string
	for _, v := range values {
		for v = strings.TrimSpace(v); v != ""; v = strings.TrimSpace(v) {
			var tag string
			if v[0] == ',' {
				v = v[1:]
				continue
			}
			start := 0
			if strings.HasPrefix(v, "W/") {
				start = 2
			}
			if len(v) > start && v[start] == '"' {
				if end := strings.IndexByte(v[start+1:], '"'); end >= 0 {
					tag, v = v[:start+end+2], v[start+end+2:]
					out = append(out, tag)
					continue
				}
			}
			if i := strings.IndexByte(v, ','); i >= 0 {
				tag, v = strings.TrimSpace(v[:i]), v[i+1:]
			} else {
				tag, v = v, ""
			}
			out = append(out, tag)
		}
	}
	if values != nil && out == nil {
		out = []string{}
	}
	return out
}

// Any reports whether the list is "*".
func anyTag(list []string) bool {
	for _, t := range list {
		if t == "*" {
			return true
		}
	}
	return false
}

// Check evaluates the preconditions against the current strong entity tag
// of the resource ("" when it does not exist), with the strong comparison
// of RFC 9110 §8.8.3.2. It reports whether the request may proceed.
func (p Preconditions) Check(etag string) bool {
	if p.IfMatch != nil {
		if etag == "" {
			return false
		}
		if !anyTag(p.IfMatch) && !contains(p.IfMatch, etag) {
			return false
		}
	}
	if p.IfNoneMatch != nil && etag != "" {
		if anyTag(p.IfNoneMatch) || containsWeak(p.IfNoneMatch, etag) {
			return false
		}
	}
	return true
}

// IfNoneMatchAny reports whether If-None-Match is "*".
func (p Preconditions) IfNoneMatchAny() bool { return anyTag(p.IfNoneMatch) }

// IfMatchAny reports whether If-Match is "*".
func (p Preconditions) IfMatchAny() bool { return anyTag(p.IfMatch) }

func contains(list []string, etag string) bool {
	if strings.HasPrefix(etag, "W/") {
		return false
	}
	for _, t := range list {
		if t == etag {
			return true
		}
	}
	return false
}

// containsWeak is the weak comparison If-None-Match uses (RFC 9110
// §13.1.2).
func containsWeak(list []string, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, t := range list {
		if strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
