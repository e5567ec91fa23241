// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenDate is the Date of every golden message.
var goldenDate = time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("", 3600))

// goldens are the Build cases of testdata/build: <name>.ics is the
// calendar, <name>.eml the message.
var goldens = []struct {
	name string
	m    Outgoing
}{
	// A REQUEST in a named zone, with the sender's VALARM and X-MOZ-* /
	// X-APPLE-* properties to drop, MAILTO: and a bare address to turn
	// into mailto: URIs, and an extra header field.
	{"request", Outgoing{
		From: "alice@example.com", FromName: "Alice Martin",
		To:        []string{"bob@example.org", "carol@example.net"},
		MessageID: "request-1@example.com",
		Headers:   map[string]string{"X-Almanac-Delivery": "d-42"},
	}},
	// An updated REQUEST with non-ASCII text everywhere, sent by the
	// service on behalf of the organizer.
	{"request-utf8", Outgoing{
		From: "zoe@example.fr", FromName: "Zoë Lefèvre", Sender: "calendar@example.fr",
		To:        []string{"jurgen@example.de"},
		MessageID: "request-utf8-1@example.fr",
	}},
	{"reply-accepted", Outgoing{
		From: "bob@example.org", FromName: "Bob Chen",
		To:        []string{"alice@example.com"},
		MessageID: "reply-accepted-1@example.org",
	}},
	{"reply-declined", Outgoing{
		From: "carol@example.net", FromName: "Carol Diaz",
		To:        []string{"alice@example.com"},
		MessageID: "reply-declined-1@example.net",
	}},
	// A CANCEL without STATUS: Build adds STATUS:CANCELLED.
	{"cancel", Outgoing{
		From: "alice@example.com", FromName: "Alice Martin",
		To:        []string{"bob@example.org", "carol@example.net"},
		MessageID: "cancel-1@example.com",
	}},
	{"counter", Outgoing{
		From: "bob@example.org", FromName: "Bob Chen",
		To:        []string{"alice@example.com"},
		MessageID: "counter-1@example.org",
	}},
}

func readCalendar(t testing.TB, path string) *ical.Component {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ical.Parse(data)
	if err != nil {
		t.Fatalf("ical.Parse(%s): %v", path, err)
	}
	return cal.Component
}

var (
	boundaryRE  = regexp.MustCompile(`=_[0-9a-f]{30}`)
	messageIDRE = regexp.MustCompile(`(?m)^Message-ID: <[^>]*>`)
)

// normalize replaces what changes from one Build to the next: the MIME
// boundary and the Message-ID.
func normalize(msg []byte) []byte {
	msg = boundaryRE.ReplaceAll(msg, []byte("=_BOUNDARY"))
	return messageIDRE.ReplaceAll(msg, []byte("Message-ID: <MESSAGE-ID>"))
}

// TestBuildGolden compares Build's output with testdata/build/*.eml, and
// parses every golden back: Parse and ITIP give the calendar Build sent.
func TestBuildGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			m := g.m
			m.Calendar = readCalendar(t, filepath.Join("testdata/build", g.name+".ics"))
			m.Date = goldenDate
			before := ical.Marshal(m.Calendar)
			out, err := Build(&m)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if !bytes.Equal(before, ical.Marshal(m.Calendar)) {
				t.Errorf("Build changed Outgoing.Calendar")
			}
			golden := filepath.Join("testdata/build", g.name+".eml")
			got := normalize(out)
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Build(%s) differs from %s:\n%s", g.name, golden, got)
			}
			if bytes.Contains(bytes.ReplaceAll(out, []byte("\r\n"), nil), []byte("\n")) {
				t.Errorf("Build(%s) has a bare LF", g.name)
			}
			sent, _, _, err := outgoingCalendar(m.Calendar)
			if err != nil {
				t.Fatal(err)
			}
			// Round trip, of the fresh output and of the golden file,
			// whose Message-ID is normalised.
			checkRoundTrip(t, &m, out, sent)
			normalized := m
			normalized.MessageID = "MESSAGE-ID"
			checkRoundTrip(t, &normalized, want, sent)
		})
	}
}

