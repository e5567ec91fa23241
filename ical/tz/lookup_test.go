// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"strings"
	"testing"
	"time"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		tzid   string
		want   string // zone name; "" means an error
		reason string // "" means no repair
	}{
		{"Europe/Berlin", "Europe/Berlin", ""},
		{"America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires", ""},
		{"US/Eastern", "US/Eastern", ""},
		{"UTC", "UTC", ""},
		{"GMT", "GMT", ""},
		{"Etc/GMT+5", "Etc/GMT+5", ""},
		{"EST", "EST", ""},
		{" Europe/Berlin ", "Europe/Berlin", reasonSpace},
		{`"America/New_York"`, "America/New_York", reasonSpace},
		{`'Europe/Paris'`, "Europe/Paris", reasonSpace},
		{"europe/berlin", "Europe/Berlin", reasonCase},
		{"utc", "UTC", reasonCase},
		{"Z", "UTC", reasonAlias},
		{"/mozilla.org/20050126_1/Europe/Berlin", "Europe/Berlin", reasonPrefix},
		{"/mozilla.org/20070129_1/America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires", reasonPrefix},
		{"/softwarestudio.org/Olson_20011030_5/America/New_York", "America/New_York", reasonPrefix},
		{"/freeassociation.sourceforge.net/Tzfile/Europe/London", "Europe/London", reasonPrefix},
		{"/citadel.org/20190914_1/Europe/Zurich", "Europe/Zurich", reasonPrefix},
		{"tzone://Microsoft/Utc", "UTC", reasonPrefix},
		{"tzone://Microsoft/W. Europe Standard Time", "Europe/Berlin", reasonWindows},
		{"W. Europe Standard Time", "Europe/Berlin", reasonWindows},
		{"Romance Standard Time", "Europe/Paris", reasonWindows},
		{"FLE Standard Time", "Europe/Kyiv", reasonWindows},
		{"Eastern Standard Time", "America/New_York", reasonWindows},
		{"pacific standard time", "America/Los_Angeles", reasonWindows},
		{"India Standard Time", "Asia/Kolkata", reasonWindows},
		{"AUS Eastern Standard Time", "Australia/Sydney", reasonWindows},
		{"Samoa Standard Time", "Pacific/Apia", reasonWindows},
		{"Mexico Standard Time", "America/Mexico_City", reasonWindows},
		{"(GMT-08.00) Pacific Time (US & Canada)/Tijuana", "America/Los_Angeles", reasonDisplay},
		{"(GMT-08:00) Pacific Time (US & Canada); Tijuana", "America/Los_Angeles", reasonDisplay},
		{"(GMT+01.00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin", reasonDisplay},
		{"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin", reasonDisplay},
		{"(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", "Europe/Paris", reasonDisplay},
		{"Canberra, Melbourne, Sydney", "Australia/Sydney", reasonDisplay},
		{"(GMT+10.00) Canberra, Melbourne, Sydney", "Australia/Sydney", reasonDisplay},
		{"(GMT) Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London", "Europe/London", reasonDisplay},
		{"(GMT-05:00) Eastern Time (US & Canada)", "America/New_York", reasonDisplay},
		{"(GMT+02:00) Helsinki, Kiev, Riga, Sofia, Tallinn, Vilnius", "Europe/Kyiv", reasonDisplay},
		{"(GMT-11:00) Midway Island, Samoa", "Pacific/Pago_Pago", reasonDisplay},
		{"(UTC) Coordinated Universal Time", "Etc/UTC", reasonDisplay},
		{"UTC+05:30", "UTC+05:30", reasonOffset},
		{"GMT-8", "Etc/GMT+8", reasonOffset},
		{"UTC+01:00", "Etc/GMT-1", reasonOffset},
		{"(GMT+01.00)", "Etc/GMT-1", reasonOffset},
		{"UTC+00:00", "UTC", reasonAlias},
		{"", "", ""},
		{"   ", "", ""},
		{"Local", "", ""},
		{"Customized Time Zone", "", ""},
		{"tzone://Microsoft/Custom", "", ""},
		{"Mars/Olympus_Mons", "", ""},
		{"GMT+25", "", ""},
		{"Europe/Berlin/", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.tzid, func(t *testing.T) {
			l, rep, err := Lookup(tt.tzid)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Lookup(%q) = %v, want an error", tt.tzid, l.Name())
				}
				if !strings.HasPrefix(err.Error(), "tz: ") || !strings.Contains(err.Error(), "\""+tt.tzid+"\"") {
					t.Errorf("Lookup(%q) error %q does not name the TZID", tt.tzid, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Lookup(%q): %v", tt.tzid, err)
			}
			if l.Name() != tt.want {
				t.Errorf("Lookup(%q) = %q, want %q", tt.tzid, l.Name(), tt.want)
			}
			switch {
			case tt.reason == "" && rep != nil:
				t.Errorf("Lookup(%q) repair = %v, want none", tt.tzid, rep)
			case tt.reason != "" && rep == nil:
				t.Errorf("Lookup(%q) repair = nil, want %q", tt.tzid, tt.reason)
			case rep != nil && (rep.Reason != tt.reason || rep.Name != tt.want || rep.TZID != tt.tzid):
				t.Errorf("Lookup(%q) repair = %+v, want reason %q", tt.tzid, rep, tt.reason)
			}
		})
	}
}

