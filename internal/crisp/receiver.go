// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// Backend is what the receiver needs from the calendar service. It is
// implemented in internal/server. Implementations must be safe for
// concurrent use: the receiver calls them from every request.
type Backend interface {
	// IsLocal reports whether addr, a normalised calendar user address
	// (ical.NormalizeAddress), is a calendar user of the service. It
	// must not say why an address is not local.
	IsLocal(ctx context.Context, addr string) bool
	// Deliver hands one recipient its message. The result is that
	// recipient's REQUEST-STATUS value ("2.0;Success", "3.7;Invalid
	// calendar user" …) and, for a VFREEBUSY REQUEST, the VFREEBUSY
	// REPLY as iCalendar text. An error means the service failed (the
	// recipient gets 5.1, try later); a refusal is a status, not an
	// error. in.Message is shared by the recipients of one request:
	// Deliver must not change it.
	Deliver(ctx context.Context, in Incoming) (status string, reply []byte, err error)
}

// Incoming is one validated scheduling message for one recipient.
type Incoming struct {
	// Originator is the normalised calendar user address of the
	// iSchedule Originator header, bound to the message (seed-mapping
	// §3.4): the ORGANIZER for the organizer's methods, the replying
	// ATTENDEE for REPLY, REFRESH and COUNTER.
	Originator string
	// Recipient is the normalised calendar user address of the
	// recipient, a local calendar user.
	Recipient string
	// Message is the validated iTIP message, a VCALENDAR.
	Message *ical.Component
	// Sender says how the sender was authenticated.
	Sender Sender
}

// Sender modes.
const (
	SenderAnonymous = "anonymous"
	SenderDKIM      = "dkim"
	SenderMTLS      = "mtls"
)

// Sender says how the sender of a request was authenticated
// (seed-mapping §3.6).
type Sender struct {
	// Mode is "anonymous", "dkim" or "mtls".
	Mode string
	// Domain is the DKIM d= or the domain configured for the TLS peer;
	// "" when anonymous.
	Domain string
}

// Verifies reports whether actor, an e-mail address or calendar user
// address, is proven by s: s is DKIM or mTLS with a domain equal to the
// actor's domain or a parent of it (iSchedule -05 §7.3: "which includes
// matching of sub-domains").
func (s Sender) Verifies(actor string) bool {
	if s.Mode != SenderDKIM && s.Mode != SenderMTLS || s.Domain == "" {
		return false
	}
	d := addressDomain(actor)
	return d != "" && domainWithin(d, s.Domain)
}

// addressDomain returns the domain of a mailto: calendar user address or
// a bare e-mail address, in lower case, or "".
func addressDomain(addr string) string {
	addr = strings.TrimSpace(addr)
	if len(addr) >= 7 && strings.EqualFold(addr[:7], "mailto:") {
		addr = addr[7:]
	}
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 || i == len(addr)-1 {
		return ""
	}
	d := strings.TrimSuffix(strings.ToLower(addr[i+1:]), ".")
	if !validDomain(d) {
		return ""
	}
	return d
}

