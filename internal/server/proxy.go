// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/crisp"
	"github.com/almanac-project/almanac/itip"
)

// ProxyOptions configure RunCRISPProxy.
type ProxyOptions struct {
	Logger *slog.Logger // nil = slog.Default()
	Out    io.Writer    // where the listening address is printed; nil = discard
	// Listener, if set, is used instead of listening on cfg.Listen.
	Listener net.Listener
	// LookupTXT, if set, answers the DKIM key look-ups (tests).
	LookupTXT func(ctx context.Context, name string) ([]string, error)
}

// RunCRISPProxy runs the CRISP endpoint alone, for a DMZ (DESIGN.md §4
// `almanac crisp-proxy`, seed-mapping §3.8): it validates every request
// itself in strict mode, with the authentication and limits of cfg,
// forwards only valid iTIP to upstream (adding its own DKIM signature with
// --crisp-dkim-key, and presenting --tls-cert to it for mutual TLS), and
// passes back only the per-recipient statuses. It has no store. It serves
// until ctx ends.
func RunCRISPProxy(ctx context.Context, cfg config.Config, upstream string, opt ProxyOptions) error {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	up, err := url.Parse(upstream)
	if err != nil || (up.Scheme != "https" && up.Scheme != "http") || up.Host == "" {
		return fmt.Errorf("upstream: %q is not an absolute http(s) URL, e.g. https://cal.internal/.well-known/ischedule", upstream)
	}
	peers, err := loadPeers(cfg.CRISPPeers)
	if err != nil {
		return err
	}
	signer, err := crispSigner(cfg, crispDomain(cfg))
	if err != nil {
		return err
	}
	roots, err := extraRoots(cfg)
	if err != nil {
		return err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("tls-cert: %w", err)
		}
		tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
	}
	proxy := crisp.NewProxy(crisp.ProxyOptions{
		Options: crisp.Options{
			Anonymous: cfg.CRISPAnonymous,
			Verifier:  &crisp.Verifier{LookupTXT: lookupTXT(cfg.Resolver, opt.LookupTXT), Keys: peers.keys},
			Peers:     peers.certs,
			Mode:      itip.ModeStrict,
			Logger:    opt.Logger,
		},
		Upstream:      up,
		Client:        &http.Client{Transport: tr, Timeout: 30 * time.Second},
		Signer:        signer,
		AllowFreeBusy: true,
	})
	mux := http.NewServeMux()
	mux.Handle("/.well-known/ischedule", proxy)
	mux.Handle("/ischedule", proxy)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })

	ln := opt.Listener
	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			return fmt.Errorf("listen on %s: %w; choose another address with --listen", cfg.Listen, err)
		}
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(opt.Logger.Handler(), slog.LevelWarn)}
	hs.TLSConfig = tlsServerConfig(cfg)
	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- hs.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	opt.Logger.Info("crisp proxy listening", "addr", ln.Addr().String(), "upstream", up.String())
	fmt.Fprintf(opt.Out, "CRISP proxy at %s://%s/.well-known/ischedule, forwarding to %s\n", scheme, ln.Addr(), up)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
