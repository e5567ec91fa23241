// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzPropfind sends arbitrary XML bodies as PROPFIND, PROPPATCH, REPORT,
// MKCALENDAR, MKCOL and ACL requests to the handler on the fake backend:
// it must never panic and never answer 500.
func FuzzPropfind(f *testing.F) {
	// The request bodies of the golden cases.
	files, _ := filepath.Glob("testdata/*.txt")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, sec := range strings.Split(string(data), "-- request --\n")[1:] {
			sec, _, _ = strings.Cut(sec, "-- response --")
			if _, body, ok := strings.Cut(sec, "\n\n"); ok && strings.HasPrefix(strings.TrimSpace(body), "<") {
				f.Add(uint8(0), body)
			}
		}
	}
	f.Add(uint8(1), `<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>`)                                                                                                                                                                                 // minimal prop request
	f.Add(uint8(2), `<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><a xmlns=""/></D:prop></D:set></D:propertyupdate>`)                                                                                                                                         // property without namespace
	f.Add(uint8(3), `<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="x"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`)                  // invalid time-range
	f.Add(uint8(4), `<D:expand-property xmlns:D="DAV:"><D:property name="owner"><D:property name="owner"><D:property name="owner"/></D:property></D:property></D:expand-property>`)                                                                              // nested expansion
	f.Add(uint8(5), `<?xml version="1.0" encoding="ISO-8859-1"?><propfind xmlns="DAV:"/>`)                                                                                                                                                                       // unsupported charset
	f.Add(uint8(6*8+1), `<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:schedule-default-calendar-URL><D:href>http://[::1/</D:href><D:href/></C:schedule-default-calendar-URL></D:prop></D:set></D:propertyupdate>`) // default calendar: bad and empty hrefs
	f.Add(uint8(6*8+1), `<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:calendar-availability>BEGIN:VCALENDAR</C:calendar-availability></D:prop></D:set></D:propertyupdate>`)                                        // truncated availability
	f.Add(uint8(4*8+1), `<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:schedule-calendar-transp><C:opaque/><C:transparent/></C:schedule-calendar-transp></D:prop></D:set></D:propertyupdate>`)                      // two transparency values
	f.Add(uint8(7*8+5), `<D:acl xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:ace><D:principal><D:all/></D:principal><D:grant><D:privilege><C:schedule-send/><D:all/></D:privilege></D:grant></D:ace></D:acl>`)                                      // scheduling privilege on an outbox
	methods := []string{"PROPFIND", "PROPPATCH", "REPORT", "MKCALENDAR", "MKCOL", "ACL"}
	targets := []string{"/", "/dav/principals/", "/dav/principals/alice/", "/dav/calendars/alice/", "/dav/calendars/alice/work/",
		"/dav/calendars/alice/work/event1.ics", "/dav/calendars/alice/inbox/", "/dav/calendars/alice/outbox/",
		"/dav/calendars/alice/newcal/", "/dav/calendars/bob/shared/"}
	f.Fuzz(func(t *testing.T, sel uint8, body string) {
		h := newTestHandler(newFake(), "/dav/")
		method := methods[int(sel)%len(methods)]
		target := targets[int(sel/8)%len(targets)]
		r := httptest.NewRequest(method, "http://dav.example"+target, strings.NewReader(body))
		r.Header.Set("Depth", []string{"0", "1"}[sel%2])
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Errorf("%s %s = %d for body %q:\n%s", method, target, w.Code, body, w.Body)
		}
	})
}

// FuzzSchedulePost sends arbitrary bodies as busy time requests to an
// outbox (RFC 6638 §5): the handler must never panic nor answer 500, and
// a 200 must be a CALDAV:schedule-response.
func FuzzSchedulePost(f *testing.F) {
	req := freeBusyRequest(f)
	f.Add(req)                                                                                          // RFC 6638 Appendix B.5
	f.Add(strings.Replace(req, "METHOD:REQUEST", "METHOD:REPLY", 1))                                    // wrong method
	f.Add(strings.Replace(req, "DTEND:20090604T000000Z", "DTEND:20090604", 1))                          // DATE end
	f.Add(strings.Replace(req, "BEGIN:VFREEBUSY", "BEGIN:VEVENT", 1))                                   // mismatched END
	f.Add(strings.Replace(req, "mailto:cyrus@example.com", "urn:uuid:cyrus", 1))                        // organizer not an address of the owner
	f.Add(req[:len(req)/2])                                                                             // truncated
	f.Add("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n") // empty VFREEBUSY
	f.Fuzz(func(t *testing.T, body string) {
		h := newTestHandler(newFakeRFC6638(), "/dav/")
		r := httptest.NewRequest("POST", "http://dav.example/dav/calendars/cyrus/outbox/", strings.NewReader(body))
		r.Header.Set("Content-Type", "text/calendar")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 || w.Code == 200 && !strings.Contains(w.Body.String(), "<C:schedule-response") {
			t.Errorf("POST %q = %d:\n%s", body, w.Code, w.Body)
		}
	})
}
