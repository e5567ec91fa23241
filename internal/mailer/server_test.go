// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// delivery is one call of Handler.Deliver.
type delivery struct {
	env  Envelope
	data []byte
	auth Auth
}

// recorder is the Handler of the inbound tests.
type recorder struct {
	recipient func(rcpt string) error    // nil accepts everyone
	deliver   func(env Envelope) []error // nil delivers to everyone
	mu        sync.Mutex
	got       []delivery
}

func (r *recorder) Recipient(_ context.Context, _ Envelope, rcpt string) error {
	if r.recipient == nil {
		return nil
	}
	return r.recipient(rcpt)
}

func (r *recorder) Deliver(_ context.Context, env Envelope, data []byte, auth Auth) []error {
	r.mu.Lock()
	r.got = append(r.got, delivery{env, data, auth})
	r.mu.Unlock()
	if r.deliver != nil {
		return r.deliver(env)
	}
	return make([]error, len(env.Recipients))
}

func (r *recorder) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

const testHostname = "mx.test"

// startServer runs a Server for cfg on two loopback listeners and returns
// the SMTP and LMTP addresses.
func startServer(t *testing.T, cfg ServerConfig, h Handler) (smtpAddr, lmtpAddr string) {
	t.Helper()
	if cfg.Hostname == "" {
		cfg.Hostname = testHostname
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.LookupTXT == nil {
		cfg.LookupTXT = func(_ context.Context, name string) ([]string, error) {
			return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
		}
	}
	s := NewServer(cfg, h)
	ls, ll := listen(t), listen(t)
	go s.ServeSMTP(ls)
	go s.ServeLMTP(ll)
	t.Cleanup(func() { s.Close() })
	return ls.Addr().String(), ll.Addr().String()
}

// client opens an SMTP (or LMTP) session with go-smtp's client.
func client(t *testing.T, addr string, lmtp bool) *smtp.Client {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var c *smtp.Client
	if lmtp {
		c = smtp.NewClientLMTP(conn)
	} else {
		c = smtp.NewClient(conn)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("client.test"); err != nil {
		t.Fatal(err)
	}
	return c
}

// send runs one SMTP transaction on a new connection.
func send(t *testing.T, addr, from string, to []string, msg string) error {
	t.Helper()
	return client(t, addr, false).SendMail(from, to, strings.NewReader(msg))
}

// replyCode returns the code and enhanced code of an SMTP reply error.
func replyCode(err error) (int, smtp.EnhancedCode) {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return 0, smtp.EnhancedCode{}
	}
	return se.Code, se.EnhancedCode
}

func message(from, body string) string {
	return "From: " + from + "\r\n" +
		"To: calendar@example.net\r\n" +
		"Subject: Invitation\r\n" +
		"Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n" +
		"Message-ID: <" + body + "@example.org>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain\r\n" +
		"\r\n" + body + "\r\n"
}

// rawClient speaks SMTP by hand, for the conversations go-smtp's client
// will not have.
type rawClient struct {
	conn net.Conn
	r    *textproto.Reader
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &rawClient{conn: conn, r: textproto.NewReader(bufioReader(conn))}
	if code, msg := c.reply(t); code != 220 {
		t.Fatalf("greeting %d %s", code, msg)
	}
	return c
}

func (c *rawClient) reply(t *testing.T) (int, string) {
	t.Helper()
	code, msg, err := c.r.ReadResponse(0)
	if err != nil {
		t.Fatalf("reading a reply: %v", err)
	}
	return code, msg
}

func (c *rawClient) cmd(t *testing.T, line string, want int) string {
	t.Helper()
	return c.write(t, line+"\r\n", want)
}

// write sends raw bytes and checks the reply code.
func (c *rawClient) write(t *testing.T, raw string, want int) string {
	t.Helper()
	if _, err := io.WriteString(c.conn, raw); err != nil {
		t.Fatal(err)
	}
	code, msg := c.reply(t)
	if code != want {
		t.Fatalf("%.40q: %d %s, want %d", raw, code, msg, want)
	}
	return msg
}

// closed reports whether the server has closed the connection, reading
// whatever else it sent.
func (c *rawClient) closed() bool {
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, c.conn)
	return err == nil || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "reset")
}

