// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"strconv"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// Frequency is the FREQ rule part (RFC 5545 §3.3.10). The values grow with
// the length of the period, so f < Daily means a sub-daily frequency.
type Frequency uint8

// The frequencies of RFC 5545 §3.3.10. The zero value is no frequency.
const (
	Secondly Frequency = iota + 1
	Minutely
	Hourly
	Daily
	Weekly
	Monthly
	Yearly
)

var freqNames = [...]string{"", "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"}

// String returns the RFC 5545 name of f, such as "WEEKLY".
func (f Frequency) String() string {
	if int(f) < len(freqNames) && f != 0 {
		return freqNames[f]
	}
	return "Frequency(" + strconv.Itoa(int(f)) + ")"
}

// Skip is the RFC 7529 §4.1 SKIP rule part: what happens to an invalid
// date such as February 30.
type Skip uint8

// The SKIP values of RFC 7529 §4.1. The zero value is the default, OMIT.
const (
	// SkipOmit ignores invalid dates, as RFC 5545 does.
	SkipOmit Skip = iota
	// SkipBackward moves an invalid date to the previous valid day.
	SkipBackward
	// SkipForward moves an invalid date to the next valid day.
	SkipForward
)

var skipNames = [...]string{"OMIT", "BACKWARD", "FORWARD"}

// String returns the RFC 7529 name of s, such as "FORWARD".
func (s Skip) String() string {
	if int(s) < len(skipNames) {
		return skipNames[s]
	}
	return "Skip(" + strconv.Itoa(int(s)) + ")"
}

// WeekdayNum is one BYDAY value: a weekday with an optional ordinal, such as
// -1FR, the last Friday (RFC 5545 §3.3.10 weekdaynum).
type WeekdayNum struct {
	// N is the ordinal within the month or year, -53 to 53; 0 means every
	// such weekday.
	N int
	// Day is the weekday.
	Day time.Weekday
}

var dayNames = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// String returns the RFC 5545 form of w, such as "-1FR" or "MO".
func (w WeekdayNum) String() string {
	var b []byte
	return string(w.appendText(b))
}

func (w WeekdayNum) appendText(b []byte) []byte {
	if w.N != 0 {
		b = strconv.AppendInt(b, int64(w.N), 10)
	}
	if w.Day >= 0 && int(w.Day) < len(dayNames) {
		return append(b, dayNames[w.Day]...)
	}
	return append(b, "??"...)
}

// Part is a rule part kept verbatim, such as an X- extension.
type Part struct {
	// Name is the part name in upper case.
	Name string
	// Value is the value as written.
	Value string
}

// Rule is a parsed RECUR value (RFC 5545 §3.3.10, extended by RFC 7529 §4).
// Empty lists mean the part is absent.
type Rule struct {
	// Freq is the FREQ rule part; it is required.
	Freq Frequency
	// Interval is the INTERVAL rule part; 0 and 1 both mean every period.
	Interval int
	// Count is the COUNT rule part; 0 means absent.
	Count int
	// Until is the UNTIL rule part, a DATE or DATE-TIME (UTC or, against the
	// RFC, floating); the zero value means absent.
	Until ical.DateTime

	BySecond   []int        // BYSECOND, 0 to 60
	ByMinute   []int        // BYMINUTE, 0 to 59
	ByHour     []int        // BYHOUR, 0 to 23
	ByDay      []WeekdayNum // BYDAY
	ByMonthDay []int        // BYMONTHDAY, 1 to 31 or -31 to -1
	ByYearDay  []int        // BYYEARDAY, 1 to 366 or -366 to -1
	ByWeekNo   []int        // BYWEEKNO, 1 to 53 or -53 to -1
	ByMonth    []int        // BYMONTH, 1 to 12
	BySetPos   []int        // BYSETPOS, 1 to 366 or -366 to -1

	// LeapMonths holds BYMONTH values with the RFC 7529 §4.2 "L" suffix. They
	// are only accepted with a non-Gregorian RSCALE, which this package can
	// parse and write but not expand.
	LeapMonths []int

	// WeekStart is the WKST rule part. The zero value, time.Sunday, is not
	// the default (Monday): use WeekStartOrDefault. String writes WKST
	// unless it is Monday.
	WeekStart time.Weekday
	// HasWeekStart reports whether WeekStart was set.
	HasWeekStart bool

	// RScale is the RFC 7529 RSCALE rule part in upper case, or "".
	RScale string
	// Skip is the RFC 7529 SKIP rule part.
	Skip Skip

	// Extra holds X- rule parts (and, from ParseLenient, nothing else),
	// verbatim and in order.
	Extra []Part
}

