// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"fmt"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// Parse parses a RECUR value strictly (RFC 5545 §3.3.10, RFC 7529 §4).
// Part names and enumerated values compare case-insensitively, as ABNF
// strings do (RFC 5234 §2.3). Parse rejects: a missing or repeated FREQ, any
// repeated part, unknown parts other than X- parts, values out of range,
// COUNT together with UNTIL, BYxxx parts that the table of §3.3.10 marks
// "N/A" for the frequency, numbered BYDAY values outside MONTHLY and YEARLY
// or with BYWEEKNO, BYSETPOS without another BYxxx part, SKIP without RSCALE
// and Gregorian leap months. X- parts are kept verbatim in Rule.Extra.
func Parse(s string) (*Rule, error) {
	r, _, err := parse(s, false)
	return r, err
}

// ParseLenient parses a RECUR value as real producers write it. In addition
// to what Parse accepts it allows white space around parts, names, values
// and list items, empty parts (such as a trailing ";"), INTERVAL=0 (read as
// 1), COUNT together with UNTIL (both are applied), and it drops, with a
// warning each, the parts Parse would reject for the frequency: BYxxx parts
// that are "N/A", BYDAY ordinals outside MONTHLY and YEARLY (the weekday is
// kept), a lone BYSETPOS, SKIP without RSCALE, repeated parts (the first
// wins) and unknown parts. Syntax errors in values are still errors.
func ParseLenient(s string) (*Rule, []string, error) {
	return parse(s, true)
}

type parser struct {
	lenient  bool
	warnings []string
}

func (p *parser) warn(format string, args ...any) {
	p.warnings = append(p.warnings, "recur: "+fmt.Sprintf(format, args...))
}

func parse(s string, lenient bool) (*Rule, []string, error) {
	p := &parser{lenient: lenient}
	r := &Rule{}
	if lenient {
		s = strings.TrimSpace(s)
	}
	if s == "" {
		return nil, nil, fmt.Errorf("recur: empty rule")
	}
	var seen [nParts]bool
	for part := range strings.SplitSeq(s, ";") {
		if lenient {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
		}
		name, value, ok := strings.Cut(part, "=")
		if lenient {
			name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		}
		if !ok || name == "" {
			if lenient {
				p.warn("part %q dropped: not NAME=VALUE", part)
				continue
			}
			return nil, nil, fmt.Errorf("recur: malformed rule part %q", part)
		}
		name = strings.ToUpper(name)
		if lenient && name == "BYWEEKDAY" {
			// python-dateutil's spelling of BYDAY.
			p.warn("BYWEEKDAY read as BYDAY")
			name = "BYDAY"
		}
		id, known := partIDs[name]
		if !known {
			if len(name) > 2 && name[:2] == "X-" {
				r.Extra = append(r.Extra, Part{Name: name, Value: value})
				continue
			}
			if lenient {
				p.warn("unknown part %s dropped", name)
				continue
			}
			return nil, nil, fmt.Errorf("recur: unknown rule part %q", name)
		}
		// RFC 5545 §3.3.10: rule parts "MUST NOT occur more than once".
		if seen[id] {
			if lenient {
				p.warn("repeated part %s dropped", name)
				continue
			}
			return nil, nil, fmt.Errorf("recur: rule part %s occurs more than once", name)
		}
		seen[id] = true
		if err := p.setPart(r, id, name, value); err != nil {
			return nil, nil, err
		}
	}
	if err := p.validate(r); err != nil {
		return nil, nil, err
	}
	return r, p.warnings, nil
}

const (
	partFreq = iota
	partUntil
	partCount
	partInterval
	partBySecond
	partByMinute
	partByHour
	partByDay
	partByMonthDay
	partByYearDay
	partByWeekNo
	partByMonth
	partBySetPos
	partWKST
	partRScale
	partSkip
	nParts
)

var partIDs = map[string]int{
	"FREQ": partFreq, "UNTIL": partUntil, "COUNT": partCount, "INTERVAL": partInterval,
	"BYSECOND": partBySecond, "BYMINUTE": partByMinute, "BYHOUR": partByHour,
	"BYDAY": partByDay, "BYMONTHDAY": partByMonthDay, "BYYEARDAY": partByYearDay,
	"BYWEEKNO": partByWeekNo, "BYMONTH": partByMonth, "BYSETPOS": partBySetPos,
	"WKST": partWKST, "RSCALE": partRScale, "SKIP": partSkip,
}

