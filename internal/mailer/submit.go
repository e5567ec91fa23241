// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/smtp"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
)

// SubmitConfig configures a Submitter.
//
// TLS policy: the Submitter issues STARTTLS (RFC 3207) whenever the relay
// offers it and then requires a certificate valid for the relay's host
// name; a failed handshake fails the submission rather than falling back
// to plain text. AUTH is refused over an unencrypted connection unless the
// relay's address is a loopback address, so that a relay that stops
// offering STARTTLS (or an attacker who strips it) cannot obtain the
// password.
type SubmitConfig struct {
	// Relay is the host:port of the relay (--smtp-relay).
	Relay string
	// User is the AUTH PLAIN user (--smtp-user); "" = no AUTH.
	User string
	// Password is the AUTH PLAIN password (read by the caller from
	// --smtp-password-file). It is never logged.
	Password string
	// HelloName is the name sent with EHLO; "" = "localhost".
	HelloName string
	// RootCAs verifies the relay's certificate after STARTTLS; nil = the
	// system roots.
	RootCAs *x509.CertPool
	// DKIM signs every message before it is sent; nil = no signing.
	DKIM *DKIMSigner
	// Timeout bounds one submission, from connecting to QUIT; 0 = 60 s.
	Timeout time.Duration
}

// Submitter hands messages to a relay. It opens one connection per
// message and is safe for concurrent use.
type Submitter struct {
	cfg  SubmitConfig
	host string // of the relay, for the certificate check
}

// NewSubmitter checks cfg and returns a Submitter for it.
func NewSubmitter(cfg SubmitConfig) (*Submitter, error) {
	host, port, err := net.SplitHostPort(cfg.Relay)
	if err != nil || host == "" || port == "" {
		return nil, fmt.Errorf("mailer: relay %q is not host:port", cfg.Relay)
	}
	if cfg.HelloName == "" {
		cfg.HelloName = "localhost"
	}
	if strings.ContainsAny(cfg.HelloName, " \r\n") {
		return nil, fmt.Errorf("mailer: invalid EHLO name %q", cfg.HelloName)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.DKIM != nil {
		if err := cfg.DKIM.check(); err != nil {
			return nil, err
		}
	}
	return &Submitter{cfg: cfg, host: host}, nil
}

// Send submits msg (RFC 5322 bytes) from the envelope sender from to the
// recipients to, DKIM-signing it first when configured (header and body
// canonicalization relaxed; the signature covers From, To, Subject, Date,
// Message-ID, MIME-Version, Content-Type, Sender and Auto-Submitted, the
// absent ones included so that nobody can add them later, RFC 6376 §8.15).
// Bare LF line ends are sent as CRLF.
//
// A refusal of the whole transaction (greeting, EHLO, AUTH, MAIL FROM or
// DATA) is an *SMTPError, Permanent for a 5xx reply. A refusal of one or
// more recipients at RCPT TO is a *PartialError naming each with its
// *SMTPError; the others received the message (if the relay then refuses
// the message itself, they are in the *PartialError too, with that
// refusal). Network errors and
// timeouts are plain errors (temporary); a timeout or a cancelled ctx
// matches context.DeadlineExceeded or context.Canceled with errors.Is.
func (s *Submitter) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if len(to) == 0 {
		return errors.New("mailer: no recipients")
	}
	for _, a := range append([]string{from}, to...) {
		if strings.ContainsAny(a, "<>\r\n ") {
			return fmt.Errorf("mailer: invalid envelope address %q", a)
		}
	}
	msg = crlf(msg)
	if s.cfg.DKIM != nil {
		signed, err := s.cfg.DKIM.sign(msg)
		if err != nil {
			return err
		}
		msg = signed
	}

	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Relay)
	if err != nil {
		return s.wrap(ctx, fmt.Errorf("connect: %w", err))
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// net/smtp sets no deadlines of its own, so one on the connection
	// bounds the whole conversation; cancelling ctx cuts it at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	return s.wrap(ctx, s.transact(conn, from, to, msg))
}

