// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// dkimNow is the clock of the tests.
var dkimNow = time.Unix(1700000000, 0)

// dkimEd25519Key is a fixed Ed25519 key, so that signatures are the same
// on every run.
var dkimEd25519Key = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// dkimRSAKey is generated once: 2048 bits take a while.
var dkimRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// dkimKeyRecord returns the DNS TXT key record of key's public half, with
// extra tags (such as "s=ischedule; ") before p=.
func dkimKeyRecord(t testing.TB, key crypto.Signer, extra string) string {
	t.Helper()
	switch k := key.Public().(type) {
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; " + extra + "p=" + base64.StdEncoding.EncodeToString(k)
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return "v=DKIM1; k=rsa; " + extra + "p=" + base64.StdEncoding.EncodeToString(der)
	default:
		t.Fatalf("key type %T", k)
		return ""
	}
}

// dkimDNS answers TXT queries from a map; other names do not exist.
type dkimDNS struct {
	records map[string][]string
	err     error // when set, every query fails with it
	queries []string
}

func (d *dkimDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	d.queries = append(d.queries, name)
	if d.err != nil {
		return nil, d.err
	}
	if txt, ok := d.records[name]; ok {
		return txt, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

const dkimTestBody = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example Corp.//EN\r\nMETHOD:REQUEST\r\n" +
	"BEGIN:VEVENT\r\nDTSTAMP:20040901T200200Z\r\nORGANIZER:mailto:bernard@example.com\r\n" +
	"DTSTART:20040902T130000Z\r\nDTEND:20040902T140000Z\r\nSUMMARY:Design meeting\r\n" +
	"UID:34222-232@example.com\r\nATTENDEE:mailto:cyrus@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// dkimTestRequest is an iSchedule POST (the -05 "Simple Meeting
// Invitation" headers) built with httptest.
func dkimTestRequest() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "https://cal.example.org/.well-known/ischedule", strings.NewReader(dkimTestBody))
	r.Header.Set("iSchedule-Version", "1.0")
	r.Header.Set("iSchedule-Message-ID", "798F00BB-5B45-4634-B083-0D0CD3A2BB39")
	r.Header.Set("Originator", "mailto:bernard@example.com")
	r.Header.Set("Recipient", "mailto:cyrus@example.org")
	r.Header.Set("Cache-Control", "no-cache, no-transform")
	r.Header.Set("Content-Type", "text/calendar; component=VEVENT; method=REQUEST")
	r.Header.Set("Content-Length", strconv.Itoa(len(dkimTestBody)))
	return r
}

// dkimFixture is a signed request and a verifier that has its key in DNS.
type dkimFixture struct {
	h    http.Header
	body []byte
	dns  *dkimDNS
	v    *Verifier
	now  time.Time // what v.Now returns
}

const dkimKeyName = "jupiter._domainkey.example.com"

// newDKIMFixture signs dkimTestRequest with key as example.com/jupiter at
// dkimNow and publishes the key with the "ischedule" service type.
func newDKIMFixture(t testing.TB, key crypto.Signer) *dkimFixture {
	t.Helper()
	r := dkimTestRequest()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	s := &Signer{Domain: "example.com", Selector: "jupiter", Key: key}
	if err := s.Sign(r.Header, body, dkimNow); err != nil {
		t.Fatalf("Sign: %v", err)
	}
	f := &dkimFixture{h: r.Header, body: body, now: dkimNow}
	f.dns = &dkimDNS{records: map[string][]string{dkimKeyName: {dkimKeyRecord(t, key, "s=ischedule; ")}}}
	f.v = &Verifier{LookupTXT: f.dns.LookupTXT, Now: func() time.Time { return f.now }}
	return f
}

