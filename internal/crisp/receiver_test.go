// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

const (
	rxCyrus   = "mailto:cyrus@example.org"
	rxMike    = "mailto:mike@example.org"
	rxBernard = "mailto:bernard@example.com"
)

func TestReceiverOptions(t *testing.T) {
	rc := NewReceiver(Options{Backend: newRecordingBackend(), Logger: rxQuietLogger()})
	w := rxServe(rc, httptest.NewRequest(http.MethodOptions, "/.well-known/ischedule", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("OPTIONS: status %d", w.Code)
	}
	if got := w.Header().Get("iSchedule-Version"); got != "1.0" {
		t.Errorf("iSchedule-Version = %q, want 1.0", got)
	}
	if got := w.Header().Get("Allow"); got != "OPTIONS, GET, HEAD, POST" {
		t.Errorf("Allow = %q", got)
	}
	want := strconv.FormatInt(rc.ep.caps.SerialNumber, 10)
	if got := w.Header().Get("iSchedule-Capabilities"); got != want {
		t.Errorf("iSchedule-Capabilities = %q, want %q", got, want)
	}
}

func TestReceiverCapabilities(t *testing.T) {
	o := Options{Backend: newRecordingBackend(), Logger: rxQuietLogger(), Administrator: "mailto:ischedule-admin@example.org", Anonymous: AnonymousDeny}
	rc := NewReceiver(o)
	get := func(header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/.well-known/ischedule?action=capabilities", nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		return rxServe(rc, r)
	}
	w := get()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d\n%s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/xml; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "max-age=86400" {
		t.Errorf("Cache-Control = %q", cc)
	}
	var qr QueryResult
	if err := xml.Unmarshal(w.Body.Bytes(), &qr); err != nil {
		t.Fatalf("decode: %v\n%s", err, w.Body)
	}
	c := qr.Capabilities
	serial := strconv.FormatInt(c.SerialNumber, 10)
	if c.SerialNumber <= 0 || w.Header().Get("iSchedule-Capabilities") != serial {
		t.Errorf("serial-number %d, header %q", c.SerialNumber, w.Header().Get("iSchedule-Capabilities"))
	}
	etag := w.Header().Get("ETag")
	if etag != `"crisp-caps-`+serial+`"` {
		t.Errorf("ETag = %q", etag)
	}
	for _, m := range []string{"REQUEST", "REPLY", "CANCEL", "ADD", "REFRESH", "COUNTER", "DECLINECOUNTER"} {
		if !c.Accepts(m, "VEVENT") || !c.Accepts(m, "VTODO") {
			t.Errorf("%s not accepted for VEVENT and VTODO", m)
		}
	}
	if !c.Accepts("REQUEST", "VFREEBUSY") || c.Accepts("PUBLISH", "VEVENT") || c.Accepts("PUBLISH", "VJOURNAL") {
		t.Errorf("scheduling-messages = %+v", c.SchedulingMessages)
	}
	if c.MaxContentLength != 256<<10 || c.MaxRecipients != 100 || c.MaxInstances != 1000 ||
		c.MinDateTime != "19000101T000000Z" || c.MaxDateTime != "21000101T000000Z" {
		t.Errorf("limits = %d %d %d %s %s", c.MaxContentLength, c.MaxRecipients, c.MaxInstances, c.MinDateTime, c.MaxDateTime)
	}
	if c.Attachments == nil || c.Attachments.External == nil || c.Attachments.Inline != nil {
		t.Errorf("attachments = %+v", c.Attachments)
	}
	if c.ITIPVersion != "5546" || c.CAPVersion != "none" || c.CAR != "NONE" || c.Administrator != o.Administrator {
		t.Errorf("CRISP elements = %q %q %q %q", c.ITIPVersion, c.CAPVersion, c.CAR, c.Administrator)
	}
	if c.Auth == nil || c.Auth.Anonymous != nil || c.Auth.DKIM != nil || c.Auth.MTLS != nil {
		t.Errorf("auth = %+v, want nothing (deny, no verifier, no peers)", c.Auth)
	}
	if !strings.Contains(w.Body.String(), `xmlns="urn:ietf:params:xml:ns:ischedule"`) {
		t.Errorf("body lacks the iSchedule namespace:\n%s", w.Body)
	}

	t.Run("conditional", func(t *testing.T) {
		for _, inm := range []string{etag, `W/` + etag, `"other", ` + etag, "*"} {
			w := get("If-None-Match", inm)
			if w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("ETag") != etag {
				t.Errorf("If-None-Match %s: status %d, %d bytes", inm, w.Code, w.Body.Len())
			}
		}
		if w := get("If-None-Match", `"crisp-caps-0"`); w.Code != http.StatusOK {
			t.Errorf("stale ETag: status %d", w.Code)
		}
	})
	t.Run("serial", func(t *testing.T) {
		if again := o.Capabilities().SerialNumber; again != c.SerialNumber {
			t.Errorf("serial changed for the same options: %d, %d", c.SerialNumber, again)
		}
		o2 := o
		o2.Limits.MaxRecipients = 10
		if other := o2.Capabilities().SerialNumber; other == c.SerialNumber {
			t.Errorf("serial %d unchanged after a change of max-recipients", other)
		}
	})
	t.Run("head", func(t *testing.T) {
		w := rxServe(rc, httptest.NewRequest(http.MethodHead, "/.well-known/ischedule?action=capabilities", nil))
		if w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Errorf("HEAD: status %d, %d bytes", w.Code, w.Body.Len())
		}
	})
	t.Run("nothing else", func(t *testing.T) {
		for _, tc := range []struct {
			method, target string
			want           int
		}{
			{http.MethodGet, "/.well-known/ischedule", http.StatusBadRequest},
			{http.MethodGet, "/.well-known/ischedule?query=capabilities", http.StatusBadRequest},
			{http.MethodPut, "/.well-known/ischedule", http.StatusMethodNotAllowed},
			{http.MethodDelete, "/.well-known/ischedule", http.StatusMethodNotAllowed},
			{"PROPFIND", "/.well-known/ischedule", http.StatusMethodNotAllowed},
			{"REPORT", "/.well-known/ischedule", http.StatusMethodNotAllowed},
		} {
			w := rxServe(rc, httptest.NewRequest(tc.method, tc.target, nil))
			if w.Code != tc.want {
				t.Errorf("%s %s: status %d, want %d", tc.method, tc.target, w.Code, tc.want)
			}
			if w.Header().Get("iSchedule-Version") != "1.0" || w.Header().Get("iSchedule-Capabilities") == "" {
				t.Errorf("%s %s: no iSchedule headers", tc.method, tc.target)
			}
			if tc.want == http.StatusMethodNotAllowed && w.Header().Get("Allow") == "" {
				t.Errorf("%s: 405 without Allow", tc.method)
			}
		}
	})
	t.Run("auth advertised", func(t *testing.T) {
		clock := newRxClock()
		o := Options{Verifier: newRxDKIMPair(t, "example.com", clock).verifier, Peers: map[string]string{"peer": "example.net"}}
		a := o.Capabilities().Auth
		if a.Anonymous == nil || a.DKIM == nil || a.MTLS == nil {
			t.Errorf("auth = %+v, want anonymous (the hold default), dkim and mtls", a)
		}
	})
}

