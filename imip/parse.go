// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// maxResync bounds how many lines Parse skips, in one message, looking
// for the next boundary after a part whose header is broken.
const maxResync = 10000

// Parse reads an e-mail message (RFC 5322 with the MIME structure of
// RFC 2045–2046) from r within lim.
//
// The header fields are decoded (RFC 2047 words, addresses, date), and
// the whole MIME tree is walked: every multipart subtype, nested to any
// depth up to lim.MaxDepth, with each calendar part decoded and every
// other part discarded as it is read. Only calendar parts are held in
// memory. A message over a limit gives an error wrapping ErrLimit; Parse
// never reads more than lim.MaxSize+1 bytes from r.
//
// Parse is lenient: leading blank lines, a broken part header, a missing
// boundary or a missing final boundary are repaired or skipped and
// recorded in Message.Warnings; a calendar part that cannot be decoded
// keeps its error in Part.Err. Only a message whose header cannot be read
// at all is an error, wrapping ErrMalformed. Parse reads the input to its
// end, so that the size limit covers the whole message.
func Parse(r io.Reader, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	src := &sizeReader{r: io.LimitReader(r, lim.MaxSize+1), max: lim.MaxSize}
	p := &parser{lim: lim, src: src, msg: &Message{}}
	br := bufio.NewReader(src)
	skipBlankLines(br)
	h, err := textproto.ReadHeader(br)
	if err := p.failed(err); err != nil {
		return nil, err
	}
	if err != nil {
		return nil, malformed(err, "message header: %v", err)
	}
	if h.Len() == 0 {
		return nil, malformed(nil, "message without header fields")
	}
	p.readHeader(h)
	ct := parseContentType(h.Get("Content-Type"))
	if ct.typ == "multipart/report" && strings.EqualFold(strings.TrimSpace(ct.params["report-type"]), "delivery-status") {
		// RFC 3464 §2: a delivery status notification.
		p.msg.Bounce = &Bounce{}
	}
	if err := p.entity(h, br, "", 0, scopeOwn); err != nil {
		return nil, err
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		if err := p.failed(err); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("imip: read: %w", err)
	}
	return p.msg, nil
}

// scope says whom a part belongs to.
type scope uint8

const (
	// scopeOwn: a part of the message itself.
	scopeOwn scope = iota
	// scopeReturned: a part of the message a DSN returns.
	scopeReturned
)

type parser struct {
	lim      Limits
	src      *sizeReader
	msg      *Message
	parts    int
	calParts int
	resync   int
}

func (p *parser) warn(path, format string, args ...any) {
	if path == "" {
		path = "1"
	}
	p.msg.Warnings = append(p.msg.Warnings, "part "+path+": "+fmt.Sprintf(format, args...))
}

func (p *parser) sizeErr() error {
	return fmt.Errorf("imip: message larger than %d bytes: %w", p.lim.MaxSize, ErrLimit)
}

// failed turns a read error into the error Parse returns, or nil when the
// error only ends a part (best effort) and the walk goes on.
func (p *parser) failed(err error) error {
	if p.src.over {
		return p.sizeErr()
	}
	if p.src.err != nil {
		return fmt.Errorf("imip: read: %w", p.src.err)
	}
	if errors.Is(err, ErrLimit) {
		return err
	}
	return nil
}

