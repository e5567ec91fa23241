// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/almanac-project/almanac/itip"
)

// upstreamStub is an internal receiver that counts and records what the
// proxy forwards and answers with a fixed response, or with the handler
// it wraps.
type upstreamStub struct {
	mu      sync.Mutex
	count   int
	header  http.Header
	body    []byte
	status  int
	answer  string
	handler http.Handler
}

func (u *upstreamStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	u.mu.Lock()
	u.count++
	u.header = r.Header.Clone()
	u.body = body
	status, answer, h := u.status, u.answer, u.handler
	u.mu.Unlock()
	if h != nil {
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		h.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, answer)
}

func (u *upstreamStub) requests() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.count
}

// startUpstream runs u on loopback and returns its URL.
func startUpstream(t *testing.T, u *upstreamStub) *url.URL {
	t.Helper()
	srv := httptest.NewServer(u)
	t.Cleanup(srv.Close)
	target, err := url.Parse(srv.URL + "/.well-known/ischedule")
	if err != nil {
		t.Fatal(err)
	}
	return target
}

// TestProxyForwardsAndCensors posts a DKIM-signed invitation through the
// proxy: the upstream gets the body unchanged and the sender's signature,
// and its detailed answer comes back reduced to recipients and status
// codes.
func TestProxyForwardsAndCensors(t *testing.T) {
	clock := newRxClock()
	keys := newRxDKIMPair(t, "example.com", clock)
	up := &upstreamStub{status: http.StatusOK, answer: `<?xml version="1.0" encoding="utf-8"?>
<schedule-response xmlns="urn:ietf:params:xml:ns:ischedule">
  <response>
    <recipient>mailto:Cyrus@example.org</recipient>
    <request-status>2.0;Success;delivered to inbox 42 on db-internal-3</request-status>
    <calendar-data>BEGIN:VCALENDAR
SECRET:internal
END:VCALENDAR
</calendar-data>
    <error><verification-failed/></error>
    <response-description>stored in /var/lib/almanac/cyrus</response-description>
  </response>
  <response>
    <recipient>mailto:nobody@example.org</recipient>
    <request-status>3.7;Invalid calendar user;no such user in LDAP ou=staff</request-status>
  </response>
  <response>
    <recipient>mailto:intruder@example.org</recipient>
    <request-status>2.0;Success</request-status>
  </response>
</schedule-response>`}
	p := NewProxy(ProxyOptions{
		Options:  Options{Anonymous: AnonymousDeny, Verifier: keys.verifier, Mode: itip.ModeStrict, Now: clock.Now, Logger: rxQuietLogger()},
		Upstream: startUpstream(t, up),
	})
	nobody, ghost := "mailto:nobody@example.org", "mailto:ghost@example.org"
	body := rxInvitation(nil, rxCyrus, nobody, ghost)
	r := rxRequest(rxBernard, []string{rxCyrus, nobody, ghost}, requestEvent, body)
	r.Header.Set("User-Agent", "Sender/1.0")
	r.Header.Set("X-Internal", "1")
	rxSign(t, keys.signer, r, body, clock.Now())
	w := rxServe(p, r)
	sr := rxScheduleResponse(t, w)

	if up.requests() != 1 {
		t.Fatalf("upstream saw %d requests", up.requests())
	}
	if string(up.body) != body {
		t.Errorf("body changed on the way:\n%q", up.body)
	}
	h := up.header
	for _, name := range []string{"Content-Type", "iSchedule-Version", "iSchedule-Message-ID", "Originator", "User-Agent"} {
		if h.Get(name) != r.Header.Get(name) {
			t.Errorf("%s = %q, sent %q", name, h.Get(name), r.Header.Get(name))
		}
	}
	if got, want := strings.Join(h.Values("Recipient"), ","), strings.Join(r.Header.Values("Recipient"), ","); got != want {
		t.Errorf("Recipient = %q, want %q", got, want)
	}
	if got := h.Values("DKIM-Signature"); len(got) != 1 || got[0] != r.Header.Get("DKIM-Signature") {
		t.Errorf("DKIM-Signature = %q, want the sender's", got)
	}
	if h.Get("X-Internal") != "" {
		t.Errorf("hop headers forwarded: %v", h)
	}
	if h.Get("Cache-Control") != "no-cache, no-transform" || !strings.HasPrefix(h.Get("iSchedule-Via"), "1.0 ") {
		t.Errorf("Cache-Control %q, iSchedule-Via %q", h.Get("Cache-Control"), h.Get("iSchedule-Via"))
	}
	// The forwarded request still verifies: the upstream can check it.
	if d, err := keys.verifier.Verify(t.Context(), h, up.body); err != nil || d != "example.com" {
		t.Errorf("forwarded signature: %q, %v", d, err)
	}

	want := []Response{
		{Recipient: rxCyrus, RequestStatus: "2.0;Success"},
		{Recipient: nobody, RequestStatus: "3.7;Invalid calendar user"},
		{Recipient: ghost, RequestStatus: "5.1;Service unavailable"},
	}
	if len(sr.Responses) != len(want) {
		t.Fatalf("responses = %+v", sr.Responses)
	}
	for i, got := range sr.Responses {
		if got.Recipient != want[i].Recipient || got.RequestStatus != want[i].RequestStatus ||
			got.CalendarData != nil || got.Error != nil || got.Description != "" {
			t.Errorf("response %d = %+v, want %+v", i, got, want[i])
		}
	}
	for _, leak := range []string{"db-internal", "LDAP", "/var/lib", "SECRET", "intruder"} {
		if strings.Contains(w.Body.String(), leak) {
			t.Errorf("the answer leaks %q:\n%s", leak, w.Body)
		}
	}
}

