// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/almanac-project/almanac/internal/caldav/caldata"
	"github.com/almanac-project/almanac/internal/webdav"
)

// Options configure a Handler.
type Options struct {
	// Prefix is the path the handler is mounted on, with both slashes:
	// "/dav/" for the authenticated tree, "/public/" for the anonymous
	// read-only mount. Empty means "/dav/". The request path "/" is
	// answered like the prefix itself (the context root, RFC 6764 §5).
	Prefix string
	// Limits are the resource limits of every calendar collection,
	// checked on PUT and advertised as CALDAV:max-resource-size,
	// min-date-time, max-date-time, max-instances and
	// max-attendees-per-instance (RFC 4791 §5.2.5–§5.2.9). Zero fields
	// mean no limit (MaxResourceSize is still capped by MaxObjectSize).
	Limits caldata.Limits
	// MaxSyncResults is the most members one sync-collection answer
	// lists before it is truncated with a 507 (RFC 6578 §3.6). Zero or
	// less means no limit.
	MaxSyncResults int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// OnError, if set, is called with every error answered with a 5xx
	// status, and every error that aborts a multistatus already under
	// way, for the caller to log. Nil means such errors are not
	// reported (the protocol package does not log, STYLE.md §5).
	OnError func(r *http.Request, err error)
}

// MaxObjectSize caps the body of a PUT whatever Limits.MaxResourceSize
// says.
const MaxObjectSize = 16 << 20

// maxReportBody caps the XML body of a REPORT (a calendar-multiget can
// list many hrefs).
const maxReportBody = 4 << 20

// davHeader is the DAV header (RFC 4918 §10.1, RFC 3744 §7.2, RFC 4791
// §5.1, RFC 5689 §3.1). Class 2 is absent: there is no LOCK. A backend
// that implements Scheduler adds calendar-auto-schedule (RFC 6638 §2) and
// calendar-availability (RFC 7953 §7.2.1).
const davHeader = "1, 3, access-control, calendar-access, extended-mkcol"

// Handler serves CalDAV on a Backend. It is safe for concurrent use.
type Handler struct {
	b   Backend
	opt Options
	dav string // the DAV header
}

