// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

const outlookCalendar = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:Microsoft Exchange Server 2010
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Europe/Paris
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Customized Time Zone
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0100
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:1
DTSTAMP:20240101T000000Z
DTSTART;TZID=W. Europe Standard Time:20240331T023000
END:VEVENT
END:VCALENDAR
`

func decodeText(t testing.TB, text string) *ical.Calendar {
	t.Helper()
	cal, err := ical.NewDecoder(strings.NewReader(strings.ReplaceAll(text, "\n", "\r\n"))).Decode()
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func TestResolver(t *testing.T) {
	cal := decodeText(t, outlookCalendar)
	r := NewResolver(cal.Component, ResolverOptions{})
	tests := []struct {
		tzid    string
		want    string // zone's String(); "" means an error
		defined bool
		repair  bool
	}{
		{"W. Europe Standard Time", "W. Europe Standard Time", true, false},
		{`"W. Europe Standard Time"`, "W. Europe Standard Time", false, true},
		{"w. europe standard time", "W. Europe Standard Time", false, true},
		// The embedded definition wins over the IANA zone of the same name,
		// even when it is wrong (no DST here).
		{"Europe/Berlin", "Europe/Berlin", true, false},
		{"America/New_York", "America/New_York", false, false},
		{"Eastern Standard Time", "America/New_York", false, true},
		{"/mozilla.org/20050126_1/Europe/Berlin", "Europe/Berlin", false, true},
		// A broken VTIMEZONE whose TZID is a known name falls back to IANA.
		{"Europe/Paris", "Europe/Paris", false, true},
		{"Customized Time Zone", "", false, false},
		{"Nowhere/Land", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.tzid, func(t *testing.T) {
			before := len(r.Repairs())
			z, err := r.Zone(tt.tzid)
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), tt.tzid) || !strings.HasPrefix(err.Error(), "tz: ") {
					t.Fatalf("Zone(%q) error = %v, want one naming the TZID", tt.tzid, err)
				}
				if r.Known(tt.tzid) {
					t.Errorf("Known(%q) = true", tt.tzid)
				}
				return
			}
			if err != nil {
				t.Fatalf("Zone(%q): %v", tt.tzid, err)
			}
			if s := z.(Zone).String(); s != tt.want {
				t.Errorf("Zone(%q) = %q, want %q", tt.tzid, s, tt.want)
			}
			if got := r.Defined(tt.tzid); got != tt.defined {
				t.Errorf("Defined(%q) = %v, want %v", tt.tzid, got, tt.defined)
			}
			if !r.Known(tt.tzid) {
				t.Errorf("Known(%q) = false", tt.tzid)
			}
			if got := len(r.Repairs()) > before; got != tt.repair {
				t.Errorf("Zone(%q) repaired = %v, want %v (%v)", tt.tzid, got, tt.repair, r.Repairs())
			}
			// A second lookup is cached and adds no repair.
			n := len(r.Repairs())
			if z2, _ := r.Zone(tt.tzid); z2 != z || len(r.Repairs()) != n {
				t.Errorf("second Zone(%q) differs or repairs again", tt.tzid)
			}
		})
	}
	if n := len(r.Errors()); n != 2 {
		t.Errorf("Errors() = %v, want 2 errors", r.Errors())
	}
	for _, rep := range r.Repairs() {
		if rep.TZID == "Europe/Paris" && !strings.Contains(rep.String(), "invalid VTIMEZONE") {
			t.Errorf("repair for Europe/Paris = %q, want it to mention the invalid VTIMEZONE", rep.String())
		}
	}
}

func TestResolverPreferIANA(t *testing.T) {
	cal := decodeText(t, outlookCalendar)
	r := NewResolver(cal.Component, ResolverOptions{PreferIANA: true})
	z, err := r.Zone("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := z.(*Location); !ok {
		t.Errorf("Zone(Europe/Berlin) with PreferIANA = %T, want *Location", z)
	}
	if z, _ := r.Zone("W. Europe Standard Time"); z == nil {
		t.Error("Zone(W. Europe Standard Time) = nil")
	} else if _, ok := z.(*VTimezone); !ok {
		t.Errorf("Zone(W. Europe Standard Time) = %T, want the embedded *VTimezone", z)
	}
}

// TestResolverDateTime resolves a DTSTART in a DST gap through ical.
func TestResolverDateTime(t *testing.T) {
	cal := decodeText(t, outlookCalendar)
	r := NewResolver(cal.Component, ResolverOptions{})
	dt, err := cal.Events()[0].Prop(ical.PropDTStart).DateTime()
	if err != nil {
		t.Fatal(err)
	}
	got, err := dt.Time(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	// 02:30 does not exist on 2024-03-31 in Berlin: it is 03:30 CEST.
	if want := time.Date(2024, 3, 31, 1, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DTSTART.Time = %v, want %v", got, want)
	}
}

func TestResolverNil(t *testing.T) {
	r := NewResolver(nil, ResolverOptions{})
	if z, err := r.Zone("Europe/Berlin"); err != nil || z.(Zone).String() != "Europe/Berlin" {
		t.Errorf("Zone(Europe/Berlin) = %v, %v", z, err)
	}
	if r.Defined("Europe/Berlin") {
		t.Error("Defined(Europe/Berlin) = true without a calendar")
	}
}

func TestResolverSharesVTimezones(t *testing.T) {
	const cal = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Shared/Zone\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n"
	zone := func(text string) ical.Zone {
		c, err := ical.NewDecoder(strings.NewReader(text)).Decode()
		if err != nil {
			t.Fatal(err)
		}
		z, err := NewResolver(c.Component, ResolverOptions{}).Zone("Shared/Zone")
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	a, b := zone(cal), zone(cal)
	if a != b {
		t.Errorf("two Resolvers of the same VTIMEZONE gave %p and %p, want one shared zone", a, b)
	}
	other := zone(strings.Replace(cal, "TZOFFSETTO:+0100", "TZOFFSETTO:+0000", 1))
	if other == a {
		t.Error("a different VTIMEZONE with the same TZID shares the zone")
	}
}
