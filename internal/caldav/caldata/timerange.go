// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"errors"
	"fmt"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// window is a parsed time range [start, end); a false hasStart or hasEnd
// stands for -infinity or +infinity (RFC 4791 §9.9).
type window struct {
	start, end       time.Time
	hasStart, hasEnd bool
}

// parseUTC parses an RFC 5545 "date with UTC time" (§3.3.5 form #2), the
// only form RFC 4791 §9.9 allows in time-range attributes.
func parseUTC(s string) (time.Time, error) {
	d, err := ical.ParseDateTime(s, "")
	if err != nil {
		return time.Time{}, err
	}
	if d.Kind != ical.KindUTC {
		return time.Time{}, fmt.Errorf("caldata: %q is not a date with UTC time", s)
	}
	return d.Wall, nil
}

// parseWindow parses a time-range element. RFC 4791 §9.9: at least one of
// start and end must be present, and end must be later than start. With
// both required (CALDAV:expand, limit-recurrence-set, limit-freebusy-set,
// §9.6.5–§9.6.7) a missing attribute is an error too.
func parseWindow(tr *TimeRange, both bool) (window, error) {
	var w window
	if tr.Start == "" && tr.End == "" {
		return w, errors.New("caldata: time range without start and end")
	}
	if both && (tr.Start == "" || tr.End == "") {
		return w, errors.New("caldata: time range needs both start and end")
	}
	var err error
	if tr.Start != "" {
		if w.start, err = parseUTC(tr.Start); err != nil {
			return w, err
		}
		w.hasStart = true
	}
	if tr.End != "" {
		if w.end, err = parseUTC(tr.End); err != nil {
			return w, err
		}
		w.hasEnd = true
	}
	if w.hasStart && w.hasEnd && !w.end.After(w.start) {
		return w, errors.New("caldata: time range end not after start")
	}
	return w, nil
}

// The comparisons of the RFC 4791 §9.9 tables, where "start" and "end" are
// the bounds of the time range and an absent bound is infinite.

func (w window) startLT(t time.Time) bool { return !w.hasStart || w.start.Before(t) }
func (w window) startLE(t time.Time) bool { return !w.hasStart || !w.start.After(t) }
func (w window) endGT(t time.Time) bool   { return !w.hasEnd || w.end.After(t) }
func (w window) endGE(t time.Time) bool   { return !w.hasEnd || !w.end.Before(t) }

// overlaps is (start < e AND end > s).
func (w window) overlaps(s, e time.Time) bool { return w.startLT(e) && w.endGT(s) }

// contains is (start <= t AND end > t), the test for points in time:
// zero-length events, alarm triggers and date-time properties.
func (w window) contains(t time.Time) bool { return w.startLE(t) && w.endGT(t) }

// widen returns the recur.Options window bounds that are a superset of w
// grown by before and after: instances are then tested exactly.
func (w window) widen(before, after time.Duration) (from, to time.Time) {
	if w.hasStart {
		from = w.start.Add(-before)
	}
	if w.hasEnd {
		to = w.end.Add(after)
	}
	return from, to
}