// WeekStartOrDefault returns the WKST weekday, Monday when absent (RFC 5545
// §3.3.10: "The default value is MO").
func (r *Rule) WeekStartOrDefault() time.Weekday {
	if r.HasWeekStart {
		return r.WeekStart
	}
	return time.Monday
}

// IntervalOrDefault returns the INTERVAL, 1 when absent.
func (r *Rule) IntervalOrDefault() int {
	if r.Interval < 1 {
		return 1
	}
	return r.Interval
}

// String returns r as a RECUR value. FREQ comes first, as RFC 5545 §3.3.10
// requires for backward compatibility, followed by the other parts in the
// order of the grammar and finally the X- parts. Parsing the result gives
// back an equal rule.
func (r *Rule) String() string {
	b := make([]byte, 0, 64)
	b = append(b, "FREQ="...)
	b = append(b, r.Freq.String()...)
	if !r.Until.IsZero() {
		b = append(b, ";UNTIL="...)
		b = r.Until.AppendText(b)
	}
	if r.Count > 0 {
		b = append(b, ";COUNT="...)
		b = strconv.AppendInt(b, int64(r.Count), 10)
	}
	if r.Interval > 1 {
		b = append(b, ";INTERVAL="...)
		b = strconv.AppendInt(b, int64(r.Interval), 10)
	}
	b = appendList(b, "BYSECOND", r.BySecond)
	b = appendList(b, "BYMINUTE", r.ByMinute)
	b = appendList(b, "BYHOUR", r.ByHour)
	if len(r.ByDay) > 0 {
		b = append(b, ";BYDAY="...)
		for i, w := range r.ByDay {
			if i > 0 {
				b = append(b, ',')
			}
			b = w.appendText(b)
		}
	}
	b = appendList(b, "BYMONTHDAY", r.ByMonthDay)
	b = appendList(b, "BYYEARDAY", r.ByYearDay)
	b = appendList(b, "BYWEEKNO", r.ByWeekNo)
	if len(r.ByMonth) > 0 || len(r.LeapMonths) > 0 {
		b = append(b, ";BYMONTH="...)
		for i, m := range r.ByMonth {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(m), 10)
		}
		for i, m := range r.LeapMonths {
			if i > 0 || len(r.ByMonth) > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(m), 10)
			b = append(b, 'L')
		}
	}
	b = appendList(b, "BYSETPOS", r.BySetPos)
	if r.HasWeekStart && r.WeekStart != time.Monday && r.WeekStart >= 0 && int(r.WeekStart) < len(dayNames) {
		b = append(b, ";WKST="...)
		b = append(b, dayNames[r.WeekStart]...)
	}
	if r.RScale != "" {
		b = append(b, ";RSCALE="...)
		b = append(b, r.RScale...)
		if r.Skip != SkipOmit {
			b = append(b, ";SKIP="...)
			b = append(b, r.Skip.String()...)
		}
	}
	for _, p := range r.Extra {
		b = append(b, ';')
		b = append(b, p.Name...)
		b = append(b, '=')
		b = append(b, p.Value...)
	}
	return string(b)
}

func appendList(b []byte, name string, vs []int) []byte {
	if len(vs) == 0 {
		return b
	}
	b = append(b, ';')
	b = append(b, name...)
	b = append(b, '=')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return b
}

// isGregorian reports whether the rule uses the Gregorian calendar: no
// RSCALE, or RSCALE=GREGORIAN (RFC 7529 §5: names are case-insensitive).
func (r *Rule) isGregorian() bool {
	return r.RScale == "" || strings.EqualFold(r.RScale, "GREGORIAN")
}