// TestProxyNeverForwardsInvalid sends the receiver's refusals through the
// proxy: each is refused the same way and the upstream sees nothing.
func TestProxyNeverForwardsInvalid(t *testing.T) {
	clock := newRxClock()
	keys := newRxDKIMPair(t, "example.com", clock)
	up := &upstreamStub{status: http.StatusOK, answer: "<schedule-response xmlns=\"urn:ietf:params:xml:ns:ischedule\"/>"}
	target := startUpstream(t, up)
	valid := rxInvitation(nil, rxCyrus)
	for _, tc := range []struct {
		name    string
		request func() *http.Request
		status  int
		element string
	}{
		{"not iTIP", func() *http.Request {
			body := strings.Replace(valid, "ORGANIZER:mailto:bernard@example.com\r\n", "", 1)
			r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, body)
			rxSign(t, keys.signer, r, body, clock.Now())
			return r
		}, 400, errInvalidSchedulingMessage},
		{"BEGIN:VTODO closed by END:VEVENT", func() *http.Request {
			body := string(rxReadFile(t, "testdata/receiver/rfc6047/rfc6047_4.5_part2_REQUEST-VTODO.ics"))
			r := rxRequest("mailto:foo1@example.com", []string{"mailto:foo2@example.com"}, "text/calendar; component=VTODO; method=REQUEST", body)
			rxSign(t, keys.signer, r, body, clock.Now())
			return r
		}, 400, errInvalidCalendarData},
		{"forged Originator", func() *http.Request {
			r := rxRequest("mailto:mallory@example.com", []string{rxCyrus}, requestEvent, valid)
			rxSign(t, keys.signer, r, valid, clock.Now())
			return r
		}, 403, errOriginatorDenied},
		{"bad signature", func() *http.Request {
			r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, valid)
			rxSign(t, keys.signer, r, strings.ToLower(valid), clock.Now())
			return r
		}, 403, errVerificationFailed},
		{"anonymous", func() *http.Request {
			return rxRequest(rxBernard, []string{rxCyrus}, requestEvent, valid)
		}, 403, errVerificationFailed},
		{"free-busy not allowed", func() *http.Request {
			body := rxCalendar("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "METHOD:REQUEST",
				"BEGIN:VFREEBUSY", "DTSTAMP:20260301T200200Z", "ORGANIZER:mailto:bernard@example.com",
				"DTSTART:20260402T000000Z", "DTEND:20260403T000000Z", "UID:fb1@example.com",
				"ATTENDEE:mailto:cyrus@example.org", "END:VFREEBUSY", "END:VCALENDAR")
			r := rxRequest(rxBernard, []string{rxCyrus}, "text/calendar; component=VFREEBUSY; method=REQUEST", body)
			rxSign(t, keys.signer, r, body, clock.Now())
			return r
		}, 400, errInvalidSchedulingMessage},
		{"too large", func() *http.Request {
			body := rxInvitation([]string{"DESCRIPTION:" + strings.Repeat("x", 2000)}, rxCyrus)
			return rxRequest(rxBernard, []string{rxCyrus}, requestEvent, body)
		}, 413, errMaxContentLength},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewProxy(ProxyOptions{
				Options: Options{Anonymous: AnonymousDeny, Verifier: keys.verifier, Mode: itip.ModeStrict,
					Now: clock.Now, Logger: rxQuietLogger(), Limits: Limits{MaxContentLength: 2000}},
				Upstream: target,
			})
			w := rxServe(p, tc.request())
			if name, _ := rxErrorElement(t, w); w.Code != tc.status || name.Local != tc.element {
				t.Fatalf("status %d %s, want %d %s\n%s", w.Code, name.Local, tc.status, tc.element, w.Body)
			}
			if n := up.requests(); n != 0 {
				t.Fatalf("upstream saw %d requests", n)
			}
		})
	}
}

