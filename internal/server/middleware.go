// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// requestInfo is what the access log learns while a request is served.
// The middleware that creates it owns it; handlers below fill in fields.
type requestInfo struct {
	id        string
	principal string
}

type requestInfoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	if ri == nil {
		return &requestInfo{}
	}
	return ri
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// headCapture keeps the first bytes of a request body as the handler reads
// them, to name the REPORT in the access log without reading the body
// twice.
type headCapture struct {
	io.ReadCloser
	buf bytes.Buffer
}

const headCaptureLen = 1024

func (h *headCapture) Read(p []byte) (int, error) {
	n, err := h.ReadCloser.Read(p)
	if room := headCaptureLen - h.buf.Len(); room > 0 && n > 0 {
		h.buf.Write(p[:min(n, room)])
	}
	return n, err
}

// reportName returns the local name of the root element of an XML body
// prefix, such as "calendar-query", or "" if none is visible. It skips the
// XML declaration, comments and a DOCTYPE, and tolerates a prefix cut in
// the middle of the root element's attributes.
func reportName(head []byte) string {
	for {
		head = bytes.TrimLeft(head, " \t\r\n\ufeff")
		switch {
		case bytes.HasPrefix(head, []byte("<?")):
			_, head, _ = bytes.Cut(head, []byte("?>"))
		case bytes.HasPrefix(head, []byte("<!--")):
			_, head, _ = bytes.Cut(head, []byte("-->"))
		case bytes.HasPrefix(head, []byte("<!")):
			_, head, _ = bytes.Cut(head, []byte(">"))
		case bytes.HasPrefix(head, []byte("<")):
			name := head[1:]
			if end := bytes.IndexAny(name, " \t\r\n/>"); end >= 0 {
				name = name[:end]
			} else {
				return ""
			}
			if _, local, ok := bytes.Cut(name, []byte(":")); ok {
				name = local
			}
			return string(name)
		default:
			return ""
		}
	}
}

// newRequestID returns 16 random hex digits.
func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validRequestID accepts an X-Request-Id set by a reverse proxy if it is
// short and made of safe characters.
func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// observe is the outermost middleware: request id, body limit, panic
// recovery, metrics and one access log line per request.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &requestInfo{id: r.Header.Get("X-Request-Id")}
		if !validRequestID(ri.id) {
			ri.id = newRequestID()
		}
		w.Header().Set("X-Request-Id", ri.id)
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))

		var head *headCapture
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxBodyBytes)
			if r.Method == "REPORT" {
				head = &headCapture{ReadCloser: r.Body}
				r.Body = head
			}
		}
		sw := &statusWriter{ResponseWriter: w}
		s.metrics.inFlight.Inc()
		defer func() {
			s.metrics.inFlight.Dec()
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "request_id", ri.id, "method", r.Method,
					"path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, "internal server error", http.StatusInternalServerError)
				} else {
					sw.status = http.StatusInternalServerError
				}
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			s.metrics.observe(r.Method, status, d)
			attrs := []slog.Attr{
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Duration("duration", d),
				slog.String("principal", ri.principal),
				slog.String("request_id", ri.id),
				slog.Int64("bytes", sw.bytes),
			}
			if dh := r.Header.Get("Depth"); dh != "" {
				attrs = append(attrs, slog.String("depth", dh))
			}
			if head != nil {
				attrs = append(attrs, slog.String("report", reportName(head.buf.Bytes())))
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}
