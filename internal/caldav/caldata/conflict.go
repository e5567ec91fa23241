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
// The instances of candidate are computed first; the objects of existing
// and avail are then expanded only between the first start and the last
// end among them, and the two sorted lists are swept once. Expansion on
// both sides is bounded by opt.Limits: running out of them is an error
// wrapping recur.ErrBudget, as is any failure to expand candidate.
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
	within := window{start: spans[0].start, end: spans[0].end, hasStart: true, hasEnd: true}
	for _, sp := range spans[1:] {
		within.end = later(within.end, sp.end)
	}
	others := existing
	if uid != "" {
		others = slices.DeleteFunc(slices.Clone(existing), func(vcal *ical.Component) bool { return hasUID(vcal, uid) })
	}
	taken, err := collectBusy(others, within, opt, true)
	if err != nil {
		return false, time.Time{}, err
	}
	un, err := unavailable(avail, within, opt, true)
	if err != nil {
		return false, time.Time{}, err
	}
	ps := make([]period, 0, len(taken)+len(un))
	for _, b := range append(taken, un...) {
		ps = append(ps, period{b.Start, b.End})
	}
	busy := union(ps)
	// Both lists are sorted by start and busy is disjoint, so the busy
	// periods that end before an instance starts are done with for every
	// later instance too.
	j := 0
	for _, sp := range spans {
		for j < len(busy) && !busy[j].end.After(sp.start) {
			j++
		}
		if j == len(busy) {
			break
		}
		if busy[j].start.Before(sp.end) {
			return true, sp.at, nil
		}
	}
	return false, time.Time{}, nil
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
