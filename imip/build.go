// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	nettextproto "net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
	"github.com/emersion/go-message/textproto"
)

// Outgoing is an iMIP message to build.
type Outgoing struct {
	// From is the actor's e-mail address (addr-spec, no "mailto:"): the
	// organizer for REQUEST, ADD, CANCEL, DECLINECOUNTER and PUBLISH, the
	// attendee for REPLY, COUNTER and REFRESH. Required.
	From string
	// FromName is the actor's display name; "" for none.
	FromName string
	// Sender is the service address when the service sends on behalf of
	// From (RFC 5322 §3.6.2 Sender:, as Google does); "" for none.
	Sender string
	// To holds the recipients' addresses (addr-spec). At least one is
	// required.
	To []string
	// Calendar is the iTIP message: a VCALENDAR with a METHOD property
	// and one main component type (RFC 5546 §1.4). Build never changes
	// it.
	Calendar *ical.Component
	// MessageID is the Message-ID without angle brackets; "" makes a
	// random one at From's domain.
	MessageID string
	// Date is the origination date; zero means the time of the call.
	Date time.Time
	// Headers holds extra header fields, such as "X-Almanac-Delivery";
	// nil for none. They are written in the order of their names. The
	// fields Build writes itself (From, To, Content-Type, …) are refused.
	Headers map[string]string
}

// reserved are the header fields Build writes, which Outgoing.Headers may
// not set.
var reserved = []string{
	"From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-Id",
	"Mime-Version", "Auto-Submitted", "Content-Type", "Content-Transfer-Encoding",
	"Content-Disposition",
}

// Build returns the RFC 5322 message for m, with CRLF line endings: the
// layout of RFC 6047 §4.2, a multipart/alternative of a text/plain
// summary, a text/html summary and the calendar as
// "text/calendar; method=M; component=C; charset=UTF-8", M being the
// METHOD property (RFC 6047 §2.4).
//
// The calendar sent is a copy of m.Calendar, prepared as iMIP wants it
// (imip-quirks.md §3): ORGANIZER and ATTENDEE as mailto: URIs (RFC 6047
// §2.3), the sender's VALARMs, TRANSP and client-private X-MOZ-* and
// X-APPLE-* properties removed, STATUS:CANCELLED added to the components of a
// CANCEL that lack a STATUS; it is written folded with CRLF line
// endings. A REPLY without ORGANIZER is refused: Outlook.com rejects it.
//
// Each part takes the identity transfer encoding "7bit" when it is
// US-ASCII with lines of at most 998 octets (RFC 5322 §2.1.1); otherwise
// the calendar is sent in base64 and the summaries in quoted-printable
// (quoted-printable soft line breaks in iCalendar folds confuse
// receivers). The message carries "Auto-Submitted: auto-generated" (RFC
// 3834 §5).
func Build(m *Outgoing) ([]byte, error) {
	if m == nil || m.Calendar == nil {
		return nil, errors.New("imip: no calendar to send")
	}
	cal, method, comp, err := outgoingCalendar(m.Calendar)
	if err != nil {
		return nil, err
	}
	if err := checkAddr("From", m.From); err != nil {
		return nil, err
	}
	if m.Sender != "" {
		if err := checkAddr("Sender", m.Sender); err != nil {
			return nil, err
		}
	}
	if len(m.To) == 0 {
		return nil, errors.New("imip: no recipient")
	}
	for _, to := range m.To {
		if err := checkAddr("To", to); err != nil {
			return nil, err
		}
	}
	id := m.MessageID
	if id == "" {
		id = randomID(m.From)
	} else if strings.ContainsAny(id, "<> \t\r\n") || !strings.Contains(id, "@") || len(id) > 900 {
		return nil, fmt.Errorf("imip: Message-ID %q is not id-left@id-right", id)
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	extra := make([]string, 0, len(m.Headers))
	for k, v := range m.Headers {
		if !validFieldName(k) || strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("imip: invalid header field %q", k)
		}
		if slices.Contains(reserved, nettextproto.CanonicalMIMEHeaderKey(k)) {
			return nil, fmt.Errorf("imip: header field %s is written by Build", k)
		}
		extra = append(extra, k)
	}
	slices.Sort(extra)

	ics := ical.Marshal(cal)
	sum := summarize(cal, method, comp, m)
	plain, html := sum.text(), sum.html()

	boundary := randomBoundary(ics, plain, html)
	var h textproto.Header
	// textproto.Header writes the field added last first: add in reverse.
	fields := [][2]string{
		{"From", (&mail.Address{Name: m.FromName, Address: m.From}).String()},
	}
	if m.Sender != "" {
		fields = append(fields, [2]string{"Sender", m.Sender})
	}
	fields = append(fields,
		[2]string{"To", strings.Join(m.To, ", ")},
		[2]string{"Subject", encodeWords(sum.subject)},
		[2]string{"Date", date.Format(time.RFC1123Z)},
		[2]string{"Message-ID", "<" + id + ">"},
		[2]string{"MIME-Version", "1.0"},
		// RFC 3834 §5: an automatic message, never to be answered
		// automatically.
		[2]string{"Auto-Submitted", "auto-generated"},
	)
	for _, k := range extra {
		fields = append(fields, [2]string{k, encodeWords(m.Headers[k])})
	}
	fields = append(fields, [2]string{"Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary})})
	for i := len(fields) - 1; i >= 0; i-- {
		k, v := fields[i][0], fields[i][1]
		if k == "Message-ID" || k == "MIME-Version" {
			// Add would spell them Message-Id and Mime-Version; the
			// values are short and need no folding.
			h.AddRaw([]byte(k + ": " + v + "\r\n"))
			continue
		}
		h.Add(k, v)
	}

	var b bytes.Buffer
	if err := textproto.WriteHeader(&b, h); err != nil {
		return nil, fmt.Errorf("imip: %w", err)
	}
	textType := mime.FormatMediaType("text/plain", map[string]string{"charset": "UTF-8"})
	htmlType := mime.FormatMediaType("text/html", map[string]string{"charset": "UTF-8"})
	// RFC 6047 §2.4: charset=UTF-8 is required when the object is not
	// US-ASCII; it is always written. The parameters are written in the
	// order of the RFC's example, not sorted as mime.FormatMediaType does.
	calType := "text/calendar; method=" + method + "; component=" + comp + "; charset=UTF-8"
	for _, part := range []struct {
		typ  string
		data []byte
		qp   bool // quoted-printable rather than base64 when not 7bit
	}{
		{textType, plain, true},
		{htmlType, html, true},
		{calType, ics, false},
	} {
		b.WriteString("--" + boundary + "\r\n")
		var ph textproto.Header
		cte := "7bit"
		if !is7bit(part.data) {
			cte = "base64"
			if part.qp {
				cte = "quoted-printable"
			}
		}
		ph.Add("Content-Transfer-Encoding", cte)
		ph.Add("Content-Type", part.typ)
		if err := textproto.WriteHeader(&b, ph); err != nil {
			return nil, fmt.Errorf("imip: %w", err)
		}
		if err := writeEncoded(&b, cte, part.data); err != nil {
			return nil, err
		}
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes(), nil
}

// outgoingCalendar returns the calendar Build sends for cal, a prepared
// copy, with its METHOD and main component type.
func outgoingCalendar(cal *ical.Component) (*ical.Component, string, string, error) {
	if cal.Name != ical.CompCalendar {
		return nil, "", "", fmt.Errorf("imip: calendar is a %s, not a VCALENDAR", cal.Name)
	}
	method, comp := itip.MethodOf(cal)
	if method == "" {
		return nil, "", "", errors.New("imip: calendar without METHOD is not an iTIP message")
	}
	if comp == "" {
		return nil, "", "", errors.New("imip: an iTIP message holds one type of VEVENT, VTODO, VJOURNAL or VFREEBUSY (RFC 5546 §1.4)")
	}
	out := clone(cal)
	// RFC 6047 §2.4: the method parameter is the METHOD value; write the
	// property as the parameter says it.
	out.Set(ical.NewProperty(ical.PropMethod, method))
	dropPrivate(out)
	for _, c := range out.Children {
		if !isMain(c.Name) {
			continue
		}
		for i := range c.Props {
			p := &c.Props[i]
			if p.Name != ical.PropOrganizer && p.Name != ical.PropAttendee {
				continue
			}
			v, err := mailtoURI(p)
			if err != nil {
				return nil, "", "", err
			}
			p.Value = v
		}
		// imip-quirks §3: a REPLY carries the ORGANIZER, which
		// Outlook.com needs (nextcloud/server#53949), as RFC 5546 §3.2.3
		// requires.
		if method == string(itip.MethodReply) && c.Prop(ical.PropOrganizer) == nil {
			return nil, "", "", fmt.Errorf("imip: %s REPLY without ORGANIZER (RFC 5546 §3.2.3)", c.Name)
		}
		// imip-quirks §3: a CANCEL also says STATUS:CANCELLED, which
		// iCloud omits and some receivers need (RFC 5546 §3.2.5).
		if method == string(itip.MethodCancel) && c.Name != ical.CompFreeBusy && c.Prop(ical.PropStatus) == nil {
			c.Add(ical.NewProperty(ical.PropStatus, "CANCELLED"))
		}
	}
	return out, method, comp, nil
}

func isMain(name string) bool {
	switch name {
	case ical.CompEvent, ical.CompToDo, ical.CompJournal, ical.CompFreeBusy:
		return true
	}
	return false
}

// dropPrivate removes what is private to the sender (imip-quirks §3): the
// VALARMs and TRANSP, alarms and transparency being per attendee, and the
// client-private X-MOZ-* and X-APPLE-* properties, at every level.
func dropPrivate(c *ical.Component) {
	c.Props = slices.DeleteFunc(c.Props, func(p ical.Property) bool {
		return p.Name == ical.PropTransp || strings.HasPrefix(p.Name, "X-MOZ-") || strings.HasPrefix(p.Name, "X-APPLE-")
	})
	c.Children = slices.DeleteFunc(c.Children, func(ch *ical.Component) bool {
		return ch.Name == ical.CompAlarm
	})
	for _, ch := range c.Children {
		dropPrivate(ch)
	}
}

// mailtoURI returns the value of an ORGANIZER or ATTENDEE as a mailto:
// URI (RFC 6047 §2.3): "MAILTO:" written in lower case, a bare address
// given its scheme, another scheme (urn:uuid:) replaced by the EMAIL
// parameter (RFC 7986 §6.2).
func mailtoURI(p *ical.Property) (string, error) {
	v := strings.TrimSpace(p.Value)
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		v = "mailto:" + strings.TrimSpace(v[7:])
	} else if !strings.Contains(v, ":") && strings.Contains(v, "@") {
		v = "mailto:" + v
	} else if email := strings.TrimSpace(p.Params.Get(ical.ParamEmail)); email != "" {
		v = "mailto:" + email
	} else {
		return "", fmt.Errorf("imip: %s %q has no e-mail address (RFC 6047 §2.3)", p.Name, p.Value)
	}
	if _, err := mail.ParseAddress(v[7:]); err != nil {
		return "", fmt.Errorf("imip: %s %q: %w", p.Name, p.Value, err)
	}
	return v, nil
}

// checkAddr checks that addr is a bare addr-spec.
func checkAddr(field, addr string) error {
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" {
		return fmt.Errorf("imip: %s %q is not an addr-spec", field, addr)
	}
	return nil
}

func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		// RFC 5322 §2.2: printable US-ASCII but the colon.
		if k[i] < 33 || k[i] > 126 || k[i] == ':' {
			return false
		}
	}
	return true
}

