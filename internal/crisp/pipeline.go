// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// The validation pipeline of seed-mapping §3.7: every POST goes through
// these steps in order, and the first overall failure refuses it with its
// iSchedule error element. What passes is a scheduling.
//
//  1. transport: the rate limit per client address, iSchedule-Version,
//     Content-Type, Content-Length, Originator, Recipient, the body;
//  2. authentication: DKIM, mutual TLS or the anonymous policy, the DKIM
//     d= against the Originator's domain, replays; then the rate limit per
//     Originator domain;
//  3. syntax: UTF-8 and the RFC 5545 parse (itip.ParseMessage);
//  4. and 5. the RFC 5546 restriction tables and the RFC 5545 value rules
//     (itip.Validate), then the Content-Type parameters and the advertised
//     scheduling messages;
//  6. binding: the Originator and the Recipients against ORGANIZER and
//     ATTENDEE (iSchedule -05 §6.2.1);
//  5. (the capability limits) ATTACH type, min/max-date-time and
//     max-instances, after the binding so that a forged or misaddressed
//     message costs no recurrence expansion.
//
// Step 7, delivery, is the Receiver's.

// scheduling is a POST that passed the pipeline.
type scheduling struct {
	// originator is the normalised Originator.
	originator string
	// recipients are the normalised Recipients, each once, in order.
	recipients []string
	body       []byte
	cal        *ical.Calendar
	// method and component are the message's METHOD and main component.
	method, component string
	sender            Sender
}

// check runs the pipeline over r.
func (e *intake) check(w http.ResponseWriter, r *http.Request, x *exchange) (*scheduling, error) {
	now := e.now()
	// seed-mapping §3.9: a token bucket per client address, before any
	// work.
	if ok, wait := e.byIP.take(ipKey(r.RemoteAddr), now); !ok {
		return nil, rateLimited(wait, fmt.Errorf("client %s over %d requests a minute", r.RemoteAddr, e.limits.RatePerIP))
	}

	// Step 1: transport.
	if err := checkVersion(r.Header.Values("iSchedule-Version")); err != nil {
		return nil, err
	}
	ctMethod, ctComponent, err := e.checkContentType(r.Header.Values("Content-Type"))
	if err != nil {
		return nil, err
	}
	if r.ContentLength > e.limits.MaxContentLength {
		return nil, tooLarge(e.limits.MaxContentLength)
	}
	originator, err := parseOriginator(r.Header.Values("Originator"))
	if err != nil {
		return nil, err
	}
	x.originator = originator
	recipients, err := e.parseRecipients(r.Header.Values("Recipient"))
	x.recipients = len(recipients)
	if err != nil {
		return nil, err
	}
	body, err := e.readBody(w, r)
	if err != nil {
		return nil, err
	}

	// Step 2: authentication.
	sender, err := e.authenticate(r, body, originator, now)
	if err != nil {
		return nil, err
	}
	x.auth = sender.Mode
	// seed-mapping §3.9: a token bucket per Originator domain, charged
	// after authentication and kept apart per sender mode, so that
	// anonymous requests naming a domain cannot use up the allowance of
	// its authenticated senders.
	domain := addressDomain(originator)
	if ok, wait := e.byDomain.take(sender.Mode+" "+domain, now); !ok {
		return nil, rateLimited(wait, fmt.Errorf("%s requests from %s over %d a minute", sender.Mode, domain, e.limits.RatePerDomain))
	}

	// Step 3: syntax. RFC 5545 §3.1.4: the charset is UTF-8.
	if !utf8.Valid(body) {
		return nil, refuse(http.StatusBadRequest, errInvalidCalendarData, "the calendar data is not UTF-8", nil)
	}
	cal, err := itip.ParseMessage(body, e.opts.Mode)
	if err != nil {
		return nil, refuse(http.StatusBadRequest, errInvalidCalendarData, err.Error(), nil)
	}
	method, component := itip.MethodOf(cal.Component)
	x.method, x.component = method, component

	// Steps 4 and 5: the restriction tables and the value rules. Plain
	// iSchedule does not negotiate time zones by reference (RFC 7809), so
	// strict mode wants a VTIMEZONE for every TZID; interop mode knows
	// the zones real producers leave out.
	vo := itip.ValidateOptions{Mode: e.opts.Mode}
	if e.opts.Mode == itip.ModeInterop {
		vo.KnownTZID = itip.KnownTZID
	}
	if ps := itip.Validate(cal.Component, vo); !itip.Valid(ps) {
		return nil, refuse(http.StatusBadRequest, errInvalidSchedulingMessage, problemText(ps), nil)
	}
	// Step 4a. iSchedule -05 §6.2.1: the component and method parameters
	// of Content-Type MUST match the message.
	if ctMethod != "" && !strings.EqualFold(ctMethod, method) {
		return nil, refuse(http.StatusBadRequest, errInvalidSchedulingMessage,
			fmt.Sprintf("Content-Type method=%s but METHOD:%s (iSchedule -05 §6.2.1)", ctMethod, method), nil)
	}
	if ctComponent != "" && !strings.EqualFold(ctComponent, component) {
		return nil, refuse(http.StatusBadRequest, errInvalidSchedulingMessage,
			fmt.Sprintf("Content-Type component=%s but the message holds %s (iSchedule -05 §6.2.1)", ctComponent, component), nil)
	}
	if !e.caps.Accepts(method, component) {
		return nil, refuse(http.StatusBadRequest, errInvalidSchedulingMessage,
			fmt.Sprintf("%s %s is not among the accepted scheduling messages (capabilities)", component, method), nil)
	}

	// Step 6: binding.
	if err := checkBinding(cal.Component, method, component, originator, recipients); err != nil {
		return nil, err
	}

	// Step 5: the capability limits.
	if err := e.checkLimits(cal.Component); err != nil {
		return nil, err
	}
	return &scheduling{
		originator: originator,
		recipients: recipients,
		body:       body,
		cal:        cal,
		method:     method,
		component:  component,
		sender:     sender,
	}, nil
}

