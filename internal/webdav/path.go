// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package webdav

import (
	"net/http"
	"net/url"
	"strings"
)

// SplitPath splits an escaped URL path below prefix (such as "/dav/") into
// decoded segments and reports whether it ends with a slash. Each segment
// is decoded exactly once. It refuses, with a 400 error, paths with "."
// or ".." segments (escaped or not), empty segments, a segment that
// decodes to something containing "/", a NUL or control character, or
// invalid escapes, so that no request can name anything outside the
// collection its path shows. A path outside prefix is a 404 error.
func SplitPath(escaped, prefix string) (segs []string, trailingSlash bool, err error) {
	bad := &Error{Code: http.StatusBadRequest, Msg: "invalid path"}
	rest, ok := strings.CutPrefix(escaped, prefix)
	if !ok {
		if escaped+"/" == prefix {
			return nil, true, nil
		}
		return nil, false, &Error{Code: http.StatusNotFound}
	}
	if rest == "" {
		return nil, true, nil
	}
	trailingSlash = strings.HasSuffix(rest, "/")
	rest = strings.TrimSuffix(rest, "/")
	for _, raw := range strings.Split(rest, "/") {
		seg, err := url.PathUnescape(raw)
		if err != nil || seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "/\\") {
			return nil, false, bad
		}
		for _, r := range seg {
			if r < 0x20 || r == 0x7f {
				return nil, false, bad
			}
		}
		segs = append(segs, seg)
	}
	return segs, trailingSlash, nil
}

// JoinPath returns prefix followed by the escaped segments, with a
// trailing slash if collection is set: the inverse of SplitPath.
func JoinPath(prefix string, collection bool, segs ...string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i, s := range segs {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(url.PathEscape(s))
	}
	if collection && len(segs) > 0 {
		b.WriteByte('/')
	}
	return b.String()
}
