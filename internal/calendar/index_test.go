// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// testNow is the clock of the index tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func testService(opt Options) *Service {
	if opt.Now == nil {
		opt.Now = func() time.Time { return testNow }
	}
	return New(nil, opt)
}

// vcal wraps components in a VCALENDAR and parses it.
func vcal(t testing.TB, body string) *ical.Component {
	t.Helper()
	text := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
		strings.ReplaceAll(strings.TrimSpace(body), "\n", "\r\n") + "\r\nEND:VCALENDAR\r\n"
	cal, err := ical.Parse([]byte(text))
	if err != nil {
		t.Fatalf("ical.Parse: %v", err)
	}
	return cal.Component
}

func utc(s string) time.Time {
	t, err := time.Parse("20060102T150405Z", s)
	if err != nil {
		panic(err)
	}
	return t
}

func spanString(sp Span) string {
	f := func(t time.Time) string {
		switch {
		case t.Equal(MinTime):
			return "min"
		case t.Equal(MaxTime):
			return "max"
		}
		return t.UTC().Format("20060102T150405Z")
	}
	return f(sp.Start) + "/" + f(sp.End)
}

func instancesString(sps []Span) string {
	var b []string
	for _, sp := range sps {
		b = append(b, spanString(sp))
	}
	return strings.Join(b, " ")
}

const berlinTZ = `BEGIN:VTIMEZONE
TZID:Custom/Berlin
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
`

