// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// IterOptions configure an Iterator. The zero value expands the rule proper
// from DTSTART with the default Limits.
type IterOptions struct {
	// IncludeStart makes DTSTART the first instance even when it does not
	// match the rule, and counts it against COUNT (RFC 5545 §3.8.5.3: "The
	// "DTSTART" property value always counts as the first occurrence").
	// Without it the iterator yields the instances of the rule proper.
	IncludeStart bool
	// After, a wall-clock time, drops the instances before it. When the
	// rule has no COUNT the iterator jumps straight to the period that holds
	// After instead of iterating from DTSTART; with COUNT it must count from
	// DTSTART. The zero value means no lower bound.
	After time.Time
	// Before, a wall-clock time, ends the iteration at the first instance
	// at or after it. The zero value means no upper bound.
	Before time.Time
	// Zone is the zone of a zoned DTSTART. It is used to compare instances
	// with a UTC UNTIL as instants; when nil they are compared as wall
	// times.
	Zone ical.Zone
	// Limits bound the work; see Limits for the zero values.
	Limits Limits
}

// Iterator yields the instances of a Rule in time order as wall-clock times
// (time.Time values in time.UTC whose fields are the local date and time of
// DTSTART's zone). An Iterator is not safe for concurrent use.
//
// Instances with an invalid date (such as February 30) are skipped as RFC
// 5545 §3.3.10 requires, or moved by RFC 7529 SKIP. Times that do not exist
// in DTSTART's zone are left to the caller to resolve (RFC 5545 §3.3.5).
type Iterator struct {
	p *plan

	start        int64 // DTSTART, wall seconds
	startPending bool
	lower        int64 // first wall second worth yielding
	after        int64
	hasAfter     bool
	before       int64
	hasBefore    bool

	untilKind int // 0 none, 1 wall, 2 instant
	until     int64
	zone      ical.Zone

	countLimit int
	counted    int
	last       int64
	hasLast    bool

	// The current period and its candidates: days × hours × minutes ×
	// seconds in lexicographic order, or setBuf with BYSETPOS.
	period                     int64
	p0                         int64
	days                       []int64
	hours, minutes, seconds    []int
	hbuf, mbuf, sbuf           [1]int
	di, hi, mi, si             int
	setBuf                     []int64
	setIdx                     int
	useSet                     bool
	yi                         yearInfo
	lastHit                    int64
	maxIter, maxInst, iter, nn int

	loaded bool
	done   bool
	err    error
}