func TestSMTPDelivery(t *testing.T) {
	rec := &recorder{}
	addr, _ := startServer(t, ServerConfig{}, rec)
	msg := message("Ann <ann@example.org>", "hello")
	if err := send(t, addr, "ann@example.org", []string{"calendar@example.net", "other@example.net"}, msg); err != nil {
		t.Fatalf("send = %v", err)
	}
	got := rec.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1", len(got))
	}
	d := got[0]
	wantEnv := Envelope{RemoteIP: netip.MustParseAddr("127.0.0.1"), Helo: "client.test", MailFrom: "ann@example.org", Recipients: []string{"calendar@example.net", "other@example.net"}}
	if d.env.RemoteIP != wantEnv.RemoteIP || d.env.Helo != wantEnv.Helo || d.env.MailFrom != wantEnv.MailFrom || strings.Join(d.env.Recipients, ",") != strings.Join(wantEnv.Recipients, ",") || d.env.LMTP {
		t.Errorf("envelope %+v, want %+v", d.env, wantEnv)
	}
	if want := "Authentication-Results: " + testHostname + ";\r\n\tnone\r\n" + msg; string(d.data) != want {
		t.Errorf("delivered\n%q\nwant\n%q", d.data, want)
	}
	if d.auth.From != "ann@example.org" || d.auth.Aligned || d.auth.Trusted || len(d.auth.DKIM) != 0 || len(d.auth.SMIME) != 0 {
		t.Errorf("auth of an unsigned message = %+v", d.auth)
	}
}

func TestLMTPPerRecipientStatus(t *testing.T) {
	rec := &recorder{deliver: func(env Envelope) []error {
		errs := make([]error, len(env.Recipients))
		for i, r := range env.Recipients {
			if strings.HasPrefix(r, "full@") {
				errs[i] = &SMTPError{Code: 552, Enhanced: "5.2.2", Message: "mailbox full", Permanent: true}
			}
		}
		return errs
	}}
	_, addr := startServer(t, ServerConfig{}, rec)
	c := client(t, addr, true)
	if err := c.Mail("ann@example.org", nil); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"calendar@example.net", "full@example.net"} {
		if err := c.Rcpt(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, message("ann@example.org", "lmtp"))
	resp, err := w.CloseWithLMTPResponse()
	var lerr smtp.LMTPDataError
	if !errors.As(err, &lerr) || len(lerr) != 1 {
		t.Fatalf("LMTP DATA = %v, want one refused recipient", err)
	}
	if e := lerr["full@example.net"]; e == nil || e.Code != 552 || e.EnhancedCode != (smtp.EnhancedCode{5, 2, 2}) {
		t.Errorf("full@example.net got %v, want 552 5.2.2", e)
	}
	if resp["calendar@example.net"] == nil {
		t.Errorf("calendar@example.net got no 250")
	}
	if got := rec.deliveries(); len(got) != 1 || !got[0].env.LMTP {
		t.Errorf("deliveries %+v, want one over LMTP", got)
	}
}

func TestRecipientRefusals(t *testing.T) {
	rec := &recorder{recipient: func(rcpt string) error {
		switch rcpt {
		case "nobody@example.net":
			return &SMTPError{Code: 550, Enhanced: "5.1.1", Message: "no such calendar user", Permanent: true}
		case "broken@example.net":
			return errors.New("database is down")
		case "panic@example.net":
			panic("recipient check exploded")
		}
		return nil
	}}
	addr, _ := startServer(t, ServerConfig{MaxRecipients: 2}, rec)
	c := client(t, addr, false)
	if err := c.Mail("ann@example.org", nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rcpt string
		code int
		enh  smtp.EnhancedCode
	}{
		{"nobody@example.net", 550, smtp.EnhancedCode{5, 1, 1}},
		{"broken@example.net", 451, smtp.EnhancedCode{4, 3, 0}},
		{"panic@example.net", 451, smtp.EnhancedCode{4, 3, 0}},
		{"a@example.net", 0, smtp.EnhancedCode{}},
		{"b@example.net", 0, smtp.EnhancedCode{}},
		{"c@example.net", 452, smtp.EnhancedCode{4, 5, 3}}, // MaxRecipients
	}
	for _, tt := range tests {
		code, enh := replyCode(c.Rcpt(tt.rcpt, nil))
		if code != tt.code || (tt.code != 0 && enh != tt.enh) {
			t.Errorf("RCPT TO:<%s> = %d %v, want %d %v", tt.rcpt, code, enh, tt.code, tt.enh)
		}
	}
}

