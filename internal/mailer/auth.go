// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/mail"
	"net/netip"
	"strings"

	"github.com/emersion/go-message/textproto"
	"golang.org/x/net/publicsuffix"
)

// Auth says who a received message provably comes from.
type Auth struct {
	// From is the addr-spec of the message's single author (RFC 5322
	// §3.6.2). Messages with no From:, several From: fields or several
	// mailboxes in it are refused before the Handler sees them: their
	// author cannot be bound to one signature.
	From string
	// DKIM lists every DKIM signature checked (RFC 6376), in header order.
	DKIM []DKIMResult
	// Aligned reports a passing DKIM signature whose d= is aligned with
	// the From: domain in DMARC's relaxed mode (RFC 7489 §3.1.1: the same
	// organizational domain, §3.2).
	Aligned bool
	// Trusted reports that the connection came from a trusted MTA whose
	// Authentication-Results (RFC 8601) say dkim=pass with header.d
	// aligned with the From: domain, or dmarc=pass for it.
	Trusted bool
	// SMIME lists the e-mail addresses, lower case, in the subjectAltName
	// of the signer's certificate of a valid S/MIME signature (RFC 6047
	// §3, RFC 8551): a top-level multipart/signed with an
	// application/pkcs7-signature whose chain reaches a trusted root and
	// allows e-mail protection.
	SMIME []string
}

// Verifies reports whether actor, an e-mail address (the iTIP ORGANIZER or
// the replying ATTENDEE, "mailto:" allowed), is authenticated by a: it is
// the address of an S/MIME signer, or the message is Aligned or Trusted
// and actor's organizational domain is that of the From: domain.
//
// The domain check is what DMARC vouches for: the domain's mail system
// sent the message, so From: noreply@insideicloud.icloud.com signed with
// d=icloud.com verifies user@icloud.com, while a forged From: in gmail.com
// verifies nobody at example.org.
func (a Auth) Verifies(actor string) bool {
	actor = normAddress(actor)
	_, domain, ok := strings.Cut(actor, "@")
	if !ok || domain == "" {
		return false
	}
	for _, s := range a.SMIME {
		if strings.EqualFold(s, actor) {
			return true
		}
	}
	if !a.Aligned && !a.Trusted {
		return false
	}
	return aligned(domain, domainOf(a.From))
}

// normAddress lower-cases an address and strips a mailto: scheme
// (imip-quirks.md §2.4 item 18: MAILTO:, MailTo: and none are all seen).
func normAddress(addr string) string {
	addr = strings.TrimSpace(addr)
	if len(addr) >= 7 && strings.EqualFold(addr[:7], "mailto:") {
		addr = addr[7:]
	}
	return strings.ToLower(strings.Trim(addr, "<>"))
}

// domainOf returns the normalised domain of an address, "" if none.
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return normDomain(addr[i+1:])
}

// normDomain lower-cases a domain and drops a final dot.
func normDomain(d string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
}

// orgDomain returns the organizational domain of d (RFC 7489 §3.2): the
// public suffix plus one label. A domain that is itself a public suffix,
// or has none, is its own organizational domain.
func orgDomain(d string) string {
	d = normDomain(d)
	if org, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return org
	}
	return d
}

// aligned reports whether two domains are aligned in relaxed mode (RFC
// 7489 §3.1.1): they have the same organizational domain.
func aligned(a, b string) bool {
	a, b = normDomain(a), normDomain(b)
	return a != "" && b != "" && orgDomain(a) == orgDomain(b)
}

// errNoAuthor is returned by authorAddress for a From: that does not name
// exactly one author.
var errNoAuthor = errors.New("mailer: the message has no single author")

// addressParser decodes RFC 2047 display names in any charset well enough
// to find the address: an unknown charset is passed through undecoded.
var addressParser = mail.AddressParser{WordDecoder: &mime.WordDecoder{
	CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil },
}}

// authorAddress returns the one address of the From: field of h. RFC 5322
// §3.6 requires exactly one From: field; §3.6.2 allows several mailboxes
// in it (with a Sender:), but then no single author can be authenticated,
// so that is refused too (RFC 7489 §6.6.1 lets receivers reject such
// messages).
func authorAddress(h textproto.Header) (string, error) {
	froms := h.Values("From")
	if len(froms) != 1 {
		return "", errNoAuthor
	}
	list, err := addressParser.ParseList(froms[0])
	if err != nil {
		// A sloppy display name ("a@b.example <a@b.example>" unquoted)
		// hides a plain angle address, which is what mail programs show.
		v := froms[0]
		i, j := strings.IndexByte(v, '<'), strings.IndexByte(v, '>')
		if i < 0 || j < i || strings.Count(v, "<") != 1 || strings.Count(v, ">") != 1 || strings.TrimSpace(v[j+1:]) != "" {
			return "", errNoAuthor
		}
		a, err := mail.ParseAddress(v[i : j+1])
		if err != nil {
			return "", errNoAuthor
		}
		list = []*mail.Address{a}
	}
	if len(list) != 1 || domainOf(list[0].Address) == "" {
		return "", errNoAuthor
	}
	return list[0].Address, nil
}

// authenticate works out the Auth of a received message whose author is
// from: its DKIM signatures, the Authentication-Results of a trusted MTA
// and its S/MIME signature.
func (s *Server) authenticate(ctx context.Context, remote netip.Addr, data []byte, h textproto.Header, body []byte, from string) Auth {
	a := Auth{From: from}
	fromDomain := domainOf(from)
	dctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	a.DKIM = verifyDKIM(dctx, data, h, s.lookupTXT)
	for _, d := range a.DKIM {
		if d.Pass && aligned(d.Domain, fromDomain) {
			a.Aligned = true
		}
	}
	if s.trustedMTA(remote) {
		a.Trusted = trustedResults(h, fromDomain, s.cfg.TrustedAuthServID, s.cfg.Hostname)
	}
	addrs, err := verifySMIME(h, body, s.cfg.SMIMERoots, s.now())
	switch {
	case err == nil:
		a.SMIME = addrs
	case !errors.Is(err, errNotSigned):
		s.log.Debug("S/MIME signature not verified", "from", from, "err", err)
	}
	return a
}

// trustedMTA reports whether remote is one of ServerConfig.TrustedMTA.
func (s *Server) trustedMTA(remote netip.Addr) bool {
	if !remote.IsValid() {
		return false
	}
	for _, p := range s.cfg.TrustedMTA {
		if p.Contains(remote) {
			return true
		}
	}
	return false
}
