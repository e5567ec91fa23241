// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
)

// feedSource returns the collection with a feed token and its objects;
// (*calendar.Service).Feed is one.
type feedSource func(ctx context.Context, token string) (*calendar.Collection, []*calendar.Object, error)

// serveFeed answers GET /feeds/<token>.ics: the whole collection as one
// iCalendar object (RFC 5545) for subscription (webcal), with a strong
// ETag and Last-Modified so that subscribers can poll with conditional
// requests (RFC 9110 §13) and get 304 Not Modified.
func (s *Server) serveFeed(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || token == "" {
		http.NotFound(w, r)
		return
	}
	coll, objs, err := s.feed(r.Context(), token)
	if errors.Is(err, calendar.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.log.Error("feed", "err", err, "request_id", infoFrom(r.Context()).id)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}

	modified := coll.Modified
	for _, o := range objs {
		if o.Modified.After(modified) {
			modified = o.Modified
		}
	}
	var buf bytes.Buffer
	if err := calendar.WriteCalendar(&buf, coll.DisplayName, objs); err != nil {
		s.log.Error("feed", "collection_id", coll.ID, "err", err, "request_id", infoFrom(r.Context()).id)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("ETag", calendar.ETag(buf.Bytes()))
	// The URL is a secret: shared caches must not keep it.
	h.Set("Cache-Control", "private, max-age=300")
	// ServeContent answers If-None-Match / If-Modified-Since with 304,
	// HEAD and ranges.
	http.ServeContent(w, r, coll.Name+".ics", modified.Truncate(time.Second), bytes.NewReader(buf.Bytes()))
}

// healthz answers 200 "ok" when the store answers, 503 otherwise.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	w.Header().Set("Cache-Control", "no-store")
	if err := s.ping(ctx); err != nil {
		s.log.Error("health check", "err", err, "request_id", infoFrom(r.Context()).id)
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}