// refusalCase is a request the receiver must refuse before any delivery.
type refusalCase struct {
	name    string
	opts    func(*Options)
	request func(t *testing.T) *http.Request
	status  int
	element string
	// desc, when set, must appear in the response-description.
	desc string
}

func TestReceiverRefusals(t *testing.T) {
	clock := newRxClock()
	keys := newRxDKIMPair(t, "example.com", clock)
	other := newRxDKIMPair(t, "example.net", clock)
	valid := rxInvitation(nil, rxCyrus)
	plain := func(ct, body string, mutate ...func(*http.Request)) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := rxRequest(rxBernard, []string{rxCyrus}, ct, body)
			for _, m := range mutate {
				m(r)
			}
			return r
		}
	}
	withVerifier := func(o *Options) { o.Verifier = keys.verifier; o.Anonymous = AnonymousDeny }
	event := func(method string, props ...string) string {
		lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN"}
		if method != "" {
			lines = append(lines, "METHOD:"+method)
		}
		lines = append(lines, "BEGIN:VEVENT", "DTSTAMP:20260301T200200Z", "UID:u1@example.com")
		lines = append(lines, props...)
		lines = append(lines, "END:VEVENT", "END:VCALENDAR")
		return rxCalendar(lines...)
	}
	organizer := "ORGANIZER:mailto:bernard@example.com"
	att := func(a string) string { return "ATTENDEE:" + a }
	freeBusy := func(attendees ...string) string {
		lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "METHOD:REQUEST",
			"BEGIN:VFREEBUSY", "DTSTAMP:20260301T200200Z", organizer,
			"DTSTART:20260402T000000Z", "DTEND:20260403T000000Z", "UID:fb1@example.com"}
		for _, a := range attendees {
			lines = append(lines, att(a))
		}
		return rxCalendar(append(lines, "END:VFREEBUSY", "END:VCALENDAR")...)
	}
	cases := []refusalCase{
		{name: "no iSchedule-Version", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Del("iSchedule-Version") }),
			status: 400, element: errVersionNotSupported},
		{name: "iSchedule-Version 2.0", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Set("iSchedule-Version", "2.0") }),
			status: 400, element: errVersionNotSupported},
		{name: "JSON calendar data", request: plain("application/calendar+json; component=VEVENT; method=REQUEST", valid),
			status: 400, element: errInvalidCalendarDataType},
		{name: "Latin-1", request: plain("text/calendar; charset=iso-8859-1; component=VEVENT; method=REQUEST", valid),
			status: 400, element: errInvalidCalendarDataType},
		{name: "no Content-Type", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Del("Content-Type") }),
			status: 400, element: errInvalidCalendarDataType},
		{name: "declared too large", opts: func(o *Options) { o.Limits.MaxContentLength = 100 }, request: plain(requestEvent, valid),
			status: 413, element: errMaxContentLength},
		{name: "no Originator", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Del("Originator") }),
			status: 400, element: errOriginatorMissing},
		{name: "two Originators", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Add("Originator", "mailto:eve@example.com") }),
			status: 400, element: errTooManyOriginators},
		{name: "Originator list", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Set("Originator", rxBernard+", mailto:eve@example.com") }),
			status: 400, element: errTooManyOriginators},
		{name: "Originator not a URI", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Set("Originator", "bernard@example.com") }),
			status: 400, element: errOriginatorInvalid},
		{name: "Originator without a domain", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Set("Originator", "mailto:rxBernard") }),
			status: 400, element: errOriginatorInvalid},
		{name: "no Recipient", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Del("Recipient") }),
			status: 400, element: errRecipientMissing},
		{name: "relative Recipient", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Set("Recipient", "cyrus@example.org") }),
			status: 400, element: errRecipientMissing},
		{name: "too many recipients", opts: func(o *Options) { o.Limits.MaxRecipients = 2 },
			request: func(t *testing.T) *http.Request {
				body := rxInvitation(nil, rxCyrus, rxMike, "mailto:ken@example.org")
				return rxRequest(rxBernard, []string{rxCyrus + ", " + rxMike, "mailto:ken@example.org"}, requestEvent, body)
			},
			status: 400, element: errMaxRecipients},
		{name: "anonymous under deny", opts: func(o *Options) { o.Anonymous = AnonymousDeny }, request: plain(requestEvent, valid),
			status: 403, element: errVerificationFailed},
		{name: "signed but DKIM not accepted, deny", opts: func(o *Options) { o.Anonymous = AnonymousDeny },
			request: func(t *testing.T) *http.Request {
				r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, valid)
				rxSign(t, keys.signer, r, valid, clock.Now())
				return r
			},
			status: 403, element: errVerificationFailed},
		{name: "tampered body", opts: withVerifier,
			request: func(t *testing.T) *http.Request {
				r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, strings.Replace(valid, "Design", "Desire", 1))
				rxSign(t, keys.signer, r, valid, clock.Now())
				return r
			},
			status: 403, element: errVerificationFailed, desc: "unable to verify"},
		{name: "signed Recipient changed", opts: withVerifier,
			request: func(t *testing.T) *http.Request {
				r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, valid)
				rxSign(t, keys.signer, r, valid, clock.Now())
				r.Header.Add("Recipient", rxMike)
				return r
			},
			status: 403, element: errVerificationFailed},
		{name: "unknown key", opts: withVerifier,
			request: func(t *testing.T) *http.Request {
				r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, valid)
				rxSign(t, newRxDKIMPair(t, "example.com", clock).signer, r, valid, clock.Now())
				return r
			},
			status: 403, element: errVerificationFailed},
		{name: "d= not the Originator's domain",
			opts: func(o *Options) {
				o.Anonymous = AnonymousDeny
				o.Verifier = other.verifier
			},
			request: func(t *testing.T) *http.Request {
				r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, valid)
				rxSign(t, other.signer, r, valid, clock.Now())
				return r
			},
			status: 403, element: errVerificationFailed},
		{name: "key lookup failure", opts: func(o *Options) {
			o.Anonymous = AnonymousDeny
			o.Verifier = &Verifier{Now: clock.Now, LookupTXT: func(context.Context, string) ([]string, error) {
				return nil, &net.DNSError{Err: "no such host", Name: "crisp._domainkey.example.com", IsNotFound: true}
			}}
		},
			request: func(t *testing.T) *http.Request {
				r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, valid)
				rxSign(t, keys.signer, r, valid, clock.Now())
				return r
			},
			status: 403, element: errVerificationFailed},
		{name: "expired signature", opts: withVerifier,
			request: func(t *testing.T) *http.Request {
				r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, valid)
				rxSign(t, keys.signer, r, valid, clock.Now().Add(-2*time.Hour))
				return r
			},
			status: 403, element: errVerificationFailed},
		{name: "draft placeholder signature", opts: withVerifier,
			request: plain(requestEvent, valid, func(r *http.Request) {
				r.Header.Set("DKIM-Signature", "a=rsa-sha256; d=example.com; s=jupiter; c=ischedule-relaxed/simple; q=dns/txt:http/well-known; t=1268069852; x=1283918400; h=Originator:Recipient:Content-Type:iSchedule-Version:iSchedule-Message-ID; bh=XXXxxxXXXxxxXXXxxxXXXxxxXXXxxxXXXxxx; b=XXXxxxXXXxxxXXXxxxXXXxxxXXXxxxXXXxxxXXXxxxXXXxxxXXXxxx")
			}),
			status: 403, element: errVerificationFailed},
		{name: "not UTF-8", request: plain(requestEvent, strings.Replace(valid, "Design", "D\xe9sign", 1)),
			status: 400, element: errInvalidCalendarData},
		{name: "not iCalendar", request: plain(requestEvent, "hello\r\n"),
			status: 400, element: errInvalidCalendarData},
		{name: "two VCALENDARs", request: plain(requestEvent, valid+valid),
			status: 400, element: errInvalidCalendarData},
		{name: "no METHOD", request: plain(requestEvent, event("", organizer, "DTSTART:20260402T130000Z", "SUMMARY:x", att(rxCyrus))),
			status: 400, element: errInvalidSchedulingMessage, desc: "METHOD"},
		{name: "REQUEST without ATTENDEE", request: plain(requestEvent, event("REQUEST", organizer, "DTSTART:20260402T130000Z", "SUMMARY:x")),
			status: 400, element: errInvalidSchedulingMessage, desc: "ATTENDEE"},
		{name: "REQUEST with REQUEST-STATUS", request: plain(requestEvent, event("REQUEST", organizer, "DTSTART:20260402T130000Z", "SUMMARY:x", att(rxCyrus), "REQUEST-STATUS:2.0;Success")),
			status: 400, element: errInvalidSchedulingMessage, desc: "RFC 5546"},
		{name: "DTSTAMP not UTC, strict", opts: func(o *Options) { o.Mode = itip.ModeStrict }, request: plain(requestEvent, strings.Replace(valid, "DTSTAMP:20260301T200200Z", "DTSTAMP:20260301T200200", 1)),
			status: 400, element: errInvalidSchedulingMessage},
		{name: "Content-Type method differs", request: plain("text/calendar; component=VEVENT; method=CANCEL", valid),
			status: 400, element: errInvalidSchedulingMessage, desc: "method=CANCEL"},
		{name: "Content-Type component differs", request: plain("text/calendar; component=VTODO; method=REQUEST", valid),
			status: 400, element: errInvalidSchedulingMessage, desc: "component=VTODO"},
		{name: "strict mode wants the parameters", opts: func(o *Options) { o.Mode = itip.ModeStrict }, request: plain("text/calendar", valid),
			status: 400, element: errInvalidSchedulingMessage},
		{name: "PUBLISH is not advertised", request: plain("text/calendar; component=VEVENT; method=PUBLISH",
			event("PUBLISH", organizer, "DTSTART:20260402T130000Z", "SUMMARY:x")),
			status: 400, element: errInvalidSchedulingMessage, desc: "not among"},
		{name: "forged Originator", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Set("Originator", "mailto:mallory@example.com") }),
			status: 403, element: errOriginatorDenied},
		{name: "forwarded by a delegating attendee",
			request: func(t *testing.T) *http.Request {
				body := event("REQUEST", organizer, "DTSTART:20260402T130000Z", "SUMMARY:x",
					"ATTENDEE;DELEGATED-TO=\"mailto:mike@example.org\":mailto:cyrus@example.org",
					"ATTENDEE;DELEGATED-FROM=\"mailto:cyrus@example.org\":mailto:mike@example.org")
				return rxRequest(rxCyrus, []string{rxMike}, requestEvent, body)
			},
			status: 403, element: errOriginatorDenied, desc: "forwarding"},
		{name: "REPLY from someone else",
			request: func(t *testing.T) *http.Request {
				body := event("REPLY", organizer, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:cyrus@example.org")
				return rxRequest(rxMike, []string{rxBernard}, "text/calendar; component=VEVENT; method=REPLY", body)
			},
			status: 403, element: errOriginatorDenied},
		{name: "Recipient not an ATTENDEE", request: plain(requestEvent, valid, func(r *http.Request) { r.Header.Add("Recipient", rxMike) }),
			status: 400, element: errRecipientMismatch},
		{name: "REPLY to an attendee",
			request: func(t *testing.T) *http.Request {
				body := event("REPLY", organizer, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:cyrus@example.org")
				return rxRequest(rxCyrus, []string{rxMike}, "text/calendar; component=VEVENT; method=REPLY", body)
			},
			status: 400, element: errRecipientMismatch},
		{name: "VFREEBUSY Recipients fewer than ATTENDEEs",
			request: func(t *testing.T) *http.Request {
				return rxRequest(rxBernard, []string{rxCyrus}, "text/calendar; component=VFREEBUSY; method=REQUEST", freeBusy(rxCyrus, rxMike))
			},
			status: 400, element: errRecipientMismatch},
		{name: "VFREEBUSY Recipient not an ATTENDEE",
			request: func(t *testing.T) *http.Request {
				return rxRequest(rxBernard, []string{rxCyrus, "mailto:ken@example.org"}, "text/calendar; component=VFREEBUSY; method=REQUEST", freeBusy(rxCyrus, rxMike))
			},
			status: 400, element: errRecipientMismatch},
		{name: "inline ATTACH", request: plain(requestEvent, rxInvitation([]string{"ATTACH;ENCODING=BASE64;VALUE=BINARY;FMTTYPE=text/plain:aGVsbG8="}, rxCyrus)),
			status: 400, element: errAttachmentTypeUnsupported},
		{name: "before min-date-time", request: plain(requestEvent, strings.Replace(valid, "DTSTART:20260402T130000Z", "DTSTART:18500402T130000Z", 1)),
			status: 400, element: errMinDateTime},
		{name: "after max-date-time", request: plain(requestEvent, strings.Replace(strings.Replace(valid, "DTSTART:20260402T130000Z", "DTSTART:22000402T130000Z", 1), "DTEND:20260402T140000Z", "DTEND:22000402T140000Z", 1)),
			status: 400, element: errMaxDateTime},
		{name: "EXDATE after max-date-time", opts: func(o *Options) { o.Limits.MaxDateTime = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) },
			request: plain(requestEvent, rxInvitation([]string{"RRULE:FREQ=WEEKLY;COUNT=5", "EXDATE:20310101T130000Z"}, rxCyrus)),
			status:  400, element: errMaxDateTime},
		{name: "too many instances", request: plain(requestEvent, rxInvitation([]string{"RRULE:FREQ=DAILY;COUNT=2000"}, rxCyrus)),
			status: 400, element: errMaxInstances},
		{name: "hourly without end", request: plain(requestEvent, rxInvitation([]string{"RRULE:FREQ=HOURLY"}, rxCyrus)),
			status: 400, element: errMaxInstances},
		{name: "minutely within a year", opts: func(o *Options) { o.Limits.MaxInstances = 100000 },
			request: plain(requestEvent, rxInvitation([]string{"RRULE:FREQ=MINUTELY"}, rxCyrus)),
			status:  400, element: errMaxInstances},
		{name: "RSCALE other than GREGORIAN", request: plain(requestEvent, rxInvitation([]string{"RRULE:RSCALE=CHINESE;FREQ=YEARLY;COUNT=3"}, rxCyrus)),
			status: 400, element: errInvalidSchedulingMessage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newRecordingBackend(rxCyrus, rxMike)
			o := Options{Backend: b, Anonymous: AnonymousAllow, Now: clock.Now, Logger: rxQuietLogger()}
			if tc.opts != nil {
				tc.opts(&o)
			}
			w := rxServe(NewReceiver(o), tc.request(t))
			name, desc := rxErrorElement(t, w)
			if w.Code != tc.status || name.Space != NS || name.Local != tc.element {
				t.Fatalf("status %d %s, want %d %s\n%s", w.Code, name.Local, tc.status, tc.element, w.Body)
			}
			if tc.desc != "" && !strings.Contains(desc, tc.desc) {
				t.Errorf("description %q does not mention %q", desc, tc.desc)
			}
			if b.touched() {
				t.Errorf("the backend was called for a refused request")
			}
			if w.Header().Get("iSchedule-Version") != "1.0" || w.Header().Get("iSchedule-Capabilities") == "" {
				t.Errorf("no iSchedule headers on the refusal")
			}
			if w.Header().Get("Cache-Control") != "no-cache, no-transform" {
				t.Errorf("Cache-Control = %q", w.Header().Get("Cache-Control"))
			}
		})
	}
}