// Iterator returns an iterator over the instances of r for the given
// DTSTART. DTSTART's kind matters: with a DATE the instances are dates and
// BYHOUR, BYMINUTE and BYSECOND are ignored (RFC 5545 §3.3.10).
//
// UNTIL is compared as follows. RFC 5545 §3.3.10 wants UNTIL of the same
// type as DTSTART, and in UTC when DTSTART is UTC or zoned:
//   - a DATE UNTIL with a DATE DTSTART compares dates;
//   - a UTC UNTIL with a zoned DTSTART compares instants through
//     opts.Zone (as wall times when opts.Zone is nil);
//   - a UTC UNTIL with a UTC DTSTART and a floating UNTIL with a floating
//     DTSTART compare wall times, which are then the same thing.
//
// Mismatches are accepted leniently: a DATE UNTIL with a DATE-TIME DTSTART
// includes the whole of that day (wall time); any other combination (a UTC
// UNTIL with a floating or DATE DTSTART, a floating UNTIL with a zoned one)
// compares wall times.
func (r *Rule) Iterator(dtstart ical.DateTime, opts IterOptions) (*Iterator, error) {
	if r.Freq < Secondly || r.Freq > Yearly {
		return nil, fmt.Errorf("recur: invalid FREQ %d", r.Freq)
	}
	if !r.isGregorian() {
		// RFC 7529 §6: an agent may refuse a calendar system it does not
		// support.
		return nil, fmt.Errorf("recur: RSCALE %q: %w", r.RScale, ErrUnsupported)
	}
	dateOnly := dtstart.Kind == ical.KindDate
	startWall := dtstart.Wall
	if dateOnly {
		startWall = time.Date(startWall.Year(), startWall.Month(), startWall.Day(), 0, 0, 0, 0, time.UTC)
	}
	it := &Iterator{
		p:            compile(r, startWall, dateOnly),
		start:        wallSeconds(startWall),
		startPending: opts.IncludeStart,
		countLimit:   r.Count,
		maxIter:      opts.Limits.iterations(),
		maxInst:      opts.Limits.instances(),
		zone:         opts.Zone,
	}
	it.lower = it.start
	if !opts.After.IsZero() {
		it.after, it.hasAfter = wallSeconds(opts.After), true
	}
	if !opts.Before.IsZero() {
		it.before, it.hasBefore = wallSeconds(opts.Before), true
	}
	if !r.Until.IsZero() {
		u := r.Until
		it.untilKind = 1
		it.until = wallSeconds(u.Wall)
		switch {
		case u.Kind == ical.KindDate && !dateOnly:
			// Lenient: a DATE UNTIL bounds a DATE-TIME rule at the end of
			// that day, inclusive.
			it.until += secondsPerDay - 1
		case u.Kind == ical.KindUTC && dtstart.Kind == ical.KindZoned && opts.Zone != nil:
			it.untilKind = 2
			it.until = u.Wall.Unix()
		}
	}

	p := it.p
	it.p0 = p.periodOf(it.start)
	it.period = it.p0
	// Skip-ahead: without COUNT every period can be evaluated on its own
	// (BYSETPOS works within one period), so start at the period holding
	// After. One period earlier is also looked at, because RFC 7529
	// SKIP=FORWARD can move an instance into the next period.
	if it.hasAfter && it.after > it.start && r.Count == 0 {
		pa := p.periodOf(it.after)
		k := floorDiv(pa-it.p0, p.interval) - 1
		if k > 0 {
			it.period = it.p0 + k*p.interval
		}
		it.lower = it.after
	}
	it.lastHit = p.periodStart(it.period)
	return it, nil
}

// Err returns the error that ended the iteration, if any. Running out of
// Limits gives an error wrapping ErrBudget.
func (it *Iterator) Err() error { return it.err }

// Next returns the next instance as a wall-clock time in time.UTC, or false
// when there are no more instances or an error occurred (see Err).
func (it *Iterator) Next() (time.Time, bool) {
	if it.startPending {
		it.startPending = false
		if it.accept(it.start, true) {
			return wallTime(it.start), true
		}
	}
	if !it.loaded {
		it.loaded = true
		it.load()
	}
	for !it.done {
		c, ok := it.candidate()
		if !ok {
			it.advance()
			continue
		}
		if !it.spend(1) {
			break
		}
		if it.accept(c, false) {
			if it.p.dateOnly {
				c -= floorMod(c, secondsPerDay)
			}
			return wallTime(c), true
		}
	}
	return time.Time{}, false
}

// All returns every remaining instance. With an unbounded rule and no
// IterOptions.Before it ends with an error wrapping ErrBudget.
func (it *Iterator) All() ([]time.Time, error) {
	var out []time.Time
	for {
		t, ok := it.Next()
		if !ok {
			return out, it.Err()
		}
		out = append(out, t)
	}
}

// Iterations returns the work spent so far, in the units of
// Limits.MaxIterations.
func (it *Iterator) Iterations() int { return it.iter }

func (it *Iterator) spend(n int) bool {
	it.iter += n
	if it.iter > it.maxIter {
		it.fail(fmt.Errorf("recur: more than %d iterations: %w", it.maxIter, ErrBudget))
		return false
	}
	return true
}

