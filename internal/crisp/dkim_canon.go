// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/textproto"
	"slices"
	"strings"
)

// The canonicalization of DKIM for HTTP (iSchedule -05 §7.2): the
// "ischedule-relaxed" algorithm for the header fields and RFC 6376's
// "simple" algorithm for the body.

// dkimMaxSignedHeaderBytes caps the canonical header block that is hashed, so
// that a request with huge signed header fields costs a bounded amount of
// work.
const dkimMaxSignedHeaderBytes = 64 << 10

var errDKIMHeadersTooLarge = errors.New("signed header fields exceed 65536 bytes")

// dkimLWS reports whether c is linear white space of a header field value:
// SP and HTAB, and the CR and LF of a folded line. net/http unfolds
// obsolete line folding before a handler sees the header, so CR and LF
// only reach us from headers built in code; they count as white space.
func dkimLWS(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// dkimCanonicalField appends the "ischedule-relaxed" form of the header
// field name with the field values values (in request order) to dst,
// without the terminating CRLF. iSchedule -05 §7.2.1, steps in order:
//
//  1. the field name is lower-cased;
//  2. continuation lines are unfolded;
//  3. repeated fields of one name are combined into one, the values
//     joined with ",";
//  4. each run of LWS becomes a single SP;
//  5. WS at the end of the value is deleted;
//  6. LWS around the colon after the name is deleted (the colon stays);
//  7. LWS before and after every comma of the value is deleted.
//
// Steps 2 and 4 to 7 are done in one pass: a run of white space is
// written out as one SP only when it stands between two characters that
// are neither the start or end of the value nor a comma.
func dkimCanonicalField(dst []byte, name string, values []string) []byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	dst = append(dst, ':')
	start := len(dst)
	space := false
	put := func(c byte) {
		switch {
		case dkimLWS(c):
			space = true
			return
		case c == ',':
			// Step 7: white space before a comma is dropped.
		case space && len(dst) > start && dst[len(dst)-1] != ',':
			// Step 4; steps 6 and 7 (after a comma) skip the SP.
			dst = append(dst, ' ')
		}
		space = false
		dst = append(dst, c)
	}
	for i, v := range values {
		if i > 0 {
			put(',') // step 3
		}
		for j := 0; j < len(v); j++ {
			put(v[j])
		}
	}
	// Step 5: a pending run of trailing white space is never written.
	return dst
}

// dkimHeaderValues returns the values of the header field name in h, matching
// the name without regard to case. Values stored under the canonical key
// (what net/http and http.Header.Add produce) come first, then those under
// other spellings of the name, by key, so that the order is the same on
// every call.
func dkimHeaderValues(h http.Header, name string) []string {
	key := textproto.CanonicalMIMEHeaderKey(name)
	vs := h[key]
	var others []string
	for k := range h {
		if k != key && strings.EqualFold(k, name) {
			others = append(others, k)
		}
	}
	if len(others) == 0 {
		return vs
	}
	slices.Sort(others)
	all := slices.Clone(vs)
	for _, k := range others {
		all = append(all, h[k]...)
	}
	return all
}

// dkimHeaderBlock returns the data that the signature of a DKIM-Signature
// header field covers (RFC 6376 §3.7): the header fields named in h=, in
// the order of h=, each canonicalized and ended by CRLF, then the
// DKIM-Signature field itself with an empty b= value (sigNoB) and no
// CRLF. A named field that the request does not have contributes nothing
// (RFC 6376 §5.4: it counts as the null string). Repeated fields are
// joined into one (iSchedule -05 §7.2.1 step 3), which is why h= names
// each field once.
func dkimHeaderBlock(h http.Header, names []string, sigNoB string) ([]byte, error) {
	var dst []byte
	for _, name := range names {
		vs := dkimHeaderValues(h, name)
		if len(vs) == 0 {
			continue
		}
		dst = dkimCanonicalField(dst, name, vs)
		dst = append(dst, '\r', '\n')
		if len(dst) > dkimMaxSignedHeaderBytes {
			return nil, errDKIMHeadersTooLarge
		}
	}
	return dkimCanonicalField(dst, "dkim-signature", []string{sigNoB}), nil
}

// dkimHeaderHash is the SHA-256 digest of dkimHeaderBlock, what the signature
// algorithms sign (RFC 6376 §3.7; RFC 8463 §3 for Ed25519).
func dkimHeaderHash(h http.Header, names []string, sigNoB string) ([]byte, error) {
	block, err := dkimHeaderBlock(h, names, sigNoB)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(block)
	return sum[:], nil
}

// dkimBodyHash is the SHA-256 digest of the body in the "simple" body
// canonicalization (RFC 6376 §3.4.3, required by iSchedule -05 §7.2): the
// empty lines at the end are removed, and the body then ends with exactly
// one CRLF (an empty body becomes a single CRLF). The body is the one
// after any transfer coding has been removed, which is what net/http
// hands to a handler.
func dkimBodyHash(body []byte) []byte {
	for bytes.HasSuffix(body, dkimCRLF) {
		body = body[:len(body)-2]
	}
	d := sha256.New()
	d.Write(body)
	d.Write(dkimCRLF)
	return d.Sum(nil)
}

var dkimCRLF = []byte("\r\n")