// entity handles one MIME entity with header h and raw (still transfer
// encoded) body.
func (p *parser) entity(h textproto.Header, body io.Reader, path string, depth int, sc scope) error {
	p.parts++
	if p.parts > p.lim.MaxParts {
		return fmt.Errorf("imip: more than %d MIME parts: %w", p.lim.MaxParts, ErrLimit)
	}
	if depth > p.lim.MaxDepth {
		return fmt.Errorf("imip: MIME parts nested deeper than %d levels: %w", p.lim.MaxDepth, ErrLimit)
	}
	ct := parseContentType(h.Get("Content-Type"))
	dsn := p.msg.Bounce != nil && sc == scopeOwn
	switch {
	case strings.HasPrefix(ct.typ, "multipart/"):
		// RFC 2046 §5.1.7: an unknown subtype (even a truncated one such
		// as "multipart/alternat") is treated as multipart/mixed.
		return p.multipart(ct, body, path, depth, sc)
	case dsn && (ct.typ == "message/delivery-status" || ct.typ == "message/global-delivery-status"):
		return p.deliveryStatus(h, body, path)
	case dsn && (ct.typ == "message/rfc822" || ct.typ == "message/global"):
		return p.returnedMessage(h, body, path, depth)
	case dsn && ct.typ == "text/rfc822-headers":
		return p.returnedHeaders(h, body, path)
	case isCalendar(ct, h):
		return p.calendarPart(h, ct, body, leafPath(path), sc)
	}
	// Anything else, an attached message/rfc822 included, is not held:
	// its calendars belong to the attached message, not to this one.
	if _, err := io.Copy(io.Discard, body); err != nil {
		return p.failed(err)
	}
	return nil
}

func leafPath(path string) string {
	if path == "" {
		return "1"
	}
	return path
}

func childPath(parent string, i int) string {
	if parent == "" {
		return strconv.Itoa(i)
	}
	return parent + "." + strconv.Itoa(i)
}

// multipart walks the parts of a multipart entity (RFC 2046 §5.1). The
// transfer encoding of a multipart is ignored: RFC 2045 §6.4 allows only
// identity encodings, and producers write "binary" or even
// "quoted-printable" there.
func (p *parser) multipart(ct contentType, body io.Reader, path string, depth int, sc scope) error {
	boundary := ct.params["boundary"]
	if boundary == "" {
		p.warn(path, "%s without boundary, skipped", ct.typ)
		if _, err := io.Copy(io.Discard, body); err != nil {
			return p.failed(err)
		}
		return nil
	}
	// When the body does not end with its final boundary (a missing
	// terminator, a message cut off), one is appended: the multipart then
	// ends where its input ends, and skipping lines after a broken part
	// header always reaches a boundary.
	tb := &terminated{r: body, boundary: boundary}
	mr := textproto.NewMultipartReader(tb, boundary)
	n := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if err := p.failed(err); err != nil {
				return err
			}
			// A part header that cannot be read, or a line where a
			// boundary should be: skip lines up to the next boundary.
			if p.resync == 0 {
				p.warn(path, "%v; skipped to the next boundary", err)
			}
			p.resync++
			if p.resync > maxResync {
				p.warn(path, "too many unreadable lines, rest of the multipart skipped")
				break
			}
			continue
		}
		n++
		if err := p.entity(part.Header, part, childPath(path, n), depth+1, sc); err != nil {
			return err
		}
	}
	if tb.appended {
		p.warn(path, "no final boundary")
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		return p.failed(err)
	}
	return nil
}

// sizeReader reads from r, which must not give more than max+1 bytes, and
// fails once more than max bytes came. It keeps the first error of r other
// than io.EOF.
type sizeReader struct {
	r    io.Reader
	n    int64
	max  int64
	over bool
	err  error
}

var errTooLarge = fmt.Errorf("imip: message too large: %w", ErrLimit)

