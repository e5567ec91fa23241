// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// ProxyOptions configure a Proxy: the endpoint's Options (the Backend is
// not used) and the upstream.
type ProxyOptions struct {
	Options
	// Upstream is the URL of the internal iSchedule receiver the valid
	// requests are forwarded to. It must be set.
	Upstream *url.URL
	// Client sends the forwarded requests; set its TLS client certificate
	// for mutual TLS on the inner hop. Nil means a client with a
	// 30-second timeout.
	Client *http.Client
	// Signer, when set, adds the proxy's own DKIM signature to the
	// forwarded request, after the sender's, which is kept so that the
	// upstream can verify it. Nil adds none.
	Signer *Signer
	// AllowFreeBusy admits VFREEBUSY requests (they are not advertised
	// otherwise) and passes back the upstream's free-busy replies,
	// censored. False refuses them as invalid-scheduling-message.
	AllowFreeBusy bool
}

// Capabilities returns the capabilities document the proxy serves: the
// receiver's, with VFREEBUSY only when AllowFreeBusy.
func (o ProxyOptions) Capabilities() Capabilities {
	return o.Options.capabilities(o.AllowFreeBusy)
}

// Proxy is the CRISP endpoint alone, for a DMZ (seed-mapping §3.8). It
// validates every request itself exactly as the Receiver does (the same
// pipeline, limits and authentication; the proxy command uses
// itip.ModeStrict), and forwards only what passes: the body unchanged, the
// iSchedule header fields (the sender's DKIM-Signature kept), an
// iSchedule-Via naming the proxy and, with a Signer, the proxy's own
// signature. From the upstream's answer it passes back only, per
// recipient, the recipient and its request-status code with the RFC 5546
// text (no error details, no descriptions, no calendar data except a
// censored free-busy reply); from an overall refusal, only the status
// and the iSchedule error element. A Proxy is safe for concurrent use.
type Proxy struct {
	ep       *intake
	upstream *url.URL
	client   *http.Client
	signer   *Signer
	freeBusy bool
}

// NewProxy returns the proxy for o. It panics when o.Upstream is nil or
// o.Anonymous is not a policy.
func NewProxy(o ProxyOptions) *Proxy {
	if o.Upstream == nil {
		panic("crisp: NewProxy without an Upstream")
	}
	p := &Proxy{
		ep:       newIntake(o.Options, o.Capabilities(), "crisp proxy request"),
		upstream: o.Upstream,
		client:   o.Client,
		signer:   o.Signer,
		freeBusy: o.AllowFreeBusy,
	}
	if p.client == nil {
		p.client = &http.Client{Timeout: 30 * time.Second}
	}
	return p
}

// ServeHTTP answers one request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.ep.serveHTTP(w, r, p.forward)
}

// forwardedHeaders are the request header fields the proxy passes on:
// those iSchedule defines and those a DKIM signature covers (iSchedule -05
// §7.1). Authorization is not: credentials are for the hop they were
// given to, so a signature that covers one does not verify upstream.
var forwardedHeaders = []string{
	"Content-Type", "iSchedule-Version", "iSchedule-Message-ID", "Originator", "Recipient",
	"User-Agent", "DKIM-Signature",
}

// maxUpstreamResponse bounds the upstream's answer.
const maxUpstreamResponse = 4 << 20

// iScheduleErrors are the error elements of iSchedule -05 §6.2.2 that an
// upstream refusal may carry back.
var iScheduleErrors = map[string]bool{
	errVersionNotSupported: true, errInvalidCalendarDataType: true, errInvalidCalendarData: true,
	errInvalidSchedulingMessage: true, errVerificationFailed: true, errOriginatorMissing: true,
	errTooManyOriginators: true, errOriginatorInvalid: true, errOriginatorDenied: true,
	errRecipientMissing: true, errRecipientMismatch: true, errMaxRecipients: true,
	errAttachmentTypeUnsupported: true, errMaxContentLength: true, errMinDateTime: true,
	errMaxDateTime: true, errMaxInstances: true,
}