// NewHandler returns a handler serving b.
func NewHandler(b Backend, opt Options) http.Handler {
	if opt.Prefix == "" {
		opt.Prefix = "/dav/"
	}
	if !strings.HasPrefix(opt.Prefix, "/") {
		opt.Prefix = "/" + opt.Prefix
	}
	if !strings.HasSuffix(opt.Prefix, "/") {
		opt.Prefix += "/"
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	h := &Handler{b: b, opt: opt, dav: davHeader}
	if h.scheduler() != nil {
		// RFC 7953 §7.2.1: availability in free-busy answers and on the
		// inbox comes with scheduling.
		h.dav += ", calendar-auto-schedule, calendar-availability"
	}
	return h
}

// request is the state of one request shared by the method handlers.
type request struct {
	ctx  context.Context
	user *Principal // nil: anonymous
	res  *resource
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("DAV", h.dav)
	if err := h.serve(w, r); err != nil {
		h.serveError(w, r, err)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) error {
	res, err := h.route(r.URL.EscapedPath())
	if err != nil {
		return err
	}
	user, err := h.b.CurrentUser(r.Context())
	if err != nil {
		return err
	}
	rq := &request{ctx: r.Context(), user: user, res: res}
	if user == nil && isWrite(r.Method) {
		// The anonymous mount is read-only.
		return needPrivileges()
	}
	switch r.Method {
	case http.MethodOptions:
		return h.options(w, r, rq)
	case "PROPFIND":
		return h.propfind(w, r, rq)
	case "PROPPATCH":
		return h.proppatch(w, r, rq)
	case "MKCALENDAR", "MKCOL":
		return h.mkcalendar(w, r, rq)
	case http.MethodGet, http.MethodHead:
		return h.get(w, r, rq)
	case http.MethodPut:
		return h.put(w, r, rq)
	case http.MethodDelete:
		return h.delete(w, r, rq)
	case "COPY", "MOVE":
		return h.copyMove(w, r, rq)
	case "ACL":
		return h.acl(w, r, rq)
	case "REPORT":
		return h.report(w, r, rq)
	case http.MethodPost:
		return h.post(w, r, rq)
	}
	w.Header().Set("Allow", strings.Join(h.allow(res), ", "))
	return &webdav.Error{Code: http.StatusMethodNotAllowed}
}

func isWrite(method string) bool {
	switch method {
	case "PROPPATCH", "MKCALENDAR", "MKCOL", http.MethodPut, http.MethodDelete, "COPY", "MOVE", "ACL", http.MethodPost, "LOCK", "UNLOCK":
		return true
	}
	return false
}

func needPrivileges() error {
	return &webdav.Error{Code: http.StatusForbidden, Condition: webdav.Name("need-privileges"), Msg: "forbidden"}
}

func methodNotAllowed(h *Handler, w http.ResponseWriter, res *resource) error {
	w.Header().Set("Allow", strings.Join(h.allow(res), ", "))
	return &webdav.Error{Code: http.StatusMethodNotAllowed}
}

// serveError is the one place where errors become responses (STYLE.md
// §4): webdav and caldata errors carry their status and precondition,
// Backend errors are mapped as backend.go documents, anything else is a
// generic 500.
func (h *Handler) serveError(w http.ResponseWriter, r *http.Request, err error) {
	e := h.toHTTP(err)
	if e.Code >= 500 && h.opt.OnError != nil {
		h.opt.OnError(r, err)
	}
	webdav.WriteError(w, e)
}

func (h *Handler) toHTTP(err error) *webdav.Error {
	var (
		we  *webdav.Error
		pe  *caldata.PreconditionError
		uce *UIDConflictError
		se  *ScheduleError
		pve *PrivilegeError
	)
	switch {
	case errors.As(err, &we):
		return we
	case errors.As(err, &se):
		// RFC 6638 §3.2.4, §4.3.1, §5.2: a CALDAV: precondition.
		e := &webdav.Error{Code: se.status(), Condition: webdav.CalName(se.Condition), Msg: se.Msg, Err: err}
		if se.Href != "" {
			e.Content = []*webdav.Element{webdav.Href(h.hrefOfPath(se.Href))}
		}
		return e
	case errors.As(err, &pe):
		code := pe.Status
		if code < 400 || code > 599 {
			code = http.StatusForbidden
		}
		space := pe.Space
		if space == "" {
			space = webdav.NSCalDAV
		}
		return &webdav.Error{Code: code, Condition: xmlName(space, pe.Name), Msg: pe.Msg, Err: err}
	case errors.As(err, &pve):
		// RFC 3744 §7.1.1, as in RFC 6638 Appendix B.6.
		e := needPrivilege(h.hrefOfPath(pve.Path), privilegeName(pve.Privilege))
		e.Err = err
		return e
	case errors.As(err, &uce):
		// RFC 4791 §5.3.2.1: CALDAV:no-uid-conflict names the resource
		// already holding the UID.
		return &webdav.Error{Code: http.StatusForbidden, Condition: webdav.CalName("no-uid-conflict"),
			Content: []*webdav.Element{webdav.Href(h.hrefOfPath(uce.Href))}, Err: err}
	case errors.Is(err, ErrNotFound):
		return &webdav.Error{Code: http.StatusNotFound, Err: err}
	case errors.Is(err, ErrForbidden):
		return &webdav.Error{Code: http.StatusForbidden, Condition: webdav.Name("need-privileges"), Err: err}
	case errors.Is(err, ErrExists):
		return &webdav.Error{Code: http.StatusMethodNotAllowed, Condition: webdav.Name("resource-must-be-null"), Err: err}
	case errors.Is(err, ErrPreconditionFailed):
		return &webdav.Error{Code: http.StatusPreconditionFailed, Err: err}
	case errors.Is(err, ErrInvalidSyncToken):
		return &webdav.Error{Code: http.StatusForbidden, Condition: webdav.Name("valid-sync-token"), Err: err}
	case errors.Is(err, ErrQuotaExceeded):
		// RFC 4331 §6: DAV:quota-not-exceeded with 507.
		return &webdav.Error{Code: http.StatusInsufficientStorage, Condition: webdav.Name("quota-not-exceeded"), Err: err}
	case errors.Is(err, ErrNotSupported):
		return &webdav.Error{Code: http.StatusMethodNotAllowed, Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &webdav.Error{Code: http.StatusServiceUnavailable, Err: err}
	}
	return &webdav.Error{Code: http.StatusInternalServerError, Err: err}
}

// hrefOfPath turns a path a backend reports (absolute, or relative to the
// prefix such as "calendars/alice/work/x.ics") into an escaped href.
func (h *Handler) hrefOfPath(p string) string {
	if strings.HasPrefix(p, "/") || strings.Contains(p, "://") {
		return p
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	return webdav.JoinPath(h.opt.Prefix, strings.HasSuffix(p, "/"), segs...)
}
