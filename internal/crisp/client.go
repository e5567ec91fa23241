// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// The sending side (iSchedule -05 §3.1, seed-mapping §4.1): discovery of
// another domain's receiver (discover.go), its capabilities
// (client_capabilities.go), the signed POST (client_send.go) and a
// circuit breaker per domain (breaker.go).

// Errors of Client.Send. Any other error is a transport error: the
// message may be sent again later.
var (
	// ErrNoEndpoint: the domain has no iSchedule receiver; use iMIP.
	ErrNoEndpoint = errors.New("crisp: no iSchedule endpoint")
	// ErrNotAccepted: the receiver's capabilities do not admit this
	// message (its method and component, its size, its recipient count,
	// inline attachments, an RSCALE or the iSchedule version); use iMIP.
	ErrNotAccepted = errors.New("crisp: message not accepted by the receiver")
	// ErrCircuitOpen: the domain failed too often lately and is skipped
	// for now; use iMIP.
	ErrCircuitOpen = errors.New("crisp: circuit open for the domain")
)

// RemoteError is a receiver's refusal of a request as a whole: a 4xx
// answer, normally with an iSchedule error element (-05 §6.1.2).
type RemoteError struct {
	// Status is the HTTP status code.
	Status int
	// Condition is the local name of the precondition element, such as
	// "verification-failed", or "" when the body had none.
	Condition string
	// Description is the response-description, or "" when there was
	// none.
	Description string
}

