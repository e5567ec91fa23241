// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// authenticate is step 2 of the pipeline (seed-mapping §3.6): it says who
// sent the request.
//
//   - A request with a DKIM-Signature, when DKIM is accepted, must verify
//     (iSchedule -05 §7.4: "If the signature cannot be verified, the
//     iSchedule Receiver MUST reject the iSchedule message outright"), and
//     the signing domain must be the Originator's domain or a parent of it
//     (the -05 SHOULD, applied). Each signature is tried on its own, so that
//     the signature of a relay, such as the DMZ proxy's, next to the
//     original one does not hide it. A verified signature is remembered
//     until it expires; a second request with it, or with its
//     iSchedule-Message-ID from the same domain, is a replay.
//   - Otherwise a TLS client certificate listed in Peers makes the sender
//     that peer. The peer's domain is not compared with the Originator's:
//     peers are configured relays; the backend asks Sender.Verifies.
//   - Otherwise the sender is anonymous, refused under the deny policy.
//
// Every refusal here is 403 verification-failed, but for a key that DNS
// cannot give for a temporary reason: 503 with Retry-After and the CRISP
// element temporary-failure.
func (e *intake) authenticate(r *http.Request, body []byte, originator string, now time.Time) (Sender, error) {
	if e.opts.Verifier != nil && len(r.Header.Values("DKIM-Signature")) > 0 {
		return e.verifyDKIM(r, body, originator, now)
	}
	if d, ok := e.peerDomain(r.TLS); ok {
		return Sender{Mode: SenderMTLS, Domain: d}, nil
	}
	if e.opts.Anonymous == AnonymousDeny {
		return Sender{}, refuse(http.StatusForbidden, errVerificationFailed,
			"this receiver accepts authenticated senders only", errors.New("anonymous request refused by policy"))
	}
	return Sender{Mode: SenderAnonymous}, nil
}

// verifyDKIM verifies the request's signatures one by one and takes the
// first that verifies with a domain that covers the Originator.
func (e *intake) verifyDKIM(r *http.Request, body []byte, originator string, now time.Time) (Sender, error) {
	odomain := addressDomain(originator)
	sigs := r.Header.Values("DKIM-Signature")
	if len(sigs) > dkimMaxSignatures {
		sigs = sigs[:dkimMaxSignatures]
	}
	var errs []error
	for _, raw := range sigs {
		h := r.Header.Clone()
		h["Dkim-Signature"] = []string{raw}
		d, err := e.opts.Verifier.Verify(r.Context(), h, body)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !domainWithin(odomain, d) {
			// iSchedule -05 §7.4: d= must match the Originator's domain,
			// sub-domains included.
			errs = append(errs, fmt.Errorf("signing domain %s does not cover the Originator's domain %s", d, odomain))
			continue
		}
		sig, err := parseDKIMSignature(raw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := e.checkReplay(sig, r.Header.Get("iSchedule-Message-ID"), now); err != nil {
			return Sender{}, err
		}
		return Sender{Mode: SenderDKIM, Domain: d}, nil
	}
	err := errors.Join(errs...)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && (dnsErr.IsTemporary || dnsErr.IsTimeout) {
		// RFC 6376 §6.1.2: a key that cannot be retrieved for a
		// temporary reason is TEMPFAIL, not a failed verification: the
		// sender is asked to try again.
		return Sender{}, &refusal{code: http.StatusServiceUnavailable, cond: nameExt(errTemporaryFailure),
			desc: "the signature cannot be verified now, try later", err: err, retryAfter: time.Minute}
	}
	return Sender{}, refuse(http.StatusForbidden, errVerificationFailed, "unable to verify the request", err)
}

// checkReplay refuses a signature or message ID seen before (seed-mapping
// §3.9), and a signature too old for the cache to have remembered it.
func (e *intake) checkReplay(sig *dkimSignature, messageID string, now time.Time) error {
	signed := now
	if sig.t >= 0 {
		signed = time.Unix(sig.t, 0)
	}
	expiry := signed.Add(maxSignatureAge)
	if sig.x >= 0 {
		expiry = earlier(expiry, time.Unix(sig.x, 0))
	}
	if !now.Before(expiry) {
		return refuse(http.StatusForbidden, errVerificationFailed, "the signature is too old",
			fmt.Errorf("signature of %s from t=%d is older than %v", sig.domain, sig.t, maxSignatureAge))
	}
	// The skew allowed for t= in the future keeps the entry for as long
	// as the same signature could still be presented.
	expiry = expiry.Add(dkimMaxClockSkew)
	keys := []string{"b\x00" + string(sig.sig)}
	if messageID = strings.TrimSpace(messageID); messageID != "" {
		keys = append(keys, "m\x00"+sig.domain+"\x00"+messageID)
	}
	switch e.replay.add(keys, expiry, now) {
	case replaySeen:
		return refuse(http.StatusForbidden, errVerificationFailed, "the request was received before",
			fmt.Errorf("replay of a signature of %s, message ID %q", sig.domain, messageID))
	case replayFull:
		return rateLimited(time.Minute, errors.New("replay cache full"))
	}
	return nil
}

// peerDomain returns the domain configured for the TLS client certificate
// of cs. A certificate matches by its SHA-256 fingerprint (the handshake
// proved the client holds its key) or, when the server verified its chain,
// by a subject common name or DNS subjectAltName.
func (e *intake) peerDomain(cs *tls.ConnectionState) (string, bool) {
	if cs == nil || len(cs.PeerCertificates) == 0 || len(e.peers) == 0 {
		return "", false
	}
	leaf := cs.PeerCertificates[0]
	sum := sha256.Sum256(leaf.Raw)
	if d, ok := e.peers[hex.EncodeToString(sum[:])]; ok {
		return d, true
	}
	if len(cs.VerifiedChains) == 0 {
		return "", false
	}
	names := append([]string{leaf.Subject.CommonName}, leaf.DNSNames...)
	for _, n := range names {
		if n == "" {
			continue
		}
		if d, ok := e.peers[strings.ToLower(n)]; ok {
			return d, true
		}
	}
	return "", false
}

// normalizePeers puts the keys of Peers in the form peerDomain looks up:
// fingerprints in lower-case hex without colons, names in lower case; and
// the domains in lower case.
func normalizePeers(peers map[string]string) map[string]string {
	out := make(map[string]string, len(peers))
	for k, d := range peers {
		k = strings.ToLower(strings.TrimSpace(k))
		if fp := strings.ReplaceAll(k, ":", ""); len(fp) == 2*sha256.Size {
			if _, err := hex.DecodeString(fp); err == nil {
				k = fp
			}
		}
		out[k] = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
	}
	return out
}
