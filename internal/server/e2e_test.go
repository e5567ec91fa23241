// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/servertest"
)

// End-to-end tests: the real server on a loopback port with SQLite,
// driven over HTTP.

// msResponse is one DAV:response of a multistatus.
type msResponse struct {
	Href   string
	Status string // the response's own status, if any
	ETag   string
	// Data is the CALDAV:calendar-data of a 200 propstat; HasData says
	// whether there was one.
	Data    string
	HasData bool
}

// parseMultistatus decodes a 207 body.
func parseMultistatus(t *testing.T, body string) []msResponse {
	t.Helper()
	var ms struct {
		Responses []struct {
			Href     string `xml:"DAV: href"`
			Status   string `xml:"DAV: status"`
			Propstat []struct {
				Status string `xml:"DAV: status"`
				Prop   struct {
					ETag         string  `xml:"DAV: getetag"`
					CalendarData *string `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
				} `xml:"DAV: prop"`
			} `xml:"DAV: propstat"`
		} `xml:"DAV: response"`
	}
	if err := xml.Unmarshal([]byte(body), &ms); err != nil {
		t.Fatalf("multistatus: %v\n%s", err, body)
	}
	out := make([]msResponse, 0, len(ms.Responses))
	for _, r := range ms.Responses {
		m := msResponse{Href: r.Href, Status: r.Status}
		for _, ps := range r.Propstat {
			if !strings.Contains(ps.Status, " 200 ") {
				continue
			}
			if ps.Prop.ETag != "" {
				m.ETag = ps.Prop.ETag
			}
			if ps.Prop.CalendarData != nil {
				m.Data, m.HasData = *ps.Prop.CalendarData, true
			}
		}
		out = append(out, m)
	}
	return out
}

func hrefs(rs []msResponse) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Href)
	}
	slices.Sort(out)
	return out
}

// listing is the members of a calendar with their ETags, from a Depth 1
// PROPFIND: "href etag" lines, sorted.
func listing(t *testing.T, in *servertest.Instance, user, path string) []string {
	t.Helper()
	resp := in.Do(t, "PROPFIND", path, user, `<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>`, http.Header{"Depth": {"1"}})
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("PROPFIND %s = %d", path, resp.StatusCode)
	}
	var out []string
	for _, r := range parseMultistatus(t, servertest.Body(t, resp)) {
		out = append(out, r.Href+" "+r.ETag)
	}
	slices.Sort(out)
	return out
}

func event(uid, summary string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//e2e//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260301T100000Z\r\nDURATION:PT1H\r\nSUMMARY:" + summary +
		"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

var calendarType = http.Header{"Content-Type": {"text/calendar; charset=utf-8"}}

// race sends the requests at once and returns each one's status (0 and
// the error if it failed).
func race(in *servertest.Instance, reqs []*http.Request) ([]int, []error) {
	codes, errs := make([]int, len(reqs)), make([]error, len(reqs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Go(func() {
			<-start
			resp, err := in.Client.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	return codes, errs
}

// TestConcurrentConditionalWrites races eight PUTs of the same new
// resource with If-None-Match: *, then eight with If-Match of the same
// ETag: RFC 9110 §13.1 makes exactly one of each win.
func TestConcurrentConditionalWrites(t *testing.T) {
	in := servertest.Start(t)
	in.AddUser(t, "ann", "pw")
	const n = 8
	path := "/dav/calendars/ann/calendar/race.ics"

	check := func(round string, codes []int, errs []error, win int) int {
		t.Helper()
		winner, wins := -1, 0
		for i, c := range codes {
			switch {
			case errs[i] != nil:
				t.Errorf("%s: writer %d: %v", round, i, errs[i])
			case c == win:
				winner, wins = i, wins+1
			case c != http.StatusPreconditionFailed:
				t.Errorf("%s: writer %d got %d, want %d or 412", round, i, c, win)
			}
		}
		if wins != 1 {
			t.Fatalf("%s: %d writers got %d (statuses %v), want exactly one", round, wins, win, codes)
		}
		return winner
	}
	stored := func() *calendar.Object {
		t.Helper()
		coll, err := in.Server.Service().Collection(t.Context(), "ann", "calendar")
		if err != nil {
			t.Fatal(err)
		}
		objs, err := in.Server.Service().ListObjects(t.Context(), coll, true)
		if err != nil || len(objs) != 1 {
			t.Fatalf("the calendar holds %d objects (%v), want 1", len(objs), err)
		}
		return objs[0]
	}

	var reqs []*http.Request
	var bodies []string
	for i := range n {
		bodies = append(bodies, event("race@example.org", fmt.Sprintf("create %d", i)))
		reqs = append(reqs, in.NewRequest(t, "PUT", path, "ann", bodies[i],
			http.Header{"If-None-Match": {"*"}, "Content-Type": {"text/calendar"}}))
	}
	codes, errs := race(in, reqs)
	w := check("If-None-Match: *", codes, errs, http.StatusCreated)
	obj := stored()
	if string(obj.Data) != bodies[w] {
		t.Errorf("stored body after the create race is not the winner's:\n%s\nwant\n%s", obj.Data, bodies[w])
	}

	etag := obj.ETag
	reqs, bodies = nil, nil
	for i := range n {
		bodies = append(bodies, event("race@example.org", fmt.Sprintf("update %d", i)))
		reqs = append(reqs, in.NewRequest(t, "PUT", path, "ann", bodies[i],
			http.Header{"If-Match": {etag}, "Content-Type": {"text/calendar"}}))
	}
	codes, errs = race(in, reqs)
	w = check("If-Match", codes, errs, http.StatusNoContent)
	obj = stored()
	if string(obj.Data) != bodies[w] {
		t.Errorf("stored body after the update race is not the winner's:\n%s\nwant\n%s", obj.Data, bodies[w])
	}
	resp := in.Do(t, "GET", path, "ann", "", nil)
	if body := servertest.Body(t, resp); resp.StatusCode != 200 || body != bodies[w] || resp.Header.Get("ETag") != obj.ETag {
		t.Errorf("GET after the races = %d ETag %s, body %q; want the winner's %q with ETag %s", resp.StatusCode, resp.Header.Get("ETag"), body, bodies[w], obj.ETag)
	}
}

// rfcDir holds the RFC 4791 Appendix B objects and the §7.8 requests,
// shared with package caldata's tests.
var rfcDir = filepath.Join("..", "caldav", "caldata", "testdata", "rfc4791")

func readRFC(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(rfcDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rfcCalendar creates bernard's calendar "work" as in RFC 4791 §7.8, in
// US/Eastern like the Appendix B data, and PUTs the Appendix B objects
// into it.
func rfcCalendar(t *testing.T, in *servertest.Instance) string {
	t.Helper()
	in.AddUser(t, "bernard", "pw")
	abcd1, err := ical.Parse([]byte(readRFC(t, "abcd1.ics")))
	if err != nil {
		t.Fatal(err)
	}
	zone := ical.NewComponent(ical.CompCalendar)
	zone.Add(ical.NewProperty("VERSION", "2.0"))
	zone.Add(ical.NewProperty("PRODID", "-//e2e//EN"))
	for _, c := range abcd1.Children {
		if c.Name == ical.CompTimezone {
			zone.Children = append(zone.Children, c)
		}
	}
	var tz strings.Builder
	xml.EscapeText(&tz, ical.Marshal(zone))
	mk := `<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>` +
		`<D:displayname>Work</D:displayname>` +
		`<C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/><C:comp name="VFREEBUSY"/></C:supported-calendar-component-set>` +
		`<C:calendar-timezone>` + tz.String() + `</C:calendar-timezone></D:prop></D:set></C:mkcalendar>`
	coll := "/dav/calendars/bernard/work/"
	if resp := in.Do(t, "MKCALENDAR", coll, "bernard", mk, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("MKCALENDAR = %d %s", resp.StatusCode, servertest.Body(t, resp))
	}
	for i := 1; i <= 8; i++ {
		name := fmt.Sprintf("abcd%d.ics", i)
		if resp := in.Do(t, "PUT", coll+name, "bernard", readRFC(t, name), calendarType); resp.StatusCode != http.StatusCreated {
			t.Fatalf("PUT %s = %d %s", name, resp.StatusCode, servertest.Body(t, resp))
		}
	}
	return coll
}

// TestRFC4791Examples replays the calendar-query examples of RFC 4791
// §7.8, the multiget of §7.9.1 and the free-busy query of §7.10.1 over
// HTTP on the Appendix B data. The expected hrefs are the RFC's answers
// corrected as package caldata's rfc_test.go explains: §7.8.5 matches
// nothing (the RFC prints a task that Appendix B does not have) and
// §7.8.10 is answered, not refused, because this server supports filters
// on any property (§7.7 makes that optional). It runs with the server's
// clock in January 2006, where the recurrence index covers the queries,
// and with today's clock, where it does not and the index falls back to
// the objects' spans.
func TestRFC4791Examples(t *testing.T) {
	for _, clock := range []struct {
		name string
		now  func() time.Time
	}{
		{"clock in 2006", func() time.Time { return time.Date(2006, 1, 25, 9, 0, 0, 0, time.UTC) }},
		{"clock today", nil},
	} {
		t.Run(clock.name, func(t *testing.T) {
			var opts []servertest.Option
			if clock.now != nil {
				opts = append(opts, servertest.Now(clock.now))
			}
			in := servertest.Start(t, opts...)
			coll := rfcCalendar(t, in)
			t.Run("calendar-query", func(t *testing.T) { rfcQueries(t, in, coll) })
			t.Run("multiget", func(t *testing.T) { rfcMultiget(t, in, coll) })
			t.Run("free-busy", func(t *testing.T) { rfcFreeBusy(t, in, coll) })
		})
	}
}

func rfcQueries(t *testing.T, in *servertest.Instance, coll string) {
	for _, tt := range []struct {
		section string
		want    []string
	}{
		{"7.8.1", []string{"abcd2.ics", "abcd3.ics"}},
		{"7.8.2", []string{"abcd2.ics", "abcd3.ics"}},
		{"7.8.3", []string{"abcd2.ics", "abcd3.ics"}},
		{"7.8.4", []string{"abcd8.ics"}},
		{"7.8.5", nil},
		{"7.8.6", []string{"abcd3.ics"}},
		{"7.8.7", []string{"abcd3.ics"}},
		{"7.8.8", []string{"abcd1.ics", "abcd2.ics", "abcd3.ics"}},
		{"7.8.9", []string{"abcd4.ics", "abcd5.ics"}},
		{"7.8.10", nil},
	} {
		t.Run(tt.section, func(t *testing.T) {
			req := readRFC(t, "rfc4791_"+tt.section+"_01_request.txt")
			body := req[strings.Index(req, "<?xml"):]
			resp := in.Do(t, "REPORT", coll, "bernard", body, http.Header{"Depth": {"1"}})
			if resp.StatusCode != http.StatusMultiStatus {
				t.Fatalf("REPORT §%s = %d %s", tt.section, resp.StatusCode, servertest.Body(t, resp))
			}
			rs := parseMultistatus(t, servertest.Body(t, resp))
			var want []string
			for _, n := range tt.want {
				want = append(want, coll+n)
			}
			if got := hrefs(rs); !slices.Equal(got, want) {
				t.Fatalf("REPORT §%s hrefs = %v, want %v", tt.section, got, want)
			}
			asksData := strings.Contains(body, "calendar-data")
			for _, r := range rs {
				if r.HasData != asksData || asksData && !strings.Contains(r.Data, "BEGIN:VCALENDAR") {
					t.Errorf("REPORT §%s: %s has calendar-data %v %.40q, want it %v", tt.section, r.Href, r.HasData, r.Data, asksData)
				}
				if strings.Contains(body, "getetag") && r.ETag == "" {
					t.Errorf("REPORT §%s: %s has no getetag", tt.section, r.Href)
				}
				cal, err := ical.Parse([]byte(r.Data))
				if err != nil {
					t.Errorf("REPORT §%s: %s calendar-data does not parse: %v", tt.section, r.Href, err)
					continue
				}
				switch tt.section {
				case "7.8.1":
					// Only the properties asked for: no DTSTAMP.
					if strings.Contains(r.Data, "DTSTAMP") || !strings.Contains(r.Data, "SUMMARY") {
						t.Errorf("REPORT §7.8.1: %s calendar-data is not limited to the requested properties:\n%s", r.Href, r.Data)
					}
				case "7.8.3":
					// §9.6.5: expanded, every instance of the recurring
					// abcd2.ics carries a RECURRENCE-ID, every time is in
					// UTC and no recurrence rule or VTIMEZONE is left. The
					// single event abcd3.ics stays as it is, without a
					// RECURRENCE-ID, as the RFC prints it.
					recurring := strings.HasSuffix(r.Href, "abcd2.ics")
					n := 0
					for _, c := range cal.Children {
						if c.Name == ical.CompTimezone {
							t.Errorf("REPORT §7.8.3: %s keeps a VTIMEZONE after expansion", r.Href)
						}
						if c.Name != ical.CompEvent {
							continue
						}
						n++
						rid := c.Prop(ical.PropRecurrenceID)
						if (rid != nil) != recurring || rid != nil && !strings.HasSuffix(rid.Value, "Z") ||
							!strings.HasSuffix(c.Value(ical.PropDTStart), "Z") || c.Prop(ical.PropRRule) != nil {
							t.Errorf("REPORT §7.8.3: %s instance %d: RECURRENCE-ID %v (want one in UTC: %v), DTSTART %s, or an RRULE left:\n%s",
								r.Href, n, rid, recurring, c.Value(ical.PropDTStart), r.Data)
						}
					}
					// Event #2 recurs daily; in [Jan 3, Jan 5) are its
					// instance of Jan 3 and the override of Jan 4.
					if want := map[bool]int{true: 2, false: 1}[recurring]; n != want {
						t.Errorf("REPORT §7.8.3: %s has %d VEVENTs, want %d:\n%s", r.Href, n, want, r.Data)
					}
				}
			}
		})
	}
}

// rfcMultiget is RFC 4791 §7.9.1: one href that exists and one that does
// not (404 in its own response).
func rfcMultiget(t *testing.T, in *servertest.Instance, coll string) {
	body := `<?xml version="1.0" encoding="utf-8" ?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:getetag/>
    <C:calendar-data/>
  </D:prop>
  <D:href>` + coll + `abcd1.ics</D:href>
  <D:href>` + coll + `mtg1.ics</D:href>
</C:calendar-multiget>`
	resp := in.Do(t, "REPORT", coll, "bernard", body, http.Header{"Depth": {"1"}})
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("multiget = %d", resp.StatusCode)
	}
	rs := parseMultistatus(t, servertest.Body(t, resp))
	if got, want := hrefs(rs), []string{coll + "abcd1.ics", coll + "mtg1.ics"}; !slices.Equal(got, want) {
		t.Fatalf("multiget hrefs = %v, want %v", got, want)
	}
	for _, r := range rs {
		switch {
		case strings.HasSuffix(r.Href, "abcd1.ics"):
			if !r.HasData || !strings.Contains(r.Data, "SUMMARY:Event #1") || r.ETag == "" {
				t.Errorf("multiget abcd1.ics = %+v, want its data and ETag", r)
			}
		case !strings.Contains(r.Status, " 404 ") || r.HasData:
			t.Errorf("multiget mtg1.ics = %+v, want a 404 response", r)
		}
	}
}

// rfcFreeBusy is RFC 4791 §7.10.1 over the requested range (which, as
// caldata's TestRFC4791FreeBusy explains, is a day longer than the
// printed answer covers).
func rfcFreeBusy(t *testing.T, in *servertest.Instance, coll string) {
	body := `<?xml version="1.0" encoding="utf-8" ?>
<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">
  <C:time-range start="20060104T140000Z" end="20060105T220000Z"/>
</C:free-busy-query>`
	resp := in.Do(t, "REPORT", coll, "bernard", body, http.Header{"Depth": {"1"}})
	got := servertest.Body(t, resp)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("free-busy-query = %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), got)
	}
	cal, err := ical.Parse([]byte(got))
	if err != nil {
		t.Fatal(err)
	}
	var periods []string
	for _, c := range cal.Children {
		for _, p := range c.PropsNamed(ical.PropFreeBusy) {
			periods = append(periods, strings.TrimSuffix(string(ical.AppendProperty(nil, p)), "\r\n"))
		}
	}
	want := []string{
		"FREEBUSY;FBTYPE=BUSY-TENTATIVE:20060104T150000Z/20060104T160000Z",
		"FREEBUSY:20060104T190000Z/20060104T200000Z",
		"FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20060105T100000Z/20060105T120000Z",
		"FREEBUSY:20060105T170000Z/20060105T180000Z",
	}
	if !slices.Equal(periods, want) {
		t.Errorf("free-busy-query periods =\n%s\nwant\n%s\nbody:\n%s", strings.Join(periods, "\n"), strings.Join(want, "\n"), got)
	}
}

// billionLaughs is a PROPFIND body whose DOCTYPE declares entities that
// expand to 10^9 copies of "lol".
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol0 \"lol\">\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, " <!ENTITY lol%d \"%s\">\n", i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString("]>\n<D:propfind xmlns:D=\"DAV:\"><D:prop><D:displayname>&lol9;</D:displayname></D:prop></D:propfind>")
	return b.String()
}

// TestBadInput sends malformed and hostile requests through the real
// server: each gets its 4xx, nothing in the calendar changes, and the
// server stays healthy.
func TestBadInput(t *testing.T) {
	in := servertest.Start(t)
	in.AddUser(t, "ann", "pw")
	in.AddUser(t, "bob", "pw")
	coll := "/dav/calendars/ann/calendar/"
	for _, uid := range []string{"a", "b"} {
		if resp := in.Do(t, "PUT", coll+uid+".ics", "ann", event(uid, "keep "+uid), calendarType); resp.StatusCode != http.StatusCreated {
			t.Fatalf("PUT %s = %d", uid, resp.StatusCode)
		}
	}
	before := listing(t, in, "ann", coll)
	bobBefore := listing(t, in, "bob", "/dav/calendars/bob/calendar/")

	huge := `<D:propfind xmlns:D="DAV:"><D:prop>` + strings.Repeat("<D:displayname/>", 1<<17) + `</D:prop></D:propfind>`
	invalidValue := strings.Replace(event("a", "broken"), "DTSTART:20260301T100000Z", "DTSTART:not-a-date", 1)
	for _, tc := range []struct {
		name, method, path, body string
		hdr                      http.Header
		want                     int
		cond                     string // the DAV:error precondition expected, if any
	}{
		{"malformed XML", "PROPFIND", coll, `<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop>`, http.Header{"Depth": {"1"}}, 400, ""},
		{"mismatched tags", "REPORT", coll, `<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter></C:calendar-query>`, http.Header{"Depth": {"1"}}, 400, ""},
		{"DOCTYPE entity bomb", "PROPFIND", coll, billionLaughs(), http.Header{"Depth": {"0"}}, 400, ""},
		{"external entity", "PROPPATCH", coll, `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` +
			`<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>&e;</D:displayname></D:prop></D:set></D:propertyupdate>`, nil, 400, ""},
		{"PROPFIND body over 1 MiB", "PROPFIND", coll, huge, http.Header{"Depth": {"0"}, "Expect": {"100-continue"}}, 413, ""},
		{"not iCalendar", "PUT", coll + "a.ics", "BEGIN:VCALENDAR\r\nthis is no content line\r\n", calendarType, 403, "valid-calendar-data"},
		{"invalid DTSTART", "PUT", coll + "a.ics", invalidValue, calendarType, 403, "valid-calendar-data"},
		{"text/plain", "PUT", coll + "b.ics", event("b", "as text"), http.Header{"Content-Type": {"text/plain"}}, 403, "supported-calendar-data"},
		// Dot segments are 400 before the mux could redirect them.
		{"dot-dot", "GET", "/dav/calendars/ann/calendar/../../bob/calendar/", "", nil, 400, ""},
		{"dot-dot PUT", "PUT", "/dav/calendars/ann/calendar/../../bob/calendar/x.ics", event("x", "x"), calendarType, 400, ""},
		{"dot PROPFIND", "PROPFIND", "/dav/calendars/ann/./calendar/", "", http.Header{"Depth": {"1"}}, 400, ""},
		{"escaped dot-dot", "PUT", "/dav/calendars/ann/%2e%2e/bob/calendar/x.ics", event("x", "x"), calendarType, 0, ""},
		{"escaped dot-dot DELETE", "DELETE", "/dav/calendars/ann/calendar/%2E%2E/", "", nil, 0, ""},
		{"escaped slash", "PUT", "/dav/calendars/ann/calendar/..%2F..%2Fbob%2Fcalendar%2Fx.ics", event("x", "x"), calendarType, 0, ""},
		{"escaped slash in a name", "DELETE", "/dav/calendars/ann/calendar%2Fa.ics", "", nil, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			resp := in.Do(t, tc.method, tc.path, "ann", tc.body, tc.hdr)
			body := servertest.Body(t, resp)
			switch {
			case tc.want == 0 && (resp.StatusCode < 400 || resp.StatusCode > 499):
				t.Errorf("%s %s = %d, want 4xx\n%s", tc.method, tc.path, resp.StatusCode, body)
			case tc.want != 0 && resp.StatusCode != tc.want:
				t.Errorf("%s %s = %d, want %d\n%s", tc.method, tc.path, resp.StatusCode, tc.want, body)
			}
			if tc.cond != "" && (!strings.Contains(body, ":error") || !strings.Contains(body, ":"+tc.cond+"/>") ||
				!strings.Contains(body, "urn:ietf:params:xml:ns:caldav")) {
				t.Errorf("%s %s: body lacks a DAV:error with CALDAV:%s:\n%s", tc.method, tc.path, tc.cond, body)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%s %s took %v", tc.method, tc.path, d)
			}
		})
	}

	if after := listing(t, in, "ann", coll); !slices.Equal(after, before) {
		t.Errorf("ann's calendar changed:\nbefore %v\nafter  %v", before, after)
	}
	if after := listing(t, in, "bob", "/dav/calendars/bob/calendar/"); !slices.Equal(after, bobBefore) {
		t.Errorf("bob's calendar changed:\nbefore %v\nafter  %v", bobBefore, after)
	}
	if resp := in.Do(t, "GET", coll+"a.ics", "ann", "", nil); servertest.Body(t, resp) != event("a", "keep a") {
		t.Errorf("a.ics changed: %q", servertest.Body(t, resp))
	}
	if resp := in.Do(t, "GET", "/healthz", "", "", nil); resp.StatusCode != 200 {
		t.Errorf("GET /healthz after the bad input = %d, want 200", resp.StatusCode)
	}
}

// TestSharingEndToEnd: alice shares her calendar read-only with bob by an
// ACL request and free-busy-only with carol through the service, then
// publishes it and gives it a feed.
func TestSharingEndToEnd(t *testing.T) {
	in := servertest.Start(t)
	for _, u := range []string{"alice", "bob", "carol"} {
		in.AddUser(t, u, "pw")
	}
	svc := in.Server.Service()
	ctx := t.Context()
	team := "/dav/calendars/alice/team/"
	mk := `<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Team</D:displayname></D:prop></D:set></C:mkcalendar>`
	if resp := in.Do(t, "MKCALENDAR", team, "alice", mk, nil); resp.StatusCode != http.StatusCreated {
		t.Fatalf("MKCALENDAR = %d", resp.StatusCode)
	}
	secret := event("plans@example.org", "Secret plans")
	if resp := in.Do(t, "PUT", team+"plans.ics", "alice", secret, calendarType); resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT = %d", resp.StatusCode)
	}
	before := listing(t, in, "alice", team)

	// RFC 3744 §8.1: the ACL method; alice's own ACE is protected and not
	// sent.
	acl := `<D:acl xmlns:D="DAV:"><D:ace><D:principal><D:href>/dav/principals/bob/</D:href></D:principal>` +
		`<D:grant><D:privilege><D:read/></D:privilege></D:grant></D:ace></D:acl>`
	if resp := in.Do(t, "ACL", team, "alice", acl, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("ACL = %d %s", resp.StatusCode, servertest.Body(t, resp))
	}
	if err := svc.Share(ctx, "alice", "team", "carol", calendar.AccessFreeBusy); err != nil {
		t.Fatal(err)
	}

	t.Run("read-only share", func(t *testing.T) {
		resp := in.Do(t, "PROPFIND", "/dav/calendars/bob/", "bob", "", http.Header{"Depth": {"1"}})
		if got := hrefs(parseMultistatus(t, servertest.Body(t, resp))); !slices.Contains(got, "/dav/calendars/bob/alice~team/") {
			t.Fatalf("bob's home = %v, lacks the shared alice~team", got)
		}
		for _, p := range []string{"/dav/calendars/bob/alice~team/plans.ics", team + "plans.ics"} {
			if resp := in.Do(t, "GET", p, "bob", "", nil); resp.StatusCode != 200 || servertest.Body(t, resp) != secret {
				t.Errorf("bob: GET %s = %d", p, resp.StatusCode)
			}
		}
		for _, w := range []struct{ method, path, body string }{
			{"PUT", "/dav/calendars/bob/alice~team/new.ics", event("new@example.org", "by bob")},
			{"PUT", "/dav/calendars/bob/alice~team/plans.ics", event("plans@example.org", "changed by bob")},
			{"PUT", team + "plans.ics", event("plans@example.org", "changed by bob")},
			{"DELETE", team + "plans.ics", ""},
		} {
			resp := in.Do(t, w.method, w.path, "bob", w.body, calendarType)
			if body := servertest.Body(t, resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "need-privileges") {
				t.Errorf("bob: %s %s = %d, want 403 DAV:need-privileges\n%s", w.method, w.path, resp.StatusCode, body)
			}
		}
	})

	t.Run("free-busy share", func(t *testing.T) {
		shared := "/dav/calendars/carol/alice~team/"
		resp := in.Do(t, "PROPFIND", "/dav/calendars/carol/", "carol", "", http.Header{"Depth": {"1"}})
		if got := hrefs(parseMultistatus(t, servertest.Body(t, resp))); !slices.Contains(got, shared) {
			t.Fatalf("carol's home = %v, lacks the shared alice~team", got)
		}
		if resp := in.Do(t, "GET", shared+"plans.ics", "carol", "", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("carol: GET = %d, want 403", resp.StatusCode)
		}
		// The adapter (davBackend.QueryObjects) answers a calendar-query
		// of a read-free-busy principal with each object reduced to the
		// properties free-busy time is computed from.
		query := `<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>` +
			`<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>`
		resp = in.Do(t, "REPORT", shared, "carol", query, http.Header{"Depth": {"1"}})
		body := servertest.Body(t, resp)
		if resp.StatusCode != http.StatusMultiStatus {
			t.Fatalf("carol: calendar-query = %d, want 207 with free-busy data\n%s", resp.StatusCode, body)
		}
		rs := parseMultistatus(t, body)
		if len(rs) != 1 || !strings.Contains(rs[0].Data, "DTSTART:20260301T100000Z") || strings.Contains(body, "Secret") {
			t.Errorf("carol: calendar-query = %+v, want plans.ics with its times and without its summary", rs)
		}
		for _, q := range []struct{ method, body string }{
			{"REPORT", `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop><D:href>` + shared + `plans.ics</D:href></C:calendar-multiget>`},
			{"PROPFIND", ""},
		} {
			resp := in.Do(t, q.method, shared, "carol", q.body, http.Header{"Depth": {"1"}})
			if body := servertest.Body(t, resp); strings.Contains(body, "Secret") {
				t.Errorf("carol: %s reveals the summary (%d):\n%s", q.method, resp.StatusCode, body)
			}
		}
		fb := `<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20260301T000000Z" end="20260302T000000Z"/></C:free-busy-query>`
		resp = in.Do(t, "REPORT", shared, "carol", fb, http.Header{"Depth": {"1"}})
		body = servertest.Body(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(body, "FREEBUSY:20260301T100000Z/20260301T110000Z") || strings.Contains(body, "Secret") {
			t.Errorf("carol: free-busy-query = %d\n%s", resp.StatusCode, body)
		}
		if resp := in.Do(t, "PUT", shared+"x.ics", "carol", event("x@example.org", "x"), calendarType); resp.StatusCode != http.StatusForbidden {
			t.Errorf("carol: PUT = %d, want 403", resp.StatusCode)
		}
	})

	t.Run("publish", func(t *testing.T) {
		public := "/public/calendars/alice/team/"
		if resp := in.Do(t, "GET", public, "", "", nil); resp.StatusCode < 400 || strings.Contains(servertest.Body(t, resp), "Secret") {
			t.Fatalf("anonymous GET before publishing = %d, want 4xx", resp.StatusCode)
		}
		if err := svc.SetPublicRead(ctx, "alice", "team", true); err != nil {
			t.Fatal(err)
		}
		resp := in.Do(t, "GET", public, "", "", nil)
		body := servertest.Body(t, resp)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") ||
			!strings.HasPrefix(body, "BEGIN:VCALENDAR") || !strings.Contains(body, "SUMMARY:Secret plans") {
			t.Errorf("anonymous GET %s = %d %q\n%s", public, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		if resp := in.Do(t, "PUT", public+"x.ics", "", event("x@example.org", "x"), calendarType); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("anonymous PUT on the public calendar = %d, want 405", resp.StatusCode)
		}
	})

	if after := listing(t, in, "alice", team); !slices.Equal(after, before) {
		t.Errorf("alice's calendar changed under bob, carol and anonymous requests:\nbefore %v\nafter  %v", before, after)
	}

	t.Run("feed", func(t *testing.T) {
		token, err := svc.SetFeedToken(ctx, "alice", "team", true)
		if err != nil {
			t.Fatal(err)
		}
		path := "/feeds/" + token + ".ics"
		resp := in.Do(t, "GET", path, "", "", nil)
		etag := resp.Header.Get("ETag")
		if body := servertest.Body(t, resp); resp.StatusCode != 200 || etag == "" || !strings.Contains(body, "SUMMARY:Secret plans") {
			t.Fatalf("GET %s = %d ETag %q\n%s", path, resp.StatusCode, etag, body)
		}
		if resp := in.Do(t, "GET", path, "", "", http.Header{"If-None-Match": {etag}}); resp.StatusCode != http.StatusNotModified {
			t.Errorf("GET feed with If-None-Match = %d, want 304", resp.StatusCode)
		}
		// A change makes the feed new again.
		if resp := in.Do(t, "PUT", team+"more.ics", "alice", event("more@example.org", "More"), calendarType); resp.StatusCode != http.StatusCreated {
			t.Fatal(resp.StatusCode)
		}
		if resp := in.Do(t, "GET", path, "", "", http.Header{"If-None-Match": {etag}}); resp.StatusCode != 200 || resp.Header.Get("ETag") == etag {
			t.Errorf("GET feed with the old ETag after a change = %d ETag %q, want 200 and a new ETag", resp.StatusCode, resp.Header.Get("ETag"))
		}
	})

}