// TestReceiverBodyLimit streams a body with no Content-Length: the
// receiver refuses it with 413 without reading far past the limit.
func TestReceiverBodyLimit(t *testing.T) {
	b := newRecordingBackend(rxCyrus)
	rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousAllow, Logger: rxQuietLogger(), Limits: Limits{MaxContentLength: 1000}})
	src := &rxCountingReader{left: 10 << 20}
	r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, "")
	r.Body = struct {
		*rxCountingReader
		rxCloser
	}{src, rxCloser{}}
	r.ContentLength = -1
	w := rxServe(rc, r)
	if name, _ := rxErrorElement(t, w); w.Code != http.StatusRequestEntityTooLarge || name.Local != errMaxContentLength {
		t.Fatalf("status %d %s, want 413 max-content-length", w.Code, name.Local)
	}
	if src.read > 1000+32<<10 {
		t.Errorf("read %d bytes of a body limited to 1000", src.read)
	}
	if b.touched() {
		t.Errorf("the backend was called")
	}
}

type rxCloser struct{}

func (rxCloser) Close() error { return nil }

// TestReceiverBrokenVectors posts the three messages of the RFC examples
// that open BEGIN:VTODO and close END:VEVENT: each is invalid-calendar-data
// in both modes.
func TestReceiverBrokenVectors(t *testing.T) {
	files := []string{
		"testdata/ischedule/ischedule-05/ischedule05_failed-request_01_request_ical1_REQUEST-VTODO.ics",
		"testdata/ischedule/ischedule-00/ischedule00_6.1.5_01_request_ical1_REQUEST-VTODO.ics",
		"testdata/receiver/rfc6047/rfc6047_4.5_part2_REQUEST-VTODO.ics",
	}
	for _, mode := range []itip.Mode{itip.ModeInterop, itip.ModeStrict} {
		for _, f := range files {
			t.Run(mode.String()+"/"+f[strings.LastIndexByte(f, '/')+1:], func(t *testing.T) {
				body := rxReadFile(t, f)
				cal, err := itip.ParseMessage(body, mode)
				if err == nil {
					t.Fatalf("ParseMessage accepted it: %v", cal.Children)
				}
				b := newRecordingBackend("mailto:cyrus@example.org", "mailto:foo2@example.com")
				rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousAllow, Mode: mode, Logger: rxQuietLogger()})
				org := "mailto:bernard@example.com"
				rcpt := "mailto:cyrus@example.org"
				if strings.Contains(f, "rfc6047") {
					org, rcpt = "mailto:foo1@example.com", "mailto:foo2@example.com"
				}
				w := rxServe(rc, rxRequest(org, []string{rcpt}, "text/calendar; component=VTODO; method=REQUEST", string(body)))
				if name, _ := rxErrorElement(t, w); w.Code != http.StatusBadRequest || name.Local != errInvalidCalendarData {
					t.Fatalf("status %d %s, want 400 invalid-calendar-data\n%s", w.Code, name.Local, w.Body)
				}
				if b.touched() {
					t.Errorf("the backend was called")
				}
			})
		}
	}
}

