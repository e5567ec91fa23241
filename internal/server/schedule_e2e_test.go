// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server_test

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/servertest"
)

// CalDAV scheduling (RFC 6638) end to end: the real server on a loopback
// port, driven over HTTP with the bodies a client sends, from discovery
// through invitation, reply, Schedule-Tag preconditions, refused changes,
// Schedule-Reply, free-busy, cancellation and rooms that book themselves.

// schedNow is where the server's clock starts in these tests: the Monday
// before the meetings, so that every instance lies inside the recurrence
// index window a room's conflict check looks at.
var schedNow = time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)

// tickingClock starts at schedNow and moves one second on at every
// reading. iTIP orders the messages of one SEQUENCE by their DTSTAMP
// (RFC 5546 §2.1.5), which the server stamps with its clock to the
// second: with a clock that stood still, an organizer's second update
// would look like a duplicate of the first.
func tickingClock() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return schedNow.Add(time.Duration(n.Add(1)) * time.Second) }
}

const nsCalDAV = "urn:ietf:params:xml:ns:caldav"

// startScheduling starts a server with a tickingClock, the users
// ann, bob, cat and dan and the room room1, each with the address
// <name>@example.org. example.org is not a local domain, so any other
// address is external: queued without a transport (SCHEDULE-STATUS 5.2).
func startScheduling(t *testing.T, opts ...servertest.Option) *servertest.Instance {
	t.Helper()
	in := servertest.Start(t, append(opts, servertest.Now(tickingClock()))...)
	for _, u := range []string{"ann", "bob", "cat", "dan"} {
		in.AddUser(t, u, "pw-"+u, u+"@example.org")
	}
	in.AddPrincipal(t, calendar.TypeRoom, "room1", "pw-room1", "room1@example.org")
	return in
}

// meetingICS is an organizer's scheduling object resource: organizer
// invites the attendees (names of users at example.org, or full
// addresses) at start for an hour, with extra lines (an RRULE, say)
// after DURATION. The organizer takes part as CHAIR.
func meetingICS(uid, start, organizer, extra string, attendees ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:" + start + "\r\nDURATION:PT1H\r\n" + extra +
		"SUMMARY:Planning " + uid + "\r\nORGANIZER;CN=" + organizer + ":mailto:" + organizer + "@example.org\r\n" +
		"ATTENDEE;ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:" + organizer + "@example.org\r\n")
	for _, a := range attendees {
		addr, cutype := a, ""
		if !strings.Contains(a, "@") {
			addr = a + "@example.org"
		}
		if strings.HasPrefix(a, "room") {
			cutype = "CUTYPE=ROOM;"
		}
		b.WriteString("ATTENDEE;" + cutype + "RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:" + addr + "\r\n")
	}
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return b.String()
}

// unfold undoes RFC 5545 §3.1 line folding.
func unfold(data string) string { return strings.ReplaceAll(data, "\r\n ", "") }

// attendeeLine returns the ATTENDEE line (unfolded) of addr, "mailto:"
// included, in the first component of data that has one.
func attendeeLine(data, addr string) string {
	for l := range strings.SplitSeq(unfold(data), "\r\n") {
		if strings.HasPrefix(l, "ATTENDEE") && strings.HasSuffix(strings.ToLower(l), ":"+addr) {
			return l
		}
	}
	return ""
}

