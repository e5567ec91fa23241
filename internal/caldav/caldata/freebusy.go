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

// ProdID is the PRODID of the calendars this package builds.
const ProdID = "-//Almanac//CalDAV Server//EN"

// The FBTYPE values of RFC 5545 §3.2.9 that mark busy time: the values of
// BusyPeriod.Type.
const (
	FBTypeBusy            = "BUSY"
	FBTypeBusyTentative   = "BUSY-TENTATIVE"
	FBTypeBusyUnavailable = "BUSY-UNAVAILABLE"
)

// fbFree is the FBTYPE of free time, which is never busy.
const fbFree = "FREE"

// BusyPeriod is one period of busy time in UTC with its FBTYPE (RFC 5545
// §3.2.9): FBTypeBusy, FBTypeBusyTentative or FBTypeBusyUnavailable.
type BusyPeriod struct {
	Start, End time.Time
	Type       string
}

// busyOrder is the precedence of FBTYPEs where busy time of different
// types overlaps, highest first. RFC 5546 Appendix A.1: FREEBUSY ranges
// of different FBTYPE MUST NOT overlap, so each instant takes one type:
// an event beats a tentative event, and both beat unavailable time, which
// events are laid over (RFC 7953 §5, step 4).
var busyOrder = []string{FBTypeBusy, FBTypeBusyTentative, FBTypeBusyUnavailable}

// Busy returns the busy time of objects (VCALENDARs) within [start, end),
// as RFC 4791 §7.10 counts it for a free-busy-query:
//
//   - the instances of VEVENTs, every recurrence instance with overrides,
//     EXDATEs and RDATEs, unless the component that owns the instance has
//     TRANSP:TRANSPARENT or STATUS:CANCELLED; STATUS:TENTATIVE gives
//     BUSY-TENTATIVE and any other status BUSY; instances of zero
//     duration take no time;
//   - the FREEBUSY periods of VFREEBUSY components with their FBTYPE,
//     except FREE; an unknown FBTYPE counts as BUSY (RFC 5545 §3.2.9).
//
// The periods are clipped to the range, merged per type where they
// overlap or touch, and made non-overlapping across types (RFC 5546
// Appendix A.1) with the precedence BUSY > BUSY-TENTATIVE >
// BUSY-UNAVAILABLE; they are sorted by start. Floating times and dates are
// read in opt.Zone.
//
// Each expansion is bounded by opt.Limits: running out of them is an error
// wrapping recur.ErrBudget. A component that cannot be expanded for other
// reasons (an invalid RRULE, a VEVENT without DTSTART) takes no time.
// VAVAILABILITY components are not busy time here; see Unavailable.
func Busy(objects []*ical.Component, start, end time.Time, opt Options) ([]BusyPeriod, error) {
	w, err := busyWindow(start, end)
	if err != nil {
		return nil, err
	}
	list, err := collectBusy(objects, w, opt, true)
	if err != nil {
		return nil, err
	}
	return layer(list, busyOrder), nil
}

// FreeBusyAll answers a free-busy request over [start, end): the busy time
// of objects (see Busy) and the unavailable time of avail (see
// Unavailable), merged so that no two periods overlap, with the
// precedence BUSY > BUSY-TENTATIVE > BUSY-UNAVAILABLE. It returns one
// VFREEBUSY component, the body of both a CALDAV:free-busy-query answer
// (RFC 4791 §7.10) and an RFC 6638 VFREEBUSY reply: DTSTAMP (now), DTSTART
// and DTEND (the range) and a FREEBUSY property per period, all in UTC.
// The properties are sorted by start (RFC 5545 §3.8.2.6) and each holds
// one period of one FBTYPE; FBTYPE=BUSY, the default, is not written.
// ORGANIZER, ATTENDEE and UID are the caller's to add.
//
// Its errors are those of Busy and Unavailable.
func FreeBusyAll(objects, avail []*ical.Component, start, end, now time.Time, opt Options) (*ical.Component, error) {
	w, err := busyWindow(start, end)
	if err != nil {
		return nil, err
	}
	return freeBusy(objects, avail, w, now, opt, true)
}