func TestIndex(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		comp      string
		span      string // Start/End
		recurring bool
		window    string // From/Until, for recurring objects
		instances string // for recurring objects; "" = don't check
	}{
		{
			name: "zoned event",
			body: `BEGIN:VEVENT
UID:a
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:20260310T100000
DTEND;TZID=Europe/Berlin:20260310T110000
END:VEVENT`,
			comp: "VEVENT", span: "20260310T090000Z/20260310T100000Z",
		},
		{
			name: "duration",
			body: `BEGIN:VEVENT
UID:a
DTSTART:20260310T100000Z
DURATION:PT1H30M
END:VEVENT`,
			comp: "VEVENT", span: "20260310T100000Z/20260310T113000Z",
		},
		{
			name: "no end is zero-length",
			body: `BEGIN:VEVENT
UID:a
DTSTART:20260310T100000Z
END:VEVENT`,
			comp: "VEVENT", span: "20260310T100000Z/20260310T100000Z",
		},
		{
			name: "all-day without end is one floating day",
			body: `BEGIN:VEVENT
UID:a
DTSTART;VALUE=DATE:20260310
END:VEVENT`,
			comp: "VEVENT", span: "20260309T100000Z/20260311T140000Z",
		},
		{
			name: "floating time",
			body: `BEGIN:VEVENT
UID:a
DTSTART:20260310T100000
DURATION:PT1H
END:VEVENT`,
			comp: "VEVENT", span: "20260309T200000Z/20260311T010000Z",
		},
		{
			name: "Windows TZID",
			body: `BEGIN:VEVENT
UID:a
DTSTART;TZID=W. Europe Standard Time:20260310T100000
DTEND;TZID=W. Europe Standard Time:20260310T110000
END:VEVENT`,
			comp: "VEVENT", span: "20260310T090000Z/20260310T100000Z",
		},
		{
			name: "own VTIMEZONE",
			body: berlinTZ + `BEGIN:VEVENT
UID:a
DTSTART;TZID=Custom/Berlin:20260710T100000
DTEND;TZID=Custom/Berlin:20260710T110000
END:VEVENT`,
			comp: "VEVENT", span: "20260710T080000Z/20260710T090000Z",
		},
		{
			name: "unknown TZID is UTC widened",
			body: `BEGIN:VEVENT
UID:a
DTSTART;TZID=Nowhere/Special:20260310T100000
DTEND;TZID=Nowhere/Special:20260310T110000
END:VEVENT`,
			comp: "VEVENT", span: "20260309T200000Z/20260311T010000Z",
		},
		{
			name: "relative alarm widens",
			body: `BEGIN:VEVENT
UID:a
DTSTART:20260310T100000Z
DTEND:20260310T110000Z
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:x
TRIGGER:-PT15M
END:VALARM
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:x
TRIGGER;RELATED=END:PT10M
REPEAT:2
DURATION:PT5M
END:VALARM
END:VEVENT`,
			comp: "VEVENT", span: "20260310T094500Z/20260310T112000Z",
		},
		{
			name: "absolute alarm widens",
			body: `BEGIN:VEVENT
UID:a
DTSTART:20260310T100000Z
DTEND:20260310T110000Z
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:x
TRIGGER;VALUE=DATE-TIME:20260301T080000Z
END:VALARM
END:VEVENT`,
			comp: "VEVENT", span: "20260301T080000Z/20260310T110000Z",
		},
		{
			name: "bounded recurrence with EXDATE, RDATE and a moved override",
			body: `BEGIN:VEVENT
UID:r
DTSTART:20260302T100000Z
DTEND:20260302T110000Z
RRULE:FREQ=DAILY;COUNT=4
EXDATE:20260303T100000Z
RDATE:20260310T100000Z
END:VEVENT
BEGIN:VEVENT
UID:r
RECURRENCE-ID:20260304T100000Z
DTSTART:20260304T150000Z
DTEND:20260304T160000Z
END:VEVENT`,
			comp: "VEVENT", recurring: true,
			span:      "20260302T100000Z/20260310T110000Z",
			window:    "min/max",
			instances: "20260302T100000Z/20260302T110000Z 20260304T150000Z/20260304T160000Z 20260305T100000Z/20260305T110000Z 20260310T100000Z/20260310T110000Z",
		},
		{
			name: "override without master",
			body: `BEGIN:VEVENT
UID:r
RECURRENCE-ID:20260304T100000Z
DTSTART:20260304T150000Z
DTEND:20260304T160000Z
END:VEVENT`,
			comp: "VEVENT", recurring: true,
			span: "20260304T150000Z/20260304T160000Z", window: "min/max",
			instances: "20260304T150000Z/20260304T160000Z",
		},
		{
			name: "unbounded recurrence",
			body: `BEGIN:VEVENT
UID:r
DTSTART:20200106T100000Z
DTEND:20200106T110000Z
RRULE:FREQ=YEARLY
END:VEVENT`,
			comp: "VEVENT", recurring: true,
			span:      "20200106T100000Z/max",
			window:    "20250301T120000Z/20280229T120000Z",
			instances: "20260106T100000Z/20260106T110000Z 20270106T100000Z/20270106T110000Z 20280106T100000Z/20280106T110000Z",
		},
		{
			name: "floating recurrence",
			body: `BEGIN:VEVENT
UID:r
DTSTART:20260302T100000
DTEND:20260302T110000
RRULE:FREQ=DAILY;COUNT=2
END:VEVENT`,
			comp: "VEVENT", recurring: true,
			span:      "20260301T200000Z/20260304T010000Z",
			window:    "min/max",
			instances: "20260301T200000Z/20260303T010000Z 20260302T200000Z/20260304T010000Z",
		},
		{
			name: "zoned recurrence across DST",
			body: `BEGIN:VEVENT
UID:r
DTSTART;TZID=Europe/Berlin:20260327T100000
DTEND;TZID=Europe/Berlin:20260327T110000
RRULE:FREQ=WEEKLY;COUNT=2
END:VEVENT`,
			comp: "VEVENT", recurring: true,
			span:      "20260327T090000Z/20260403T090000Z",
			window:    "min/max",
			instances: "20260327T090000Z/20260327T100000Z 20260403T080000Z/20260403T090000Z",
		},
		{
			name: "recurrence with alarm",
			body: `BEGIN:VEVENT
UID:r
DTSTART:20260302T100000Z
DTEND:20260302T110000Z
RRULE:FREQ=DAILY;COUNT=2
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:x
TRIGGER:-P1D
END:VALARM
END:VEVENT`,
			comp: "VEVENT", recurring: true,
			span:      "20260301T090000Z/20260303T110000Z",
			window:    "min/max",
			instances: "20260301T090000Z/20260302T110000Z 20260302T090000Z/20260303T110000Z",
		},
		{
			name: "VTODO DTSTART and DUE",
			body: `BEGIN:VTODO
UID:t
DTSTART:20260310T100000Z
DUE:20260312T100000Z
END:VTODO`,
			comp: "VTODO", span: "20260310T100000Z/20260312T100001Z",
		},
		{
			name: "VTODO DUE only",
			body: `BEGIN:VTODO
UID:t
DUE:20260312T100000Z
END:VTODO`,
			comp: "VTODO", span: "20260312T095959Z/20260312T100000Z",
		},
		{
			name: "VTODO DTSTART and DURATION",
			body: `BEGIN:VTODO
UID:t
DTSTART:20260310T100000Z
DURATION:PT1H
END:VTODO`,
			comp: "VTODO", span: "20260310T100000Z/20260310T110001Z",
		},
		{
			name: "VTODO COMPLETED and CREATED",
			body: `BEGIN:VTODO
UID:t
CREATED:20260101T000000Z
COMPLETED:20260105T000000Z
END:VTODO`,
			comp: "VTODO", span: "20260101T000000Z/20260105T000001Z",
		},
		{
			name: "VTODO CREATED only",
			body: `BEGIN:VTODO
UID:t
CREATED:20260101T000000Z
END:VTODO`,
			comp: "VTODO", span: "20260101T000000Z/max",
		},
		{
			name: "VTODO without times",
			body: `BEGIN:VTODO
UID:t
SUMMARY:whenever
END:VTODO`,
			comp: "VTODO", span: "min/max",
		},
		{
			name: "VJOURNAL date",
			body: `BEGIN:VJOURNAL
UID:j
DTSTART;VALUE=DATE:20260310
END:VJOURNAL`,
			comp: "VJOURNAL", span: "20260309T100000Z/20260311T140000Z",
		},
		{
			name: "VFREEBUSY periods",
			body: `BEGIN:VFREEBUSY
UID:f
FREEBUSY:20260310T100000Z/PT1H,20260311T100000Z/20260311T120000Z
END:VFREEBUSY`,
			comp: "VFREEBUSY", span: "20260310T100000Z/20260311T120000Z",
		},
	}
	s := testService(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, comp, idx, err := s.Index(vcal(t, tt.body))
			if err != nil {
				t.Fatalf("Index() error = %v", err)
			}
			if comp != tt.comp {
				t.Errorf("Index() comp = %q, want %q", comp, tt.comp)
			}
			if got := spanString(Span{idx.Start, idx.End}); got != tt.span {
				t.Errorf("Index() span = %s, want %s", got, tt.span)
			}
			if idx.Recurring != tt.recurring {
				t.Fatalf("Index() Recurring = %v, want %v", idx.Recurring, tt.recurring)
			}
			if !tt.recurring {
				return
			}
			if got := spanString(Span{idx.From, idx.Until}); got != tt.window {
				t.Errorf("Index() window = %s, want %s", got, tt.window)
			}
			if got := instancesString(idx.Instances); tt.instances != "" && got != tt.instances {
				t.Errorf("Index() instances = %s\nwant %s", got, tt.instances)
			}
		})
	}
}