func (p *parser) setPart(r *Rule, id int, name, value string) error {
	var err error
	switch id {
	case partFreq:
		r.Freq = 0
		for f := Secondly; f <= Yearly; f++ {
			if strings.EqualFold(value, f.String()) {
				r.Freq = f
			}
		}
		if r.Freq == 0 {
			return fmt.Errorf("recur: invalid FREQ %q", value)
		}
	case partUntil:
		if len(value) == 8 {
			r.Until, err = ical.ParseDate(value)
		} else {
			r.Until, err = ical.ParseDateTime(value, "")
		}
		if err != nil {
			return fmt.Errorf("recur: invalid UNTIL %q", value)
		}
	case partCount:
		n, ok := number(value, false)
		if !ok || n < 1 {
			return fmt.Errorf("recur: invalid COUNT %q: want a positive integer", value)
		}
		r.Count = n
	case partInterval:
		n, ok := number(value, false)
		if !ok {
			return fmt.Errorf("recur: invalid INTERVAL %q", value)
		}
		// RFC 5545 §3.3.10: "a positive integer".
		if n == 0 {
			if !p.lenient {
				return fmt.Errorf("recur: invalid INTERVAL %q: want a positive integer", value)
			}
			p.warn("INTERVAL=0 read as 1")
			n = 1
		}
		r.Interval = n
	case partBySecond:
		r.BySecond, err = p.list(name, value, 0, 60, false)
	case partByMinute:
		r.ByMinute, err = p.list(name, value, 0, 59, false)
	case partByHour:
		r.ByHour, err = p.list(name, value, 0, 23, false)
	case partByMonthDay:
		r.ByMonthDay, err = p.list(name, value, 1, 31, true)
	case partByYearDay:
		r.ByYearDay, err = p.list(name, value, 1, 366, true)
	case partByWeekNo:
		r.ByWeekNo, err = p.list(name, value, 1, 53, true)
	case partBySetPos:
		r.BySetPos, err = p.list(name, value, 1, 366, true)
	case partByMonth:
		for item := range strings.SplitSeq(value, ",") {
			if p.lenient {
				item = strings.TrimSpace(item)
			}
			leap := false
			// RFC 7529 §4.2: a month number may carry an "L" suffix.
			if n := len(item); n > 0 && (item[n-1] == 'L' || item[n-1] == 'l') {
				leap = true
				item = item[:n-1]
			}
			n, ok := number(item, false)
			if !ok || n < 1 || n > 12 {
				return fmt.Errorf("recur: invalid BYMONTH value %q", item)
			}
			if leap {
				r.LeapMonths = append(r.LeapMonths, n)
			} else {
				r.ByMonth = append(r.ByMonth, n)
			}
		}
	case partByDay:
		for item := range strings.SplitSeq(value, ",") {
			if p.lenient {
				item = strings.TrimSpace(item)
			}
			w, ok := weekdayNum(item)
			if !ok {
				return fmt.Errorf("recur: invalid BYDAY value %q", item)
			}
			r.ByDay = append(r.ByDay, w)
		}
	case partWKST:
		d, ok := weekday(value)
		if !ok {
			return fmt.Errorf("recur: invalid WKST %q", value)
		}
		r.WeekStart, r.HasWeekStart = d, true
	case partRScale:
		// RFC 7529 §4: rscale = iana-token / x-name; names are
		// case-insensitive, upper case preferred.
		if value == "" || strings.IndexFunc(value, func(c rune) bool {
			return !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')
		}) >= 0 {
			return fmt.Errorf("recur: invalid RSCALE %q", value)
		}
		r.RScale = strings.ToUpper(value)
	case partSkip:
		switch strings.ToUpper(value) {
		case "OMIT":
			r.Skip = SkipOmit
		case "BACKWARD":
			r.Skip = SkipBackward
		case "FORWARD":
			r.Skip = SkipForward
		default:
			return fmt.Errorf("recur: invalid SKIP %q", value)
		}
	}
	return err
}

// list parses a comma-separated list of integers in [lo, hi], or also in
// [-hi, -lo] when signed.
func (p *parser) list(name, value string, lo, hi int, signed bool) ([]int, error) {
	var out []int
	for item := range strings.SplitSeq(value, ",") {
		if p.lenient {
			item = strings.TrimSpace(item)
		}
		n, ok := number(item, signed)
		a := n
		if a < 0 {
			a = -a
		}
		if !ok || a < lo || a > hi || n < 0 && lo == 0 {
			return nil, fmt.Errorf("recur: invalid %s value %q", name, item)
		}
		out = append(out, n)
	}
	return out, nil
}