func TestMessageTooLarge(t *testing.T) {
	rec := &recorder{}
	addr, _ := startServer(t, ServerConfig{MaxMessageBytes: 1024}, rec)

	c := dialRaw(t, addr)
	c.cmd(t, "EHLO client.test", 250)
	c.cmd(t, "MAIL FROM:<ann@example.org> SIZE=4096", 552) // RFC 1870: declared too big
	c.cmd(t, "MAIL FROM:<ann@example.org>", 250)
	c.cmd(t, "RCPT TO:<calendar@example.net>", 250)
	c.cmd(t, "DATA", 354)
	big := message("ann@example.org", strings.Repeat("x", 4096)) + ".\r\n"
	if _, err := io.WriteString(c.conn, big); err != nil {
		t.Fatal(err)
	}
	if code, msg := c.reply(t); code != 552 || !strings.HasPrefix(msg, "5.3.4") {
		t.Errorf("reply to a message over the limit: %d %s, want 552 5.3.4", code, msg)
	}
	if !c.closed() {
		t.Error("the connection stays open after a message over the limit")
	}
	if got := rec.deliveries(); len(got) != 0 {
		t.Errorf("the handler received %d messages over the limit", len(got))
	}
	// The server goes on serving.
	if err := send(t, addr, "ann@example.org", []string{"calendar@example.net"}, message("ann@example.org", "small")); err != nil {
		t.Errorf("send after a refused big message = %v", err)
	}
}

func TestBlockList(t *testing.T) {
	rec := &recorder{}
	addr, _ := startServer(t, ServerConfig{Block: []string{"@spam.example", "Eve@Example.org", "junk.example"}}, rec)
	for _, from := range []string{"x@spam.example", "X@SPAM.EXAMPLE", "eve@example.org", "y@junk.example"} {
		code, enh := replyCode(send(t, addr, from, []string{"calendar@example.net"}, message("ok@example.net", "m")))
		if code != 550 || enh != (smtp.EnhancedCode{5, 7, 1}) {
			t.Errorf("MAIL FROM:<%s> = %d %v, want 550 5.7.1", from, code, enh)
		}
	}
	// After DATA, on the From: address.
	code, enh := replyCode(send(t, addr, "ok@example.net", []string{"calendar@example.net"}, message("Eve <eve@example.org>", "m")))
	if code != 550 || enh != (smtp.EnhancedCode{5, 7, 1}) {
		t.Errorf("From: eve@example.org = %d %v, want 550 5.7.1", code, enh)
	}
	// Subdomains and other users are not blocked.
	for _, from := range []string{"x@sub.spam.example", "ann@example.org"} {
		if err := send(t, addr, from, []string{"calendar@example.net"}, message(from, "m")); err != nil {
			t.Errorf("send from %s = %v", from, err)
		}
	}
	if got := rec.deliveries(); len(got) != 2 {
		t.Errorf("%d deliveries, want 2", len(got))
	}
}

