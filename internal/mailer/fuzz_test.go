// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/authres"
)

// FuzzAuthenticate feeds arbitrary messages through what the inbound
// server does after DATA: header split, author, DKIM, trusted
// Authentication-Results, S/MIME, and the stamp. Properties: no panic;
// Aligned only with a passing aligned signature; the stamped message
// parses and carries exactly one field of our authserv-id, on top.
func FuzzAuthenticate(f *testing.F) {
	records := map[string]string{
		"rsa._domainkey.example.org": dkimRecord(f, testRSAKey()),
		"ed._domainkey.example.org":  dkimRecord(f, testEd25519Key()),
	}
	s := NewServer(ServerConfig{
		Hostname:   testHostname,
		TrustedMTA: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Logger:     slog.New(slog.DiscardHandler),
		LookupTXT: func(_ context.Context, name string) ([]string, error) {
			if r, ok := records[name]; ok {
				return []string{r}, nil
			}
			return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
		},
	}, &recorder{})
	sign := func(d *DKIMSigner, msg string) string {
		out, err := d.sign([]byte(msg))
		if err != nil {
			f.Fatal(err)
		}
		return string(out)
	}
	fx := newSMIMEFixture(f)
	s.cfg.SMIMERoots = fx.roots

	// A plain message.
	f.Add([]byte(message("Ann <ann@example.org>", "plain")))
	// Signed with RSA and with Ed25519, aligned.
	f.Add([]byte(sign(&DKIMSigner{Domain: "example.org", Selector: "rsa", Key: testRSAKey()}, message("ann@example.org", "rsa"))))
	f.Add([]byte(sign(&DKIMSigner{Domain: "example.org", Selector: "ed", Key: testEd25519Key()}, message("ann@example.org", "ed"))))
	// S/MIME multipart/signed.
	f.Add([]byte(signedMessage(f, fx.signer, fx.key, signedContent)))
	// A trusted MTA's results, and a forged field with our authserv-id.
	f.Add([]byte("Authentication-Results: mx.example.net; dkim=pass (2048-bit key; x) header.d=example.org\r\n" +
		"Authentication-Results: " + testHostname + "; dkim=pass header.d=example.org\r\n" + message("ann@example.org", "ar")))
	// Header only, LF line ends, no From.
	f.Add([]byte("From: a@b.example\n"))
	f.Add([]byte("Subject: x\r\n\r\nbody"))
	// Several From fields and mailboxes.
	f.Add([]byte("From: a@b.example, c@d.example\r\nSender: a@b.example\r\n\r\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		h, body, err := splitHeader(data)
		if err != nil {
			return
		}
		from, err := authorAddress(h)
		if err != nil {
			return
		}
		a := s.authenticate(t.Context(), netip.MustParseAddr("127.0.0.1"), data, h, body, from)
		if a.Aligned {
			ok := false
			for _, d := range a.DKIM {
				ok = ok || (d.Pass && aligned(d.Domain, domainOf(from)))
			}
			if !ok {
				t.Fatalf("Aligned without a passing aligned signature: %+v", a)
			}
		}
		out := stamp(data, h, body, a, testHostname)
		h2, _, err := splitHeader(out)
		if err != nil {
			t.Fatalf("stamped message does not parse: %v\n%q", err, out)
		}
		fields := h2.Values(headerAuthResults)
		ours := 0
		for i, v := range fields {
			if id, _, _ := authres.Parse(stripComments(v)); strings.EqualFold(id, testHostname) {
				ours++
				if i != 0 {
					t.Errorf("our Authentication-Results is field %d", i)
				}
			}
		}
		if ours != 1 {
			t.Errorf("stamped message has %d fields of our authserv-id:\n%q", ours, out)
		}
	})
}
