// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// overlaps reports whether component c, a child of parent, overlaps w by
// the tables of RFC 4791 §9.9.
func (m *matcher) overlaps(c, parent *ical.Component, w window) bool {
	switch c.Name {
	case ical.CompEvent, ical.CompJournal, ical.CompToDo:
		return m.setOverlaps(c, w)
	case ical.CompFreeBusy:
		return m.freeBusyOverlaps(c, w)
	case ical.CompAlarm:
		return m.alarmOverlaps(c, parent, w)
	case ical.CompAvailability:
		return m.availabilityOverlaps(c, w)
	}
	return false
}

// availabilityOverlaps applies the table of RFC 7953 §7.2.2 to a
// VAVAILABILITY: a missing DTSTART or end leaves that side unbounded.
func (m *matcher) availabilityOverlaps(c *ical.Component, w window) bool {
	start, hasStart := m.propInstant(c, ical.PropDTStart)
	end, hasEnd := m.propInstant(c, ical.PropDTEnd)
	if p := c.Prop(ical.PropDuration); hasStart && !hasEnd && p != nil {
		if d, err := p.Duration(); err == nil {
			end, hasEnd = d.AddTo(start, nil), true
		}
	}
	switch {
	case hasStart && hasEnd:
		return w.overlaps(start, end)
	case hasStart:
		return w.endGT(start)
	case hasEnd:
		return w.startLT(end)
	}
	return true
}

// setOverlaps tests the instances of c's recurrence set that belong to c.
// Instances are expanded over w grown by a second on each side, a superset
// of what the inclusive comparisons of the VTODO table can match, and each
// is then tested exactly.
func (m *matcher) setOverlaps(c *ical.Component, w window) bool {
	s := m.sets[c]
	if s == nil {
		return false
	}
	// RFC 4791 §9.9: a VJOURNAL without DTSTART never overlaps; a VTODO
	// without DTSTART is tested on DUE, COMPLETED and CREATED.
	if !hasProp(c, ical.PropDTStart) && !hasProp(s.master, ical.PropDTStart) {
		if c.Name == ical.CompToDo {
			return m.todoWithoutStart(c, w)
		}
		return false
	}
	from, to := w.widen(time.Second, time.Second)
	insts, err := m.expand(s, from, to)
	if err != nil {
		m.fail(err)
		return false
	}
	for _, in := range insts {
		if s.owner(in) == c && instanceOverlaps(c, s.master, in, w) {
			return true
		}
	}
	return false
}

// instanceOverlaps applies the RFC 4791 §9.9 VEVENT, VJOURNAL and VTODO
// tables (rows with DTSTART) to one instance of c. An override without
// DTEND, DUE or DURATION keeps the master's duration (RFC 5545 §3.8.4.4),
// so the row is chosen by the master's properties.
func instanceOverlaps(c, master *ical.Component, in recur.Instance, w window) bool {
	src := c
	if !hasProp(c, ical.PropDTEnd) && !hasProp(c, ical.PropDue) && !hasProp(c, ical.PropDuration) && master != nil {
		src = master
	}
	s, e := in.StartTime, in.EndTime
	if c.Name == ical.CompToDo {
		switch {
		case hasProp(src, ical.PropDuration):
			// (start <= DTSTART+DURATION) AND ((end > DTSTART) OR (end >= DTSTART+DURATION))
			return w.startLE(e) && (w.endGT(s) || w.endGE(e))
		case hasProp(src, ical.PropDue):
			// ((start < DUE) OR (start <= DTSTART)) AND ((end > DTSTART) OR (end >= DUE))
			return (w.startLT(e) || w.startLE(s)) && (w.endGT(s) || w.endGE(e))
		}
		// (start <= DTSTART) AND (end > DTSTART)
		return w.contains(s)
	}
	// VEVENT: DTEND, or a DURATION greater than 0 seconds, or a DATE
	// DTSTART (+P1D): (start < end-of-instance AND end > DTSTART). VJOURNAL
	// with a DATE DTSTART: (start < DTSTART+P1D AND end > DTSTART).
	if hasProp(src, ical.PropDTEnd) || e.After(s) {
		return w.overlaps(s, e)
	}
	// A zero duration: (start <= DTSTART AND end > DTSTART).
	return w.contains(s)
}