// checkRoundTrip parses msg, built from m, and checks the header fields
// and that ITIP gives back sent.
func checkRoundTrip(t *testing.T, m *Outgoing, msg []byte, sent *ical.Component) {
	t.Helper()
	p, err := Parse(bytes.NewReader(msg), Limits{})
	if err != nil {
		t.Fatalf("Parse(Build()): %v", err)
	}
	cal, err := p.ITIP()
	if err != nil {
		t.Fatalf("Parse(Build()).ITIP(): %v", err)
	}
	if got, want := ical.Marshal(cal), ical.Marshal(sent); !bytes.Equal(got, want) {
		t.Errorf("ITIP(Parse(Build())) =\n%s\nwant\n%s", got, want)
	}
	method, comp := itip.MethodOf(sent)
	if len(p.Parts) != 1 || p.Parts[0].Method != method || p.Parts[0].Component != comp || p.Parts[0].ContentType != "text/calendar" {
		t.Errorf("Parse(Build()).Parts = %+v, want one text/calendar part with method=%s component=%s", p.Parts, method, comp)
	}
	if p.From != m.From || p.FromName != m.FromName || p.Sender != m.Sender {
		t.Errorf("Parse(Build()) From %q %q Sender %q, want %q %q %q", p.From, p.FromName, p.Sender, m.From, m.FromName, m.Sender)
	}
	if strings.Join(p.To, ",") != strings.Join(m.To, ",") {
		t.Errorf("Parse(Build()).To = %v, want %v", p.To, m.To)
	}
	if m.MessageID != "" && p.MessageID != m.MessageID {
		t.Errorf("Parse(Build()).MessageID = %q, want %q", p.MessageID, m.MessageID)
	}
	if !m.Date.IsZero() && !p.Date.Equal(m.Date) {
		t.Errorf("Parse(Build()).Date = %v, want %v", p.Date, m.Date)
	}
	if !p.AutoGenerated || p.AutoReply || p.Bounce != nil {
		t.Errorf("Parse(Build()): AutoGenerated %v AutoReply %v Bounce %v, want true false nil", p.AutoGenerated, p.AutoReply, p.Bounce)
	}
	if len(p.Warnings) > 0 {
		t.Errorf("Parse(Build()).Warnings = %q", p.Warnings)
	}
	for k, v := range m.Headers {
		if !bytes.Contains(msg, []byte(v)) {
			t.Errorf("Build lost header field %s: %s", k, v)
		}
	}
}

