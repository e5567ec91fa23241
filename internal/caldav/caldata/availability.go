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
	"github.com/almanac-project/almanac/ical/recur"
)

// availabilityOrder is the precedence of busy types where VAVAILABILITY
// components of the same PRIORITY overlap, highest first (RFC 7953 §4:
// "BUSY > BUSY-UNAVAILABLE > BUSY-TENTATIVE").
var availabilityOrder = []string{FBTypeBusy, FBTypeBusyUnavailable, FBTypeBusyTentative}

// lowestRank is the rank of a VAVAILABILITY without a usable PRIORITY.
const lowestRank = 10

// Unavailable returns the busy time that the VAVAILABILITY components
// (RFC 7953) of avail impose on [start, end), sorted by start and not
// overlapping. Each element of avail is a VCALENDAR: the
// CALDAV:calendar-availability property of a scheduling inbox (§7.2.4) or
// a calendar object resource that holds VAVAILABILITY components; other
// components are ignored.
//
// Within the time of a VAVAILABILITY, from DTSTART to DTEND or
// DTSTART+DURATION, unbounded where they are absent (§3.1), every time not
// covered by an instance of one of its AVAILABLE components is busy with
// the type of its BUSYTYPE (§3.2: BUSY-UNAVAILABLE by default; an unknown
// value counts as BUSY). AVAILABLE components recur with RRULE, RDATE and
// EXDATE and are overridden by RECURRENCE-ID, as VEVENTs are; their
// instances count only within their VAVAILABILITY's time (§5, step 3).
//
// Overlapping VAVAILABILITY components are combined by PRIORITY (§4), 1
// being the highest, 9 the lowest and 0 or none lower still: over the time
// of a component, components of lower priority are hidden, both their
// busy and their available time. Components of equal priority are
// combined as the procedure of §5 does: their times are busy with the
// precedence BUSY > BUSY-UNAVAILABLE > BUSY-TENTATIVE of §4, and the
// available time of any of them is free.
//
// Each expansion is bounded by opt.Limits: running out of them is an error
// wrapping recur.ErrBudget. A VAVAILABILITY whose DTSTART, DTEND or
// DURATION does not parse is ignored; an AVAILABLE component that cannot
// be expanded for another reason gives no available time.
func Unavailable(avail []*ical.Component, start, end time.Time, opt Options) ([]BusyPeriod, error) {
	w, err := busyWindow(start, end)
	if err != nil {
		return nil, err
	}
	return unavailable(avail, w, opt, true)
}

// vavailability is one VAVAILABILITY component within a window.
type vavailability struct {
	// rank is the PRIORITY, 1 (highest) to 9, or lowestRank.
	rank int
	// span is the component's time, clipped to the window.
	span period
	// busyType is the type of its busy time.
	busyType string
	// available is the time of its AVAILABLE instances within span,
	// merged and sorted.
	available []period
}

// unavailable computes Unavailable over w. With strict false, a
// VAVAILABILITY that runs out of its expansion limits is left out.
func unavailable(avail []*ical.Component, w window, opt Options, strict bool) ([]BusyPeriod, error) {
	var comps []vavailability
	for _, vcal := range avail {
		if vcal == nil || !slices.ContainsFunc(vcal.Children, isAvailability) {
			continue
		}
		o := newObject(vcal, opt)
		for _, c := range vcal.Children {
			if !isAvailability(c) {
				continue
			}
			v, ok, err := o.vavailability(c, w)
			if err != nil {
				if strict {
					return nil, fmt.Errorf("caldata: availability %q: %w", c.Value(ical.PropUID), err)
				}
				continue
			}
			if ok {
				comps = append(comps, v)
			}
		}
	}
	// RFC 7953 §4: "order the intersecting "VAVAILABILITY" components by
	// priority"; here from the highest, so that each priority level only
	// fills the time that the levels above it left open.
	slices.SortStableFunc(comps, func(a, b vavailability) int { return cmp.Compare(a.rank, b.rank) })
	var out []BusyPeriod
	var claimed []period
	for i := 0; i < len(comps); {
		j := i + 1
		for j < len(comps) && comps[j].rank == comps[i].rank {
			j++
		}
		var busy []BusyPeriod
		var cover, free []period
		for _, v := range comps[i:j] {
			busy = append(busy, BusyPeriod{v.span.start, v.span.end, v.busyType})
			cover = append(cover, v.span)
			free = append(free, v.available...)
		}
		// The level's time is busy except where one of its components is
		// available, and it hides the lower levels over all its time.
		hidden := union(append(free, claimed...))
		for _, b := range layer(busy, availabilityOrder) {
			for _, p := range subtract([]period{{b.Start, b.End}}, hidden) {
				out = append(out, BusyPeriod{p.start, p.end, b.Type})
			}
		}
		claimed = union(append(claimed, cover...))
		i = j
	}
	slices.SortFunc(out, func(a, b BusyPeriod) int { return a.Start.Compare(b.Start) })
	return out, nil
}

