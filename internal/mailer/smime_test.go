// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
)

// smimeFixture is a CA and a signer certificate for ann@example.org.
type smimeFixture struct {
	roots  *x509.CertPool
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	signer *x509.Certificate
	key    *ecdsa.PrivateKey
}

func newSMIMEFixture(t testing.TB) *smimeFixture {
	t.Helper()
	f := &smimeFixture{roots: x509.NewCertPool()}
	f.ca, f.caKey = newCert(t, certOptions{cn: "Test CA", ca: true}, nil, nil)
	f.roots.AddCert(f.ca)
	f.signer, f.key = newCert(t, certOptions{cn: "Ann", emails: []string{"Ann@Example.org"}, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}, f.ca, f.caKey)
	return f
}

const signedContent = "Content-Type: text/calendar; method=REPLY; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: 7bit\r\n" +
	"\r\n" +
	"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n"

// signedMessage returns a multipart/signed message (RFC 8551 §3.5.3) of
// content with a detached signature by cert.
func signedMessage(t testing.TB, cert *x509.Certificate, key *ecdsa.PrivateKey, content string) string {
	t.Helper()
	sd, err := pkcs7.NewSignedData([]byte(content))
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(cert, key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	sig := base64.StdEncoding.EncodeToString(der)
	var lines []string
	for len(sig) > 76 {
		lines, sig = append(lines, sig[:76]), sig[76:]
	}
	lines = append(lines, sig)
	return "From: Ann <ann@example.org>\r\n" +
		"To: calendar@example.net\r\n" +
		"Subject: Accepted\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n" +
		"\tmicalg=sha-256; boundary=\"=-b1\"\r\n" +
		"\r\n" +
		"This is a cryptographically signed message in MIME format.\r\n" +
		"\r\n" +
		"--=-b1\r\n" +
		content +
		"\r\n--=-b1\r\n" +
		"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename=smime.p7s\r\n" +
		"\r\n" +
		strings.Join(lines, "\r\n") + "\r\n" +
		"--=-b1--\r\n"
}

func TestVerifySMIME(t *testing.T) {
	f := newSMIMEFixture(t)
	other := newSMIMEFixture(t)
	serverOnly, serverKey := newCert(t, certOptions{cn: "Web", emails: []string{"ann@example.org"}, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, f.ca, f.caKey)
	noEmail, noEmailKey := newCert(t, certOptions{cn: "Nobody", eku: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}, f.ca, f.caKey)
	dnEmail, dnEmailKey := newCert(t, certOptions{cn: "Ann", dnEmail: "ann@example.org", eku: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}, f.ca, f.caKey)
	good := signedMessage(t, f.signer, f.key, signedContent)

	tests := []struct {
		name string
		msg  string
		want []string // nil: not verified
	}{
		{"signed", good, []string{"ann@example.org"}},
		{"content tampered", strings.Replace(good, "METHOD:REPLY", "METHOD:CANCEL", 1), nil},
		{"part header tampered", strings.Replace(good, "charset=utf-8\r\n", "charset=latin1\r\n", 1), nil},
		{"signer from an untrusted CA", signedMessage(t, other.signer, other.key, signedContent), nil},
		{"certificate not for e-mail", signedMessage(t, serverOnly, serverKey, signedContent), nil},
		{"certificate without an address", signedMessage(t, noEmail, noEmailKey, signedContent), nil},
		{"address only in the subject name", signedMessage(t, dnEmail, dnEmailKey, signedContent), nil},
		{"not signed", message("ann@example.org", "plain"), nil},
		{"other protocol", strings.Replace(good, "application/pkcs7-signature\";", "application/pgp-signature\";", 1), nil},
		{"no close delimiter", strings.TrimSuffix(good, "--=-b1--\r\n"), nil},
	}
	for _, tt := range tests {
		h, body, err := splitHeader([]byte(tt.msg))
		if err != nil {
			t.Fatal(err)
		}
		got, err := verifySMIME(h, body, f.roots, time.Now())
		if !slices.Equal(got, tt.want) || (tt.want == nil) != (err != nil) {
			t.Errorf("%s: verifySMIME = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	// The certificate's validity is checked at the time of receipt.
	h, body, _ := splitHeader([]byte(good))
	if got, err := verifySMIME(h, body, f.roots, time.Now().Add(48*time.Hour)); err == nil {
		t.Errorf("verifySMIME after the certificate expired = %v, want an error", got)
	}
}

func TestInboundSMIME(t *testing.T) {
	f := newSMIMEFixture(t)
	rec := &recorder{}
	addr, _ := startServer(t, ServerConfig{SMIMERoots: f.roots}, rec)
	msg := signedMessage(t, f.signer, f.key, signedContent)
	if err := send(t, addr, "ann@example.org", []string{"calendar@example.net"}, msg); err != nil {
		t.Fatal(err)
	}
	got := rec.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries", len(got))
	}
	a := got[0].auth
	if !slices.Equal(a.SMIME, []string{"ann@example.org"}) || a.Aligned {
		t.Errorf("auth = %+v, want SMIME [ann@example.org] and no DKIM alignment", a)
	}
	if !a.Verifies("mailto:ANN@example.org") || a.Verifies("bob@example.org") {
		t.Errorf("S/MIME auth verifies the wrong actors")
	}
}

func TestSplitMultipart(t *testing.T) {
	tests := []struct {
		name, body string
		want       []string
	}{
		{"plain", "--b\r\none\r\n--b\r\ntwo\r\n--b--\r\n", []string{"one", "two"}},
		{"preamble, padding and epilogue", "pre\r\n--b  \r\none\r\n\r\n--b\t\r\ntwo\r\n--b-- \r\nepilogue\r\n", []string{"one\r\n", "two"}},
		{"LF line ends", "--b\none\n--b\ntwo\n--b--\n", []string{"one", "two"}},
		{"longer boundary inside is content", "--b\r\n--bb\r\n--b--\r\n", []string{"--bb"}},
		{"empty part", "--b\r\n\r\n--b--", []string{""}},
		{"no close", "--b\r\none\r\n--b\r\ntwo\r\n", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range splitMultipart([]byte(tt.body), "b") {
			got = append(got, string(p))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: splitMultipart = %q, want %q", tt.name, got, tt.want)
		}
	}
}
