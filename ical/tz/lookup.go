// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Repair describes how a TZID that is not an IANA zone name as written was
// mapped to one, so that callers can warn about it.
type Repair struct {
	// TZID is the value as written.
	TZID string
	// Name is the zone it was mapped to, such as "Europe/Berlin".
	Name string
	// Reason says what was repaired, such as "Windows zone name".
	Reason string
}

// String returns a message such as
// `TZID "W. Europe Standard Time" (Windows zone name) taken as "Europe/Berlin"`.
func (r *Repair) String() string {
	return fmt.Sprintf("TZID %q (%s) taken as %q", r.TZID, r.Reason, r.Name)
}

// Reasons reported in Repair.Reason.
const (
	reasonSpace   = "surrounding spaces or quotes"
	reasonCase    = "letter case"
	reasonPrefix  = "vendor prefix"
	reasonAlias   = "alias"
	reasonWindows = "Windows zone name"
	reasonDisplay = "Windows display name"
	reasonOffset  = "fixed UTC offset"
)

// names holds the lookup tables, built on first use.
type names struct {
	exact   map[string]bool   // IANA names
	folded  map[string]string // lower case -> IANA name
	windows map[string]string // folded Windows ID -> IANA name
	display map[string]string // displayKey -> IANA name
}

var namesOnce = sync.OnceValue(func() *names {
	n := &names{
		exact:   make(map[string]bool, len(zoneNames)),
		folded:  make(map[string]string, len(zoneNames)),
		windows: make(map[string]string, len(windowsZones)+len(legacyWindowsIDs)),
		display: make(map[string]string, len(windowsZones)+len(legacyDisplayNames)),
	}
	for _, z := range zoneNames {
		n.exact[z] = true
		n.folded[strings.ToLower(z)] = z
	}
	for _, w := range windowsZones {
		iana := modernName(w.iana)
		n.windows[foldSpace(w.id)] = iana
		n.display[displayKey(w.display)] = iana
	}
	for id, iana := range legacyWindowsIDs {
		n.windows[foldSpace(id)] = iana
	}
	for d, to := range legacyDisplayNames {
		if !strings.Contains(to, "/") {
			to = n.windows[foldSpace(to)]
		}
		n.display[displayKey(d)] = to
	}
	return n
})

// modernNames maps the older IANA names CLDR uses to the current ones
// (the old names remain valid links in the IANA database).
var modernNames = map[string]string{
	"America/Buenos_Aires": "America/Argentina/Buenos_Aires",
	"America/Godthab":      "America/Nuuk",
	"America/Indianapolis": "America/Indiana/Indianapolis",
	"Asia/Calcutta":        "Asia/Kolkata",
	"Asia/Katmandu":        "Asia/Kathmandu",
	"Asia/Rangoon":         "Asia/Yangon",
	"Europe/Kiev":          "Europe/Kyiv",
}

func modernName(s string) string {
	if m, ok := modernNames[s]; ok {
		return m
	}
	return s
}

// legacyWindowsIDs are Windows zone IDs that current Windows versions (and
// so CLDR) no longer list, with the zone they meant.
var legacyWindowsIDs = map[string]string{
	"Mexico Standard Time":    "America/Mexico_City",
	"Mexico Standard Time 2":  "America/Chihuahua",
	"Kamchatka Standard Time": "Asia/Kamchatka",
	"Armenian Standard Time":  "Asia/Yerevan",
}