func TestRateLimits(t *testing.T) {
	rec := &recorder{}
	addr, _ := startServer(t, ServerConfig{RatePerSender: 2, RatePerDomain: 4, Allow: []string{"boss@example.org"}}, rec)
	isRate := func(err error) bool {
		code, enh := replyCode(err)
		return code == 450 && enh == (smtp.EnhancedCode{4, 7, 1})
	}
	rcpt := []string{"calendar@example.net"}

	// MAIL FROM and From: are the same address: charged once per message.
	for i := range 3 {
		err := send(t, addr, "ann@example.org", rcpt, message("ann@example.org", "ann"))
		if i < 2 && err != nil {
			t.Errorf("message %d from ann = %v", i+1, err)
		}
		if i == 2 && !isRate(err) {
			t.Errorf("message 3 from ann = %v, want 450 4.7.1", err)
		}
	}
	// An allowed sender is not limited.
	for i := range 4 {
		if err := send(t, addr, "boss@example.org", rcpt, message("boss@example.org", "boss")); err != nil {
			t.Errorf("message %d from the allowed boss = %v", i+1, err)
		}
	}
	// The domain: ann used 2 of example.org's 4, bob gets 2 more.
	for i := range 2 {
		if err := send(t, addr, "bob@example.org", rcpt, message("bob@example.org", "bob")); err != nil {
			t.Errorf("message %d from bob = %v", i+1, err)
		}
	}
	if err := send(t, addr, "carol@example.org", rcpt, message("carol@example.org", "carol")); !isRate(err) {
		t.Errorf("fifth message from example.org = %v, want 450 4.7.1", err)
	}
	// The From: address after DATA, behind the null sender of bounces.
	for i := range 3 {
		err := send(t, addr, "", rcpt, message("mailer-daemon@example.com", "bounce"))
		if i < 2 && err != nil {
			t.Errorf("bounce %d = %v", i+1, err)
		}
		if i == 2 && !isRate(err) {
			t.Errorf("bounce 3 = %v, want 450 4.7.1", err)
		}
	}
	if got := len(rec.deliveries()); got != 2+4+2+2 {
		t.Errorf("%d deliveries, want 10", got)
	}
}

func TestHandlerPanic(t *testing.T) {
	rec := &recorder{deliver: func(env Envelope) []error {
		if env.Recipients[0] == "panic@example.net" {
			panic("deliver exploded")
		}
		return make([]error, len(env.Recipients))
	}}
	smtpAddr, lmtpAddr := startServer(t, ServerConfig{}, rec)
	for _, lmtp := range []bool{false, true} {
		addr := smtpAddr
		if lmtp {
			addr = lmtpAddr
		}
		c := client(t, addr, lmtp)
		err := c.SendMail("ann@example.org", []string{"panic@example.net"}, strings.NewReader(message("ann@example.org", "boom")))
		var lerr smtp.LMTPDataError
		if errors.As(err, &lerr) {
			err = lerr["panic@example.net"]
		}
		if code, enh := replyCode(err); code != 451 || enh != (smtp.EnhancedCode{4, 3, 0}) {
			t.Errorf("lmtp=%v: panicking handler = %v, want 451 4.3.0", lmtp, err)
		}
		// The same connection goes on.
		if err := c.SendMail("ann@example.org", []string{"calendar@example.net"}, strings.NewReader(message("ann@example.org", "fine"))); err != nil {
			t.Errorf("lmtp=%v: next message on the same connection = %v", lmtp, err)
		}
	}
}

func TestDeliverErrors(t *testing.T) {
	var wrongCount atomic.Bool
	rec := &recorder{deliver: func(env Envelope) []error {
		if wrongCount.Load() {
			return nil
		}
		return []error{errors.New("disk on fire")}
	}}
	addr, _ := startServer(t, ServerConfig{}, rec)
	rcpt := []string{"calendar@example.net"}
	if code, enh := replyCode(send(t, addr, "ann@example.org", rcpt, message("ann@example.org", "a"))); code != 451 || enh != (smtp.EnhancedCode{4, 3, 0}) {
		t.Errorf("plain error from Deliver = %d %v, want 451 4.3.0", code, enh)
	}
	wrongCount.Store(true)
	if code, _ := replyCode(send(t, addr, "ann@example.org", rcpt, message("ann@example.org", "b"))); code != 451 {
		t.Errorf("Deliver with no results = %d, want 451", code)
	}
}