func TestLookupFixedOffset(t *testing.T) {
	l, _, err := Lookup("UTC+05:30")
	if err != nil {
		t.Fatal(err)
	}
	got := l.Resolve(wallT(2024, 1, 1, 12, 0, 0))
	if want := time.Date(2024, 1, 1, 6, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Resolve in UTC+05:30 = %v, want %v", got, want)
	}
	l, _, _ = Lookup("GMT-8")
	if off, _, _ := l.Offset(time.Now()); off != -8*3600 {
		t.Errorf("Offset of GMT-8 = %d, want %d", off, -8*3600)
	}
}

// TestWindowsZones checks the CLDR table: every IANA zone it names exists
// and every Windows ID and display name resolves.
func TestWindowsZones(t *testing.T) {
	t.Logf("CLDR %s", cldrVersion)
	seen := map[string]bool{}
	for _, w := range windowsZones {
		t.Run(w.id, func(t *testing.T) {
			if seen[w.id] {
				t.Errorf("Windows ID %q listed twice", w.id)
			}
			seen[w.id] = true
			if !IsIANA(w.iana) {
				t.Errorf("windowsZones[%q] = %q, not an IANA zone", w.id, w.iana)
			}
			for _, tzid := range []string{w.id, w.display} {
				if IsIANA(tzid) {
					continue // "UTC" is both
				}
				l, rep, err := Lookup(tzid)
				if err != nil {
					t.Fatalf("Lookup(%q): %v", tzid, err)
				}
				if l.Name() != modernName(w.iana) || rep == nil {
					t.Errorf("Lookup(%q) = %q, %v; want %q with a repair", tzid, l.Name(), rep, modernName(w.iana))
				}
			}
		})
	}
	for old, cur := range modernNames {
		if !IsIANA(old) || !IsIANA(cur) {
			t.Errorf("modernNames[%q] = %q: not both IANA zones", old, cur)
		}
		// The renamed zones must be the same zone.
		a, b := mustIANA(t, old), mustIANA(t, cur)
		from, to := wallT(1990, 1, 1, 0, 0, 0), wallT(2040, 1, 1, 0, 0, 0)
		if len(a.Transitions(from, to)) != len(b.Transitions(from, to)) {
			t.Errorf("%s and %s differ", old, cur)
		}
	}
	for name, to := range legacyDisplayNames {
		if _, ok := namesOnce().display[displayKey(name)]; !ok || !strings.Contains(to, "/") && namesOnce().windows[foldSpace(to)] == "" {
			t.Errorf("legacyDisplayNames[%q] = %q does not resolve", name, to)
		}
	}
	for id, iana := range legacyWindowsIDs {
		if !IsIANA(iana) {
			t.Errorf("legacyWindowsIDs[%q] = %q, not an IANA zone", id, iana)
		}
	}
}

// TestZoneNames checks that the generated name list loads.
func TestZoneNames(t *testing.T) {
	t.Logf("tzdata %s", tzdataVersion)
	if len(Names()) < 400 {
		t.Fatalf("Names() has %d zones, want the whole IANA database", len(Names()))
	}
	for _, n := range Names() {
		if _, err := IANA(n); err != nil {
			t.Errorf("IANA(%q): %v", n, err)
		}
	}
}
