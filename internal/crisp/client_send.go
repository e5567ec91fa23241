// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// The POST of a scheduling message (iSchedule -05 §6.1, seed-mapping
// §3.4) and its response (-05 §6.1.1 and §6.1.2, seed-mapping §3.5).

const (
	headerVersion   = "iSchedule-Version"
	headerMessageID = "iSchedule-Message-ID"
	// maxRedirects bounds the redirects followed for one request.
	maxRedirects = 5
	// maxResponseSize bounds a schedule-response or error document.
	maxResponseSize = 4 << 20
	// statusNoResponse is the status of a recipient the receiver's
	// schedule-response does not mention.
	statusNoResponse = "5.1;No response for this recipient"
	// userAgent is set before signing, so that it is signed (-05 §7.1:
	// SHOULD) and net/http adds none of its own.
	userAgent = "Almanac-iSchedule"
)

// Send delivers msg, an iTIP message (a VCALENDAR with METHOD), from
// originator to recipients, all of one domain: it discovers the domain's
// receiver, checks the message against its capabilities, signs the
// request when the Client has a Signer, POSTs it and returns the
// REQUEST-STATUS of each recipient, keyed by the normalised address
// (ical.NormalizeAddress), such as "2.0;Success" or "3.7;Invalid
// calendar user". A recipient the receiver does not answer for gets
// "5.1;No response for this recipient".
//
// Arguments are checked first: recipients of several domains, an
// address that is not a mailto URI, a message without METHOD or with
// several component types, and an originator that may not send the
// message (-05 §3.1) are refused with an error before any lookup.
//
// The errors are ErrNoEndpoint, ErrNotAccepted and ErrCircuitOpen
// (wrapped; deliver by e-mail instead), *RemoteError (the receiver
// refused the request as a whole), and otherwise transport errors
// (connection, TLS, timeout, 5xx): the message may be sent again later.
// Transport errors count towards the domain's circuit breaker.
func (c *Client) Send(ctx context.Context, originator string, recipients []string, msg *ical.Component) (map[string]string, error) {
	orig, rcpts, domain, err := sendAddresses(originator, recipients)
	if err != nil {
		return nil, err
	}
	if msg == nil || msg.Name != ical.CompCalendar {
		return nil, errors.New("crisp: the message is not a VCALENDAR")
	}
	method, component := itip.MethodOf(msg)
	if method == "" || component == "" {
		return nil, errors.New("crisp: the message has no METHOD or no single main component type")
	}
	// -05 §3.1: the sender MUST check that the Originator may send the
	// message (ORGANIZER or ATTENDEE, by method, as in §6.1).
	if p := itip.CheckOriginator(msg, orig); p != nil {
		return nil, fmt.Errorf("crisp: originator %s may not send this %s: %s", orig, method, p.Message)
	}
	trial, err := c.breaker.allow(domain, c.now())
	if err != nil {
		return nil, fmt.Errorf("crisp: %s: %w", domain, err)
	}
	out := &outgoing{
		domain: domain, originator: orig, recipients: rcpts,
		method: method, component: component, msg: msg, body: ical.Marshal(msg),
	}
	res, err := c.send(ctx, out)
	switch {
	case err == nil, errors.Is(err, ErrNotAccepted), isRemote(err):
		// The receiver answered: it is up.
		c.breaker.success(domain)
	case ctx.Err() != nil, errors.Is(err, ErrNoEndpoint), errors.As(err, new(*localError)):
		c.breaker.neutral(domain, trial)
	default:
		c.breaker.failure(domain, c.now())
	}
	return res, err
}

// localError is a failure on our side (signing), which says nothing
// about the receiver.
type localError struct{ err error }

func (e *localError) Error() string { return e.err.Error() }
func (e *localError) Unwrap() error { return e.err }

func isRemote(err error) bool {
	var re *RemoteError
	return errors.As(err, &re)
}

// outgoing is one message on its way.
type outgoing struct {
	domain, originator string
	recipients         []string
	method, component  string
	msg                *ical.Component
	body               []byte
	header             http.Header // built and signed once, on first use
}

