// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// rxCA is a test certificate authority.
type rxCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newRxCA(t *testing.T) *rxCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Almanac test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &rxCA{cert: cert, key: key, pool: pool}
}

// issue returns a certificate for cn, signed by ca, or self-signed when ca
// is nil.
func (ca *rxCA) issue(t *testing.T, cn string, serial int64, usage x509.ExtKeyUsage, ips ...net.IP) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		IPAddresses:  ips,
	}
	parent, signer := tmpl, any(key)
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// fingerprint returns the SHA-256 of a certificate as colon-separated
// upper-case hex, the form openssl prints.
func fingerprint(c tls.Certificate) string {
	sum := sha256.Sum256(c.Certificate[0])
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// TestReceiverMutualTLS runs the receiver behind TLS that asks for client
// certificates and posts with and without one.
func TestReceiverMutualTLS(t *testing.T) {
	ca := newRxCA(t)
	serverCert := ca.issue(t, "ischedule.example.org", 2, x509.ExtKeyUsageServerAuth, net.IPv4(127, 0, 0, 1))
	listed := ca.issue(t, "peer.example.com", 3, x509.ExtKeyUsageClientAuth)
	byPrint := ca.issue(t, "other.example.com", 4, x509.ExtKeyUsageClientAuth)
	unlisted := ca.issue(t, "stranger.example.com", 5, x509.ExtKeyUsageClientAuth)
	selfSigned := (*rxCA)(nil).issue(t, "peer.example.com", 6, x509.ExtKeyUsageClientAuth)
	peers := map[string]string{
		"Peer.Example.com":      "example.com",
		fingerprint(byPrint):    "example.com",
		fingerprint(selfSigned): "example.net",
	}

	start := func(t *testing.T, auth tls.ClientAuthType) (*httptest.Server, *recordingBackend) {
		b := newRecordingBackend(rxCyrus)
		srv := httptest.NewUnstartedServer(NewReceiver(Options{Backend: b, Anonymous: AnonymousDeny, Peers: peers, Logger: rxQuietLogger()}))
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}, ClientAuth: auth}
		if auth == tls.VerifyClientCertIfGiven {
			// Clients send a certificate only when the server's list
			// of authorities names its issuer.
			srv.TLS.ClientCAs = ca.pool
		}
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv, b
	}
	post := func(t *testing.T, srv *httptest.Server, cert *tls.Certificate) *http.Response {
		t.Helper()
		cfg := &tls.Config{RootCAs: ca.pool}
		if cert != nil {
			cfg.Certificates = []tls.Certificate{*cert}
		}
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
		t.Cleanup(client.CloseIdleConnections)
		body := rxInvitation(nil, rxCyrus)
		r := rxRequest(rxBernard, []string{rxCyrus}, requestEvent, body)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/.well-known/ischedule", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = r.Header
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = resp.Body.Close() })
		return resp
	}

	for _, tc := range []struct {
		name   string
		auth   tls.ClientAuthType
		cert   *tls.Certificate
		status int
		domain string
	}{
		{"listed by name", tls.VerifyClientCertIfGiven, &listed, 200, "example.com"},
		{"listed by fingerprint", tls.VerifyClientCertIfGiven, &byPrint, 200, "example.com"},
		{"not listed", tls.VerifyClientCertIfGiven, &unlisted, 403, ""},
		{"no certificate", tls.VerifyClientCertIfGiven, nil, 403, ""},
		{"self-signed, by fingerprint", tls.RequireAnyClientCert, &selfSigned, 200, "example.net"},
		{"unverified chain, by name", tls.RequireAnyClientCert, &listed, 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, b := start(t, tc.auth)
			resp := post(t, srv, tc.cert)
			if resp.StatusCode != tc.status {
				body, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tc.status, body)
			}
			ds := b.deliveries()
			if tc.status != 200 {
				if len(ds) != 0 {
					t.Errorf("delivered: %+v", ds)
				}
				return
			}
			if len(ds) != 1 || ds[0].Sender != (Sender{Mode: SenderMTLS, Domain: tc.domain}) {
				t.Fatalf("deliveries = %+v, want one from mtls %s", ds, tc.domain)
			}
			if want := tc.domain == "example.com"; ds[0].Sender.Verifies(rxBernard) != want {
				t.Errorf("Verifies(%s) = %v, want %v", rxBernard, !want, want)
			}
		})
	}
}