// legacyDisplayNames are display names of Windows XP, Vista and 7 (as
// written by old Outlook versions in TZID, without the "(GMT+01.00) "
// prefix) with the Windows ID, or IANA name, they stand for. Only names
// whose meaning is certain are listed.
var legacyDisplayNames = map[string]string{
	"Midway Island, Samoa":                      "Pacific/Pago_Pago",
	"Pacific Time (US & Canada); Tijuana":       "Pacific Standard Time",
	"Tijuana, Baja California":                  "Pacific Standard Time (Mexico)",
	"Chihuahua, La Paz, Mazatlan - New":         "Mountain Standard Time (Mexico)",
	"Guadalajara, Mexico City, Monterrey - New": "Central Standard Time (Mexico)",
	"Bogota, Lima, Quito":                       "SA Pacific Standard Time",
	"Caracas, La Paz":                           "SA Western Standard Time",
	"Georgetown, La Paz, San Juan":              "SA Western Standard Time",
	"Georgetown, La Paz, Manaus, San Juan":      "SA Western Standard Time",
	"Manaus":                                    "Central Brazilian Standard Time",
	"Buenos Aires":                              "Argentina Standard Time",
	"Cayenne":                                   "SA Eastern Standard Time",
	"Newfoundland and Labrador":                 "Newfoundland Standard Time",
	"Cape Verde Is.":                            "Cape Verde Standard Time",
	"Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London": "GMT Standard Time",
	"Greenwich Mean Time: Dublin, Edinburgh, Lisbon, London":  "GMT Standard Time",
	"Casablanca, Monrovia":                          "Greenwich Standard Time",
	"Monrovia, Reykjavik":                           "Greenwich Standard Time",
	"Athens, Beirut, Istanbul, Minsk":               "GTB Standard Time",
	"Athens, Bucharest, Istanbul":                   "GTB Standard Time",
	"Bucharest":                                     "Europe/Bucharest",
	"Helsinki, Kiev, Riga, Sofia, Tallinn, Vilnius": "FLE Standard Time",
	"Moscow, St. Petersburg, Volgograd":             "Russian Standard Time",
	"Baku, Tbilisi, Yerevan":                        "Caucasus Standard Time",
	"Islamabad, Karachi, Tashkent":                  "West Asia Standard Time",
	"Tashkent":                                      "West Asia Standard Time",
	"Almaty, Novosibirsk":                           "N. Central Asia Standard Time",
	"Astana, Dhaka":                                 "Central Asia Standard Time",
	"Rangoon":                                       "Myanmar Standard Time",
	"Yangon (Rangoon)":                              "Myanmar Standard Time",
	"Irkutsk, Ulaan Bataar":                         "North Asia East Standard Time",
	"Magadan, Solomon Is., New Caledonia":           "Central Pacific Standard Time",
	"Fiji, Kamchatka, Marshall Is.":                 "Fiji Standard Time",
	"Kathmandu":                                     "Nepal Standard Time",
}

