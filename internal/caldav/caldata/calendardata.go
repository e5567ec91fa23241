// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"errors"
	"fmt"
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// MediaType is the only media type of calendar object resources this
// package supports (RFC 4791 §5.2.4).
const MediaType = "text/calendar"

func invalidCalendarData(format string, args ...any) error {
	return forbidden("valid-calendar-data", fmt.Sprintf(format, args...))
}

// Validate checks a calendar-data request element (RFC 4791 §9.6). It
// returns a *PreconditionError: CALDAV:supported-calendar-data when the
// content-type and version attributes name anything but text/calendar 2.0
// (§7.8, §7.9 preconditions), and CALDAV:valid-calendar-data when the comp
// element does not name VCALENDAR, both expand and limit-recurrence-set are
// given (§9.6 allows one), or a time range of expand, limit-recurrence-set
// or limit-freebusy-set lacks start or end or is malformed (§9.6.5–§9.6.7).
func (d *CalendarData) Validate() error {
	if d.ContentType != "" {
		mt, _, err := mime.ParseMediaType(d.ContentType)
		if err != nil || mt != MediaType {
			return forbidden("supported-calendar-data", "only text/calendar is supported")
		}
	}
	if v := strings.TrimSpace(d.Version); v != "" && v != "2.0" {
		return forbidden("supported-calendar-data", "only iCalendar version 2.0 is supported")
	}
	if d.Comp != nil && upper(d.Comp.Name) != ical.CompCalendar {
		return invalidCalendarData("the comp element of calendar-data must name VCALENDAR")
	}
	if d.Expand != nil && d.LimitRecurrenceSet != nil {
		return invalidCalendarData("expand and limit-recurrence-set are exclusive")
	}
	for _, r := range []struct {
		name string
		tr   *TimeRange
	}{{"expand", d.Expand}, {"limit-recurrence-set", d.LimitRecurrenceSet}, {"limit-freebusy-set", d.LimitFreeBusySet}} {
		if r.tr == nil {
			continue
		}
		if _, err := parseWindow(r.tr, true); err != nil {
			return invalidCalendarData("%s: %v", r.name, err)
		}
	}
	return nil
}

// Apply returns the calendar data to send for the calendar object vcal in
// answer to a calendaring REPORT's calendar-data element (RFC 4791 §9.6).
// It never modifies vcal; the result may share nothing with it. The steps
// are, in order:
//
//   - expand (§9.6.5): every recurrence set becomes one component per
//     instance that overlaps the range (by the §9.9 rules), each with a
//     RECURRENCE-ID, the first instance included, and no RRULE, RDATE,
//     EXDATE or EXRULE; overrides supply their instances. Non-recurring
//     components are kept when they overlap the range. Values with a TZID
//     become UTC and VTIMEZONE components are dropped. Floating times and
//     dates do not refer to a time zone and keep their form.
//   - limit-recurrence-set (§9.6.6): the master components are kept, and
//     only the overrides whose current or original time overlaps the
//     range, or that have RANGE=THISANDFUTURE and start before its end.
//   - limit-freebusy-set (§9.6.7): FREEBUSY values of VFREEBUSY components
//     that do not overlap the range are dropped, and properties left
//     without a value.
//   - comp, prop, allprop, allcomp (§9.6.1–§9.6.4): partial retrieval.
//     A comp element without any prop, allprop, comp or allcomp child
//     returns its component whole, as the example of RFC 4791 §7.8.1 does
//     with <C:comp name="VTIMEZONE"/>. novalue="yes" keeps a property's
//     name and parameters with an empty value.
//
// Apply calls Validate first. The error wraps recur.ErrBudget when an
// expansion exceeds opt.Limits.
func (d *CalendarData) Apply(vcal *ical.Component, opt Options) (*ical.Component, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if vcal == nil {
		return nil, fmt.Errorf("caldata: Apply needs a calendar")
	}
	out := clone(vcal)
	o := newObject(vcal, opt)
	var err error
	switch {
	case d.Expand != nil:
		w, _ := parseWindow(d.Expand, true)
		if out, err = o.expandAll(w); err != nil {
			return nil, err
		}
	case d.LimitRecurrenceSet != nil:
		w, _ := parseWindow(d.LimitRecurrenceSet, true)
		if out, err = o.limitRecurrenceSet(w); err != nil {
			return nil, err
		}
	}
	if d.LimitFreeBusySet != nil {
		w, _ := parseWindow(d.LimitFreeBusySet, true)
		o.limitFreeBusy(out, w)
	}
	if d.Comp != nil {
		out = d.Comp.apply(out)
	}
	return out, nil
}

// clone returns a deep copy of c. Property values are immutable strings
// and Params never share changes, so copying the slices suffices.
func clone(c *ical.Component) *ical.Component {
	n := &ical.Component{Name: c.Name, Line: c.Line}
	n.Props = append([]ical.Property(nil), c.Props...)
	if len(c.Children) > 0 {
		n.Children = make([]*ical.Component, len(c.Children))
		for i, ch := range c.Children {
			n.Children[i] = clone(ch)
		}
	}
	return n
}

