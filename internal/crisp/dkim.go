// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DKIM for HTTP (iSchedule -05 §7): a request carries a DKIM-Signature
// header field (RFC 6376) over selected HTTP header fields, canonicalized
// with "ischedule-relaxed", and over the body, canonicalized with
// "simple". Keys are RSA (rsa-sha256, RFC 6376 §3.3) or Ed25519
// (ed25519-sha256, RFC 8463).

// Errors of Verify.
var (
	// ErrNoSignature: the request has no DKIM-Signature.
	ErrNoSignature = errors.New("crisp: no DKIM signature")
	// ErrVerification: a signature is present but none verifies. The
	// error returned by Verify wraps it together with the reasons, and
	// with the resolver's error when a key lookup failed (a
	// *net.DNSError tells a temporary failure from a missing key).
	ErrVerification = errors.New("crisp: DKIM verification failed")
)

// Limits of Verify.
const (
	// dkimMaxSignatures is how many DKIM-Signature fields are examined; the
	// ones after are ignored. Each may cost a DNS query.
	dkimMaxSignatures = 5
	// dkimMaxSignatureLen caps one DKIM-Signature field value; a signature
	// with an 8192-bit RSA key is about 1700 bytes.
	dkimMaxSignatureLen = 8192
	// dkimMaxClockSkew is how far in the future t= may be: iSchedule -05 §7.4
	// says receivers SHOULD accept up to 5 minutes.
	dkimMaxClockSkew = 5 * time.Minute
	// dkimLifetime is the distance between t= and x= of our
	// signatures; iSchedule -05 §7.1 asks for at least one minute.
	dkimLifetime = time.Hour
)

// dkimSignedFields are the header fields Sign covers, in the order of h=.
// iSchedule -05 §7.1: Content-Type, iSchedule-Version, Originator and
// Recipient MUST be signed, Authorization MUST be when HTTP authentication
// is used, iSchedule-Message-ID and User-Agent SHOULD be when present.
// The hop-by-hop fields and Content-Length MUST NOT be signed, and are
// not in the list.
var dkimSignedFields = []struct {
	name     string
	required bool
}{
	{"Content-Type", true},
	{"iSchedule-Version", true},
	{"Originator", true},
	{"Recipient", true},
	{"iSchedule-Message-ID", false},
	{"User-Agent", false},
	{"Authorization", false},
}

// Signer signs outgoing requests (iSchedule -05 §7).
type Signer struct {
	// Domain is the signing domain (d=). Receivers compare it with the
	// Originator's domain (iSchedule -05 §7.4), so it should be that
	// domain or a parent of it.
	Domain string
	// Selector names the key (s=): receivers look up the TXT record
	// "<Selector>._domainkey.<Domain>", or their configured copy.
	Selector string
	// Key is the private key: RSA of at least 1024 bits (RFC 8301 §3.2;
	// 2048 recommended) or Ed25519 (RFC 8463). Any crypto.Signer whose
	// Public method returns *rsa.PublicKey or ed25519.PublicKey will do.
	Key crypto.Signer
}

// Sign adds a DKIM-Signature header field to h, the header of a request
// with body (before any transfer coding). The signature covers
// Content-Type, iSchedule-Version, Originator and Recipient, which h must
// have, and iSchedule-Message-ID, User-Agent and Authorization when h has
// them, so these must not change after Sign; set them first. It is valid
// from now for one hour (t= and x=).
//
// The field value is written on one line: HTTP/1.1 forbids generating
// folded header lines (RFC 9112 §5.2), and net/http rejects header values
// with CR or LF.
func (s *Signer) Sign(h http.Header, body []byte, now time.Time) error {
	v, err := s.signature(h, body, now)
	if err != nil {
		return err
	}
	h.Add("DKIM-Signature", v)
	return nil
}