// dkimCustomSignature returns a DKIM-Signature value made of the tag list
// tags, which must end in "b=", signed with key over h and body by the
// package's hashing. "{bh}" in tags is replaced by the body hash. It
// makes the signatures that Signer never writes.
func dkimCustomSignature(t testing.TB, key crypto.Signer, h http.Header, body []byte, tags string) string {
	t.Helper()
	tags = strings.ReplaceAll(tags, "{bh}", base64.StdEncoding.EncodeToString(dkimBodyHash(body)))
	if !strings.HasSuffix(tags, "b=") {
		t.Fatalf("dkimCustomSignature: %q does not end in b=", tags)
	}
	// A malformed tag list (a test of the parser) is signed over the
	// DKIM-Signature field alone.
	list, _ := parseDKIMTags(tags)
	var names []string
	for _, tg := range list {
		if tg.name == "h" {
			names = dkimColonList(tg.value)
		}
	}
	digest, err := dkimHeaderHash(h, names, tags)
	if err != nil {
		t.Fatal(err)
	}
	var opts crypto.SignerOpts = crypto.SHA256
	if _, ok := key.(ed25519.PrivateKey); ok {
		opts = crypto.Hash(0)
	}
	sig, err := key.Sign(rand.Reader, digest, opts)
	if err != nil {
		t.Fatal(err)
	}
	return tags + base64.StdEncoding.EncodeToString(sig)
}

// TestDKIMRoundTripHTTP signs a request, sends it with net/http to a
// server that verifies what it receives: the signature must survive the
// client (which adds User-Agent, Host, Content-Length, Accept-Encoding)
// and the server's header parsing.
func TestDKIMRoundTripHTTP(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  crypto.Signer
	}{
		{"rsa-2048", dkimRSAKey()},
		{"ed25519", dkimEd25519Key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dns := &dkimDNS{records: map[string][]string{
				"jupiter._domainkey.example.com": {dkimKeyRecord(t, tc.key, "s=ischedule; ")},
			}}
			v := &Verifier{LookupTXT: dns.LookupTXT}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				domain, err := v.Verify(r.Context(), r.Header, body)
				if err != nil {
					http.Error(w, err.Error(), http.StatusForbidden)
					return
				}
				io.WriteString(w, domain)
			}))
			t.Cleanup(srv.Close)

			post := func(mutate func(*http.Request)) (int, string) {
				t.Helper()
				req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/.well-known/ischedule", strings.NewReader(dkimTestBody))
				if err != nil {
					t.Fatal(err)
				}
				req.Header = dkimTestRequest().Header.Clone()
				req.Header.Del("Content-Length")
				s := &Signer{Domain: "Example.COM", Selector: "jupiter", Key: tc.key}
				if err := s.Sign(req.Header, []byte(dkimTestBody), time.Now()); err != nil {
					t.Fatalf("Sign: %v", err)
				}
				if mutate != nil {
					mutate(req)
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, strings.TrimSpace(string(b))
			}
			if code, got := post(nil); code != http.StatusOK || got != "example.com" {
				t.Errorf("Verify of a signed request = %d %q, want 200 \"example.com\" (d= in lower case)", code, got)
			}
			code, got := post(func(r *http.Request) { r.Header.Add("Recipient", "mailto:eve@example.net") })
			if code != http.StatusForbidden || !strings.Contains(got, "does not verify") {
				t.Errorf("Verify with a Recipient added in transit = %d %q, want 403 \"does not verify\"", code, got)
			}
		})
	}
}

func TestDKIMSignVerify(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  crypto.Signer
	}{
		{"rsa-2048", dkimRSAKey()},
		{"ed25519", dkimEd25519Key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDKIMFixture(t, tc.key)
			domain, err := f.v.Verify(t.Context(), f.h, f.body)
			if err != nil || domain != "example.com" {
				t.Fatalf("Verify = %q, %v; want \"example.com\", nil", domain, err)
			}
			if len(f.dns.queries) != 1 || f.dns.queries[0] != dkimKeyName {
				t.Errorf("Verify queried %q, want [%s]", f.dns.queries, dkimKeyName)
			}
		})
	}
}