// apply keeps the parts of c that the comp element asks for (RFC 4791
// §9.6.1–§9.6.4).
func (cp *Comp) apply(c *ical.Component) *ical.Component {
	if cp.AllProp == nil && len(cp.Props) == 0 && cp.AllComp == nil && len(cp.Comps) == 0 {
		return clone(c)
	}
	n := &ical.Component{Name: c.Name, Line: c.Line}
	for _, p := range c.Props {
		if cp.AllProp != nil {
			n.Props = append(n.Props, p)
			continue
		}
		for _, want := range cp.Props {
			if upper(want.Name) != p.Name {
				continue
			}
			if want.NoValue == "yes" {
				p.Value = ""
			}
			n.Props = append(n.Props, p)
			break
		}
	}
	for _, ch := range c.Children {
		if cp.AllComp != nil {
			n.Children = append(n.Children, clone(ch))
			continue
		}
		for i := range cp.Comps {
			if upper(cp.Comps[i].Name) == ch.Name {
				n.Children = append(n.Children, cp.Comps[i].apply(ch))
				break
			}
		}
	}
	return n
}

// expandAll implements CALDAV:expand (RFC 4791 §9.6.5) over w.
func (o *object) expandAll(w window) (*ical.Component, error) {
	out := &ical.Component{Name: o.vcal.Name, Props: append([]ical.Property(nil), o.vcal.Props...)}
	m := &matcher{object: o}
	done := map[*set]bool{}
	for _, c := range o.vcal.Children {
		switch {
		case c.Name == ical.CompTimezone:
			// "MUST NOT have reference to or include VTIMEZONE components"
			continue
		case !recurring(c.Name):
			out.Children = append(out.Children, o.toUTC(clone(c)))
			continue
		}
		s := o.sets[c]
		if done[s] {
			continue
		}
		done[s] = true
		if !s.recurs() {
			if m.overlaps(c, nil, w) {
				out.Children = append(out.Children, o.toUTC(clone(c)))
			}
			if m.err != nil {
				return nil, m.err
			}
			continue
		}
		from, to := w.widen(time.Second, time.Second)
		insts, err := o.expand(s, from, to)
		if errors.Is(err, recur.ErrBudget) {
			return nil, fmt.Errorf("caldata: expand %s: %w", c.Value(ical.PropUID), err)
		}
		if err != nil {
			// A set that cannot be expanded (no DTSTART, a bad RRULE) is
			// returned as stored rather than hidden.
			for _, x := range append([]*ical.Component{s.master}, s.overrides...) {
				if x != nil {
					out.Children = append(out.Children, o.toUTC(clone(x)))
				}
			}
			continue
		}
		for _, in := range insts {
			owner := s.owner(in)
			if owner == nil || !instanceOverlaps(owner, s.master, in, w) {
				continue
			}
			out.Children = append(out.Children, o.instanceComponent(owner, in))
		}
	}
	return out, nil
}

// instanceComponent returns the component of one expanded instance: a copy
// of its override or master with RECURRENCE-ID, DTSTART and DTEND or DUE
// set from the instance and the recurrence properties removed (RFC 4791
// §9.6.5).
func (o *object) instanceComponent(owner *ical.Component, in recur.Instance) *ical.Component {
	c := clone(owner)
	for _, name := range []string{ical.PropRRule, ical.PropRDate, ical.PropExDate, ical.PropExRule} {
		c.Del(name)
	}
	rid := ical.NewProperty(ical.PropRecurrenceID, "")
	rid.SetDateTime(o.utcForm(in.RecurrenceID))
	if old := owner.Prop(ical.PropRecurrenceID); old != nil {
		// Keep RANGE and other parameters of an override's RECURRENCE-ID.
		for p := range old.Params.All() {
			if p.Name != ical.ParamTZID && p.Name != ical.ParamValue {
				rid.Params.Add(p.Name, p.Values...)
			}
		}
	}
	start := ical.NewProperty(ical.PropDTStart, "")
	start.SetDateTime(o.utcForm(in.Start))
	c.Set(start)
	endName := ical.PropDTEnd
	if c.Name == ical.CompToDo {
		endName = ical.PropDue
	}
	keepDuration := false
	if dp := c.Prop(ical.PropDuration); dp != nil {
		if dur, err := dp.Duration(); err == nil {
			keepDuration = dur.AddTo(in.StartTime, o.zoneOf(o.utcForm(in.Start))).Equal(in.EndTime)
		}
	}
	if hasProp(c, endName) || hasProp(c, ical.PropDuration) && !keepDuration {
		c.Del(ical.PropDuration)
		end := ical.NewProperty(endName, "")
		end.SetDateTime(o.utcForm(in.End))
		c.Set(end)
	}
	setAfterDates(c, rid)
	return o.toUTC(c)
}

// setAfterDates sets p in c; a new p goes after the last of DTSTART,
// DTEND, DUE and DURATION, where RFC 4791 §7.8.3 prints RECURRENCE-ID.
func setAfterDates(c *ical.Component, p ical.Property) {
	if c.Prop(p.Name) != nil {
		c.Set(p)
		return
	}
	at := len(c.Props)
	for i := range c.Props {
		switch c.Props[i].Name {
		case ical.PropDTStart, ical.PropDTEnd, ical.PropDue, ical.PropDuration:
			at = i + 1
		}
	}
	c.Props = slices.Insert(c.Props, min(at, len(c.Props)), p)
}

