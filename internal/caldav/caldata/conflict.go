// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// Conflict reports whether an instance of candidate overlaps time that is
// already taken, for a calendar user such as a room or a resource that
// accepts invitations automatically and answers a clash with REQUEST-STATUS
// 4.0 "Event conflict. Date/time is busy." (RFC 5546 §3.6.28). It returns
// the start of the earliest conflicting instance for the status message.
//
// candidate is a calendar object resource: a VCALENDAR whose VEVENTs share
// one UID, a master and its overrides, recurring or not. Its instances are
// expanded within [start, end), so an endless rule is checked up to end.
// An instance whose own component is TRANSPARENT or CANCELLED never
// conflicts, and neither does one of zero duration.
//
// The time taken is the busy time of existing, of any FBTYPE (see Busy),
// and the unavailable time of avail (see Unavailable). An object of
// existing that has a component with candidate's UID is ignored: it is the
// same event, an earlier version of candidate.
//
// The instances of candidate are computed and sorted first; the objects
// of existing and avail are then expanded only between the first start
// and the last end among them, and each busy period they yield is located
// among the instances by binary search: O((n+m) log n) for n instances
// and m busy periods, without comparing every pair or sorting the busy
// time. Expansion on both sides is bounded by opt.Limits: running out of
// them is an error wrapping recur.ErrBudget, as is any failure to expand
// candidate.
func Conflict(candidate *ical.Component, existing, avail []*ical.Component, start, end time.Time, opt Options) (conflict bool, at time.Time, err error) {
	if candidate == nil {
		return false, time.Time{}, errors.New("caldata: Conflict needs a candidate")
	}
	w, err := busyWindow(start, end)
	if err != nil {
		return false, time.Time{}, err
	}
	spans, uid, err := candidateSpans(candidate, w, opt)
	if err != nil || len(spans) == 0 {
		return false, time.Time{}, err
	}
	// reach[i] is the latest end among spans[:i+1]: the instances are
	// sorted by start, and reach makes their ends searchable too.
	reach := make([]time.Time, len(spans))
	within := window{start: spans[0].start, end: spans[0].end, hasStart: true, hasEnd: true}
	for i, sp := range spans {
		within.end = later(within.end, sp.end)
		reach[i] = within.end
	}
	first := len(spans) // the earliest conflicting instance so far
	check := func(b BusyPeriod) {
		// The instances that start before b ends are spans[:n]; the first
		// of them to end after b starts is the first whose reach does, as
		// the reach of the ones before it is not after b.Start.
		n, _ := slices.BinarySearchFunc(spans[:first], b.End, func(sp instanceSpan, t time.Time) int {
			if sp.start.Before(t) {
				return -1
			}
			return 1
		})
		i, _ := slices.BinarySearchFunc(reach[:n], b.Start, func(r, t time.Time) int {
			if r.After(t) {
				return 1
			}
			return -1
		})
		if i < n {
			first = i
		}
	}
	for _, vcal := range existing {
		if vcal == nil || (uid != "" && hasUID(vcal, uid)) {
			continue
		}
		if err := newObject(vcal, opt).busy(within, true, check); err != nil {
			return false, time.Time{}, err
		}
	}
	un, err := unavailable(avail, within, opt, true)
	if err != nil {
		return false, time.Time{}, err
	}
	for _, b := range un {
		check(b)
	}
	if first == len(spans) {
		return false, time.Time{}, nil
	}
	return true, spans[first].at, nil
}

// instanceSpan is an instance of the candidate clipped to the range, with
// its start before clipping.
type instanceSpan struct {
	period
	at time.Time
}

// candidateSpans returns the instances of candidate's VEVENTs within w
// that take time, sorted by start, and candidate's UID.
func candidateSpans(candidate *ical.Component, w window, opt Options) ([]instanceSpan, string, error) {
	o := newObject(candidate, opt)
	var spans []instanceSpan
	uid := ""
	for _, s := range groupSets(candidate) {
		first := s.master
		if first == nil {
			first = s.overrides[0]
		}
		if first.Name != ical.CompEvent {
			continue
		}
		if uid == "" {
			uid = first.Value(ical.PropUID)
		}
		insts, err := o.expand(s, w.start, w.end)
		if err != nil {
			return nil, "", fmt.Errorf("caldata: candidate %q: %w", first.Value(ical.PropUID), err)
		}
		for _, in := range insts {
			if _, ok := eventFBType(s.owner(in)); !ok {
				continue
			}
			sp := instanceSpan{period{later(in.StartTime, w.start), earlier(in.EndTime, w.end)}, in.StartTime.UTC()}
			if sp.end.After(sp.start) {
				spans = append(spans, sp)
			}
		}
	}
	slices.SortFunc(spans, func(a, b instanceSpan) int {
		return cmp.Or(a.start.Compare(b.start), a.at.Compare(b.at))
	})
	return spans, uid, nil
}

// hasUID reports whether a component of vcal has the given UID.
func hasUID(vcal *ical.Component, uid string) bool {
	if vcal == nil {
		return false
	}
	return slices.ContainsFunc(vcal.Children, func(c *ical.Component) bool { return c.Value(ical.PropUID) == uid })
}