// param returns the value of the parameter name on a content line.
func param(line, name string) string {
	head, _, _ := strings.Cut(line, ":")
	for p := range strings.SplitSeq(head, ";") {
		if k, v, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, name) {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}

// partstat returns the PARTSTAT of addr in data ("" without a line).
func partstat(data, addr string) string { return param(attendeeLine(data, addr), "PARTSTAT") }

// setPartstat changes the PARTSTAT of addr's ATTENDEE line in data and
// drops its RSVP, as a client answering does.
func setPartstat(t *testing.T, data, addr, value string) string {
	t.Helper()
	data = unfold(data)
	old := attendeeLine(data, addr)
	if old == "" {
		t.Fatalf("no ATTENDEE %s in\n%s", addr, data)
	}
	head, val, _ := strings.Cut(old, ":")
	var ps []string
	for p := range strings.SplitSeq(head, ";") {
		k, _, _ := strings.Cut(p, "=")
		switch strings.ToUpper(k) {
		case "PARTSTAT", "RSVP", "SCHEDULE-STATUS":
			continue
		}
		ps = append(ps, p)
	}
	line := strings.Join(append(ps, "PARTSTAT="+value), ";") + ":" + val
	return strings.Replace(data, old, line, 1)
}

// object is a calendar object resource read with GET.
type object struct {
	Body, ETag, ScheduleTag string
}

func getObject(t *testing.T, in *servertest.Instance, user, path string) object {
	t.Helper()
	resp := in.Do(t, "GET", path, user, "", nil)
	body := servertest.Body(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: GET %s = %d, want 200\n%s", user, path, resp.StatusCode, body)
	}
	return object{Body: body, ETag: resp.Header.Get("ETag"), ScheduleTag: resp.Header.Get("Schedule-Tag")}
}

// put PUTs an iCalendar body with the extra headers given as name, value
// pairs.
func put(t *testing.T, in *servertest.Instance, user, path, body string, hdr ...string) *http.Response {
	t.Helper()
	h := http.Header{"Content-Type": {"text/calendar; charset=utf-8"}}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	return in.Do(t, "PUT", path, user, body, h)
}

// davProps are the properties these tests read from a PROPFIND.
type davProps struct {
	Href  string
	Found bool // the response had a 200 propstat
	// The properties of the 200 propstat.
	ResourceType []string // local names of the DAV:resourcetype children
	InboxURL     []string
	OutboxURL    []string
	Addresses    []string
	UserType     string
	DefaultCal   []string
	ETag         string
	ScheduleTag  string
}

type hrefList struct {
	Hrefs []string `xml:"DAV: href"`
}

// propfind sends a PROPFIND for the named properties and returns one
// davProps per response.
func propfind(t *testing.T, in *servertest.Instance, user, path, depth, props string) []davProps {
	t.Helper()
	body := `<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>` + props + `</D:prop></D:propfind>`
	resp := in.Do(t, "PROPFIND", path, user, body, http.Header{"Depth": {depth}})
	text := servertest.Body(t, resp)
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("%s: PROPFIND %s = %d, want 207\n%s", user, path, resp.StatusCode, text)
	}
	var ms struct {
		Responses []struct {
			Href     string `xml:"DAV: href"`
			Propstat []struct {
				Status string `xml:"DAV: status"`
				Prop   struct {
					ResourceType struct {
						Any []struct{ XMLName xml.Name } `xml:",any"`
					} `xml:"DAV: resourcetype"`
					InboxURL    hrefList `xml:"urn:ietf:params:xml:ns:caldav schedule-inbox-URL"`
					OutboxURL   hrefList `xml:"urn:ietf:params:xml:ns:caldav schedule-outbox-URL"`
					Addresses   hrefList `xml:"urn:ietf:params:xml:ns:caldav calendar-user-address-set"`
					UserType    string   `xml:"urn:ietf:params:xml:ns:caldav calendar-user-type"`
					DefaultCal  hrefList `xml:"urn:ietf:params:xml:ns:caldav schedule-default-calendar-URL"`
					ETag        string   `xml:"DAV: getetag"`
					ScheduleTag string   `xml:"urn:ietf:params:xml:ns:caldav schedule-tag"`
				} `xml:"DAV: prop"`
			} `xml:"DAV: propstat"`
		} `xml:"DAV: response"`
	}
	if err := xml.Unmarshal([]byte(text), &ms); err != nil {
		t.Fatalf("PROPFIND %s: %v\n%s", path, err, text)
	}
	var out []davProps
	for _, r := range ms.Responses {
		p := davProps{Href: r.Href}
		for _, ps := range r.Propstat {
			if !strings.Contains(ps.Status, " 200 ") {
				continue
			}
			pr := ps.Prop
			p.Found = true
			for _, a := range pr.ResourceType.Any {
				p.ResourceType = append(p.ResourceType, a.XMLName.Local)
			}
			p.InboxURL, p.OutboxURL, p.Addresses, p.DefaultCal = pr.InboxURL.Hrefs, pr.OutboxURL.Hrefs, pr.Addresses.Hrefs, pr.DefaultCal.Hrefs
			p.UserType, p.ETag, p.ScheduleTag = strings.TrimSpace(pr.UserType), pr.ETag, pr.ScheduleTag
		}
		out = append(out, p)
	}
	return out
}

// inbox returns the bodies of the items in user's scheduling inbox, found
// with a Depth 1 PROPFIND and read with GET, in name order.
func inbox(t *testing.T, in *servertest.Instance, user string) []string {
	t.Helper()
	coll := "/dav/calendars/" + user + "/inbox/"
	var out []string
	for _, r := range propfind(t, in, user, coll, "1", "<D:getetag/>") {
		if r.Href == coll {
			continue
		}
		out = append(out, getObject(t, in, user, r.Href).Body)
	}
	return out
}

// messages returns the inbox items of method (REQUEST, REPLY, CANCEL)
// whose UID is uid.
func messages(items []string, method, uid string) []string {
	var out []string
	for _, it := range items {
		u := unfold(it)
		if strings.Contains(u, "\r\nMETHOD:"+method+"\r\n") && strings.Contains(u, "\r\nUID:"+uid+"\r\n") {
			out = append(out, it)
		}
	}
	return out
}

