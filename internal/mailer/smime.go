// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"
	"github.com/smallstep/pkcs7"
)

// verifySMIME checks a top-level multipart/signed message (RFC 1847 §2.1,
// RFC 8551 §3.5) whose header is h and body body, as RFC 6047 §3 step 1
// asks. It returns the e-mail addresses of the signer's certificate when
// the signature over the first body part verifies and the certificate
// chains to roots (nil = the system roots) at now with e-mail protection
// allowed; otherwise an error.
func verifySMIME(h textproto.Header, body []byte, roots *x509.CertPool, now time.Time) ([]string, error) {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/signed" {
		return nil, errNotSigned
	}
	switch strings.ToLower(params["protocol"]) {
	case "application/pkcs7-signature", "application/x-pkcs7-signature":
	default:
		return nil, errNotSigned
	}
	parts := splitMultipart(body, params["boundary"])
	if len(parts) != 2 {
		return nil, errors.New("mailer: multipart/signed needs exactly two parts")
	}
	der, err := signatureBytes(parts[1])
	if err != nil {
		return nil, err
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, err
	}
	// RFC 1847 §2.1: the signature covers the first body part, MIME header
	// included, exactly as transmitted (in canonical CRLF form).
	p7.Content = parts[0]
	signer := p7.GetOnlySigner()
	if signer == nil {
		return nil, errors.New("mailer: S/MIME signature needs exactly one signer with its certificate")
	}
	// Verify checks the digest, the signature and the signing time against
	// the certificate's validity, but no chain.
	if err := p7.Verify(); err != nil {
		return nil, err
	}
	inter := x509.NewCertPool()
	for _, c := range p7.Certificates {
		inter.AddCert(c)
	}
	if _, err := signer.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}); err != nil {
		return nil, err
	}
	var addrs []string
	add := func(a string) {
		a = strings.ToLower(strings.TrimSpace(a))
		if strings.Contains(a, "@") && !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	// RFC 6047 §3: the signer's address MUST be in the rfc822Name of the
	// subject alternative name (not the emailAddress of the subject that
	// RFC 8551 §3.1 also lets general S/MIME agents read).
	for _, a := range signer.EmailAddresses {
		add(a)
	}
	if len(addrs) == 0 {
		return nil, errors.New("mailer: S/MIME certificate names no e-mail address")
	}
	return addrs, nil
}

var errNotSigned = errors.New("mailer: not an S/MIME signed message")

// signatureBytes returns the DER bytes of the signature body part.
func signatureBytes(part []byte) ([]byte, error) {
	h, body, err := splitHeader(part)
	if err != nil {
		return nil, err
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if mt != "application/pkcs7-signature" && mt != "application/x-pkcs7-signature" {
		return nil, errors.New("mailer: second part of multipart/signed is not a PKCS #7 signature")
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, body)
		return base64.StdEncoding.DecodeString(string(clean))
	case "", "binary", "8bit", "7bit":
		return body, nil
	default:
		return nil, errors.New("mailer: unsupported transfer encoding of the S/MIME signature")
	}
}

// splitMultipart returns the body parts of a multipart body (RFC 2046
// §5.1.1) as raw bytes: each without the CRLF that belongs to the next
// delimiter. The preamble and epilogue are dropped; a body without a close
// delimiter yields no parts.
func splitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1 // of the current part
	for off := 0; off < len(body); {
		end := bytes.IndexByte(body[off:], '\n')
		next := len(body)
		if end >= 0 {
			next = off + end + 1
		}
		line := bytes.TrimRight(body[off:next], "\r\n")
		if rest, ok := bytes.CutPrefix(line, delim); ok {
			closing := bytes.HasPrefix(rest, []byte("--"))
			if closing {
				rest = rest[2:]
			}
			if len(bytes.Trim(rest, " \t")) == 0 {
				if start >= 0 {
					// The CRLF before the delimiter is part of it.
					e := off
					if e > start && body[e-1] == '\n' {
						e--
						if e > start && body[e-1] == '\r' {
							e--
						}
					}
					parts = append(parts, body[start:e])
				}
				if closing {
					return parts
				}
				start = next
			}
		}
		off = next
	}
	return nil
}