// TestDKIMSignHeader checks the tags that Sign writes.
func TestDKIMSignHeader(t *testing.T) {
	f := newDKIMFixture(t, dkimEd25519Key)
	vs := f.h.Values("DKIM-Signature")
	if len(vs) != 1 {
		t.Fatalf("Sign added %d DKIM-Signature fields, want 1", len(vs))
	}
	if strings.ContainsAny(vs[0], "\r\n") {
		t.Errorf("Sign wrote a folded field: %q", vs[0])
	}
	tags, err := parseDKIMTags(vs[0])
	if err != nil {
		t.Fatalf("parseDKIMTags(%q): %v", vs[0], err)
	}
	bodySum := sha256.Sum256([]byte(dkimTestBody))
	var names []string
	got := map[string]string{}
	for _, tg := range tags {
		names = append(names, tg.name)
		got[tg.name] = tg.value
	}
	if want := "v a d s c q t x h bh b"; strings.Join(names, " ") != want {
		t.Errorf("Sign wrote tags %q, want %q", strings.Join(names, " "), want)
	}
	for tag, want := range map[string]string{
		"v": "1",
		"a": "ed25519-sha256",
		"d": "example.com",
		"s": "jupiter",
		"c": "ischedule-relaxed/simple",
		"q": "dns/txt",
		"t": "1700000000",
		"x": "1700003600",
		"h": "Content-Type:iSchedule-Version:Originator:Recipient:iSchedule-Message-ID",
		// SHA-256 of the body as it is: it ends in one CRLF.
		"bh": base64.StdEncoding.EncodeToString(bodySum[:]),
	} {
		if got[tag] != want {
			t.Errorf("Sign wrote %s=%s, want %s=%s", tag, got[tag], tag, want)
		}
	}
	// Ed25519 is deterministic: the same request gets the same b=.
	g := newDKIMFixture(t, dkimEd25519Key)
	if again := g.h.Get("DKIM-Signature"); again != vs[0] {
		t.Errorf("Sign is not deterministic for Ed25519:\n%s\n%s", vs[0], again)
	}
}

// TestDKIMSignOptionalFields checks that User-Agent and Authorization are
// signed when present (iSchedule -05 §7.1: SHOULD and MUST) and that the
// hop-by-hop fields never are.
func TestDKIMSignOptionalFields(t *testing.T) {
	h := dkimTestRequest().Header
	h.Set("User-Agent", "Almanac")
	h.Set("Authorization", "Bearer abc")
	h.Set("Connection", "keep-alive")
	h.Set("Via", "1.1 proxy")
	s := &Signer{Domain: "example.com", Selector: "jupiter", Key: dkimEd25519Key}
	if err := s.Sign(h, []byte(dkimTestBody), dkimNow); err != nil {
		t.Fatal(err)
	}
	sig, err := parseDKIMSignature(h.Get("DKIM-Signature"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(sig.headers, ":"), "Content-Type:iSchedule-Version:Originator:Recipient:iSchedule-Message-ID:User-Agent:Authorization"; got != want {
		t.Errorf("Sign h=%s, want h=%s", got, want)
	}
}

func TestDKIMSignErrors(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		signer Signer
		mutate func(http.Header)
		want   string
	}{
		{"no Content-Type", Signer{"example.com", "s", dkimEd25519Key}, func(h http.Header) { h.Del("Content-Type") }, "Content-Type"},
		{"no iSchedule-Version", Signer{"example.com", "s", dkimEd25519Key}, func(h http.Header) { h.Del("iSchedule-Version") }, "iSchedule-Version"},
		{"no Originator", Signer{"example.com", "s", dkimEd25519Key}, func(h http.Header) { h.Del("Originator") }, "Originator"},
		{"no Recipient", Signer{"example.com", "s", dkimEd25519Key}, func(h http.Header) { h.Del("Recipient") }, "Recipient"},
		{"newline in a signed value", Signer{"example.com", "s", dkimEd25519Key}, func(h http.Header) { h.Set("Originator", "mailto:a@example.com\r\nX: y") }, "invalid Originator"},
		{"ECDSA key", Signer{"example.com", "s", ec}, nil, "neither RSA nor Ed25519"},
		{"no key", Signer{"example.com", "s", nil}, nil, "no key"},
		{"no selector", Signer{"example.com", "", dkimEd25519Key}, nil, "selector"},
		{"bad domain", Signer{"example.com;x=1", "s", dkimEd25519Key}, nil, "domain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := dkimTestRequest().Header
			if tc.mutate != nil {
				tc.mutate(h)
			}
			err := tc.signer.Sign(h, []byte(dkimTestBody), dkimNow)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Sign = %v, want an error mentioning %q", err, tc.want)
			}
			if h.Get("DKIM-Signature") != "" {
				t.Errorf("Sign failed but added a DKIM-Signature")
			}
		})
	}
}

