// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// partInfo is what the quirk tests check of a calendar part.
type partInfo struct {
	path, contentType, method, filename string
}

func partInfos(m *Message) []partInfo {
	var out []partInfo
	for _, p := range m.Parts {
		out = append(out, partInfo{p.Path, p.ContentType, p.Method, p.Filename})
	}
	return out
}

func mustITIP(t *testing.T, file string, m *Message) *ical.Component {
	t.Helper()
	cal, err := m.ITIP()
	if err != nil {
		t.Fatalf("%s: ITIP: %v", file, err)
	}
	return cal
}

// TestQuirkPartPosition: the calendar part sits in different places
// (imip-quirks §2.1.1) and under several types (§2.1.2); Parse finds it
// wherever it is, in document order.
func TestQuirkPartPosition(t *testing.T) {
	for _, tc := range []struct {
		file  string
		parts []partInfo
	}{
		// Outlook/Exchange: multipart/alternative{plain, html, calendar}.
		{"thunderbird/outlook-test-invite.eml", []partInfo{{"3", "text/calendar", "REQUEST", ""}}},
		// Google: mixed{alternative{plain, html, calendar}, application/ics}.
		{"thunderbird/meet-meeting-invite.eml", []partInfo{
			{"1.3", "text/calendar", "REQUEST", ""},
			{"2", "application/ics", "", "invite.ics"},
		}},
		// Apple Mail: alternative{plain, mixed{html, calendar, html}}.
		{"apple-ccs/good_reply.eml", []partInfo{{"2.2", "text/calendar", "", "iCal-20080812-131911.ics"}}},
		// iCloud: a top-level attachment after the alternative.
		{"nylas/raw_message_with_ical_invite.eml", []partInfo{{"2", "text/calendar", "REQUEST", "iCal-20150315-205933.ics"}}},
		// Notes-shaped: mixed > related > alternative, a boundary with a
		// space, and the same calendar as text/plain named *.ics.
		{"thunderbird/extensions-invite.eml", []partInfo{
			{"1.1.3", "text/calendar", "REQUEST", ""},
			{"2", "text/plain", "", "c141520.ics"},
		}},
		// RFC 2447: multipart/related{alternative{plain, calendar,
		// calendar}, a document referred to by cid:}.
		{"libical/complex-mime.eml", []partInfo{
			{"1.2", "text/calendar", "REQUEST", "event.vcs"},
			{"1.3", "text/calendar", "REQUEST", "event.vcs"},
		}},
		// The whole message is text/calendar.
		{"libical/simple-mime.eml", []partInfo{{"1", "text/calendar", "REQUEST", "event.vcs"}}},
		// application/ics without method= (Nextcloud test data).
		{"nextcloud-mail/request_application_ics.eml", []partInfo{{"1.2", "application/ics", "", "invite.ics"}}},
		// "TeXt/CaLeNdAr; method=PUBLISH": media types compare
		// case-insensitively.
		{"thunderbird/message-containing-event.eml", []partInfo{{"2", "text/calendar", "PUBLISH", "booking.ics"}}},
	} {
		m := parseCorpus(t, tc.file)
		if got := partInfos(m); !slices.Equal(got, tc.parts) {
			t.Errorf("%s: Parts = %+v, want %+v", tc.file, got, tc.parts)
		}
		mustITIP(t, tc.file, m)
	}
}

