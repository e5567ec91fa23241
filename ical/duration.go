// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import (
	"fmt"
	"math"
	"time"
)

// Duration is a DURATION value (RFC 5545 §3.3.6). Weeks and days are nominal:
// a day is a calendar day, 23 or 25 hours long across a DST change. Hours,
// minutes and seconds are exact.
type Duration struct {
	Negative bool
	Weeks    int
	Days     int
	Hours    int
	Minutes  int
	Seconds  int
}

// NominalDays returns the nominal part of d in days, signed.
func (d Duration) NominalDays() int {
	n := d.Weeks*7 + d.Days
	if d.Negative {
		return -n
	}
	return n
}

// Exact returns the exact part of d (hours, minutes, seconds), signed.
func (d Duration) Exact() time.Duration {
	e := time.Duration(d.Hours)*time.Hour + time.Duration(d.Minutes)*time.Minute + time.Duration(d.Seconds)*time.Second
	if d.Negative {
		return -e
	}
	return e
}

// AddWall adds d to a wall-clock time: the nominal days move the date and
// the exact part moves the clock. For zoned times use AddTo, which adds the
// exact part on the time line as RFC 5545 §3.3.6 requires.
func (d Duration) AddWall(wall time.Time) time.Time {
	return wall.AddDate(0, 0, d.NominalDays()).Add(d.Exact())
}

// AddTo adds d to the instant start in zone z: nominal days are added to the
// wall-clock date, then the exact part is added to the resulting instant. A
// nil z means UTC or floating time.
func (d Duration) AddTo(start time.Time, z Zone) time.Time {
	if z == nil {
		return d.AddWall(start)
	}
	if n := d.NominalDays(); n != 0 {
		start = z.Resolve(z.Wall(start).AddDate(0, 0, n))
	}
	return start.Add(d.Exact())
}

// String returns the RFC 5545 text form of d.
func (d Duration) String() string {
	b := make([]byte, 0, 16)
	if d.Negative {
		b = append(b, '-')
	}
	b = append(b, 'P')
	if d.Weeks != 0 && d.Days == 0 && d.Hours == 0 && d.Minutes == 0 && d.Seconds == 0 {
		b = appendInt(b, d.Weeks, 1)
		return string(append(b, 'W'))
	}
	days := d.Weeks*7 + d.Days
	if days != 0 {
		b = appendInt(b, days, 1)
		b = append(b, 'D')
	}
	if d.Hours != 0 || d.Minutes != 0 || d.Seconds != 0 {
		b = append(b, 'T')
		// dur-time allows H, H+M, H+M+S, M, M+S and S (RFC 5545 §3.3.6).
		if d.Hours != 0 {
			b = appendInt(b, d.Hours, 1)
			b = append(b, 'H')
			if d.Minutes != 0 || d.Seconds != 0 {
				b = appendInt(b, d.Minutes, 1)
				b = append(b, 'M')
			}
		} else if d.Minutes != 0 {
			b = appendInt(b, d.Minutes, 1)
			b = append(b, 'M')
		}
		if d.Seconds != 0 {
			b = appendInt(b, d.Seconds, 1)
			b = append(b, 'S')
		}
	} else if days == 0 {
		b = append(b, "T0S"...)
	}
	return string(b)
}

// DurationOf returns the exact duration t as a Duration in hours, minutes
// and seconds, or in days when t is a whole number of days.
func DurationOf(t time.Duration) Duration {
	var d Duration
	if t < 0 {
		d.Negative = true
		t = -max(t, -math.MaxInt64) // -MinInt64 does not exist
	}
	s := int64(t / time.Second)
	if s != 0 && s%86400 == 0 {
		d.Days = int(s / 86400)
		return d
	}
	d.Hours = int(s / 3600)
	d.Minutes = int(s % 3600 / 60)
	d.Seconds = int(s % 60)
	return d
}

// maxDurationField bounds each number in a duration so that no arithmetic
// on it can overflow, and maxExactSeconds bounds the exact part (200 years)
// so that it fits in a time.Duration.
const (
	maxDurationField = 1 << 30
	maxExactSeconds  = 200 * 366 * 86400
)

// ParseDuration parses a DURATION value (RFC 5545 §3.3.6). Lower-case
// designators are accepted.
func ParseDuration(s string) (Duration, error) {
	var d Duration
	bad := func() (Duration, error) { return Duration{}, fmt.Errorf("ical: invalid DURATION %q", s) }
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		d.Negative = s[i] == '-'
		i++
	}
	if i >= len(s) || upper(s[i]) != 'P' {
		return bad()
	}
	i++
	inTime, any, last := false, false, 0
	for i < len(s) {
		if upper(s[i]) == 'T' {
			if inTime {
				return bad()
			}
			inTime = true
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i || j >= len(s) || j-i > 10 {
			return bad()
		}
		n, _ := digits(s[i:j])
		if n > maxDurationField {
			return bad()
		}
		// Designators come in the order W, D, T, H, M, S, each at most once.
		rank := 0
		switch c := upper(s[j]); {
		case c == 'W' && !inTime:
			rank, d.Weeks = 1, n
		case c == 'D' && !inTime:
			rank, d.Days = 2, n
		case c == 'H' && inTime:
			rank, d.Hours = 3, n
		case c == 'M' && inTime:
			rank, d.Minutes = 4, n
		case c == 'S' && inTime:
			rank, d.Seconds = 5, n
		default:
			return bad()
		}
		if rank <= last {
			return bad()
		}
		last = rank
		any = true
		i = j + 1
	}
	if !any || inTime && last < 3 {
		return bad()
	}
	// The exact part must fit in a time.Duration (about 292 years).
	if int64(d.Hours)*3600+int64(d.Minutes)*60+int64(d.Seconds) > maxExactSeconds {
		return bad()
	}
	return d, nil
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