// TestReceiverDKIMDelivery posts a DKIM-signed REQUEST to two local
// recipients and one elsewhere, then replays it.
func TestReceiverDKIMDelivery(t *testing.T) {
	clock := newRxClock()
	keys := newRxDKIMPair(t, "example.com", clock)
	b := newRecordingBackend(rxCyrus, rxMike)
	rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousDeny, Verifier: keys.verifier, Now: clock.Now, Logger: rxQuietLogger()})
	nobody := "mailto:nobody@example.org"
	body := rxInvitation(nil, rxCyrus, rxMike, nobody)
	signed := func(messageID string) *http.Request {
		r := rxRequest(rxBernard, []string{rxCyrus + ",mailto:Mike@Example.org", nobody}, requestEvent, body)
		r.Header.Set("iSchedule-Message-ID", messageID)
		rxSign(t, keys.signer, r, body, clock.Now())
		return r
	}
	first := signed("id-1")
	w := rxServe(rc, first)
	sr := rxScheduleResponse(t, w)
	got := rxStatuses(sr)
	want := map[string]string{rxCyrus: "2.0;Success", rxMike: "2.0;Success", nobody: "3.7;Invalid calendar user"}
	if len(got) != 3 || got[rxCyrus] != want[rxCyrus] || got[rxMike] != want[rxMike] || got[nobody] != want[nobody] {
		t.Errorf("statuses = %v, want %v", got, want)
	}
	if sr.Responses[0].Recipient != rxCyrus || sr.Responses[2].Recipient != nobody {
		t.Errorf("responses out of the Recipient order: %+v", sr.Responses)
	}
	if w.Header().Get("Cache-Control") != "no-cache, no-transform" || w.Header().Get("iSchedule-Version") != "1.0" {
		t.Errorf("headers = %v", w.Header())
	}
	ds := b.deliveries()
	if len(ds) != 2 {
		t.Fatalf("%d deliveries, want 2", len(ds))
	}
	for i, d := range ds {
		if d.Recipient != rxAddresses(rxCyrus, rxMike)[i] || d.Originator != rxBernard || d.Message == nil ||
			d.Sender != (Sender{Mode: SenderDKIM, Domain: "example.com"}) {
			t.Errorf("delivery %d = %+v", i, d)
		}
		if !d.Sender.Verifies(d.Originator) {
			t.Errorf("delivery %d: the sender does not verify the originator", i)
		}
	}

	t.Run("replay", func(t *testing.T) {
		again := signed("id-1")
		again.Header = first.Header.Clone()
		w := rxServe(rc, again)
		if name, _ := rxErrorElement(t, w); w.Code != http.StatusForbidden || name.Local != errVerificationFailed {
			t.Fatalf("replay: status %d %s", w.Code, name.Local)
		}
		clock.Advance(time.Second)
		w = rxServe(rc, signed("id-1"))
		if name, _ := rxErrorElement(t, w); w.Code != http.StatusForbidden || name.Local != errVerificationFailed {
			t.Fatalf("same message ID, new signature: status %d %s", w.Code, name.Local)
		}
		if n := len(b.deliveries()); n != 2 {
			t.Errorf("%d deliveries after the replays, want 2", n)
		}
		w = rxServe(rc, signed("id-2"))
		if rxScheduleResponse(t, w); len(b.deliveries()) != 4 {
			t.Errorf("a new message was not delivered")
		}
	})
	t.Run("sub-domain originator", func(t *testing.T) {
		body := strings.ReplaceAll(rxInvitation(nil, rxCyrus), "bernard@example.com", "bernard@cal.example.com")
		r := rxRequest("mailto:bernard@cal.example.com", []string{rxCyrus}, requestEvent, body)
		r.Header.Set("iSchedule-Message-ID", "id-3")
		rxSign(t, keys.signer, r, body, clock.Now())
		if got := rxStatuses(rxScheduleResponse(t, rxServe(rc, r))); got[rxCyrus] != "2.0;Success" {
			t.Errorf("statuses = %v", got)
		}
	})
	t.Run("relay signature first", func(t *testing.T) {
		relay := newRxDKIMPair(t, "dmz.example.org", clock)
		v := &Verifier{Keys: map[string]string{}, Now: clock.Now, LookupTXT: keys.verifier.LookupTXT}
		for k, r := range keys.verifier.Keys {
			v.Keys[k] = r
		}
		for k, r := range relay.verifier.Keys {
			v.Keys[k] = r
		}
		b := newRecordingBackend(rxCyrus)
		rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousDeny, Verifier: v, Now: clock.Now, Logger: rxQuietLogger()})
		body := rxInvitation(nil, rxCyrus)
		r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, body)
		r.Header.Set("iSchedule-Message-ID", "id-relay")
		rxSign(t, relay.signer, r, body, clock.Now())
		rxSign(t, keys.signer, r, body, clock.Now())
		if got := rxStatuses(rxScheduleResponse(t, rxServe(rc, r))); got[rxCyrus] != "2.0;Success" {
			t.Errorf("statuses = %v", got)
		}
		if ds := b.deliveries(); len(ds) != 1 || ds[0].Sender.Domain != "example.com" {
			t.Errorf("deliveries = %+v, want one from example.com", ds)
		}
	})
}