// TestQuirkDuplicates: the same calendar as text/calendar and as an
// attachment counts once (imip-quirks §2.1.3); two different ones are an
// error.
func TestQuirkDuplicates(t *testing.T) {
	for _, file := range []string{
		"thunderbird/meet-meeting-invite.eml",         // QP inline + base64 application/ics
		"linagora/openpaas-invite-ics-attachment.eml", // text/calendar attachment + application/ics
		"linagora/openpaas-cancel-ics-attachment.eml", // the same, method=REQUEST on a CANCEL
		"libical/complex-mime.eml",                    // text/calendar twice in one alternative
	} {
		m := parseCorpus(t, file)
		if len(m.Parts) != 2 {
			t.Errorf("%s: %d calendar parts, want 2", file, len(m.Parts))
		}
		cal := mustITIP(t, file, m)
		if cal != m.Parts[0].Calendar {
			t.Errorf("%s: ITIP did not return the first part's calendar", file)
		}
	}

	m := parseCorpus(t, "thunderbird/meet-meeting-invite.eml")
	other := clone(m.Parts[1].Calendar)
	other.Children[len(other.Children)-1].Set(ical.NewProperty(ical.PropSequence, "7"))
	m.Parts[1].Calendar = other
	if _, err := m.ITIP(); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("ITIP with two different REQUESTs = %v, want ErrAmbiguous", err)
	}
}

// TestQuirkMethodParameter: method= may be missing, quoted, present only
// in MIME, contradicting the body, or written with spaces (imip-quirks
// §2.1.4). The body's METHOD wins; the parameter stands in for a missing
// one.
func TestQuirkMethodParameter(t *testing.T) {
	for _, tc := range []struct {
		file       string
		param      string // Parts[0].Method
		method     string // of ITIP
		copied     bool   // ITIP returns a copy with METHOD set
		warnMethod bool   // a Warning about the mismatch
	}{
		{"apple-ccs/good_reply.eml", "", "REPLY", false, false},
		{"nextcloud-mail/request_proton_bridge.eml", "", "REQUEST", false, false},
		{"thunderbird/single-event.eml", "REQUEST", "REQUEST", false, false}, // method="REQUEST"
		{"thunderbird/extensions-invite.eml", "REQUEST", "REQUEST", true, false},
		{"linagora/openpaas-cancel-ics-attachment.eml", "REQUEST", "CANCEL", false, true},
		{"misc/salesforce-vobject_0050.ics", "", "REQUEST", true, false}, // "METHOD: REQUEST"
	} {
		m := parseCorpus(t, tc.file)
		if m.Parts[0].Method != tc.param {
			t.Errorf("%s: Parts[0].Method = %q, want %q", tc.file, m.Parts[0].Method, tc.param)
		}
		before := ical.Marshal(m.Parts[0].Calendar)
		cal := mustITIP(t, tc.file, m)
		if got := cal.Value(ical.PropMethod); got != tc.method {
			t.Errorf("%s: ITIP METHOD %q, want %q", tc.file, got, tc.method)
		}
		if copied := cal != m.Parts[0].Calendar; copied != tc.copied {
			t.Errorf("%s: ITIP returned a copy: %v, want %v", tc.file, copied, tc.copied)
		}
		if string(ical.Marshal(m.Parts[0].Calendar)) != string(before) {
			t.Errorf("%s: ITIP changed Parts[0].Calendar", tc.file)
		}
		warned := slices.ContainsFunc(m.Warnings, func(w string) bool { return strings.Contains(w, "contradicts METHOD") })
		if warned != tc.warnMethod {
			t.Errorf("%s: method mismatch warning %v, want %v: %q", tc.file, warned, tc.warnMethod, m.Warnings)
		}
	}
}

// TestQuirkAttachedCalendar: an attached .ics is not necessarily an
// invitation (imip-quirks §2.1.5). ITIP returns a PUBLISH as such, for
// the caller to treat as "event attached"; a calendar without any method
// is no iTIP message at all.
func TestQuirkAttachedCalendar(t *testing.T) {
	m := parseCorpus(t, "thunderbird/message-non-invite.eml")
	cal := mustITIP(t, "message-non-invite.eml", m)
	if method, _ := itip.MethodOf(cal); method != "PUBLISH" || m.Parts[0].Method != "" {
		t.Errorf("message-non-invite.eml: METHOD %s, method=%q; want PUBLISH and none", method, m.Parts[0].Method)
	}
	msg := "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n" +
		"--b\r\nContent-Type: application/octet-stream; name=event.ics\r\n\r\n" +
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n--b--\r\n"
	m = mustParse(t, msg)
	if len(m.Parts) != 1 || m.Parts[0].Calendar == nil {
		t.Fatalf("Parts = %+v, want the attached calendar", m.Parts)
	}
	if _, err := m.ITIP(); !errors.Is(err, ErrNoCalendar) {
		t.Errorf("ITIP of a calendar without METHOD = %v, want ErrNoCalendar", err)
	}
}