func (it *Iterator) fail(err error) {
	if it.err == nil {
		it.err = err
	}
	it.done = true
}

// accept applies DTSTART, UNTIL, COUNT and the window to candidate c and
// reports whether to yield it.
func (it *Iterator) accept(c int64, isStart bool) bool {
	if it.p.dateOnly {
		c -= floorMod(c, secondsPerDay)
	}
	// RFC 5545 §3.8.5.3: DTSTART "defines the first instance"; nothing
	// before it belongs to the set.
	if c < it.start {
		return false
	}
	// Candidates come in order; equal ones are duplicates ("only one
	// recurrence is considered"), and earlier ones can only come from RFC
	// 7529 SKIP=BACKWARD moving a date into a period already done.
	if it.hasLast && c <= it.last {
		return false
	}
	// RFC 5545 §3.3.10: UNTIL "bounds the recurrence rule in an inclusive
	// manner". DTSTART itself is always an instance.
	if !isStart && it.untilKind != 0 && it.pastUntil(c) {
		it.done = true
		return false
	}
	if it.countLimit > 0 {
		if it.counted >= it.countLimit {
			it.done = true
			return false
		}
		it.counted++
	}
	it.last, it.hasLast = c, true
	if c < it.lower || it.hasAfter && c < it.after {
		return false
	}
	if it.hasBefore && c >= it.before {
		it.done = true
		return false
	}
	it.nn++
	if it.nn > it.maxInst {
		it.fail(fmt.Errorf("recur: more than %d instances: %w", it.maxInst, ErrBudget))
		return false
	}
	return true
}

func (it *Iterator) pastUntil(c int64) bool {
	if it.untilKind == 2 {
		return it.zone.Resolve(wallTime(c)).Unix() > it.until
	}
	return c > it.until
}

// candidate returns the next candidate of the current period.
func (it *Iterator) candidate() (int64, bool) {
	if it.useSet {
		if it.setIdx >= len(it.setBuf) {
			return 0, false
		}
		c := it.setBuf[it.setIdx]
		it.setIdx++
		return c, true
	}
	if it.di >= len(it.days) {
		return 0, false
	}
	c := it.days[it.di]*secondsPerDay + int64(it.hours[it.hi]*3600+it.minutes[it.mi]*60+it.seconds[it.si])
	it.si++
	if it.si == len(it.seconds) {
		it.si = 0
		it.mi++
		if it.mi == len(it.minutes) {
			it.mi = 0
			it.hi++
			if it.hi == len(it.hours) {
				it.hi = 0
				it.di++
			}
		}
	}
	return c, true
}

// advance moves to the next period and loads it.
func (it *Iterator) advance() {
	it.period += it.p.interval
	it.load()
}

// load builds the candidates of it.period, moving on over periods without
// any until one has some or the iteration ends.
func (it *Iterator) load() {
	p := it.p
	for !it.done {
		if !it.spend(1) {
			return
		}
		ps := p.periodStart(it.period)
		// The Gregorian calendar repeats every 400 years: a rule that found
		// nothing in that long never will.
		if ps-it.lastHit > daysPer400Years*secondsPerDay {
			it.done = true
			return
		}
		if ps >= maxWall || it.hasBefore && ps >= it.before {
			it.done = true
			return
		}
		if it.untilKind == 1 && ps > it.until {
			it.done = true
			return
		}
		var ok bool
		if p.freq >= Daily {
			ok = it.loadDays()
		} else {
			ok = it.loadSubDaily()
		}
		if it.done {
			return
		}
		if !ok {
			it.period += p.interval
			continue
		}
		it.di, it.hi, it.mi, it.si = 0, 0, 0, 0
		it.useSet = len(p.setPos) > 0
		if it.useSet {
			it.applySetPos()
			if len(it.setBuf) == 0 {
				it.period += p.interval
				continue
			}
		}
		it.lastHit = p.periodStart(it.period)
		if !it.useSet && it.lower > it.lastHit {
			it.seek(it.lower)
			if it.di >= len(it.days) {
				it.period += p.interval
				continue
			}
		}
		return
	}
}

