// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"cmp"
	"slices"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// ProdID is the PRODID of the calendars this package builds.
const ProdID = "-//Almanac//CalDAV Server//EN"

// The FBTYPE values of RFC 5545 §3.2.9.
const (
	fbBusy          = "BUSY"
	fbFree          = "FREE"
	fbBusyTentative = "BUSY-TENTATIVE"
)

// busy is a busy period with its FBTYPE.
type busy struct {
	period
	fbType string
}

// FreeBusy builds the answer of a free-busy-query REPORT (RFC 4791 §7.10)
// over [start, end) from the calendar objects of a collection: a VCALENDAR
// with one VFREEBUSY holding DTSTAMP (now), DTSTART and DTEND (the range)
// and a FREEBUSY property per busy period, in UTC, sorted by start and
// clipped to the range. Periods of one FBTYPE that overlap or touch are
// merged (§7.10: "Servers SHOULD coalesce consecutive or overlapping busy
// time periods of the same type"). FBTYPE=BUSY, the default, is not
// written.
//
// Following the table of §7.10, VEVENT instances count unless their
// component has TRANSP:TRANSPARENT or STATUS:CANCELLED; STATUS:TENTATIVE
// gives BUSY-TENTATIVE and any other status BUSY. Recurring events are
// expanded, overrides included; instances of zero duration take no time.
// The FREEBUSY values of stored VFREEBUSY components count with their own
// FBTYPE, except FREE. Components that cannot be expanded within
// opt.Limits are left out.
func FreeBusy(objects []*ical.Component, start, end time.Time, now time.Time, opt Options) *ical.Component {
	w := window{start: start.UTC(), end: end.UTC(), hasStart: true, hasEnd: true}
	var all []busy
	for _, vcal := range objects {
		if vcal != nil {
			all = append(all, newObject(vcal, opt).busy(w)...)
		}
	}
	vfb := ical.NewComponent(ical.CompFreeBusy)
	stamp := ical.NewProperty(ical.PropDTStamp, "")
	stamp.SetDateTime(ical.NewUTC(now))
	vfb.Add(stamp)
	for _, b := range []struct {
		name string
		t    time.Time
	}{{ical.PropDTStart, w.start}, {ical.PropDTEnd, w.end}} {
		p := ical.NewProperty(b.name, "")
		p.SetDateTime(ical.NewUTC(b.t))
		vfb.Add(p)
	}
	for _, b := range coalesce(all) {
		p := ical.NewProperty(ical.PropFreeBusy, ical.NewUTC(b.start).String()+"/"+ical.NewUTC(b.end).String())
		if b.fbType != fbBusy {
			p.Params.Set(ical.ParamFBType, b.fbType)
		}
		vfb.Add(p)
	}
	cal := ical.NewComponent(ical.CompCalendar)
	cal.Add(ical.NewProperty(ical.PropVersion, "2.0"))
	cal.Add(ical.NewProperty(ical.PropProdID, ProdID))
	cal.Children = append(cal.Children, vfb)
	return cal
}

// busy returns the busy periods of one calendar object within w, clipped.
func (o *object) busy(w window) []busy {
	var out []busy
	add := func(s, e time.Time, fbType string) {
		s, e = later(s, w.start), earlier(e, w.end)
		if e.After(s) {
			out = append(out, busy{period{s.UTC(), e.UTC()}, fbType})
		}
	}
	for _, c := range o.vcal.Children {
		switch c.Name {
		case ical.CompFreeBusy:
			for _, p := range c.PropsNamed(ical.PropFreeBusy) {
				fbType := upper(p.Params.Get(ical.ParamFBType))
				if fbType == "" {
					fbType = fbBusy
				}
				if fbType == fbFree {
					continue
				}
				for _, pe := range o.periods(p) {
					add(pe.start, pe.end, fbType)
				}
			}
		case ical.CompEvent:
			s := o.sets[c]
			if s == nil || (s.master != nil && c != s.master) || (s.master == nil && c != s.overrides[0]) {
				continue // each set once
			}
			insts, err := o.expand(s, w.start, w.end)
			if err != nil {
				continue
			}
			for _, in := range insts {
				if fbType, ok := eventFBType(s.owner(in)); ok {
					add(in.StartTime, in.EndTime, fbType)
				}
			}
		}
	}
	return out
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
		return fbBusyTentative, true
	}
	return fbBusy, true
}

// coalesce sorts busy periods by start and merges those of one FBTYPE
// that overlap or touch.
func coalesce(list []busy) []busy {
	slices.SortFunc(list, func(a, b busy) int {
		return cmp.Or(cmp.Compare(a.fbType, b.fbType), a.start.Compare(b.start), a.end.Compare(b.end))
	})
	var out []busy
	for _, b := range list {
		if n := len(out); n > 0 && out[n-1].fbType == b.fbType && !b.start.After(out[n-1].end) {
			out[n-1].end = later(out[n-1].end, b.end)
			continue
		}
		out = append(out, b)
	}
	slices.SortStableFunc(out, func(a, b busy) int { return a.start.Compare(b.start) })
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