// TestQuirkBrokenMIME: broken MIME fails gracefully (imip-quirks §2.1.6).
func TestQuirkBrokenMIME(t *testing.T) {
	// The calendar text where the part header should be: the part is
	// empty, and ITIP says so.
	m := parseCorpus(t, "linagora/thunderbird-reply-ics_in_header.eml")
	if len(m.Parts) != 1 || m.Parts[0].Method != "REPLY" || m.Parts[0].Calendar != nil {
		t.Errorf("ics_in_header: Parts = %+v, want one REPLY part without calendar", partInfos(m))
	}
	if _, err := m.ITIP(); !errors.Is(err, ErrMalformed) {
		t.Errorf("ics_in_header: ITIP = %v, want ErrMalformed", err)
	}

	// "multipart/alternat" and a part header starting with a space: the
	// broken header is skipped to the next boundary, and no calendar part
	// is reachable.
	m = parseCorpus(t, "libical/complex-mime-error.eml")
	if len(m.Parts) != 0 || len(m.Warnings) == 0 {
		t.Errorf("complex-mime-error: Parts %+v, Warnings %q; want none and a warning", partInfos(m), m.Warnings)
	}
	if _, err := m.ITIP(); !errors.Is(err, ErrNoCalendar) {
		t.Errorf("complex-mime-error: ITIP = %v, want ErrNoCalendar", err)
	}

	// A white-space line before the header (and a UTF-8 byte order mark
	// in zimbra/outlook12-request-bug_45331.eml).
	for _, file := range []string{"nylas/raw_message_with_ical_invite.eml", "zimbra/outlook12-request-bug_45331.eml"} {
		m = parseCorpus(t, file)
		if m.MessageID == "" || m.From == "" {
			t.Errorf("%s: header not read: From %q Message-ID %q", file, m.From, m.MessageID)
		}
		mustITIP(t, file, m)
	}

	// No From: and no Date: at all.
	m = parseCorpus(t, "zimbra/zimbra-new-request-rsvp-true.eml")
	if m.From != "" || !m.Date.IsZero() || len(m.To) == 0 {
		t.Errorf("zimbra-new-request-rsvp-true: From %q Date %v To %v", m.From, m.Date, m.To)
	}
	mustITIP(t, "zimbra-new-request-rsvp-true.eml", m)
}

// TestQuirkTNEF: winmail.dat holds no text/calendar part (imip-quirks
// §2.1.7); it is not decoded.
func TestQuirkTNEF(t *testing.T) {
	m := parseCorpus(t, "zimbra/outlook2003-tnef-winmail-dat-note.eml")
	if len(m.Parts) != 0 {
		t.Errorf("TNEF note: Parts = %+v", partInfos(m))
	}
	if _, err := m.ITIP(); !errors.Is(err, ErrNoCalendar) {
		t.Errorf("TNEF note: ITIP = %v, want ErrNoCalendar", err)
	}
}

