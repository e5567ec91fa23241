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
	f.Add(uint8(1), `<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>`)                                                                                                                                                                // minimal prop request
	f.Add(uint8(2), `<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><a xmlns=""/></D:prop></D:set></D:propertyupdate>`)                                                                                                                        // property without namespace
	f.Add(uint8(3), `<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="x"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`) // invalid time-range
	f.Add(uint8(4), `<D:expand-property xmlns:D="DAV:"><D:property name="owner"><D:property name="owner"><D:property name="owner"/></D:property></D:property></D:expand-property>`)                                                             // nested expansion
	f.Add(uint8(5), `<?xml version="1.0" encoding="ISO-8859-1"?><propfind xmlns="DAV:"/>`)                                                                                                                                                      // unsupported charset
	methods := []string{"PROPFIND", "PROPPATCH", "REPORT", "MKCALENDAR", "MKCOL", "ACL"}
	targets := []string{"/", "/dav/principals/", "/dav/principals/alice/", "/dav/calendars/alice/", "/dav/calendars/alice/work/",
		"/dav/calendars/alice/work/event1.ics", "/dav/calendars/alice/newcal/", "/dav/calendars/bob/shared/"}
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