// TestProxyFreeBusy lets free-busy through and checks the reply that comes
// back: clipped to the requested range, without the upstream's details,
// and a valid VFREEBUSY REPLY.
func TestProxyFreeBusy(t *testing.T) {
	upReply := rxCalendar("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Internal Groupware 9.3//EN", "METHOD:REPLY",
		"BEGIN:VFREEBUSY", "DTSTAMP:20260301T200300Z", "ORGANIZER;CN=Bernard:mailto:bernard@example.com",
		"DTSTART:20260402T000000Z", "DTEND:20260403T000000Z", "UID:fb1@example.com",
		"ATTENDEE;CN=Cyrus Daboo;X-ROOM=42:mailto:cyrus@example.org",
		"COMMENT:Cyrus is at the dentist",
		"X-INTERNAL-CALENDAR:/calendars/cyrus/private",
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260401T000000Z/20260402T090000Z,20260402T170000Z/20260404T000000Z",
		"FREEBUSY;FBTYPE=X-DENTIST;X-WHERE=downtown:20260402T120000Z/PT1H",
		"FREEBUSY:20260405T120000Z/20260405T130000Z",
		"END:VFREEBUSY", "END:VCALENDAR")
	answer := `<schedule-response xmlns="urn:ietf:params:xml:ns:ischedule"><response>
<recipient>mailto:cyrus@example.org</recipient><request-status>2.0;Success</request-status>
<calendar-data content-type="text/calendar">` + xmlEscape(upReply) + `</calendar-data></response></schedule-response>`
	up := &upstreamStub{status: http.StatusOK, answer: answer}
	o := ProxyOptions{
		Options:       Options{Anonymous: AnonymousAllow, Mode: itip.ModeStrict, Logger: rxQuietLogger()},
		Upstream:      startUpstream(t, up),
		AllowFreeBusy: true,
	}
	caps, caps2 := o.Capabilities(), o.Capabilities()
	if !caps.Accepts("REQUEST", "VFREEBUSY") {
		t.Fatalf("VFREEBUSY not advertised with AllowFreeBusy")
	}
	o2 := o
	o2.AllowFreeBusy = false
	caps2 = o2.Capabilities()
	if caps2.Accepts("REQUEST", "VFREEBUSY") || caps2.SerialNumber == caps.SerialNumber {
		t.Errorf("VFREEBUSY advertised without AllowFreeBusy, or the serial did not change")
	}
	body := rxCalendar("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "METHOD:REQUEST",
		"BEGIN:VFREEBUSY", "DTSTAMP:20260301T200200Z", "ORGANIZER:mailto:bernard@example.com",
		"DTSTART:20260402T000000Z", "DTEND:20260403T000000Z", "UID:fb1@example.com",
		"ATTENDEE:mailto:cyrus@example.org", "END:VFREEBUSY", "END:VCALENDAR")
	w := rxServe(NewProxy(o), rxRequest(rxBernard, []string{rxCyrus}, "text/calendar; component=VFREEBUSY; method=REQUEST", body))
	sr := rxScheduleResponse(t, w)
	if len(sr.Responses) != 1 || sr.Responses[0].RequestStatus != "2.0;Success" || sr.Responses[0].CalendarData == nil {
		t.Fatalf("responses = %+v", sr.Responses)
	}
	got := sr.Responses[0].CalendarData.Data
	want := rxCalendar("BEGIN:VCALENDAR", "PRODID:-//Almanac//CRISP proxy//EN", "VERSION:2.0", "METHOD:REPLY",
		"BEGIN:VFREEBUSY", "DTSTAMP:20260301T200300Z", "ORGANIZER:mailto:bernard@example.com", "UID:fb1@example.com",
		"ATTENDEE:mailto:cyrus@example.org", "DTSTART:20260402T000000Z", "DTEND:20260403T000000Z",
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260402T000000Z/20260402T090000Z,20260402",
		" T170000Z/20260403T000000Z",
		"FREEBUSY;FBTYPE=BUSY:20260402T120000Z/20260402T130000Z",
		"END:VFREEBUSY", "END:VCALENDAR")
	if got != want {
		t.Errorf("censored reply:\n%s\nwant:\n%s", got, want)
	}
	cal, err := itip.ParseMessage([]byte(got), itip.ModeStrict)
	if err != nil {
		t.Fatal(err)
	}
	if ps := itip.Validate(cal.Component, itip.ValidateOptions{Mode: itip.ModeStrict}); !itip.Valid(ps) {
		t.Errorf("the censored reply is invalid: %s", problemText(ps))
	}

	t.Run("reply for someone else", func(t *testing.T) {
		up.mu.Lock()
		up.answer = strings.Replace(answer, "X-ROOM=42:mailto:cyrus@example.org", "X-ROOM=42:mailto:mike@example.org", 1)
		up.mu.Unlock()
		w := rxServe(NewProxy(o), rxRequest(rxBernard, []string{rxCyrus}, "text/calendar; component=VFREEBUSY; method=REQUEST", body))
		sr := rxScheduleResponse(t, w)
		if sr.Responses[0].RequestStatus != "5.1;Service unavailable" || sr.Responses[0].CalendarData != nil {
			t.Errorf("response = %+v", sr.Responses[0])
		}
	})
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// TestProxyUpstreamAnswers covers the upstream's refusals and failures.
func TestProxyUpstreamAnswers(t *testing.T) {
	body := rxInvitation(nil, rxCyrus, rxMike)
	post := func(t *testing.T, target *url.URL) *httptest.ResponseRecorder {
		p := NewProxy(ProxyOptions{Options: Options{Anonymous: AnonymousAllow, Logger: rxQuietLogger()}, Upstream: target})
		return rxServe(p, rxRequest(rxBernard, []string{rxCyrus, rxMike}, requestEvent, body))
	}
	t.Run("credentials stay on the outer hop", func(t *testing.T) {
		up := &upstreamStub{status: http.StatusOK, answer: `<schedule-response xmlns="urn:ietf:params:xml:ns:ischedule"/>`}
		p := NewProxy(ProxyOptions{Options: Options{Anonymous: AnonymousAllow, Logger: rxQuietLogger()}, Upstream: startUpstream(t, up)})
		r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, rxInvitation(nil, rxCyrus))
		r.Header.Set("Authorization", "Bearer hop-secret")
		r.Header.Set("Cookie", "session=1")
		rxServe(p, r)
		if up.requests() != 1 || up.header.Get("Authorization") != "" || up.header.Get("Cookie") != "" {
			t.Errorf("%d requests, Authorization %q, Cookie %q", up.requests(), up.header.Get("Authorization"), up.header.Get("Cookie"))
		}
	})
	t.Run("refusal", func(t *testing.T) {
		up := &upstreamStub{status: http.StatusForbidden, answer: `<error xmlns="urn:ietf:params:xml:ns:ischedule"><originator-denied/><response-description>ACL rule 17 in /etc/internal.conf</response-description></error>`}
		w := post(t, startUpstream(t, up))
		name, desc := rxErrorElement(t, w)
		if w.Code != http.StatusForbidden || name.Local != errOriginatorDenied || desc != "" {
			t.Errorf("status %d %s %q", w.Code, name.Local, desc)
		}
	})
	t.Run("unknown element", func(t *testing.T) {
		up := &upstreamStub{status: http.StatusBadRequest, answer: `<error xmlns="urn:ietf:params:xml:ns:ischedule"><database-locked/></error>`}
		got := rxStatuses(rxScheduleResponse(t, post(t, startUpstream(t, up))))
		if got[rxCyrus] != "5.1;Service unavailable" || got[rxMike] != "5.1;Service unavailable" {
			t.Errorf("statuses = %v", got)
		}
	})
	t.Run("busy", func(t *testing.T) {
		up := &upstreamStub{status: http.StatusTooManyRequests, answer: ""}
		w := post(t, startUpstream(t, up))
		if name, _ := rxErrorElement(t, w); w.Code != http.StatusTooManyRequests || name.Local != errRateLimited || w.Header().Get("Retry-After") == "" {
			t.Errorf("status %d %s, Retry-After %q", w.Code, name.Local, w.Header().Get("Retry-After"))
		}
	})
	t.Run("unavailable", func(t *testing.T) {
		up := &upstreamStub{status: http.StatusServiceUnavailable, answer: ""}
		w := post(t, startUpstream(t, up))
		if name, _ := rxErrorElement(t, w); w.Code != http.StatusServiceUnavailable || name.Local != errTemporaryFailure || w.Header().Get("Retry-After") != "60" {
			t.Errorf("status %d %s, Retry-After %q", w.Code, name.Local, w.Header().Get("Retry-After"))
		}
	})
	t.Run("server error", func(t *testing.T) {
		up := &upstreamStub{status: http.StatusInternalServerError, answer: "panic: nil map"}
		w := post(t, startUpstream(t, up))
		if got := rxStatuses(rxScheduleResponse(t, w)); got[rxCyrus] != "5.1;Service unavailable" {
			t.Errorf("statuses = %v", got)
		}
		if strings.Contains(w.Body.String(), "panic") {
			t.Errorf("leaked: %s", w.Body)
		}
	})
	t.Run("down", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		target, _ := url.Parse(srv.URL)
		srv.Close()
		if got := rxStatuses(rxScheduleResponse(t, post(t, target))); got[rxCyrus] != "5.1;Service unavailable" || got[rxMike] != "5.1;Service unavailable" {
			t.Errorf("statuses = %v", got)
		}
	})
}

