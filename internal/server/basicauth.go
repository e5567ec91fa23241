// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"errors"
	"net"
	"net/http"

	"github.com/almanac-project/almanac/internal/auth"
	"github.com/almanac-project/almanac/internal/calendar"
)

// challenge is the one WWW-Authenticate value of every 401, on every
// route and method (design/client-quirks.md §1: clients compare realms).
const challenge = `Basic realm="Almanac", charset="UTF-8"`

// unauthorized answers 401 with the challenge (RFC 7617 §2, RFC 9110 §11.6.1).
func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", challenge)
	http.Error(w, "authentication required", http.StatusUnauthorized)
}

// requireAuth lets through only requests with valid Basic credentials,
// with the principal in the context. Every other request, whatever its
// method (OPTIONS included), gets 401 with the challenge.
func (s *Server) requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		next.ServeHTTP(w, r.WithContext(calendar.ContextWithPrincipal(r.Context(), p)))
	})
}

// authenticate checks the request's credentials. When it returns false it
// has answered the request.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*calendar.Principal, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok {
		unauthorized(w)
		return nil, false
	}
	ctx := auth.ContextWithClientIP(r.Context(), clientIP(r))
	p, err := s.auth.Authenticate(ctx, user, pass)
	switch {
	case err == nil:
		infoFrom(r.Context()).principal = p.Name
		return p, true
	case errors.Is(err, auth.ErrInvalidCredentials):
		s.metrics.authFailures.WithLabelValues("invalid").Inc()
		s.log.Info("authentication failed", "user", user, "client_ip", clientIP(r),
			"request_id", infoFrom(r.Context()).id)
		unauthorized(w)
	case errors.Is(err, auth.ErrThrottled):
		s.metrics.authFailures.WithLabelValues("throttled").Inc()
		s.log.Warn("authentication throttled", "user", user, "client_ip", clientIP(r),
			"request_id", infoFrom(r.Context()).id)
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many failed logins; try again in a minute", http.StatusTooManyRequests)
	default:
		s.metrics.authFailures.WithLabelValues("error").Inc()
		s.log.Error("authentication", "err", err, "request_id", infoFrom(r.Context()).id)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
	}
	return nil, false
}

// clientIP is the address of the peer. Behind a reverse proxy it is the
// proxy's.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