// findByUID runs a calendar-query for VEVENTs with the UID in user's
// calendar coll and returns the hrefs and data that match.
func findByUID(t *testing.T, in *servertest.Instance, user, coll, uid string) []msResponse {
	t.Helper()
	q := `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
		`<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="UID">` +
		`<C:text-match collation="i;octet">` + uid + `</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`
	resp := in.Do(t, "REPORT", coll, user, q, http.Header{"Depth": {"1"}})
	body := servertest.Body(t, resp)
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("%s: calendar-query on %s = %d\n%s", user, coll, resp.StatusCode, body)
	}
	return parseMultistatus(t, body)
}

// davCondition reports whether body is a DAV:error holding the
// precondition element space:local (RFC 4918 §16).
func davCondition(body, space, local string) bool {
	var e struct {
		XMLName xml.Name
		Any     []struct{ XMLName xml.Name } `xml:",any"`
	}
	if xml.Unmarshal([]byte(body), &e) != nil || e.XMLName != (xml.Name{Space: "DAV:", Local: "error"}) {
		return false
	}
	return slices.ContainsFunc(e.Any, func(c struct{ XMLName xml.Name }) bool {
		return c.XMLName == xml.Name{Space: space, Local: local}
	})
}

// TestScheduleDiscovery: what a client reads before it schedules (RFC 6638
// §2): the principal's inbox, outbox, addresses and user type, the
// calendar-auto-schedule capability, and the inbox's default calendar.
func TestScheduleDiscovery(t *testing.T) {
	in := startScheduling(t)
	const props = "<C:schedule-inbox-URL/><C:schedule-outbox-URL/><C:calendar-user-address-set/><C:calendar-user-type/>"
	for _, c := range []struct{ user, principal, typ string }{
		{"ann", "ann", "INDIVIDUAL"},
		{"ann", "room1", "ROOM"},
		{"room1", "room1", "ROOM"},
	} {
		t.Run(c.user+" on "+c.principal, func(t *testing.T) {
			path := "/dav/principals/" + c.principal + "/"
			rs := propfind(t, in, c.user, path, "0", props)
			if len(rs) != 1 || !rs[0].Found {
				t.Fatalf("PROPFIND %s = %+v, want one response with the properties", path, rs)
			}
			p := rs[0]
			home := "/dav/calendars/" + c.principal + "/"
			if !slices.Equal(p.InboxURL, []string{home + "inbox/"}) || !slices.Equal(p.OutboxURL, []string{home + "outbox/"}) {
				t.Errorf("PROPFIND %s: schedule-inbox-URL %q, schedule-outbox-URL %q; want %sinbox/ and %soutbox/", path, p.InboxURL, p.OutboxURL, home, home)
			}
			if len(p.Addresses) == 0 || p.Addresses[0] != "mailto:"+c.principal+"@example.org" || !slices.Contains(p.Addresses, path) {
				t.Errorf("PROPFIND %s: calendar-user-address-set %q, want mailto:%s@example.org first and the principal URL", path, p.Addresses, c.principal)
			}
			if p.UserType != c.typ {
				t.Errorf("PROPFIND %s: calendar-user-type %q, want %s", path, p.UserType, c.typ)
			}
		})
	}

	t.Run("OPTIONS", func(t *testing.T) {
		for _, path := range []string{"/dav/calendars/ann/calendar/", "/dav/principals/ann/"} {
			resp := in.Do(t, "OPTIONS", path, "ann", "", nil)
			var classes []string
			for _, v := range resp.Header.Values("DAV") {
				for c := range strings.SplitSeq(v, ",") {
					classes = append(classes, strings.TrimSpace(c))
				}
			}
			if resp.StatusCode != http.StatusOK || !slices.Contains(classes, "calendar-auto-schedule") || !slices.Contains(classes, "calendar-access") {
				t.Errorf("OPTIONS %s = %d, DAV: %q; want calendar-access and calendar-auto-schedule (RFC 6638 §2)", path, resp.StatusCode, classes)
			}
		}
	})

	t.Run("inbox", func(t *testing.T) {
		path := "/dav/calendars/ann/inbox/"
		rs := propfind(t, in, "ann", path, "0", "<D:resourcetype/><C:schedule-default-calendar-URL/>")
		if len(rs) != 1 {
			t.Fatalf("PROPFIND %s: %d responses", path, len(rs))
		}
		if got := rs[0].ResourceType; !slices.Contains(got, "collection") || !slices.Contains(got, "schedule-inbox") || slices.Contains(got, "calendar") {
			t.Errorf("PROPFIND %s: resourcetype %q, want collection and schedule-inbox, not calendar (RFC 6638 §2.2)", path, got)
		}
		if got := rs[0].DefaultCal; !slices.Equal(got, []string{"/dav/calendars/ann/calendar/"}) {
			t.Errorf("PROPFIND %s: schedule-default-calendar-URL %q, want /dav/calendars/ann/calendar/ (RFC 6638 §9.2)", path, got)
		}
		rs = propfind(t, in, "ann", "/dav/calendars/ann/outbox/", "0", "<D:resourcetype/>")
		if got := rs[0].ResourceType; !slices.Contains(got, "schedule-outbox") {
			t.Errorf("PROPFIND outbox: resourcetype %q, want schedule-outbox (RFC 6638 §2.1)", got)
		}
	})
}

// TestScheduleEndToEnd is the life of one meeting over HTTP on SQLite.
func TestScheduleEndToEnd(t *testing.T) {
	scheduleFlow(t, startScheduling(t))
}

// TestScheduleEndToEndPostgres is the same on PostgreSQL
// (ALMANAC_TEST_POSTGRES).
func TestScheduleEndToEndPostgres(t *testing.T) {
	scheduleFlow(t, startScheduling(t, servertest.Postgres()))
}

// The meeting of scheduleFlow: Tuesday 12 January 2027, 10:00–11:00 UTC.
const (
	flowUID   = "planning-2027@example.org"
	flowStart = "20270112T100000Z"
	external  = "ext@elsewhere.example"
)

// scheduleFlow: ann invites bob, cat, dan, room1 and an external address;
// bob accepts; the Schedule-Tag preconditions hold around his reply; the
// changes an attendee may not make are refused; cat leaves silently, dan
// declines by deleting; ann asks for busy time; ann cancels. Each step
// needs the ones before it, so the first failing step ends the test.
func scheduleFlow(t *testing.T, in *servertest.Instance) {
	const annPath = "/dav/calendars/ann/calendar/planning.ics"
	var (
		bobPath            string
		annTag, annETag    string // ann's copy before bob's reply
		annBeforeReply     string
		repliesBeforeLeave int
	)
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"invite", func(t *testing.T) {
			resp := put(t, in, "ann", annPath, meetingICS(flowUID, flowStart, "ann", "", "bob", "cat", "dan", "room1", external))
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("ann: PUT %s = %d, want 201\n%s", annPath, resp.StatusCode, servertest.Body(t, resp))
			}
			// RFC 4791 §5.3.4: the server changed the data
			// (SCHEDULE-STATUS), so no ETag; RFC 6638 §8.2: the tag.
			if e := resp.Header.Get("ETag"); e != "" {
				t.Errorf("ann: PUT of an invitation answered with ETag %s, want none: the stored object carries SCHEDULE-STATUS", e)
			}
			annTag = resp.Header.Get("Schedule-Tag")
			if annTag == "" {
				t.Fatalf("ann: PUT of an invitation answered without a Schedule-Tag (RFC 6638 §8.2)")
			}
			o := getObject(t, in, "ann", annPath)
			if o.ScheduleTag != annTag {
				t.Errorf("ann: GET Schedule-Tag %s, the PUT said %s; room1's automatic reply must not change it (RFC 6638 §3.2.10)", o.ScheduleTag, annTag)
			}
			// RFC 6638 §3.2.9: 1.2 delivered, 5.2 no way to deliver;
			// room1 answered while the PUT ran, and an attendee whose
			// reply was processed shows its 2.0 (as in Appendix B.4).
			for addr, want := range map[string]string{
				"mailto:bob@example.org": "1.2", "mailto:cat@example.org": "1.2", "mailto:dan@example.org": "1.2",
				"mailto:room1@example.org": "2.0", "mailto:" + external: "5.2",
			} {
				if got := param(attendeeLine(o.Body, addr), "SCHEDULE-STATUS"); got != want {
					t.Errorf("ann's copy: %s has SCHEDULE-STATUS %q, want %s (RFC 6638 §3.2.9)\n%s", addr, got, want, o.Body)
				}
			}
			if got := partstat(o.Body, "mailto:room1@example.org"); got != "ACCEPTED" {
				t.Errorf("ann's copy: room1 is %s, want ACCEPTED (a free room accepts by itself)", got)
			}
			// Bob's inbox holds the REQUEST, his calendar the copy.
			reqs := messages(inbox(t, in, "bob"), "REQUEST", flowUID)
			if len(reqs) != 1 || partstat(reqs[0], "mailto:bob@example.org") != "NEEDS-ACTION" || strings.Contains(reqs[0], "SCHEDULE-STATUS") {
				t.Fatalf("bob's inbox: REQUESTs for %s = %q, want one inviting him, without SCHEDULE-STATUS", flowUID, reqs)
			}
			found := findByUID(t, in, "bob", "/dav/calendars/bob/calendar/", flowUID)
			if len(found) != 1 || !strings.Contains(found[0].Data, "SUMMARY:Planning "+flowUID) || strings.Contains(found[0].Data, "METHOD") {
				t.Fatalf("bob: calendar-query for UID %s = %+v, want his copy, without METHOD", flowUID, found)
			}
			bobPath = found[0].Href
		}},

		{"accept", func(t *testing.T) {
			before := getObject(t, in, "ann", annPath)
			annETag, annBeforeReply = before.ETag, before.Body
			catBefore := getObject(t, in, "cat", strings.Replace(bobPath, "/bob/", "/cat/", 1))
			b := getObject(t, in, "bob", bobPath)
			if b.ScheduleTag == "" {
				t.Fatalf("bob: GET %s has no Schedule-Tag", bobPath)
			}
			resp := put(t, in, "bob", bobPath, setPartstat(t, b.Body, "mailto:bob@example.org", "ACCEPTED"), "If-Schedule-Tag-Match", b.ScheduleTag)
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("bob: PUT accepting with If-Schedule-Tag-Match = %d, want 204\n%s", resp.StatusCode, servertest.Body(t, resp))
			}
			a := getObject(t, in, "ann", annPath)
			if got := partstat(a.Body, "mailto:bob@example.org"); got != "ACCEPTED" {
				t.Errorf("ann's copy after bob's reply: bob is %s, want ACCEPTED\n%s", got, a.Body)
			}
			if a.ScheduleTag != annTag {
				t.Errorf("ann's Schedule-Tag changed on bob's reply: %s → %s (RFC 6638 §3.2.10)", annTag, a.ScheduleTag)
			}
			if a.ETag == annETag {
				t.Errorf("ann's ETag %s did not change with bob's reply", a.ETag)
			}
			replies := messages(inbox(t, in, "ann"), "REPLY", flowUID)
			bobReplies := 0
			for _, r := range replies {
				if partstat(r, "mailto:bob@example.org") == "ACCEPTED" {
					bobReplies++
				}
			}
			if bobReplies != 1 {
				t.Errorf("ann's inbox: %d REPLYs with bob ACCEPTED, want 1; REPLYs: %q", bobReplies, replies)
			}
			c := getObject(t, in, "cat", strings.Replace(bobPath, "/bob/", "/cat/", 1))
			if got := partstat(c.Body, "mailto:bob@example.org"); got != "ACCEPTED" {
				t.Errorf("cat's copy: bob is %s, want ACCEPTED", got)
			}
			if c.ScheduleTag != catBefore.ScheduleTag {
				t.Errorf("cat's Schedule-Tag changed for bob's answer: %s → %s (RFC 6638 §3.2.10)", catBefore.ScheduleTag, c.ScheduleTag)
			}
		}},

		{"schedule-tag", func(t *testing.T) {
			edited := strings.Replace(annBeforeReply, "SUMMARY:Planning ", "SUMMARY:Renamed planning ", 1)
			if edited == annBeforeReply || partstat(edited, "mailto:bob@example.org") != "NEEDS-ACTION" {
				t.Fatalf("test bug: the edit is not based on the copy from before bob's reply:\n%s", edited)
			}
			// The ETag changed with bob's reply: If-Match fails.
			if resp := put(t, in, "ann", annPath, edited, "If-Match", annETag); resp.StatusCode != http.StatusPreconditionFailed {
				t.Errorf("ann: PUT with the ETag from before bob's reply = %d, want 412", resp.StatusCode)
			}
			if resp := put(t, in, "ann", annPath, edited, "If-Schedule-Tag-Match", `"not-the-tag"`); resp.StatusCode != http.StatusPreconditionFailed {
				t.Errorf("ann: PUT with a wrong If-Schedule-Tag-Match = %d, want 412", resp.StatusCode)
			}
			// The schedule-tag did not change: the write succeeds and
			// keeps bob's answer (RFC 6638 §3.2.10.1).
			resp := put(t, in, "ann", annPath, edited, "If-Schedule-Tag-Match", annTag)
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("ann: PUT with her Schedule-Tag from before bob's reply = %d, want 204\n%s", resp.StatusCode, servertest.Body(t, resp))
			}
			newTag := resp.Header.Get("Schedule-Tag")
			a := getObject(t, in, "ann", annPath)
			if got := partstat(a.Body, "mailto:bob@example.org"); got != "ACCEPTED" || !strings.Contains(a.Body, "SUMMARY:Renamed planning") {
				t.Errorf("ann's copy after the merged edit: bob is %s, want ACCEPTED kept, and the new summary\n%s", got, a.Body)
			}
			if newTag == "" || newTag == annTag || a.ScheduleTag != newTag {
				t.Errorf("ann's Schedule-Tag after her edit: PUT said %q, GET %q, before %q; want a new one", newTag, a.ScheduleTag, annTag)
			}
			if resp := put(t, in, "ann", annPath, edited, "If-Schedule-Tag-Match", annTag); resp.StatusCode != http.StatusPreconditionFailed {
				t.Errorf("ann: PUT with her now stale Schedule-Tag = %d, want 412", resp.StatusCode)
			}
			// The attendees got the new summary and bob keeps his answer.
			b := getObject(t, in, "bob", bobPath)
			if !strings.Contains(b.Body, "SUMMARY:Renamed planning") || partstat(b.Body, "mailto:bob@example.org") != "ACCEPTED" {
				t.Errorf("bob's copy after ann's edit: want the new summary and bob ACCEPTED\n%s", b.Body)
			}
			annTag = newTag
		}},

		{"refused changes", func(t *testing.T) {
			b := getObject(t, in, "bob", bobPath)
			organizer := func(addr string) func(string) string {
				return func(body string) string {
					var out []string
					for l := range strings.SplitSeq(body, "\r\n") {
						if strings.HasPrefix(l, "ORGANIZER") {
							l = "ORGANIZER:" + addr
						}
						out = append(out, l)
					}
					return strings.Join(out, "\r\n")
				}
			}
			for _, c := range []struct {
				name string
				edit func(string) string
			}{
				{"the organizer taken over", organizer("mailto:bob@example.org")},
				{"the organizer replaced", organizer("mailto:eve@example.org")},
				{"cat's answer changed", func(body string) string { return setPartstat(t, body, "mailto:cat@example.org", "DECLINED") }},
			} {
				body := c.edit(unfold(b.Body))
				if body == unfold(b.Body) {
					t.Fatalf("%s: test bug: nothing changed in\n%s", c.name, b.Body)
				}
				resp := put(t, in, "bob", bobPath, body)
				rb := servertest.Body(t, resp)
				if resp.StatusCode != http.StatusForbidden || !davCondition(rb, nsCalDAV, "allowed-attendee-scheduling-object-change") {
					t.Errorf("bob: PUT with %s = %d, want 403 CALDAV:allowed-attendee-scheduling-object-change (RFC 6638 §3.2.4.4)\n%s", c.name, resp.StatusCode, rb)
				}
			}
			if a := getObject(t, in, "bob", bobPath); a.Body != b.Body || a.ETag != b.ETag {
				t.Errorf("bob's copy changed under refused PUTs")
			}
			// The UID is scheduled in ann's calendar "calendar": no second
			// scheduling object with it in another of her calendars.
			mk := `<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Work</D:displayname></D:prop></D:set></C:mkcalendar>`
			if resp := in.Do(t, "MKCALENDAR", "/dav/calendars/ann/work/", "ann", mk, nil); resp.StatusCode != http.StatusCreated {
				t.Fatalf("MKCALENDAR = %d", resp.StatusCode)
			}
			resp := put(t, in, "ann", "/dav/calendars/ann/work/dup.ics", meetingICS(flowUID, flowStart, "ann", "", "bob"))
			rb := servertest.Body(t, resp)
			if resp.StatusCode != http.StatusForbidden || !davCondition(rb, nsCalDAV, "unique-scheduling-object-resource") {
				t.Errorf("ann: PUT of a second resource with UID %s = %d, want 403 CALDAV:unique-scheduling-object-resource (RFC 6638 §3.2.4.1)\n%s", flowUID, resp.StatusCode, rb)
			}
			if got := len(messages(inbox(t, in, "bob"), "REQUEST", flowUID)); got != 2 {
				t.Errorf("bob's inbox has %d REQUESTs for %s, want 2 (the invitation and ann's edit), none from the refused PUT", got, flowUID)
			}
		}},

		{"Schedule-Reply", func(t *testing.T) {
			repliesBeforeLeave = len(messages(inbox(t, in, "ann"), "REPLY", flowUID))
			catPath := strings.Replace(bobPath, "/bob/", "/cat/", 1)
			resp := in.Do(t, "DELETE", catPath, "cat", "", http.Header{"Schedule-Reply": {"F"}})
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("cat: DELETE with Schedule-Reply: F = %d, want 204", resp.StatusCode)
			}
			a := getObject(t, in, "ann", annPath)
			if got := partstat(a.Body, "mailto:cat@example.org"); got != "NEEDS-ACTION" {
				t.Errorf("ann's copy after cat's silent delete: cat is %s, want NEEDS-ACTION (RFC 6638 §8.1)", got)
			}
			if n := len(messages(inbox(t, in, "ann"), "REPLY", flowUID)); n != repliesBeforeLeave {
				t.Errorf("ann's inbox: %d REPLYs after cat's delete with Schedule-Reply: F, want %d as before", n, repliesBeforeLeave)
			}
			// Without the header, deleting declines.
			danPath := strings.Replace(bobPath, "/bob/", "/dan/", 1)
			if resp := in.Do(t, "DELETE", danPath, "dan", "", nil); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("dan: DELETE = %d, want 204", resp.StatusCode)
			}
			a = getObject(t, in, "ann", annPath)
			if got := partstat(a.Body, "mailto:dan@example.org"); got != "DECLINED" {
				t.Errorf("ann's copy after dan's delete: dan is %s, want DECLINED (RFC 6638 §3.2.2.4)", got)
			}
			replies := messages(inbox(t, in, "ann"), "REPLY", flowUID)
			if len(replies) != repliesBeforeLeave+1 || !slices.ContainsFunc(replies, func(r string) bool { return partstat(r, "mailto:dan@example.org") == "DECLINED" }) {
				t.Errorf("ann's inbox after dan's delete: %d REPLYs (want %d), one with dan DECLINED:\n%q", len(replies), repliesBeforeLeave+1, replies)
			}
		}},

		{"free-busy", func(t *testing.T) {
			fb := func(organizer string) string {
				return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\nUID:fb-" + organizer +
					"\r\nDTSTAMP:20270104T080000Z\r\nDTSTART:20270112T000000Z\r\nDTEND:20270113T000000Z\r\n" +
					"ORGANIZER:mailto:" + organizer + "@example.org\r\nATTENDEE:mailto:bob@example.org\r\nATTENDEE:mailto:" + external +
					"\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n"
			}
			hdr := http.Header{"Content-Type": {"text/calendar; charset=utf-8"}}
			resp := in.Do(t, "POST", "/dav/calendars/ann/outbox/", "ann", fb("ann"), hdr)
			body := servertest.Body(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("ann: POST free-busy to her outbox = %d, want 200\n%s", resp.StatusCode, body)
			}
			var sr struct {
				XMLName   xml.Name
				Responses []struct {
					Recipient hrefList `xml:"urn:ietf:params:xml:ns:caldav recipient"`
					Status    string   `xml:"urn:ietf:params:xml:ns:caldav request-status"`
					Data      string   `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
				} `xml:"urn:ietf:params:xml:ns:caldav response"`
			}
			if err := xml.Unmarshal([]byte(body), &sr); err != nil || sr.XMLName != (xml.Name{Space: nsCalDAV, Local: "schedule-response"}) || len(sr.Responses) != 2 {
				t.Fatalf("ann: POST free-busy: want a CALDAV:schedule-response with 2 responses (RFC 6638 §10.1), got %v\n%s", err, body)
			}
			bob, ext := sr.Responses[0], sr.Responses[1]
			if !slices.Equal(bob.Recipient.Hrefs, []string{"mailto:bob@example.org"}) || !strings.HasPrefix(bob.Status, "2.0") {
				t.Errorf("free-busy for %q: %s, want bob with 2.0", bob.Recipient.Hrefs, bob.Status)
			}
			if !slices.Equal(ext.Recipient.Hrefs, []string{"mailto:" + external}) || !(strings.HasPrefix(ext.Status, "5.") || strings.HasPrefix(ext.Status, "3.")) || ext.Data != "" {
				t.Errorf("free-busy for %q: %q with data %q, want the external address with a 3.x or 5.x status and no data", ext.Recipient.Hrefs, ext.Status, ext.Data)
			}
			if strings.Contains(body, "SUMMARY") || strings.Contains(body, "Planning") {
				t.Errorf("free-busy answer reveals the meeting itself:\n%s", body)
			}
			cal, err := ical.Parse([]byte(bob.Data))
			if err != nil || cal.Value(ical.PropMethod) != "REPLY" {
				t.Fatalf("free-busy for bob: calendar-data is not a METHOD:REPLY (%v):\n%s", err, bob.Data)
			}
			meeting := [2]time.Time{time.Date(2027, 1, 12, 10, 0, 0, 0, time.UTC), time.Date(2027, 1, 12, 11, 0, 0, 0, time.UTC)}
			covered := false
			for _, c := range cal.Components(ical.CompFreeBusy) {
				for _, p := range c.PropsNamed(ical.PropFreeBusy) {
					periods, err := p.Periods()
					if err != nil {
						t.Errorf("FREEBUSY:%s: %v", p.Value, err)
					}
					for _, pe := range periods {
						end := pe.End.Wall
						if pe.HasDuration {
							end = pe.Duration.AddWall(pe.Start.Wall)
						}
						covered = covered || !pe.Start.Wall.After(meeting[0]) && !end.Before(meeting[1])
					}
				}
			}
			if !covered {
				t.Errorf("free-busy for bob does not show the meeting %v–%v as busy:\n%s", meeting[0], meeting[1], bob.Data)
			}
			// Bob cannot use ann's outbox.
			resp = in.Do(t, "POST", "/dav/calendars/ann/outbox/", "bob", fb("bob"), hdr)
			if rb := servertest.Body(t, resp); resp.StatusCode != http.StatusForbidden || strings.Contains(rb, "FREEBUSY") {
				t.Errorf("bob: POST to ann's outbox = %d, want 403 (RFC 6638 §6.2.4)\n%s", resp.StatusCode, rb)
			}
		}},

		{"cancel", func(t *testing.T) {
			if resp := in.Do(t, "DELETE", annPath, "ann", "", nil); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("ann: DELETE = %d, want 204", resp.StatusCode)
			}
			if resp := in.Do(t, "GET", annPath, "ann", "", nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("ann: GET after DELETE = %d, want 404", resp.StatusCode)
			}
			// The engine keeps the attendee's copy, marked cancelled
			// (itip.Process of a CANCEL: RFC 5546 §3.2.5).
			b := getObject(t, in, "bob", bobPath)
			if !strings.Contains(b.Body, "\r\nSTATUS:CANCELLED\r\n") {
				t.Errorf("bob's copy after ann's cancel: want STATUS:CANCELLED\n%s", b.Body)
			}
			if got := messages(inbox(t, in, "bob"), "CANCEL", flowUID); len(got) != 1 {
				t.Errorf("bob's inbox: %d CANCELs for %s, want 1", len(got), flowUID)
			}
			if rs := propfind(t, in, "room1", "/dav/calendars/room1/calendar/", "1", "<D:getetag/>"); len(rs) != 2 {
				t.Errorf("room1's calendar after the cancel holds %d resources, want the calendar and its cancelled booking", len(rs))
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return
		}
	}
}