func TestReceiverAnonymous(t *testing.T) {
	fbBody := rxCalendar("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "METHOD:REQUEST",
		"BEGIN:VFREEBUSY", "DTSTAMP:20260301T200200Z", "ORGANIZER:mailto:bernard@example.com",
		"DTSTART:20260402T000000Z", "DTEND:20260403T000000Z", "UID:fb1@example.com",
		"ATTENDEE:mailto:cyrus@example.org", "ATTENDEE:mailto:mike@example.org",
		"END:VFREEBUSY", "END:VCALENDAR")
	fbType := "text/calendar; component=VFREEBUSY; method=REQUEST"
	reply := []byte(rxCalendar("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "METHOD:REPLY",
		"BEGIN:VFREEBUSY", "END:VFREEBUSY", "END:VCALENDAR"))

	t.Run("allow delivers", func(t *testing.T) {
		b := newRecordingBackend(rxCyrus)
		rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousAllow, Logger: rxQuietLogger()})
		got := rxStatuses(rxScheduleResponse(t, rxServe(rc, rxRequest(rxBernard, []string{rxCyrus}, requestEvent, rxInvitation(nil, rxCyrus)))))
		if got[rxCyrus] != "2.0;Success" {
			t.Errorf("statuses = %v", got)
		}
		ds := b.deliveries()
		if len(ds) != 1 || ds[0].Sender != (Sender{Mode: SenderAnonymous}) || ds[0].Sender.Verifies(rxBernard) {
			t.Errorf("deliveries = %+v, want one anonymous", ds)
		}
	})
	t.Run("hold is the default and delivers", func(t *testing.T) {
		b := newRecordingBackend(rxCyrus)
		rc := NewReceiver(Options{Backend: b, Logger: rxQuietLogger()})
		rxScheduleResponse(t, rxServe(rc, rxRequest(rxBernard, []string{rxCyrus}, requestEvent, rxInvitation(nil, rxCyrus))))
		if ds := b.deliveries(); len(ds) != 1 || ds[0].Sender.Mode != SenderAnonymous {
			t.Errorf("deliveries = %+v", ds)
		}
	})
	t.Run("hold refuses free-busy", func(t *testing.T) {
		b := newRecordingBackend(rxCyrus, rxMike)
		rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousHold, Logger: rxQuietLogger()})
		got := rxStatuses(rxScheduleResponse(t, rxServe(rc, rxRequest(rxBernard, []string{rxCyrus, rxMike}, fbType, fbBody))))
		if got[rxCyrus] != "3.8;No authority" || got[rxMike] != "3.8;No authority" {
			t.Errorf("statuses = %v", got)
		}
		if b.touched() {
			t.Errorf("the backend was called")
		}
	})
	t.Run("allow answers free-busy", func(t *testing.T) {
		b := newRecordingBackend(rxCyrus, rxMike)
		b.reply[rxCyrus] = reply
		b.status[rxMike] = "5.3;No scheduling support for user"
		rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousAllow, Logger: rxQuietLogger()})
		sr := rxScheduleResponse(t, rxServe(rc, rxRequest(rxBernard, []string{rxCyrus, rxMike}, fbType, fbBody)))
		if got := rxStatuses(sr); got[rxCyrus] != "2.0;Success" || got[rxMike] != "5.3;No scheduling support for user" {
			t.Errorf("statuses = %v", got)
		}
		cd := sr.Responses[0].CalendarData
		if cd == nil || cd.Data != string(reply) || cd.ContentType != "text/calendar" || sr.Responses[1].CalendarData != nil {
			t.Errorf("calendar-data = %+v, %+v", cd, sr.Responses[1].CalendarData)
		}
	})
}

