// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"context"
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/webdav"
)

func TestParseScheduleHeaders(t *testing.T) {
	tests := []struct {
		name    string
		hdr     map[string][]string
		want    Conditions
		wantErr bool
	}{
		{"none", nil, Conditions{}, false},
		{"tag", map[string][]string{"If-Schedule-Tag-Match": {` "12ab34-cd56ef" `}}, Conditions{IfScheduleTag: `"12ab34-cd56ef"`}, false},
		{"unquoted tag", map[string][]string{"If-Schedule-Tag-Match": {"12ab34"}}, Conditions{}, true},
		{"weak tag", map[string][]string{"If-Schedule-Tag-Match": {`W/"12ab34"`}}, Conditions{}, true},
		{"two tags", map[string][]string{"If-Schedule-Tag-Match": {`"a", "b"`}}, Conditions{}, true},
		{"two headers", map[string][]string{"If-Schedule-Tag-Match": {`"a"`, `"b"`}}, Conditions{}, true},
		{"star", map[string][]string{"If-Schedule-Tag-Match": {"*"}}, Conditions{}, true},
		{"empty tag", map[string][]string{"If-Schedule-Tag-Match": {""}}, Conditions{}, true},
		{"space in tag", map[string][]string{"If-Schedule-Tag-Match": {`"a b"`}}, Conditions{}, true},
		{"reply F", map[string][]string{"Schedule-Reply": {"F"}}, Conditions{NoScheduleReply: true}, false},
		{"reply f", map[string][]string{"Schedule-Reply": {"f"}}, Conditions{NoScheduleReply: true}, false},
		{"reply T", map[string][]string{"Schedule-Reply": {"T"}}, Conditions{}, false},
		{"reply yes", map[string][]string{"Schedule-Reply": {"yes"}}, Conditions{}, true},
		{"reply empty", map[string][]string{"Schedule-Reply": {""}}, Conditions{}, true},
		{"reply twice", map[string][]string{"Schedule-Reply": {"F", "F"}}, Conditions{}, true},
		{"both", map[string][]string{"Schedule-Reply": {"F"}, "If-Schedule-Tag-Match": {`"x"`}}, Conditions{IfScheduleTag: `"x"`, NoScheduleReply: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, vs := range tt.hdr {
				for _, v := range vs {
					h.Add(k, v)
				}
			}
			var got Conditions
			err := parseScheduleHeaders(h, &got)
			if tt.wantErr {
				var we *webdav.Error
				if !errors.As(err, &we) || we.Code != http.StatusBadRequest {
					t.Errorf("parseScheduleHeaders(%v) = %v, want a 400 error", tt.hdr, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseScheduleHeaders(%v) = %+v, %v, want %+v", tt.hdr, got, err, tt.want)
			}
		})
	}
}

// availabilityRFC7953 is the example value of RFC 7953 §7.2.4.
const availabilityRFC7953 = "BEGIN:VCALENDAR\r\nCALSCALE:GREGORIAN\r\nPRODID:-//example.com//iCalendar 2.0//EN\r\nVERSION:2.0\r\n" +
	"BEGIN:VAVAILABILITY\r\nUID:9BADC1F6-0FC4-44BF-AC3D-993BEC8C962A\r\nDTSTAMP:20111005T133225Z\r\n" +
	"DTSTART;TZID=America/Montreal:20111002T000000\r\nBEGIN:AVAILABLE\r\nUID:6C9F69C3-BDA8-424E-B2CB-7012E796DDF7\r\n" +
	"SUMMARY:Monday to Friday from 9:00 to 18:00\r\nDTSTART;TZID=America/Montreal:20111002T090000\r\n" +
	"DTEND;TZID=America/Montreal:20111002T180000\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\nEND:AVAILABLE\r\n" +
	"END:VAVAILABILITY\r\nEND:VCALENDAR\r\n"

func TestValidAvailability(t *testing.T) {
	vtz := "BEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
	avail := "BEGIN:VAVAILABILITY\r\nUID:a\r\nDTSTAMP:20111005T133225Z\r\nEND:VAVAILABILITY\r\n"
	wrap := func(body string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n" + body + "END:VCALENDAR\r\n"
	}
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"RFC 7953 example", availabilityRFC7953, true},
		{"with a VTIMEZONE", wrap(vtz + avail), true},
		{"no VAVAILABILITY", wrap(vtz), false},
		{"two VAVAILABILITY", wrap(avail + avail), false},
		{"a VEVENT too", wrap(avail + "BEGIN:VEVENT\r\nUID:e\r\nDTSTAMP:20111005T133225Z\r\nDTSTART:20111005T133225Z\r\nEND:VEVENT\r\n"), false},
		{"two objects", wrap(avail) + wrap(avail), false},
		{"not iCalendar", "hello", false},
		{"empty", "", false},
		{"a VEVENT alone", "BEGIN:VEVENT\r\nUID:e\r\nEND:VEVENT\r\n", false},
		{"invalid VAVAILABILITY", wrap("BEGIN:VAVAILABILITY\r\nUID:a\r\nDTSTAMP:20111005T133225Z\r\nDTSTART:20111005T133225Z\r\nDTEND:20111004T133225Z\r\nEND:VAVAILABILITY\r\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validAvailability(tt.text); got != tt.want {
				t.Errorf("validAvailability(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

// freeBusyRequest is the body of RFC 6638 Appendix B.5 with CRLF.
func freeBusyRequest(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile("testdata/rfc6638/rfc6638_B.5_01_request.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(data), "\n\n")
	return strings.ReplaceAll(body, "\n", "\r\n")
}

func TestParseFreeBusyRequest(t *testing.T) {
	req := freeBusyRequest(t)
	edit := func(old, new string) string {
		if !strings.Contains(req, old) {
			t.Fatalf("%q is not in the B.5 request", old)
		}
		return strings.Replace(req, old, new, 1)
	}
	attendees := "ATTENDEE;CN=\"Wilfredo Sanchez Vega\":mailto:wilfredo@example.com\r\nATTENDEE;CN=\"Bernard Desruisseaux\":mailto:bernard@example.net\r\nATTENDEE;CN=\"Mike Douglass\":mailto:mike@example.org\r\n"
	tests := []struct {
		name string
		body string
		cond string // "" = valid
	}{
		{"RFC 6638 B.5", req, ""},
		{"lower-case method", edit("METHOD:REQUEST", "METHOD:request"), ""},
		{"a CONTACT", edit("END:VFREEBUSY", "CONTACT:Cyrus\r\nEND:VFREEBUSY"), ""},
		{"an X- component", edit("END:VCALENDAR", "BEGIN:X-THING\r\nEND:X-THING\r\nEND:VCALENDAR"), ""},
		{"not iCalendar", "hello", "valid-calendar-data"},
		{"empty", "", "valid-calendar-data"},
		{"METHOD:REPLY", edit("METHOD:REQUEST", "METHOD:REPLY"), "valid-scheduling-message"},
		{"no METHOD", edit("METHOD:REQUEST\r\n", ""), "valid-scheduling-message"},
		// RFC 5545 errors (METHOD once, UID in a VFREEBUSY, DTEND after
		// DTSTART, §3.6.4) come before the iTIP restrictions.
		{"two METHODs", edit("METHOD:REQUEST\r\n", "METHOD:REQUEST\r\nMETHOD:REQUEST\r\n"), "valid-calendar-data"},
		{"no ATTENDEE", edit(attendees, ""), "valid-scheduling-message"},
		{"no ORGANIZER", edit("ORGANIZER;CN=\"Cyrus Daboo\":mailto:cyrus@example.com\r\n", ""), "valid-scheduling-message"},
		{"no UID", edit("UID:4FD3AD926350\r\n", ""), "valid-calendar-data"},
		{"no DTSTAMP", edit("DTSTAMP:20090602T190420Z\r\n", ""), "valid-scheduling-message"},
		{"no DTEND", edit("DTEND:20090604T000000Z\r\n", ""), "valid-scheduling-message"},
		{"floating DTSTART", edit("DTSTART:20090602T000000Z", "DTSTART:20090602T000000"), "valid-scheduling-message"},
		{"DTEND before DTSTART", edit("DTEND:20090604T000000Z", "DTEND:20090601T000000Z"), "valid-calendar-data"},
		{"DTEND at DTSTART", edit("DTEND:20090604T000000Z", "DTEND:20090602T000000Z"), "valid-calendar-data"},
		{"DATE range", edit("DTSTART:20090602T000000Z", "DTSTART;VALUE=DATE:20090602"), "valid-scheduling-message"},
		{"a DURATION", edit("DTEND:20090604T000000Z", "DURATION:P2D"), "valid-scheduling-message"},
		{"a FREEBUSY", edit("END:VFREEBUSY", "FREEBUSY:20090602T110000Z/20090602T120000Z\r\nEND:VFREEBUSY"), "valid-scheduling-message"},
		{"a REQUEST-STATUS", edit("END:VFREEBUSY", "REQUEST-STATUS:2.0;Success\r\nEND:VFREEBUSY"), "valid-scheduling-message"},
		{"a URL", edit("END:VFREEBUSY", "URL:http://example.com/\r\nEND:VFREEBUSY"), "valid-scheduling-message"},
		{"two CONTACTs", edit("END:VFREEBUSY", "CONTACT:a\r\nCONTACT:b\r\nEND:VFREEBUSY"), "valid-scheduling-message"},
		{"a VALARM", edit("END:VFREEBUSY", "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDESCRIPTION:x\r\nEND:VALARM\r\nEND:VFREEBUSY"), "valid-scheduling-message"},
		{"two VFREEBUSY", edit("END:VCALENDAR", "BEGIN:VFREEBUSY\r\nUID:2\r\nDTSTAMP:20090602T190420Z\r\nDTSTART:20090602T000000Z\r\nDTEND:20090604T000000Z\r\nORGANIZER:mailto:cyrus@example.com\r\nATTENDEE:mailto:x@example.com\r\nEND:VFREEBUSY\r\nEND:VCALENDAR"), "valid-scheduling-message"},
		{"a VEVENT", edit("END:VCALENDAR", "BEGIN:VEVENT\r\nUID:e\r\nDTSTAMP:20090602T190420Z\r\nDTSTART:20090602T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR"), "valid-scheduling-message"},
		{"a VTIMEZONE", edit("BEGIN:VFREEBUSY", "BEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VFREEBUSY"), "valid-scheduling-message"},
		{"no VFREEBUSY", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n", "valid-scheduling-message"},
		{"two objects", req + req, "valid-scheduling-message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := parseFreeBusyRequest([]byte(tt.body))
			if tt.cond == "" {
				if err != nil || msg == nil {
					t.Errorf("parseFreeBusyRequest(%q) = %v, %v, want a message", tt.body, msg, err)
				}
				return
			}
			var we *webdav.Error
			if !errors.As(err, &we) || we.Condition != webdav.CalName(tt.cond) {
				t.Fatalf("parseFreeBusyRequest(%q) = %v, want CALDAV:%s", tt.body, err, tt.cond)
			}
			want := http.StatusForbidden
			if tt.cond == "valid-scheduling-message" {
				want = http.StatusBadRequest // RFC 6638 §5.2.1
			}
			if we.Code != want {
				t.Errorf("parseFreeBusyRequest(%q) status = %d, want %d", tt.body, we.Code, want)
			}
		})
	}
}

// TestSchedulePost checks the refusals of POST on an outbox that the
// golden case does not show.
func TestSchedulePost(t *testing.T) {
	req := freeBusyRequest(t)
	tests := []struct {
		name   string
		user   string
		ct     string
		body   string
		status int
		want   string // in the body
	}{
		{"anonymous", "", "text/calendar", req, 403, "need-privileges"},
		{"no Content-Type", "cyrus", "", req, 403, "supported-calendar-data"},
		{"Latin-1", "cyrus", "text/calendar; charset=iso-8859-1", req, 403, "supported-calendar-data"},
		{"upper-case media type", "cyrus", "Text/Calendar; charset=UTF-8", req, 200, "schedule-response"},
		{"too large", "cyrus", "text/calendar", req + strings.Repeat("X-PAD:"+strings.Repeat("x", 60)+"\r\n", 1000), 413, "max-resource-size"},
		{"organizer as principal URL", "cyrus", "text/calendar", strings.Replace(req, `ORGANIZER;CN="Cyrus Daboo":mailto:cyrus@example.com`, "ORGANIZER:/dav/principals/cyrus/", 1), 200, "schedule-response"},
		{"organizer in capitals", "cyrus", "text/calendar", strings.Replace(req, "mailto:cyrus@example.com", "MAILTO:Cyrus@Example.COM", 1), 200, "schedule-response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newFakeRFC6638()
			b.user = tt.user
			h := newTestHandler(b, "/dav/")
			w := do(t, h, "POST", "/dav/calendars/cyrus/outbox/", map[string]string{"Content-Type": tt.ct}, tt.body)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("POST (%s) = %d %s, want %d with %q", tt.name, w.Code, w.Body, tt.status, tt.want)
			}
		})
	}
}

// TestScheduleFreeBusyAuthority: a recipient whose inbox does not grant
// CALDAV:schedule-query-freebusy (RFC 6638 §6.1.4) answers 3.8 without
// data, and the response carries the description.
func TestScheduleFreeBusyAuthority(t *testing.T) {
	b := newFakeRFC6638()
	in := &b.cals["bernard/inbox"].cal
	in.ACL = in.ACL[:1]
	h := newTestHandler(b, "/dav/")
	w := do(t, h, "POST", "/dav/calendars/cyrus/outbox/", map[string]string{"Content-Type": "text/calendar"}, freeBusyRequest(t))
	root, err := webdav.ParseXML(w.Body.Bytes())
	if w.Code != http.StatusOK || err != nil {
		t.Fatalf("POST = %d, %v:\n%s", w.Code, err, w.Body)
	}
	var got []string
	for _, r := range root.ChildrenNamed(webdav.CalName("response")) {
		got = append(got, r.Child(webdav.CalName("recipient")).Child(webdav.Name("href")).Text+" "+
			r.Child(webdav.CalName("request-status")).Text+" "+
			r.Child(webdav.Name("responsedescription")).TextContent()+" "+
			strings.TrimSpace(r.Child(webdav.CalName("calendar-data")).TextContent())[:min(15, len(r.Child(webdav.CalName("calendar-data")).TextContent()))])
	}
	want := []string{
		"mailto:wilfredo@example.com 2.0;Success  BEGIN:VCALENDAR",
		"mailto:bernard@example.net 3.8;No authority not allowed to see the busy time ",
		"mailto:mike@example.org 3.7;Invalid calendar user  ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("POST responses = %q, want %q", got, want)
	}
}

// noScheduler hides the Scheduler of a backend.
type noScheduler struct{ Backend }

// TestWithoutScheduler: a backend that does not schedule gets no
// calendar-auto-schedule token (RFC 6638 §2) and no POST.
func TestWithoutScheduler(t *testing.T) {
	h := newTestHandler(noScheduler{newFake()}, "/dav/")
	w := do(t, h, "OPTIONS", "/dav/calendars/alice/outbox/", nil, "")
	if dav := w.Header().Get("DAV"); dav != davHeader || strings.Contains(w.Header().Get("Allow"), "POST") {
		t.Errorf("OPTIONS without Scheduler: DAV %q, Allow %q; want DAV %q and no POST", dav, w.Header().Get("Allow"), davHeader)
	}
	w = do(t, h, "POST", "/dav/calendars/alice/outbox/", map[string]string{"Content-Type": "text/calendar"}, freeBusyRequest(t))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST without Scheduler = %d, want 405", w.Code)
	}
	w = do(t, newTestHandler(newFake(), "/dav/"), "OPTIONS", "/dav/calendars/alice/outbox/", nil, "")
	if dav := w.Header().Get("DAV"); !strings.HasSuffix(dav, ", calendar-auto-schedule, calendar-availability") || !strings.Contains(w.Header().Get("Allow"), "POST") {
		t.Errorf("OPTIONS with Scheduler: DAV %q, Allow %q; want calendar-auto-schedule and POST", dav, w.Header().Get("Allow"))
	}
}

// TestScheduleReplyPassedThrough: Schedule-Reply and If-Schedule-Tag-Match
// reach the backend in Conditions, and Schedule-Reply: F keeps the fake
// from sending the attendee's reply (RFC 6638 §8.1).
func TestScheduleReplyPassedThrough(t *testing.T) {
	b := newFake()
	h := newTestHandler(b, "/dav/")
	b.user = "bob"
	invite := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:inv@example.com\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART:20260120T100000Z\r\nORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	inbox := func() int {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.cals["alice/inbox"].objects)
	}
	w := do(t, h, "PUT", "/dav/calendars/bob/shared/inv.ics", map[string]string{"Schedule-Reply": "F"}, invite)
	tag := w.Header().Get("Schedule-Tag")
	if w.Code != http.StatusCreated || tag == "" || w.Header().Get("ETag") == "" {
		t.Fatalf("PUT attendee copy = %d, Schedule-Tag %q, ETag %q; want 201 with both", w.Code, tag, w.Header().Get("ETag"))
	}
	if n := inbox(); n != 0 {
		t.Errorf("PUT with Schedule-Reply: F delivered %d messages, want 0", n)
	}
	w = do(t, h, "PUT", "/dav/calendars/bob/shared/inv.ics", map[string]string{"If-Schedule-Tag-Match": tag}, strings.Replace(invite, "ACCEPTED", "TENTATIVE", 1))
	if w.Code != http.StatusNoContent || inbox() != 1 {
		t.Errorf("PUT with the tag = %d with %d replies, want 204 with 1", w.Code, inbox())
	}
	tag2 := w.Header().Get("Schedule-Tag")
	w = do(t, h, "DELETE", "/dav/calendars/bob/shared/inv.ics", map[string]string{"If-Schedule-Tag-Match": tag, "Schedule-Reply": "F"}, "")
	if w.Code != http.StatusPreconditionFailed {
		t.Errorf("DELETE with the old tag = %d, want 412", w.Code)
	}
	w = do(t, h, "DELETE", "/dav/calendars/bob/shared/inv.ics", map[string]string{"If-Schedule-Tag-Match": tag2, "Schedule-Reply": "F"}, "")
	if w.Code != http.StatusNoContent || inbox() != 1 {
		t.Errorf("DELETE with Schedule-Reply: F = %d with %d replies, want 204 with 1", w.Code, inbox())
	}
	want := []Conditions{
		{NoScheduleReply: true},
		{IfScheduleTag: tag},
		{IfScheduleTag: tag2, NoScheduleReply: true},
	}
	if !slices.Equal(b.conds, want) {
		t.Errorf("backend Conditions = %+v, want %+v", b.conds, want)
	}
	// Without Schedule-Reply the removal is a reply (DECLINED).
	do(t, h, "PUT", "/dav/calendars/bob/shared/inv.ics", map[string]string{"Schedule-Reply": "F"}, invite)
	if w := do(t, h, "DELETE", "/dav/calendars/bob/shared/inv.ics", nil, ""); w.Code != http.StatusNoContent || inbox() != 2 {
		t.Errorf("DELETE = %d with %d replies, want 204 with 2", w.Code, inbox())
	}
	// COPY and MOVE pass Schedule-Reply on.
	b.conds = nil
	do(t, h, "PUT", "/dav/calendars/bob/shared/inv.ics", map[string]string{"Schedule-Reply": "F"}, invite)
	w = do(t, h, "MOVE", "/dav/calendars/bob/shared/inv.ics", map[string]string{"Destination": "/dav/calendars/bob/shared/moved.ics", "Schedule-Reply": "F"}, "")
	if w.Code != http.StatusCreated || w.Header().Get("Schedule-Tag") == "" {
		t.Errorf("MOVE = %d with Schedule-Tag %q, want 201 with one", w.Code, w.Header().Get("Schedule-Tag"))
	}
	if len(b.conds) != 2 || !b.conds[1].NoScheduleReply {
		t.Errorf("MOVE Conditions = %+v, want NoScheduleReply", b.conds)
	}
}

// errBackend fails PutObject with a fixed error.
type errBackend struct {
	*fakeBackend
	err error
}

func (b errBackend) PutObject(ctx context.Context, owner, cal, name string, data []byte, vcal *ical.Component, cond Conditions) (PutResult, error) {
	return PutResult{}, b.err
}

// updateErrBackend fails UpdateCalendar with a fixed error.
type updateErrBackend struct {
	*fakeBackend
	err error
}

func (b updateErrBackend) UpdateCalendar(ctx context.Context, c *Calendar) error { return b.err }

// TestScheduleErrorStatus checks how serveError answers a ScheduleError
// (RFC 6638 §3.2.4, §4.3.1.2, §5.2).
func TestScheduleErrorStatus(t *testing.T) {
	tests := []struct {
		err    error
		status int
		want   string
	}{
		{&ScheduleError{Condition: "same-organizer-in-all-components"}, 403, "<C:same-organizer-in-all-components/>"},
		{&ScheduleError{Condition: "valid-scheduling-message", Msg: "x"}, 400, "<C:valid-scheduling-message/>"},
		{&ScheduleError{Condition: "unique-scheduling-object-resource", Href: "calendars/alice/tasks/x.ics"}, 403,
			"<C:unique-scheduling-object-resource>\n  <D:href>/dav/calendars/alice/tasks/x.ics</D:href>"},
		{&ScheduleError{Condition: "allowed-attendee-scheduling-object-change", Err: errors.New("cause")}, 403, "<C:allowed-attendee-scheduling-object-change/>"},
	}
	for _, tt := range tests {
		h := newTestHandler(errBackend{newFake(), tt.err}, "/dav/")
		w := do(t, h, "PUT", "/dav/calendars/alice/work/n.ics", nil, newEvent)
		if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) || strings.Contains(w.Body.String(), "cause") {
			t.Errorf("PUT failing with %v = %d\n%s\nwant %d with %q", tt.err, w.Code, w.Body, tt.status, tt.want)
		}
	}
	// A default calendar the backend finds unfit, after the handler's
	// checks passed.
	h := newTestHandler(updateErrBackend{newFake(), &ScheduleError{Condition: "valid-schedule-default-calendar-URL"}}, "/dav/")
	w := do(t, h, "PROPPATCH", "/dav/calendars/alice/inbox/", nil, `<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>`+
		`<C:schedule-default-calendar-URL><D:href>/dav/calendars/alice/work/</D:href></C:schedule-default-calendar-URL></D:prop></D:set></D:propertyupdate>`)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "<C:valid-schedule-default-calendar-URL/>") {
		t.Errorf("PROPPATCH refused by the backend = %d\n%s\nwant 403 valid-schedule-default-calendar-URL", w.Code, w.Body)
	}
}
