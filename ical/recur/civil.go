// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import "time"

// Dates are handled as day numbers, days since 1970-01-01 in the proleptic
// Gregorian calendar, and wall-clock times as seconds since 1970-01-01T00:00
// of the same naive clock. The conversions are H. Hinnant's civil-date
// algorithms.

const (
	secondsPerDay = 86400
	// daysPer400Years is the length of one Gregorian cycle: 146097 days,
	// exactly 20871 weeks.
	daysPer400Years = 146097
	// minYear and maxYear bound the years an iCalendar DATE can hold.
	minYear = 1
	maxYear = 9999
)

// daysFromCivil returns the day number of y-m-d.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(int64(y), 400)
	yoe := int64(y) - era*400
	mp := int64(m+9) % 12
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*daysPer400Years + doe - 719468
}

// civilFromDays returns the date of day number n.
func civilFromDays(n int64) (y, m, d int) {
	n += 719468
	era := floorDiv(n, daysPer400Years)
	doe := n - era*daysPer400Years
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

// weekdayOf returns the weekday of day number n (1970-01-01 was a Thursday).
func weekdayOf(n int64) time.Weekday {
	return time.Weekday(floorMod(n+4, 7))
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func yearLen(y int) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

var monthLens = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func monthLen(y, m int) int {
	if m == 2 && isLeap(y) {
		return 29
	}
	return monthLens[m]
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}

// ceilDiv returns the smallest q with q*b >= a, for b > 0.
func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

// wallSeconds converts a wall-clock time (its fields, whatever its
// location) to seconds on the naive clock.
func wallSeconds(t time.Time) int64 {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return daysFromCivil(y, int(mo), d)*secondsPerDay + int64(h*3600+mi*60+s)
}

// wallTime converts seconds on the naive clock to a time.Time in time.UTC.
func wallTime(s int64) time.Time {
	return time.Unix(s, 0).UTC()
}
