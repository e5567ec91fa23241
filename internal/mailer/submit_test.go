// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// sink is the relay of the outbound tests: a go-smtp server that records
// what it receives and refuses what it is told to.
type sink struct {
	user, pass string           // AUTH PLAIN credentials; "" = no AUTH
	mailErr    error            // reply to MAIL FROM
	rcptErr    map[string]error // reply to RCPT TO, by address
	dataErr    error            // reply after DATA
	mu         sync.Mutex
	got        []sinkMessage
}

type sinkMessage struct {
	from   string
	to     []string
	data   []byte
	tls    bool
	authed string
}

type sinkSession struct {
	s      *sink
	conn   *smtp.Conn
	authed string
	msg    sinkMessage
}

func (s *sink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &sinkSession{s: s, conn: c}, nil
}

func (ss *sinkSession) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return smtp.ErrAuthFailed
		}
		ss.authed = user
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && ss.authed == "" {
		return smtp.ErrAuthRequired
	}
	_, tls := ss.conn.TLSConnectionState()
	ss.msg = sinkMessage{from: from, tls: tls, authed: ss.authed}
	return ss.s.mailErr
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.s.rcptErr[to]; err != nil {
		return err
	}
	ss.msg.to = append(ss.msg.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.s.dataErr != nil {
		return ss.s.dataErr
	}
	ss.msg.data = data
	ss.s.mu.Lock()
	ss.s.got = append(ss.s.got, ss.msg)
	ss.s.mu.Unlock()
	return nil
}

func (ss *sinkSession) Reset()        {}
func (ss *sinkSession) Logout() error { return nil }

func (s *sink) messages() []sinkMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sinkMessage(nil), s.got...)
}