// TestProxyToReceiver puts the proxy in front of a real Receiver. With a
// Signer the proxy adds its signature after the sender's; the receiver
// verifies the sender's and delivers from its domain.
func TestProxyToReceiver(t *testing.T) {
	clock := newRxClock()
	outside := newRxDKIMPair(t, "example.com", clock)
	dmz := newRxDKIMPair(t, "dmz.example.org", clock)
	inner := &Verifier{Keys: map[string]string{}, Now: clock.Now, LookupTXT: outside.verifier.LookupTXT}
	for k, v := range outside.verifier.Keys {
		inner.Keys[k] = v
	}
	for k, v := range dmz.verifier.Keys {
		inner.Keys[k] = v
	}
	b := newRecordingBackend(rxCyrus)
	rc := NewReceiver(Options{Backend: b, Anonymous: AnonymousDeny, Verifier: inner, Now: clock.Now, Logger: rxQuietLogger()})
	up := &upstreamStub{handler: rc}
	p := NewProxy(ProxyOptions{
		Options:  Options{Anonymous: AnonymousDeny, Verifier: outside.verifier, Mode: itip.ModeStrict, Now: clock.Now, Logger: rxQuietLogger()},
		Upstream: startUpstream(t, up),
		Signer:   dmz.signer,
	})
	body := rxInvitation(nil, rxCyrus)
	r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, body)
	rxSign(t, outside.signer, r, body, clock.Now())
	got := rxStatuses(rxScheduleResponse(t, rxServe(p, r)))
	if got[rxCyrus] != "2.0;Success" {
		t.Fatalf("statuses = %v", got)
	}
	sigs := up.header.Values("DKIM-Signature")
	if len(sigs) != 2 || sigs[0] != r.Header.Get("DKIM-Signature") || !strings.Contains(sigs[1], "d=dmz.example.org") {
		t.Errorf("forwarded signatures = %q", sigs)
	}
	if ds := b.deliveries(); len(ds) != 1 || ds[0].Sender != (Sender{Mode: SenderDKIM, Domain: "example.com"}) {
		t.Errorf("deliveries = %+v", ds)
	}
}

func TestNewProxyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("no panic without an Upstream")
		}
	}()
	NewProxy(ProxyOptions{})
}