// TestDKIMVerify runs the checks of Verify on an Ed25519-signed request
// changed in one way each. want is "" for a request that must verify, or
// a fragment of the reason it must not.
func TestDKIMVerify(t *testing.T) {
	rsaRecord := dkimKeyRecord(t, dkimRSAKey(), "")
	for _, tc := range []struct {
		name   string
		mutate func(f *dkimFixture)
		want   string
	}{
		{"unchanged", func(f *dkimFixture) {}, ""},
		{"tampered body", func(f *dkimFixture) {
			f.body = bytes.Replace(f.body, []byte("Design meeting"), []byte("Design meetinG"), 1)
		}, "body hash mismatch"},
		{"body truncated", func(f *dkimFixture) { f.body = f.body[:len(f.body)-20] }, "body hash mismatch"},
		{"empty lines appended to the body (simple body canonicalization)", func(f *dkimFixture) {
			f.body = append(append([]byte{}, f.body...), "\r\n\r\n"...)
		}, ""},
		{"tampered Originator", func(f *dkimFixture) { f.h.Set("Originator", "mailto:mallory@example.com") }, "does not verify"},
		{"tampered Recipient", func(f *dkimFixture) { f.h.Set("Recipient", "mailto:eve@example.net") }, "does not verify"},
		{"second Recipient line added", func(f *dkimFixture) { f.h.Add("Recipient", "mailto:eve@example.net") }, "does not verify"},
		{"tampered Content-Type", func(f *dkimFixture) { f.h.Set("Content-Type", "text/calendar; component=VEVENT; method=CANCEL") }, "does not verify"},
		{"iSchedule-Message-ID removed", func(f *dkimFixture) { f.h.Del("iSchedule-Message-ID") }, "does not verify"},
		{"Originator re-spaced (ischedule-relaxed)", func(f *dkimFixture) { f.h.Set("Originator", "  mailto:bernard@example.com\t ") }, ""},
		{"unsigned hop-by-hop fields added", func(f *dkimFixture) {
			f.h.Set("Via", "1.1 proxy.example.net")
			f.h.Set("Cache-Control", "no-cache")
			f.h.Set("Content-Length", "1")
		}, ""},
		{"header names in other case", func(f *dkimFixture) {
			v := f.h["Originator"]
			delete(f.h, "Originator")
			f.h["ORIGINATOR"] = v
		}, ""},
		{"Authorization added after signing", func(f *dkimFixture) { f.h.Set("Authorization", "Basic Zm9vOmJhcg==") }, "Authorization"},
		{"expired x=", func(f *dkimFixture) { f.now = dkimNow.Add(time.Hour + time.Second) }, "expired"},
		{"at x=", func(f *dkimFixture) { f.now = dkimNow.Add(time.Hour) }, ""},
		{"t= 6 minutes in the future", func(f *dkimFixture) { f.now = dkimNow.Add(-6 * time.Minute) }, "in the future"},
		{"t= 4 minutes in the future", func(f *dkimFixture) { f.now = dkimNow.Add(-4 * time.Minute) }, ""},
		{"wrong key type", func(f *dkimFixture) { f.dns.records[dkimKeyName] = []string{rsaRecord} }, "a=ed25519-sha256 with an RSA key"},
		{"other Ed25519 key", func(f *dkimFixture) {
			other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, ed25519.SeedSize))
			f.dns.records[dkimKeyName] = []string{dkimKeyRecord(t, other, "")}
		}, "does not verify"},
		{"key revoked", func(f *dkimFixture) { f.dns.records[dkimKeyName] = []string{"v=DKIM1; k=ed25519; p="} }, "revoked"},
		{"service type email", func(f *dkimFixture) {
			f.dns.records[dkimKeyName] = []string{dkimKeyRecord(t, dkimEd25519Key, "s=email; ")}
		}, "service type"},
		{"service type email:ischedule", func(f *dkimFixture) {
			f.dns.records[dkimKeyName] = []string{dkimKeyRecord(t, dkimEd25519Key, "s=email:ischedule; ")}
		}, ""},
		{"service type *", func(f *dkimFixture) {
			f.dns.records[dkimKeyName] = []string{dkimKeyRecord(t, dkimEd25519Key, "s=*; ")}
		}, ""},
		{"no service type", func(f *dkimFixture) {
			f.dns.records[dkimKeyName] = []string{dkimKeyRecord(t, dkimEd25519Key, "")}
		}, ""},
		{"key hash algorithms sha1 only", func(f *dkimFixture) {
			f.dns.records[dkimKeyName] = []string{dkimKeyRecord(t, dkimEd25519Key, "h=sha1; ")}
		}, "sha256"},
		{"key record version not first", func(f *dkimFixture) {
			f.dns.records[dkimKeyName] = []string{"k=ed25519; v=DKIM1; p=" + base64.StdEncoding.EncodeToString(dkimEd25519Key.Public().(ed25519.PublicKey))}
		}, "DKIM1"},
		{"unknown key type", func(f *dkimFixture) {
			f.dns.records[dkimKeyName] = []string{"v=DKIM1; k=dsa; p=AAAA"}
		}, "k=dsa"},
		{"two key records", func(f *dkimFixture) {
			f.dns.records[dkimKeyName] = append(f.dns.records[dkimKeyName], rsaRecord)
		}, "2 key records"},
		{"no key record", func(f *dkimFixture) { delete(f.dns.records, dkimKeyName) }, "no such host"},
		{"configured key", func(f *dkimFixture) {
			f.v.Keys = map[string]string{"JUPITER._domainkey.example.com": dkimKeyRecord(t, dkimEd25519Key, "")}
			f.dns.err = errors.New("DNS must not be asked")
		}, ""},
		{"configured key wins over DNS", func(f *dkimFixture) {
			f.v.Keys = map[string]string{dkimKeyName: rsaRecord}
		}, "with an RSA key"},
		{"configured key for another selector", func(f *dkimFixture) {
			f.v.Keys = map[string]string{"saturn._domainkey.example.com": rsaRecord}
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDKIMFixture(t, dkimEd25519Key)
			tc.mutate(f)
			domain, err := f.v.Verify(t.Context(), f.h, f.body)
			checkDKIMVerify(t, domain, err, tc.want)
		})
	}
}