func isAvailability(c *ical.Component) bool { return c.Name == ical.CompAvailability }

// vavailability reads a VAVAILABILITY component c within w; false means it
// does not intersect w or its time does not parse.
func (o *object) vavailability(c *ical.Component, w window) (vavailability, bool, error) {
	v := vavailability{rank: availabilityRank(c), busyType: busyType(c.Value(ical.PropBusyType), FBTypeBusyUnavailable)}
	if v.busyType == "" {
		// RFC 7953 §3.2: BUSYTYPE does not take "FREE"; an unknown value
		// counts as BUSY (RFC 5545 §3.2.9).
		v.busyType = FBTypeBusy
	}
	// RFC 7953 §3.1: "If "DTSTART" is not present, then the start time is
	// unbounded. If "DTEND" or "DURATION" are not present, then the end
	// time is unbounded." A DURATION without DTSTART is not allowed and is
	// ignored.
	s, e := w.start, w.end
	start, hasStart := o.propInstant(c, ical.PropDTStart)
	if hasProp(c, ical.PropDTStart) && !hasStart {
		return v, false, nil
	}
	if hasStart {
		s = later(s, start)
	}
	switch {
	case hasProp(c, ical.PropDTEnd):
		t, ok := o.propInstant(c, ical.PropDTEnd)
		if !ok {
			return v, false, nil
		}
		e = earlier(e, t)
	case hasStart && hasProp(c, ical.PropDuration):
		d, err := c.Prop(ical.PropDuration).Duration()
		if err != nil {
			return v, false, nil
		}
		e = earlier(e, d.AddTo(start, o.zoneOfProp(c, ical.PropDTStart)))
	}
	if !e.After(s) {
		return v, false, nil // RFC 7953 §5, step 2.A
	}
	v.span = period{s, e}
	for _, set := range availableSets(c) {
		insts, err := o.expand(set, s, e)
		if err != nil {
			if errors.Is(err, recur.ErrBudget) {
				return v, false, err
			}
			continue
		}
		// RFC 7953 §5, step 3.A.i: "ignoring instances or parts of
		// instances that fall outside of the free-busy request time range
		// or the time period specified by the "VAVAILABILITY" component".
		for _, in := range insts {
			if p := (period{later(in.StartTime, s), earlier(in.EndTime, e)}); p.end.After(p.start) {
				v.available = append(v.available, p)
			}
		}
	}
	v.available = union(v.available)
	return v, true, nil
}

// availabilityRank returns the rank of a VAVAILABILITY's PRIORITY: 1 to 9
// as written (RFC 5545 §3.8.1.9: 1 is the highest, 9 the lowest), and
// lowestRank for 0, none or a value that is not a priority (RFC 7953 §4:
// "an absence of a "PRIORITY" property or a value of 0 implies the lowest
// level of priority").
func availabilityRank(c *ical.Component) int {
	if p := c.Prop(ical.PropPriority); p != nil {
		if n, err := p.Int(); err == nil && n >= 1 && n <= 9 {
			return int(n)
		}
	}
	return lowestRank
}

// availableSets groups the AVAILABLE components of a VAVAILABILITY into
// recurrence sets by UID: a master and the components with a
// RECURRENCE-ID that override its instances (RFC 7953 §3.1). A component
// without a UID stands alone, and so does a second master of one UID.
func availableSets(vav *ical.Component) []*set {
	return groupChildren(vav, func(name string) bool { return name == ical.CompAvailable })
}
