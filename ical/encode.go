// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// maxLineOctets is the longest line RFC 5545 §3.1 lets us write, excluding
// the line break.
const maxLineOctets = 75

// Encoder writes iCalendar objects in the canonical form of RFC 5545 §3.1:
// CRLF line endings, lines folded at 75 octets without splitting a UTF-8
// sequence, upper-case names, and quoted parameter values where needed with
// RFC 6868 escapes. Property values are written as stored.
type Encoder struct {
	w    io.Writer
	buf  []byte
	line []byte
	err  error
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer) *Encoder {
	return &Encoder{w: w}
}

// Encode writes the calendar.
func (e *Encoder) Encode(c *Calendar) error {
	return e.EncodeComponent(c.Component)
}

// EncodeComponent writes a component and everything below it.
func (e *Encoder) EncodeComponent(c *Component) error {
	e.component(c)
	e.flush()
	return e.err
}

// Marshal returns the canonical encoding of c.
func Marshal(c *Component) []byte {
	var b bytes.Buffer
	e := NewEncoder(&b)
	_ = e.EncodeComponent(c) // a bytes.Buffer does not fail
	return b.Bytes()
}

func (e *Encoder) component(c *Component) {
	e.buf = append(e.buf, "BEGIN:"...)
	e.buf = append(e.buf, c.Name...)
	e.buf = append(e.buf, "\r\n"...)
	for i := range c.Props {
		e.property(&c.Props[i])
	}
	for _, ch := range c.Children {
		e.component(ch)
	}
	e.buf = append(e.buf, "END:"...)
	e.buf = append(e.buf, c.Name...)
	e.buf = append(e.buf, "\r\n"...)
	if len(e.buf) >= 64<<10 {
		e.flush()
	}
}

func (e *Encoder) property(p *Property) {
	l := AppendProperty(e.line[:0], p)
	e.buf = appendFolded(e.buf, l)
	e.line = l
}

// AppendProperty appends the unfolded content line of p, without a line
// break, to b.
func AppendProperty(b []byte, p *Property) []byte {
	b = append(b, p.Name...)
	b = append(b, p.Params.text...)
	b = append(b, ':')
	v := p.Value
	if strings.ContainsAny(v, "\r\n") {
		// A raw line break would end the content line: write it as the
		// TEXT escape \n (RFC 5545 §3.3.11).
		v = strings.NewReplacer("\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(v)
	}
	return append(b, v...)
}

// appendFolded appends line to b folded at 75 octets (RFC 5545 §3.1),
// never splitting a UTF-8 sequence, followed by CRLF.
func appendFolded(b, line []byte) []byte {
	limit := maxLineOctets
	for len(line) > limit {
		// Back up to the start of a UTF-8 sequence, at most 3 bytes: in
		// invalid UTF-8 there may be none.
		cut := limit
		for cut > limit-utf8.UTFMax+1 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if !utf8.RuneStart(line[cut]) {
			cut = limit
		}
		b = append(b, line[:cut]...)
		b = append(b, "\r\n "...)
		line = line[cut:]
		limit = maxLineOctets - 1 // the leading space counts
	}
	b = append(b, line...)
	return append(b, "\r\n"...)
}

func (e *Encoder) flush() {
	if e.err == nil && len(e.buf) > 0 {
		_, e.err = e.w.Write(e.buf)
	}
	e.buf = e.buf[:0]
}
