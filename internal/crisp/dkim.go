// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"context"
	"crypto"
	"errors"
	"net/http"
	"time"
)

// DKIM for HTTP (iSchedule -05 §7): requests carry a DKIM-Signature
// header (RFC 6376) over the iSchedule header fields and the body.

// Errors of Verify.
var (
	// ErrNoSignature: the request has no DKIM-Signature.
	ErrNoSignature = errors.New("crisp: no DKIM signature")
	// ErrVerification: a signature is present but does not verify.
	ErrVerification = errors.New("crisp: DKIM verification failed")
)

// Signer signs outgoing requests.
type Signer struct {
	Domain, Selector string
	Key              crypto.Signer // RSA or Ed25519
}

// Sign adds a DKIM-Signature header to h for a request with body.
func (s *Signer) Sign(h http.Header, body []byte, now time.Time) error {
	return errors.New("crisp: DKIM signing is being written")
}

// Verifier checks the DKIM signatures of incoming requests.
type Verifier struct {
	// LookupTXT answers DNS TXT queries; nil uses net.DefaultResolver.
	LookupTXT func(ctx context.Context, name string) ([]string, error)
	// Keys are configured key records, by query name
	// ("<selector>._domainkey.<domain>"), consulted before DNS.
	Keys map[string]string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Verify checks the DKIM-Signature of a request and returns the signing
// domain (d=) of a valid one.
func (v *Verifier) Verify(ctx context.Context, h http.Header, body []byte) (string, error) {
	return "", ErrVerification
}