// checkDKIMVerify checks the result of Verify against want: "" for success
// with d=example.com, else a fragment of the error.
func checkDKIMVerify(t *testing.T, domain string, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil || domain != "example.com" {
			t.Errorf("Verify = %q, %v; want \"example.com\", nil", domain, err)
		}
		return
	}
	if !errors.Is(err, ErrVerification) || !strings.Contains(err.Error(), want) {
		t.Errorf("Verify = %q, %v; want ErrVerification mentioning %q", domain, err, want)
	}
	if domain != "" {
		t.Errorf("Verify failed but returned domain %q", domain)
	}
}

// TestDKIMVerifyTags checks the signature tags that Signer never writes
// but other senders might.
func TestDKIMVerifyTags(t *testing.T) {
	const std = "a=ed25519-sha256; d=example.com; s=jupiter; c=ischedule-relaxed/simple; q=dns/txt; t=1700000000; x=1700003600; "
	const hStd = "h=Content-Type:iSchedule-Version:Originator:Recipient; "
	for _, tc := range []struct {
		name string
		tags string
		want string
	}{
		{"no v= (as in the -05 examples)", std + hStd + "bh={bh}; b=", ""},
		{"v=1", "v=1; " + std + hStd + "bh={bh}; b=", ""},
		{"v=2", "v=2; " + std + hStd + "bh={bh}; b=", "v=2"},
		{"no c=", "a=ed25519-sha256; d=example.com; s=jupiter; " + hStd + "bh={bh}; b=", "missing c="},
		{"c=relaxed/simple", "a=ed25519-sha256; d=example.com; s=jupiter; c=relaxed/simple; " + hStd + "bh={bh}; b=", "c=relaxed/simple"},
		{"c=ischedule-relaxed/relaxed", "a=ed25519-sha256; d=example.com; s=jupiter; c=ischedule-relaxed/relaxed; " + hStd + "bh={bh}; b=", "c=ischedule-relaxed/relaxed"},
		{"c=ischedule-relaxed (simple body by default)", "a=ed25519-sha256; d=example.com; s=jupiter; c=ischedule-relaxed; " + hStd + "bh={bh}; b=", ""},
		{"a=rsa-sha1", "a=rsa-sha1; d=example.com; s=jupiter; c=ischedule-relaxed/simple; " + hStd + "bh={bh}; b=", "a=rsa-sha1"},
		{"l=", std + hStd + "l=10; bh={bh}; b=", "l="},
		{"no t= and no x=", "a=ed25519-sha256; d=example.com; s=jupiter; c=ischedule-relaxed/simple; " + hStd + "bh={bh}; b=", ""},
		{"x= before t=", "a=ed25519-sha256; d=example.com; s=jupiter; c=ischedule-relaxed/simple; t=1700000000; x=1699999999; " + hStd + "bh={bh}; b=", "x= is not after t="},
		{"t= of 13 digits", "a=ed25519-sha256; d=example.com; s=jupiter; c=ischedule-relaxed/simple; t=1700000000000; " + hStd + "bh={bh}; b=", "t="},
		{"h= without Content-Type", std + "h=iSchedule-Version:Originator:Recipient; bh={bh}; b=", "Content-Type"},
		{"h= without iSchedule-Version", std + "h=Content-Type:Originator:Recipient; bh={bh}; b=", "iSchedule-Version"},
		{"h= without Originator", std + "h=Content-Type:iSchedule-Version:Recipient; bh={bh}; b=", "Originator"},
		{"h= without Recipient", std + "h=Content-Type:iSchedule-Version:Originator; bh={bh}; b=", "Recipient"},
		{"h= names Recipient twice", std + "h=Content-Type:iSchedule-Version:Originator:Recipient:recipient; bh={bh}; b=", "twice"},
		{"h= names DKIM-Signature", std + "h=Content-Type:iSchedule-Version:Originator:Recipient:DKIM-Signature; bh={bh}; b=", "DKIM-Signature"},
		{"h= in another order and case, with FWS", std + "h=recipient : ORIGINATOR:\r\n\tcontent-type:ischedule-version; bh={bh}; b=", ""},
		{"h= names an absent field", std + "h=Content-Type:iSchedule-Version:Originator:Recipient:User-Agent; bh={bh}; b=", ""},
		{"q= lists http/well-known first", "a=ed25519-sha256; d=example.com; s=jupiter; c=ischedule-relaxed/simple; q=http/well-known:dns/txt; " + hStd + "bh={bh}; b=", ""},
		{"q=private-exchange without a configured key", "a=ed25519-sha256; d=example.com; s=jupiter; c=ischedule-relaxed/simple; q=private-exchange; " + hStd + "bh={bh}; b=", "does not allow dns/txt"},
		{"i= in a subdomain", std + hStd + "i=@cal.example.com; bh={bh}; b=", ""},
		{"i= in another domain", std + hStd + "i=@example.net; bh={bh}; b=", "i=@example.net"},
		{"d= in upper case", "a=ed25519-sha256; d=EXAMPLE.com; s=jupiter; c=ischedule-relaxed/simple; " + hStd + "bh={bh}; b=", ""},
		{"d= not a domain", "a=ed25519-sha256; d=example..com; s=jupiter; c=ischedule-relaxed/simple; " + hStd + "bh={bh}; b=", "d=example..com"},
		{"bh= of another body", std + hStd + "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=", "body hash mismatch"},
		{"duplicate tag", std + hStd + "s=jupiter; bh={bh}; b=", "duplicate tag s"},
		{"unknown tags ignored", std + hStd + "z=Originator:mailto:bernard@example.com; foo=bar; bh={bh}; b=", ""},
		{"huge field", std + hStd + "z=" + strings.Repeat("x", 9000) + "; bh={bh}; b=", "longer than 8192"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDKIMFixture(t, dkimEd25519Key)
			f.h.Set("DKIM-Signature", dkimCustomSignature(t, dkimEd25519Key, f.h, f.body, tc.tags))
			domain, err := f.v.Verify(t.Context(), f.h, f.body)
			checkDKIMVerify(t, domain, err, tc.want)
		})
	}
}