// validDomain reports whether d is a host name: dot-separated labels of
// letters, digits and hyphens.
func validDomain(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// domainWithin reports whether domain d equals parent or is below it.
func domainWithin(d, parent string) bool {
	d = strings.TrimSuffix(strings.ToLower(d), ".")
	parent = strings.TrimSuffix(strings.ToLower(parent), ".")
	return parent != "" && (d == parent || strings.HasSuffix(d, "."+parent))
}

// Anonymous policies (--crisp-anonymous).
const (
	AnonymousAllow = "allow"
	AnonymousHold  = "hold"
	AnonymousDeny  = "deny"
)

// Options configure a Receiver (and, through ProxyOptions, a Proxy).
type Options struct {
	// Backend is the calendar service. The receiver needs it; the proxy
	// does not use it.
	Backend Backend
	// Anonymous is the policy for senders that are neither DKIM-verified
	// nor known TLS peers (--crisp-anonymous): "deny" refuses them (403
	// verification-failed); "allow" and "hold" accept them as unverified
	// (the backend holds their messages, seed-mapping §3.6); "hold" also
	// answers their VFREEBUSY requests with 3.8 (no authority) for every
	// recipient. "" means "hold", the configuration's default.
	Anonymous string
	// Verifier verifies DKIM signatures (iSchedule -05 §7). Nil means DKIM
	// is not accepted: a signed request then counts as anonymous.
	Verifier *Verifier
	// Peers maps TLS client certificates to domains (--crisp-peers): a
	// key is the SHA-256 fingerprint of the certificate in hex (colons
	// allowed), or a subject common name or DNS subjectAltName, matched
	// only when the TLS server verified the certificate's chain. A request
	// over TLS with a client certificate listed here is from Sender mode
	// "mtls" with the mapped domain. Nil or empty: mutual TLS is not
	// accepted.
	Peers map[string]string
	// Mode is itip.ModeInterop for a normal receiver and itip.ModeStrict
	// for the DMZ proxy (seed-mapping §3.7).
	Mode itip.Mode
	// Administrator is a mailto: URI for the capabilities; "" leaves it
	// out.
	Administrator string
	// Limits bound requests; see Limits for the zero values.
	Limits Limits
	// Now is the clock of the rate limits and the replay cache; nil
	// means time.Now.
	Now func() time.Time
	// Logger receives one line per request; nil means slog.Default().
	// Calendar data and signatures are never logged.
	Logger *slog.Logger
}

// Receiver is the CRISP endpoint (seed-mapping §3): it answers OPTIONS,
// the capabilities query (GET ?action=capabilities) and scheduling POSTs,
// which it validates (seed-mapping §3.7) and delivers through the Backend.
// It exposes no calendar data: any other GET is 400, any other method
// 405. It serves every path it is given: mount it on exact patterns,
// /.well-known/ischedule and the path of the TXT record. Every response
// carries iSchedule-Version and iSchedule-Capabilities (iSchedule -05
// §9.2, §9.3). A Receiver is safe for concurrent use.
//
// A POST that fails the pipeline is refused with an IS:error (iSchedule
// -05 §6.2.2) and never reaches the Backend:
//
//	400 version-not-supported          no or another iSchedule-Version
//	400 invalid-calendar-data-type     not text/calendar in UTF-8
//	413 max-content-length             body over Limits.MaxContentLength
//	400 originator-missing             no Originator
//	400 too-many-originators           two Originator fields, or a list
//	400 originator-invalid             not a mailto: address with a domain
//	400 recipient-missing              no Recipient, or one not an absolute URI
//	400 max-recipients                 over Limits.MaxRecipients
//	403 verification-failed            a DKIM signature that does not verify, a
//	                                   d= that does not cover the Originator's
//	                                   domain, a replayed or too old signature,
//	                                   or an anonymous sender under "deny"
//	400 invalid-calendar-data          not UTF-8, not one balanced VCALENDAR
//	400 invalid-scheduling-message     against the RFC 5546 tables or RFC 5545
//	                                   values (the description names the row and
//	                                   line), Content-Type method= or component=
//	                                   not the message's, a pair not advertised,
//	                                   an unsupported RSCALE
//	403 originator-denied              the Originator is not the ORGANIZER or
//	                                   the replying ATTENDEE (RFC 5546 §1.4), or
//	                                   forwards a REQUEST
//	400 recipient-mismatch             a Recipient not an ATTENDEE (organizer's
//	                                   methods) or not the ORGANIZER (REPLY,
//	                                   REFRESH, COUNTER); for VFREEBUSY the
//	                                   Recipients are not exactly the ATTENDEEs
//	400 attachment-type-not-supported  an inline ATTACH
//	400 min-date-time, max-date-time   a date outside the advertised range
//	400 max-instances                  too many recurrence instances
//	429 rate-limited (CRISP namespace) over a rate limit, with Retry-After
//	408 request-timeout (CRISP)        the body did not arrive within
//	                                   Limits.ReadTimeout
//	503 temporary-failure (CRISP)      the DKIM key lookup failed for a
//	                                   temporary reason, with Retry-After
//
// A POST that passes gets 200 and one response per distinct recipient:
// 3.7 for an address that is not local, 3.8 for every recipient of an
// anonymous VFREEBUSY request under "hold", 5.1 when Deliver fails, else
// what Deliver says.
type Receiver struct {
	ep *intake
}

// NewReceiver returns the receiver for o. It panics when o.Backend is nil
// or o.Anonymous is not a policy.
func NewReceiver(o Options) *Receiver {
	if o.Backend == nil {
		panic("crisp: NewReceiver without a Backend")
	}
	return &Receiver{ep: newIntake(o, o.Capabilities(), "crisp request")}
}

// ServeHTTP answers one request.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.ep.serveHTTP(w, r, rc.deliver)
}