// todoWithoutStart applies the rows of the RFC 4791 §9.9 VTODO table for a
// VTODO without DTSTART.
func (m *matcher) todoWithoutStart(c *ical.Component, w window) bool {
	due, hasDue := m.propInstant(c, ical.PropDue)
	if hasDue {
		// (start < DUE) AND (end >= DUE)
		return w.startLT(due) && w.endGE(due)
	}
	completed, hasCompleted := m.propInstant(c, ical.PropCompleted)
	created, hasCreated := m.propInstant(c, ical.PropCreated)
	switch {
	case hasCompleted && hasCreated:
		// ((start <= CREATED) OR (start <= COMPLETED)) AND
		// ((end >= CREATED) OR (end >= COMPLETED))
		return (w.startLE(created) || w.startLE(completed)) && (w.endGE(created) || w.endGE(completed))
	case hasCompleted:
		// (start <= COMPLETED) AND (end >= COMPLETED)
		return w.startLE(completed) && w.endGE(completed)
	case hasCreated:
		// (end > CREATED)
		return w.endGT(created)
	}
	return true
}

// freeBusyOverlaps applies the RFC 4791 §9.9 VFREEBUSY table. DURATION is
// ignored.
func (m *matcher) freeBusyOverlaps(c *ical.Component, w window) bool {
	start, hasStart := m.propInstant(c, ical.PropDTStart)
	end, hasEnd := m.propInstant(c, ical.PropDTEnd)
	if hasStart && hasEnd {
		// (start <= DTEND) AND (end > DTSTART)
		return w.startLE(end) && w.endGT(start)
	}
	for _, p := range c.PropsNamed(ical.PropFreeBusy) {
		for _, pe := range m.periods(p) {
			// (start < freebusy-period-end) AND (end > freebusy-period-start)
			if w.overlaps(pe.start, pe.end) {
				return true
			}
		}
	}
	return false
}

// period is a PERIOD value as instants.
type period struct{ start, end time.Time }

// periods returns the periods of a FREEBUSY property; values that do not
// parse are skipped.
func (o *object) periods(p *ical.Property) []period {
	pes, err := p.Periods()
	if err != nil {
		return nil
	}
	out := make([]period, 0, len(pes))
	for _, pe := range pes {
		if ps, ok := o.period(pe); ok {
			out = append(out, ps)
		}
	}
	return out
}

// period returns a PERIOD value as instants.
func (o *object) period(pe ical.Period) (period, bool) {
	s, err := o.instant(pe.Start)
	if err != nil {
		return period{}, false
	}
	if pe.HasDuration {
		return period{s, pe.Duration.AddTo(s, o.zoneOf(pe.Start))}, true
	}
	e, err := o.instant(pe.End)
	return period{s, e}, err == nil
}

// trigger is a parsed VALARM TRIGGER (RFC 5545 §3.8.6.3) with its
// repetitions (§3.8.6.2, §3.8.2.5).
type trigger struct {
	absolute time.Time // set for VALUE=DATE-TIME
	isAbs    bool
	offset   ical.Duration
	relEnd   bool // RELATED=END
	repeat   int
	interval ical.Duration
}

// maxRepeat bounds the REPEAT count honoured when testing alarms.
const maxRepeat = 1000