// TestQuirkEncodings: every transfer encoding occurs (imip-quirks §2.2.8),
// quoted-printable is decoded leniently (§2.2.9), never-decoded QP and
// mojibake do not fail (§2.2.10–11), and every line ending works
// (§2.2.12).
func TestQuirkEncodings(t *testing.T) {
	for _, tc := range []struct {
		file, note string
		prop, want string // a property of the first main component and a part of its raw value
	}{
		{"thunderbird/outlook-test-invite.eml", "base64, Exchange Online", ical.PropUID, "030000008200E00074C5B7101A82E008"},
		{"thunderbird/meet-meeting-invite.eml", "QP with soft breaks inside folds", ical.PropDescription, "-::~:~::~"},
		{"zimbra/outlook12-request-bug_45331.eml", "8bit UTF-8 Cyrillic, TAB folds", ical.PropSummary, "автор автор"},
		{"zimbra/exchange-cdo-appt2.eml", "8bit, Exchange CDO", ical.PropDescription, `\N`},
		{"thunderbird/single-event.eml", "binary multiparts, QP with a bare =", ical.PropAttendee, "CN=Receiver"},
		{"thunderbird/cancel-single-event.eml", "QP with a bare =", ical.PropOrganizer, "sender@example.com"},
		{"apple-ccs/good_reply.eml", "QP breaks inside names, =0D=0A", ical.PropAttendee, "ROLE=REQ-PARTICIPANT"},
		{"kde/itip-event-counterproposal.ical", "undecoded QP artefacts", ical.PropLocation, "Osnabr=C3=BCck"},
		{"kde/itip-event-counterproposal-declined.ical", "mojibake kept as it is", ical.PropLocation, "OsnabrÃ¼ck"},
		{"nextcloud-mail/request_google.eml", "bare LF throughout", ical.PropSummary, "Imip Testing"},
		{"misc/exchange2013-resource-request-m0020.eml", "CRLF throughout", ical.PropSummary, ""},
	} {
		m := parseCorpus(t, tc.file)
		cal := mustITIP(t, tc.file, m)
		var main *ical.Component
		for _, c := range cal.Children {
			if isMain(c.Name) {
				main = c
				break
			}
		}
		var got string
		for _, p := range main.PropsNamed(tc.prop) {
			got += p.Params.String() + ":" + p.Value + "\n"
		}
		if got == "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s (%s): %s = %q, want it to contain %q", tc.file, tc.note, tc.prop, got, tc.want)
		}
	}

	// RFC 2047 subjects, Q and B encoded.
	for file, want := range map[string]string{
		"nylas/raw_message_with_ical_invite.eml": "Karim Hamidou vous a invité à «\u00a0Nilas test drive\u00a0»",
		"zimbra/outlook12-request-bug_45331.eml": "автор автор автор",
	} {
		if m := parseCorpus(t, file); !strings.Contains(m.Subject, want) {
			t.Errorf("%s: Subject %q, want it to contain %q", file, m.Subject, want)
		}
	}
}

// TestQuirkIdentity: what Parse reports for binding the iTIP originator to
// the sender (imip-quirks §2.4.21): Google's Sender:, the iCloud
// no-reply From:, a Reply-To, display names.
func TestQuirkIdentity(t *testing.T) {
	for _, tc := range []struct {
		file                            string
		from, fromName, sender, replyTo string
	}{
		{"thunderbird/meet-meeting-invite.eml", "example@gmail.com", "", "calendar-notification@google.com", ""},
		{"thunderbird/message-containing-event.eml", "noreply@example.com", "ExampleStore", "", ""},
		{"nylas/raw_message_with_ical_invite.eml", "noreply@insideicloud.icloud.com", "Karim Hamidou", "",
			"2_HAYTGMJXGI3DIMBTHAYTGMJXGKQXKTOWBNTDXZA5J7OK4X6H4WQSKBCGMGAIWVI2XHKVXSSZNU4D4@imip.me.com"},
		{"apple-ccs/good_reply.eml", "xyzzy@example.com", "plugh xyzzy", "", ""},
	} {
		m := parseCorpus(t, tc.file)
		got := [4]string{m.From, m.FromName, m.Sender, m.ReplyTo}
		if want := [4]string{tc.from, tc.fromName, tc.sender, tc.replyTo}; got != want {
			t.Errorf("%s: From, FromName, Sender, Reply-To = %q, want %q", tc.file, got, want)
		}
	}
	m := parseCorpus(t, "misc/exchange2013-resource-request-m0020.eml")
	if m.MessageID == "" || m.Date.IsZero() || m.Subject == "" || len(m.To) == 0 {
		t.Errorf("exchange2013: Message-ID %q Date %v Subject %q To %v", m.MessageID, m.Date, m.Subject, m.To)
	}
}

