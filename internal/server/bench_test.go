// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/servertest"
)

// benchCalendar generates n calendar objects at a constant density of ten
// per day from 2026-01-01 (so a one-month query finds about the same
// number of objects whatever n is): three in four single events, one in
// four weekly series of ten with an EXDATE, in Europe/Berlin.
func benchCalendar(n int) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//almanac//bench//EN\r\n")
	b.WriteString("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n")
	day0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		start := day0.AddDate(0, 0, i/10).Add(time.Duration(8+i%10) * time.Hour)
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:bench-%06d\r\nDTSTAMP:20260101T000000Z\r\n", i)
		fmt.Fprintf(&b, "DTSTART;TZID=Europe/Berlin:%s\r\nDURATION:PT45M\r\n", start.Format("20060102T150405"))
		fmt.Fprintf(&b, "SUMMARY:Event %d\r\nDESCRIPTION:A generated event for the benchmark\\, number %d.\r\n", i, i)
		fmt.Fprintf(&b, "ATTENDEE;CN=Ann;PARTSTAT=ACCEPTED:mailto:ann@example.org\r\nORGANIZER:mailto:bob@example.org\r\n")
		if i%4 == 0 {
			fmt.Fprintf(&b, "RRULE:FREQ=WEEKLY;COUNT=10\r\nEXDATE;TZID=Europe/Berlin:%s\r\n", start.AddDate(0, 0, 14).Format("20060102T150405"))
		}
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.String()
}

const benchQuery = `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/>%s</D:prop>
<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
<C:time-range start="20260601T000000Z" end="20260701T000000Z"/>
</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`

// BenchmarkDAV measures the read paths of the real server on 10,000 and
// 100,000 objects. Compare the two sizes of QueryMonth: the target is that
// 100,000 objects take at most twice as long as 10,000.
func BenchmarkDAV(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			in := servertest.Start(b, servertest.Config(func(c *config.Config) { c.LogLevel = "warn" }))
			in.AddUser(b, "ann", "secret")
			if _, err := in.Server.Service().Import(b.Context(), "ann", "calendar", strings.NewReader(benchCalendar(n)), nil); err != nil {
				b.Fatal(err)
			}
			const cal = "/dav/calendars/ann/calendar/"
			run := func(name, method, path, body string, hdr http.Header, want int) {
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						resp := in.Do(b, method, path, "ann", body, hdr)
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != want {
							b.Fatalf("%s %s: %s", method, path, resp.Status)
						}
					}
				})
			}
			depth1 := http.Header{"Depth": {"1"}, "Content-Type": {"application/xml"}}
			run("QueryMonth", "REPORT", cal, fmt.Sprintf(benchQuery, "<C:calendar-data/>"), depth1, 207)
			run("QueryMonthExpand", "REPORT", cal, fmt.Sprintf(benchQuery, `<C:calendar-data><C:expand start="20260601T000000Z" end="20260701T000000Z"/></C:calendar-data>`), depth1, 207)
			var hrefs strings.Builder
			for i := range 50 {
				fmt.Fprintf(&hrefs, "<D:href>%sbench-%06d.ics</D:href>", cal, i*7)
			}
			run("Multiget50", "REPORT", cal, `<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>`+hrefs.String()+`</C:calendar-multiget>`, depth1, 207)
			run("Get", "GET", cal+"bench-000042.ics", "", nil, 200)
			if n <= 10000 {
				run("PropfindEtags", "PROPFIND", cal, `<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>`, depth1, 207)
			}
		})
	}
}
