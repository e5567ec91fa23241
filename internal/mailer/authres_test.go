// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"net/netip"
	"strings"
	"testing"
)

func TestTrustedMTA(t *testing.T) {
	msg := "Authentication-Results: mx.example.net;\r\n" +
		"\tdkim=pass (2048-bit key; unprotected) header.d=example.org header.i=@example.org header.s=sel header.b=AbCd;\r\n" +
		"\tspf=pass smtp.mailfrom=example.org\r\n" +
		message("Ann <ann@example.org>", "relayed")
	tests := []struct {
		name    string
		trusted []netip.Prefix
		authsrv string
		want    bool
	}{
		{"trusted remote", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "", true},
		{"trusted remote and its authserv-id", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, "MX.example.net", true},
		{"trusted remote, other authserv-id", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "mx.example.com", false},
		{"untrusted remote", []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, "", false},
		{"no trusted MTA", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			addr, _ := startServer(t, ServerConfig{TrustedMTA: tt.trusted, TrustedAuthServID: tt.authsrv}, rec)
			if err := send(t, addr, "ann@example.org", []string{"calendar@example.net"}, msg); err != nil {
				t.Fatal(err)
			}
			got := rec.deliveries()
			if len(got) != 1 {
				t.Fatalf("%d deliveries", len(got))
			}
			if a := got[0].auth; a.Trusted != tt.want || a.Aligned {
				t.Errorf("Trusted = %v, Aligned = %v; want Trusted %v", a.Trusted, a.Aligned, tt.want)
			}
			if v := got[0].auth.Verifies("bob@example.org"); v != tt.want {
				t.Errorf("Verifies(bob@example.org) = %v, want %v", v, tt.want)
			}
		})
	}
}

func TestForgedAuthResultsRemoved(t *testing.T) {
	rec := &recorder{}
	addr, _ := startServer(t, ServerConfig{TrustedMTA: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, rec)
	// A field claiming our own authserv-id came with the message: a
	// forgery (RFC 8601 §5).
	msg := "Authentication-Results: " + testHostname + "; dkim=pass header.d=example.org\r\n" + message("ann@example.org", "forged")
	if err := send(t, addr, "ann@example.org", []string{"calendar@example.net"}, msg); err != nil {
		t.Fatal(err)
	}
	got := rec.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries", len(got))
	}
	if got[0].auth.Trusted {
		t.Error("a field claiming our authserv-id was believed")
	}
	want := "Authentication-Results: " + testHostname + ";\r\n\tnone\r\n" + message("ann@example.org", "forged")
	if string(got[0].data) != want {
		t.Errorf("delivered\n%q\nwant\n%q", got[0].data, want)
	}
}

func TestTrustedResults(t *testing.T) {
	tests := []struct {
		name    string
		fields  []string // top first
		from    string
		authsrv string
		want    bool
	}{
		{"dkim pass aligned", []string{"mx; dkim=pass header.d=example.org"}, "example.org", "", true},
		{"dkim pass, organizational domain", []string{"mx; dkim=pass header.d=example.org"}, "mail.example.org", "", true},
		{"dkim pass by header.i", []string{"mx; dkim=pass header.i=ann@mail.example.org"}, "example.org", "", true},
		{"dkim pass, other domain", []string{"mx; dkim=pass header.d=evil.example"}, "example.org", "", false},
		{"dkim fail", []string{"mx; dkim=fail header.d=example.org"}, "example.org", "", false},
		{"dmarc pass", []string{"mx; dmarc=pass header.from=example.org"}, "example.org", "", true},
		{"dmarc pass for another From", []string{"mx; dmarc=pass header.from=evil.example"}, "example.org", "", false},
		{"dmarc fail", []string{"mx; dmarc=fail (p=reject) header.from=example.org"}, "example.org", "", false},
		{"comments with semicolons", []string{"mx; dkim=pass (1024-bit key; insecure; \"key\") header.d=example.org"}, "example.org", "", true},
		{"only the topmost without authserv-id", []string{"mx; dkim=fail header.d=example.org", "mx; dkim=pass header.d=example.org"}, "example.org", "", false},
		{"every field of the authserv-id", []string{"mx; dkim=fail header.d=example.org", "mx; dkim=pass header.d=example.org"}, "example.org", "mx", true},
		{"another authserv-id is ignored", []string{"mx; dkim=fail header.d=example.org", "evil; dkim=pass header.d=example.org"}, "example.org", "mx", false},
		{"our own authserv-id is never believed", []string{testHostname + "; dkim=pass header.d=example.org"}, "example.org", "", false},
		{"none", []string{"mx; none"}, "example.org", "", false},
		{"no field", nil, "example.org", "", false},
		{"Google's style: header.i and dmarc", []string{"mx.google.com;\r\n" +
			"       spf=pass (google.com: domain of bounces@insideicloud.icloud.com designates 192.0.2.98 as permitted sender) smtp.mail=bounces@insideicloud.icloud.com;\r\n" +
			"       dkim=pass header.i=@insideicloud.icloud.com;\r\n" +
			"       dmarc=pass (p=REJECT dis=NONE) header.from=insideicloud.icloud.com"}, "insideicloud.icloud.com", "", true},
		{"version number", []string{"mx 1; dkim=pass header.d=example.org"}, "example.org", "", true},
	}
	for _, tt := range tests {
		var b strings.Builder
		for _, f := range tt.fields {
			b.WriteString("Authentication-Results: " + f + "\r\n")
		}
		b.WriteString("From: x@" + tt.from + "\r\n\r\n")
		h, _, err := splitHeader([]byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		if got := trustedResults(h, tt.from, tt.authsrv, testHostname); got != tt.want {
			t.Errorf("%s: trustedResults = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestStripComments(t *testing.T) {
	tests := map[string]string{
		"mx; dkim=pass (2048-bit key; unprotected) header.d=a": "mx; dkim=pass   header.d=a",
		"a (nested (comment; x) here) b":                       "a   b",
		`a "quoted (not a comment)" b`:                         `a "quoted (not a comment)" b`,
		`a (escaped \) paren; x) b`:                            "a   b",
		`a "esc \" (q)" b`:                                     `a "esc \" (q)" b`,
		"unclosed (comment; x":                                 "unclosed ",
	}
	for in, want := range tests {
		if got := stripComments(in); got != want {
			t.Errorf("stripComments(%q) = %q, want %q", in, got, want)
		}
	}
}