func TestAuthorRequired(t *testing.T) {
	rec := &recorder{}
	addr, _ := startServer(t, ServerConfig{}, rec)
	body := "Subject: x\r\n\r\nbody\r\n"
	tests := map[string]string{
		"no From":          "To: calendar@example.net\r\n" + body,
		"two From fields":  "From: ann@example.org\r\nFrom: eve@evil.example\r\n" + body,
		"two mailboxes":    "From: ann@example.org, eve@evil.example\r\nSender: ann@example.org\r\n" + body,
		"group":            "From: undisclosed:;\r\n" + body,
		"no domain":        "From: ann\r\n" + body,
		"malformed header": "From ann@example.org\r\n" + body,
	}
	for name, msg := range tests {
		code, enh := replyCode(send(t, addr, "ann@example.org", []string{"calendar@example.net"}, msg))
		if code != 550 || (enh != smtp.EnhancedCode{5, 7, 1} && enh != smtp.EnhancedCode{5, 6, 0}) {
			t.Errorf("%s: %d %v, want 550 5.7.1 or 5.6.0", name, code, enh)
		}
	}
	if got := rec.deliveries(); len(got) != 0 {
		t.Errorf("%d deliveries, want none", len(got))
	}
}

func TestSlowClient(t *testing.T) {
	rec := &recorder{}
	addr, _ := startServer(t, ServerConfig{ReadTimeout: 100 * time.Millisecond}, rec)

	t.Run("idle", func(t *testing.T) {
		c := dialRaw(t, addr)
		if code, msg := c.reply(t); code != 421 || !strings.HasPrefix(msg, "4.4.2") {
			t.Errorf("idle client got %d %s, want 421 4.4.2", code, msg)
		}
		if !c.closed() {
			t.Error("connection of an idle client stays open")
		}
	})
	t.Run("data", func(t *testing.T) {
		c := dialRaw(t, addr)
		c.cmd(t, "EHLO client.test", 250)
		c.cmd(t, "MAIL FROM:<ann@example.org>", 250)
		c.cmd(t, "RCPT TO:<calendar@example.net>", 250)
		c.cmd(t, "DATA", 354)
		io.WriteString(c.conn, "From: ann@example.org\r\nSubject: and then nothing")
		if code, msg := c.reply(t); code != 421 || !strings.HasPrefix(msg, "4.4.2") {
			t.Errorf("client stalling in DATA got %d %s, want 421 4.4.2", code, msg)
		}
		if !c.closed() {
			t.Error("connection of a client stalling in DATA stays open")
		}
	})
	if got := rec.deliveries(); len(got) != 0 {
		t.Errorf("%d deliveries, want none", len(got))
	}
}