// FreeBusy builds the answer of a free-busy-query REPORT (RFC 4791 §7.10)
// over [start, end) from the calendar objects of a collection: a VCALENDAR
// holding the VFREEBUSY of FreeBusyAll. RFC 7953 §7.2.3: the VAVAILABILITY
// components among objects count too, as the avail of FreeBusyAll.
//
// Unlike FreeBusyAll, a component that cannot be expanded within
// opt.Limits is left out rather than failing the answer, and a range whose
// end is not after its start gives a VFREEBUSY without FREEBUSY.
func FreeBusy(objects []*ical.Component, start, end time.Time, now time.Time, opt Options) *ical.Component {
	w := window{start: start.UTC(), end: end.UTC(), hasStart: true, hasEnd: true}
	vfb, err := freeBusy(objects, objects, w, now, opt, false)
	if err != nil {
		return nil
	}
	cal := ical.NewComponent(ical.CompCalendar)
	cal.Add(ical.NewProperty(ical.PropVersion, "2.0"))
	cal.Add(ical.NewProperty(ical.PropProdID, ProdID))
	cal.Children = append(cal.Children, vfb)
	return cal
}

// busyWindow checks a range given to the exported functions.
func busyWindow(start, end time.Time) (window, error) {
	if !end.After(start) {
		return window{}, errors.New("caldata: time range end not after start")
	}
	return window{start: start.UTC(), end: end.UTC(), hasStart: true, hasEnd: true}, nil
}

// freeBusy builds the VFREEBUSY of FreeBusyAll. With strict false,
// components that run out of their expansion limits are left out.
func freeBusy(objects, avail []*ical.Component, w window, now time.Time, opt Options, strict bool) (*ical.Component, error) {
	list, err := collectBusy(objects, w, opt, strict)
	if err != nil {
		return nil, err
	}
	un, err := unavailable(avail, w, opt, strict)
	if err != nil {
		return nil, err
	}
	vfb := ical.NewComponent(ical.CompFreeBusy)
	for _, b := range []struct {
		name string
		t    time.Time
	}{{ical.PropDTStamp, now}, {ical.PropDTStart, w.start}, {ical.PropDTEnd, w.end}} {
		p := ical.NewProperty(b.name, "")
		p.SetDateTime(ical.NewUTC(b.t))
		vfb.Add(p)
	}
	for _, b := range layer(append(list, un...), busyOrder) {
		p := ical.NewProperty(ical.PropFreeBusy, ical.NewUTC(b.Start).String()+"/"+ical.NewUTC(b.End).String())
		if b.Type != FBTypeBusy {
			p.Params.Set(ical.ParamFBType, b.Type)
		}
		vfb.Add(p)
	}
	return vfb, nil
}

