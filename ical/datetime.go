// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import (
	"fmt"
	"strconv"
	"time"
)

// TimeKind says which of the RFC 5545 forms a DATE or DATE-TIME value has.
type TimeKind uint8

// The forms of RFC 5545 §3.3.4 (DATE) and §3.3.5 (DATE-TIME).
const (
	// KindDate is a calendar day without a time (VALUE=DATE).
	KindDate TimeKind = iota
	// KindFloating is a local time not bound to any zone (form #1).
	KindFloating
	// KindUTC is a time in UTC, written with a trailing "Z" (form #2).
	KindUTC
	// KindZoned is a local time in the zone named by a TZID parameter (form #3).
	KindZoned
)

// String returns a short name of the kind.
func (k TimeKind) String() string {
	switch k {
	case KindDate:
		return "date"
	case KindFloating:
		return "floating"
	case KindUTC:
		return "utc"
	case KindZoned:
		return "zoned"
	}
	return "TimeKind(" + strconv.Itoa(int(k)) + ")"
}

// DateTime is a DATE or DATE-TIME value. Wall holds the date and time fields
// exactly as written, in time.UTC; for KindUTC it is therefore also the
// instant. For KindDate the clock fields are zero.
type DateTime struct {
	Wall time.Time
	Kind TimeKind
	// TZID is the zone of a KindZoned value, as written in the TZID parameter.
	TZID string
}

// IsDate reports whether d is a DATE value.
func (d DateTime) IsDate() bool { return d.Kind == KindDate }

// IsZero reports whether d is the zero DateTime (which reads as the DATE
// 00010101). A parsed DATE-TIME is never zero.
func (d DateTime) IsZero() bool { return d.Wall.IsZero() && d.Kind == KindDate && d.TZID == "" }

// String returns the RFC 5545 text form of d, without any TZID.
func (d DateTime) String() string {
	var b [16]byte
	return string(d.AppendText(b[:0]))
}

// AppendText appends the RFC 5545 text form of d to b.
func (d DateTime) AppendText(b []byte) []byte {
	w := d.Wall
	b = appendInt(b, w.Year(), 4)
	b = appendInt(b, int(w.Month()), 2)
	b = appendInt(b, w.Day(), 2)
	if d.Kind == KindDate {
		return b
	}
	b = append(b, 'T')
	b = appendInt(b, w.Hour(), 2)
	b = appendInt(b, w.Minute(), 2)
	b = appendInt(b, w.Second(), 2)
	if d.Kind == KindUTC {
		b = append(b, 'Z')
	}
	return b
}

// Time returns the instant of d. Floating times and dates are taken in
// floating (the zone of the caller); pass that zone as floating, or nil for
// UTC. A zoned time needs zones to find its TZID.
func (d DateTime) Time(zones Zones, floating Zone) (time.Time, error) {
	switch d.Kind {
	case KindUTC:
		return d.Wall, nil
	case KindZoned:
		if zones == nil {
			return time.Time{}, fmt.Errorf("ical: no zone lookup for TZID %q", d.TZID)
		}
		z, err := zones.Zone(d.TZID)
		if err != nil {
			return time.Time{}, err
		}
		return z.Resolve(d.Wall), nil
	}
	if floating == nil {
		return d.Wall, nil
	}
	return floating.Resolve(d.Wall), nil
}

func appendInt(b []byte, v, width int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	var tmp [20]byte
	i := len(tmp)
	for v > 0 || i == len(tmp) {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	for n := len(tmp) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, tmp[i:]...)
}

// digits parses s, all ASCII digits, as a non-negative integer.
func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// ParseDate parses a DATE value "YYYYMMDD" (RFC 5545 §3.3.4).
func ParseDate(s string) (DateTime, error) {
	if len(s) != 8 {
		return DateTime{}, fmt.Errorf("ical: invalid DATE %q: want YYYYMMDD", s)
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[4:6])
	d, ok3 := digits(s[6:8])
	if !ok1 || !ok2 || !ok3 || !validDate(y, m, d) {
		return DateTime{}, fmt.Errorf("ical: invalid DATE %q", s)
	}
	return DateTime{Wall: time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), Kind: KindDate}, nil
}

// ParseDateTime parses a DATE-TIME value "YYYYMMDDTHHMMSS[Z]" (RFC 5545
// §3.3.5). A non-empty tzid makes a local time KindZoned; it is an error with
// a UTC time.
func ParseDateTime(s, tzid string) (DateTime, error) {
	if len(s) != 15 && len(s) != 16 || s[8] != 'T' && s[8] != 't' {
		return DateTime{}, fmt.Errorf("ical: invalid DATE-TIME %q: want YYYYMMDDTHHMMSS", s)
	}
	kind := KindFloating
	if len(s) == 16 {
		if s[15] != 'Z' && s[15] != 'z' {
			return DateTime{}, fmt.Errorf("ical: invalid DATE-TIME %q: want YYYYMMDDTHHMMSS", s)
		}
		kind = KindUTC
	}
	y, ok1 := digits(s[0:4])
	mo, ok2 := digits(s[4:6])
	d, ok3 := digits(s[6:8])
	h, ok4 := digits(s[9:11])
	mi, ok5 := digits(s[11:13])
	se, ok6 := digits(s[13:15])
	// RFC 5545 §3.3.12: a second value of 60 is allowed for leap seconds.
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || !validDate(y, mo, d) || h > 23 || mi > 59 || se > 60 {
		return DateTime{}, fmt.Errorf("ical: invalid DATE-TIME %q", s)
	}
	if se == 60 {
		se = 59
	}
	dt := DateTime{Wall: time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC), Kind: kind}
	if tzid != "" {
		if kind == KindUTC {
			return dt, fmt.Errorf("ical: DATE-TIME %q is in UTC and cannot have TZID %q", s, tzid)
		}
		dt.Kind = KindZoned
		dt.TZID = tzid
	}
	return dt, nil
}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= DaysIn(y, time.Month(m))
}

// DaysIn returns the number of days in month m of year y (proleptic Gregorian).
func DaysIn(y int, m time.Month) int {
	switch m {
	case time.April, time.June, time.September, time.November:
		return 30
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	}
	return 31
}

// NewDate returns a DATE value.
func NewDate(y int, m time.Month, d int) DateTime {
	return DateTime{Wall: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), Kind: KindDate}
}

// NewUTC returns a UTC DATE-TIME value for t, truncated to the second.
func NewUTC(t time.Time) DateTime {
	return DateTime{Wall: t.UTC().Truncate(time.Second), Kind: KindUTC}
}

// NewLocal returns a floating (tzid empty) or zoned DATE-TIME with the wall
// clock fields of t.
func NewLocal(t time.Time, tzid string) DateTime {
	w := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	if tzid == "" {
		return DateTime{Wall: w, Kind: KindFloating}
	}
	return DateTime{Wall: w, Kind: KindZoned, TZID: tzid}
}