// TestDKIMVerifyRecipientLines: a sender's comma-separated Recipient list
// may reach the receiver as several Recipient fields (an intermediary may
// split or combine them, RFC 9110 §5.3); ischedule-relaxed joins them
// with "," and drops the white space around commas (iSchedule -05 §7.2.1
// steps 3 and 7), so the signature still verifies.
func TestDKIMVerifyRecipientLines(t *testing.T) {
	r := dkimTestRequest()
	r.Header.Set("Recipient", "mailto:cyrus@example.org, mailto:ken@example.org")
	s := &Signer{Domain: "example.com", Selector: "jupiter", Key: dkimEd25519Key}
	if err := s.Sign(r.Header, []byte(dkimTestBody), dkimNow); err != nil {
		t.Fatal(err)
	}
	dns := &dkimDNS{records: map[string][]string{dkimKeyName: {dkimKeyRecord(t, dkimEd25519Key, "")}}}
	v := &Verifier{LookupTXT: dns.LookupTXT, Now: func() time.Time { return dkimNow }}
	for _, lines := range [][]string{
		{"mailto:cyrus@example.org", "mailto:ken@example.org"},
		{"mailto:cyrus@example.org ,mailto:ken@example.org"},
	} {
		r.Header["Recipient"] = lines
		domain, err := v.Verify(t.Context(), r.Header, []byte(dkimTestBody))
		checkDKIMVerify(t, domain, err, "")
	}
	r.Header["Recipient"] = []string{"mailto:ken@example.org", "mailto:cyrus@example.org"}
	domain, err := v.Verify(t.Context(), r.Header, []byte(dkimTestBody))
	checkDKIMVerify(t, domain, err, "does not verify")
}