// utcForm converts a zoned DATE-TIME to UTC; other forms are returned as
// they are (RFC 4791 §9.6.5 converts "date and local time with reference
// to time zone information").
func (o *object) utcForm(d ical.DateTime) ical.DateTime {
	if d.Kind != ical.KindZoned {
		return d
	}
	t, err := o.instant(d)
	if err != nil {
		return d
	}
	return ical.NewUTC(t)
}

// toUTC rewrites, in c and below it, every property value with a TZID
// parameter in UTC (RFC 4791 §9.6.5).
func (o *object) toUTC(c *ical.Component) *ical.Component {
	c.Walk(func(x *ical.Component) bool {
		for i := range x.Props {
			p := &x.Props[i]
			if !p.Params.Has(ical.ParamTZID) {
				continue
			}
			o.propToUTC(p)
		}
		return true
	})
	return c
}

func (o *object) propToUTC(p *ical.Property) {
	tzid := p.Params.Get(ical.ParamTZID)
	if p.ValueType() == ical.TypePeriod {
		pes, err := p.Periods()
		if err != nil {
			return
		}
		parts := make([]string, len(pes))
		for i, pe := range pes {
			pe.Start = o.utcForm(pe.Start)
			if !pe.HasDuration {
				pe.End = o.utcForm(pe.End)
			}
			parts[i] = pe.String()
		}
		p.Value = strings.Join(parts, ",")
		p.Params.Del(ical.ParamTZID)
		return
	}
	ds, err := p.DateTimes()
	if err != nil || len(ds) == 0 {
		return
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		if d.Kind == ical.KindZoned && d.TZID == "" {
			d.TZID = tzid
		}
		parts[i] = o.utcForm(d).String()
	}
	p.Value = strings.Join(parts, ",")
	p.Params.Del(ical.ParamTZID)
}

// limitRecurrenceSet implements CALDAV:limit-recurrence-set (RFC 4791
// §9.6.6) over w.
func (o *object) limitRecurrenceSet(w window) (*ical.Component, error) {
	out := &ical.Component{Name: o.vcal.Name, Props: append([]ical.Property(nil), o.vcal.Props...)}
	m := &matcher{object: o}
	for _, c := range o.vcal.Children {
		s := o.sets[c]
		if s == nil || c == s.master || s.master == nil {
			out.Children = append(out.Children, clone(c))
			continue
		}
		keep, err := m.overrideImpacts(c, s, w)
		if err != nil {
			return nil, err
		}
		if keep {
			out.Children = append(out.Children, clone(c))
		}
	}
	return out, nil
}

// overrideImpacts reports whether an override's current or original time
// overlaps w, by the §9.9 rules, or it has RANGE=THISANDFUTURE and its
// original start is before the end of w (RFC 4791 §9.6.6).
func (m *matcher) overrideImpacts(c *ical.Component, s *set, w window) (bool, error) {
	if m.setOverlaps(c, w) {
		return true, nil
	}
	if m.err != nil {
		return false, m.err
	}
	rp := c.Prop(ical.PropRecurrenceID)
	rid, err := rp.DateTime()
	if err != nil {
		return false, nil
	}
	orig, err := m.instant(rid)
	if err != nil {
		return false, nil
	}
	if upper(rp.Params.Get(ical.ParamRange)) == "THISANDFUTURE" {
		return w.endGT(orig), nil
	}
	// The original instance is the master's instance at RECURRENCE-ID.
	insts, err := recur.Expand(s.master, nil, m.recurOptions(orig.Add(-time.Second), orig.Add(time.Second)))
	if err != nil {
		return false, nil
	}
	for _, in := range insts {
		if in.StartTime.Equal(orig) {
			return instanceOverlaps(s.master, nil, in, w), nil
		}
	}
	return false, nil
}

// limitFreeBusy implements CALDAV:limit-freebusy-set (RFC 4791 §9.6.7) on
// the VFREEBUSY components of c.
func (o *object) limitFreeBusy(c *ical.Component, w window) {
	c.Walk(func(x *ical.Component) bool {
		if x.Name != ical.CompFreeBusy {
			return true
		}
		props := x.Props[:0:0]
		for _, p := range x.Props {
			if p.Name != ical.PropFreeBusy {
				props = append(props, p)
				continue
			}
			tzid := p.Params.Get(ical.ParamTZID)
			var kept []string
			for _, part := range ical.SplitList(p.Value) {
				pe, err := ical.ParsePeriod(part, tzid)
				if err != nil {
					continue
				}
				if ps, ok := o.period(pe); ok && w.overlaps(ps.start, ps.end) {
					kept = append(kept, part)
				}
			}
			if len(kept) > 0 {
				p.Value = strings.Join(kept, ",")
				props = append(props, p)
			}
		}
		x.Props = props
		return true
	})
}