// roomOutcome is what an organizer's copy and inbox say about room1's
// answer to meeting uid.
func roomOutcome(t *testing.T, in *servertest.Instance, organizer, path, uid string) (partstat string, declined []string) {
	t.Helper()
	o := getObject(t, in, organizer, path)
	for _, r := range messages(inbox(t, in, organizer), "REPLY", uid) {
		if param(attendeeLine(r, "mailto:room1@example.org"), "PARTSTAT") == "DECLINED" {
			declined = append(declined, r)
		}
	}
	return param(attendeeLine(o.Body, "mailto:room1@example.org"), "PARTSTAT"), declined
}

// hasConflictStatus reports whether an iTIP reply carries REQUEST-STATUS
// 4.0 (RFC 5546 §3.6: event conflict).
func hasConflictStatus(reply string) bool {
	for l := range strings.SplitSeq(unfold(reply), "\r\n") {
		if strings.HasPrefix(l, "REQUEST-STATUS:4.0;") || l == "REQUEST-STATUS:4.0" {
			return true
		}
	}
	return false
}

func roomBookings(t *testing.T, in *servertest.Instance) []string {
	t.Helper()
	var out []string
	for _, r := range propfind(t, in, "room1", "/dav/calendars/room1/calendar/", "1", "<D:getetag/>") {
		if r.Href != "/dav/calendars/room1/calendar/" {
			out = append(out, r.Href)
		}
	}
	return out
}

