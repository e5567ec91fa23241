// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Parsing of the two tag lists of DKIM (RFC 6376 §3.2): the
// DKIM-Signature header field (§3.5, with the iSchedule -05 §7 values) and
// the key record (§3.6.1, with the "ischedule" service type of iSchedule
// -05 §7.3.1).

// tag is one tag-spec of a tag-list. value has the surrounding white space
// removed; start and end delimit the raw text after the "=" up to the
// next ";" (or the end), white space included, which is what RFC 6376 §3.7
// deletes from b= before hashing.
type dkimTag struct {
	name, value string
	start, end  int
}

// parseDKIMTags parses a tag-list (RFC 6376 §3.2):
//
//	tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
//	tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//	tag-name  =  ALPHA *ALNUMPUNC
//	tag-value =  [ tval *( 1*(WSP / FWS) tval ) ]
//	tval      =  1*VALCHAR              ; %x21-3A / %x3C-7E
func parseDKIMTags(s string) ([]dkimTag, error) {
	var tags []dkimTag
	for i := 0; i < len(s); {
		end := strings.IndexByte(s[i:], ';')
		if end < 0 {
			end = len(s)
		} else {
			end += i
		}
		spec := s[i:end]
		if dkimTrimLWS(spec) == "" {
			if end == len(s) || dkimTrimLWS(s[end+1:]) == "" {
				break // the optional ";" after the last tag-spec
			}
			return nil, errors.New("empty tag")
		}
		eq := strings.IndexByte(spec, '=')
		if eq < 0 {
			return nil, fmt.Errorf("tag %q has no \"=\"", dkimTrimLWS(spec))
		}
		name := dkimTrimLWS(spec[:eq])
		if !dkimTagName(name) {
			return nil, fmt.Errorf("invalid tag name %q", name)
		}
		value := dkimTrimLWS(spec[eq+1:])
		for j := 0; j < len(value); j++ {
			if c := value[j]; !dkimLWS(c) && (c < 0x21 || c > 0x7e) {
				return nil, fmt.Errorf("tag %s: invalid character %q", name, c)
			}
		}
		for _, t := range tags {
			// RFC 6376 §3.2: a duplicated tag name makes the entire
			// tag-list invalid.
			if t.name == name {
				return nil, fmt.Errorf("duplicate tag %s", name)
			}
		}
		tags = append(tags, dkimTag{name: name, value: value, start: i + eq + 1, end: end})
		i = end + 1
	}
	if len(tags) == 0 {
		return nil, errors.New("empty tag list")
	}
	return tags, nil
}

