// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the test needs America/New_York on any machine

	"github.com/almanac-project/almanac/ical"
)

func prop(name, value string, params ...string) *ical.Property {
	p := ical.NewProperty(name, value)
	for i := 0; i+1 < len(params); i += 2 {
		p.Params.Set(params[i], params[i+1])
	}
	return &p
}

func TestDateTimeForms(t *testing.T) {
	tests := []struct {
		p    *ical.Property
		kind ical.TimeKind
		wall string
		tzid string
	}{
		{prop("DTSTART", "19970714"), ical.KindDate, "1997-07-14T00:00:00", ""},
		{prop("DTSTART", "19970714", "VALUE", "DATE"), ical.KindDate, "1997-07-14T00:00:00", ""},
		{prop("DTSTART", "19980118T230000"), ical.KindFloating, "1998-01-18T23:00:00", ""},
		{prop("DTSTART", "19980119T070000Z"), ical.KindUTC, "1998-01-19T07:00:00", ""},
		{prop("DTSTART", "19980119T020000", "TZID", "America/New_York"), ical.KindZoned, "1998-01-19T02:00:00", "America/New_York"},
		// Yahoo writes a TZID on a UTC time: UTC wins (imip-quirks.md #15).
		{prop("DTSTART", "20260101T100000Z", "TZID", "Europe/London"), ical.KindUTC, "2026-01-01T10:00:00", ""},
		// A trailing space in the TZID parameter is trimmed.
		{prop("DTSTART", "20260101T100000", "TZID", "Europe/Berlin "), ical.KindZoned, "2026-01-01T10:00:00", "Europe/Berlin"},
		// RFC 5545 §3.3.5: a leap second is accepted.
		{prop("DTSTAMP", "19981231T235960Z"), ical.KindUTC, "1998-12-31T23:59:59", ""},
	}
	for _, tt := range tests {
		t.Run(tt.p.Value, func(t *testing.T) {
			d, err := tt.p.DateTime()
			if err != nil {
				t.Fatalf("DateTime(%q) error: %v", tt.p.Value, err)
			}
			if d.Kind != tt.kind || d.Wall.Format("2006-01-02T15:04:05") != tt.wall || d.TZID != tt.tzid {
				t.Errorf("DateTime(%q) = %v %v %q, want %v %s %q", tt.p.Value, d.Kind, d.Wall, d.TZID, tt.kind, tt.wall, tt.tzid)
			}
		})
	}
	for _, bad := range []string{"", "1997071", "19970230", "19971314", "19970714T250000", "19970714T1200", "19970714X120000", "abcdefgh", "19970714T120000ZZ"} {
		if _, err := prop("DTSTART", bad).DateTime(); err == nil {
			t.Errorf("DateTime(%q) succeeded, want an error", bad)
		}
	}
}

func TestDateTimeString(t *testing.T) {
	for _, s := range []string{"19970714", "19980118T230000", "19980119T070000Z", "00010101", "99991231T235959Z"} {
		p := prop("DTSTART", s)
		d, err := p.DateTime()
		if err != nil {
			t.Fatal(err)
		}
		if d.String() != s {
			t.Errorf("String(%q) = %q", s, d.String())
		}
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in, out string
		days    int
		exact   time.Duration
	}{
		{"P15DT5H0M20S", "P15DT5H0M20S", 15, 5*time.Hour + 20*time.Second},
		{"P7W", "P7W", 49, 0},
		{"-PT15M", "-PT15M", 0, -15 * time.Minute},
		{"+P1D", "P1D", 1, 0},
		{"PT1H30M", "PT1H30M", 0, 90 * time.Minute},
		{"PT0S", "PT0S", 0, 0},
		{"p1dt2h", "P1DT2H", 1, 2 * time.Hour},
	}
	for _, tt := range tests {
		d, err := ical.ParseDuration(tt.in)
		if err != nil {
			t.Errorf("ParseDuration(%q): %v", tt.in, err)
			continue
		}
		if d.NominalDays() != tt.days || d.Exact() != tt.exact {
			t.Errorf("ParseDuration(%q) = %d days %v, want %d days %v", tt.in, d.NominalDays(), d.Exact(), tt.days, tt.exact)
		}
		if tt.in != "P15DT5H0M20S" && d.String() != tt.out {
			t.Errorf("ParseDuration(%q).String() = %q, want %q", tt.in, d.String(), tt.out)
		}
	}
	for _, bad := range []string{"", "P", "PT", "1D", "P1", "PD", "P1H", "PT1D", "P1DT", "P99999999999D", "P1D2D", "PT1S1M"} {
		if _, err := ical.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) succeeded, want an error", bad)
		}
	}
}

