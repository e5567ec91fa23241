// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"net/http"
	"net/url"
	"strings"
)

// readMethods are the methods of the anonymous read-only /public/ tree.
var readMethods = map[string]bool{"GET": true, "HEAD": true, "OPTIONS": true, "PROPFIND": true, "REPORT": true}

// routes builds the handler tree. dav serves the authenticated tree
// (mounted on /dav/, also answering "/" as the context root), public the
// anonymous read-only tree on /public/, ischedule the CRISP endpoint.
func (s *Server) routes(dav, public, ischedule http.Handler) http.Handler {
	mux := http.NewServeMux()

	// CRISP (iSchedule -05 §5): the scheduling-only endpoint other
	// domains deliver to, anonymous at the HTTP level (senders prove
	// themselves with DKIM or mutual TLS), at the well-known URI and at
	// the path a DNS TXT record can announce ("path=/ischedule").
	mux.Handle("/.well-known/ischedule", ischedule)
	mux.Handle("/ischedule", ischedule)

	// RFC 6764 §5: the well-known URI redirects to the context path. Only
	// after authentication, so that clients which send credentials only
	// after a challenge learn them here; 301, never 302, which
	// python-requests turns into GET (design/client-quirks.md §1). The
	// body-less PROPFIND a client re-sends to /dav/ is answered as allprop,
	// which includes current-user-principal.
	wellKnown := s.requireAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/dav/", http.StatusMovedPermanently)
	}))
	mux.Handle("/.well-known/caldav", wellKnown)
	mux.Handle("/.well-known/caldav/", wellKnown)

	mux.Handle("/dav/", s.requireAuth(dav))
	// Without this, ServeMux would redirect "/dav" to "/dav/" before
	// authentication, with a 301 that turns a PROPFIND into a body-less
	// one. 308 keeps the method and body (RFC 9110 §15.4.9).
	mux.Handle("/dav", s.requireAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/dav/", http.StatusPermanentRedirect)
	})))
	// Everything else that is not a named route goes to the DAV handler
	// after authentication: "/" is the context root of clients configured
	// with the bare server URL, and anonymous requests anywhere get the
	// same 401 as on /dav/.
	mux.Handle("/", s.requireAuth(dav))

	mux.Handle("/public/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !readMethods[r.Method] {
			w.Header().Set("Allow", "GET, HEAD, OPTIONS, PROPFIND, REPORT")
			http.Error(w, "the public tree is read-only", http.StatusMethodNotAllowed)
			return
		}
		public.ServeHTTP(w, r)
	}))
	mux.HandleFunc("GET /feeds/{file}", s.serveFeed)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", s.metrics.handler())

	return s.observe(refuseDotSegments(mux))
}

// refuseDotSegments answers 400 to a request whose path has a "." or ".."
// segment, escaped ("%2e%2e") or not. ServeMux would redirect it to the
// cleaned path with a 307, which keeps the method and body: a PUT or
// DELETE sent on to a resource the request did not name. Clients remove
// dot segments before sending (RFC 3986 §5.2.4), so a path that still
// has them is malformed; the DAV handler refuses them too
// (webdav.SplitPath), but only behind the mux.
func refuseDotSegments(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for seg := range strings.SplitSeq(r.URL.EscapedPath(), "/") {
			if u, err := url.PathUnescape(seg); err == nil && (u == "." || u == "..") {
				http.Error(w, "invalid path: remove the . and .. segments", http.StatusBadRequest)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