// TestIndexMovedInstance checks the client-quirks rule: a time-range query
// does not match the original slot of a moved recurrence instance.
func TestIndexMovedInstance(t *testing.T) {
	s := testService(Options{})
	_, _, idx, err := s.Index(vcal(t, `BEGIN:VEVENT
UID:m
DTSTART:20260302T100000Z
DTEND:20260302T110000Z
RRULE:FREQ=DAILY
END:VEVENT
BEGIN:VEVENT
UID:m
RECURRENCE-ID:20260304T100000Z
DTSTART:20260304T150000Z
DTEND:20260304T160000Z
END:VEVENT`))
	if err != nil {
		t.Fatal(err)
	}
	qs, qe := utc("20260304T093000Z"), utc("20260304T113000Z")
	moved := utc("20260304T150000Z")
	for _, sp := range idx.Instances {
		if Overlaps(sp.Start, sp.End, qs, qe) {
			t.Errorf("Index() lists %s in the replaced slot", spanString(sp))
		}
	}
	found := false
	for _, sp := range idx.Instances {
		found = found || sp.Start.Equal(moved)
	}
	if !found {
		t.Errorf("Index() instances lack the moved slot %v", moved)
	}
}

func TestIndexCap(t *testing.T) {
	s := testService(Options{MaxIndexInstances: 100})
	_, _, idx, err := s.Index(vcal(t, `BEGIN:VEVENT
UID:c
DTSTART:20200101T000000Z
RRULE:FREQ=MINUTELY
END:VEVENT`))
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Instances) != 100 {
		t.Fatalf("Index() lists %d instances, want 100", len(idx.Instances))
	}
	last := idx.Instances[99].Start
	if !idx.Until.After(last) || idx.Until.After(last.Add(time.Minute)) {
		t.Errorf("Index() Until = %v, want just after the last listed instance %v", idx.Until, last)
	}
	if !idx.From.Equal(testNow.Add(-DefaultIndexPast)) {
		t.Errorf("Index() From = %v, want %v", idx.From, testNow.Add(-DefaultIndexPast))
	}
	if idx.End != MaxTime {
		t.Errorf("Index() End = %v, want MaxTime", idx.End)
	}
}

