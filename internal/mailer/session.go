// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// session is one connection's state: go-smtp calls its methods in order
// from the connection's goroutine (LMTPData from one it starts for it).
type session struct {
	srv    *Server
	conn   *smtp.Conn
	ctx    context.Context
	cancel context.CancelFunc
	env    Envelope
	// charged are the rate-limit keys charged at MAIL FROM, so that DATA
	// does not charge them again; exempt is set by an allowed MAIL FROM.
	charged []string
	exempt  bool
	size    int64 // SIZE declared at MAIL FROM (RFC 1870), a buffer hint
}

var _ smtp.LMTPSession = (*session)(nil)

func (s *Server) newSession(c *smtp.Conn, lmtp bool) *session {
	ctx, cancel := context.WithCancel(s.ctx)
	ss := &session{srv: s, conn: c, ctx: ctx, cancel: cancel}
	ss.env.LMTP = lmtp
	if ap, err := netip.ParseAddrPort(c.Conn().RemoteAddr().String()); err == nil {
		ss.env.RemoteIP = ap.Addr().Unmap()
	}
	return ss
}

func (ss *session) Reset() {
	ss.env.MailFrom, ss.env.Recipients = "", nil
	ss.charged, ss.exempt, ss.size = nil, false, 0
}

func (ss *session) Logout() error {
	ss.cancel()
	return nil
}

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	ss.Reset()
	srv := ss.srv
	ss.env.MailFrom = from
	ss.env.Helo = ss.conn.Hostname()
	if opts != nil {
		ss.size = opts.Size
	}
	if srv.block.match(from) {
		srv.log.Info("mail refused", "remote", ss.env.RemoteIP.String(), "mail_from", from, "reason", "blocked sender")
		return errBlocked
	}
	if from == "" {
		return nil // the null sender (bounces) is limited by its From: after DATA
	}
	if srv.allow.match(from) {
		ss.exempt = true
		return nil
	}
	addr, domain := normAddress(from), domainOf(from)
	if !srv.limits.take(limit{"s:" + addr, srv.cfg.RatePerSender}, limit{"d:" + domain, srv.cfg.RatePerDomain}) {
		srv.log.Info("mail refused", "remote", ss.env.RemoteIP.String(), "mail_from", from, "reason", "rate limit")
		return errRate
	}
	ss.charged = []string{"s:" + addr, "d:" + domain}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) (err error) {
	defer func() {
		if p := recover(); p != nil {
			ss.logPanic(p)
			err = errTemporary
		}
	}()
	env := ss.env
	env.Recipients = slices.Clone(env.Recipients)
	if err := ss.srv.h.Recipient(ss.ctx, env, to); err != nil {
		w, ok := wireError(err)
		if !ok {
			ss.srv.log.Error("recipient check failed", "remote", ss.env.RemoteIP.String(), "rcpt", to, "err", err)
		}
		return w
	}
	ss.env.Recipients = append(ss.env.Recipients, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	errs := ss.receive(r)
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// LMTPData answers each recipient on its own (RFC 2033 §4.2).
func (ss *session) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	errs := ss.receive(r)
	if len(errs) == 1 && len(ss.env.Recipients) != 1 {
		return errs[0] // one verdict for the whole message
	}
	for i, rcpt := range ss.env.Recipients {
		status.SetStatus(rcpt, errs[i])
	}
	return nil
}

// logPanic logs a recovered panic; the client is answered 451 and the
// server keeps serving.
func (ss *session) logPanic(p any) {
	ss.srv.log.Error("panic in mail session", "remote", ss.env.RemoteIP.String(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
}

// receive reads a message and delivers it. It returns one reply per
// recipient (nil = delivered), or a single reply for all of them.
func (ss *session) receive(r io.Reader) (replies []error) {
	defer func() {
		if p := recover(); p != nil {
			ss.logPanic(p)
			replies = []error{errTemporary}
		}
	}()
	srv := ss.srv
	env := ss.env
	env.Recipients = slices.Clone(env.Recipients)
	refuse := func(err *smtp.SMTPError, reason string, args ...any) []error {
		srv.log.Info("mail refused", append([]any{"remote", env.RemoteIP.String(), "mail_from", env.MailFrom, "rcpt", env.Recipients, "reason", reason}, args...)...)
		return []error{err}
	}

	data, err := ss.read(r)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return refuse(se, err.Error())
		}
		return refuse(errTemporary, "reading the message", "err", err)
	}
	h, body, err := splitHeader(data)
	if err != nil {
		return refuse(errMalformed, "malformed header", "err", err)
	}
	from, err := authorAddress(h)
	if err != nil {
		return refuse(errAuthor, "no single author in From")
	}
	if srv.block.match(from) {
		return refuse(errBlocked, "blocked author", "from", from)
	}
	if !ss.exempt && !srv.allow.match(from) {
		var limits []limit
		if k := "s:" + normAddress(from); !slices.Contains(ss.charged, k) {
			limits = append(limits, limit{k, srv.cfg.RatePerSender})
		}
		if k := "d:" + domainOf(from); !slices.Contains(ss.charged, k) {
			limits = append(limits, limit{k, srv.cfg.RatePerDomain})
		}
		if !srv.limits.take(limits...) {
			return refuse(errRate, "rate limit", "from", from)
		}
	}

	auth := srv.authenticate(ss.ctx, env.RemoteIP, data, h, body, from)
	stamped := stamp(data, h, body, auth, srv.cfg.Hostname)
	errs := srv.h.Deliver(ss.ctx, env, stamped, auth)
	if len(errs) != len(env.Recipients) {
		srv.log.Error("mail handler returned a wrong number of results", "results", len(errs), "rcpt", len(env.Recipients))
		return []error{errTemporary}
	}
	replies = make([]error, len(errs))
	delivered := 0
	for i, err := range errs {
		if err == nil {
			delivered++
			continue
		}
		w, ok := wireError(err)
		if !ok {
			srv.log.Error("mail delivery failed", "remote", env.RemoteIP.String(), "rcpt", env.Recipients[i], "err", err)
		}
		replies[i] = w
	}
	srv.log.Info("mail received",
		slog.String("remote", env.RemoteIP.String()),
		slog.Bool("lmtp", env.LMTP),
		slog.String("mail_from", env.MailFrom),
		slog.Any("rcpt", env.Recipients),
		slog.String("from", from),
		slog.Int("size", len(data)),
		slog.String("dkim", dkimSummary(auth.DKIM)),
		slog.Bool("aligned", auth.Aligned),
		slog.Bool("trusted", auth.Trusted),
		slog.Any("smime", auth.SMIME),
		slog.Bool("verified", auth.Verifies(from)),
		slog.Int("delivered", delivered),
	)
	return replies
}

// read reads the message, at most MaxMessageBytes of it. go-smtp's reader
// stops at the limit too; the LimitReader makes sure. A message that is
// too big, a line that is too long and a client that is too slow are
// answered and the connection closed at once, so that the rest is never
// read.
func (ss *session) read(r io.Reader) ([]byte, error) {
	srv := ss.srv
	maxBytes := srv.cfg.MaxMessageBytes
	var buf bytes.Buffer
	if ss.size > 0 {
		buf.Grow(int(min(ss.size, maxBytes)))
	}
	lr := &io.LimitedReader{R: r, N: maxBytes + 1}
	conn := ss.conn.Conn()
	deadline := srv.now().Add(max(maxDataDuration, srv.cfg.ReadTimeout))
	chunk := make([]byte, 32<<10)
	for {
		conn.SetReadDeadline(earliest(srv.now().Add(srv.cfg.ReadTimeout), deadline))
		n, err := lr.Read(chunk)
		buf.Write(chunk[:n])
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF) && lr.N > 0:
			return buf.Bytes(), nil
		case errors.Is(err, io.EOF), err == smtp.ErrDataTooLarge:
			return nil, ss.abort(errTooLarge)
		case errors.Is(err, smtp.ErrTooLongLine):
			return nil, ss.abort(errLineLength)
		case isTimeout(err):
			return nil, ss.abort(errTimeout)
		default:
			return nil, err
		}
	}
}

// abort sends the reply e and closes the connection, leaving the rest of
// the message unread (RFC 5321 §7.8 lets a server defend itself so).
func (ss *session) abort(e *smtp.SMTPError) error {
	conn := ss.conn.Conn()
	conn.SetWriteDeadline(ss.srv.now().Add(ss.srv.cfg.WriteTimeout))
	fmt.Fprintf(conn, "%d %d.%d.%d %s\r\n", e.Code, e.EnhancedCode[0], e.EnhancedCode[1], e.EnhancedCode[2], e.Message)
	conn.Close()
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// dkimSummary renders DKIM results for the log: "d=example.org s=sel pass".
func dkimSummary(res []DKIMResult) string {
	if len(res) == 0 {
		return "none"
	}
	parts := make([]string, len(res))
	for i, r := range res {
		v := "fail"
		if r.Pass {
			v = "pass"
		}
		parts[i] = fmt.Sprintf("d=%s s=%s %s", r.Domain, r.Selector, v)
	}
	return strings.Join(parts, "; ")
}
