// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Handler receives the mail of a Server. Its methods are called
// concurrently, from one goroutine per connection; a panic in them is
// recovered and answered 451.
type Handler interface {
	// Recipient is asked at RCPT TO whether rcpt may receive mail: nil
	// accepts; an *SMTPError refuses with its code (e.g. 550 5.1.1 for an
	// unknown recipient); any other error is 451 4.3.0.
	Recipient(ctx context.Context, env Envelope, rcpt string) error
	// Deliver receives a message (after DATA) for env.Recipients with its
	// authentication. data is the message as received, with an
	// Authentication-Results field of the Server on top; it is the
	// Handler's to keep. The result has one error per recipient, in order
	// (nil = delivered): with LMTP each recipient gets its own reply
	// (RFC 2033 §4.2); with SMTP the first non-nil error refuses the
	// message for all. An *SMTPError keeps its code; any other error is
	// 451 4.3.0.
	Deliver(ctx context.Context, env Envelope, data []byte, auth Auth) []error
}

// Envelope is the SMTP envelope of a message (RFC 5321 §2.3.1).
type Envelope struct {
	RemoteIP   netip.Addr // of the client; invalid on a Unix socket
	Helo       string     // the EHLO/LHLO name the client gave
	MailFrom   string     // reverse-path; "" for the null sender (bounces)
	Recipients []string   // forward-paths accepted so far, in order
	LMTP       bool       // received over LMTP (RFC 2033)
}

// ServerConfig configures a Server. The zero value of each field is a
// working default.
type ServerConfig struct {
	// Hostname is the name in the greeting and the authserv-id of the
	// Authentication-Results field the server adds; "" = os.Hostname().
	Hostname string
	// MaxMessageBytes is the largest message accepted (advertised with
	// SIZE, RFC 1870); 0 = 25 MiB. A bigger message is refused 552 5.3.4
	// while it is read, never buffered whole, and the connection closed.
	MaxMessageBytes int64
	// MaxRecipients is the most recipients per message (RFC 5321
	// §4.5.3.1.8 requires at least 100); 0 = 100. More are refused 452.
	MaxRecipients int
	// ReadTimeout and WriteTimeout cut off slow clients: a command, and
	// each read of a message, must arrive within ReadTimeout, each reply
	// be taken within WriteTimeout; 0 = 60 s each. A whole message must
	// arrive within ten minutes (or ReadTimeout, if longer).
	ReadTimeout, WriteTimeout time.Duration
	// TrustedMTA lists the addresses of the MTAs whose
	// Authentication-Results are believed (Auth.Trusted).
	TrustedMTA []netip.Prefix
	// TrustedAuthServID is the authserv-id the trusted MTAs write in
	// Authentication-Results (RFC 8601 §2.5); "" = believe only the
	// topmost such field of a message, whatever its authserv-id.
	TrustedAuthServID string
	// Resolver is the DNS server (host:port) for DKIM key look-ups; "" =
	// the system's.
	Resolver string
	// LookupTXT, when set, replaces DNS for DKIM key look-ups (tests).
	LookupTXT func(ctx context.Context, name string) ([]string, error)
	// SMIMERoots verifies the certificates of S/MIME signatures; nil = the
	// system roots.
	SMIMERoots *x509.CertPool
	// RatePerSender and RatePerDomain are flood limits in messages per
	// hour, as token buckets per sender address and per sender domain:
	// the MAIL FROM address and domain at MAIL FROM, the From: address and
	// domain after DATA (each charged once per message). Exceeding one is
	// 450 4.7.1, so the MTA retries later (RFC 5321 §4.5.3.1). 0 = 60 per
	// sender and 600 per domain; negative = no limit.
	RatePerSender, RatePerDomain int
	// Allow and Block are lists of "user@domain", "@domain" or "domain"
	// (that domain only, not its subdomains). Block refuses a MAIL FROM
	// address, and after DATA a From: address, with 550 5.7.1. Allow
	// exempts a message whose MAIL FROM or From: address is on it from the
	// rate limits, never from authentication.
	Allow, Block []string
	// Logger receives one line per message and the server's errors; nil =
	// slog.Default(). Message bodies are never logged.
	Logger *slog.Logger
}