// TestDurationNominalDay checks RFC 5545 §3.3.6: P1D across a DST change is
// a calendar day (23 hours), not 24 hours.
func TestDurationNominalDay(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	z := goZone{ny}
	start := time.Date(2026, 3, 7, 12, 0, 0, 0, ny)
	d, _ := ical.ParseDuration("P1D")
	if got := d.AddTo(start, z); !got.Equal(time.Date(2026, 3, 8, 12, 0, 0, 0, ny)) {
		t.Errorf("P1D from %v = %v, want 12:00 the next day", start, got.In(ny))
	}
	d, _ = ical.ParseDuration("PT24H")
	if got := d.AddTo(start, z); !got.Equal(time.Date(2026, 3, 8, 13, 0, 0, 0, ny)) {
		t.Errorf("PT24H from %v = %v, want 13:00 the next day", start, got.In(ny))
	}
}

// goZone is a test zone on time.Date (good enough away from DST gaps).
type goZone struct{ loc *time.Location }

func (z goZone) Resolve(w time.Time) time.Time {
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, z.loc)
}

func (z goZone) Wall(t time.Time) time.Time {
	t = t.In(z.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

func TestPeriods(t *testing.T) {
	p := prop("FREEBUSY", "19970308T160000Z/PT8H30M,19970308T230000Z/19970309T000000Z", "FBTYPE", "BUSY")
	ps, err := p.Periods()
	if err != nil || len(ps) != 2 {
		t.Fatalf("Periods = %v, %v", ps, err)
	}
	if !ps[0].HasDuration || ps[0].Duration.Exact() != 8*time.Hour+30*time.Minute || ps[1].End.String() != "19970309T000000Z" {
		t.Errorf("Periods = %+v", ps)
	}
	if ps[0].String() != "19970308T160000Z/PT8H30M" {
		t.Errorf("String = %q", ps[0].String())
	}
	for _, bad := range []string{"19970308T160000Z", "19970308/P1D", "19970308T160000Z/-PT1H", "x/y"} {
		if _, err := prop("FREEBUSY", bad).Periods(); err == nil {
			t.Errorf("Periods(%q) succeeded", bad)
		}
	}
}

func TestTextValues(t *testing.T) {
	p := prop("DESCRIPTION", `a\,b\;c\\d\ne\Nf\:g`)
	got, err := p.Text()
	if err != nil || got != "a,b;c\\d\ne\nf:g" {
		t.Errorf("Text = %q, %v", got, err)
	}
	if _, err := ical.UnescapeText(`a\:b`, true); err == nil {
		t.Error("strict UnescapeText accepted \\:")
	}
	list := prop("CATEGORIES", `a,b\,c,d`)
	l, _ := list.TextList()
	if len(l) != 3 || l[1] != "b,c" {
		t.Errorf("TextList = %q", l)
	}
	var q ical.Property
	q.SetTextList([]string{"x,y", "z"})
	if q.Value != `x\,y,z` {
		t.Errorf("SetTextList = %q", q.Value)
	}
	q.SetText("line1\nline2; a, b\\")
	if q.Value != `line1\nline2\; a\, b\\` {
		t.Errorf("SetText = %q", q.Value)
	}
}

func TestScalarValues(t *testing.T) {
	if n, err := prop("SEQUENCE", "1407317367304").Int(); err != nil || n != 1407317367304 {
		t.Errorf("Int = %d, %v (SEQUENCE must hold int64, imip-quirks.md #23)", n, err)
	}
	if _, err := prop("SEQUENCE", "1.5").Int(); err == nil {
		t.Error("Int(1.5) succeeded")
	}
	if f, err := prop("X", "-80.00566").Float(); err != nil || f != -80.00566 {
		t.Errorf("Float = %v, %v", f, err)
	}
	for _, bad := range []string{"1e5", "NaN", "Inf", "1,5", ""} {
		if _, err := prop("X", bad).Float(); err == nil {
			t.Errorf("Float(%q) succeeded", bad)
		}
	}
	if b, err := prop("X", "true").Bool(); err != nil || !b {
		t.Errorf("Bool = %v, %v", b, err)
	}
	if _, err := prop("X", "YES").Bool(); err == nil {
		t.Error("Bool(YES) succeeded")
	}
	if b, err := prop("ATTACH", "SGVsbG8=", "ENCODING", "BASE64", "VALUE", "BINARY").Binary(); err != nil || string(b) != "Hello" {
		t.Errorf("Binary = %q, %v", b, err)
	}
	if u, err := prop("URL", "http://example.com/a?b=c").URI(); err != nil || u.Host != "example.com" {
		t.Errorf("URI = %v, %v", u, err)
	}
	for in, want := range map[string]string{
		"MAILTO:Jane@Example.COM": "mailto:jane@example.com",
		"MailTo:a@b.c":            "mailto:a@b.c",
		"foo1@example.com":        "mailto:foo1@example.com",
		"urn:uuid:123":            "urn:uuid:123",
	} {
		if got := prop("ATTENDEE", in).CalAddress(); got != want {
			t.Errorf("CalAddress(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]int{"+0100": 3600, "-0500": -18000, "+053045": 19845, "-0000": 0} {
		o, err := prop("TZOFFSETTO", in).UTCOffset()
		if err != nil || int(o) != want {
			t.Errorf("UTCOffset(%q) = %d, %v", in, o, err)
		}
	}
	if ical.UTCOffset(19845).String() != "+053045" || ical.UTCOffset(-18000).String() != "-0500" {
		t.Error("UTCOffset.String")
	}
	if tm, err := prop("X", "230000Z", "VALUE", "TIME").Time(); err != nil || !tm.UTC || tm.Hour != 23 || tm.String() != "230000Z" {
		t.Errorf("Time = %+v, %v", tm, err)
	}
}

func TestStructuredValues(t *testing.T) {
	rs, err := prop("REQUEST-STATUS", `3.1;Invalid property value;DTSTART:96-Apr-01`).RequestStatus()
	if err != nil || rs.Code != "3.1" || rs.Description != "Invalid property value" || rs.Data != "DTSTART:96-Apr-01" {
		t.Errorf("RequestStatus = %+v, %v", rs, err)
	}
	rs, err = prop("REQUEST-STATUS", `2.8; Success\, repeating event ignored. Scheduled as a single event.;RRULE:FREQ=WEEKLY\;INTERVAL=2`).RequestStatus()
	if err != nil || rs.Data != "RRULE:FREQ=WEEKLY;INTERVAL=2" {
		t.Errorf("RequestStatus = %+v, %v", rs, err)
	}
	if _, err := prop("REQUEST-STATUS", "Success").RequestStatus(); err == nil {
		t.Error("RequestStatus without code succeeded")
	}
	g, err := prop("GEO", "37.386013;-122.082932").Geo()
	if err != nil || g.Lat != 37.386013 || g.Lon != -122.082932 || g.String() != "37.386013;-122.082932" {
		t.Errorf("Geo = %+v, %v", g, err)
	}
	if _, err := prop("GEO", "91;0").Geo(); err == nil {
		t.Error("Geo(91;0) succeeded")
	}
	parts, err := prop("RRULE", "freq=weekly;BYDAY=MO,TU;").RecurParts()
	if err != nil || len(parts) != 2 || parts[0].Name != "FREQ" || parts[1].Value != "MO,TU" {
		t.Errorf("RecurParts = %+v, %v", parts, err)
	}
}

// TestAccessorsNeverPanic runs every accessor on odd values.
func TestAccessorsNeverPanic(t *testing.T) {
	values := []string{"", ";", ",", "\\", "^", "P", "T", "/", "Z", "-", "+", "\x00", "99999999999999999999", "1;2;3", "mailto:"}
	for _, v := range values {
		p := prop("X", v)
		p.Text()
		p.TextList()
		p.Int()
		p.Float()
		p.Bool()
		p.Binary()
		p.URI()
		p.CalAddress()
		p.DateTime()
		p.DateTimes()
		p.Periods()
		p.Duration()
		p.UTCOffset()
		p.Time()
		p.RecurParts()
		p.RequestStatus()
		p.Geo()
	}
}