// TestQuirkBounces: delivery status notifications returning our own
// invitations are recognised and never processed as iTIP (imip-quirks
// §2.9.38).
func TestQuirkBounces(t *testing.T) {
	for _, tc := range []struct {
		file       string
		bounce     Bounce
		autoReply  bool
		fromHeader string // OriginalHeaders["From"]
	}{
		{"apple-ccs/dsn_failure_with_ics.eml", Bounce{
			Recipients:        []BounceRecipient{{"nonexistant@example.com", "failed", "5.0.0", true}},
			OriginalMessageID: "20080812191939.51369.1538816694.0@plugh.example.com",
			UID:               "1E71F9C8-AEDA-48EB-98D0-76E898F6BB5C",
		}, false, "xyzzy@example.com"},
		{"apple-ccs/dsn_failure_no_ics.eml", Bounce{
			Recipients:        []BounceRecipient{{"thisdoesnotexist@example.com", "failed", "5.1.1", true}},
			OriginalMessageID: "40900559-DAB1-4956-BA87-F88E00CF5104@example.com",
		}, true, "xyzzy <xyzzy@example.com>"},
		{"apple-ccs/dsn_failure_no_original.eml", Bounce{
			Recipients: []BounceRecipient{{"nonexistant@example.com", "failed", "5.0.0", true}},
		}, false, ""},
		{"zimbra/zimbra-calendar-bounce-dsn.eml", Bounce{
			Recipients: []BounceRecipient{
				{"ptangptangwhoop@cs.stanford.edu", "failed", "5.0.0", true},
				{"squigglehopting@yahoo.com", "failed", "5.0.0", true},
				{"murdleymurdleywhoptee@gmail.com", "failed", "5.0.0", true},
			},
			OriginalMessageID: "401784674.13511163033483783.JavaMail.root@dogfood.zimbra.com",
			UID:               "4dd50a2d-1bb9-403f-9c17-be8356cdf6f6",
		}, false, "Dan Karp <dkarp@zimbra.com>"},
	} {
		m := parseCorpus(t, tc.file)
		if m.Bounce == nil {
			t.Errorf("%s: not a bounce", tc.file)
			continue
		}
		b := *m.Bounce
		if !slices.Equal(b.Recipients, tc.bounce.Recipients) || b.OriginalMessageID != tc.bounce.OriginalMessageID || b.UID != tc.bounce.UID {
			t.Errorf("%s: Bounce = %+v, want %+v", tc.file, b, tc.bounce)
		}
		if got := b.OriginalHeaders["From"]; got != tc.fromHeader {
			t.Errorf("%s: OriginalHeaders[From] = %q, want %q", tc.file, got, tc.fromHeader)
		}
		if tc.bounce.OriginalMessageID != "" && b.OriginalHeaders["Message-ID"] != "<"+tc.bounce.OriginalMessageID+">" {
			t.Errorf("%s: OriginalHeaders[Message-ID] = %q", tc.file, b.OriginalHeaders["Message-ID"])
		}
		if m.AutoReply != tc.autoReply {
			t.Errorf("%s: AutoReply = %v, want %v", tc.file, m.AutoReply, tc.autoReply)
		}
		// The returned REQUEST is not this message's calendar.
		if len(m.Parts) != 0 {
			t.Errorf("%s: Parts = %+v, want none", tc.file, partInfos(m))
		}
		if _, err := m.ITIP(); !errors.Is(err, ErrAutomatic) {
			t.Errorf("%s: ITIP = %v, want ErrAutomatic", tc.file, err)
		}
	}
}