// TestScheduleRoomConcurrentBookings: ann and bob book room1 for the same
// hour in PUTs sent at the same moment. The room takes one: exactly one
// organizer sees it ACCEPTED; the other sees it DECLINED with a REPLY
// carrying REQUEST-STATUS 4.0 in their inbox; the room's calendar holds
// one booking. It runs on SQLite and, with ALMANAC_TEST_POSTGRES, on
// PostgreSQL.
func TestScheduleRoomConcurrentBookings(t *testing.T) {
	for _, store := range []struct {
		name string
		opts []servertest.Option
	}{{"sqlite", nil}, {"postgres", []servertest.Option{servertest.Postgres()}}} {
		t.Run(store.name, func(t *testing.T) { roomRace(t, startScheduling(t, store.opts...)) })
	}
}

func roomRace(t *testing.T, in *servertest.Instance) {
	organizers := []string{"ann", "bob"}
	var reqs []*http.Request
	for _, o := range organizers {
		uid := "race-" + o
		reqs = append(reqs, in.NewRequest(t, "PUT", "/dav/calendars/"+o+"/calendar/"+uid+".ics", o,
			meetingICS(uid, "20270114T090000Z", o, "", "room1"), calendarType))
	}
	codes, errs := race(in, reqs)
	for i := range reqs {
		if errs[i] != nil || codes[i] != http.StatusCreated {
			t.Fatalf("%s: PUT = %d %v, want 201", organizers[i], codes[i], errs[i])
		}
	}
	accepted := 0
	for _, o := range organizers {
		uid := "race-" + o
		ps, declined := roomOutcome(t, in, o, "/dav/calendars/"+o+"/calendar/"+uid+".ics", uid)
		switch ps {
		case "ACCEPTED":
			accepted++
			if len(declined) != 0 {
				t.Errorf("%s: room1 ACCEPTED, yet a declining REPLY is in the inbox: %q", o, declined)
			}
		case "DECLINED":
			if len(declined) != 1 || !hasConflictStatus(declined[0]) {
				t.Errorf("%s: room1 DECLINED; the inbox should hold one REPLY declining with REQUEST-STATUS 4.0, has %q", o, declined)
			}
		default:
			t.Errorf("%s: room1 answered %q, want ACCEPTED or DECLINED", o, ps)
		}
	}
	if got := roomBookings(t, in); accepted != 1 || len(got) != 1 {
		t.Errorf("two bookings of one slot at once: %d accepted, room1's calendar holds %q; want 1 and one booking", accepted, got)
	}
}