func TestReceiverDeliveryFailure(t *testing.T) {
	var logs bytes.Buffer
	b := newRecordingBackend(rxCyrus, rxMike)
	b.fail[rxMike] = errors.New("disk full")
	rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousAllow, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	got := rxStatuses(rxScheduleResponse(t, rxServe(rc, rxRequest(rxBernard, []string{rxCyrus, rxMike}, requestEvent, rxInvitation(nil, rxCyrus, rxMike)))))
	if got[rxCyrus] != "2.0;Success" || got[rxMike] != "5.1;Service unavailable" {
		t.Errorf("statuses = %v", got)
	}
	if !strings.Contains(logs.String(), "disk full") || !strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("the failure is not logged: %s", logs.String())
	}
}

// TestReceiverLog checks the one access-log line of a POST.
func TestReceiverLog(t *testing.T) {
	var logs bytes.Buffer
	b := newRecordingBackend(rxCyrus)
	rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousAllow, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	rxServe(rc, rxRequest(rxBernard, []string{rxCyrus}, requestEvent, rxInvitation(nil, rxCyrus)))
	rxServe(rc, rxRequest("mailto:mallory@example.com", []string{rxCyrus}, requestEvent, rxInvitation(nil, rxCyrus)))
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2:\n%s", len(lines), logs.String())
	}
	var ok, refused map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ok); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &refused); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"remote": "192.0.2.10:40000", "originator": rxBernard, "recipients": 1.0,
		"method": "REQUEST", "component": "VEVENT", "auth": "anonymous", "status": 200.0} {
		if ok[k] != v {
			t.Errorf("%s = %v, want %v", k, ok[k], v)
		}
	}
	if refused["status"] != 403.0 || refused["error"] != errOriginatorDenied {
		t.Errorf("refusal logged as %v", refused)
	}
	if strings.Contains(logs.String(), "Design meeting") {
		t.Errorf("calendar data in the log")
	}
}