// deliver runs step 7 of the pipeline (seed-mapping §3.7): one response
// per recipient. A non-local recipient gets 3.7 (as Cyrus answers); an
// anonymous free-busy request under the hold policy gets 3.8 for every
// recipient without the Backend being asked.
func (rc *Receiver) deliver(ctx context.Context, _ *http.Request, s *scheduling, x *exchange) (*ScheduleResponse, error) {
	out := &ScheduleResponse{}
	b := rc.ep.opts.Backend
	freeBusy := s.method == string(itip.MethodRequest) && s.component == ical.CompFreeBusy
	for _, rcpt := range s.recipients {
		resp := Response{Recipient: rcpt}
		switch {
		case freeBusy && s.sender.Mode == SenderAnonymous && rc.ep.opts.Anonymous == AnonymousHold:
			resp.RequestStatus = itip.RequestStatus(itip.StatusNoAuthority)
		case !b.IsLocal(ctx, rcpt):
			resp.RequestStatus = itip.RequestStatus(itip.StatusInvalidUser)
		default:
			status, reply, err := b.Deliver(ctx, Incoming{
				Originator: s.originator,
				Recipient:  rcpt,
				Message:    s.cal.Component,
				Sender:     s.sender,
			})
			switch {
			case err != nil:
				x.failures = append(x.failures, fmt.Errorf("deliver to %s: %w", rcpt, err))
				status = itip.RequestStatus(itip.StatusUnavailable)
			case status == "":
				x.failures = append(x.failures, fmt.Errorf("deliver to %s: no status", rcpt))
				status = itip.RequestStatus(itip.StatusUnavailable)
			case freeBusy && len(reply) > 0:
				resp.CalendarData = &CalendarData{ContentType: "text/calendar", Data: string(reply)}
			}
			resp.RequestStatus = status
		}
		out.Responses = append(out.Responses, resp)
	}
	return out, nil
}

// intake is what the receiver and the proxy share: the capabilities,
// the limits, the rate limiters, the replay cache and the answers to
// everything but a valid POST.
type intake struct {
	opts    Options
	limits  Limits
	caps    Capabilities
	capsXML []byte
	serial  string
	etag    string
	peers   map[string]string
	now     func() time.Time
	log     *slog.Logger
	logMsg  string

	byIP, byDomain *buckets
	replay         *replayCache
}