// signature returns the DKIM-Signature field value for h and body.
func (s *Signer) signature(h http.Header, body []byte, now time.Time) (string, error) {
	alg, err := s.algorithm()
	if err != nil {
		return "", err
	}
	var names []string
	for _, f := range dkimSignedFields {
		vs := dkimHeaderValues(h, f.name)
		if len(vs) == 0 {
			if f.required {
				// iSchedule -05 §7.1: these MUST be included in the
				// signature, so the request must have them.
				return "", fmt.Errorf("crisp: DKIM sign: the request has no %s header field", f.name)
			}
			continue
		}
		for _, v := range vs {
			if !dkimValidFieldValue(v) {
				return "", fmt.Errorf("crisp: DKIM sign: invalid %s header field value %q", f.name, v)
			}
		}
		names = append(names, f.name)
	}
	var b strings.Builder
	b.WriteString("v=1; a=")
	b.WriteString(alg)
	b.WriteString("; d=")
	b.WriteString(strings.ToLower(s.Domain))
	b.WriteString("; s=")
	b.WriteString(s.Selector)
	b.WriteString("; c=" + dkimCanonISchedule + "; q=" + dkimQueryDNSTXT + "; t=")
	b.WriteString(strconv.FormatInt(now.Unix(), 10))
	b.WriteString("; x=")
	b.WriteString(strconv.FormatInt(now.Add(dkimLifetime).Unix(), 10))
	b.WriteString("; h=")
	b.WriteString(strings.Join(names, ":"))
	b.WriteString("; bh=")
	b.WriteString(base64.StdEncoding.EncodeToString(dkimBodyHash(body)))
	b.WriteString("; b=")
	noB := b.String()
	digest, err := dkimHeaderHash(h, names, noB)
	if err != nil {
		return "", fmt.Errorf("crisp: DKIM sign: %w", err)
	}
	var opts crypto.SignerOpts = crypto.SHA256
	if alg == dkimEd25519SHA256 {
		// RFC 8463 §3: Ed25519 (PureEdDSA) signs the SHA-256 digest.
		opts = crypto.Hash(0)
	}
	sig, err := s.Key.Sign(rand.Reader, digest, opts)
	if err != nil {
		return "", fmt.Errorf("crisp: DKIM sign: %w", err)
	}
	return noB + base64.StdEncoding.EncodeToString(sig), nil
}

// algorithm checks the signer and returns its a= value.
func (s *Signer) algorithm() (string, error) {
	if !dkimValidDomain(strings.ToLower(s.Domain)) {
		return "", fmt.Errorf("crisp: DKIM signer domain %q is not a domain name", s.Domain)
	}
	if !dkimValidSelector(s.Selector) {
		return "", fmt.Errorf("crisp: DKIM signer selector %q is not a valid selector", s.Selector)
	}
	if s.Key == nil {
		return "", errors.New("crisp: DKIM signer has no key")
	}
	switch k := s.Key.Public().(type) {
	case *rsa.PublicKey:
		// RFC 8301 §3.2: signers MUST use RSA keys of at least 1024 bits.
		if bits := k.N.BitLen(); bits < dkimMinRSABits {
			return "", fmt.Errorf("crisp: DKIM RSA key has %d bits, RFC 8301 requires at least %d", bits, dkimMinRSABits)
		}
		return dkimRSASHA256, nil
	case ed25519.PublicKey:
		return dkimEd25519SHA256, nil
	default:
		return "", fmt.Errorf("crisp: DKIM key type %T is neither RSA nor Ed25519", k)
	}
}

// dkimValidFieldValue rejects the control characters that HTTP field values
// cannot carry (RFC 9110 §5.5): a value the client would refuse to send,
// or that would reach the receiver in another form, cannot be signed.
func dkimValidFieldValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// Verifier checks the DKIM signatures of incoming requests (iSchedule -05
// §7.4). A Verifier is safe for concurrent use if LookupTXT and Now are
// and Keys is not modified.
type Verifier struct {
	// LookupTXT answers DNS TXT queries for key records (q=dns/txt); nil
	// uses net.DefaultResolver.LookupTXT. It is given the context of
	// Verify, which bounds the lookup.
	LookupTXT func(ctx context.Context, name string) ([]string, error)
	// Keys are configured key records ("v=DKIM1; k=ed25519; p=..."), by
	// query name "<selector>._domainkey.<domain>" (matched without regard
	// to case): the keys exchanged with peers out of band (iSchedule -05
	// §7.3.3 private-exchange). A configured key is used whatever the
	// signature's q= says, and DNS is not asked for that name. Nil means
	// none.
	Keys map[string]string
	// Now is the clock for t= and x=; nil means time.Now.
	Now func() time.Time
}