// TestScheduleRoomRecurringConflict: ann books room1 every Monday at
// 10:00. A daily series from Saturday whose third instance (Monday 10:30)
// overlaps one of those is declined with 4.0; a daily series at 12:00 over
// the same days, which overlaps no instance, is accepted.
func TestScheduleRoomRecurringConflict(t *testing.T) {
	in := startScheduling(t)
	weekly := meetingICS("weekly", "20270111T100000Z", "ann", "RRULE:FREQ=WEEKLY;COUNT=10\r\n", "room1")
	if resp := put(t, in, "ann", "/dav/calendars/ann/calendar/weekly.ics", weekly); resp.StatusCode != http.StatusCreated {
		t.Fatalf("ann: PUT weekly = %d", resp.StatusCode)
	}
	if ps, _ := roomOutcome(t, in, "ann", "/dav/calendars/ann/calendar/weekly.ics", "weekly"); ps != "ACCEPTED" {
		t.Fatalf("the weekly booking: room1 is %q, want ACCEPTED", ps)
	}
	for _, c := range []struct {
		uid, start, want string
	}{
		{"clash", "20270116T103000Z", "DECLINED"},
		{"lunch", "20270116T120000Z", "ACCEPTED"},
	} {
		t.Run(c.uid, func(t *testing.T) {
			path := "/dav/calendars/bob/calendar/" + c.uid + ".ics"
			if resp := put(t, in, "bob", path, meetingICS(c.uid, c.start, "bob", "RRULE:FREQ=DAILY;COUNT=3\r\n", "room1")); resp.StatusCode != http.StatusCreated {
				t.Fatalf("bob: PUT %s = %d", c.uid, resp.StatusCode)
			}
			ps, declined := roomOutcome(t, in, "bob", path, c.uid)
			if ps != c.want {
				t.Errorf("bob's daily series from %s: room1 is %q, want %s", c.start, ps, c.want)
			}
			if wantDeclined := c.want == "DECLINED"; wantDeclined != (len(declined) == 1) || wantDeclined && !hasConflictStatus(declined[0]) {
				t.Errorf("bob's inbox: declining REPLYs %q; want one with REQUEST-STATUS 4.0 only when declined", declined)
			}
		})
	}
	got := roomBookings(t, in)
	slices.Sort(got)
	if want := []string{"/dav/calendars/room1/calendar/lunch.ics", "/dav/calendars/room1/calendar/weekly.ics"}; !slices.Equal(got, want) {
		t.Errorf("room1's calendar = %q, want %q", got, want)
	}
}