// countingListener counts the bytes the server reads from its
// connections.
type countingListener struct {
	net.Listener
	read atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{c, &l.read}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func TestHugeMessageIsNotRead(t *testing.T) {
	const limit = 1 << 20
	const size = 50 << 20
	rec := &recorder{}
	s := NewServer(ServerConfig{Hostname: testHostname, MaxMessageBytes: limit, Logger: slog.New(slog.DiscardHandler)}, rec)
	l := &countingListener{Listener: listen(t)}
	go s.ServeSMTP(l)
	t.Cleanup(func() { s.Close() })

	c := dialRaw(t, l.Addr().String())
	c.cmd(t, "EHLO client.test", 250)
	c.cmd(t, "MAIL FROM:<ann@example.org>", 250)
	c.cmd(t, "RCPT TO:<calendar@example.net>", 250)
	c.cmd(t, "DATA", 354)
	io.WriteString(c.conn, "From: ann@example.org\r\n\r\n")
	line := []byte(strings.Repeat("x", 998) + "\r\n")
	chunk := []byte(strings.Repeat(string(line), 64))
	c.conn.SetWriteDeadline(time.Now().Add(time.Minute)) // against a hang, not a timing assertion
	written := 0
	var err error
	for written < size && err == nil {
		var n int
		n, err = c.conn.Write(chunk)
		written += n
	}
	if err == nil || isTimeout(err) {
		t.Fatalf("writing %d bytes of a 50 MB message: err = %v; the server should have closed the connection", written, err)
	}
	t.Logf("client wrote %d bytes before the server closed; the server read %d", written, l.read.Load())
	if got := l.read.Load(); got > limit+64<<10 {
		t.Errorf("the server read %d bytes of a message limited to %d", got, limit)
	}
	if got := rec.deliveries(); len(got) != 0 {
		t.Errorf("the handler received %d messages", len(got))
	}
}

func TestServeAfterClose(t *testing.T) {
	s := NewServer(ServerConfig{Hostname: testHostname, Logger: slog.New(slog.DiscardHandler)}, &recorder{})
	l := listen(t)
	done := make(chan error, 1)
	go func() { done <- s.ServeSMTP(l) }()
	// Wait until it serves.
	c := dialRaw(t, l.Addr().String())
	c.cmd(t, "NOOP", 250)
	if err := s.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("ServeSMTP after Close = %v, want nil", err)
	}
	if err := s.ServeLMTP(listen(t)); err != nil {
		t.Errorf("ServeLMTP on a closed server = %v, want nil", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// TestLMTPChunking speaks BDAT (RFC 3030), which Postfix uses when the
// server offers CHUNKING, as go-smtp's server does.
func TestLMTPChunking(t *testing.T) {
	rec := &recorder{deliver: func(env Envelope) []error {
		errs := make([]error, len(env.Recipients))
		errs[1] = &SMTPError{Code: 550, Enhanced: "5.1.1", Message: "gone"}
		return errs
	}}
	_, addr := startServer(t, ServerConfig{MaxMessageBytes: 4096}, rec)
	c := dialRaw(t, addr)
	c.cmd(t, "LHLO client.test", 250)
	c.cmd(t, "MAIL FROM:<ann@example.org>", 250)
	c.cmd(t, "RCPT TO:<a@example.net>", 250)
	c.cmd(t, "RCPT TO:<b@example.net>", 250)
	msg := message("ann@example.org", "chunked")
	half := len(msg) / 2
	c.write(t, "BDAT "+strconv.Itoa(half)+"\r\n"+msg[:half], 250)
	c.write(t, "BDAT "+strconv.Itoa(len(msg)-half)+" LAST\r\n"+msg[half:], 250) // a@example.net
	if code, text := c.reply(t); code != 550 || !strings.Contains(text, "5.1.1") {
		t.Errorf("b@example.net got %d %s, want 550 5.1.1", code, text)
	}
	got := rec.deliveries()
	if len(got) != 1 || !strings.HasSuffix(string(got[0].data), msg) {
		t.Fatalf("deliveries %+v, want the chunked message", got)
	}
	// Chunks beyond MaxMessageBytes are refused before the handler sees
	// them.
	c.cmd(t, "MAIL FROM:<ann@example.org>", 250)
	c.cmd(t, "RCPT TO:<a@example.net>", 250)
	c.write(t, "BDAT 5000 LAST\r\n"+strings.Repeat("x", 5000), 552)
	if got := rec.deliveries(); len(got) != 1 {
		t.Errorf("%d deliveries, want still 1", len(got))
	}
}

func TestLongLines(t *testing.T) {
	rec := &recorder{}
	addr, _ := startServer(t, ServerConfig{}, rec)
	// Longer than RFC 5321's 1000 octets but within what MTAs pass on.
	long := strings.Repeat("x", 3000)
	if err := send(t, addr, "ann@example.org", []string{"calendar@example.net"}, message("ann@example.org", long)); err != nil {
		t.Errorf("message with a 3000-octet line = %v", err)
	}
	c := dialRaw(t, addr)
	c.cmd(t, "EHLO client.test", 250)
	c.cmd(t, "MAIL FROM:<ann@example.org>", 250)
	c.cmd(t, "RCPT TO:<calendar@example.net>", 250)
	c.cmd(t, "DATA", 354)
	msg := message("ann@example.org", strings.Repeat("y", 2*maxLineLength)) + ".\r\n"
	if text := c.write(t, msg, 500); !strings.HasPrefix(text, "5.4.0") {
		t.Errorf("line over the limit got 500 %s, want 500 5.4.0", text)
	}
	if !c.closed() {
		t.Error("the connection stays open after an overlong line")
	}
	if got := rec.deliveries(); len(got) != 1 {
		t.Errorf("%d deliveries, want 1", len(got))
	}
}
