// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"testing"
)

func TestVerifies(t *testing.T) {
	tests := []struct {
		name  string
		auth  Auth
		actor string
		want  bool
	}{
		{"iCloud service address, organizational domain", Auth{From: "noreply@insideicloud.icloud.com", Aligned: true}, "user@icloud.com", true},
		{"mailto: and case", Auth{From: "noreply@insideicloud.icloud.com", Aligned: true}, "MAILTO:User@iCloud.COM", true},
		{"same domain", Auth{From: "ann@example.org", Aligned: true}, "bob@example.org", true},
		{"subdomain actor", Auth{From: "ann@example.org", Aligned: true}, "bob@lists.example.org", true},
		{"forged gmail From", Auth{From: "eve@gmail.com", Aligned: true}, "ann@example.org", false},
		{"unsigned", Auth{From: "ann@example.org"}, "ann@example.org", false},
		{"trusted MTA", Auth{From: "ann@example.org", Trusted: true}, "ann@example.org", true},
		{"trusted MTA, other domain", Auth{From: "ann@example.org", Trusted: true}, "ann@example.com", false},
		{"public suffix with two labels", Auth{From: "a@mail.example.co.uk", Aligned: true}, "b@example.co.uk", true},
		{"siblings under a public suffix", Auth{From: "a@example.co.uk", Aligned: true}, "b@other.co.uk", false},
		{"siblings under a private suffix", Auth{From: "a@foo.github.io", Aligned: true}, "b@bar.github.io", false},
		{"S/MIME signer", Auth{From: "ann@example.org", SMIME: []string{"boss@example.com"}}, "mailto:Boss@Example.com", true},
		{"S/MIME, other address", Auth{From: "ann@example.org", SMIME: []string{"boss@example.com"}}, "clerk@example.com", false},
		{"empty actor", Auth{From: "ann@example.org", Aligned: true}, "", false},
		{"actor without domain", Auth{From: "ann@example.org", Aligned: true}, "mailto:ann", false},
		{"no From", Auth{Aligned: true}, "ann@example.org", false},
	}
	for _, tt := range tests {
		if got := tt.auth.Verifies(tt.actor); got != tt.want {
			t.Errorf("%s: %+v.Verifies(%q) = %v, want %v", tt.name, tt.auth, tt.actor, got, tt.want)
		}
	}
}

func TestAligned(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"example.org", "example.org", true},
		{"Example.ORG.", "mail.example.org", true},
		{"a.b.example.org", "c.example.org", true},
		{"example.org", "example.com", false},
		{"example.org", "notexample.org", false},
		{"co.uk", "example.co.uk", false},
		{"localhost", "localhost", true},
		{"", "", false},
		{"example.org", "", false},
	}
	for _, tt := range tests {
		if got := aligned(tt.a, tt.b); got != tt.want {
			t.Errorf("aligned(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAuthorAddress(t *testing.T) {
	tests := []struct {
		from []string
		want string // "" = refused
	}{
		{[]string{"ann@example.org"}, "ann@example.org"},
		{[]string{"Ann Example <ann@example.org>"}, "ann@example.org"},
		{[]string{`"Example, Ann" <ann@example.org> (work)`}, "ann@example.org"},
		{[]string{"=?utf-8?q?Ann_=C3=89xample?= <ann@example.org>"}, "ann@example.org"},
		{[]string{"=?x-unknown?q?Ann?= <ann@example.org>"}, "ann@example.org"},
		{[]string{"ann@example.org <ann@example.org>"}, "ann@example.org"},
		{nil, ""},
		{[]string{"ann@example.org", "eve@evil.example"}, ""},
		{[]string{"ann@example.org, eve@evil.example"}, ""},
		{[]string{"undisclosed-recipients:;"}, ""},
		{[]string{"ann"}, ""},
		{[]string{"<a@b.example> <c@d.example>"}, ""},
		{[]string{"x <ann@example.org> trailing"}, ""},
	}
	for _, tt := range tests {
		var b []byte
		for _, f := range tt.from {
			b = append(b, "From: "+f+"\r\n"...)
		}
		b = append(b, "\r\n"...)
		h, _, err := splitHeader(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := authorAddress(h)
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("authorAddress(%q) = %q, %v; want %q", tt.from, got, err, tt.want)
		}
	}
}

func TestSplitHeader(t *testing.T) {
	h, body, err := splitHeader([]byte("From: a@b.example\r\nSubject: folded\r\n line\r\n\r\nbody\r\n"))
	if err != nil || h.Get("Subject") != "folded line" || string(body) != "body\r\n" {
		t.Errorf("splitHeader = %v, %q, %v", h.Get("Subject"), body, err)
	}
	h, body, err = splitHeader([]byte("From: a@b.example\r\n"))
	if err != nil || h.Get("From") != "a@b.example" || len(body) != 0 {
		t.Errorf("splitHeader(header only) = %q, %q, %v", h.Get("From"), body, err)
	}
}