// forward sends a validated request upstream and censors the answer.
func (p *Proxy) forward(ctx context.Context, r *http.Request, s *scheduling, x *exchange) (*ScheduleResponse, error) {
	freeBusy := s.method == string(itip.MethodRequest) && s.component == ical.CompFreeBusy
	if freeBusy && s.sender.Mode == SenderAnonymous && p.ep.opts.Anonymous == AnonymousHold {
		return allRecipients(s, itip.StatusNoAuthority), nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.upstream.String(), bytes.NewReader(s.body))
	if err != nil {
		return nil, fmt.Errorf("upstream request: %w", err)
	}
	for _, name := range forwardedHeaders {
		if vs := r.Header.Values(name); len(vs) > 0 {
			req.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), vs...)
		}
	}
	req.Header.Set("Cache-Control", "no-cache, no-transform")
	// seed-mapping §3.8: iSchedule -00's Via, for tracing and loop
	// detection on the inner hop; never signed.
	req.Header.Set("iSchedule-Via", Version+" "+viaHost(r.Host)+" (Almanac CRISP proxy)")
	if p.signer != nil {
		sigs := req.Header.Values("DKIM-Signature")
		req.Header.Del("DKIM-Signature")
		if err := p.signer.Sign(req.Header, s.body, p.ep.now()); err != nil {
			x.failures = append(x.failures, fmt.Errorf("sign for upstream: %w", err))
			return allRecipients(s, itip.StatusUnavailable), nil
		}
		req.Header["Dkim-Signature"] = append(sigs, req.Header.Values("DKIM-Signature")...)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		x.failures = append(x.failures, fmt.Errorf("upstream: %w", err))
		return allRecipients(s, itip.StatusUnavailable), nil
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxUpstreamResponse+1))
	if err == nil && len(body) > maxUpstreamResponse {
		err = fmt.Errorf("answer longer than %d bytes", maxUpstreamResponse)
	}
	if err != nil {
		x.failures = append(x.failures, fmt.Errorf("upstream: %w", err))
		return allRecipients(s, itip.StatusUnavailable), nil
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		var up ScheduleResponse
		if err := xml.Unmarshal(body, &up); err != nil {
			x.failures = append(x.failures, fmt.Errorf("upstream answer: %w", err))
			return allRecipients(s, itip.StatusUnavailable), nil
		}
		return p.censor(s, up, freeBusy), nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		wait := time.Minute
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			wait = time.Duration(secs) * time.Second
		}
		if resp.StatusCode == http.StatusServiceUnavailable {
			return nil, &refusal{code: http.StatusServiceUnavailable, cond: nameExt(errTemporaryFailure),
				desc: "try later", err: fmt.Errorf("upstream answered %d", resp.StatusCode), retryAfter: wait}
		}
		return nil, rateLimited(wait, fmt.Errorf("upstream answered %d", resp.StatusCode))
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		var e Error
		if err := xml.Unmarshal(body, &e); err == nil && e.Condition.XMLName.Space == NS && iScheduleErrors[e.Condition.XMLName.Local] {
			// The upstream's description may quote internal detail; the
			// element says what went wrong.
			return nil, refuse(resp.StatusCode, e.Condition.XMLName.Local, "",
				fmt.Errorf("upstream refused: %d %s: %s", resp.StatusCode, e.Condition.XMLName.Local, e.Description))
		}
	}
	x.failures = append(x.failures, fmt.Errorf("upstream answered %d", resp.StatusCode))
	return allRecipients(s, itip.StatusUnavailable), nil
}

// viaHost is the host the request reached, for iSchedule-Via.
func viaHost(host string) string {
	if host == "" || strings.ContainsAny(host, " \t\r\n(),") {
		return "proxy"
	}
	return host
}

// allRecipients answers every recipient of s with one status.
func allRecipients(s *scheduling, code string) *ScheduleResponse {
	out := &ScheduleResponse{}
	for _, rcpt := range s.recipients {
		out.Responses = append(out.Responses, Response{Recipient: rcpt, RequestStatus: itip.RequestStatus(code)})
	}
	return out
}

// censor builds the answer to the sender from the upstream's (seed-mapping
// §3.8, RFC 6638 §11.4): one response per recipient of the request, in
// its order, with the status code and its RFC text only; a recipient the
// upstream did not answer gets 5.1. The calendar data of a successful
// free-busy answer is kept, censored, when free-busy is allowed.
func (p *Proxy) censor(s *scheduling, up ScheduleResponse, freeBusy bool) *ScheduleResponse {
	answers := make(map[string]Response, len(up.Responses))
	for _, r := range up.Responses {
		a := ical.NormalizeAddress(strings.TrimSpace(r.Recipient))
		if _, dup := answers[a]; !dup {
			answers[a] = r
		}
	}
	out := &ScheduleResponse{}
	for _, rcpt := range s.recipients {
		code := itip.StatusUnavailable
		var data *CalendarData
		if a, ok := answers[rcpt]; ok {
			code = statusCode(a.RequestStatus)
			if freeBusy && p.freeBusy && strings.HasPrefix(code, "2.") && a.CalendarData != nil {
				if fb, ok := censorFreeBusy(a.CalendarData.Data, s.cal.Component, rcpt); ok {
					data = &CalendarData{ContentType: "text/calendar", Data: fb}
				} else {
					code = itip.StatusUnavailable
				}
			}
		}
		out.Responses = append(out.Responses, Response{Recipient: rcpt, RequestStatus: itip.RequestStatus(code), CalendarData: data})
	}
	return out
}

// statusCode returns the code of a REQUEST-STATUS value ("3.7;Invalid
// calendar user;detail" gives "3.7"). A code RFC 5546 and RFC 6638 do not
// name becomes the generic one of its class: 2.0 for success, 5.1
// otherwise, so that nothing the upstream made up reaches the sender.
func statusCode(rs string) string {
	code, _, _ := strings.Cut(rs, ";")
	code = strings.TrimSpace(code)
	if itip.StatusText(code) != "" {
		return code
	}
	if strings.HasPrefix(code, "2.") {
		return itip.StatusSuccess
	}
	return itip.StatusUnavailable
}