// TestDKIMVerifyAbsentSignedField: a field that h= names but the request
// lacked when signed counts as the null string (RFC 6376 §5.4), so adding
// it later breaks the signature.
func TestDKIMVerifyAbsentSignedField(t *testing.T) {
	f := newDKIMFixture(t, dkimEd25519Key)
	f.h.Set("DKIM-Signature", dkimCustomSignature(t, dkimEd25519Key, f.h, f.body,
		"a=ed25519-sha256; d=example.com; s=jupiter; c=ischedule-relaxed/simple; h=Content-Type:iSchedule-Version:Originator:Recipient:User-Agent; bh={bh}; b="))
	f.h.Set("User-Agent", "Mallory/1.0")
	domain, err := f.v.Verify(t.Context(), f.h, f.body)
	checkDKIMVerify(t, domain, err, "does not verify")
}

func TestDKIMVerifyNoSignature(t *testing.T) {
	r := dkimTestRequest()
	v := &Verifier{LookupTXT: (&dkimDNS{err: errors.New("no DNS in this test")}).LookupTXT}
	if _, err := v.Verify(t.Context(), r.Header, []byte(dkimTestBody)); err != ErrNoSignature {
		t.Errorf("Verify(unsigned) = %v, want ErrNoSignature", err)
	}
	r.Header.Set("DKIM-Signature", "")
	if _, err := v.Verify(t.Context(), r.Header, []byte(dkimTestBody)); !errors.Is(err, ErrVerification) {
		t.Errorf("Verify(empty DKIM-Signature) = %v, want ErrVerification", err)
	}
}