// sendAddresses normalises the originator and the recipients and
// returns the recipients' one domain.
func sendAddresses(originator string, recipients []string) (string, []string, string, error) {
	orig := ical.NormalizeAddress(originator)
	// -05 §8.5: the Originator is an absoluteURI.
	if u, err := url.Parse(orig); err != nil || u.Scheme == "" || strings.ContainsAny(orig, ",\r\n") {
		return "", nil, "", fmt.Errorf("crisp: invalid originator %q", originator)
	}
	if len(recipients) == 0 {
		return "", nil, "", errors.New("crisp: no recipients")
	}
	var (
		rcpts  []string
		domain string
	)
	for _, r := range recipients {
		a := ical.NormalizeAddress(r)
		at := strings.LastIndexByte(a, '@')
		// -05 §4.1: only an address with a host can be routed; the
		// Recipient header is a comma-separated list.
		if !strings.HasPrefix(a, "mailto:") || at <= len("mailto:") || strings.ContainsAny(a, ",\r\n") {
			return "", nil, "", fmt.Errorf("crisp: recipient %q is not a mailto address", r)
		}
		d, err := canonicalDomain(a[at+1:])
		if err != nil {
			return "", nil, "", err
		}
		if domain == "" {
			domain = d
		} else if d != domain {
			return "", nil, "", fmt.Errorf("crisp: recipients of several domains (%s, %s)", domain, d)
		}
		if !slices.Contains(rcpts, a) {
			rcpts = append(rcpts, a)
		}
	}
	return orig, rcpts, domain, nil
}

// send tries the domain's endpoints in order, moving to the next one
// only when a connection could not be made, so that a message is never
// posted twice.
func (c *Client) send(ctx context.Context, out *outgoing) (map[string]string, error) {
	endpoints, err := c.endpoints(ctx, out.domain)
	if err != nil {
		return nil, err
	}
	var lastErr error
	for _, ep := range endpoints {
		caps, err := c.Capabilities(ctx, ep)
		if isDialError(err) {
			lastErr = err
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := checkCapabilities(caps, out); err != nil {
			return nil, fmt.Errorf("crisp: %s: %w", ep.Redacted(), err)
		}
		if out.header == nil {
			if out.header, err = c.header(out); err != nil {
				return nil, err
			}
		}
		resp, _, err := c.do(ctx, http.MethodPost, ep, out.header, out.body)
		if isDialError(err) {
			lastErr = err
			continue
		}
		if err != nil {
			return nil, err
		}
		c.noteSerial(ep, resp.Header)
		return scheduleResult(resp, ep, out.recipients)
	}
	return nil, lastErr
}

// isDialError reports whether err is a failure to connect, after which
// nothing was sent.
func isDialError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}

// checkCapabilities checks that the receiver admits the message (-05
// §5: senders SHOULD verify the message against the capabilities; §3.1
// requires grouping within max-recipients).
func checkCapabilities(caps *Capabilities, out *outgoing) error {
	if len(caps.Versions) > 0 && !slices.Contains(caps.Versions, Version) {
		return fmt.Errorf("iSchedule versions %v, not %s: %w", caps.Versions, Version, ErrNotAccepted)
	}
	if !caps.Accepts(out.method, out.component) {
		return fmt.Errorf("%s %s is not among the scheduling messages: %w", out.component, out.method, ErrNotAccepted)
	}
	if caps.MaxRecipients > 0 && len(out.recipients) > caps.MaxRecipients {
		return fmt.Errorf("%d recipients, at most %d: %w", len(out.recipients), caps.MaxRecipients, ErrNotAccepted)
	}
	if caps.MaxContentLength > 0 && int64(len(out.body)) > caps.MaxContentLength {
		return fmt.Errorf("%d octets, at most %d: %w", len(out.body), caps.MaxContentLength, ErrNotAccepted)
	}
	var refusal error
	out.msg.Walk(func(comp *ical.Component) bool {
		for i := range comp.Props {
			p := &comp.Props[i]
			switch p.Name {
			case ical.PropAttach:
				// -05 §9.2.1.5: inline attachments only when advertised.
				inline := strings.EqualFold(p.Params.Get(ical.ParamValue), "BINARY") || p.Params.Has(ical.ParamEncoding)
				if inline && caps.Attachments != nil && caps.Attachments.Inline == nil {
					refusal = fmt.Errorf("inline attachments: %w", ErrNotAccepted)
				}
			case ical.PropRRule:
				// RFC 7529 §7 / -06 rscales: a non-Gregorian RSCALE only
				// when advertised.
				parts, _ := ical.ParseRecurParts(p.Value)
				for _, part := range parts {
					if strings.EqualFold(part.Name, "RSCALE") && !strings.EqualFold(part.Value, "GREGORIAN") &&
						!slices.ContainsFunc(caps.RScales, func(s string) bool { return strings.EqualFold(s, part.Value) }) {
						refusal = fmt.Errorf("RSCALE %s: %w", part.Value, ErrNotAccepted)
					}
				}
			}
		}
		return refusal == nil
	})
	return refusal
}