// collectBusy returns the busy periods of objects within w, clipped but
// neither merged nor sorted. With strict, running out of the expansion
// limits is an error; without, the component is left out.
func collectBusy(objects []*ical.Component, w window, opt Options, strict bool) ([]BusyPeriod, error) {
	var all []BusyPeriod
	add := func(b BusyPeriod) { all = append(all, b) }
	for _, vcal := range objects {
		if vcal == nil {
			continue
		}
		if err := newObject(vcal, opt).busy(w, strict, add); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// busy calls add with each busy period of one calendar object within w,
// clipped to w.
func (o *object) busy(w window, strict bool, add func(BusyPeriod)) error {
	clip := func(s, e time.Time, fbType string) {
		s, e = later(s, w.start), earlier(e, w.end)
		if e.After(s) {
			add(BusyPeriod{s.UTC(), e.UTC(), fbType})
		}
	}
	for _, c := range o.vcal.Children {
		switch c.Name {
		case ical.CompFreeBusy:
			for _, p := range c.PropsNamed(ical.PropFreeBusy) {
				fbType := busyType(p.Params.Get(ical.ParamFBType), FBTypeBusy)
				if fbType == "" {
					continue
				}
				for _, pe := range o.periods(p) {
					clip(pe.start, pe.end, fbType)
				}
			}
		case ical.CompEvent:
			s := o.sets[c]
			if s == nil || (s.master != nil && c != s.master) || (s.master == nil && c != s.overrides[0]) {
				continue // each set once
			}
			insts, err := o.expand(s, w.start, w.end)
			if err != nil {
				if strict && errors.Is(err, recur.ErrBudget) {
					return fmt.Errorf("caldata: busy time of %q: %w", c.Value(ical.PropUID), err)
				}
				continue
			}
			for _, in := range insts {
				if fbType, ok := eventFBType(s.owner(in)); ok {
					clip(in.StartTime, in.EndTime, fbType)
				}
			}
		}
	}
	return nil
}

// eventFBType maps TRANSP and STATUS to FBTYPE (RFC 4791 §7.10); false
// means the event takes no time.
func eventFBType(c *ical.Component) (string, bool) {
	if c == nil || upper(c.Value(ical.PropTransp)) == "TRANSPARENT" {
		return "", false
	}
	switch upper(c.Value(ical.PropStatus)) {
	case "CANCELLED":
		return "", false
	case "TENTATIVE":
		return FBTypeBusyTentative, true
	}
	return FBTypeBusy, true
}

// busyType returns the busy type an FBTYPE or BUSYTYPE value v stands for:
// def when v is empty, "" for FREE, and BUSY for a value it does not know
// (RFC 5545 §3.2.9: "Applications MUST treat x-name and iana-token values
// they don't recognize the same way as they would the BUSY value").
func busyType(v, def string) string {
	switch v = upper(v); v {
	case "":
		return def
	case fbFree:
		return ""
	case FBTypeBusy, FBTypeBusyTentative, FBTypeBusyUnavailable:
		return v
	}
	return FBTypeBusy
}

// layer merges typed busy periods into sorted, non-overlapping ones: the
// periods of each type are merged where they overlap or touch, and the
// time of the types earlier in order is cut out of the later ones. Types
// not in order are dropped.
func layer(list []BusyPeriod, order []string) []BusyPeriod {
	var out []BusyPeriod
	var claimed []period
	for _, t := range order {
		var ps []period
		for _, b := range list {
			if b.Type == t {
				ps = append(ps, period{b.Start, b.End})
			}
		}
		if len(ps) == 0 {
			continue
		}
		u := union(ps)
		for _, p := range subtract(u, claimed) {
			out = append(out, BusyPeriod{p.start, p.end, t})
		}
		claimed = union(append(claimed, u...))
	}
	slices.SortFunc(out, func(a, b BusyPeriod) int { return a.Start.Compare(b.Start) })
	return out
}

// union sorts ps by start and merges periods that overlap or touch; empty
// periods are dropped. It reuses the array of ps.
func union(ps []period) []period {
	slices.SortFunc(ps, func(a, b period) int {
		return cmp.Or(a.start.Compare(b.start), a.end.Compare(b.end))
	})
	out := ps[:0]
	for _, p := range ps {
		if !p.end.After(p.start) {
			continue
		}
		if n := len(out); n > 0 && !p.start.After(out[n-1].end) {
			out[n-1].end = later(out[n-1].end, p.end)
			continue
		}
		out = append(out, p)
	}
	return out
}

// subtract returns the parts of a not covered by cut; both are sorted and
// disjoint, as union returns them, and so is the result.
func subtract(a, cut []period) []period {
	var out []period
	j := 0
	for _, p := range a {
		for j < len(cut) && !cut[j].end.After(p.start) {
			j++
		}
		s := p.start
		for k := j; k < len(cut) && cut[k].start.Before(p.end); k++ {
			if cut[k].start.After(s) {
				out = append(out, period{s, cut[k].start})
			}
			s = later(s, cut[k].end)
		}
		if p.end.After(s) {
			out = append(out, period{s, p.end})
		}
	}
	return out
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
