// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"context"
	"crypto"
	"net"
	"strings"
	"testing"
)

func TestInboundDKIM(t *testing.T) {
	records := map[string]string{
		"rsa._domainkey.example.org":     dkimRecord(t, testRSAKey()),
		"ed._domainkey.example.org":      dkimRecord(t, testEd25519Key()),
		"sel._domainkey.evil.example":    dkimRecord(t, testEd25519Key()),
		"rsa._domainkey.icloud.com":      dkimRecord(t, testRSAKey()),
		"other._domainkey.lookalike.org": dkimRecord(t, testRSAKey()),
	}
	lookup := func(_ context.Context, name string) ([]string, error) {
		if r, ok := records[name]; ok {
			return []string{r}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	rec := &recorder{}
	addr, _ := startServer(t, ServerConfig{LookupTXT: lookup}, rec)

	sign := func(domain, selector string, key crypto.Signer, msg string) string {
		out, err := (&DKIMSigner{Domain: domain, Selector: selector, Key: key}).sign([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	tests := []struct {
		name    string
		msg     string
		want    []DKIMResult // Err only compared for being empty or not
		aligned bool
	}{
		{
			name:    "RSA",
			msg:     sign("example.org", "rsa", testRSAKey(), message("Ann <ann@example.org>", "rsa")),
			want:    []DKIMResult{{Domain: "example.org", Selector: "rsa", Pass: true}},
			aligned: true,
		},
		{
			name:    "Ed25519",
			msg:     sign("example.org", "ed", testEd25519Key(), message("ann@example.org", "ed25519")),
			want:    []DKIMResult{{Domain: "example.org", Selector: "ed", Pass: true}},
			aligned: true,
		},
		{
			name: "unsigned",
			msg:  message("ann@example.org", "unsigned"),
		},
		{
			name: "body tampered after signing",
			msg:  strings.Replace(sign("example.org", "rsa", testRSAKey(), message("ann@example.org", "accept")), "accept", "decline", 1),
			want: []DKIMResult{{Domain: "example.org", Selector: "rsa", Err: "x"}},
		},
		{
			name: "From tampered after signing",
			msg:  strings.Replace(sign("example.org", "rsa", testRSAKey(), message("ann@example.org", "from")), "From: ann@", "From: bob@", 1),
			want: []DKIMResult{{Domain: "example.org", Selector: "rsa", Err: "x"}},
		},
		{
			name: "another domain's signature",
			msg:  sign("evil.example", "sel", testEd25519Key(), message("ann@example.org", "evil")),
			want: []DKIMResult{{Domain: "evil.example", Selector: "sel", Pass: true}},
		},
		{
			name: "a look-alike domain",
			msg:  sign("lookalike.org", "other", testRSAKey(), message("ann@example.org", "lookalike")),
			want: []DKIMResult{{Domain: "lookalike.org", Selector: "other", Pass: true}},
		},
		{
			name:    "subdomain author, organizational signature",
			msg:     sign("example.org", "rsa", testRSAKey(), message("x@mail.example.org", "subdomain")),
			want:    []DKIMResult{{Domain: "example.org", Selector: "rsa", Pass: true}},
			aligned: true,
		},
		{
			name:    "iCloud: noreply@insideicloud.icloud.com signed by icloud.com",
			msg:     sign("icloud.com", "rsa", testRSAKey(), message("noreply@insideicloud.icloud.com", "icloud")),
			want:    []DKIMResult{{Domain: "icloud.com", Selector: "rsa", Pass: true}},
			aligned: true,
		},
		{
			name: "key not published",
			msg:  sign("example.org", "gone", testRSAKey(), message("ann@example.org", "gone")),
			want: []DKIMResult{{Domain: "example.org", Selector: "gone", Err: "x"}},
		},
		{
			name: "body length limit",
			msg: strings.Replace(sign("example.org", "rsa", testRSAKey(), message("ann@example.org", "l")),
				"DKIM-Signature: ", "DKIM-Signature: l=1; ", 1),
			want: []DKIMResult{{Domain: "example.org", Selector: "rsa", Err: "x"}},
		},
		{
			name:    "two signatures, the second aligned",
			msg:     sign("example.org", "ed", testEd25519Key(), sign("evil.example", "sel", testEd25519Key(), message("ann@example.org", "two"))),
			want:    []DKIMResult{{Domain: "example.org", Selector: "ed", Pass: true}, {Domain: "evil.example", Selector: "sel", Pass: true}},
			aligned: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(rec.deliveries())
			if err := send(t, addr, "ann@example.org", []string{"calendar@example.net"}, tt.msg); err != nil {
				t.Fatalf("send = %v", err)
			}
			got := rec.deliveries()
			if len(got) != n+1 {
				t.Fatalf("no delivery")
			}
			auth := got[n].auth
			if len(auth.DKIM) != len(tt.want) {
				t.Fatalf("DKIM = %+v, want %+v", auth.DKIM, tt.want)
			}
			for i, w := range tt.want {
				g := auth.DKIM[i]
				if g.Domain != w.Domain || g.Selector != w.Selector || g.Pass != w.Pass || (g.Err == "") != (w.Err == "") {
					t.Errorf("DKIM[%d] = %+v, want %+v", i, g, w)
				}
			}
			if auth.Aligned != tt.aligned {
				t.Errorf("Aligned = %v, want %v", auth.Aligned, tt.aligned)
			}
			// The verdicts are recorded for later readers (RFC 8601).
			ar, _, _ := strings.Cut(string(got[n].data), "\r\n\r\n")
			for _, w := range tt.want {
				verdict := "dkim=fail"
				if w.Pass {
					verdict = "dkim=pass"
				}
				if !strings.Contains(ar, verdict) || !strings.Contains(ar, "header.d="+w.Domain) {
					t.Errorf("header does not record %s for %s:\n%s", verdict, w.Domain, ar)
				}
			}
		})
	}
}

func TestDKIMTags(t *testing.T) {
	got := dkimTags("v=1; a=rsa-sha256; d=Example.org;\r\n s = sel ; h=From:To; b=abc\r\n def")
	want := map[string]string{"v": "1", "a": "rsa-sha256", "d": "Example.org", "s": "sel", "h": "From:To", "b": "abcdef"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("dkimTags[%s] = %q, want %q", k, got[k], v)
		}
	}
}