// maxWall is the first wall second after year 9999.
var maxWall = daysFromCivil(maxYear+1, 1, 1) * secondsPerDay

// periodOf returns the index of the period that holds wall second w.
func (p *plan) periodOf(w int64) int64 {
	day := floorDiv(w, secondsPerDay)
	switch p.freq {
	case Yearly:
		y, _, _ := civilFromDays(day)
		return int64(y)
	case Monthly:
		y, m, _ := civilFromDays(day)
		return int64(y)*12 + int64(m-1)
	case Weekly:
		return floorDiv(day+4-int64(p.wkst), 7)
	case Daily:
		return day
	case Hourly:
		return floorDiv(w, 3600)
	case Minutely:
		return floorDiv(w, 60)
	}
	return w
}

// periodStart returns the first wall second of period i.
func (p *plan) periodStart(i int64) int64 {
	switch p.freq {
	case Yearly:
		return daysFromCivil(clampYear(i), 1, 1) * secondsPerDay
	case Monthly:
		y := floorDiv(i, 12)
		return daysFromCivil(clampYear(y), int(i-y*12)+1, 1) * secondsPerDay
	case Weekly:
		return (i*7 - 4 + int64(p.wkst)) * secondsPerDay
	case Daily:
		return i * secondsPerDay
	case Hourly:
		return i * 3600
	case Minutely:
		return i * 60
	}
	return i
}

// clampYear keeps year arithmetic far from overflow; any year past 9999
// ends the iteration anyway.
func clampYear(y int64) int {
	if y > maxYear+1 {
		return maxYear + 1
	}
	if y < minYear-1 {
		return minYear - 1
	}
	return int(y)
}

// loadDays builds the day set of a YEARLY, MONTHLY, WEEKLY or DAILY period.
func (it *Iterator) loadDays() bool {
	p := it.p
	var first, end int64
	switch p.freq {
	case Yearly:
		y := clampYear(it.period)
		first, end = daysFromCivil(y, 1, 1), daysFromCivil(y+1, 1, 1)
	case Monthly:
		y := floorDiv(it.period, 12)
		m := int(it.period-y*12) + 1
		first = daysFromCivil(clampYear(y), m, 1)
		end = first + int64(monthLen(clampYear(y), m))
	case Weekly:
		first = it.period*7 - 4 + int64(p.wkst)
		end = first + 7
	default:
		first, end = it.period, it.period+1
	}
	it.days = it.days[:0]
	y, m, d := civilFromDays(first)
	wd := weekdayOf(first)
	p.loadYear(&it.yi, y)
	for n := first; n < end; {
		if d == 1 && p.hasMonth && !p.monthMask.has(m) {
			// A whole month out of BYMONTH: step over it.
			ml := int64(monthLen(y, m))
			n += ml
			wd = time.Weekday((int64(wd) + ml) % 7)
			if m++; m == 13 {
				m, y = 1, y+1
				p.loadYear(&it.yi, y)
			}
			if !it.spend(1) {
				return false
			}
			continue
		}
		if !it.spend(1) {
			return false
		}
		if p.dayMatches(&it.yi, n, m, d, wd) {
			it.days = append(it.days, n)
		}
		n++
		wd = (wd + 1) % 7
		if d++; d > monthLen(y, m) {
			d = 1
			if m++; m == 13 {
				m, y = 1, y+1
				p.loadYear(&it.yi, y)
			}
		}
	}
	if p.skip != SkipOmit {
		it.addSkipped(first, end)
	}
	it.hours, it.minutes, it.seconds = p.hours, p.minutes, p.seconds
	return len(it.days) > 0
}

