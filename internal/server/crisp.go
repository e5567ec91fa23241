// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/crisp"
	"github.com/almanac-project/almanac/internal/mailer"
	"github.com/almanac-project/almanac/itip"
)

// CRISP glue: the receiver's Backend on the calendar service, and the
// transport chooser that delivers to other domains in real time when they
// offer an iSchedule endpoint and by e-mail otherwise (seed-mapping §4.1).

// crispBackend implements crisp.Backend.
type crispBackend struct {
	svc *calendar.Service
}

func (b *crispBackend) IsLocal(ctx context.Context, addr string) bool {
	_, err := b.svc.PrincipalByAddress(ctx, addr)
	return err == nil
}

// Deliver hands one recipient its message: a busy-time request is
// answered at once; anything else goes through ReceiveMessage, which
// applies it when the sender's domain proves its iTIP actor and holds it
// otherwise.
func (b *crispBackend) Deliver(ctx context.Context, in crisp.Incoming) (string, []byte, error) {
	if _, comp := itip.MethodOf(in.Message); comp == ical.CompFreeBusy {
		st, reply, err := b.svc.AnswerFreeBusy(ctx, in.Recipient, in.Message)
		return st, reply, err
	}
	r, err := b.svc.ReceiveMessage(ctx, in.Recipient, in.Message, calendar.Inbound{Transport: "crisp", Verifies: in.Sender.Verifies})
	if err != nil {
		return "", nil, err
	}
	return itip.RequestStatus(r.Status), nil, nil
}

// crispPeers is what a --crisp-peers file configures: TLS peers and DKIM
// keys known without DNS.
type crispPeers struct {
	certs map[string]string // certificate fingerprint or name → domain
	keys  map[string]string // "<selector>._domainkey.<domain>" → key record
}

// loadPeers reads a --crisp-peers file. Each line is "DOMAIN CERTIFICATE"
// (a TLS peer: the hex SHA-256 fingerprint of its certificate or a subject
// name) or "DOMAIN dkim SELECTOR RECORD" (a DKIM key record of the domain,
// "v=DKIM1; k=…; p=…", used before DNS); "#" starts a comment.
func loadPeers(path string) (crispPeers, error) {
	var cp crispPeers
	if path == "" {
		return cp, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return cp, fmt.Errorf("crisp-peers: %w", err)
	}
	defer f.Close()
	cp.certs, cp.keys = map[string]string{}, map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
			continue
		case len(fields) == 2:
			cp.certs[strings.ToLower(fields[1])] = strings.ToLower(fields[0])
		case len(fields) >= 4 && strings.EqualFold(fields[1], "dkim"):
			name := strings.ToLower(fields[2] + "._domainkey." + fields[0])
			cp.keys[name] = strings.Join(fields[3:], " ")
		default:
			return cp, fmt.Errorf("crisp-peers %s:%d: want \"DOMAIN CERTIFICATE\" or \"DOMAIN dkim SELECTOR RECORD\"", path, n)
		}
	}
	return cp, sc.Err()
}

// crispSigner returns the DKIM signer of --crisp-dkim-key, for the domain
// of --mail-from or, without it, the host of the base URL.
func crispSigner(cfg config.Config, domain string) (*crisp.Signer, error) {
	if cfg.CRISPDKIMKey == "" {
		return nil, nil
	}
	if cfg.CRISPDKIMSelector == "" {
		return nil, errors.New("crisp-dkim-key needs --crisp-dkim-selector")
	}
	key, err := mailer.LoadDKIMKey(cfg.CRISPDKIMKey)
	if err != nil {
		return nil, fmt.Errorf("crisp-dkim-key: %w", err)
	}
	return &crisp.Signer{Domain: domain, Selector: cfg.CRISPDKIMSelector, Key: key}, nil
}

// extraRoots is the pool of --ca-file, or nil.
func extraRoots(cfg config.Config) (*x509.CertPool, error) {
	if cfg.CAFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(cfg.CAFile)
	if err != nil {
		return nil, fmt.Errorf("ca-file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca-file %s: no PEM certificate in it", cfg.CAFile)
	}
	return pool, nil
}

// crispDomain is the domain the service signs for: the first --domain,
// else the domain of --mail-from. A DKIM signature covers Originators in
// that domain and its sub-domains (iSchedule -05 §7).
func crispDomain(cfg config.Config) string {
	if len(cfg.Domains) > 0 {
		return strings.ToLower(cfg.Domains[0])
	}
	return hostOf(cfg.MailFrom)
}

