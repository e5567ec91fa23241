// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package mailer

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/emersion/go-message/textproto"
)

// splitHeader reads the header at the start of data (RFC 5322 §2.1) and
// returns it with the body after the empty line; a message without an
// empty line is all header.
func splitHeader(data []byte) (textproto.Header, []byte, error) {
	r := bytes.NewReader(data)
	br := bufio.NewReader(r)
	h, err := textproto.ReadHeader(br)
	if errors.Is(err, io.EOF) {
		return h, nil, nil
	}
	if err != nil {
		return h, nil, err
	}
	return h, data[len(data)-r.Len()-br.Buffered():], nil
}
