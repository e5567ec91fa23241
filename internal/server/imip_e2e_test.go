// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/imip"
	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/servertest"
)

// sink is an SMTP server standing in for the mail relay: it keeps every
// message it is given.
type sink struct {
	mu   sync.Mutex
	msgs []sunk
	addr string
}

type sunk struct {
	from string
	to   []string
	data []byte
}

type sinkSession struct {
	s    *sink
	from string
	to   []string
}

func (s *sinkSession) Reset()                                      { s.from, s.to = "", nil }
func (s *sinkSession) Logout() error                               { return nil }
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error   { s.to = append(s.to, to); return nil }
func (s *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	s.s.msgs = append(s.s.msgs, sunk{from: s.from, to: s.to, data: data})
	return nil
}

func startSink(t *testing.T) *sink {
	t.Helper()
	k := &sink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: k}, nil }))
	srv.Domain = "relay.test"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return k
}

// wait returns the first n messages, waiting for the delivery queue.
func (k *sink) wait(t *testing.T, n int) []sunk {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		k.mu.Lock()
		got := append([]sunk(nil), k.msgs...)
		k.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the relay got %d messages, want %d", len(got), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lmtpDeliver hands a message to the server's LMTP listener as the MTA
// would, and returns the recipients it refused with their errors.
func lmtpDeliver(t *testing.T, addr, from string, to []string, msg string) map[string]*smtp.SMTPError {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("mx.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(from, nil); err != nil {
		t.Fatalf("MAIL FROM: %v", err)
	}
	for _, r := range to {
		if err := c.Rcpt(r, nil); err != nil {
			t.Fatalf("RCPT TO %s: %v", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, strings.ReplaceAll(msg, "\n", "\r\n")); err != nil {
		t.Fatal(err)
	}
	_, err = w.CloseWithLMTPResponse()
	var refused smtp.LMTPDataError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &refused):
		return refused
	}
	t.Fatalf("DATA: %v", err)
	return nil
}

// outlookReply is shaped like an Outlook/Exchange answer: no ORGANIZER,
// MAILTO: in upper case, "Accepted:" in the summary, quoted-printable.
func outlookReply(uid, from string) string {
	return `From: Pat <` + from + `>
To: Ann <ann@example.org>
Subject: Accepted: Planning
Date: Tue, 03 Mar 2026 10:00:00 +0000
Message-ID: <outlook-1@outlook.example>
Authentication-Results: mx.test; dkim=pass header.d=outlook.example header.s=selector1
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset="us-ascii"

Pat has accepted.
--b1
Content-Type: text/calendar; charset="utf-8"; method=REPLY
Content-Transfer-Encoding: quoted-printable

BEGIN:VCALENDAR
METHOD:REPLY
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
BEGIN:VEVENT
ATTENDEE;PARTSTAT=3DACCEPTED;CN=3DPat:MAILTO:` + from + `
SUMMARY;LANGUAGE=3Den-US:Accepted: Planning
DTSTART:20260320T100000Z
DTEND:20260320T110000Z
UID:` + uid + `
DTSTAMP:20260303T100000Z
END:VEVENT
END:VCALENDAR
--b1--
`
}

// gmailReply is shaped like Google Calendar's answer: the calendar
// part in base64, an invite.ics attachment with the same content, no
// SEQUENCE.
func gmailReply(uid, from, auth string) string {
	cal := "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:REPLY\r\n" +
		"BEGIN:VEVENT\r\nDTSTART:20260320T100000Z\r\nDTEND:20260320T110000Z\r\nDTSTAMP:20260303T110000Z\r\n" +
		"ORGANIZER;CN=Ann:mailto:ann@example.org\r\nUID:" + uid + "\r\n" +
		"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED;CN=Gus;X-NUM-GUESTS=0:mailto:" + from + "\r\n" +
		"SUMMARY:Planning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	b64 := wrap64(cal)
	return `From: Gus <` + from + `>
To: ann@example.org
Subject: Declined: Planning
Date: Tue, 03 Mar 2026 11:00:00 +0000
Message-ID: <gmail-1@gmail.example>
` + auth + `MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="m1"

--m1
Content-Type: multipart/alternative; boundary="a1"

--a1
Content-Type: text/plain; charset="UTF-8"

Gus has declined this invitation.
--a1
Content-Type: text/calendar; charset="UTF-8"; method=REPLY
Content-Transfer-Encoding: base64

` + b64 + `
--a1--

--m1
Content-Type: application/ics; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: base64

` + b64 + `
--m1--
`
}

func wrap64(s string) string {
	var b bytes.Buffer
	enc := []byte(base64.StdEncoding.EncodeToString([]byte(s)))
	for len(enc) > 76 {
		b.Write(enc[:76])
		b.WriteString("\n")
		enc = enc[76:]
	}
	b.Write(enc)
	return b.String()
}

// TestIMIPEndToEnd: an organizer invites two external addresses; the
// invitations reach the relay as RFC 6047 messages; an Outlook-shaped and
// a Gmail-shaped answer come back over LMTP from a trusted MTA and both
// show in the organizer's copy over CalDAV; an unsigned forgery is held
// and changes nothing.
func TestIMIPEndToEnd(t *testing.T) {
	relay := startSink(t)
	in := servertest.Start(t, servertest.Config(func(c *config.Config) {
		c.SMTPRelay = relay.addr
		c.MailFrom = "calendar@example.org"
		c.LMTPListen = "127.0.0.1:0"
		c.TrustedMTA = []string{"127.0.0.1"}
		c.Domains = []string{"example.org"}
	}))
	in.AddUser(t, "ann", "pw-ann-1234", "ann@example.org")
	lmtp, _ := in.Server.MailAddrs()

	const uid = "imip-e2e-1@example.org"
	event := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20260301T000000Z\r\nDTSTART:20260320T100000Z\r\nDTEND:20260320T110000Z\r\nSUMMARY:Planning" +
		"\r\nORGANIZER;CN=Ann:mailto:ann@example.org\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:ann@example.org" +
		"\r\nATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION;CN=Pat:mailto:pat@outlook.example" +
		"\r\nATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION;CN=Gus:mailto:gus@gmail.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	path := "/dav/calendars/ann/calendar/" + uid + ".ics"
	resp := in.Do(t, "PUT", path, "ann", event, http.Header{"Content-Type": {"text/calendar"}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT = %d: %s", resp.StatusCode, servertest.Body(t, resp))
	}

	// Two RFC 6047 messages at the relay, one per attendee.
	msgs := relay.wait(t, 2)
	seen := map[string]bool{}
	for _, m := range msgs {
		if m.from != "calendar@example.org" || len(m.to) != 1 {
			t.Errorf("envelope from %q to %q, want calendar@example.org to one attendee", m.from, m.to)
		}
		seen[m.to[0]] = true
		raw := string(m.data)
		for _, want := range []string{"From: ", "ann@example.org", "Sender: calendar@example.org", "Auto-Submitted: auto-generated", "multipart/alternative", "text/plain", "method=REQUEST", "X-Almanac-Uid: " + uid} {
			if !strings.Contains(raw, want) {
				t.Errorf("outgoing message lacks %q:\n%s", want, raw)
			}
		}
		parsed, err := imip.Parse(bytes.NewReader(m.data), imip.Limits{})
		if err != nil {
			t.Fatalf("imip.Parse(outgoing): %v", err)
		}
		cal, err := parsed.ITIP()
		if err != nil {
			t.Fatalf("ITIP(outgoing): %v", err)
		}
		if cal.Value(ical.PropMethod) != "REQUEST" || strings.Contains(string(ical.Marshal(cal)), "SCHEDULE-STATUS") {
			t.Errorf("outgoing calendar:\n%s", ical.Marshal(cal))
		}
	}
	if !seen["pat@outlook.example"] || !seen["gus@gmail.example"] {
		t.Errorf("recipients %v, want pat and gus", seen)
	}
	waitFor(t, "SCHEDULE-STATUS 1.1 in the organizer's copy", func() bool {
		body := getBody(t, in, path, "ann")
		return strings.Count(body, "SCHEDULE-STATUS=1.1") == 2
	})

	// The answers come back through the MTA.
	for name, msg := range map[string]string{
		"outlook": outlookReply(uid, "pat@outlook.example"),
		"gmail":   gmailReply(uid, "gus@gmail.example", "Authentication-Results: mx.test; dkim=pass header.d=gmail.example\n"),
	} {
		for rcpt, err := range lmtpDeliver(t, lmtp.String(), "bounces@"+name+".example", []string{"ann+calendar@example.org"}, msg) {
			t.Errorf("%s reply to %s refused: %v", name, rcpt, err)
		}
	}
	body := strings.ReplaceAll(getBody(t, in, path, "ann"), "\r\n ", "")
	for who, want := range map[string]string{"pat@outlook.example": "PARTSTAT=ACCEPTED", "gus@gmail.example": "PARTSTAT=DECLINED"} {
		if l := attendeeOf(body, who); !strings.Contains(l, want) {
			t.Errorf("organizer's copy: %s is %q, want %s", who, l, want)
		}
	}

	// A forged answer without any authentication is held, not applied.
	forged := strings.Replace(gmailReply(uid, "pat@outlook.example", ""), "PARTSTAT=DECLINED", "PARTSTAT=TENTATIVE", 1)
	forged = strings.Replace(forged, "DTSTAMP:20260303T110000Z", "DTSTAMP:20260304T110000Z", 1)
	for rcpt, err := range lmtpDeliver(t, lmtp.String(), "x@evil.example", []string{"ann@example.org"}, forged) {
		t.Errorf("forged reply to %s refused: %v (it is held instead)", rcpt, err)
	}
	after := strings.ReplaceAll(getBody(t, in, path, "ann"), "\r\n ", "")
	if l := attendeeOf(after, "pat@outlook.example"); !strings.Contains(l, "PARTSTAT=ACCEPTED") {
		t.Errorf("the forged reply changed pat's answer: %q", l)
	}
	held := false
	for _, l := range listing(t, in, "ann", "/dav/calendars/ann/inbox/") {
		href, _, _ := strings.Cut(l, " ")
		if strings.HasSuffix(href, ".ics") && strings.Contains(getBody(t, in, href, "ann"), "X-ALMANAC-UNVERIFIED") {
			held = true
		}
	}
	if !held {
		t.Errorf("no item of ann's inbox is marked X-ALMANAC-UNVERIFIED")
	}

	// A bounce for gus comes back to the service address: his status
	// says the invitation could not be delivered.
	dsn := `From: MAILER-DAEMON@relay.test
To: calendar@example.org
Subject: Undelivered Mail Returned to Sender
Date: Tue, 03 Mar 2026 12:00:00 +0000
Message-ID: <dsn-1@relay.test>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="r1"

--r1
Content-Type: text/plain

Your message could not be delivered.
--r1
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.test

Final-Recipient: rfc822; gus@gmail.example
Action: failed
Status: 5.1.1

--r1
Content-Type: text/rfc822-headers

From: <ann@example.org>
Sender: calendar@example.org
To: gus@gmail.example
Subject: Invitation: Planning
X-Almanac-Uid: ` + uid + `

--r1--
`
	for rcpt, err := range lmtpDeliver(t, lmtp.String(), "", []string{"calendar@example.org"}, dsn) {
		t.Errorf("bounce to %s refused: %v", rcpt, err)
	}
	if l := attendeeOf(strings.ReplaceAll(getBody(t, in, path, "ann"), "\r\n ", ""), "gus@gmail.example"); !strings.Contains(l, "SCHEDULE-STATUS=5.2") {
		t.Errorf("after the bounce gus is %q, want SCHEDULE-STATUS=5.2", l)
	}

	// Mail for someone else is refused at RCPT.
	conn, err := net.Dial("tcp", lmtp.String())
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("mx.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("x@gmail.example", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("nobody@example.org", nil); err == nil || !strings.Contains(err.Error(), "550") {
		t.Errorf("RCPT TO an unknown address = %v, want 550", err)
	}
}

// attendeeOf returns the unfolded ATTENDEE line of addr in body.
func attendeeOf(body, addr string) string {
	for _, l := range strings.Split(body, "\r\n") {
		if strings.HasPrefix(l, "ATTENDEE") && strings.HasSuffix(strings.ToLower(l), ":mailto:"+addr) {
			return l
		}
	}
	return ""
}

func getBody(t *testing.T, in *servertest.Instance, path, user string) string {
	t.Helper()
	resp := in.Do(t, "GET", path, user, "", nil)
	body := servertest.Body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d: %s", path, resp.StatusCode, body)
	}
	return body
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestIMIPDKIMReply: without a trusted MTA, an answer is applied only
// when its DKIM signature verifies with the key the sender's domain
// publishes and is aligned with its From: domain; the same message with a
// tampered body is held.
func TestIMIPDKIMReply(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	record := "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	lookup := func(_ context.Context, name string) ([]string, error) {
		if name == "sel._domainkey.gmail.example" {
			return []string{record}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	in := servertest.Start(t, servertest.LookupTXT(lookup), servertest.Config(func(c *config.Config) {
		c.LMTPListen = "127.0.0.1:0"
		c.Domains = []string{"example.org"}
	}))
	in.AddUser(t, "ann", "pw-ann-1234", "ann@example.org")
	lmtp, _ := in.Server.MailAddrs()
	const uid = "imip-dkim-1@example.org"
	event := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20260301T000000Z\r\nDTSTART:20260320T100000Z\r\nDTEND:20260320T110000Z\r\nSUMMARY:Planning" +
		"\r\nORGANIZER;CN=Ann:mailto:ann@example.org\r\nATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION;CN=Gus:mailto:gus@gmail.example" +
		"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	path := "/dav/calendars/ann/calendar/" + uid + ".ics"
	if resp := in.Do(t, "PUT", path, "ann", event, http.Header{"Content-Type": {"text/calendar"}}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT = %d", resp.StatusCode)
	}
	sign := func(msg string) string {
		var out bytes.Buffer
		err := dkim.Sign(&out, strings.NewReader(strings.ReplaceAll(msg, "\n", "\r\n")), &dkim.SignOptions{Domain: "gmail.example", Selector: "sel", Signer: priv})
		if err != nil {
			t.Fatal(err)
		}
		return strings.ReplaceAll(out.String(), "\r\n", "\n")
	}
	signed := sign(gmailReply(uid, "gus@gmail.example", ""))
	// Tampered: the body changed after signing.
	tampered := strings.Replace(signed, "Gus has declined this invitation.", "Gus has declined this invitation!", 1)
	if tampered == signed {
		t.Fatal("test bug: nothing tampered")
	}
	for rcpt, err := range lmtpDeliver(t, lmtp.String(), "gus@gmail.example", []string{"ann@example.org"}, tampered) {
		t.Errorf("tampered reply to %s refused: %v (it is held instead)", rcpt, err)
	}
	if l := attendeeOf(strings.ReplaceAll(getBody(t, in, path, "ann"), "\r\n ", ""), "gus@gmail.example"); !strings.Contains(l, "PARTSTAT=NEEDS-ACTION") {
		t.Fatalf("a tampered reply changed the event: %q", l)
	}
	for rcpt, err := range lmtpDeliver(t, lmtp.String(), "gus@gmail.example", []string{"ann@example.org"}, signed) {
		t.Errorf("signed reply to %s refused: %v", rcpt, err)
	}
	if l := attendeeOf(strings.ReplaceAll(getBody(t, in, path, "ann"), "\r\n ", ""), "gus@gmail.example"); !strings.Contains(l, "PARTSTAT=DECLINED") {
		t.Errorf("after the signed reply gus is %q, want DECLINED", l)
	}
}
