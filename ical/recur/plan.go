// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"slices"
	"time"
)

// plan is a Rule compiled against its DTSTART: lookup tables for the BYxxx
// parts, with the values RFC 5545 §3.3.10 takes from DTSTART filled in.
type plan struct {
	freq     Frequency
	interval int64
	dateOnly bool
	skip     Skip
	wkst     time.Weekday

	hasMonth  bool
	monthMask bits

	hasWeekNo        bool
	weekNoPos        bits
	weekNoNeg        bits
	hasYearDay       bool
	yearDayPos       bits
	yearDayNeg       bits
	yearDays         []int
	hasMonthDay      bool
	monthDayPos      bits
	monthDayNeg      bits
	monthDays        []int
	hasDay           bool
	dayPlain         [7]bool
	ordinals         [7][]int
	ordinalsInMonths bool

	// hours, minutes and seconds are the sorted values a period expands
	// to, for the clock units shorter than the frequency.
	hours, minutes, seconds []int
	// The masks limit the clock units of the frequency and longer ones.
	hourMask, minuteMask, secondMask []bool

	setPos []int
}

// bits is a set of small non-negative integers (at most 383), so that a
// plan stays small: one is compiled for every expansion.
type bits [6]uint64

func (b *bits) set(i int) { b[i>>6] |= 1 << (i & 63) }

func (b *bits) has(i int) bool {
	return i >= 0 && i < 64*len(b) && b[i>>6]&(1<<(i&63)) != 0
}

// compile builds the plan of r for a DTSTART wall time.
func compile(r *Rule, start time.Time, dateOnly bool) *plan {
	p := &plan{
		freq:     r.Freq,
		interval: int64(r.IntervalOrDefault()),
		dateOnly: dateOnly,
		skip:     r.Skip,
		wkst:     r.WeekStartOrDefault(),
	}
	if r.RScale == "" {
		// RFC 7529 §4: SKIP "MUST NOT be present unless RSCALE is present".
		p.skip = SkipOmit
	}
	for _, m := range r.ByMonth {
		p.monthMask.set(m)
		p.hasMonth = true
	}
	for _, w := range r.ByWeekNo {
		if w > 0 {
			p.weekNoPos.set(w)
		} else {
			p.weekNoNeg.set(-w)
		}
		p.hasWeekNo = true
	}
	for _, d := range r.ByYearDay {
		if d > 0 {
			p.yearDayPos.set(d)
		} else {
			p.yearDayNeg.set(-d)
		}
		p.hasYearDay = true
	}
	p.yearDays = r.ByYearDay
	for _, d := range r.ByMonthDay {
		p.addMonthDay(d)
	}
	for _, w := range r.ByDay {
		p.hasDay = true
		if w.N == 0 {
			p.dayPlain[w.Day] = true
		} else {
			p.ordinals[w.Day] = append(p.ordinals[w.Day], w.N)
		}
	}
	// RFC 5545 §3.3.10: an ordinal "corresponds to an offset within the
	// month when the BYMONTH rule part is present" for YEARLY, and within
	// the month for MONTHLY.
	p.ordinalsInMonths = r.Freq == Monthly || r.Freq == Yearly && len(r.ByMonth) > 0

	// RFC 5545 §3.3.10: "Information, not contained in the rule, necessary
	// to determine the various recurrence instance start time and dates are
	// derived from the Start Time ("DTSTART") component attribute."
	_, sm, sd := start.Date()
	swd := start.Weekday()
	if !p.hasWeekNo && !p.hasYearDay && !p.hasMonthDay && !p.hasDay {
		switch r.Freq {
		case Yearly:
			if !p.hasMonth {
				p.monthMask.set(int(sm))
				p.hasMonth = true
			}
			p.addMonthDay(sd)
		case Monthly:
			p.addMonthDay(sd)
		case Weekly:
			p.dayPlain[swd] = true
			p.hasDay = true
		}
	}
	// Decision (see disputedVectors in vectors_test.go): YEARLY with
	// BYWEEKNO but no BYDAY takes the weekday from DTSTART, one day per week,
	// as libical, sabre/vobject and pycalendar do. BYWEEKNO expands the year
	// to weeks, and a week needs a day "derived from DTSTART", as FREQ=WEEKLY
	// does. BYMONTHDAY and BYYEARDAY without BYMONTH expand the year to whole
	// dates and need nothing more: YEARLY;BYMONTHDAY=1 is the first of every
	// month (the §3.3.10 table: BYMONTHDAY "Expand" for YEARLY).
	if r.Freq == Yearly && p.hasWeekNo && !p.hasDay && !p.hasMonthDay && !p.hasYearDay {
		p.dayPlain[swd] = true
		p.hasDay = true
	}

	// RFC 5545 §3.3.10: BYSECOND, BYMINUTE and BYHOUR "MUST be ignored"
	// when DTSTART is a DATE.
	h, mi, s := start.Clock()
	if dateOnly {
		p.hours, p.minutes, p.seconds = []int{0}, []int{0}, []int{0}
	} else {
		p.hours, p.hourMask = unitLists(r.ByHour, h, 24, r.Freq > Hourly)
		p.minutes, p.minuteMask = unitLists(r.ByMinute, mi, 60, r.Freq > Minutely)
		p.seconds, p.secondMask = unitLists(r.BySecond, s, 60, r.Freq > Secondly)
	}
	p.setPos = r.BySetPos
	return p
}