func (o *object) trigger(alarm *ical.Component) (trigger, bool) {
	var t trigger
	p := alarm.Prop(ical.PropTrigger)
	if p == nil {
		return t, false
	}
	if p.ValueType() == ical.TypeDateTime {
		d, err := p.DateTime()
		if err != nil {
			return t, false
		}
		if t.absolute, err = o.instant(d); err != nil {
			return t, false
		}
		t.isAbs = true
	} else {
		d, err := p.Duration()
		if err != nil {
			return t, false
		}
		t.offset = d
		t.relEnd = upper(p.Params.Get(ical.ParamRelated)) == "END"
	}
	if rp := alarm.Prop(ical.PropRepeat); rp != nil {
		n, err := rp.Int()
		dp := alarm.Prop(ical.PropDuration)
		if err == nil && n > 0 && dp != nil {
			if d, err := dp.Duration(); err == nil && !d.Negative {
				t.repeat = int(min(n, maxRepeat))
				t.interval = d
			}
		}
	}
	return t, true
}

// fires reports whether an alarm whose first trigger is at first fires in
// w: (start <= trigger-time) AND (end > trigger-time) for the first
// trigger or one of its repetitions (RFC 4791 §9.9).
func (t trigger) fires(first time.Time, z ical.Zone, w window) bool {
	at := first
	for k := 0; k <= t.repeat; k++ {
		if w.contains(at) {
			return true
		}
		if w.hasEnd && !at.Before(w.end) {
			return false
		}
		at = t.interval.AddTo(at, z)
	}
	return false
}

// span returns how far the triggers of t reach from their base instant,
// before and after, with a day of slack for nominal days (a day is 23 to
// 25 hours long across a change of UTC offset).
func (t trigger) span() (before, after time.Duration) {
	slack := time.Second
	if t.offset.NominalDays() != 0 || t.interval.NominalDays() != 0 {
		slack += 26 * time.Hour
	}
	off := time.Duration(t.offset.NominalDays())*24*time.Hour + t.offset.Exact()
	last := off + time.Duration(t.repeat)*(time.Duration(t.interval.NominalDays())*24*time.Hour+t.interval.Exact())
	return max(off, last, 0) + slack, max(-off, -last, 0) + slack
}

// alarmOverlaps reports whether a VALARM of parent (a VEVENT or VTODO)
// fires within w. A relative TRIGGER fires relative to each instance of
// parent; RELATED=START with no DTSTART (a VTODO with only DUE) is taken
// relative to DUE, and RELATED=END relative to the instance end, which is
// DUE, DTEND or DTSTART+DURATION.
func (m *matcher) alarmOverlaps(alarm, parent *ical.Component, w window) bool {
	t, ok := m.trigger(alarm)
	if !ok || parent == nil {
		return false
	}
	if t.isAbs {
		return t.fires(t.absolute, nil, w)
	}
	s := m.sets[parent]
	if s == nil || !hasProp(parent, ical.PropDTStart) && !hasProp(s.master, ical.PropDTStart) {
		due, ok := m.propInstant(parent, ical.PropDue)
		if !ok {
			return false
		}
		z := m.zoneOfProp(parent, ical.PropDue)
		return t.fires(t.offset.AddTo(due, z), z, w)
	}
	before, after := t.span()
	from, to := w.widen(before, after)
	insts, err := m.expand(s, from, to)
	if err != nil {
		m.fail(err)
		return false
	}
	for _, in := range insts {
		if s.owner(in) != parent {
			continue
		}
		base, z := in.StartTime, m.zoneOf(in.Start)
		if t.relEnd {
			base, z = in.EndTime, m.zoneOf(in.End)
		}
		if t.fires(t.offset.AddTo(base, z), z, w) {
			return true
		}
	}
	return false
}

// zoneOfProp returns the zone of c's DATE or DATE-TIME property name.
func (o *object) zoneOfProp(c *ical.Component, name string) ical.Zone {
	if p := c.Prop(name); p != nil {
		if d, err := p.DateTime(); err == nil {
			return o.zoneOf(d)
		}
	}
	return o.floating
}
