// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzDKIMVerify feeds arbitrary DKIM-Signature values, key records and
// bodies to Verify. Properties: no panic; an error always wraps
// ErrVerification; a success names the signature's d= in lower case.
func FuzzDKIMVerify(f *testing.F) {
	f.Add("", "", []byte(dkimTestBody))
	// A valid Ed25519 signature of dkimTestRequest and its key record.
	good := newDKIMFixture(f, dkimEd25519Key)
	record := dkimKeyRecord(f, dkimEd25519Key, "s=ischedule; ")
	f.Add(good.h.Get("DKIM-Signature"), record, good.body)
	// The same with the key revoked.
	f.Add(good.h.Get("DKIM-Signature"), "v=DKIM1; k=ed25519; p=", good.body)
	// The same with an RSA key record of garbage.
	f.Add(good.h.Get("DKIM-Signature"), "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", good.body)
	// The iSchedule -05 example's field, unfolded as net/http does.
	f.Add("a=rsa-sha256; d=example.com; s=jupiter; c=ischedule-relaxed/simple; q=dns/txt:http/well-known; t=1268069852; x=1283918400; h=Originator:Recipient:Content-Type: iSchedule-Version:iSchedule-Message-ID; bh=XXXxxxXXXxxxXXXxxxXXXxxxXXXxxxXXXxxx; b=XXXxxxXXXxxxXXXxxxXXXxxxXXXxxxXXXxxxXXXxxxXXXxxxXXXxxx", record, []byte(dkimTestBody))
	// Tag-list edge cases: empty tags, a duplicate, no "=".
	f.Add("a=;;b", "v=DKIM1;;", []byte{})
	f.Add("v=1; v=1", "p", []byte("\r\n\r\n"))

	f.Fuzz(func(t *testing.T, sig, record string, body []byte) {
		h := dkimTestRequest().Header
		h.Set("DKIM-Signature", sig)
		v := &Verifier{
			Keys:      map[string]string{dkimKeyName: record},
			LookupTXT: func(context.Context, string) ([]string, error) { return nil, errors.New("no DNS while fuzzing") },
			Now:       func() time.Time { return dkimNow },
		}
		domain, err := v.Verify(context.Background(), h, body)
		if err != nil {
			if !errors.Is(err, ErrVerification) {
				t.Fatalf("Verify(%q) = %v, not ErrVerification", sig, err)
			}
			if domain != "" {
				t.Fatalf("Verify(%q) failed with domain %q", sig, domain)
			}
		} else if !strings.Contains(strings.ToLower(sig), "d="+domain) || domain != strings.ToLower(domain) {
			t.Fatalf("Verify(%q) = %q, not the signature's d= in lower case", sig, domain)
		}
		_, _ = parseDKIMKeyRecord(record)
	})
}

// FuzzDKIMCanonicalField checks the shape of ischedule-relaxed output
// (iSchedule -05 §7.2.1) for any field: a lower-case name and a colon, a
// value without CR, LF, HTAB, runs of spaces, spaces at either end or
// spaces next to a comma; and canonicalizing again changes nothing.
func FuzzDKIMCanonicalField(f *testing.F) {
	f.Add("Recipient", "mailto:a@example.org , mailto:b@example.org", "mailto:c@example.org")
	f.Add("Content-Type", "text/calendar;\r\n component=VEVENT;\t method=REQUEST ", "")
	f.Add("X", " \t ", " , ")
	f.Add("SUBJect", "AbC", ",,")
	f.Fuzz(func(t *testing.T, name, v1, v2 string) {
		if strings.ContainsAny(name, ": \t\r\n") {
			return // not a field name
		}
		out := string(dkimCanonicalField(nil, name, []string{v1, v2}))
		n, value, ok := strings.Cut(out, ":")
		if !ok || n != dkimASCIILower(name) {
			t.Fatalf("dkimCanonicalField(%q) = %q: name not lower-cased", name, out)
		}
		if strings.ContainsAny(value, "\r\n\t") || strings.Contains(value, "  ") ||
			strings.HasPrefix(value, " ") || strings.HasSuffix(value, " ") ||
			strings.Contains(value, " ,") || strings.Contains(value, ", ") {
			t.Fatalf("dkimCanonicalField(%q, %q, %q) = %q: not canonical", name, v1, v2, out)
		}
		if again := string(dkimCanonicalField(nil, n, []string{value})); again != out {
			t.Fatalf("dkimCanonicalField(%q) = %q, not idempotent", out, again)
		}
	})
}

// dkimASCIILower lower-cases the ASCII letters of s and leaves every other
// byte alone, as the canonicalization does.
func dkimASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