func (p *plan) addMonthDay(d int) {
	if d > 0 {
		p.monthDayPos.set(d)
	} else {
		p.monthDayNeg.set(-d)
	}
	p.monthDays = append(p.monthDays, d)
	p.hasMonthDay = true
}

// unitLists returns, for a unit of the clock, the sorted values a period
// expands to (when the frequency is longer than the unit) or the mask that
// limits it (when it is not). A second of 60 is an invalid time (RFC 5545
// §3.3.10 "nonexistent") on a naive clock and is ignored.
func unitLists(by []int, dflt, n int, expand bool) ([]int, []bool) {
	if expand {
		if len(by) == 0 {
			return []int{dflt}, nil
		}
		var vs []int
		for _, v := range by {
			if v < n {
				vs = append(vs, v)
			}
		}
		slices.Sort(vs)
		return slices.Compact(vs), nil
	}
	if len(by) == 0 {
		return nil, nil
	}
	mask := make([]bool, n)
	for _, v := range by {
		if v < n {
			mask[v] = true
		}
	}
	return nil, mask
}

// yearInfo caches what the day filters need about one year.
type yearInfo struct {
	year  int
	jan1  int64 // day number of January 1
	len   int
	week1 [4]int64 // start of week 1 of year-1 … year+2
}

func (p *plan) week1Start(y int) int64 {
	jan1 := daysFromCivil(y, 1, 1)
	// RFC 5545 §3.3.10: "Week number one of the calendar year is the first
	// week that contains at least four (4) days in that calendar year."
	delta := floorMod(int64(weekdayOf(jan1)-p.wkst), 7)
	if delta <= 3 {
		return jan1 - delta
	}
	return jan1 + 7 - delta
}

func (p *plan) loadYear(yi *yearInfo, y int) {
	if yi.year == y && yi.len != 0 {
		return
	}
	yi.year = y
	yi.jan1 = daysFromCivil(y, 1, 1)
	yi.len = yearLen(y)
	if p.hasWeekNo {
		for i := range yi.week1 {
			yi.week1[i] = p.week1Start(y - 1 + i)
		}
	}
}

// weekNoMatches reports whether day n of year yi is in a week of BYWEEKNO.
// The week belongs to the week-numbering year that holds four of its days,
// so the last days of December can be in week 1 and the first days of
// January in week 52 or 53 of the year before.
func (p *plan) weekNoMatches(yi *yearInfo, n int64) bool {
	i := 1
	if n < yi.week1[1] {
		i = 0
	} else if n >= yi.week1[2] {
		i = 2
	}
	wk := int((n-yi.week1[i])/7) + 1
	weeks := int((yi.week1[i+1] - yi.week1[i]) / 7)
	return p.weekNoPos.has(wk) || p.weekNoNeg.has(weeks-wk+1)
}

// dayMatches applies the day-level BYxxx parts, in the order of RFC 5545
// §3.3.10 (BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY, BYDAY), to day n,
// which is y-m-d, weekday wd, in year yi. Within a period "expand" and
// "limit" both come down to keeping the days that match.
func (p *plan) dayMatches(yi *yearInfo, n int64, m, d int, wd time.Weekday) bool {
	if p.hasMonth && !p.monthMask.has(m) {
		return false
	}
	if p.hasWeekNo && !p.weekNoMatches(yi, n) {
		return false
	}
	yday := int(n-yi.jan1) + 1
	if p.hasYearDay && !p.yearDayPos.has(yday) && !p.yearDayNeg.has(yi.len-yday+1) {
		return false
	}
	ml := monthLen(yi.year, m)
	if p.hasMonthDay && !p.monthDayPos.has(d) && !p.monthDayNeg.has(ml-d+1) {
		return false
	}
	if p.hasDay {
		return p.weekdayMatches(yi, yday, ml, d, wd)
	}
	return true
}

// weekdayMatches applies BYDAY alone.
func (p *plan) weekdayMatches(yi *yearInfo, yday, ml, d int, wd time.Weekday) bool {
	if p.dayPlain[wd] {
		return true
	}
	ords := p.ordinals[wd]
	if len(ords) == 0 {
		return false
	}
	var nth, last int
	if p.ordinalsInMonths {
		nth, last = (d-1)/7+1, -((ml-d)/7 + 1)
	} else {
		nth, last = (yday-1)/7+1, -((yi.len-yday)/7 + 1)
	}
	for _, o := range ords {
		if o == nth || o == last {
			return true
		}
	}
	return false
}
