// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// testRSAKey is generated once: 2048 bits, as RFC 8301 recommends.
var testRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

var testEd25519Key = sync.OnceValue(func() ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
})

// dkimRecord returns the DNS TXT record publishing the public key of k
// (RFC 6376 §3.6.1; RFC 8463 §4 for Ed25519: the raw 32-byte key).
func dkimRecord(t testing.TB, k any) string {
	t.Helper()
	switch k := k.(type) {
	case *rsa.PrivateKey:
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PrivateKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(k.Public().(ed25519.PublicKey))
	}
	t.Fatalf("dkimRecord: key type %T", k)
	return ""
}

// certOptions describe a test certificate.
type certOptions struct {
	cn      string
	ca      bool
	ips     []net.IP
	emails  []string
	dnEmail string // PKCS #9 emailAddress in the subject
	eku     []x509.ExtKeyUsage
}

// newCert issues a certificate for opts, signed by parent (self-signed
// when parent is nil), with a fresh P-256 key.
func newCert(t testing.TB, opts certOptions, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:   serial,
		Subject:        pkix.Name{CommonName: opts.cn},
		NotBefore:      time.Now().Add(-time.Hour),
		NotAfter:       time.Now().Add(24 * time.Hour),
		IPAddresses:    opts.ips,
		EmailAddresses: opts.emails,
		ExtKeyUsage:    opts.eku,
		KeyUsage:       x509.KeyUsageDigitalSignature,
	}
	if opts.dnEmail != "" {
		tmpl.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: opts.dnEmail}}
	}
	if opts.ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// loopbackTLS returns a server TLS configuration with a self-signed
// certificate for 127.0.0.1 and the pool that trusts it.
func loopbackTLS(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	cert, key := newCert(t, certOptions{cn: "relay", ips: []net.IP{net.IPv4(127, 0, 0, 1)}, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, nil, nil)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}}}, pool
}

// listen returns a loopback listener closed at the end of the test.
func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }
