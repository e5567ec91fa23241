// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

func mustParse(t *testing.T, msg string) *Message {
	t.Helper()
	m, err := Parse(strings.NewReader(msg), Limits{})
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, msg)
	}
	return m
}

// calendarText is a small REQUEST whose SUMMARY is summary.
func calendarText(summary string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n" +
		"UID:u1@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260102T100000Z\r\nSUMMARY:" + summary + "\r\n" +
		"ORGANIZER:mailto:o@example.com\r\nATTENDEE:mailto:a@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

// oneCalendar returns a message of one text/calendar part with the given
// parameters, transfer encoding and (already encoded) body.
func oneCalendar(params, cte, body string) string {
	h := "From: o@example.com\r\nTo: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n" +
		"--b1\r\nContent-Type: text/calendar" + params + "\r\n"
	if cte != "" {
		h += "Content-Transfer-Encoding: " + cte + "\r\n"
	}
	return h + "\r\n" + body + "\r\n--b1--\r\n"
}

// TestTransferEncodings decodes the calendar part in every transfer
// encoding, with the deviations producers write.
func TestTransferEncodings(t *testing.T) {
	cal := calendarText("Plain")
	b64 := base64.StdEncoding.EncodeToString([]byte(cal))
	var wrapped strings.Builder
	for s := b64; len(s) > 0; {
		n := min(76, len(s))
		wrapped.WriteString(s[:n] + "\r\n")
		s = s[n:]
	}
	for _, tc := range []struct {
		name, cte, body string
		ok              bool
	}{
		{"none", "", cal, true},
		{"7bit", "7bit", cal, true},
		{"8bit", "8bit", cal, true},
		{"binary", "binary", cal, true},
		{"7bit upper case", "7BIT", cal, true},
		{"base64", "base64", wrapped.String(), true},
		{"base64 mixed case", "Base64", wrapped.String(), true},
		{"base64 one line", "base64", b64, true},
		{"base64 with spaces", "base64", strings.Join(strings.SplitAfter(b64, "Q"), " \t"), true},
		{"base64 without padding", "base64", strings.TrimRight(b64, "="), true},
		{"quoted-printable", "quoted-printable", strings.ReplaceAll(strings.ReplaceAll(cal, "=", "=3D"), "SUMMARY:Pl", "SUMM=\r\nARY:Pl"), true},
		{"quoted-printable encoded CRLF", "quoted-printable", strings.ReplaceAll(cal, "\r\n", "=0D=0A=\r\n"), true},
		{"quoted-printable bare =", "QUOTED-PRINTABLE", strings.Replace(cal, "ATTENDEE:", "ATTENDEE;X-A=B:", 1), true},
		{"bad base64", "base64", "BEGIN:VCALENDAR!!!", false},
		{"unknown encoding", "x-uuencode", cal, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, oneCalendar("; method=REQUEST; charset=UTF-8", tc.cte, tc.body))
			if len(m.Parts) != 1 {
				t.Fatalf("Parts = %+v", partInfos(m))
			}
			p := m.Parts[0]
			if !tc.ok {
				if p.Calendar != nil || !errors.Is(p.Err, ErrMalformed) {
					t.Errorf("Part = calendar %v, Err %v; want nil and ErrMalformed", p.Calendar != nil, p.Err)
				}
				if _, err := m.ITIP(); !errors.Is(err, ErrMalformed) {
					t.Errorf("ITIP = %v, want ErrMalformed", err)
				}
				return
			}
			if p.Err != nil {
				t.Fatalf("Part.Err = %v", p.Err)
			}
			if got := p.Calendar.Children[0].Value(ical.PropSummary); got != "Plain" {
				t.Errorf("SUMMARY = %q", got)
			}
		})
	}
}

// latin1 encodes an ISO-8859-1 string.
func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

// TestCharsets converts the calendar part to UTF-8 from its charset.
func TestCharsets(t *testing.T) {
	for _, tc := range []struct {
		name, charset, body string
		want                string // SUMMARY; "" for a part that cannot be used
	}{
		{"utf-8", "UTF-8", calendarText("Réunion"), "Réunion"},
		{"quoted utf-8", `"utf-8"`, calendarText("Réunion"), "Réunion"},
		{"none", "", calendarText("Réunion"), "Réunion"},
		{"us-ascii", "us-ascii", calendarText("Meeting"), "Meeting"},
		{"iso-8859-1", "ISO-8859-1", latin1(calendarText("Réunion à Noël")), "Réunion à Noël"},
		{"latin1 alias", "latin1", latin1(calendarText("Café")), "Café"},
		{"iso-8859-15", "iso-8859-15", calendarText("Prix \xa4") /* € in ISO-8859-15 */, "Prix €"},
		{"windows-1252", "windows-1252", calendarText("\x93quoted\x94 \x80"), "\u201cquoted\u201d €"},
		{"windows-1257", "windows-1257", calendarText("R\xeegas"), "Rīgas"},
		{"windows-1251", "windows-1251", calendarText("\xd2\xe5\xf1\xf2"), "Тест"},
		{"unknown charset, UTF-8 data", "x-unknown", calendarText("Réunion"), "Réunion"},
		{"unknown charset, other data", "x-unknown", latin1(calendarText("Réunion")), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params := "; method=REQUEST"
			if tc.charset != "" {
				params += "; charset=" + tc.charset
			}
			m := mustParse(t, oneCalendar(params, "8bit", tc.body))
			p := m.Parts[0]
			if tc.want == "" {
				if p.Calendar != nil || !errors.Is(p.Err, ErrMalformed) {
					t.Errorf("Part: calendar %v, Err %v; want nil and ErrMalformed", p.Calendar != nil, p.Err)
				}
				return
			}
			if p.Err != nil {
				t.Fatalf("Part.Err = %v", p.Err)
			}
			if got := p.Calendar.Children[0].Value(ical.PropSummary); got != tc.want {
				t.Errorf("SUMMARY = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestMalformedMIME: broken structures give a best-effort parse, or a
// clear error when even the header cannot be read; never a panic.
func TestMalformedMIME(t *testing.T) {
	cal := calendarText("Found")
	for _, tc := range []struct {
		name, msg string
		err       error // of Parse
		found     bool  // ITIP finds the calendar
		warning   string
	}{
		{"empty", "", ErrMalformed, false, ""},
		{"no header", "\r\n\r\nbody", ErrMalformed, false, ""},
		{"garbage header", "this is not a header\r\n\r\n", ErrMalformed, false, ""},
		{"binary garbage", "\x00\x01\x02\xff\xfe", ErrMalformed, false, ""},
		{"missing final boundary", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/calendar\r\n\r\n" + cal,
			nil, true, "no final boundary"},
		{"cut inside a part header", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/calendar\r\n\r\n" + cal + "\r\n--b\r\nContent-Ty",
			nil, true, ""},
		{"no boundary parameter", "Content-Type: multipart/mixed\r\n\r\n--b\r\nContent-Type: text/calendar\r\n\r\n" + cal + "\r\n--b--\r\n",
			nil, false, "without boundary"},
		{"boundary never used", "Content-Type: multipart/mixed; boundary=zzz\r\n\r\n--b\r\nContent-Type: text/calendar\r\n\r\n" + cal + "\r\n--b--\r\n",
			nil, false, "no final boundary"},
		{"broken part header, then the calendar", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n Content-Type: text/plain\r\n\r\nx\r\n" +
			"--b\r\nContent-Type: text/calendar\r\n\r\n" + cal + "\r\n--b--\r\n", nil, true, "skipped to the next boundary"},
		{"garbage between parts", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--junk\r\n" +
			"--b\r\nContent-Type: text/calendar\r\n\r\n" + cal + "\r\n--b--\r\n", nil, true, ""},
		{"nested multipart cut short", "Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n" +
			"--inner\r\nContent-Type: text/calendar\r\n\r\n" + cal + "\r\n--outer--\r\n", nil, true, "no final boundary"},
		{"unterminated quote in a parameter", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/msword; name=\"x\r\n\r\nabc\r\n" +
			"--b\r\nContent-Type: text/calendar; method=\"REQUEST\r\n\r\n" + cal + "\r\n--b--\r\n", nil, true, ""},
		{"empty multipart", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b--\r\n", nil, false, ""},
		{"LF only", strings.ReplaceAll(oneCalendar("; method=REQUEST", "", cal), "\r\n", "\n"), nil, true, ""},
		{"mixed line endings", strings.Replace(oneCalendar("; method=REQUEST", "", cal), "\r\n", "\n", 3), nil, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tc.msg), Limits{})
			if tc.err != nil {
				if !errors.Is(err, tc.err) || m != nil {
					t.Fatalf("Parse = %v, %v; want nil, %v", m, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			cal, err := m.ITIP()
			if tc.found != (err == nil) {
				t.Errorf("ITIP = %v, want found %v (Warnings %q)", err, tc.found, m.Warnings)
			}
			if tc.found && cal != nil && cal.Children[0].Value(ical.PropSummary) != "Found" {
				t.Errorf("ITIP found %s", ical.Marshal(cal))
			}
			if tc.warning != "" && !slices.ContainsFunc(m.Warnings, func(w string) bool { return strings.Contains(w, tc.warning) }) {
				t.Errorf("Warnings = %q, want one with %q", m.Warnings, tc.warning)
			}
		})
	}
}

// TestHeaderFields decodes the header fields of a message.
func TestHeaderFields(t *testing.T) {
	msg := "From: =?ISO-8859-1?Q?Ren=E9_Dupr=E9?= <Rene.Dupre@EXAMPLE.Org>\r\n" +
		"Sender: Calendar <calendar@Example.COM>\r\n" +
		"Reply-To: replies+abc@example.com\r\n" +
		"To: a@example.com, \"B, Person\" <b@EXAMPLE.net>\r\n" +
		"To: c@example.org\r\n" +
		"Cc: =?UTF-8?B?w4lsaXNl?= <elise@example.com>\r\n" +
		"Message-ID: <id-1@host.example>\r\n" +
		"In-Reply-To: <first@host> <second@host>\r\n" +
		"Subject: =?windows-1252?Q?=93Caf=E9=94?= and =?UTF-8?B?w6k=?=\r\n" +
		"Date: Mon, 2 Mar 2026 09:30:00 +0100 (CET)\r\n" +
		"\r\nhello\r\n"
	m := mustParse(t, msg)
	want := Message{
		From: "Rene.Dupre@example.org", FromName: "René Dupré",
		Sender: "calendar@example.com", ReplyTo: "replies+abc@example.com",
		To: []string{"a@example.com", "b@example.net", "c@example.org"}, Cc: []string{"elise@example.com"},
		MessageID: "id-1@host.example", InReplyTo: "first@host",
		Subject: "\u201cCafé\u201d and é",
		Date:    time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC),
	}
	got := *m
	got.Date, want.Date = got.Date.UTC(), want.Date.UTC()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Parse =\n%+v, want\n%+v", got, want)
	}

	// Addresses that do not parse as RFC 5322 are taken leniently.
	m = mustParse(t, "From: Broken Name, Inc. <x@EXAMPLE.com>\r\nTo: a@b.c, not an address\r\n\r\n")
	if m.From != "x@example.com" || !slices.Equal(m.To, []string{"a@b.c"}) {
		t.Errorf("lenient addresses: From %q To %q", m.From, m.To)
	}
}

// TestAutomatic reads the markers of automatic messages (RFC 3834 §5).
func TestAutomatic(t *testing.T) {
	for _, tc := range []struct {
		header               string
		reply, autoGenerated bool
	}{
		{"Auto-Submitted: auto-replied", true, false},
		{"Auto-Submitted: Auto-Replied; owner-email=\"x@example.com\"", true, false},
		{"Auto-Submitted: auto-generated", false, true},
		{"Auto-Submitted: auto-notified", false, true},
		{"Auto-Submitted: no", false, false},
		{"X-Autoreply: yes", true, false},
		{"X-Autorespond: Vacation", true, false},
		{"Precedence: auto_reply", true, false},
		{"Precedence: bulk", false, false},
		{"X-Autoreply: no", false, false},
		{"Subject: Auto-Submitted: auto-replied", false, false},
	} {
		m := mustParse(t, "From: a@example.com\r\n"+tc.header+"\r\n\r\n"+calendarText("x"))
		if m.AutoReply != tc.reply || m.AutoGenerated != tc.autoGenerated {
			t.Errorf("%q: AutoReply %v AutoGenerated %v, want %v %v", tc.header, m.AutoReply, m.AutoGenerated, tc.reply, tc.autoGenerated)
		}
		if _, err := m.ITIP(); tc.reply != errors.Is(err, ErrAutomatic) {
			t.Errorf("%q: ITIP = %v", tc.header, err)
		}
	}
}

// TestAttachedMessage: a calendar inside a forwarded message/rfc822
// belongs to that message, not to this one.
func TestAttachedMessage(t *testing.T) {
	msg := "From: fwd@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nForwarded invitation below.\r\n" +
		"--b\r\nContent-Type: message/rfc822\r\n\r\n" +
		"From: o@example.com\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n" + calendarText("Inner") +
		"\r\n--b--\r\n"
	m := mustParse(t, msg)
	if len(m.Parts) != 0 || m.Bounce != nil {
		t.Errorf("Parts = %+v, Bounce %v; want none", partInfos(m), m.Bounce)
	}
	if _, err := m.ITIP(); !errors.Is(err, ErrNoCalendar) {
		t.Errorf("ITIP = %v, want ErrNoCalendar", err)
	}
}

// TestDSNShapes: the returned message as text/rfc822-headers (RFC 6522),
// and a base64-encoded returned message with an X-Almanac-Delivery field.
func TestDSNShapes(t *testing.T) {
	report := "--r\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n" +
		"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n" +
		"Original-Recipient: rfc822;<Who@Example.COM>\r\nAction: delayed\r\nStatus: 4.4.1 (timeout)\r\n\r\n"
	returned := "From: org@example.com\r\nMessage-ID: <sent-1@example.com>\r\nX-Almanac-Delivery: d-7\r\n" +
		"Content-Type: text/calendar; method=REQUEST\r\n\r\n" + calendarText("Returned")
	head := "From: MAILER-DAEMON@example.com\r\nContent-Type: multipart/report; report-type=\"Delivery-Status\"; boundary=r\r\n\r\n"
	for _, tc := range []struct {
		name, part string
		uid        string
	}{
		{"headers only", "--r\r\nContent-Type: text/rfc822-headers\r\n\r\n" + returned[:strings.Index(returned, "\r\n\r\n")+4], ""},
		{"base64 message", "--r\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString([]byte(returned)) + "\r\n", "u1@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, head+report+tc.part+"--r--\r\n")
			want := Bounce{
				Recipients:        []BounceRecipient{{"Who@example.com", "delayed", "4.4.1", false}},
				OriginalMessageID: "sent-1@example.com",
				UID:               tc.uid,
			}
			if m.Bounce == nil {
				t.Fatal("not a bounce")
			}
			got := *m.Bounce
			if !slices.Equal(got.Recipients, want.Recipients) || got.OriginalMessageID != want.OriginalMessageID || got.UID != want.UID {
				t.Errorf("Bounce = %+v, want %+v", got, want)
			}
			if got.OriginalHeaders["X-Almanac-Delivery"] != "d-7" {
				t.Errorf("OriginalHeaders = %q", got.OriginalHeaders)
			}
		})
	}
}

// TestITIPPartErrors: a part that cannot be used does not hide a good
// one, and is the error when it is alone.
func TestITIPPartErrors(t *testing.T) {
	bad := Part{Path: "1", Err: malformed(nil, "broken")}
	good := Part{Path: "2", Calendar: mustCalendar(t, calendarText("Good"))}
	m := &Message{Parts: []Part{bad, good}}
	if cal, err := m.ITIP(); err != nil || cal != good.Calendar {
		t.Errorf("ITIP(bad, good) = %v, %v", cal, err)
	}
	m = &Message{Parts: []Part{bad}}
	_, err := m.ITIP()
	if !errors.Is(err, ErrMalformed) || err.Error() != "imip: calendar part 1: broken" {
		t.Errorf("ITIP(bad) = %v", err)
	}
	m = &Message{}
	if _, err := m.ITIP(); !errors.Is(err, ErrNoCalendar) {
		t.Errorf("ITIP(no parts) = %v", err)
	}
}

func mustCalendar(t *testing.T, text string) *ical.Component {
	t.Helper()
	cal, err := ical.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return cal.Component
}