func TestReceiverRateLimits(t *testing.T) {
	t.Run("domain", func(t *testing.T) {
		clock := newRxClock()
		b := newRecordingBackend(rxCyrus)
		rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousAllow, Now: clock.Now, Logger: rxQuietLogger(),
			Limits: Limits{RatePerDomain: 3, RatePerIP: -1}})
		post := func(originator, remote string) *httptest.ResponseRecorder {
			body := strings.ReplaceAll(rxInvitation(nil, rxCyrus), rxBernard, originator)
			r := rxRequest(originator, []string{rxCyrus}, requestEvent, body)
			r.RemoteAddr = remote
			return rxServe(rc, r)
		}
		for i := range 3 {
			if w := post(rxBernard, "192.0.2."+strconv.Itoa(i)+":1"); w.Code != http.StatusOK {
				t.Fatalf("request %d: status %d", i+1, w.Code)
			}
		}
		w := post("mailto:jane@example.com", "192.0.2.99:1")
		name, _ := rxErrorElement(t, w)
		if w.Code != http.StatusTooManyRequests || name != (xml.Name{Space: NSExt, Local: errRateLimited}) {
			t.Fatalf("4th request from example.com: status %d %v", w.Code, name)
		}
		if ra := w.Header().Get("Retry-After"); ra != "20" {
			t.Errorf("Retry-After = %q, want 20 (one token every 20 s)", ra)
		}
		if w := post("mailto:ann@example.net", "192.0.2.99:1"); w.Code != http.StatusOK {
			t.Errorf("another domain: status %d", w.Code)
		}
		clock.Advance(20 * time.Second)
		if w := post(rxBernard, "192.0.2.99:1"); w.Code != http.StatusOK {
			t.Errorf("after 20 s: status %d", w.Code)
		}
		if w := post(rxBernard, "192.0.2.99:1"); w.Code != http.StatusTooManyRequests {
			t.Errorf("again at once: status %d", w.Code)
		}
		if n := len(b.deliveries()); n != 5 {
			t.Errorf("%d deliveries, want 5", n)
		}
	})
	t.Run("anonymous apart from signed", func(t *testing.T) {
		clock := newRxClock()
		keys := newRxDKIMPair(t, "example.com", clock)
		b := newRecordingBackend(rxCyrus)
		rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousAllow, Verifier: keys.verifier, Now: clock.Now, Logger: rxQuietLogger(),
			Limits: Limits{RatePerDomain: 2, RatePerIP: -1}})
		body := rxInvitation(nil, rxCyrus)
		for i := range 3 {
			w := rxServe(rc, rxRequest(rxBernard, []string{rxCyrus}, requestEvent, body))
			if want := []int{200, 200, 429}[i]; w.Code != want {
				t.Fatalf("anonymous request %d: status %d, want %d", i+1, w.Code, want)
			}
		}
		for i := range 3 {
			r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, body)
			r.Header.Set("iSchedule-Message-ID", "signed-"+strconv.Itoa(i))
			rxSign(t, keys.signer, r, body, clock.Now())
			w := rxServe(rc, r)
			if want := []int{200, 200, 429}[i]; w.Code != want {
				t.Fatalf("signed request %d: status %d, want %d", i+1, w.Code, want)
			}
		}
	})
	t.Run("address", func(t *testing.T) {
		clock := newRxClock()
		rc := NewReceiver(Options{Backend: newRecordingBackend(rxCyrus), Anonymous: AnonymousAllow, Now: clock.Now, Logger: rxQuietLogger(),
			Limits: Limits{RatePerIP: 2, RatePerDomain: -1}})
		post := func(remote string) int {
			r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, rxInvitation(nil, rxCyrus))
			r.RemoteAddr = remote
			return rxServe(rc, r).Code
		}
		got := []int{post("[2001:db8::1]:1"), post("[2001:db8::2]:1"), post("[2001:db8::3]:1"), post("[2001:db8:0:1::1]:1"), post("192.0.2.1:1")}
		want := []int{200, 200, 429, 200, 200}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("statuses = %v, want %v (one /64 shares a bucket)", got, want)
				break
			}
		}
	})
}

func TestSenderVerifies(t *testing.T) {
	for _, tc := range []struct {
		s     Sender
		actor string
		want  bool
	}{
		{Sender{SenderDKIM, "example.com"}, "mailto:bernard@example.com", true},
		{Sender{SenderDKIM, "example.com"}, "MAILTO:Bernard@Example.COM", true},
		{Sender{SenderDKIM, "example.com"}, "bernard@cal.example.com", true},
		{Sender{SenderMTLS, "example.com"}, "mailto:bernard@example.com", true},
		{Sender{SenderDKIM, "example.com"}, "mailto:bernard@badexample.com", false},
		{Sender{SenderDKIM, "cal.example.com"}, "mailto:bernard@example.com", false},
		{Sender{SenderDKIM, "example.com"}, "mailto:rxBernard", false},
		{Sender{SenderAnonymous, ""}, "mailto:bernard@example.com", false},
		{Sender{SenderAnonymous, "example.com"}, "mailto:bernard@example.com", false},
		{Sender{SenderDKIM, ""}, "mailto:bernard@example.com", false},
	} {
		if got := tc.s.Verifies(tc.actor); got != tc.want {
			t.Errorf("%+v.Verifies(%q) = %v, want %v", tc.s, tc.actor, got, tc.want)
		}
	}
}

func TestNewReceiverPanics(t *testing.T) {
	for name, o := range map[string]Options{
		"no backend": {},
		"bad policy": {Backend: newRecordingBackend(), Anonymous: "maybe"},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			NewReceiver(o)
		})
	}
}

// ensure the recording backend is a Backend.
var _ Backend = (*recordingBackend)(nil)

