// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/almanac-project/almanac/internal/auth"
	"github.com/almanac-project/almanac/internal/caldav"
	"github.com/almanac-project/almanac/internal/caldav/caldata"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/mailer"
	"github.com/almanac-project/almanac/internal/store/postgres"
	"github.com/almanac-project/almanac/internal/store/sqlite"
)

// Options are the process-level settings of a Server that do not come from
// the configuration.
type Options struct {
	// Logger receives the access log and errors; nil means slog.Default().
	Logger *slog.Logger
	// Out receives the messages for the person who started the server:
	// its URL, and on the first start the administrator's one-time
	// password. It is sensitive. Nil means io.Discard.
	Out io.Writer
	// Listener, if set, is used instead of listening on cfg.Listen.
	Listener net.Listener
	// MaxBodyBytes limits every request body; 0 means 32 MiB.
	MaxBodyBytes int64
	// ShutdownTimeout is how long Run waits for requests in progress
	// after its context is cancelled; 0 means 10 seconds.
	ShutdownTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// LookupTXT, if set, answers the DNS TXT look-ups of DKIM for
	// received mail instead of --resolver or the system's resolver
	// (tests).
	LookupTXT func(ctx context.Context, name string) ([]string, error)
}

// Server is a configured Almanac: its store, service and HTTP handler,
// bound to a listening socket. New prepares it, Run serves until its
// context is cancelled.
type Server struct {
	cfg     config.Config
	opt     Options
	log     *slog.Logger
	store   calendar.Store
	svc     *calendar.Service
	auth    *auth.Authenticator
	feed    feedSource
	ping    func(context.Context) error
	metrics *metrics
	handler http.Handler
	ln      net.Listener
	baseURL string

	// mail is the inbound LMTP/SMTP server, with its listeners; nil
	// without --lmtp-listen and --smtp-listen.
	mail           *mailer.Server
	lmtpLn, smtpLn net.Listener
	outbound       bool           // a mail transport delivers the queue
	background     sync.WaitGroup // the delivery queue, stopped by Run's context

	// adminPassword is the one-time password of the administrator
	// created by New, printed once by Run.
	adminPassword string

	closeOnce sync.Once
	closeErr  error
}

// DefaultAdmin is the name of the administrator created on an empty store.
const DefaultAdmin = "admin"

// OpenStore opens the store cfg selects: PostgreSQL when cfg.DB is set,
// otherwise SQLite at <cfg.Data>/almanac.db (created if needed). SQLite in
// WAL mode lets the user commands work while a server runs.
func OpenStore(ctx context.Context, cfg config.Config) (calendar.Store, error) {
	if cfg.IsPostgres() {
		st, err := postgres.Open(ctx, cfg.DB)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL store: %w", err)
		}
		return st, nil
	}
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(cfg.Data, "almanac.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return st, nil
}

// New opens the store, creates the administrator if the store has no
// principals, builds the handlers and listens. The caller must call Run or
// Close.
func New(cfg config.Config, opt Options) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = 32 << 20
	}
	if opt.ShutdownTimeout <= 0 {
		opt.ShutdownTimeout = 10 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	ctx := context.Background()
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, opt: opt, log: opt.Logger, store: st, metrics: newMetrics()}
	transport, rt, err := outbound(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	copt := calendar.Options{Now: opt.Now, Logger: opt.Logger, LocalDomains: cfg.Domains}
	switch {
	case rt != nil:
		copt.Outbound = &chooser{crisp: rt, mail: transport}
	case transport != nil:
		copt.Outbound = transport
	}
	s.outbound = copt.Outbound != nil
	s.svc = calendar.New(st, copt)
	if transport != nil {
		transport.svc = s.svc
	}
	receiver, err := newCRISPReceiver(cfg, s.svc, opt)
	if err != nil {
		st.Close()
		return nil, err
	}
	s.auth = auth.New(st, auth.Options{Now: opt.Now})
	s.feed = s.svc.Feed
	s.ping = func(ctx context.Context) error { return pingStore(ctx, st) }

	if err := s.bootstrap(ctx); err != nil {
		st.Close()
		return nil, err
	}

	s.ln = opt.Listener
	if s.ln == nil {
		if s.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			st.Close()
			return nil, fmt.Errorf("listen on %s: %w; choose another address with --listen", cfg.Listen, err)
		}
	}
	s.baseURL = baseURL(cfg, s.ln.Addr())
	if err := s.listenMail(); err != nil {
		s.Close()
		return nil, err
	}

	backend := NewDAVBackend(s.svc, DAVOptions{})
	davOpt := caldav.Options{
		Limits:         davLimits,
		MaxSyncResults: 10000,
		Now:            opt.Now,
		OnError: func(r *http.Request, err error) {
			s.log.Error("dav", "err", err, "method", r.Method, "path", r.URL.Path,
				"request_id", infoFrom(r.Context()).id)
		},
	}
	davOpt.Prefix = "/dav/"
	dav := caldav.NewHandler(backend, davOpt)
	davOpt.Prefix = "/public/"
	public := caldav.NewHandler(backend, davOpt)
	s.handler = s.routes(dav, public, receiver)
	return s, nil
}