// TestBuildCalendarRules checks the iCalendar rules Build applies on its
// copy (imip-quirks.md §3).
func TestBuildCalendarRules(t *testing.T) {
	cal := mustCalendar(t, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:cancel\r\nX-APPLE-CALENDAR-COLOR:#fff\r\n"+
		"BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nSEQUENCE:1\r\nDTSTART:20260102T100000Z\r\n"+
		"ORGANIZER:MailTo:Org@Example.com\r\nATTENDEE;EMAIL=ana@example.net:urn:uuid:6f1e\r\nATTENDEE:bob@example.org\r\n"+
		"X-MOZ-LASTACK:20260101T000000Z\r\nX-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\n"+
		"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDESCRIPTION:x\r\nEND:VALARM\r\nEND:VEVENT\r\n"+
		"BEGIN:VEVENT\r\nUID:1\r\nRECURRENCE-ID:20260109T100000Z\r\nDTSTAMP:20260101T000000Z\r\nSEQUENCE:1\r\nSTATUS:TENTATIVE\r\n"+
		"DTSTART:20260109T100000Z\r\nORGANIZER:mailto:org@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	before := string(ical.Marshal(cal))
	sent, method, comp, err := outgoingCalendar(cal)
	if err != nil {
		t.Fatal(err)
	}
	if string(ical.Marshal(cal)) != before {
		t.Error("outgoingCalendar changed its input")
	}
	got := string(ical.Marshal(sent))
	if method != "CANCEL" || comp != "VEVENT" || !strings.Contains(got, "METHOD:CANCEL\r\n") {
		t.Errorf("method %s, component %s, METHOD line missing in\n%s", method, comp, got)
	}
	for _, want := range []string{
		"ORGANIZER:mailto:Org@Example.com\r\n",                      // scheme in lower case
		"ATTENDEE;EMAIL=ana@example.net:mailto:ana@example.net\r\n", // urn:uuid: → EMAIL
		"ATTENDEE:mailto:bob@example.org\r\n",                       // bare address
		"X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\n",                       // other X- properties stay
		"STATUS:CANCELLED\r\n",                                      // added to the master
		"STATUS:TENTATIVE\r\n",                                      // an existing STATUS is kept
	} {
		if !strings.Contains(got, want) {
			t.Errorf("sent calendar lacks %q:\n%s", want, got)
		}
	}
	for _, gone := range []string{"X-APPLE-", "X-MOZ-", "VALARM"} {
		if strings.Contains(got, gone) {
			t.Errorf("sent calendar keeps %s:\n%s", gone, got)
		}
	}
}

// TestBuildErrors: what Build refuses.
func TestBuildErrors(t *testing.T) {
	reply := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\n" +
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	good := func() *Outgoing {
		return &Outgoing{From: "o@example.com", To: []string{"a@example.com"}, Calendar: mustCalendar(t, calendarText("x"))}
	}
	for _, tc := range []struct {
		name   string
		change func(m *Outgoing)
		want   string
	}{
		{"nil calendar", func(m *Outgoing) { m.Calendar = nil }, "no calendar"},
		{"not a VCALENDAR", func(m *Outgoing) { m.Calendar = m.Calendar.Children[0] }, "not a VCALENDAR"},
		{"no METHOD", func(m *Outgoing) { m.Calendar.Del(ical.PropMethod) }, "without METHOD"},
		{"two component types", func(m *Outgoing) { m.Calendar.Children = append(m.Calendar.Children, ical.NewComponent(ical.CompToDo)) }, "one type"},
		{"REPLY without ORGANIZER", func(m *Outgoing) { m.Calendar = mustCalendar(t, reply) }, "REPLY without ORGANIZER"},
		{"ATTENDEE without address", func(m *Outgoing) {
			m.Calendar.Children[0].Add(ical.NewProperty(ical.PropAttendee, "urn:uuid:1234"))
		}, "no e-mail address"},
		{"ATTENDEE not an address", func(m *Outgoing) {
			m.Calendar.Children[0].Add(ical.NewProperty(ical.PropAttendee, "mailto:not an address"))
		}, "ATTENDEE"},
		{"From with a name", func(m *Outgoing) { m.From = "O <o@example.com>" }, "not an addr-spec"},
		{"From empty", func(m *Outgoing) { m.From = "" }, "not an addr-spec"},
		{"Sender invalid", func(m *Outgoing) { m.Sender = "svc" }, "not an addr-spec"},
		{"no recipient", func(m *Outgoing) { m.To = nil }, "no recipient"},
		{"bad recipient", func(m *Outgoing) { m.To = []string{"a@example.com\r\nBcc: x@example.com"} }, "not an addr-spec"},
		{"Message-ID with brackets", func(m *Outgoing) { m.MessageID = "<a@b>" }, "Message-ID"},
		{"Message-ID without @", func(m *Outgoing) { m.MessageID = "abc" }, "Message-ID"},
		{"reserved header", func(m *Outgoing) { m.Headers = map[string]string{"content-type": "text/plain"} }, "written by Build"},
		{"header injection", func(m *Outgoing) { m.Headers = map[string]string{"X-A": "1\r\nBcc: x@example.com"} }, "invalid header"},
		{"bad header name", func(m *Outgoing) { m.Headers = map[string]string{"X A": "1"} }, "invalid header"},
	} {
		m := good()
		tc.change(m)
		if _, err := Build(m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Build = %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	if _, err := Build(nil); err == nil {
		t.Error("Build(nil) succeeded")
	}
	if _, err := Build(good()); err != nil {
		t.Errorf("Build(good) = %v", err)
	}
}

// TestBuildEncodings: 7bit for US-ASCII with short lines, base64 for the
// calendar and quoted-printable for the summaries otherwise.
func TestBuildEncodings(t *testing.T) {
	for _, tc := range []struct {
		name, summary string
		calCTE        string
		textCTE       string
	}{
		{"ascii", "Weekly sync", "7bit", "7bit"},
		{"non-ascii", "Réunion", "base64", "quoted-printable"},
		{"line over 998 octets", strings.Repeat("a", 1200), "7bit", "quoted-printable"}, // ical folds the calendar
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Build(&Outgoing{From: "o@example.com", To: []string{"a@example.com"}, Calendar: mustCalendar(t, calendarText(tc.summary))})
			if err != nil {
				t.Fatal(err)
			}
			s := string(out)
			cal := s[strings.Index(s, "Content-Type: text/calendar"):]
			if !strings.Contains(cal, "Content-Transfer-Encoding: "+tc.calCTE+"\r\n") {
				t.Errorf("calendar part not %s:\n%s", tc.calCTE, cal)
			}
			text := s[strings.Index(s, "Content-Type: text/plain"):]
			if !strings.HasPrefix(text[strings.Index(text, "Content-Transfer-Encoding: "):], "Content-Transfer-Encoding: "+tc.textCTE+"\r\n") {
				t.Errorf("text part not %s:\n%s", tc.textCTE, text)
			}
			for l := range strings.SplitSeq(s, "\r\n") {
				if len(l) > 998 {
					t.Errorf("line of %d octets", len(l))
				}
			}
			m, err := Parse(strings.NewReader(s), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.ITIP()
			if err != nil {
				t.Fatal(err)
			}
			if v := got.Children[0].Value(ical.PropSummary); v != tc.summary {
				t.Errorf("SUMMARY = %q", v)
			}
		})
	}
}

// TestBuildDefaults: a random Message-ID at From's domain, and the current
// time when Date is zero.
func TestBuildDefaults(t *testing.T) {
	m := &Outgoing{From: "o@Example.com", To: []string{"a@example.com"}, Calendar: mustCalendar(t, calendarText("x"))}
	start := time.Now().Add(-time.Second)
	ids := map[string]bool{}
	for range 3 {
		out, err := Build(m)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(bytes.NewReader(out), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(p.MessageID, "@Example.com") || ids[p.MessageID] {
			t.Errorf("MessageID %q: want a new one at Example.com", p.MessageID)
		}
		ids[p.MessageID] = true
		if p.Date.Before(start.Truncate(time.Second)) || p.Date.After(time.Now()) {
			t.Errorf("Date %v, want about now", p.Date)
		}
	}
}

// TestBuildHeaderInjection: text from the calendar and the display name
// never makes a header field of its own.
func TestBuildHeaderInjection(t *testing.T) {
	m := &Outgoing{
		From: "o@example.com", FromName: "Eve\r\nBcc: victim@example.com",
		To:       []string{"a@example.com"},
		Calendar: mustCalendar(t, calendarText(`Hi\nBcc: victim@example.com\r\nX-Evil: 1`)),
	}
	out, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	head := string(out[:bytes.Index(out, []byte("\r\n\r\n"))])
	for _, bad := range []string{"\nBcc:", "\nX-Evil:", "\n\r\n"} {
		if strings.Contains(head, bad) {
			t.Errorf("header has %q:\n%s", bad, head)
		}
	}
	p, err := Parse(bytes.NewReader(out), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "Invitation: Hi Bcc: victim@example.comr X-Evil: 1" || p.FromName != "Eve\r\nBcc: victim@example.com" {
		t.Errorf("Subject %q, FromName %q", p.Subject, p.FromName)
	}
}
