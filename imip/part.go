// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/textproto"
)

// calendarPart reads a calendar part: its data is held, decoded and
// parsed.
func (p *parser) calendarPart(h textproto.Header, ct contentType, body io.Reader, path string, sc scope) error {
	p.calParts++
	if p.calParts > p.lim.MaxCalendarParts {
		return fmt.Errorf("imip: more than %d calendar parts: %w", p.lim.MaxCalendarParts, ErrLimit)
	}
	part := Part{
		Path:        path,
		ContentType: ct.typ,
		// RFC 6047 §2.4: the method parameter; producers quote it
		// (thunderbird/single-event.eml) and vary its case.
		Method:    strings.ToUpper(strings.TrimSpace(ct.params["method"])),
		Component: strings.ToUpper(strings.TrimSpace(ct.params["component"])),
		Filename:  partFilename(h, ct),
	}
	data, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if err := p.failed(err); err != nil {
		return err
	}
	if err == nil {
		data, err = toUTF8(ct.params["charset"], data)
	}
	part.Data = data
	if err != nil {
		part.Err = err
	} else {
		part.Calendar, part.Err = decodeCalendar(data)
	}
	if part.Err != nil {
		p.warn(path, "%v", part.Err)
	}
	if part.Calendar != nil && part.Method != "" {
		if m := strings.ToUpper(strings.TrimSpace(part.Calendar.Value(ical.PropMethod))); m != "" && m != part.Method {
			// RFC 6047 §2.4: the parameter MUST equal METHOD; OpenPaaS
			// sends method=REQUEST on a CANCEL. The property wins.
			p.warn(path, "method=%s contradicts METHOD:%s; METHOD wins", part.Method, m)
		}
	}
	if sc == scopeReturned {
		if b := p.msg.Bounce; b.UID == "" && part.Calendar != nil {
			b.UID = itip.UID(part.Calendar)
		}
		return nil
	}
	p.msg.Parts = append(p.msg.Parts, part)
	return nil
}

// decodeTransfer reads body and undoes its Content-Transfer-Encoding
// (RFC 2045 §6). Quoted-printable is decoded leniently, as mime/
// quotedprintable does: an "=" not followed by two hex digits is kept
// (imip-quirks §2.2.9). Base64 ignores white space anywhere and accepts
// missing padding. A read error of body is returned as it is, with the
// data read; a decoding error wraps ErrMalformed.
func decodeTransfer(cte string, body io.Reader) ([]byte, error) {
	switch cte = strings.ToLower(strings.TrimSpace(cte)); cte {
	case "", "7bit", "8bit", "binary":
		return io.ReadAll(body)
	case "quoted-printable":
		raw, err := io.ReadAll(body)
		if err != nil {
			return raw, err
		}
		data, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return data, malformed(err, "quoted-printable: %v", err)
		}
		return data, nil
	case "base64":
		raw, err := io.ReadAll(body)
		if err != nil {
			return raw, err
		}
		return decodeBase64(raw)
	}
	return nil, malformed(nil, "unknown Content-Transfer-Encoding %q", cte)
}

// decodeBase64 decodes raw, which it overwrites.
func decodeBase64(raw []byte) ([]byte, error) {
	clean := raw[:0]
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n', '\f', '\v':
		default:
			clean = append(clean, c)
		}
	}
	// Room for a partial last quantum: Decode writes it even when the
	// input length is not a multiple of 4.
	out := make([]byte, len(clean)/4*3+3)
	n, err := base64.StdEncoding.Decode(out, clean)
	if err == nil {
		return out[:n], nil
	}
	// Padding left out, as some producers do.
	trimmed := bytes.TrimRight(clean, "=")
	if n2, err2 := base64.RawStdEncoding.Decode(out, trimmed); err2 == nil {
		return out[:n2], nil
	}
	return out[:n], malformed(err, "base64: %v", err)
}

// toUTF8 converts data from the charset parameter to UTF-8 (RFC 2046
// §4.1.2; RFC 6047 §2.4 wants UTF-8, but windows-1257 and ISO-8859-1
// occur). An unknown charset is accepted when the data is valid UTF-8.
func toUTF8(cs string, data []byte) ([]byte, error) {
	cs = strings.ToLower(strings.TrimSpace(cs))
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return data, nil
	}
	r, err := charset.Reader(cs, bytes.NewReader(data))
	if err != nil {
		if utf8.Valid(data) {
			return data, nil
		}
		return data, malformed(err, "unknown charset %q, and the data is not UTF-8", cs)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return data, malformed(err, "charset %q: %v", cs, err)
	}
	return out, nil
}

// decodeCalendar decodes the one VCALENDAR of a calendar part leniently
// (ical.Decoder's default: bare LF, broken folding, stray text after
// END:VCALENDAR and the like are repaired). A part holding several
// objects is refused: RFC 6047 §2.4 wants each in its own part.
func decodeCalendar(data []byte) (*ical.Component, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	d := ical.NewDecoder(bytes.NewReader(data))
	cal, err := d.Decode()
	if err == io.EOF {
		return nil, malformed(nil, "no VCALENDAR in the part")
	}
	if err != nil {
		return nil, malformed(err, "%v", err)
	}
	if _, err := d.Decode(); err == nil {
		return nil, malformed(nil, "several iCalendar objects in one part (RFC 6047 §2.4 wants one per part)")
	}
	return cal.Component, nil
}

// malformedError is a calendar part that cannot be used: it matches
// ErrMalformed and its cause with errors.Is.
type malformedError struct {
	msg   string
	cause error
}

func malformed(cause error, format string, args ...any) error {
	return &malformedError{msg: "imip: " + fmt.Sprintf(format, args...), cause: cause}
}

func (e *malformedError) Error() string { return e.msg }

func (e *malformedError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrMalformed}
	}
	return []error{ErrMalformed, e.cause}
}

// partError is the error of Message.ITIP for a calendar part that cannot
// be used.
type partError struct {
	path string
	err  error
}

func (e *partError) Error() string {
	return "imip: calendar part " + e.path + ": " + strings.TrimPrefix(e.err.Error(), "imip: ")
}

func (e *partError) Unwrap() error { return e.err }
