// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip

import (
	"bufio"
	"bytes"
	"io"
	"net/textproto"
	"strings"

	mtextproto "github.com/emersion/go-message/textproto"
)

// maxRecipients bounds the recipient blocks kept from one delivery status
// notification.
const maxRecipients = 1000

// deliveryStatus reads a message/delivery-status part (RFC 3464 §2.1): a
// block of per-message fields, then one block per recipient, separated by
// blank lines.
func (p *parser) deliveryStatus(h mtextproto.Header, body io.Reader, path string) error {
	data, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if err := p.failed(err); err != nil {
		return err
	}
	if err != nil {
		p.warn(path, "%v", err)
	}
	br := bufio.NewReader(bytes.NewReader(data))
	b := p.msg.Bounce
	for len(b.Recipients) < maxRecipients {
		skipBlankLines(br)
		if _, err := br.Peek(1); err != nil {
			break
		}
		block, err := mtextproto.ReadHeader(br)
		if err != nil {
			p.warn(path, "delivery status: %v", err)
			break
		}
		rcpt := block.Get("Final-Recipient")
		if rcpt == "" {
			rcpt = block.Get("Original-Recipient")
		}
		if rcpt == "" {
			continue // the per-message block
		}
		status, _, _ := strings.Cut(strings.TrimSpace(block.Get("Status")), " ")
		b.Recipients = append(b.Recipients, BounceRecipient{
			Address: dsnAddress(rcpt),
			Action:  strings.ToLower(strings.TrimSpace(block.Get("Action"))),
			Status:  status,
			// RFC 3463 §3.1: class 5 is a permanent failure.
			Permanent: strings.HasPrefix(status, "5."),
		})
	}
	return nil
}

// dsnAddress returns the address of a recipient field, "rfc822; addr"
// (RFC 3464 §2.3.1–2.3.2), without its type and angle brackets.
func dsnAddress(v string) string {
	if _, addr, ok := strings.Cut(v, ";"); ok {
		v = addr
	}
	v = strings.TrimSpace(v)
	v = strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">")
	return lowerDomain(strings.TrimSpace(v))
}

// returnedMessage reads the message a DSN returns (message/rfc822, RFC
// 3464 §2: the third part of the report): its header fields, and its
// calendar parts for Bounce.UID.
func (p *parser) returnedMessage(h mtextproto.Header, body io.Reader, path string, depth int) error {
	// RFC 2046 §5.2.1 allows only identity encodings; decode the others
	// all the same.
	if cte := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))); cte == "base64" || cte == "quoted-printable" {
		data, err := decodeTransfer(cte, body)
		if err := p.failed(err); err != nil {
			return err
		}
		if err != nil {
			p.warn(path, "%v", err)
			return nil
		}
		body = bytes.NewReader(data)
	}
	br := bufio.NewReader(body)
	rh, err := mtextproto.ReadHeader(br)
	if err := p.failed(err); err != nil {
		return err
	}
	if err != nil {
		p.warn(path, "returned message: %v", err)
		_, err := io.Copy(io.Discard, br)
		return p.failed(err)
	}
	p.original(rh)
	return p.entity(rh, br, path, depth+1, scopeReturned)
}

// returnedHeaders reads a text/rfc822-headers part (RFC 6522 §4), the
// header of the returned message alone.
func (p *parser) returnedHeaders(h mtextproto.Header, body io.Reader, path string) error {
	data, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if err := p.failed(err); err != nil {
		return err
	}
	rh, err := mtextproto.ReadHeader(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		p.warn(path, "returned header: %v", err)
	}
	p.original(rh)
	return nil
}

// original records the header fields of the returned message.
func (p *parser) original(h mtextproto.Header) {
	b := p.msg.Bounce
	if b.OriginalMessageID == "" {
		b.OriginalMessageID = msgID(h.Get("Message-Id"))
	}
	keep := func(k, v string) {
		if b.OriginalHeaders == nil {
			b.OriginalHeaders = map[string]string{}
		}
		if _, ok := b.OriginalHeaders[k]; !ok {
			b.OriginalHeaders[k] = v
		}
	}
	for f := h.Fields(); f.Next(); {
		k := textproto.CanonicalMIMEHeaderKey(f.Key())
		switch {
		case k == "From", k == "Sender", k == "To", k == "Cc", k == "Subject", k == "Date",
			k == "Message-Id", k == "In-Reply-To", k == "Auto-Submitted",
			strings.HasPrefix(k, "X-Almanac-"):
			if k == "Message-Id" {
				k = "Message-ID"
			}
			keep(k, decodeWords(f.Value()))
		}
	}
}