// number parses an optionally signed decimal of at most nine digits.
func number(s string, signed bool) (int, bool) {
	neg := false
	if signed && s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || len(s) > 9 {
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
	if neg {
		n = -n
	}
	return n, true
}

func weekday(s string) (time.Weekday, bool) {
	for i, n := range dayNames {
		if strings.EqualFold(s, n) {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// weekdayNum parses weekdaynum = [[plus / minus] ordwk] weekday.
func weekdayNum(s string) (WeekdayNum, bool) {
	if len(s) < 2 {
		return WeekdayNum{}, false
	}
	d, ok := weekday(s[len(s)-2:])
	if !ok {
		return WeekdayNum{}, false
	}
	w := WeekdayNum{Day: d}
	if num := s[:len(s)-2]; num != "" {
		n, ok := number(num, true)
		// RFC 5545 §3.3.10: ordwk = 1*2DIGIT ;1 to 53.
		if !ok || n == 0 || n > 53 || n < -53 {
			return WeekdayNum{}, false
		}
		w.N = n
	}
	return w, true
}

// validate applies the rules that involve more than one part.
func (p *parser) validate(r *Rule) error {
	// RFC 5545 §3.3.10: "The FREQ rule part is REQUIRED".
	if r.Freq == 0 {
		return fmt.Errorf("recur: missing FREQ")
	}
	// RFC 5545 §3.3.10: UNTIL and COUNT "MUST NOT occur in the same 'recur'".
	if r.Count > 0 && !r.Until.IsZero() {
		if !p.lenient {
			return fmt.Errorf("recur: COUNT and UNTIL in the same rule")
		}
		p.warn("COUNT and UNTIL in the same rule: both applied")
	}
	// drop reports a part that is invalid for the frequency: an error when
	// strict, a warning when lenient.
	drop := func(part, why string) error {
		if !p.lenient {
			return fmt.Errorf("recur: %s %s", part, why)
		}
		p.warn("%s dropped: %s", part, why)
		return nil
	}
	// RFC 5545 §3.3.10: BYWEEKNO "MUST NOT be used when the FREQ rule part
	// is set to anything other than YEARLY".
	if len(r.ByWeekNo) > 0 && r.Freq != Yearly {
		if err := drop("BYWEEKNO", "is only valid with FREQ=YEARLY"); err != nil {
			return err
		}
		r.ByWeekNo = nil
	}
	// RFC 5545 §3.3.10: BYYEARDAY "MUST NOT be specified when the FREQ rule
	// part is set to DAILY, WEEKLY, or MONTHLY".
	if len(r.ByYearDay) > 0 && (r.Freq == Daily || r.Freq == Weekly || r.Freq == Monthly) {
		if err := drop("BYYEARDAY", "is not valid with FREQ="+r.Freq.String()); err != nil {
			return err
		}
		r.ByYearDay = nil
	}
	// RFC 5545 §3.3.10: BYMONTHDAY "MUST NOT be specified when the FREQ
	// rule part is set to WEEKLY".
	if len(r.ByMonthDay) > 0 && r.Freq == Weekly {
		if err := drop("BYMONTHDAY", "is not valid with FREQ=WEEKLY"); err != nil {
			return err
		}
		r.ByMonthDay = nil
	}
	// RFC 5545 §3.3.10: "The BYDAY rule part MUST NOT be specified with a
	// numeric value when the FREQ rule part is not set to MONTHLY or
	// YEARLY", nor "with the FREQ rule part set to YEARLY when the BYWEEKNO
	// rule part is specified".
	if hasOrdinal(r.ByDay) && (r.Freq != Monthly && r.Freq != Yearly || r.Freq == Yearly && len(r.ByWeekNo) > 0) {
		if err := drop("BYDAY ordinals", "are only valid with FREQ=MONTHLY or YEARLY without BYWEEKNO"); err != nil {
			return err
		}
		r.ByDay = stripOrdinals(r.ByDay)
	}
	// RFC 5545 §3.3.10: BYSETPOS "MUST only be used in conjunction with
	// another BYxxx rule part".
	if len(r.BySetPos) > 0 && len(r.BySecond)+len(r.ByMinute)+len(r.ByHour)+len(r.ByDay)+
		len(r.ByMonthDay)+len(r.ByYearDay)+len(r.ByWeekNo)+len(r.ByMonth)+len(r.LeapMonths) == 0 {
		if err := drop("BYSETPOS", "needs another BYxxx part"); err != nil {
			return err
		}
		r.BySetPos = nil
	}
	// RFC 7529 §4: SKIP "MUST NOT be present unless "RSCALE" is present".
	if r.Skip != SkipOmit && r.RScale == "" {
		if err := drop("SKIP", "needs RSCALE"); err != nil {
			return err
		}
		r.Skip = SkipOmit
	}
	// RFC 7529 §4.2: leap months do not exist in the Gregorian calendar.
	if len(r.LeapMonths) > 0 && r.isGregorian() {
		return fmt.Errorf("recur: leap month %dL in a Gregorian rule", r.LeapMonths[0])
	}
	return nil
}

func hasOrdinal(ws []WeekdayNum) bool {
	for _, w := range ws {
		if w.N != 0 {
			return true
		}
	}
	return false
}

// stripOrdinals drops the ordinals of ws and any duplicate weekday.
func stripOrdinals(ws []WeekdayNum) []WeekdayNum {
	var seen [7]bool
	out := ws[:0]
	for _, w := range ws {
		if !seen[w.Day] {
			seen[w.Day] = true
			out = append(out, WeekdayNum{Day: w.Day})
		}
	}
	return out
}