// problemText is the response-description of invalid-scheduling-message:
// the first problem that makes the message invalid, naming the violated
// table row and its line (seed-mapping §3.5).
func problemText(ps []itip.Problem) string {
	for _, p := range ps {
		if p.Warning {
			continue
		}
		s := p.String()
		if p.Line > 0 {
			s += fmt.Sprintf(" (line %d)", p.Line)
		}
		return s
	}
	return "invalid scheduling message"
}

func rateLimited(wait time.Duration, err error) *refusal {
	return &refusal{
		code:       http.StatusTooManyRequests,
		cond:       nameExt(errRateLimited),
		desc:       "too many requests, try later",
		err:        err,
		retryAfter: wait,
	}
}

func tooLarge(limit int64) *refusal {
	return refuse(http.StatusRequestEntityTooLarge, errMaxContentLength,
		fmt.Sprintf("the body exceeds %d octets", limit), nil)
}

// checkVersion applies iSchedule -05 §6.2.1: the request names a version
// the receiver supports (a comma list is allowed, §9.2).
func checkVersion(values []string) error {
	for _, v := range values {
		for elem := range strings.SplitSeq(v, ",") {
			if strings.TrimSpace(elem) == Version {
				return nil
			}
		}
	}
	if len(values) == 0 {
		return refuse(http.StatusBadRequest, errVersionNotSupported, "the request has no iSchedule-Version", nil)
	}
	return refuse(http.StatusBadRequest, errVersionNotSupported,
		fmt.Sprintf("iSchedule-Version %q is not supported; this receiver speaks %s", strings.Join(values, ","), Version), nil)
}

// checkContentType accepts text/calendar in UTF-8, the one advertised
// calendar data type, and returns its method and component parameters.
// In strict mode both must be present (iSchedule -05 §6.2.1: "MUST
// include"); interop mode lets the body decide, as -00 senders omitted
// them.
func (e *intake) checkContentType(values []string) (method, component string, err error) {
	if len(values) != 1 {
		return "", "", refuse(http.StatusBadRequest, errInvalidCalendarDataType,
			"the request needs exactly one Content-Type", nil)
	}
	mt, params, perr := mime.ParseMediaType(values[0])
	if perr != nil || mt != "text/calendar" {
		return "", "", refuse(http.StatusBadRequest, errInvalidCalendarDataType,
			"the calendar data type must be text/calendar", perr)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return "", "", refuse(http.StatusBadRequest, errInvalidCalendarDataType,
			"the charset of text/calendar must be utf-8", nil)
	}
	method, component = params["method"], params["component"]
	if e.opts.Mode == itip.ModeStrict && (method == "" || component == "") {
		return "", "", refuse(http.StatusBadRequest, errInvalidSchedulingMessage,
			"Content-Type must carry the method and component parameters (iSchedule -05 §6.2.1)", nil)
	}
	return method, component, nil
}