// Defaults of ServerConfig.
const (
	defaultMaxMessageBytes = 25 << 20
	defaultMaxRecipients   = 100
	defaultTimeout         = 60 * time.Second
	// maxDataDuration bounds the reading of one message (RFC 5321
	// §4.5.3.2.6 gives the client ten minutes for the reply to it).
	maxDataDuration = 10 * time.Minute
	// maxLineLength is the longest line accepted. RFC 5321 §4.5.3.1.6
	// allows 1000 octets, but longer lines are seen in the wild, and
	// Postfix breaks lines only beyond 2048.
	maxLineLength = 8192
	// dnsTimeout bounds the DKIM key look-ups of one message.
	dnsTimeout = 30 * time.Second
)

// Server receives mail over LMTP and SMTP and passes it to a Handler with
// its authentication. It offers neither STARTTLS nor AUTH: it sits behind
// the MTA that delivers to it.
type Server struct {
	cfg       ServerConfig
	h         Handler
	log       *slog.Logger
	lookupTXT func(ctx context.Context, name string) ([]string, error)
	allow     addrList
	block     addrList
	limits    *limiter
	now       func() time.Time

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc

	mu        sync.Mutex
	closed    bool
	servers   []*smtp.Server
	listeners []net.Listener
}

// NewServer returns a Server for cfg that hands mail to h. It panics if h
// is nil.
func NewServer(cfg ServerConfig, h Handler) *Server {
	if h == nil {
		panic("mailer: NewServer with a nil Handler")
	}
	if cfg.Hostname == "" {
		cfg.Hostname, _ = os.Hostname()
		if cfg.Hostname == "" {
			cfg.Hostname = "localhost"
		}
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = defaultMaxMessageBytes
	}
	if cfg.MaxRecipients <= 0 {
		cfg.MaxRecipients = defaultMaxRecipients
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = defaultTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = defaultTimeout
	}
	if cfg.RatePerSender == 0 {
		cfg.RatePerSender = defaultRatePerSender
	}
	if cfg.RatePerDomain == 0 {
		cfg.RatePerDomain = defaultRatePerDomain
	}
	s := &Server{
		cfg:       cfg,
		h:         h,
		log:       cfg.Logger,
		lookupTXT: cfg.LookupTXT,
		allow:     newAddrList(cfg.Allow),
		block:     newAddrList(cfg.Block),
		now:       time.Now,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.lookupTXT == nil {
		r := net.DefaultResolver
		if cfg.Resolver != "" {
			r = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, cfg.Resolver)
			}}
		}
		s.lookupTXT = r.LookupTXT
	}
	s.limits = newLimiter(func() time.Time { return s.now() })
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// ServeLMTP accepts LMTP connections (RFC 2033) on l until Close; it then
// returns nil.
func (s *Server) ServeLMTP(l net.Listener) error { return s.serve(l, true) }

// ServeSMTP accepts SMTP connections (RFC 5321) on l until Close; it then
// returns nil.
func (s *Server) ServeSMTP(l net.Listener) error { return s.serve(l, false) }

func (s *Server) serve(l net.Listener, lmtp bool) error {
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return s.newSession(c, lmtp), nil
	}))
	srv.LMTP = lmtp
	srv.Domain = s.cfg.Hostname
	srv.MaxMessageBytes = s.cfg.MaxMessageBytes
	srv.MaxRecipients = s.cfg.MaxRecipients
	srv.MaxLineLength = maxLineLength
	srv.ReadTimeout = s.cfg.ReadTimeout
	srv.WriteTimeout = s.cfg.WriteTimeout
	srv.ErrorLog = smtpLog{s.log}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return nil
	}
	s.servers = append(s.servers, srv)
	s.listeners = append(s.listeners, l)
	s.mu.Unlock()
	err := srv.Serve(l)
	if s.ctx.Err() != nil {
		return nil
	}
	return err
}

// Close closes the listeners and the open connections; the Serve methods
// return.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.cancel()
	var errs []error
	for _, srv := range s.servers {
		if err := srv.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	// A listener whose Serve has not yet registered it with go-smtp.
	for _, l := range s.listeners {
		l.Close()
	}
	return errors.Join(errs...)
}

// smtpLog passes go-smtp's error log (connection errors) to slog.
type smtpLog struct{ l *slog.Logger }

func (s smtpLog) Printf(format string, v ...any) {
	s.l.Info("mail connection", "err", fmt.Sprintf(format, v...))
}

func (s smtpLog) Println(v ...any) {
	s.l.Info("mail connection", "err", fmt.Sprint(v...))
}