// TestQuirkHostileAttach: ATTACH:file:///etc/hostname is data, kept as
// written (imip-quirks §2.9.39); nothing here dereferences it.
func TestQuirkHostileAttach(t *testing.T) {
	m := parseCorpus(t, "thunderbird/event-with-file-attachment.eml")
	cal := mustITIP(t, "event-with-file-attachment.eml", m)
	if got := cal.Children[0].Value(ical.PropAttach); got != "file:///etc/hostname" {
		t.Errorf("ATTACH = %q", got)
	}
}

// TestQuirkHeaderDates: header dates with comments and folded whitespace.
func TestQuirkHeaderDates(t *testing.T) {
	m := parseCorpus(t, "apple-ccs/dsn_failure_no_ics.eml")
	want := time.Date(2008, 8, 7, 23, 6, 30, 0, time.UTC)
	if !m.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", m.Date, want)
	}
}

// TestQuirkICalendarSyntax: the lenient iCalendar syntax of real
// producers (imip-quirks §2.3) comes through the calendar part intact.
func TestQuirkICalendarSyntax(t *testing.T) {
	for _, tc := range []struct {
		file, note string
		comp, prop string // the first comp, its first prop
		want       string // the raw value
	}{
		{"python-icalendar/issue_350.ics", "TAB folds, text after END:VCALENDAR", ical.CompEvent, ical.PropDescription, `Toller Termin fürmal zu\"gucken\"und so`},
		{"nylas/event_with_no_participants.ics", "a fold right after mailto:", ical.CompEvent, ical.PropOrganizer,
			"mailto:2_HEZDSOJZGEZTSMJZGI4TSOJRGNOIFYHPYTDQMCIAF5U2J7KGUYDTWMZSMEX4QJ23ABSXJO6RJCXDA@imip.me.com"},
		{"python-icalendar/issue_165_missing_event.ics", "BYDAY with spaces, folded", ical.CompEvent, ical.PropRRule,
			"FREQ=DAILY;UNTIL=20150722T080000Z;INTERVAL=1;BYDAY=MO, TU, WE, TH, FR;WKST=SU"},
		{"nylas/gcal_v1.ics", "Google's double-escaped commas", ical.CompEvent, ical.PropLocation,
			`Olympia Hall\\, 28 Boulevard des Capucines\\, 75009 Paris\\, France`},
		{"kde/itip-todo.ical", "a blank line before END:VCALENDAR", ical.CompToDo, "PERCENT-COMPLETE", "0"},
		{"zimbra/exchange-cdo-appt2.eml", `DESCRIPTION:\N of Exchange CDO`, ical.CompEvent, ical.PropDescription, `\N`},
		{"linagora/exchange-romance-standard-time.ics", "a Windows zone name", ical.CompTimezone, ical.PropTZID, "Romance Standard Time"},
	} {
		cal := mustITIP(t, tc.file, parseCorpus(t, tc.file))
		var got string
		for _, c := range cal.Children {
			if c.Name == tc.comp {
				got = c.Value(tc.prop)
				break
			}
		}
		if got != tc.want {
			t.Errorf("%s (%s): %s = %q, want %q", tc.file, tc.note, tc.prop, got, tc.want)
		}
	}
	// Both SUMMARY properties of nylas/multiple_summaries.ics are kept.
	cal := mustITIP(t, "multiple_summaries.ics", parseCorpus(t, "nylas/multiple_summaries.ics"))
	if n := len(cal.Children[len(cal.Children)-1].PropsNamed(ical.PropSummary)); n != 2 {
		t.Errorf("multiple_summaries.ics: %d SUMMARY, want 2", n)
	}
}
