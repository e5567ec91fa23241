// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"bytes"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"
)

const headerAuthResults = "Authentication-Results"

// trustedResults reports whether the Authentication-Results fields of h
// (RFC 8601), as written by a trusted MTA, say that the message's author
// domain fromDomain is authenticated: dkim=pass with header.d (or the
// domain of header.i) aligned with it, or dmarc=pass for it.
//
// Which fields count: with authservID set, every field carrying that
// authserv-id (RFC 8601 §5: the MTA removes forged fields claiming its
// id); without it, only the topmost field, the one the delivering MTA
// added last (§4: fields are added at the top), since fields further down
// may have come with the message from anyone. Fields claiming our own
// authserv-id ourID are never believed.
func trustedResults(h textproto.Header, fromDomain, authservID, ourID string) bool {
	fields := h.Values(headerAuthResults)
	if authservID == "" && len(fields) > 1 {
		fields = fields[:1]
	}
	for _, f := range fields {
		id, results, _ := authres.Parse(stripComments(f)) // results before a syntax error stand
		if strings.EqualFold(id, ourID) || (authservID != "" && !strings.EqualFold(id, authservID)) {
			continue
		}
		for _, r := range results {
			switch r := r.(type) {
			case *authres.DKIMResult:
				d := r.Domain
				if d == "" {
					d = domainOf(r.Identifier)
				}
				if r.Value == authres.ResultPass && aligned(d, fromDomain) {
					return true
				}
			case *authres.DMARCResult:
				if r.Value == authres.ResultPass && (r.From == "" || normDomain(r.From) == normDomain(fromDomain)) {
					return true
				}
			}
		}
	}
	return false
}

// stripComments removes RFC 5322 §3.2.2 comments (nested, with quoted
// pairs) outside quoted strings: go-msgauth's parser splits on ';' without
// knowing them, and OpenDKIM writes "dkim=pass (2048-bit key; unprotected)".
func stripComments(s string) string {
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case depth > 0:
			switch c {
			case '\\':
				i++ // quoted-pair
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					b.WriteByte(' ')
				}
			}
		case quoted:
			b.WriteByte(c)
			switch c {
			case '\\':
				if i+1 < len(s) {
					i++
					b.WriteByte(s[i])
				}
			case '"':
				quoted = false
			}
		case c == '"':
			quoted = true
			b.WriteByte(c)
		case c == '(':
			depth = 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// stamp returns the message as handed to the Handler: with an
// Authentication-Results field of ours (authserv-id ourID) at the top
// recording the DKIM verdicts, and without any field that claimed our
// authserv-id on arrival (RFC 8601 §5: such fields MUST be removed, they
// are forgeries).
func stamp(data []byte, h textproto.Header, body []byte, auth Auth, ourID string) []byte {
	var results []authres.Result
	for _, d := range auth.DKIM {
		v := authres.ResultValue(authres.ResultPass)
		reason := ""
		if !d.Pass {
			v, reason = authres.ResultFail, d.Err
		}
		results = append(results, &authres.GenericResult{Method: "dkim", Value: v, Params: map[string]string{
			"reason": printable(reason), "header.d": printable(d.Domain), "header.s": printable(d.Selector),
		}})
	}
	var out bytes.Buffer
	out.Grow(len(data) + 256)
	out.WriteString(foldAuthResults(headerAuthResults + ": " + authres.Format(ourID, results)))

	forged := false
	for f := h.FieldsByKey(headerAuthResults); f.Next(); {
		id, _, _ := authres.Parse(stripComments(f.Value()))
		if strings.EqualFold(id, ourID) {
			f.Del()
			forged = true
		}
	}
	if !forged {
		out.Write(data)
		return out.Bytes()
	}
	textproto.WriteHeader(&out, h)
	out.Write(body)
	return out.Bytes()
}

// foldAuthResults ends the field with CRLF, folding it before each result
// so that lines stay short (RFC 5322 §2.2.3).
func foldAuthResults(field string) string {
	return strings.ReplaceAll(field, "; ", ";\r\n\t") + "\r\n"
}

// printable replaces control characters, which could end the header
// field, with spaces; the values come partly from the message.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
