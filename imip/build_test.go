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
