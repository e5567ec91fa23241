// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/dkim"
)

// DKIMSigner is the signing identity of outgoing mail (RFC 6376 §3.5: d=
// and s=). For receivers to bind the author to the signature, Domain
// should be the From: domain or its organizational domain (RFC 7489
// §3.1.1).
type DKIMSigner struct {
	Domain   string        // d=, whose selector._domainkey TXT record publishes the key
	Selector string        // s=
	Key      crypto.Signer // *rsa.PrivateKey or ed25519.PrivateKey (RFC 8463)
}

// signedHeaders are the header fields the signature covers (RFC 6376
// §5.4.1 recommends From, the recipients, the subject, the dates, the
// identifiers and the MIME fields; Sender and Auto-Submitted carry the
// service address and the loop guard).
var signedHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Sender", "Auto-Submitted"}

// minRSABits is the smallest RSA key accepted: RFC 8301 §3.2 says signers
// MUST use at least 1024 bits (and SHOULD use 2048).
const minRSABits = 1024

func (d *DKIMSigner) check() error {
	if d.Domain == "" || d.Selector == "" || d.Key == nil {
		return errors.New("mailer: a DKIM signer needs a domain, a selector and a key")
	}
	switch k := d.Key.Public().(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("mailer: DKIM RSA key has %d bits, RFC 8301 requires at least %d", k.N.BitLen(), minRSABits)
		}
	case ed25519.PublicKey:
	default:
		return fmt.Errorf("mailer: DKIM key type %T is neither RSA nor Ed25519", k)
	}
	return nil
}

// sign returns msg with a DKIM-Signature header field prepended.
func (d *DKIMSigner) sign(msg []byte) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(msg) + 1024)
	err := dkim.Sign(&out, bytes.NewReader(msg), &dkim.SignOptions{
		Domain:                 d.Domain,
		Selector:               d.Selector,
		Signer:                 d.Key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             signedHeaders,
	})
	if err != nil {
		return nil, fmt.Errorf("mailer: dkim sign: %w", err)
	}
	return out.Bytes(), nil
}

// LoadDKIMKey reads a DKIM private key from a PEM file: PKCS#1 RSA
// ("RSA PRIVATE KEY"), or PKCS#8 ("PRIVATE KEY") holding an RSA or
// Ed25519 key (RFC 8463; what "openssl genpkey -algorithm ed25519"
// writes).
func LoadDKIMKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mailer: dkim key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("mailer: dkim key %s: no PEM block", path)
	}
	var key any
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("mailer: dkim key %s: PEM block %q is not \"RSA PRIVATE KEY\" or \"PRIVATE KEY\"", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("mailer: dkim key %s: %w", path, err)
	}
	var signer crypto.Signer
	switch k := key.(type) {
	case *rsa.PrivateKey:
		signer = k
	case ed25519.PrivateKey:
		signer = k
	default:
		return nil, fmt.Errorf("mailer: dkim key %s: %T is neither RSA nor Ed25519", path, key)
	}
	if err := (&DKIMSigner{Domain: "-", Selector: "-", Key: signer}).check(); err != nil {
		return nil, err
	}
	return signer, nil
}

// DKIMResult is the outcome of one DKIM signature of a received message.
type DKIMResult struct {
	Domain   string // d=, lower case
	Selector string // s=
	Pass     bool   // the signature verifies (RFC 6376 §6.1)
	Err      string // why it does not; "" when Pass
}

// maxSignatures bounds the DKIM signatures verified per message (each
// costs a DNS query); later ones are ignored.
const maxSignatures = 5

// verifyDKIM checks the DKIM signatures of a message whose header is h.
// Signatures with a body length limit (l=) fail: the unsigned tail could
// carry another calendar.
func verifyDKIM(ctx context.Context, data []byte, h textproto.Header, lookup func(context.Context, string) ([]string, error)) []DKIMResult {
	sigs := h.Values("Dkim-Signature")
	if len(sigs) == 0 {
		return nil
	}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(data), &dkim.VerifyOptions{
		LookupTXT:        func(name string) ([]string, error) { return lookup(ctx, name) },
		MaxVerifications: maxSignatures,
	})
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		// An error that is no verdict (the header could not be read): with
		// several signatures go-msgauth clears the Err of the one that met
		// it, so none of its verifications can be trusted.
		verifs = make([]*dkim.Verification, min(len(sigs), maxSignatures))
		for i := range verifs {
			verifs[i] = &dkim.Verification{Err: err}
		}
	}
	res := make([]DKIMResult, 0, len(verifs))
	for i, v := range verifs {
		r := DKIMResult{Domain: normDomain(v.Domain), Pass: v.Err == nil}
		if i < len(sigs) {
			tags := dkimTags(sigs[i])
			r.Selector = tags["s"]
			if r.Domain == "" {
				r.Domain = normDomain(tags["d"])
			}
		}
		if v.Err != nil {
			r.Err = v.Err.Error()
		}
		res = append(res, r)
	}
	return res
}

// dkimTags parses the tag list of a DKIM-Signature field (RFC 6376 §3.2),
// for the tags the verifier does not report.
func dkimTags(v string) map[string]string {
	tags := map[string]string{}
	for _, t := range strings.Split(v, ";") {
		name, val, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		tags[strings.TrimSpace(name)] = strings.Join(strings.Fields(val), "")
	}
	return tags
}