// davLimits are the calendar collections' limits (RFC 4791 §5.2.5–5.2.9),
// advertised as properties and enforced on PUT, COPY and MOVE. The date
// bounds keep birthdays and far-future plans while refusing typing
// accidents such as year 0201; max-instances bounds finite recurrence sets
// only (endless rules are indexed over a window).
var davLimits = caldata.Limits{
	MaxResourceSize:         10 << 20,
	MinDateTime:             time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC),
	MaxDateTime:             time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC),
	MaxInstances:            100000,
	MaxAttendeesPerInstance: 5000,
}

// bootstrap creates the administrator with a random one-time password on
// a store without principals.
func (s *Server) bootstrap(ctx context.Context) error {
	ps, err := s.svc.Principals(ctx)
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		return nil
	}
	pw := auth.GeneratePassword()
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	p := &calendar.Principal{Name: DefaultAdmin, DisplayName: "Administrator", Type: calendar.TypeIndividual,
		Admin: true, PasswordHash: hash}
	if err := s.svc.CreatePrincipal(ctx, p); err != nil {
		if errors.Is(err, calendar.ErrExists) {
			return nil // another process created it first
		}
		return fmt.Errorf("create the administrator: %w", err)
	}
	s.adminPassword = pw
	s.log.Info("created the administrator", "principal", DefaultAdmin)
	return nil
}

// pingStore checks that the store answers a read: a lookup of a name no
// principal can have.
func pingStore(ctx context.Context, st calendar.Store) error {
	if p, ok := st.(interface{ Ping(context.Context) error }); ok {
		return p.Ping(ctx)
	}
	_, err := st.PrincipalByName(ctx, "/healthz")
	if errors.Is(err, calendar.ErrNotFound) {
		return nil
	}
	return err
}

// baseURL is cfg.BaseURL with a final slash, or the URL of the listening
// address (localhost for a wildcard address).
func baseURL(cfg config.Config, addr net.Addr) string {
	if cfg.BaseURL != "" {
		if !strings.HasSuffix(cfg.BaseURL, "/") {
			return cfg.BaseURL + "/"
		}
		return cfg.BaseURL
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/"
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// URL returns the base URL, ending in "/".
func (s *Server) URL() string { return s.baseURL }

// Service returns the calendar service, for tests and tools that run in
// the server's process.
func (s *Server) Service() *calendar.Service { return s.svc }

// Run serves HTTP (HTTPS with --tls-cert/--tls-key) until ctx is
// cancelled, then stops accepting connections, waits up to
// Options.ShutdownTimeout for requests in progress and closes the store.
// It prints the URL, and the administrator's one-time password if New
// created one, to Options.Out.
func (s *Server) Run(ctx context.Context) error {
	defer s.Close()
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	hs.TLSConfig = tlsServerConfig(s.cfg)
	errc := make(chan error, 1)
	go func() {
		if s.cfg.TLSCert != "" {
			errc <- hs.ServeTLS(s.ln, s.cfg.TLSCert, s.cfg.TLSKey)
		} else {
			errc <- hs.Serve(s.ln)
		}
	}()
	s.log.Info("listening", "addr", s.ln.Addr().String(), "url", s.baseURL)
	s.serveMail(ctx)
	fmt.Fprintf(s.opt.Out, "Almanac is running at %s\n", s.baseURL)
	if s.adminPassword != "" {
		fmt.Fprintf(s.opt.Out, "Administrator: %s, one-time password: %s  (change it with `almanac user passwd %s`)\n",
			DefaultAdmin, s.adminPassword, DefaultAdmin)
		s.adminPassword = ""
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), s.opt.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	s.background.Wait()
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("close the store: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// Close closes the listener and the store. It is safe to call more than
// once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.ln != nil {
			s.ln.Close()
		}
		if s.mail != nil {
			s.mail.Close()
		}
		for _, l := range []net.Listener{s.lmtpLn, s.smtpLn} {
			if l != nil {
				l.Close()
			}
		}
		s.closeErr = s.store.Close()
	})
	return s.closeErr
}