func (e *RemoteError) Error() string {
	s := fmt.Sprintf("crisp: receiver refused the request: %d %s", e.Status, http.StatusText(e.Status))
	if e.Condition != "" {
		s += " (" + e.Condition + ")"
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// ClientOptions configures a Client. The zero value is usable: the
// system's resolver and root certificates, unsigned requests.
type ClientOptions struct {
	// Resolver is the DNS server ("host:port"; port 53 when omitted)
	// used for SRV and TXT lookups and, with the default HTTPClient, for
	// the receivers' addresses. "" uses the system's.
	Resolver string
	// LookupSRV, when set, answers the SRV queries instead of DNS (for
	// tests). name is absolute, with a final dot. Its records are kept
	// for an hour, since it gives no TTL.
	LookupSRV func(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	// LookupTXT, when set, answers the TXT queries instead of DNS (for
	// tests). name is absolute, with a final dot.
	LookupTXT func(ctx context.Context, name string) ([]string, error)
	// HTTPClient sends the requests. nil means a client with the
	// system's root certificates plus RootCAs, ClientCert, a 10 s dial
	// timeout, a 30 s timeout per request and no proxy. Either way the
	// Client follows redirects itself (at most 5, https only) and
	// ignores the CheckRedirect of HTTPClient.
	HTTPClient *http.Client
	// RootCAs are trusted in addition to the system's root certificates
	// (--ca-file). Only with the default HTTPClient.
	RootCAs *x509.CertPool
	// ClientCert is presented to receivers that ask for one (mutual TLS,
	// --tls-cert and --tls-key). Only with the default HTTPClient.
	// It holds a private key.
	ClientCert *tls.Certificate
	// Signer signs the requests with DKIM (-05 §7). nil sends them
	// unsigned (anonymous, or authenticated by ClientCert).
	Signer *Signer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// BreakerFailures is the number of consecutive failures after which
	// a domain is skipped for BreakerCooldown, after which one trial
	// request goes through. 0 means 5.
	BreakerFailures int
	// BreakerCooldown: see BreakerFailures. 0 means 10 minutes.
	BreakerCooldown time.Duration
	// NegativeTTL is how long a domain without an endpoint is
	// remembered. 0 means an hour.
	NegativeTTL time.Duration
}

// Client delivers iTIP messages to other domains' iSchedule receivers.
// It caches discovery results and capabilities and keeps a circuit
// breaker per domain. It is safe for concurrent use.
type Client struct {
	opts         ClientOptions
	hc           *http.Client
	resolverAddr string
	negativeTTL  time.Duration
	breaker      *breaker

	mu         sync.Mutex
	discovered map[string]*endpointEntry // by domain
	caps       map[string]*capsEntry     // by endpoint URL
}

// NewClient returns a Client for o.
func NewClient(o ClientOptions) (*Client, error) {
	if o.BreakerFailures < 0 || o.BreakerCooldown < 0 || o.NegativeTTL < 0 {
		return nil, errors.New("crisp: negative breaker or cache setting")
	}
	if o.HTTPClient != nil && (o.RootCAs != nil || o.ClientCert != nil) {
		return nil, errors.New("crisp: RootCAs and ClientCert apply to the default HTTP client only")
	}
	c := &Client{
		opts:        o,
		negativeTTL: o.NegativeTTL,
		discovered:  make(map[string]*endpointEntry),
		caps:        make(map[string]*capsEntry),
	}
	if c.negativeTTL == 0 {
		c.negativeTTL = time.Hour
	}
	if o.Resolver != "" {
		addr := o.Resolver
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(addr, "53")
			if _, _, err := net.SplitHostPort(addr); err != nil {
				return nil, fmt.Errorf("crisp: invalid resolver address %q", o.Resolver)
			}
		}
		c.resolverAddr = addr
	}
	failures, cooldown := o.BreakerFailures, o.BreakerCooldown
	if failures == 0 {
		failures = 5
	}
	if cooldown == 0 {
		cooldown = 10 * time.Minute
	}
	c.breaker = newBreaker(failures, cooldown)

	var hc http.Client
	if o.HTTPClient != nil {
		hc = *o.HTTPClient
	} else {
		hc = http.Client{Transport: c.transport(), Timeout: 30 * time.Second}
	}
	// Redirects are followed by do, the same way for every method.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.hc = &hc
	return c, nil
}

func (c *Client) now() time.Time {
	if c.opts.Now != nil {
		return c.opts.Now()
	}
	return time.Now()
}

// transport is the default HTTP transport: TLS verified against the
// system's roots and then RootCAs, the client certificate, the
// configured resolver for the receivers' addresses, no proxy.
func (c *Client) transport() *http.Transport {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if c.resolverAddr != "" {
		dialer.Resolver = &net.Resolver{
			PreferGo: true,
			Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, c.resolverAddr)
			},
		}
	}
	return &http.Transport{
		DialContext: dialer.DialContext,
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			raw, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			conn := tls.Client(raw, c.tlsConfig(host))
			if err := conn.HandshakeContext(ctx); err != nil {
				raw.Close()
				return nil, err
			}
			return conn, nil
		},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// tlsConfig is the client TLS configuration for one server name. The
// certificate chain is verified here rather than by crypto/tls because
// RootCAs is an addition to the system's roots, and a CertPool cannot
// be merged into another.
func (c *Client) tlsConfig(host string) *tls.Config {
	cfg := &tls.Config{
		ServerName: host,
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"},
		// Verified by VerifyConnection below, with the same checks:
		// chain to a trusted root and the host name.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			return verifyChain(cs.PeerCertificates, host, c.opts.RootCAs)
		},
	}
	if c.opts.ClientCert != nil {
		cfg.Certificates = []tls.Certificate{*c.opts.ClientCert}
	}
	return cfg
}

// verifyChain checks that certs chain to a system root or to one of
// extra, and that the leaf is valid for host (a name or an IP address).
func verifyChain(certs []*x509.Certificate, host string, extra *x509.CertPool) error {
	if len(certs) == 0 {
		return errors.New("crisp: TLS peer sent no certificate")
	}
	opts := x509.VerifyOptions{DNSName: host, Intermediates: x509.NewCertPool()}
	for _, ic := range certs[1:] {
		opts.Intermediates.AddCert(ic)
	}
	_, err := certs[0].Verify(opts) // Roots nil: the system's.
	if err != nil && extra != nil {
		opts.Roots = extra
		_, err = certs[0].Verify(opts)
	}
	return err
}