// foldSpace lower-cases s and collapses runs of spaces.
func foldSpace(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// displayKey normalises a Windows display name: the "(GMT+01.00)" or
// "(UTC+01:00)" prefix is dropped, case and spacing are folded, and the
// separators ";" and "/" that old Outlook versions used become ",".
func displayKey(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 4 && s[0] == '(' {
		if i := strings.IndexByte(s, ')'); i > 0 {
			inner := strings.ToUpper(strings.TrimSpace(s[1:i]))
			if strings.HasPrefix(inner, "GMT") || strings.HasPrefix(inner, "UTC") {
				s = s[i+1:]
			}
		}
	}
	s = strings.NewReplacer(";", ",", "/", ",").Replace(strings.ToLower(s))
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(parts, ",")
}

// IsIANA reports whether name is a zone name of the IANA database as
// written (links such as "US/Eastern" included).
func IsIANA(name string) bool { return namesOnce().exact[name] }

// Names returns the zone names of the IANA database Go embeds, links
// included, sorted.
func Names() []string { return append([]string(nil), zoneNames[:]...) }

// Lookup returns the IANA zone a TZID value (RFC 5545 §3.2.19) names. An
// IANA name as written is used as is, with a nil Repair. Otherwise Lookup
// tries, in order, and reports what it did in the Repair:
//
//   - removing surrounding spaces and quotes;
//   - correcting letter case ("europe/berlin");
//   - aliases such as "Z" for UTC;
//   - removing a vendor prefix ("/mozilla.org/20050126_1/Europe/Berlin",
//     "/softwarestudio.org/Olson_20011030_5/America/New_York");
//   - Windows zone IDs ("W. Europe Standard Time"), mapped with the Unicode
//     CLDR table for territory "001";
//   - Windows display names, current and old, with or without their
//     "(GMT+01.00)" prefix ("(GMT+01.00) Amsterdam, Berlin, Bern, Rome,
//     Stockholm, Vienna", "Canberra, Melbourne, Sydney");
//   - fixed offsets written as "UTC+05:30" or "GMT-8" (the sign as people
//     write it: "UTC+1" is one hour east of Greenwich).
//
// Only mappings that are certain are made; anything else is an error
// naming the TZID.
func Lookup(tzid string) (*Location, *Repair, error) {
	name, reason, fixed, ok := lookupName(tzid)
	if !ok {
		return nil, nil, fmt.Errorf("tz: unknown TZID %q", tzid)
	}
	var l *Location
	if fixed != nil {
		l = FromLocation(fixed)
	} else {
		var err error
		if l, err = IANA(name); err != nil {
			return nil, nil, fmt.Errorf("tz: TZID %q: %w", tzid, err)
		}
	}
	if reason == "" {
		return l, nil, nil
	}
	return l, &Repair{TZID: tzid, Name: name, Reason: reason}, nil
}

// lookupName maps tzid to an IANA name, or to a fixed-offset location.
func lookupName(tzid string) (name, reason string, fixed *time.Location, ok bool) {
	n := namesOnce()
	if n.exact[tzid] {
		return tzid, "", nil, true
	}
	s := strings.TrimSpace(tzid)
	for len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if s == "" {
		return "", "", nil, false
	}
	if n.exact[s] {
		return s, reasonSpace, nil, true
	}
	if z, ok := n.folded[strings.ToLower(s)]; ok {
		return z, reasonCase, nil, true
	}
	switch strings.ToUpper(s) {
	case "Z", "UTC+0", "UTC-0", "UTC+00:00", "UTC-00:00", "GMT+00:00", "GMT-00:00", "UTC+00", "GMT+00":
		return "UTC", reasonAlias, nil, true
	}
	// Vendor prefixes: "/mozilla.org/20050126_1/Europe/Berlin",
	// "/softwarestudio.org/Olson_20011030_5/America/New_York",
	// "/freeassociation.sourceforge.net/Tzfile/Europe/London",
	// "tzone://Microsoft/Utc". Try the rest after each slash.
	for i := 0; i < len(s); i++ {
		if s[i] != '/' {
			continue
		}
		rest := s[i+1:]
		if z, ok := n.folded[strings.ToLower(rest)]; ok {
			return z, reasonPrefix, nil, true
		}
		if z, ok := n.windows[foldSpace(rest)]; ok && strings.HasPrefix(strings.ToLower(s), "tzone://microsoft/") {
			return z, reasonWindows, nil, true
		}
	}
	if z, ok := n.windows[foldSpace(s)]; ok {
		return z, reasonWindows, nil, true
	}
	if z, ok := n.display[displayKey(s)]; ok {
		return z, reasonDisplay, nil, true
	}
	if name, loc, ok := parseFixed(s); ok {
		return name, reasonOffset, loc, true
	}
	return "", "", nil, false
}

// parseFixed parses "UTC+05:30", "GMT-8", "UTC+0100" or "GMT+01.00". Whole
// hours map to the IANA "Etc/GMT-5" zones (whose sign is inverted, as in
// POSIX); other offsets to a fixed Go location.
func parseFixed(s string) (string, *time.Location, bool) {
	u := strings.ToUpper(strings.TrimSpace(s))
	if len(u) > 2 && u[0] == '(' && u[len(u)-1] == ')' {
		u = strings.TrimSpace(u[1 : len(u)-1])
	}
	if !strings.HasPrefix(u, "UTC") && !strings.HasPrefix(u, "GMT") {
		return "", nil, false
	}
	u = strings.TrimSpace(u[3:])
	if len(u) < 2 || u[0] != '+' && u[0] != '-' {
		return "", nil, false
	}
	sign := 1
	if u[0] == '-' {
		sign = -1
	}
	u = strings.TrimSpace(u[1:])
	var hs, ms string
	if i := strings.IndexAny(u, ":."); i >= 0 {
		hs, ms = u[:i], u[i+1:]
	} else if len(u) == 4 {
		hs, ms = u[:2], u[2:]
	} else {
		hs = u
	}
	h, err := strconv.Atoi(hs)
	if err != nil || len(hs) > 2 || h > 14 {
		return "", nil, false
	}
	m := 0
	if ms != "" {
		if m, err = strconv.Atoi(ms); err != nil || len(ms) != 2 || m > 59 {
			return "", nil, false
		}
	}
	if h < 0 || m < 0 {
		return "", nil, false
	}
	if m == 0 {
		if h == 0 {
			return "UTC", nil, true
		}
		// Etc/GMT-5 is five hours east of Greenwich.
		name := fmt.Sprintf("Etc/GMT%+d", -sign*h)
		if IsIANA(name) {
			return name, nil, true
		}
	}
	name := fmt.Sprintf("UTC%c%02d:%02d", "-+"[(sign+1)/2], h, m)
	return name, time.FixedZone(name, sign*(h*3600+m*60)), true
}