// header builds the request header of -05 §6.1 and signs it.
func (c *Client) header(out *outgoing) (http.Header, error) {
	h := http.Header{}
	h.Set(headerVersion, Version)
	h.Set(headerMessageID, newMessageID())
	h.Set("Originator", out.originator)
	h.Set("Recipient", strings.Join(out.recipients, ", "))
	h.Set("Cache-Control", "no-cache, no-transform")
	// -05 §6.1: component= and method= must match the body.
	h.Set("Content-Type", "text/calendar; charset=utf-8; component="+out.component+"; method="+out.method)
	h.Set("Accept", "application/xml")
	h.Set("User-Agent", userAgent)
	if c.opts.Signer != nil {
		// -05 §3.1: the sender MUST sign; without a Signer the request is
		// anonymous or authenticated by the client certificate.
		if err := c.opts.Signer.Sign(h, out.body, c.now()); err != nil {
			return nil, &localError{fmt.Errorf("crisp: sign request: %w", err)}
		}
	}
	return h, nil
}

// newMessageID returns a random UUID (RFC 9562 version 4) for
// iSchedule-Message-ID (-05 §8.4).
func newMessageID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// scheduleResult reads the receiver's answer to a POST.
func scheduleResult(resp *http.Response, ep *url.URL, recipients []string) (map[string]string, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize+1))
	if err != nil {
		return nil, fmt.Errorf("crisp: response of %s: %w", ep.Redacted(), err)
	}
	if len(body) > maxResponseSize {
		return nil, fmt.Errorf("crisp: response of %s: too large", ep.Redacted())
	}
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		var sr ScheduleResponse
		if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&sr); err != nil {
			return nil, fmt.Errorf("crisp: response of %s: %w", ep.Redacted(), err)
		}
		res := make(map[string]string, len(recipients))
		for _, r := range sr.Responses {
			a := ical.NormalizeAddress(r.Recipient)
			if st := strings.TrimSpace(r.RequestStatus); st != "" && slices.Contains(recipients, a) {
				res[a] = st
			}
		}
		for _, a := range recipients {
			if _, ok := res[a]; !ok {
				res[a] = statusNoResponse
			}
		}
		return res, nil
	case s >= 400 && s < 500 && s != http.StatusTooManyRequests && s != http.StatusRequestTimeout:
		re := &RemoteError{Status: s}
		var e Error
		if xml.NewDecoder(bytes.NewReader(body)).Decode(&e) == nil {
			re.Condition = e.Condition.XMLName.Local
			re.Description = strings.TrimSpace(e.Description)
		}
		return nil, re
	default:
		return nil, fmt.Errorf("crisp: %s answered %s", ep.Redacted(), resp.Status)
	}
}

// do sends one request and follows redirects (-05 §4.4: senders MUST
// handle redirects), at most maxRedirects and to https URLs only,
// keeping the method, the header and the body. It returns the response
// and the URL that gave it.
func (c *Client) do(ctx context.Context, method string, u *url.URL, h http.Header, body []byte) (*http.Response, *url.URL, error) {
	for n := 0; ; n++ {
		var rd io.Reader = http.NoBody
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
		if err != nil {
			return nil, nil, fmt.Errorf("crisp: %w", err)
		}
		req.Header = h.Clone()
		resp, err := c.hc.Do(req)
		if err != nil {
			return nil, nil, err
		}
		switch resp.StatusCode {
		case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
			http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		default:
			return resp, u, nil
		}
		loc, err := resp.Location()
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		switch {
		case err != nil:
			return nil, nil, fmt.Errorf("crisp: %s %s: %s without a valid Location", method, u.Redacted(), resp.Status)
		case method == http.MethodPost && resp.StatusCode == http.StatusSeeOther:
			// 303 sends the client to GET another resource: the message
			// was not taken.
			return nil, nil, fmt.Errorf("%w: %s %s: 303 to %s", errRedirect, method, u.Redacted(), loc.Redacted())
		case loc.Scheme != "https":
			return nil, nil, fmt.Errorf("%w: %s %s: to %s, not https", errRedirect, method, u.Redacted(), loc.Redacted())
		case n == maxRedirects:
			return nil, nil, fmt.Errorf("%w: %s %s: more than %d redirects", errRedirect, method, u.Redacted(), maxRedirects)
		}
		u = loc
	}
}