// TestIndexLargeBoundedSeries: a bounded series with more instances than
// the cap lists the window only, yet its span ends at its last instance.
func TestIndexLargeBoundedSeries(t *testing.T) {
	s := testService(Options{MaxIndexInstances: 500})
	_, _, idx, err := s.Index(vcal(t, `BEGIN:VEVENT
UID:b
DTSTART:20200101T100000Z
DURATION:PT1H
RRULE:FREQ=DAILY;COUNT=3000
END:VEVENT`))
	if err != nil {
		t.Fatal(err)
	}
	wantEnd := utc("20200101T110000Z").AddDate(0, 0, 2999)
	if !idx.End.Equal(wantEnd) {
		t.Errorf("Index() End = %v, want %v", idx.End, wantEnd)
	}
	if len(idx.Instances) != 500 {
		t.Errorf("Index() lists %d instances, want 500", len(idx.Instances))
	}
	for _, sp := range idx.Instances {
		if sp.End.Before(idx.From) || !sp.Start.Before(idx.Until) {
			t.Fatalf("instance %s outside the window %s", spanString(sp), spanString(Span{idx.From, idx.Until}))
		}
	}
}

func TestIndexErrors(t *testing.T) {
	s := testService(Options{})
	for name, body := range map[string]string{
		"mixed types": "BEGIN:VEVENT\nUID:a\nDTSTART:20260101T000000Z\nEND:VEVENT\nBEGIN:VTODO\nUID:a\nEND:VTODO",
		"mixed UIDs":  "BEGIN:VEVENT\nUID:a\nDTSTART:20260101T000000Z\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\nDTSTART:20260101T000000Z\nEND:VEVENT",
		"empty":       berlinTZ,
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, _, err := s.Index(vcal(t, body)); !errors.Is(err, ErrInvalidObject) {
				t.Errorf("Index() error = %v, want ErrInvalidObject", err)
			}
		})
	}
}

func BenchmarkIndexRecurring(b *testing.B) {
	s := testService(Options{})
	c := vcal(b, berlinTZ+`BEGIN:VEVENT
UID:bench
DTSTART;TZID=Custom/Berlin:20240101T090000
DTEND;TZID=Custom/Berlin:20240101T093000
RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR
EXDATE;TZID=Custom/Berlin:20260302T090000
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:x
TRIGGER:-PT10M
END:VALARM
END:VEVENT
BEGIN:VEVENT
UID:bench
RECURRENCE-ID;TZID=Custom/Berlin:20260304T090000
DTSTART;TZID=Custom/Berlin:20260304T140000
DTEND;TZID=Custom/Berlin:20260304T143000
END:VEVENT`)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := s.Index(c); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleService_Index() {
	cal, _ := ical.Parse([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20260310T100000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	uid, comp, idx, _ := New(nil, Options{}).Index(cal.Component)
	fmt.Println(uid, comp, idx.Start.Format(time.RFC3339), idx.End.Format(time.RFC3339), idx.Recurring)
	// Output: u1 VEVENT 2026-03-10T10:00:00Z 2026-03-10T11:00:00Z false
}