// encodeWords writes s as RFC 2047 Q words when it is not ASCII.
func encodeWords(s string) string {
	return mime.QEncoding.Encode("utf-8", s)
}

// is7bit reports whether data may be sent as 7bit (RFC 2045 §2.7):
// US-ASCII without NUL or lone CR and LF, lines of at most 998 octets.
func is7bit(data []byte) bool {
	line := 0
	for i, c := range data {
		switch {
		case c == 0 || c >= 0x80:
			return false
		case c == '\r':
			if i+1 >= len(data) || data[i+1] != '\n' {
				return false
			}
		case c == '\n':
			if i == 0 || data[i-1] != '\r' {
				return false
			}
			line = 0
			continue
		}
		line++
		if line > 998 {
			return false
		}
	}
	return true
}

func writeEncoded(w *bytes.Buffer, cte string, data []byte) error {
	switch cte {
	case "7bit":
		w.Write(data)
		if !bytes.HasSuffix(data, []byte("\r\n")) {
			w.WriteString("\r\n")
		}
	case "base64":
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			w.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		w.WriteString(enc + "\r\n")
	case "quoted-printable":
		qw := quotedprintable.NewWriter(w)
		if _, err := qw.Write(data); err != nil {
			return fmt.Errorf("imip: %w", err)
		}
		if err := qw.Close(); err != nil {
			return fmt.Errorf("imip: %w", err)
		}
		if !bytes.HasSuffix(w.Bytes(), []byte("\r\n")) {
			w.WriteString("\r\n")
		}
	}
	return nil
}

// randomID returns a new message identifier at the domain of from.
func randomID(from string) string {
	domain := from[strings.LastIndexByte(from, '@')+1:]
	return randomHex(16) + "@" + domain
}

// randomBoundary returns a boundary found in none of the parts. The "=_"
// in it cannot occur in base64 or quoted-printable text.
func randomBoundary(parts ...[]byte) string {
	for {
		b := "=_" + randomHex(15)
		if !slices.ContainsFunc(parts, func(p []byte) bool { return bytes.Contains(p, []byte(b)) }) {
			return b
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails (it crashes the program instead).
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