func newIntake(o Options, caps Capabilities, logMsg string) *intake {
	switch o.Anonymous {
	case "":
		o.Anonymous = AnonymousHold
	case AnonymousAllow, AnonymousHold, AnonymousDeny:
	default:
		panic(fmt.Sprintf("crisp: anonymous policy %q is not allow, hold or deny", o.Anonymous))
	}
	e := &intake{
		opts:   o,
		limits: o.Limits.withDefaults(),
		caps:   caps,
		serial: strconv.FormatInt(caps.SerialNumber, 10),
		peers:  normalizePeers(o.Peers),
		now:    o.Now,
		log:    o.Logger,
		logMsg: logMsg,
		replay: newReplayCache(maxReplayEntries),
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	e.etag = `"crisp-caps-` + e.serial + `"`
	body, err := xml.MarshalIndent(QueryResult{Capabilities: caps}, "", "  ")
	if err != nil {
		panic("crisp: capabilities: " + err.Error())
	}
	e.capsXML = append([]byte(xml.Header), append(body, '\n')...)
	e.byIP = newBuckets(e.limits.RatePerIP)
	e.byDomain = newBuckets(e.limits.RatePerDomain)
	return e
}

// exchange collects what the access log line says about one request.
type exchange struct {
	remote     string
	originator string
	recipients int
	method     string
	component  string
	auth       string
	// failures are per-recipient service failures, logged with the line.
	failures []error
}

// postFunc answers a POST that passed the pipeline.
type postFunc func(ctx context.Context, r *http.Request, s *scheduling, x *exchange) (*ScheduleResponse, error)

// allowedMethods is the Allow header: no other method touches the
// endpoint, which has no calendar data to expose (CAR=NONE).
const allowedMethods = "OPTIONS, GET, HEAD, POST"

func (e *intake) serveHTTP(w http.ResponseWriter, r *http.Request, post postFunc) {
	start := e.now()
	h := w.Header()
	// iSchedule -05 §9.2, §9.3: every response carries the version and
	// the capabilities serial.
	h.Set("iSchedule-Version", Version)
	h.Set("iSchedule-Capabilities", e.serial)
	x := &exchange{remote: r.RemoteAddr}
	var err error
	var status int
	switch r.Method {
	case http.MethodOptions:
		h.Set("Allow", allowedMethods)
		w.WriteHeader(http.StatusOK)
		status = http.StatusOK
	case http.MethodGet, http.MethodHead:
		status, err = e.capabilities(w, r)
	case http.MethodPost:
		status, err = e.post(w, r, x, post)
	default:
		h.Set("Allow", allowedMethods)
		err = &refusal{code: http.StatusMethodNotAllowed, desc: "method not allowed", err: fmt.Errorf("method %s", r.Method)}
	}
	if err != nil {
		status = e.serveError(w, err)
	}
	attrs := []slog.Attr{
		slog.String("remote", x.remote),
		slog.String("http_method", r.Method),
	}
	if r.Method == http.MethodPost {
		attrs = append(attrs,
			slog.String("originator", x.originator),
			slog.Int("recipients", x.recipients),
			slog.String("method", x.method),
			slog.String("component", x.component),
			slog.String("auth", x.auth))
	}
	attrs = append(attrs, slog.Int("status", status), slog.Duration("duration", e.now().Sub(start)))
	level := slog.LevelInfo
	var f *refusal
	if errors.As(err, &f) {
		if f.cond.Local != "" {
			attrs = append(attrs, slog.String("error", f.cond.Local))
		}
		if f.err != nil {
			attrs = append(attrs, slog.Any("err", f.err))
		}
	} else if err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.Any("err", err))
	}
	if len(x.failures) > 0 {
		level = slog.LevelError
		attrs = append(attrs, slog.Any("err", errors.Join(x.failures...)))
	}
	e.log.LogAttrs(r.Context(), level, e.logMsg, attrs...)
}

// capabilities answers GET ?action=capabilities (iSchedule -05 §6.1)
// with validators for conditional GET. Any other GET is a bad request:
// the endpoint has nothing else to read.
func (e *intake) capabilities(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.URL.Query().Get("action") != "capabilities" {
		return 0, &refusal{code: http.StatusBadRequest, desc: "only ?action=capabilities can be read",
			err: fmt.Errorf("GET %q", r.URL.RawQuery)}
	}
	h := w.Header()
	h.Set("ETag", e.etag)
	h.Set("Cache-Control", "max-age=86400")
	if etagMatch(r.Header.Values("If-None-Match"), e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return http.StatusNotModified, nil
	}
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(e.capsXML)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(e.capsXML)
	}
	return http.StatusOK, nil
}

// etagMatch applies If-None-Match (RFC 9110 §13.1.2, weak comparison).
func etagMatch(headers []string, etag string) bool {
	for _, h := range headers {
		for v := range strings.SplitSeq(h, ",") {
			v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
			if v == "*" || v == etag {
				return true
			}
		}
	}
	return false
}