// parseOriginator applies iSchedule -05 §6.2.1 and §9.5: exactly one
// Originator, an absolute URI. It must also be a mailto: address: the
// Originator's domain is what DKIM d= and the rate limits are checked
// against. The result is normalised.
func parseOriginator(values []string) (string, error) {
	switch {
	case len(values) == 0 || len(values) == 1 && strings.TrimSpace(values[0]) == "":
		return "", refuse(http.StatusBadRequest, errOriginatorMissing, "the request has no Originator", nil)
	case len(values) > 1 || strings.Contains(values[0], ","):
		return "", refuse(http.StatusBadRequest, errTooManyOriginators, "the request has more than one Originator", nil)
	}
	v := strings.TrimSpace(values[0])
	u, err := url.Parse(v)
	if err != nil || !u.IsAbs() || !strings.EqualFold(u.Scheme, "mailto") || u.RawQuery != "" ||
		strings.Count(u.Opaque, "@") != 1 || addressDomain(v) == "" || strings.HasPrefix(u.Opaque, "@") {
		return "", refuse(http.StatusBadRequest, errOriginatorInvalid,
			"the Originator is not a mailto: calendar user address", err)
	}
	return ical.NormalizeAddress(v), nil
}

// parseRecipients applies iSchedule -05 §6.2.1 and §9.6: one or more
// Recipient headers, each a comma list of absolute URIs, at most
// max-recipients of them. The result is normalised, each address once.
func (e *intake) parseRecipients(values []string) ([]string, error) {
	var out []string
	seen := make(map[string]bool)
	for _, v := range values {
		for elem := range strings.SplitSeq(v, ",") {
			elem = strings.TrimSpace(elem)
			if elem == "" {
				continue
			}
			u, err := url.Parse(elem)
			if err != nil || !u.IsAbs() {
				return out, refuse(http.StatusBadRequest, errRecipientMissing,
					fmt.Sprintf("Recipient %q is not an absolute URI", elem), err)
			}
			a := ical.NormalizeAddress(elem)
			if seen[a] {
				continue
			}
			seen[a] = true
			out = append(out, a)
			if len(out) > e.limits.MaxRecipients {
				return out, refuse(http.StatusBadRequest, errMaxRecipients,
					fmt.Sprintf("more than %d recipients", e.limits.MaxRecipients), nil)
			}
		}
	}
	if len(out) == 0 {
		return nil, refuse(http.StatusBadRequest, errRecipientMissing, "the request has no Recipient", nil)
	}
	return out, nil
}

// readBody reads the body within max-content-length, never reading past
// it, and within the read timeout (slow clients, seed-mapping §3.9).
func (e *intake) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limit := e.limits.MaxContentLength
	rc := http.NewResponseController(w)
	deadline := false
	if e.limits.ReadTimeout > 0 {
		// The deadline is of the connection, on the wall clock. A
		// ResponseWriter that cannot set one (a test recorder) has no
		// connection to protect.
		deadline = rc.SetReadDeadline(time.Now().Add(e.limits.ReadTimeout)) == nil
	}
	size := 512
	if r.ContentLength > 0 {
		size = int(r.ContentLength) + 1
	}
	buf := make([]byte, 0, size)
	data, err := readAllInto(buf, http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return nil, tooLarge(limit)
		case errors.Is(err, os.ErrDeadlineExceeded):
			// The connection is closed after the answer: the server
			// would otherwise wait for the rest of the body to reuse it.
			w.Header().Set("Connection", "close")
			return nil, &refusal{code: http.StatusRequestTimeout, cond: nameExt(errRequestTimeout),
				desc: "the body did not arrive in time", err: err}
		default:
			return nil, &refusal{code: http.StatusBadRequest, desc: "the body could not be read", err: err}
		}
	}
	if deadline {
		_ = rc.SetReadDeadline(time.Time{})
	}
	return data, nil
}

// readAllInto is io.ReadAll appending to buf.
func readAllInto(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