// start runs the sink on loopback, offering STARTTLS when tc is set, and
// returns its address.
func (s *sink) start(t *testing.T, tc *tls.Config) string {
	t.Helper()
	srv := smtp.NewServer(s)
	srv.Domain = "relay.test"
	srv.TLSConfig = tc
	srv.AllowInsecureAuth = tc == nil
	l := listen(t)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

const outMessage = "From: Ann <ann@example.org>\r\n" +
	"To: bob@example.net\r\n" +
	"Subject: Invitation: planning\r\n" +
	"Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n" +
	"Message-ID: <1@example.org>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"Let's plan.\r\n" +
	".a line that starts with a dot\r\n"

func TestSendSTARTTLSAuthDKIM(t *testing.T) {
	tc, roots := loopbackTLS(t)
	s := &sink{user: "almanac", pass: "secret"}
	addr := s.start(t, tc)
	sub, err := NewSubmitter(SubmitConfig{
		Relay: addr, User: "almanac", Password: "secret", HelloName: "cal.example.org", RootCAs: roots,
		DKIM: &DKIMSigner{Domain: "example.org", Selector: "rsa", Key: testRSAKey()},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Send(t.Context(), "bounces@example.org", []string{"bob@example.net", "carol@example.net"}, []byte(outMessage)); err != nil {
		t.Fatalf("Send = %v", err)
	}
	got := s.messages()
	if len(got) != 1 {
		t.Fatalf("sink received %d messages, want 1", len(got))
	}
	m := got[0]
	if !m.tls || m.authed != "almanac" || m.from != "bounces@example.org" || strings.Join(m.to, ",") != "bob@example.net,carol@example.net" {
		t.Errorf("sink saw tls=%v auth=%q from=%q to=%v", m.tls, m.authed, m.from, m.to)
	}
	sig, ok := strings.CutSuffix(string(m.data), outMessage)
	if !ok || !strings.HasPrefix(sig, "DKIM-Signature: ") || !strings.HasSuffix(sig, "\r\n") ||
		strings.Count(sig, "\r\n") != strings.Count(sig, "\r\n ")+strings.Count(sig, "\r\n\t")+1 {
		t.Fatalf("received message is not one DKIM-Signature field followed by the original bytes:\n%q", m.data)
	}
	h, _, err := splitHeader(m.data)
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(_ context.Context, name string) ([]string, error) {
		if name == "rsa._domainkey.example.org" {
			return []string{dkimRecord(t, testRSAKey())}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	res := verifyDKIM(t.Context(), m.data, h, lookup)
	if len(res) != 1 || !res[0].Pass || res[0].Domain != "example.org" || res[0].Selector != "rsa" {
		t.Errorf("verifyDKIM(received) = %+v, want one passing signature d=example.org s=rsa", res)
	}
	tags := dkimTags(h.Get("Dkim-Signature"))
	if tags["c"] != "relaxed/relaxed" {
		t.Errorf("DKIM c= %q, want relaxed/relaxed", tags["c"])
	}
	for _, k := range []string{"from", "to", "subject", "date", "message-id", "mime-version", "content-type", "sender", "auto-submitted"} {
		if !strings.Contains(":"+strings.ToLower(tags["h"])+":", ":"+k+":") {
			t.Errorf("DKIM h=%q does not cover %s", tags["h"], k)
		}
	}
}

func TestSendPlainAuthToLoopback(t *testing.T) {
	s := &sink{user: "almanac", pass: "secret"}
	addr := s.start(t, nil) // no STARTTLS: allowed, the relay is on loopback
	sub, err := NewSubmitter(SubmitConfig{Relay: addr, User: "almanac", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	msg := strings.ReplaceAll(outMessage, "\r\n", "\n")
	if err := sub.Send(t.Context(), "ann@example.org", []string{"bob@example.net"}, []byte(msg)); err != nil {
		t.Fatalf("Send = %v", err)
	}
	got := s.messages()
	if len(got) != 1 || got[0].tls || got[0].authed != "almanac" {
		t.Fatalf("sink received %+v, want one authenticated message without TLS", got)
	}
	if string(got[0].data) != outMessage {
		t.Errorf("bare LF message arrived as %q, want CRLF %q", got[0].data, outMessage)
	}
}

func TestAuthPolicy(t *testing.T) {
	tests := []struct {
		encrypted bool
		remote    string
		ok        bool
	}{
		{false, "192.0.2.1:25", false},
		{false, "[2001:db8::1]:587", false},
		{false, "127.0.0.1:25", true},
		{false, "127.9.9.9:25", true},
		{false, "[::1]:25", true},
		{false, "[::ffff:127.0.0.1]:25", true},
		{true, "192.0.2.1:587", true},
	}
	for _, tt := range tests {
		addr, err := net.ResolveTCPAddr("tcp", tt.remote)
		if err != nil {
			t.Fatal(err)
		}
		if err := authPolicy(tt.encrypted, addr); (err == nil) != tt.ok {
			t.Errorf("authPolicy(%v, %s) = %v, want ok=%v", tt.encrypted, tt.remote, err, tt.ok)
		}
	}
}

func TestSendTLSFailureIsNoFallback(t *testing.T) {
	tc, _ := loopbackTLS(t)
	s := &sink{user: "almanac", pass: "secret"}
	addr := s.start(t, tc)
	// The relay's certificate is not trusted: no plain-text fallback.
	sub, err := NewSubmitter(SubmitConfig{Relay: addr, User: "almanac", Password: "secret", RootCAs: x509.NewCertPool()})
	if err != nil {
		t.Fatal(err)
	}
	err = sub.Send(t.Context(), "ann@example.org", []string{"bob@example.net"}, []byte(outMessage))
	var ce *tls.CertificateVerificationError
	if !errors.As(err, &ce) {
		t.Errorf("Send to an untrusted relay = %v, want a certificate verification error", err)
	}
	if got := s.messages(); len(got) != 0 {
		t.Errorf("sink received %d messages", len(got))
	}
}

func TestSendRefusals(t *testing.T) {
	userUnknown := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	mailboxBusy := &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "Mailbox busy"}
	tests := []struct {
		name    string
		sink    *sink
		to      []string
		want    *SMTPError            // whole-transaction refusal
		partial map[string]*SMTPError // recipient refusals
	}{
		{
			name: "mail 5xx",
			sink: &sink{mailErr: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Sender refused"}},
			to:   []string{"bob@example.net"},
			want: &SMTPError{Code: 550, Enhanced: "5.7.1", Message: "Sender refused", Permanent: true},
		},
		{
			name: "mail 4xx",
			sink: &sink{mailErr: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try later"}},
			to:   []string{"bob@example.net"},
			want: &SMTPError{Code: 451, Enhanced: "4.3.0", Message: "Try later"},
		},
		{
			name: "data 5xx",
			sink: &sink{dataErr: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Content refused"}},
			to:   []string{"bob@example.net"},
			want: &SMTPError{Code: 554, Enhanced: "5.6.0", Message: "Content refused", Permanent: true},
		},
		{
			name:    "one recipient of two refused",
			sink:    &sink{rcptErr: map[string]error{"nobody@example.net": userUnknown}},
			to:      []string{"bob@example.net", "nobody@example.net"},
			partial: map[string]*SMTPError{"nobody@example.net": {Code: 550, Enhanced: "5.1.1", Message: "No such user", Permanent: true}},
		},
		{
			name: "every recipient refused",
			sink: &sink{rcptErr: map[string]error{"nobody@example.net": userUnknown, "busy@example.net": mailboxBusy}},
			to:   []string{"nobody@example.net", "busy@example.net"},
			partial: map[string]*SMTPError{
				"nobody@example.net": {Code: 550, Enhanced: "5.1.1", Message: "No such user", Permanent: true},
				"busy@example.net":   {Code: 450, Enhanced: "4.2.1", Message: "Mailbox busy"},
			},
		},
		{
			name: "recipient refused, then the message",
			sink: &sink{rcptErr: map[string]error{"nobody@example.net": userUnknown}, dataErr: &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "Disk full"}},
			to:   []string{"bob@example.net", "nobody@example.net"},
			partial: map[string]*SMTPError{
				"nobody@example.net": {Code: 550, Enhanced: "5.1.1", Message: "No such user", Permanent: true},
				"bob@example.net":    {Code: 452, Enhanced: "4.3.1", Message: "Disk full"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.sink.start(t, nil)
			sub, err := NewSubmitter(SubmitConfig{Relay: addr})
			if err != nil {
				t.Fatal(err)
			}
			err = sub.Send(t.Context(), "ann@example.org", tt.to, []byte(outMessage))
			if tt.want != nil {
				var se *SMTPError
				if !errors.As(err, &se) || *se != *tt.want {
					t.Fatalf("Send = %#v, want %#v", err, tt.want)
				}
				return
			}
			var pe *PartialError
			if !errors.As(err, &pe) {
				t.Fatalf("Send = %v, want a *PartialError", err)
			}
			if len(pe.Refused) != len(tt.partial) {
				t.Errorf("Refused = %v, want %v", pe.Refused, tt.partial)
			}
			for r, want := range tt.partial {
				if got := pe.Refused[r]; got == nil || *got != *want {
					t.Errorf("Refused[%s] = %#v, want %#v", r, got, want)
				}
			}
			delivered := len(tt.to) - len(tt.partial)
			if got := tt.sink.messages(); len(got) != min(delivered, 1) {
				t.Errorf("sink received %d messages, want %d", len(got), min(delivered, 1))
			}
		})
	}
}

// stallingRelay accepts connections and never answers; it calls onAccept
// for each.
func stallingRelay(t *testing.T, onAccept func()) string {
	t.Helper()
	l := listen(t)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
			onAccept()
		}
	}()
	return l.Addr().String()
}

func TestSendTimeout(t *testing.T) {
	addr := stallingRelay(t, func() {})
	sub, err := NewSubmitter(SubmitConfig{Relay: addr, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = sub.Send(t.Context(), "ann@example.org", []string{"bob@example.net"}, []byte(outMessage))
	var se *SMTPError
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &se) {
		t.Errorf("Send to a stalling relay = %v, want a temporary context.DeadlineExceeded", err)
	}
}

func TestSendCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	addr := stallingRelay(t, cancel)
	sub, err := NewSubmitter(SubmitConfig{Relay: addr})
	if err != nil {
		t.Fatal(err)
	}
	err = sub.Send(ctx, "ann@example.org", []string{"bob@example.net"}, []byte(outMessage))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send cancelled while the relay stalls = %v, want context.Canceled", err)
	}
}

func TestNewSubmitterChecks(t *testing.T) {
	small := publicOnly{&rsa.PublicKey{N: new(big.Int).SetBit(big.NewInt(1), 511, 1), E: 65537}}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  SubmitConfig
	}{
		{"no port", SubmitConfig{Relay: "relay.example.org"}},
		{"empty", SubmitConfig{}},
		{"bad EHLO name", SubmitConfig{Relay: "relay.example.org:25", HelloName: "a b"}},
		{"DKIM without selector", SubmitConfig{Relay: "r:25", DKIM: &DKIMSigner{Domain: "example.org", Key: testEd25519Key()}}},
		{"DKIM RSA-512", SubmitConfig{Relay: "r:25", DKIM: &DKIMSigner{Domain: "example.org", Selector: "s", Key: small}}},
		{"DKIM ECDSA", SubmitConfig{Relay: "r:25", DKIM: &DKIMSigner{Domain: "example.org", Selector: "s", Key: ec}}},
	}
	for _, tt := range tests {
		if _, err := NewSubmitter(tt.cfg); err == nil {
			t.Errorf("NewSubmitter(%s) = nil error", tt.name)
		}
	}
	if _, err := NewSubmitter(SubmitConfig{Relay: "relay.example.org:587", DKIM: &DKIMSigner{Domain: "example.org", Selector: "s", Key: testEd25519Key()}}); err != nil {
		t.Errorf("NewSubmitter(valid) = %v", err)
	}
}

// publicOnly is a key that cannot sign, for the checks of key sizes that
// crypto/rsa no longer lets us generate.
type publicOnly struct{ pub crypto.PublicKey }

func (k publicOnly) Public() crypto.PublicKey { return k.pub }

func (k publicOnly) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("publicOnly cannot sign")
}

func TestLoadDKIMKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pkcs8 := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := map[string]string{
		"PKCS#1 RSA":     write("rsa1.pem", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(testRSAKey())),
		"PKCS#8 RSA":     write("rsa8.pem", "PRIVATE KEY", pkcs8(testRSAKey())),
		"PKCS#8 Ed25519": write("ed.pem", "PRIVATE KEY", pkcs8(testEd25519Key())),
	}
	for name, p := range good {
		k, err := LoadDKIMKey(p)
		if err != nil {
			t.Errorf("LoadDKIMKey(%s) = %v", name, err)
			continue
		}
		if _, err := (&DKIMSigner{Domain: "example.org", Selector: "s", Key: k}).sign([]byte(outMessage)); err != nil {
			t.Errorf("signing with the %s key: %v", name, err)
		}
	}
	bad := map[string]string{
		"ECDSA":       write("ec.pem", "PRIVATE KEY", pkcs8(ec)),
		"certificate": write("cert.pem", "CERTIFICATE", []byte{1, 2, 3}),
		"garbage":     write("garbage.pem", "PRIVATE KEY", []byte("not DER")),
		"missing":     filepath.Join(dir, "missing.pem"),
	}
	for name, p := range bad {
		if _, err := LoadDKIMKey(p); err == nil {
			t.Errorf("LoadDKIMKey(%s) = nil error", name)
		}
	}
	notPEM := filepath.Join(dir, "plain.txt")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	if _, err := LoadDKIMKey(notPEM); err == nil {
		t.Error("LoadDKIMKey(not PEM) = nil error")
	}
}

func TestReplyError(t *testing.T) {
	tests := []struct {
		code int
		msg  string
		want SMTPError
	}{
		{550, "5.1.1 No such user", SMTPError{Code: 550, Enhanced: "5.1.1", Message: "No such user", Permanent: true}},
		{451, "Try later", SMTPError{Code: 451, Message: "Try later"}},
		{452, "4.5.3 Too many\n4.5.3 recipients", SMTPError{Code: 452, Enhanced: "4.5.3", Message: "Too many\nrecipients"}},
		{550, "4.1.1 class disagrees", SMTPError{Code: 550, Message: "4.1.1 class disagrees", Permanent: true}},
		{554, "5.0.0", SMTPError{Code: 554, Enhanced: "5.0.0", Permanent: true}},
	}
	for _, tt := range tests {
		got := replyError(&textproto.Error{Code: tt.code, Msg: tt.msg})
		if got == nil || *got != tt.want {
			t.Errorf("replyError(%d %q) = %#v, want %#v", tt.code, tt.msg, got, tt.want)
		}
	}
	if got := replyError(io.EOF); got != nil {
		t.Errorf("replyError(io.EOF) = %v, want nil", got)
	}
}