// post runs the pipeline and, when the request passes, the postFunc.
func (e *intake) post(w http.ResponseWriter, r *http.Request, x *exchange, post postFunc) (int, error) {
	// iSchedule -05 §6.2: POST responses are not cached or transformed.
	w.Header().Set("Cache-Control", "no-cache, no-transform")
	s, err := e.check(w, r, x)
	if err != nil {
		return 0, err
	}
	resp, err := post(r.Context(), r, s, x)
	if err != nil {
		return 0, err
	}
	body, err := xml.MarshalIndent(resp, "", "  ")
	if err != nil {
		return 0, fmt.Errorf("encode schedule-response: %w", err)
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(append(body, '\n'))
	return http.StatusOK, nil
}

// refusal is an overall failure of a request (iSchedule -05 §6.2.2): the
// HTTP status, the error element and a description for the sender; err is
// the cause, for the log only.
type refusal struct {
	code       int
	cond       xml.Name
	desc       string
	err        error
	retryAfter time.Duration
}

// refuse returns a refusal with an iSchedule error element.
func refuse(code int, element, desc string, err error) *refusal {
	return &refusal{code: code, cond: xml.Name{Space: NS, Local: element}, desc: desc, err: err}
}

// nameExt names a CRISP error element, in the extension namespace: the
// iSchedule namespace "MUST NOT be used for proprietary extensions"
// (iSchedule -05 §3).
func nameExt(element string) xml.Name {
	return xml.Name{Space: NSExt, Local: element}
}

func (f *refusal) Error() string {
	s := strconv.Itoa(f.code)
	if f.cond.Local != "" {
		s += " " + f.cond.Local
	}
	if f.desc != "" {
		s += ": " + f.desc
	}
	if f.err != nil {
		s += ": " + f.err.Error()
	}
	return s
}

func (f *refusal) Unwrap() error { return f.err }

// The iSchedule error elements (iSchedule -05 §6.2.2) and the CRISP ones.
const (
	errVersionNotSupported       = "version-not-supported"
	errInvalidCalendarDataType   = "invalid-calendar-data-type"
	errInvalidCalendarData       = "invalid-calendar-data"
	errInvalidSchedulingMessage  = "invalid-scheduling-message"
	errVerificationFailed        = "verification-failed"
	errOriginatorMissing         = "originator-missing"
	errTooManyOriginators        = "too-many-originators"
	errOriginatorInvalid         = "originator-invalid"
	errOriginatorDenied          = "originator-denied"
	errRecipientMissing          = "recipient-missing"
	errRecipientMismatch         = "recipient-mismatch"
	errMaxRecipients             = "max-recipients"
	errAttachmentTypeUnsupported = "attachment-type-not-supported"
	errMaxContentLength          = "max-content-length"
	errMinDateTime               = "min-date-time"
	errMaxDateTime               = "max-date-time"
	errMaxInstances              = "max-instances"
	// errRateLimited (in NSExt: iSchedule has no element for it) comes
	// with 429 and Retry-After (seed-mapping §3.9).
	errRateLimited = "rate-limited"
	// errRequestTimeout (in NSExt) comes with 408 when the body does not
	// arrive in time.
	errRequestTimeout = "request-timeout"
	// errTemporaryFailure (in NSExt) comes with 503 and Retry-After when
	// a DKIM key lookup fails for a temporary reason.
	errTemporaryFailure = "temporary-failure"
)

// serveError answers a failed request: the status and the IS:error body
// of a refusal, or 500 for our own failure. It returns the status.
func (e *intake) serveError(w http.ResponseWriter, err error) int {
	var f *refusal
	if !errors.As(err, &f) {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return http.StatusInternalServerError
	}
	if f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((f.retryAfter+time.Second-1)/time.Second)))
	}
	if f.cond.Local == "" {
		http.Error(w, f.desc, f.code)
		return f.code
	}
	body, merr := xml.MarshalIndent(Error{Condition: Condition{XMLName: f.cond}, Description: f.desc}, "", "  ")
	if merr != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(f.code)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(append(body, '\n'))
	return f.code
}