// addSkipped adds the days RFC 7529 §4.1 SKIP=BACKWARD or FORWARD moves
// invalid dates to: BYMONTHDAY values (or DTSTART's day) past the end of a
// month in MONTHLY and YEARLY rules, and BYYEARDAY values past the end of a
// year in YEARLY rules. RFC 7529 §4.1 applies "SKIP (for invalid day)" after
// BYMONTHDAY and before BYDAY, so a moved day must still match BYDAY.
func (it *Iterator) addSkipped(first, end int64) {
	p := it.p
	fwd := p.skip == SkipForward
	add := func(n int64) {
		y, m, d := civilFromDays(n)
		var yi yearInfo
		p.loadYear(&yi, y)
		if !p.hasDay || p.weekdayMatches(&yi, int(n-yi.jan1)+1, monthLen(y, m), d, weekdayOf(n)) {
			it.days = append(it.days, n)
		}
	}
	moved := false
	if len(p.monthDays) > 0 && (p.freq == Monthly || p.freq == Yearly) {
		for ms := first; ms < end; {
			y, m, _ := civilFromDays(ms)
			ml := monthLen(y, m)
			if !p.hasMonth || p.monthMask.has(m) {
				for _, v := range p.monthDays {
					switch {
					case v > ml && fwd:
						add(ms + int64(ml))
					case v > ml:
						add(ms + int64(ml) - 1)
					case -v > ml && fwd:
						add(ms)
					case -v > ml:
						add(ms - 1)
					default:
						continue
					}
					moved = true
				}
			}
			ms += int64(ml)
		}
	}
	if len(p.yearDays) > 0 && p.freq == Yearly {
		y, _, _ := civilFromDays(first)
		yl := yearLen(y)
		for _, v := range p.yearDays {
			switch {
			case v > yl && fwd:
				add(end)
			case v > yl:
				add(end - 1)
			case -v > yl && fwd:
				add(first)
			case -v > yl:
				add(first - 1)
			default:
				continue
			}
			moved = true
		}
	}
	if moved {
		slices.Sort(it.days)
		it.days = slices.Compact(it.days)
	}
}

// loadSubDaily builds the candidates of an HOURLY, MINUTELY or SECONDLY
// period: one day, one hour, and the minutes and seconds it expands to.
// Periods whose day, hour or minute fails a limiting BYxxx part are jumped
// over in one step to the first period that can match.
func (it *Iterator) loadSubDaily() bool {
	p := it.p
	var perDay, perHour, perMinute int64
	switch p.freq {
	case Hourly:
		perDay, perHour, perMinute = 24, 1, 0
	case Minutely:
		perDay, perHour, perMinute = 1440, 60, 1
	default:
		perDay, perHour, perMinute = 86400, 3600, 60
	}
	for !it.done {
		if p.periodStart(it.period) >= maxWall {
			it.done = true
			return false
		}
		day := floorDiv(it.period, perDay)
		u := it.period - day*perDay
		h := int(u / perHour)
		var mi, s int
		if perMinute > 0 {
			mi = int(u % perHour / perMinute)
		}
		if p.freq == Secondly {
			s = int(u % 60)
		}
		y, m, d := civilFromDays(day)
		p.loadYear(&it.yi, y)
		switch {
		case !p.dayMatches(&it.yi, day, m, d, weekdayOf(day)):
			it.jump((day + 1) * perDay)
		case p.hourMask != nil && !p.hourMask[h]:
			if nh := nextSet(p.hourMask, h); nh >= 0 {
				it.jump(day*perDay + int64(nh)*perHour)
			} else {
				it.jump((day + 1) * perDay)
			}
		case p.minuteMask != nil && !p.minuteMask[mi]:
			if nm := nextSet(p.minuteMask, mi); nm >= 0 {
				it.jump(day*perDay + int64(h)*perHour + int64(nm)*perMinute)
			} else {
				it.jump(day*perDay + int64(h+1)*perHour)
			}
		case p.secondMask != nil && !p.secondMask[s]:
			if ns := nextSet(p.secondMask, s); ns >= 0 {
				it.jump(it.period - int64(s) + int64(ns))
			} else {
				it.jump(it.period - int64(s) + 60)
			}
		default:
			it.days = append(it.days[:0], day)
			it.hbuf[0], it.mbuf[0], it.sbuf[0] = h, mi, s
			it.hours = it.hbuf[:]
			it.minutes, it.seconds = p.minutes, p.seconds
			if p.freq <= Minutely {
				it.minutes = it.mbuf[:]
			}
			if p.freq == Secondly {
				it.seconds = it.sbuf[:]
			}
			return true
		}
		if !it.spend(1) {
			return false
		}
		ps := p.periodStart(it.period)
		if ps-it.lastHit > daysPer400Years*secondsPerDay || it.hasBefore && ps >= it.before ||
			it.untilKind == 1 && ps > it.until {
			it.done = true
			return false
		}
	}
	return false
}