// wrap adds the relay to a submission error and makes a timeout match the
// context error that caused it.
func (s *Submitter) wrap(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var se *SMTPError
	var pe *PartialError
	if errors.As(err, &se) || errors.As(err, &pe) {
		return err
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("mailer: relay %s: %w: %w", s.cfg.Relay, cerr, err)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The only deadline on the connection is ctx's.
		return fmt.Errorf("mailer: relay %s: %w: %w", s.cfg.Relay, context.DeadlineExceeded, err)
	}
	return fmt.Errorf("mailer: relay %s: %w", s.cfg.Relay, err)
}

// transact runs one SMTP transaction on conn. The standard library's
// client is used because it can issue STARTTLS after EHLO depending on the
// relay's extensions; go-smtp's client (v0.25) decides on STARTTLS before
// it has seen them.
func (s *Submitter) transact(conn net.Conn, from string, to []string, msg []byte) error {
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return smtpErr(err)
	}
	defer c.Close()
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return smtpErr(err)
	}
	encrypted := false
	if ok, _ := c.Extension("STARTTLS"); ok {
		tc := &tls.Config{ServerName: s.host, RootCAs: s.cfg.RootCAs, MinVersion: tls.VersionTLS12}
		if err := c.StartTLS(tc); err != nil {
			return smtpErr(fmt.Errorf("starttls: %w", err))
		}
		encrypted = true
	}
	if s.cfg.User != "" {
		if err := authPolicy(encrypted, conn.RemoteAddr()); err != nil {
			return err
		}
		if ok, mechs := c.Extension("AUTH"); !ok || !slices.Contains(strings.Fields(strings.ToUpper(mechs)), sasl.Plain) {
			return errors.New("mailer: the relay does not offer AUTH PLAIN")
		}
		if err := c.Auth(saslAuth{sasl.NewPlainClient("", s.cfg.User, s.cfg.Password)}); err != nil {
			return smtpErr(err)
		}
	}
	if err := c.Mail(from); err != nil {
		return smtpErr(err)
	}
	refused := map[string]*SMTPError{}
	var accepted []string
	for _, r := range to {
		err := c.Rcpt(r)
		if err == nil {
			accepted = append(accepted, r)
			continue
		}
		se := replyError(err)
		if se == nil {
			return err
		}
		refused[r] = se
	}
	if len(accepted) == 0 {
		c.Quit()
		return &PartialError{Refused: refused}
	}
	w, err := c.Data()
	if err == nil {
		if _, err = w.Write(msg); err == nil {
			err = w.Close()
		}
	}
	if err != nil {
		se := replyError(err)
		if se == nil || len(refused) == 0 {
			return smtpErr(err)
		}
		for _, r := range accepted {
			refused[r] = se
		}
		return &PartialError{Refused: refused}
	}
	// The relay has taken the message; a failed QUIT changes nothing.
	c.Quit()
	if len(refused) > 0 {
		return &PartialError{Refused: refused}
	}
	return nil
}

// smtpErr returns the *SMTPError of a reply, or err itself.
func smtpErr(err error) error {
	if se := replyError(err); se != nil {
		return se
	}
	return err
}

// authPolicy says whether credentials may be sent to a relay at remote
// over a connection that is encrypted or not: over TLS always, in plain
// text only to a loopback address (the MTA on the same host).
func authPolicy(encrypted bool, remote net.Addr) error {
	if encrypted {
		return nil
	}
	if ap, err := netip.ParseAddrPort(remote.String()); err == nil && ap.Addr().Unmap().IsLoopback() {
		return nil
	}
	return fmt.Errorf("mailer: refusing AUTH over an unencrypted connection to %s: the relay offers no STARTTLS and is not on a loopback address", remote)
}

// saslAuth adapts a go-sasl client to net/smtp.
type saslAuth struct{ c sasl.Client }

func (a saslAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return a.c.Start() }

func (a saslAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	return a.c.Next(fromServer)
}

// crlf returns msg with every bare LF turned into CRLF (RFC 5322 §2.3: CR
// and LF only occur together as CRLF), as DKIM and SMTP need.
func crlf(msg []byte) []byte {
	n := bytes.Count(msg, []byte("\n")) - bytes.Count(msg, []byte("\r\n"))
	if n == 0 {
		return msg
	}
	out := make([]byte, 0, len(msg)+n)
	for i, b := range msg {
		if b == '\n' && (i == 0 || msg[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, b)
	}
	return out
}
