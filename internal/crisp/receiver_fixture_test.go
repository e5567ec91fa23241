// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// recordingBackend is the Backend seam of the receiver tests: it knows a
// fixed set of local users and records every delivery.
type recordingBackend struct {
	mu        sync.Mutex
	local     map[string]bool
	status    map[string]string // recipient -> status; default 2.0;Success
	reply     map[string][]byte // recipient -> VFREEBUSY REPLY
	fail      map[string]error  // recipient -> Deliver error
	delivered []Incoming
	asked     int // IsLocal calls
}

func newRecordingBackend(local ...string) *recordingBackend {
	b := &recordingBackend{
		local:  make(map[string]bool),
		status: make(map[string]string),
		reply:  make(map[string][]byte),
		fail:   make(map[string]error),
	}
	for _, a := range local {
		b.local[a] = true
	}
	return b
}

func (b *recordingBackend) IsLocal(_ context.Context, addr string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.asked++
	return b.local[addr]
}

func (b *recordingBackend) Deliver(_ context.Context, in Incoming) (string, []byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.fail[in.Recipient]; err != nil {
		return "", nil, err
	}
	b.delivered = append(b.delivered, in)
	s := b.status[in.Recipient]
	if s == "" {
		s = "2.0;Success"
	}
	return s, b.reply[in.Recipient], nil
}

func (b *recordingBackend) deliveries() []Incoming {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Incoming(nil), b.delivered...)
}

func (b *recordingBackend) touched() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.asked > 0 || len(b.delivered) > 0
}

// rxClock is a settable clock.
type rxClock struct {
	mu sync.Mutex
	t  time.Time
}

func newRxClock() *rxClock {
	return &rxClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *rxClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *rxClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// quietLogger discards the access log.
func rxQuietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// calendar builds an iCalendar object with CRLF line endings from lines.
func rxCalendar(lines ...string) string {
	return strings.Join(lines, "\r\n") + "\r\n"
}

// rxInvitation is a valid VEVENT REQUEST from bernard@example.com to the
// given attendees.
func rxInvitation(extra []string, attendees ...string) string {
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Example Corp.//EN",
		"METHOD:REQUEST",
		"BEGIN:VEVENT",
		"DTSTAMP:20260301T200200Z",
		"ORGANIZER:mailto:bernard@example.com",
		"DTSTART:20260402T130000Z",
		"DTEND:20260402T140000Z",
		"SUMMARY:Design meeting",
		"UID:34222-232@example.com",
		"ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:bernard@example.com",
	}
	for _, a := range attendees {
		lines = append(lines, "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"+a)
	}
	lines = append(lines, extra...)
	lines = append(lines, "END:VEVENT", "END:VCALENDAR")
	return rxCalendar(lines...)
}

// scheduleRequest is a POST with the iSchedule headers for a message
// from originator to recipients.
func rxRequest(originator string, recipients []string, contentType, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/.well-known/ischedule", strings.NewReader(body))
	r.RemoteAddr = "192.0.2.10:40000"
	r.Header.Set("iSchedule-Version", "1.0")
	r.Header.Set("iSchedule-Message-ID", "798F00BB-5B45-4634-B083-0D0CD3A2BB39")
	r.Header.Set("Cache-Control", "no-cache, no-transform")
	r.Header.Set("Content-Type", contentType)
	if originator != "" {
		r.Header.Set("Originator", originator)
	}
	for _, rc := range recipients {
		r.Header.Add("Recipient", rc)
	}
	return r
}

const requestEvent = "text/calendar; charset=utf-8; component=VEVENT; method=REQUEST"

// serve runs one request through h.
func rxServe(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// errorElement decodes an IS:error body and returns its element and
// description.
func rxErrorElement(t *testing.T, w *httptest.ResponseRecorder) (xml.Name, string) {
	t.Helper()
	var e Error
	if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatalf("status %d, body is not an IS:error: %v\n%s", w.Code, err, w.Body)
	}
	return e.Condition.XMLName, e.Description
}

// scheduleResponse decodes an IS:schedule-response.
func rxScheduleResponse(t *testing.T, w *httptest.ResponseRecorder) ScheduleResponse {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200\n%s", w.Code, w.Body)
	}
	var sr ScheduleResponse
	if err := xml.Unmarshal(w.Body.Bytes(), &sr); err != nil {
		t.Fatalf("body is not an IS:schedule-response: %v\n%s", err, w.Body)
	}
	return sr
}

// statuses maps each recipient of a schedule-response to its status.
func rxStatuses(sr ScheduleResponse) map[string]string {
	m := make(map[string]string)
	for _, r := range sr.Responses {
		m[r.Recipient] = r.RequestStatus
	}
	return m
}

// rxDKIMPair is a signer and the verifier that knows its key.
type rxDKIMPair struct {
	signer   *Signer
	verifier *Verifier
}

// newDKIMPair returns an Ed25519 signer for domain and a verifier with
// its key configured, both on clock.
func newRxDKIMPair(t testing.TB, domain string, clock *rxClock) rxDKIMPair {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return rxDKIMPair{
		signer: &Signer{Domain: domain, Selector: "crisp", Key: priv},
		verifier: &Verifier{
			Keys: map[string]string{"crisp._domainkey." + domain: "v=DKIM1; k=ed25519; s=ischedule; p=" + base64.StdEncoding.EncodeToString(pub)},
			Now:  clock.Now,
			LookupTXT: func(context.Context, string) ([]string, error) {
				return nil, errors.New("no DNS in tests")
			},
		},
	}
}

// sign signs r, whose body is body, with s at now.
func rxSign(t testing.TB, s *Signer, r *http.Request, body string, now time.Time) {
	t.Helper()
	if err := s.Sign(r.Header, []byte(body), now); err != nil {
		t.Fatalf("sign: %v", err)
	}
}

// rxCountingReader yields n bytes of 'A' and counts what was read.
type rxCountingReader struct {
	left, read int
}

func (c *rxCountingReader) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), c.left)
	for i := range p[:n] {
		p[i] = 'A'
	}
	c.left -= n
	c.read += n
	return n, nil
}

// addresses normalises addresses as the receiver does.
func rxAddresses(as ...string) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = ical.NormalizeAddress(a)
	}
	return out
}