// Verify checks the DKIM-Signature header fields of a request with header
// h and body (after any transfer coding has been removed), and returns the
// signing domain (d=, in lower case) of the first one that verifies. At
// most 5 signatures are examined.
//
// A signature verifies when (RFC 6376 §6.1, iSchedule -05 §7): its tags
// are well formed, with v=1 or no v= (the -05 examples omit it),
// a=rsa-sha256 or ed25519-sha256, c=ischedule-relaxed/simple and no l=;
// h= names Content-Type, iSchedule-Version, Originator and Recipient, and
// Authorization when the request has one, each once; t= is at most 5
// minutes ahead of Now and x= is not past; the body hash matches bh=; the
// key (configured in Keys, else from DNS when q= allows dns/txt) is not
// revoked, allows the ischedule service and is of the type a= names; and
// the header signature verifies with it.
//
// Without any DKIM-Signature the error is ErrNoSignature; otherwise it
// wraps ErrVerification. Verify does not compare d= with the Originator's
// domain (iSchedule -05 §7.4): that is the caller's policy.
func (v *Verifier) Verify(ctx context.Context, h http.Header, body []byte) (string, error) {
	sigs := dkimHeaderValues(h, "DKIM-Signature")
	if len(sigs) == 0 {
		return "", ErrNoSignature
	}
	if len(sigs) > dkimMaxSignatures {
		sigs = sigs[:dkimMaxSignatures]
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	var bh []byte // computed once, for the first signature that gets there
	var errs []error
	for i, raw := range sigs {
		domain, err := v.verify(ctx, h, body, raw, now, &bh)
		if err == nil {
			return domain, nil
		}
		if len(sigs) > 1 {
			err = fmt.Errorf("signature %d: %w", i+1, err)
		}
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return "", fmt.Errorf("%w: %w", ErrVerification, errs[0])
	}
	return "", fmt.Errorf("%w: %w", ErrVerification, dkimErrors(errs))
}

// verify checks one DKIM-Signature field value raw and returns its d=.
// bh caches the body hash across the signatures of one request.
func (v *Verifier) verify(ctx context.Context, h http.Header, body []byte, raw string, now time.Time, bh *[]byte) (string, error) {
	if len(raw) > dkimMaxSignatureLen {
		return "", fmt.Errorf("signature longer than %d bytes", dkimMaxSignatureLen)
	}
	sig, err := parseDKIMSignature(raw)
	if err != nil {
		return "", err
	}
	// iSchedule -05 §7.1: if HTTP authentication is used, Authorization
	// MUST be included in the signature.
	if len(dkimHeaderValues(h, "Authorization")) > 0 && !sig.signs("Authorization") {
		return "", errors.New("the request has an Authorization header field that h= does not include (iSchedule -05 §7.1)")
	}
	// iSchedule -05 §7.4: t= no more than 5 minutes in the future.
	if sig.t >= 0 && sig.t > now.Add(dkimMaxClockSkew).Unix() {
		return "", fmt.Errorf("signature timestamp t=%d is more than %v in the future", sig.t, dkimMaxClockSkew)
	}
	// RFC 6376 §3.5: past x= the signature MUST be considered invalid.
	if sig.x >= 0 && now.Unix() > sig.x {
		return "", fmt.Errorf("signature expired at x=%d", sig.x)
	}
	if *bh == nil {
		*bh = dkimBodyHash(body)
	}
	if !bytes.Equal(*bh, sig.dkimBodyHash) {
		return "", errors.New("body hash mismatch")
	}
	pub, err := v.key(ctx, sig)
	if err != nil {
		return "", err
	}
	digest, err := dkimHeaderHash(h, sig.headers, sig.noB)
	if err != nil {
		return "", err
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if sig.algorithm != dkimRSASHA256 {
			return "", fmt.Errorf("a=%s with an RSA key", sig.algorithm)
		}
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, digest, sig.sig) != nil {
			return "", errors.New("signature does not verify")
		}
	case ed25519.PublicKey:
		if sig.algorithm != dkimEd25519SHA256 {
			return "", fmt.Errorf("a=%s with an Ed25519 key", sig.algorithm)
		}
		if !ed25519.Verify(k, digest, sig.sig) {
			return "", errors.New("signature does not verify")
		}
	}
	return sig.domain, nil
}

// key finds and parses the key record of sig: the configured one, else
// the DNS TXT record (RFC 6376 §3.6.2) when q= allows dns/txt.
func (v *Verifier) key(ctx context.Context, sig *dkimSignature) (crypto.PublicKey, error) {
	name := sig.selector + "._domainkey." + sig.domain
	rec, ok := v.Keys[name]
	if !ok {
		for k, r := range v.Keys {
			if strings.EqualFold(k, name) {
				rec, ok = r, true
				break
			}
		}
	}
	if !ok {
		if !sig.allowsQuery(dkimQueryDNSTXT) {
			return nil, fmt.Errorf("no configured key %s, and q=%s does not allow dns/txt", name, strings.Join(sig.queries, ":"))
		}
		lookup := v.LookupTXT
		if lookup == nil {
			lookup = net.DefaultResolver.LookupTXT
		}
		txts, err := lookup(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("key lookup %s: %w", name, err)
		}
		switch len(txts) {
		case 0:
			return nil, fmt.Errorf("no key record at %s", name)
		case 1:
			rec = txts[0]
		default:
			// RFC 6376 §3.6.2.2: the results of several records are
			// undefined.
			return nil, fmt.Errorf("%d key records at %s", len(txts), name)
		}
	}
	pub, err := parseDKIMKeyRecord(rec)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", name, err)
	}
	return pub, nil
}

// dkimErrors is errors.Join on one line, for messages that end up in
// a log line.
type dkimErrors []error

func (e dkimErrors) Error() string {
	var b strings.Builder
	for i, err := range e {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

func (e dkimErrors) Unwrap() []error { return e }