func (s *sizeReader) Read(b []byte) (int, error) {
	if s.over {
		return 0, errTooLarge
	}
	n, err := s.r.Read(b)
	s.n += int64(n)
	if s.n > s.max {
		s.over = true
		return n - int(s.n-s.max), errTooLarge
	}
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// terminated reads r, a multipart body, and then its final boundary
// "--boundary--" if r did not end with it (white space aside).
type terminated struct {
	r        io.Reader
	boundary string
	tail     []byte // the last bytes of r
	suffix   []byte
	done     bool
	appended bool // the final boundary was read from suffix
}

func (t *terminated) Read(b []byte) (int, error) {
	if !t.done {
		n, err := t.r.Read(b)
		if keep := len(t.boundary) + 40; n > 0 {
			t.tail = append(t.tail, b[:n]...)
			if len(t.tail) > keep {
				t.tail = append(t.tail[:0], t.tail[len(t.tail)-keep:]...)
			}
		}
		if err != io.EOF {
			return n, err
		}
		t.done = true
		end := "--" + t.boundary + "--"
		if !bytes.HasSuffix(bytes.TrimRight(t.tail, " \t\r\n"), []byte(end)) {
			// A CRLF first: it ends the last line in either line-ending
			// mode of the multipart reader, and an empty part body.
			t.suffix = []byte("\r\n" + end)
		}
		if n > 0 {
			return n, nil
		}
	}
	if len(t.suffix) == 0 {
		return 0, io.EOF
	}
	t.appended = true
	n := copy(b, t.suffix)
	t.suffix = t.suffix[n:]
	return n, nil
}

// skipBlankLines skips lines made only of white space before the header
// (imip-quirks §2.1.6: nylas/raw_message_with_ical_invite.eml starts with
// one, and RFC 5322 parsers would take it for a folded first field).
func skipBlankLines(br *bufio.Reader) {
	// A byte order mark, as some Windows tools save messages
	// (zimbra/outlook12-request-bug_45331.eml).
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		if _, err := br.Discard(3); err != nil {
			return
		}
	}
	for {
		b, err := br.Peek(1)
		if err != nil || (b[0] != ' ' && b[0] != '\t' && b[0] != '\r' && b[0] != '\n') {
			return
		}
		// Peek the whole line, at most one buffer; a line of white space
		// longer than that is left to fail as a header.
		for i := 1; ; i++ {
			b, err = br.Peek(i)
			if err != nil || len(b) < i {
				return
			}
			c := b[i-1]
			if c == '\n' {
				if _, err := br.Discard(i); err != nil {
					return
				}
				break
			}
			if c != ' ' && c != '\t' && c != '\r' {
				return
			}
		}
	}
}

// contentType is a parsed Content-Type field.
type contentType struct {
	typ    string // lower case; "text/plain" when absent (RFC 2045 §5.2)
	params map[string]string
}

// parseContentType parses a Content-Type value leniently; see parseField.
func parseContentType(v string) contentType {
	typ, params := parseField(v)
	if !strings.Contains(typ, "/") {
		// RFC 2045 §5.2: a missing or unreadable type is text/plain.
		typ = "text/plain"
	}
	return contentType{typ: typ, params: params}
}

// parseField parses a field of the form "value; name=value; …"
// (Content-Type, Content-Disposition) with RFC 2231 parameters. The value
// is returned in lower case, parameter names in lower case and values
// unquoted. When the parameters do not parse (an unterminated quote, a
// duplicate name), they are split by hand, the first of a name winning.
func parseField(v string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", map[string]string{}
	}
	typ, params, err := mime.ParseMediaType(v)
	if err == nil {
		return typ, params
	}
	head, rest, _ := strings.Cut(v, ";")
	typ = strings.ToLower(strings.TrimSpace(head))
	if i := strings.IndexAny(typ, " \t"); i >= 0 {
		typ = typ[:i]
	}
	params = map[string]string{}
	for kv := range strings.SplitSeq(rest, ";") {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.Trim(strings.TrimSpace(val), `"`)
		if _, dup := params[k]; k != "" && !dup {
			params[k] = val
		}
	}
	return typ, params
}

// partFilename returns the filename parameter of Content-Disposition
// (RFC 2183), else the name parameter of Content-Type, RFC 2047 decoded
// (as many producers write them, against RFC 2047 §5).
func partFilename(h textproto.Header, ct contentType) string {
	_, params := parseField(h.Get("Content-Disposition"))
	name := params["filename"]
	if name == "" {
		name = ct.params["name"]
	}
	return decodeWords(name)
}

// isCalendar reports whether a part carries iCalendar data: by media type
// (text/calendar of RFC 6047 §2.4; application/ics as Google and
// Nextcloud send; the vCalendar type text/x-vcalendar) or by a file name
// ending in .ics, .ical, .ifb or .vcs, under any media type
// (application/octet-stream, text/plain: imip-quirks §2.1.2).
func isCalendar(ct contentType, h textproto.Header) bool {
	switch ct.typ {
	case "text/calendar", "application/ics", "text/x-vcalendar":
		return true
	}
	name := strings.ToLower(partFilename(h, ct))
	for _, ext := range []string{".ics", ".ical", ".ifb", ".vcs"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}