func dkimTagName(s string) bool {
	if s == "" || !dkimAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !dkimAlpha(c) && !('0' <= c && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}

func dkimAlpha(c byte) bool { c &^= 0x20; return 'A' <= c && c <= 'Z' }

func dkimTrimLWS(s string) string {
	for len(s) > 0 && dkimLWS(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && dkimLWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// dkimRemoveLWS deletes all white space: the FWS that RFC 6376 allows inside
// base64 values (b=, bh=, p=) and around the colons of lists (h=, q=).
func dkimRemoveLWS(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x80 && dkimLWS(byte(r)) }) < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if !dkimLWS(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// dkimColonList splits a colon-separated list with optional FWS around the
// colons (h=, q= of the signature; h=, s= of the key record).
func dkimColonList(s string) []string {
	return strings.Split(dkimRemoveLWS(s), ":")
}

// Signature algorithms (a=) and canonicalizations (c=).
const (
	dkimRSASHA256      = "rsa-sha256"     // RFC 6376 §3.3.1
	dkimEd25519SHA256  = "ed25519-sha256" // RFC 8463 §3
	dkimCanonISchedule = "ischedule-relaxed/simple"
)

// The key query method of RFC 6376 §3.5 (q=), the one looked up here; a
// configured key stands for iSchedule -05 §7.3.3 private-exchange.
const dkimQueryDNSTXT = "dns/txt"

// signature is a parsed DKIM-Signature header field.
type dkimSignature struct {
	raw          string   // the header field value as received
	noB          string   // raw with the value of b= deleted (RFC 6376 §3.7)
	algorithm    string   // a=
	domain       string   // d=, lower case
	selector     string   // s=
	headers      []string // h=
	queries      []string // q=
	dkimBodyHash []byte   // bh=
	sig          []byte   // b=
	identity     string   // i=, "" when absent
	t, x         int64    // t= and x=, -1 when absent
}

// The must-sign header fields of iSchedule -05 §7.1, which the receiver
// "MUST verify ... are included in the signature".
var dkimMustSign = []string{"Content-Type", "iSchedule-Version", "Originator", "Recipient"}

// dkimMaxSignedFields bounds the number of names in h=.
const dkimMaxSignedFields = 32

// parseDKIMSignature parses and checks the tags of a DKIM-Signature value. The
// checks that need no key, no clock and no request are done here.
func parseDKIMSignature(raw string) (*dkimSignature, error) {
	tags, err := parseDKIMTags(raw)
	if err != nil {
		return nil, fmt.Errorf("malformed signature: %w", err)
	}
	s := &dkimSignature{raw: raw, t: -1, x: -1}
	var c, q string
	var haveA, haveB, haveBH, haveC, haveD, haveH, haveQ, haveS bool
	for _, t := range tags {
		switch t.name {
		case "v":
			// RFC 6376 §3.5 requires v=1; the iSchedule -05 examples
			// omit it, so its absence is accepted.
			if t.value != "1" {
				return nil, fmt.Errorf("unsupported signature version v=%s", t.value)
			}
		case "a":
			s.algorithm, haveA = strings.ToLower(t.value), true
		case "b":
			s.noB = raw[:t.start] + raw[t.end:]
			if s.sig, err = dkimBase64(t.value); err != nil {
				return nil, fmt.Errorf("malformed b=: %w", err)
			}
			haveB = true
		case "bh":
			if s.dkimBodyHash, err = dkimBase64(t.value); err != nil {
				return nil, fmt.Errorf("malformed bh=: %w", err)
			}
			haveBH = true
		case "c":
			c, haveC = strings.ToLower(t.value), true
		case "d":
			s.domain, haveD = strings.ToLower(t.value), true
		case "h":
			s.headers, haveH = dkimColonList(t.value), true
		case "i":
			s.identity = t.value
		case "l":
			// RFC 6376 §8.2: a body length limit leaves the rest of the
			// body unsigned; iSchedule signs the whole body.
			return nil, errors.New("body length limit l= is not accepted")
		case "q":
			q, haveQ = strings.ToLower(t.value), true
		case "s":
			s.selector, haveS = t.value, true
		case "t":
			if s.t, err = dkimTimestamp(t.value); err != nil {
				return nil, fmt.Errorf("malformed t=: %w", err)
			}
		case "x":
			if s.x, err = dkimTimestamp(t.value); err != nil {
				return nil, fmt.Errorf("malformed x=: %w", err)
			}
		}
	}
	switch {
	case !haveA:
		return nil, errors.New("missing a=")
	case !haveB:
		return nil, errors.New("missing b=")
	case !haveBH:
		return nil, errors.New("missing bh=")
	case !haveD:
		return nil, errors.New("missing d=")
	case !haveH:
		return nil, errors.New("missing h=")
	case !haveS:
		return nil, errors.New("missing s=")
	}
	if s.algorithm != dkimRSASHA256 && s.algorithm != dkimEd25519SHA256 {
		return nil, fmt.Errorf("unsupported algorithm a=%s", s.algorithm)
	}
	// iSchedule -05 §7.2: senders and receivers MUST use ischedule-relaxed
	// for the header fields and simple for the body. Without c= RFC 6376
	// §3.5 means simple/simple, which is not allowed either.
	if !haveC {
		return nil, errors.New("missing c= (simple/simple is not an iSchedule canonicalization)")
	}
	if c != dkimCanonISchedule && c != "ischedule-relaxed" {
		return nil, fmt.Errorf("unsupported canonicalization c=%s", c)
	}
	if !dkimValidDomain(s.domain) {
		return nil, fmt.Errorf("invalid domain d=%s", s.domain)
	}
	if !dkimValidSelector(s.selector) {
		return nil, fmt.Errorf("invalid selector s=%s", s.selector)
	}
	if s.identity != "" {
		// RFC 6376 §3.5: the domain of i= is d= or a subdomain of it.
		at := strings.LastIndexByte(s.identity, '@')
		if at < 0 || !dkimDomainWithin(strings.ToLower(s.identity[at+1:]), s.domain) {
			return nil, fmt.Errorf("identity i=%s is not within d=%s", s.identity, s.domain)
		}
	}
	if s.t >= 0 && s.x >= 0 && s.x <= s.t {
		// RFC 6376 §3.5: x= MUST be greater than t=.
		return nil, errors.New("x= is not after t=")
	}
	if len(s.headers) > dkimMaxSignedFields {
		return nil, fmt.Errorf("h= names %d header fields, more than %d", len(s.headers), dkimMaxSignedFields)
	}
	for i, name := range s.headers {
		if !dkimValidFieldName(name) {
			return nil, fmt.Errorf("invalid header field name %q in h=", name)
		}
		if strings.EqualFold(name, "DKIM-Signature") {
			return nil, errors.New("h= names DKIM-Signature")
		}
		for _, prev := range s.headers[:i] {
			// iSchedule -05 §7.2.1: the h= tag MUST contain only a single
			// value for each different header field name.
			if strings.EqualFold(prev, name) {
				return nil, fmt.Errorf("h= names %s twice", name)
			}
		}
	}
	for _, name := range dkimMustSign {
		if !s.signs(name) {
			return nil, fmt.Errorf("h= does not include %s (iSchedule -05 §7.1)", name)
		}
	}
	if haveQ {
		s.queries = dkimColonList(q)
	} else {
		s.queries = []string{dkimQueryDNSTXT} // RFC 6376 §3.5: the default
	}
	return s, nil
}

// signs reports whether h= names the header field name.
func (s *dkimSignature) signs(name string) bool {
	for _, h := range s.headers {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// allowsQuery reports whether q= lists the query method m.
func (s *dkimSignature) allowsQuery(m string) bool {
	for _, q := range s.queries {
		if q == m {
			return true
		}
	}
	return false
}

func dkimBase64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(dkimRemoveLWS(s))
}

// dkimTimestamp parses t= and x=: 1*12DIGIT seconds since the epoch
// (RFC 6376 §3.5).
func dkimTimestamp(s string) (int64, error) {
	if s == "" || len(s) > 12 {
		return 0, fmt.Errorf("%q is not 1 to 12 digits", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not 1 to 12 digits", s)
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

// dkimValidDomain accepts a DNS name of letter-digit-hyphen labels, without a
// trailing dot (RFC 6376 §3.5 d=, domain-name).
func dkimValidDomain(s string) bool {
	return dkimValidLabels(s, false)
}

// dkimValidSelector accepts a selector: dot-separated sub-domains (RFC 6376
// §3.1); underscores are tolerated, as DNS allows them in owner names.
func dkimValidSelector(s string) bool {
	return dkimValidLabels(s, true)
}

func dkimValidLabels(s string, underscore bool) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !dkimAlpha(c) && !('0' <= c && c <= '9') && c != '-' && !(underscore && c == '_') {
				return false
			}
		}
	}
	return true
}

// dkimDomainWithin reports whether sub is domain or one of its subdomains.
func dkimDomainWithin(sub, domain string) bool {
	return sub == domain || strings.HasSuffix(sub, "."+domain)
}

// dkimValidFieldName accepts an HTTP field name (a token, RFC 9110 §5.1).
func dkimValidFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}

// RSA key sizes: RFC 8301 §3.2 says verifiers MUST NOT accept signatures
// made with keys of fewer than 1024 bits. The upper bound caps the cost of
// a verification.
const (
	dkimMinRSABits = 1024
	dkimMaxRSABits = 8192
)

// dkimMaxKeyRecordLen caps a key record; an 8192-bit RSA key is about 1400
// base64 characters.
const dkimMaxKeyRecordLen = 8192

// parseDKIMKeyRecord parses a DKIM key record (RFC 6376 §3.6.1) and returns
// its public key: *rsa.PublicKey for k=rsa, ed25519.PublicKey for
// k=ed25519 (RFC 8463 §4).
func parseDKIMKeyRecord(rec string) (crypto.PublicKey, error) {
	if len(rec) > dkimMaxKeyRecordLen {
		return nil, fmt.Errorf("key record longer than %d bytes", dkimMaxKeyRecordLen)
	}
	tags, err := parseDKIMTags(rec)
	if err != nil {
		return nil, fmt.Errorf("malformed key record: %w", err)
	}
	keyType := "rsa" // RFC 6376 §3.6.1: the default k=
	var p string
	haveP := false
	for i, t := range tags {
		switch t.name {
		case "v":
			// RFC 6376 §3.6.1: if v= is present, it MUST be the first
			// tag and its value DKIM1.
			if i != 0 || t.value != "DKIM1" {
				return nil, fmt.Errorf("key record version v=%s is not DKIM1 or not first", t.value)
			}
		case "h":
			if !slices.Contains(dkimColonList(strings.ToLower(t.value)), "sha256") {
				return nil, fmt.Errorf("key record h=%s does not allow sha256", t.value)
			}
		case "k":
			keyType = strings.ToLower(t.value)
		case "p":
			p, haveP = dkimRemoveLWS(t.value), true
		case "s":
			// iSchedule -05 §7.3.1: the "ischedule" service type
			// restricts a key to iSchedule; "*" allows all services.
			types := dkimColonList(strings.ToLower(t.value))
			if !slices.Contains(types, "ischedule") && !slices.Contains(types, "*") {
				return nil, fmt.Errorf("key service type s=%s does not include ischedule", t.value)
			}
		}
	}
	if !haveP {
		return nil, errors.New("key record has no p=")
	}
	if p == "" {
		// RFC 6376 §3.6.1: an empty p= means the key has been revoked.
		return nil, errors.New("key revoked (empty p=)")
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return nil, fmt.Errorf("malformed p=: %w", err)
	}
	switch keyType {
	case "rsa":
		// RFC 6376 §3.6.1 says RSAPublicKey, but what everyone publishes
		// (and what the RFC's example is) is a SubjectPublicKeyInfo; both
		// are accepted.
		var pub *rsa.PublicKey
		if k, err := x509.ParsePKIXPublicKey(der); err == nil {
			rk, ok := k.(*rsa.PublicKey)
			if !ok {
				return nil, fmt.Errorf("k=rsa key record holds a %T", k)
			}
			pub = rk
		} else if pub, err = x509.ParsePKCS1PublicKey(der); err != nil {
			return nil, errors.New("malformed RSA public key in p=")
		}
		if bits := pub.N.BitLen(); bits < dkimMinRSABits || bits > dkimMaxRSABits {
			return nil, fmt.Errorf("RSA key of %d bits, outside %d to %d", bits, dkimMinRSABits, dkimMaxRSABits)
		}
		return pub, nil
	case "ed25519":
		// RFC 8463 §4.2: p= is the base64 of the raw 32-byte key.
		if len(der) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("ed25519 key of %d bytes", len(der))
		}
		return ed25519.PublicKey(der), nil
	default:
		return nil, fmt.Errorf("unsupported key type k=%s", keyType)
	}
}