// TestScheduleRecurrenceBomb: an invitation of room1 that repeats every
// second without end. The server must answer (the client's timeout
// bounds the wait) either by refusing it with a 4xx, or by storing it
// with the room declining; the room's calendar stays empty either way.
// The server stores it (the recurrence index has its own caps), and the
// room, unable to check the instances within the expansion limits,
// declines with REQUEST-STATUS 3.6 (RFC 5546 §3.6.19, invalid rule): a
// failed request for the organizer, who sees SCHEDULE-STATUS 3.6 on the
// room and its PARTSTAT unchanged.
func TestScheduleRecurrenceBomb(t *testing.T) {
	in := startScheduling(t)
	path := "/dav/calendars/ann/calendar/bomb.ics"
	resp := put(t, in, "ann", path, meetingICS("bomb", "20270111T100000Z", "ann", "RRULE:FREQ=SECONDLY\r\n", "room1"))
	body := servertest.Body(t, resp)
	switch {
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		if r := in.Do(t, "GET", path, "ann", "", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("refused PUT %d, yet GET = %d", resp.StatusCode, r.StatusCode)
		}
	case resp.StatusCode == http.StatusCreated:
		o := getObject(t, in, "ann", path)
		room := attendeeLine(o.Body, "mailto:room1@example.org")
		if param(room, "SCHEDULE-STATUS") != "3.6" || param(room, "PARTSTAT") == "ACCEPTED" {
			t.Errorf("the recurrence bomb was stored; ann's copy shows room1 as %q, want SCHEDULE-STATUS=3.6 and not ACCEPTED", room)
		}
		_, declined := roomOutcome(t, in, "ann", path, "bomb")
		if len(declined) != 1 || !strings.Contains(unfold(declined[0]), "\r\nREQUEST-STATUS:3.6;") {
			t.Errorf("the recurrence bomb was stored; ann's inbox should hold one REPLY declining it with REQUEST-STATUS 3.6, has %q", declined)
		}
	default:
		t.Fatalf("PUT of an endless FREQ=SECONDLY invitation = %d, want 4xx or 201\n%s", resp.StatusCode, body)
	}
	if got := roomBookings(t, in); len(got) != 0 {
		t.Errorf("room1's calendar after the recurrence bomb = %q, want empty", got)
	}
	if r := in.Do(t, "GET", "/healthz", "", "", nil); r.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz after the recurrence bomb = %d", r.StatusCode)
	}
}