// TestReceiverAccepts posts valid messages of every shape the binding
// distinguishes: each is delivered.
func TestReceiverAccepts(t *testing.T) {
	msg := func(method string, props ...string) string {
		lines := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "METHOD:" + method,
			"BEGIN:VEVENT", "DTSTAMP:20260301T200200Z", "UID:u1@example.com", "ORGANIZER:mailto:bernard@example.com"}
		lines = append(lines, props...)
		return rxCalendar(append(lines, "END:VEVENT", "END:VCALENDAR")...)
	}
	ct := func(method string) string { return "text/calendar; component=VEVENT; method=" + method }
	for _, tc := range []struct {
		name, originator, recipient, contentType, body string
		mode                                           itip.Mode
	}{
		{name: "weekly without end", originator: rxBernard, recipient: rxCyrus, contentType: requestEvent,
			body: rxInvitation([]string{"RRULE:FREQ=WEEKLY;BYDAY=TH"}, rxCyrus)},
		{name: "daily for a year", originator: rxBernard, recipient: rxCyrus, contentType: requestEvent,
			body: rxInvitation([]string{"RRULE:FREQ=DAILY;COUNT=365"}, rxCyrus)},
		{name: "external ATTACH", originator: rxBernard, recipient: rxCyrus, contentType: requestEvent,
			body: rxInvitation([]string{"ATTACH:https://example.com/agenda.pdf"}, rxCyrus)},
		{name: "REPLY", originator: rxCyrus, recipient: rxBernard, contentType: ct("REPLY"),
			body: msg("REPLY", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:cyrus@example.org")},
		{name: "REPLY by a delegate of the attendee", originator: "mailto:assistant@example.org", recipient: rxBernard, contentType: ct("REPLY"),
			body: msg("REPLY", "ATTENDEE;PARTSTAT=ACCEPTED;SENT-BY=\"mailto:assistant@example.org\":mailto:cyrus@example.org")},
		{name: "REQUEST sent by a secretary", originator: "mailto:secretary@example.com", recipient: rxCyrus, contentType: requestEvent,
			body: strings.Replace(rxInvitation(nil, rxCyrus), "ORGANIZER:", "ORGANIZER;SENT-BY=\"mailto:secretary@example.com\":", 1)},
		{name: "CANCEL", originator: rxBernard, recipient: rxCyrus, contentType: ct("CANCEL"),
			body: msg("CANCEL", "SEQUENCE:1", "STATUS:CANCELLED", "ATTENDEE:mailto:cyrus@example.org")},
		{name: "REFRESH", originator: rxCyrus, recipient: rxBernard, contentType: ct("REFRESH"),
			body: msg("REFRESH", "ATTENDEE:mailto:cyrus@example.org")},
		{name: "COUNTER", originator: rxCyrus, recipient: rxBernard, contentType: ct("COUNTER"),
			body: msg("COUNTER", "ATTENDEE:mailto:cyrus@example.org", "SEQUENCE:0", "SUMMARY:Later?", "DTSTART:20260402T150000Z")},
		{name: "interop: no Content-Type parameters", originator: rxBernard, recipient: rxCyrus, contentType: "text/calendar",
			body: rxInvitation(nil, rxCyrus)},
		{name: "strict", originator: rxBernard, recipient: rxCyrus, contentType: requestEvent, mode: itip.ModeStrict,
			body: rxInvitation(nil, rxCyrus)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newRecordingBackend(rxCyrus, rxBernard)
			rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousAllow, Mode: tc.mode, Logger: rxQuietLogger()})
			w := rxServe(rc, rxRequest(tc.originator, []string{tc.recipient}, tc.contentType, tc.body))
			if got := rxStatuses(rxScheduleResponse(t, w)); got[tc.recipient] != "2.0;Success" {
				t.Fatalf("statuses = %v", got)
			}
			if ds := b.deliveries(); len(ds) != 1 || ds[0].Originator != ical.NormalizeAddress(tc.originator) {
				t.Errorf("deliveries = %+v", ds)
			}
		})
	}
}

// TestReceiverSlowBody sends the headers and part of a body, then
// nothing: the receiver gives up at its read deadline with 408 instead of
// holding the connection.
func TestReceiverSlowBody(t *testing.T) {
	b := newRecordingBackend(rxCyrus)
	srv := httptest.NewServer(NewReceiver(Options{Backend: b, Anonymous: AnonymousAllow, Logger: rxQuietLogger(),
		Limits: Limits{ReadTimeout: 50 * time.Millisecond}}))
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	// A safety net for a receiver that would wait forever.
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	_, err = io.WriteString(conn, "POST /.well-known/ischedule HTTP/1.1\r\nHost: x\r\niSchedule-Version: 1.0\r\n"+
		"Originator: mailto:bernard@example.com\r\nRecipient: mailto:cyrus@example.org\r\n"+
		"Content-Type: "+requestEvent+"\r\nContent-Length: 1000\r\n\r\nBEGIN:VCALENDAR\r\n")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var e Error
	body, _ := io.ReadAll(resp.Body)
	if err := xml.Unmarshal(body, &e); err != nil || resp.StatusCode != http.StatusRequestTimeout ||
		e.Condition.XMLName != (xml.Name{Space: NSExt, Local: errRequestTimeout}) {
		t.Fatalf("status %d, %v\n%s", resp.StatusCode, err, body)
	}
	if b.touched() {
		t.Errorf("the backend was called")
	}
}

// TestReceiverKeyTempFail: a DKIM key DNS cannot give for now is a
// temporary failure, not a refusal.
func TestReceiverKeyTempFail(t *testing.T) {
	clock := newRxClock()
	keys := newRxDKIMPair(t, "example.com", clock)
	b := newRecordingBackend(rxCyrus)
	rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousDeny, Now: clock.Now, Logger: rxQuietLogger(),
		Verifier: &Verifier{Now: clock.Now, LookupTXT: func(context.Context, string) ([]string, error) {
			return nil, &net.DNSError{Err: "server misbehaving", Name: "crisp._domainkey.example.com", IsTemporary: true}
		}}})
	body := rxInvitation(nil, rxCyrus)
	r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, body)
	rxSign(t, keys.signer, r, body, clock.Now())
	w := rxServe(rc, r)
	name, _ := rxErrorElement(t, w)
	if w.Code != http.StatusServiceUnavailable || name != (xml.Name{Space: NSExt, Local: errTemporaryFailure}) || w.Header().Get("Retry-After") != "60" {
		t.Fatalf("status %d %v, Retry-After %q", w.Code, name, w.Header().Get("Retry-After"))
	}
	if b.touched() {
		t.Errorf("the backend was called")
	}
}