// TestDKIMVerifyDNSFailure: a failed lookup fails the verification, and
// the resolver's error stays visible so that the caller can tell a
// temporary failure.
func TestDKIMVerifyDNSFailure(t *testing.T) {
	f := newDKIMFixture(t, dkimEd25519Key)
	f.dns.err = &net.DNSError{Err: "server misbehaving", Name: dkimKeyName, IsTemporary: true}
	_, err := f.v.Verify(t.Context(), f.h, f.body)
	if !errors.Is(err, ErrVerification) {
		t.Fatalf("Verify = %v, want ErrVerification", err)
	}
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsTemporary {
		t.Errorf("Verify = %v, want it to wrap the temporary *net.DNSError", err)
	}
}

// TestDKIMVerifySeveral: the request verifies when one of its signatures
// does, and only the first 5 are examined.
func TestDKIMVerifySeveral(t *testing.T) {
	f := newDKIMFixture(t, dkimEd25519Key)
	good := f.h.Get("DKIM-Signature")
	bad := strings.Replace(good, "s=jupiter", "s=saturn", 1)

	f.h["Dkim-Signature"] = []string{bad, good}
	domain, err := f.v.Verify(t.Context(), f.h, f.body)
	checkDKIMVerify(t, domain, err, "")

	f.h["Dkim-Signature"] = []string{bad, bad, bad, bad, bad, good}
	f.dns.queries = nil
	domain, err = f.v.Verify(t.Context(), f.h, f.body)
	checkDKIMVerify(t, domain, err, "signature 5: key lookup saturn._domainkey.example.com")
	if n := len(f.dns.queries); n != 5 {
		t.Errorf("Verify of 6 signatures made %d DNS queries, want 5", n)
	}
	if strings.Contains(err.Error(), "signature 6") {
		t.Errorf("Verify examined a 6th signature: %v", err)
	}
}

func BenchmarkSign(b *testing.B) {
	for _, bc := range []struct {
		name string
		key  crypto.Signer
	}{
		{"ed25519", dkimEd25519Key},
		{"rsa-2048", dkimRSAKey()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			base := dkimTestRequest().Header
			body := []byte(dkimTestBody)
			s := &Signer{Domain: "example.com", Selector: "jupiter", Key: bc.key}
			b.ReportAllocs()
			for b.Loop() {
				h := base.Clone()
				if err := s.Sign(h, body, dkimNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, bc := range []struct {
		name string
		key  crypto.Signer
	}{
		{"ed25519", dkimEd25519Key},
		{"rsa-2048", dkimRSAKey()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			f := newDKIMFixture(b, bc.key)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.v.Verify(context.Background(), f.h, f.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDKIMVerifyErrorText: the error of one failed signature reads as one
// line that names the package and the reason.
func TestDKIMVerifyErrorText(t *testing.T) {
	f := newDKIMFixture(t, dkimEd25519Key)
	f.body = []byte("x")
	_, err := f.v.Verify(t.Context(), f.h, f.body)
	if got, want := fmt.Sprint(err), "crisp: DKIM verification failed: body hash mismatch"; got != want {
		t.Errorf("Verify error = %q, want %q", got, want)
	}
}