// newCRISPClient builds the sending client of cfg, or nil when the
// service has no identity to send with: real-time delivery needs
// --crisp-dkim-key (DKIM) or --tls-cert (mutual TLS), since receivers
// hold anonymous messages anyway and e-mail does better then.
func newCRISPClient(cfg config.Config, signer *crisp.Signer) (*crisp.Client, error) {
	if signer == nil && cfg.TLSCert == "" {
		return nil, nil
	}
	roots, err := extraRoots(cfg)
	if err != nil {
		return nil, err
	}
	o := crisp.ClientOptions{Resolver: cfg.Resolver, RootCAs: roots, Signer: signer}
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("tls-cert: %w", err)
		}
		o.ClientCert = &cert
	}
	return crisp.NewClient(o)
}

// lookupTXT returns the TXT look-up through the DNS server of --resolver
// (or the system's), unless override is set.
func lookupTXT(resolver string, override func(context.Context, string) ([]string, error)) func(context.Context, string) ([]string, error) {
	if override != nil {
		return override
	}
	r := net.DefaultResolver
	if resolver != "" {
		r = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, resolver)
		}}
	}
	return r.LookupTXT
}

// newCRISPReceiver builds the iSchedule receiver of cfg.
func newCRISPReceiver(cfg config.Config, svc *calendar.Service, opt Options) (*crisp.Receiver, error) {
	peers, err := loadPeers(cfg.CRISPPeers)
	if err != nil {
		return nil, err
	}
	o := crisp.Options{
		Backend:   &crispBackend{svc: svc},
		Anonymous: cfg.CRISPAnonymous,
		Verifier:  &crisp.Verifier{LookupTXT: lookupTXT(cfg.Resolver, opt.LookupTXT), Keys: peers.keys, Now: opt.Now},
		Peers:     peers.certs,
		Mode:      itip.ModeInterop,
		Now:       opt.Now,
		Logger:    opt.Logger,
	}
	if cfg.MailFrom != "" {
		o.Administrator = "mailto:" + cfg.MailFrom
	}
	return crisp.NewReceiver(o), nil
}

// chooser is the calendar.Deliverer for recipients outside the service:
// real time (CRISP) when the recipient's domain has an endpoint that takes
// the message, e-mail (iMIP) otherwise (seed-mapping §4.1). Every attempt
// ends in a SCHEDULE-STATUS (RFC 6638 §3.2.9): 1.2 delivered in real time,
// 1.1 sent by e-mail, 3.7 unknown user, 5.x failures.
type chooser struct {
	crisp *crisp.Client
	mail  *mailTransport // nil: no relay configured
}

func (c *chooser) Deliver(ctx context.Context, d *calendar.Delivery) (string, error) {
	if c.crisp != nil {
		st, ok, err := c.realTime(ctx, d)
		if ok {
			return st, err
		}
	}
	if c.mail != nil {
		return c.mail.Deliver(ctx, d)
	}
	return itip.StatusInvalidService, nil // no way to deliver
}

// realTime tries the recipient's iSchedule endpoint. ok false means "use
// e-mail": no endpoint, the method not accepted, the request refused, or
// the endpoint failing.
func (c *chooser) realTime(ctx context.Context, d *calendar.Delivery) (string, bool, error) {
	to := ical.NormalizeAddress(d.Recipient)
	msg, err := ical.Parse(d.Message)
	if err != nil {
		return itip.StatusNoScheduling, true, nil
	}
	statuses, err := c.crisp.Send(ctx, d.Originator, []string{to}, msg.Component)
	if err != nil {
		return "", false, nil
	}
	code, _, _ := strings.Cut(statuses[to], ";")
	switch {
	case strings.HasPrefix(code, "2."), strings.HasPrefix(code, "1."):
		return itip.StatusDelivered, true, nil
	case code == itip.StatusInvalidUser:
		return itip.StatusInvalidUser, true, nil
	}
	return "", false, nil // refused for this recipient: try e-mail
}

// outbound builds the transports to other domains: e-mail when a relay is
// configured, real time when the service has an identity to send with.
func outbound(cfg config.Config) (*mailTransport, *crisp.Client, error) {
	if _, err := extraRoots(cfg); err != nil {
		return nil, nil, err
	}
	mail, err := newMailTransport(cfg)
	if err != nil {
		return nil, nil, err
	}
	signer, err := crispSigner(cfg, crispDomain(cfg))
	if err != nil {
		return nil, nil, err
	}
	rt, err := newCRISPClient(cfg, signer)
	if err != nil {
		return nil, nil, err
	}
	return mail, rt, nil
}

// tlsServerConfig is the TLS configuration of a server serving with
// --tls-cert, or nil: mutual TLS for CRISP peers (--crisp-peers) asks for
// a client certificate, never requires one, and checks it against
// --ca-file when given; the CRISP receiver decides what it proves.
func tlsServerConfig(cfg config.Config) *tls.Config {
	if cfg.TLSCert == "" {
		return nil
	}
	c := &tls.Config{ClientAuth: tls.RequestClientCert}
	if roots, err := extraRoots(cfg); err == nil && roots != nil {
		c.ClientAuth = tls.VerifyClientCertIfGiven
		c.ClientCAs = roots
	}
	return c
}