// jump moves to the first period at or after period index target that the
// INTERVAL allows.
func (it *Iterator) jump(target int64) {
	iv := it.p.interval
	if target <= it.period {
		it.period += iv
		return
	}
	it.period = it.p0 + ceilDiv(target-it.p0, iv)*iv
}

// nextSet returns the first index after i set in mask, or -1.
func nextSet(mask []bool, i int) int {
	for j := i + 1; j < len(mask); j++ {
		if mask[j] {
			return j
		}
	}
	return -1
}

// applySetPos selects the BYSETPOS positions of the period's candidates
// (RFC 5545 §3.3.10: "BYSETPOS operates on a set of recurrence instances in
// one interval of the recurrence rule"). The candidates are not built: a
// position is decoded into its day, hour, minute and second.
func (it *Iterator) applySetPos() {
	it.setBuf, it.setIdx = it.setBuf[:0], 0
	nh, nm, ns := len(it.hours), len(it.minutes), len(it.seconds)
	perDay := nh * nm * ns
	total := len(it.days) * perDay
	for _, pos := range it.p.setPos {
		i := pos - 1
		if pos < 0 {
			i = total + pos
		}
		if i < 0 || i >= total {
			continue
		}
		di, r := i/perDay, i%perDay
		hi, r := r/(nm*ns), r%(nm*ns)
		c := it.days[di]*secondsPerDay + int64(it.hours[hi]*3600+it.minutes[r/ns]*60+it.seconds[r%ns])
		it.setBuf = append(it.setBuf, c)
	}
	slices.Sort(it.setBuf)
	it.setBuf = slices.Compact(it.setBuf)
}

// seek moves the cursor to the first candidate at or after wall second w.
func (it *Iterator) seek(w int64) {
	day := floorDiv(w, secondsPerDay)
	it.di = sort.Search(len(it.days), func(i int) bool { return it.days[i] >= day })
	it.hi, it.mi, it.si = 0, 0, 0
	if it.di == len(it.days) || it.days[it.di] != day {
		return
	}
	sec := int(w - day*secondsPerDay)
	th, tm, ts := sec/3600, sec/60%60, sec%60
	hi := lowerBound(it.hours, th)
	if hi < len(it.hours) && it.hours[hi] == th {
		mi := lowerBound(it.minutes, tm)
		if mi < len(it.minutes) && it.minutes[mi] == tm {
			si := lowerBound(it.seconds, ts)
			if si < len(it.seconds) {
				it.hi, it.mi, it.si = hi, mi, si
				return
			}
			mi++
		}
		if mi < len(it.minutes) {
			it.hi, it.mi = hi, mi
			return
		}
		hi++
	}
	if hi < len(it.hours) {
		it.hi = hi
		return
	}
	it.di++
}

func lowerBound(vs []int, v int) int {
	i := 0
	for i < len(vs) && vs[i] < v {
		i++
	}
	return i
}
