// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// Options configure Expand.
type Options struct {
	// From and To are the window [From, To) as instants. An instance is
	// returned when it overlaps the window as in CalDAV (RFC 4791 §9.9):
	// start < To and end > From, or, for an instance of zero duration,
	// From <= start < To. A zero From or To leaves that side open; an
	// unbounded recurrence with an open To then ends in ErrBudget.
	From, To time.Time
	// Zones resolves TZID parameters. It may be nil when no value is
	// zoned; a zoned value is then an error.
	Zones ical.Zones
	// Floating is the zone in which floating times and dates are read.
	// Nil reads them as UTC.
	Floating ical.Zone
	// Limits bound the work of each rule's expansion and the number of
	// instances returned; see Limits for the zero values.
	Limits Limits
}

// Instance is one member of a recurrence set.
type Instance struct {
	// RecurrenceID is the instance's original start in the form of the
	// master's DTSTART (kind and TZID): the value a RECURRENCE-ID property
	// would hold (RFC 5545 §3.8.4.4). For a generated local time that does
	// not exist it is that nonexistent time; Start then holds the time it
	// was moved to (RFC 5545 §3.3.5).
	RecurrenceID ical.DateTime
	// Start and End are the start and end as DATE or DATE-TIME values:
	// those of the override when there is one, else in the form of DTSTART
	// (or of the RDATE that produced the instance).
	Start, End ical.DateTime
	// StartTime and EndTime are the start and end as instants.
	StartTime, EndTime time.Time
	// Override is the component that overrides this instance (directly or
	// through RANGE=THISANDFUTURE), or nil.
	Override *ical.Component
}

// Expand returns the instances of the recurrence set of master, with the
// given overrides (components with a RECURRENCE-ID, usually of the same
// UID), that overlap the window of opts, in order of start time.
//
// The set is built as RFC 5545 §3.8.5.3 describes: DTSTART, the instances
// of every RRULE (more than one is tolerated) and every RDATE (DATE,
// DATE-TIME or PERIOD; comma lists; TZID), less the values of every EXDATE
// and the instances of every EXRULE (RFC 2445 §4.8.5.2, deprecated);
// duplicates count once. The duration of each instance comes from DTEND
// (or DUE) as an exact duration, from DURATION as a nominal one, or is one
// day for a DATE DTSTART and zero otherwise (RFC 5545 §3.6.1); an RDATE
// PERIOD carries its own.
//
// An override replaces the instance whose start its RECURRENCE-ID names
// (RFC 5545 §3.8.4.4), with its own DTSTART and DTEND (or DURATION; without
// either it keeps the master's duration). With RANGE=THISANDFUTURE the
// later instances are also shifted by the override's change of start and
// take its duration. An override whose RECURRENCE-ID matches no instance,
// or an excluded one, is still returned: it is explicit data. With a nil
// master each override is an instance of its own.
//
// EXDATE values match instances by instant. A DATE EXDATE excludes every
// instance starting on that date; a DATE-TIME EXDATE excludes a DATE
// instance on the date of its wall time.
func Expand(master *ical.Component, overrides []*ical.Component, opts Options) ([]Instance, error) {
	e := &expander{opts: opts, zones: map[string]ical.Zone{}}
	return e.expand(master, overrides)
}

type expander struct {
	opts  Options
	zones map[string]ical.Zone
}

// zoneOf returns the zone a value's wall time is read in: nil for UTC, the
// floating zone for floating times and dates (nil meaning UTC too).
func (e *expander) zoneOf(dt ical.DateTime) (ical.Zone, error) {
	switch dt.Kind {
	case ical.KindUTC:
		return nil, nil
	case ical.KindZoned:
		if z, ok := e.zones[dt.TZID]; ok {
			return z, nil
		}
		if e.opts.Zones == nil {
			return nil, fmt.Errorf("recur: no zones to resolve TZID %q", dt.TZID)
		}
		z, err := e.opts.Zones.Zone(dt.TZID)
		if err != nil {
			return nil, fmt.Errorf("recur: TZID %q: %w", dt.TZID, err)
		}
		e.zones[dt.TZID] = z
		return z, nil
	}
	return e.opts.Floating, nil
}

func resolve(z ical.Zone, wall time.Time) time.Time {
	if z == nil {
		return wall
	}
	return z.Resolve(wall)
}

func wallIn(z ical.Zone, t time.Time) time.Time {
	if z == nil {
		return t.UTC()
	}
	return z.Wall(t)
}

func (e *expander) instant(dt ical.DateTime) (time.Time, error) {
	z, err := e.zoneOf(dt)
	if err != nil {
		return time.Time{}, err
	}
	return resolve(z, dt.Wall), nil
}

// inForm expresses instant t in the kind and zone of form, whose zone is z.
func inForm(t time.Time, form ical.DateTime, z ical.Zone) ical.DateTime {
	w := wallIn(z, t)
	if form.Kind == ical.KindDate {
		w = time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
	}
	return ical.DateTime{Wall: w, Kind: form.Kind, TZID: form.TZID}
}

// span is the duration of instances: nominal (a DURATION, or whole days
// between DATE values) or exact (DTEND minus DTSTART).
type span struct {
	nominal ical.Duration
	exact   time.Duration
	isExact bool
}

func (s span) end(start time.Time, z ical.Zone) time.Time {
	if s.isExact {
		return start.Add(s.exact)
	}
	end := s.nominal.AddTo(start, z)
	if end.Before(start) {
		return start
	}
	return end
}

// bound is an upper bound of the exact length of s.
func (s span) bound() time.Duration {
	if s.isExact {
		return s.exact
	}
	d := s.nominal
	if d.Negative {
		return 0
	}
	return time.Duration(d.NominalDays())*25*time.Hour + d.Exact()
}

// spanOf returns the duration of component c starting at start, and
// whether c states one.
func (e *expander) spanOf(c *ical.Component, start ical.DateTime, startT time.Time) (span, bool, error) {
	endProp := c.Prop(ical.PropDTEnd)
	if endProp == nil && c.Name == ical.CompToDo {
		endProp = c.Prop(ical.PropDue)
	}
	if endProp != nil {
		end, err := endProp.DateTime()
		if err != nil {
			return span{}, false, fmt.Errorf("recur: %w", err)
		}
		if start.Kind == ical.KindDate && end.Kind == ical.KindDate {
			days := int(end.Wall.Sub(start.Wall).Hours()+12) / 24
			return span{nominal: ical.Duration{Days: max(days, 0)}}, true, nil
		}
		endT, err := e.instant(end)
		if err != nil {
			return span{}, false, err
		}
		// RFC 5545 §3.8.5.3: with DTEND or DUE "the same exact duration
		// will apply to all the members of the generated recurrence set".
		return span{exact: max(endT.Sub(startT), 0), isExact: true}, true, nil
	}
	if p := c.Prop(ical.PropDuration); p != nil {
		d, err := p.Duration()
		if err != nil {
			return span{}, false, fmt.Errorf("recur: %w", err)
		}
		// RFC 5545 §3.8.5.3: with DURATION "the same nominal duration will
		// apply to all the members".
		if d.Negative {
			d = ical.Duration{}
		}
		return span{nominal: d}, true, nil
	}
	// RFC 5545 §3.6.1: a DATE DTSTART without DTEND or DURATION lasts one
	// day; a DATE-TIME one ends when it starts.
	if start.Kind == ical.KindDate {
		return span{nominal: ical.Duration{Days: 1}}, false, nil
	}
	return span{isExact: true}, false, nil
}

// override is a parsed component with a RECURRENCE-ID.
type override struct {
	comp      *ical.Component
	rid       ical.DateTime
	ridT      time.Time
	start     ical.DateTime
	startT    time.Time
	span      span
	hasSpan   bool
	future    bool // RANGE=THISANDFUTURE
	startZone ical.Zone
}

func (e *expander) parseOverride(c *ical.Component) (*override, error) {
	rp := c.Prop(ical.PropRecurrenceID)
	if rp == nil {
		return nil, fmt.Errorf("recur: override without RECURRENCE-ID")
	}
	rid, err := rp.DateTime()
	if err != nil {
		return nil, fmt.Errorf("recur: %w", err)
	}
	o := &override{comp: c, rid: rid}
	if o.ridT, err = e.instant(rid); err != nil {
		return nil, err
	}
	// RFC 5545 §3.8.4.4: RANGE "can only be "THISANDFUTURE"".
	o.future = strings.EqualFold(rp.Params.Get(ical.ParamRange), "THISANDFUTURE")
	o.start = rid
	if sp := c.Prop(ical.PropDTStart); sp != nil {
		if o.start, err = sp.DateTime(); err != nil {
			return nil, fmt.Errorf("recur: %w", err)
		}
	}
	if o.startZone, err = e.zoneOf(o.start); err != nil {
		return nil, err
	}
	o.startT = resolve(o.startZone, o.start.Wall)
	o.span, o.hasSpan, err = e.spanOf(c, o.start, o.startT)
	return o, err
}

// occurrence is a member of the master's set before overrides.
// occurrencePool recycles the scratch lists of occurrences between
// expansions: a server expands many objects, each briefly.
var occurrencePool = sync.Pool{New: func() any { return new([]occurrence) }}

type occurrence struct {
	rid    ical.DateTime
	ridT   time.Time
	start  ical.DateTime
	startT time.Time
	endT   time.Time
	zone   ical.Zone // zone of start
	period bool      // end set by an RDATE PERIOD
}

func (e *expander) expand(master *ical.Component, overrideComps []*ical.Component) ([]Instance, error) {
	var ovs []*override
	for _, c := range overrideComps {
		o, err := e.parseOverride(c)
		if err != nil {
			return nil, err
		}
		ovs = append(ovs, o)
	}
	var out []Instance
	if master != nil {
		var err error
		if out, err = e.expandMaster(master, ovs); err != nil {
			return nil, err
		}
	} else {
		for _, o := range ovs {
			end := o.span.end(o.startT, o.startZone)
			out = e.appendIfInWindow(out, Instance{
				RecurrenceID: o.rid, Start: o.start, End: inForm(end, o.start, o.startZone),
				StartTime: o.startT, EndTime: end, Override: o.comp,
			})
		}
	}
	slices.SortStableFunc(out, func(a, b Instance) int {
		if c := a.StartTime.Compare(b.StartTime); c != 0 {
			return c
		}
		return a.RecurrenceID.Wall.Compare(b.RecurrenceID.Wall)
	})
	if lim := e.opts.Limits.instances(); len(out) > lim {
		return nil, fmt.Errorf("recur: more than %d instances: %w", lim, ErrBudget)
	}
	return out, nil
}

// overlaps applies the CalDAV time-range test (RFC 4791 §9.9).
func (e *expander) overlaps(start, end time.Time) bool {
	from, to := e.opts.From, e.opts.To
	if end.Equal(start) {
		return (from.IsZero() || !start.Before(from)) && (to.IsZero() || start.Before(to))
	}
	return (to.IsZero() || start.Before(to)) && (from.IsZero() || end.After(from))
}

func (e *expander) appendIfInWindow(out []Instance, in Instance) []Instance {
	if e.overlaps(in.StartTime, in.EndTime) {
		out = append(out, in)
	}
	return out
}

func (e *expander) expandMaster(master *ical.Component, ovs []*override) ([]Instance, error) {
	sp := master.Prop(ical.PropDTStart)
	if sp == nil {
		return nil, fmt.Errorf("recur: %s without DTSTART", master.Name)
	}
	dtstart, err := sp.DateTime()
	if err != nil {
		return nil, fmt.Errorf("recur: %w", err)
	}
	z, err := e.zoneOf(dtstart)
	if err != nil {
		return nil, err
	}
	startT := resolve(z, dtstart.Wall)
	dur, _, err := e.spanOf(master, dtstart, startT)
	if err != nil {
		return nil, err
	}

	// The overrides, by the instant of their RECURRENCE-ID, and the
	// THISANDFUTURE ones in order.
	byRID := make(map[int64]*override, len(ovs))
	var future []*override
	var shift time.Duration
	for _, o := range ovs {
		byRID[o.ridT.Unix()] = o
		if o.future {
			future = append(future, o)
			d := o.startT.Sub(o.ridT)
			shift = max(shift, d, -d, o.span.bound())
		}
	}
	slices.SortFunc(future, func(a, b *override) int { return a.ridT.Compare(b.ridT) })

	// The wall-clock window for the rules, widened by the longest instance,
	// the largest THISANDFUTURE shift and, in a zone, by three hours for
	// the local times that RFC 5545 §3.3.5 moves across a DST gap.
	slack := dur.bound() + shift
	if z != nil {
		slack += 3 * time.Hour
	}
	var io IterOptions
	io.Limits = e.opts.Limits
	if dtstart.Kind == ical.KindZoned {
		io.Zone = z
	}
	if !e.opts.From.IsZero() {
		io.After = wallIn(z, e.opts.From).Add(-slack)
	}
	if !e.opts.To.IsZero() {
		io.Before = wallIn(z, e.opts.To).Add(slack)
	}

	buf := occurrencePool.Get().(*[]occurrence)
	occs := (*buf)[:0]
	defer func() {
		clear(occs)
		*buf = occs[:0]
		occurrencePool.Put(buf)
	}()
	add := func(o occurrence) { occs = append(occs, o) }
	fromRule := func(w time.Time) occurrence {
		rid := ical.DateTime{Wall: w, Kind: dtstart.Kind, TZID: dtstart.TZID}
		t := resolve(z, w)
		start := rid
		if dtstart.Kind == ical.KindZoned {
			// RFC 5545 §3.3.5: a nonexistent local time moves forward.
			start.Wall = z.Wall(t)
		}
		return occurrence{rid: rid, ridT: t, start: start, startT: t, zone: z}
	}

	// RDATE first, so that a PERIOD keeps its own end when a rule yields
	// the same start (RFC 5545 §3.8.5.3: "only one recurrence is
	// considered").
	for _, p := range master.PropsNamed(ical.PropRDate) {
		if err := e.addRDates(p, dtstart, z, add); err != nil {
			return nil, err
		}
	}
	// RFC 5545 §3.8.5.3: "The "DTSTART" property value always counts as
	// the first occurrence."
	add(fromRule(dtstart.Wall))
	for _, p := range master.PropsNamed(ical.PropRRule) {
		r, _, err := ParseLenient(p.Value)
		if err != nil {
			return nil, err
		}
		opts := io
		opts.IncludeStart = true
		it, err := r.Iterator(dtstart, opts)
		if err != nil {
			return nil, err
		}
		for w, ok := it.Next(); ok; w, ok = it.Next() {
			add(fromRule(w))
		}
		if err := it.Err(); err != nil {
			return nil, fmt.Errorf("recur: RRULE %q: %w", p.Value, err)
		}
	}

	// RFC 5545 §3.8.5.3: "Where duplicate instances are generated by the
	// "RRULE" and "RDATE" properties, only one recurrence is considered":
	// the first added.
	slices.SortStableFunc(occs, func(a, b occurrence) int { return a.ridT.Compare(b.ridT) })
	occs = slices.CompactFunc(occs, func(a, b occurrence) bool { return a.ridT.Equal(b.ridT) })

	// Exclusions: EXDATE values and EXRULE instances.
	exInstants := make(map[int64]bool)
	exDates := make(map[int64]bool)
	for _, p := range master.PropsNamed(ical.PropExDate) {
		dts, err := p.DateTimes()
		if err != nil {
			return nil, fmt.Errorf("recur: %w", err)
		}
		for _, d := range dts {
			if d.Kind == ical.KindDate || dtstart.Kind == ical.KindDate {
				exDates[dayNumber(d.Wall)] = true
				continue
			}
			t, err := e.instant(d)
			if err != nil {
				return nil, err
			}
			exInstants[t.Unix()] = true
		}
	}
	// An EXRULE need not run past the last instance it could exclude.
	exOpts := io
	for _, o := range occs {
		if w := wallIn(z, o.ridT).Add(time.Second); exOpts.Before.IsZero() || w.After(exOpts.Before) {
			exOpts.Before = w
		}
	}
	if !io.Before.IsZero() && exOpts.Before.After(io.Before) {
		exOpts.Before = io.Before
	}
	for _, p := range master.PropsNamed(ical.PropExRule) {
		r, _, err := ParseLenient(p.Value)
		if err != nil {
			return nil, err
		}
		// EXRULE (RFC 2445 §4.8.5.2) excludes the instances of the rule
		// proper; DTSTART is only excluded when the rule matches it.
		it, err := r.Iterator(dtstart, exOpts)
		if err != nil {
			return nil, err
		}
		for w, ok := it.Next(); ok; w, ok = it.Next() {
			exInstants[resolve(z, w).Unix()] = true
		}
		if err := it.Err(); err != nil {
			return nil, fmt.Errorf("recur: EXRULE %q: %w", p.Value, err)
		}
	}

	out := make([]Instance, 0, len(occs))
	for _, o := range occs {
		// RFC 5545 §3.8.5.3: EXDATE values "take precedence over those
		// specified by inclusion properties".
		if exInstants[o.ridT.Unix()] || exDates[dayNumber(o.rid.Wall)] {
			continue
		}
		if _, ok := byRID[o.ridT.Unix()]; ok {
			continue // replaced by its override below
		}
		in := Instance{RecurrenceID: o.rid, Start: o.start, StartTime: o.startT}
		s := dur
		var endT time.Time
		if f := lastFuture(future, o.ridT); f != nil {
			// RFC 5545 §3.8.4.4: "all subsequent instances are also
			// rescheduled by the same time difference" and take the
			// override's duration.
			in.Override = f.comp
			in.StartTime = shiftBy(o, f)
			in.Start = inForm(in.StartTime, o.start, o.zone)
			if f.hasSpan {
				s = f.span
			}
			endT = s.end(in.StartTime, o.zone)
		} else if o.period {
			endT = o.endT
		} else {
			endT = s.end(o.startT, o.zone)
		}
		in.EndTime = endT
		in.End = inForm(endT, in.Start, o.zone)
		out = e.appendIfInWindow(out, in)
	}
	for _, o := range ovs {
		s := o.span
		if !o.hasSpan {
			s = dur
		}
		end := s.end(o.startT, o.startZone)
		out = e.appendIfInWindow(out, Instance{
			RecurrenceID: inForm(o.ridT, dtstart, z), Start: o.start, End: inForm(end, o.start, o.startZone),
			StartTime: o.startT, EndTime: end, Override: o.comp,
		})
	}
	return out, nil
}

// lastFuture returns the THISANDFUTURE override that governs an instance
// whose original start is t: the latest one at or before t.
func lastFuture(future []*override, t time.Time) *override {
	i, _ := slices.BinarySearchFunc(future, t, func(o *override, t time.Time) int { return cmp.Compare(o.ridT.Unix(), t.Unix()+1) })
	if i == 0 {
		return nil
	}
	return future[i-1]
}

// shiftBy moves occurrence o by the change of start of override f: by whole
// days for DATE values, else by the exact difference.
func shiftBy(o occurrence, f *override) time.Time {
	if o.start.Kind == ical.KindDate && f.start.Kind == ical.KindDate {
		days := dayNumber(f.start.Wall) - dayNumber(f.rid.Wall)
		return resolve(o.zone, o.start.Wall.AddDate(0, 0, int(days)))
	}
	return o.startT.Add(f.startT.Sub(f.ridT))
}

func dayNumber(w time.Time) int64 {
	return daysFromCivil(w.Year(), int(w.Month()), w.Day())
}

// addRDates adds the values of one RDATE property (RFC 5545 §3.8.5.2).
func (e *expander) addRDates(p *ical.Property, dtstart ical.DateTime, mz ical.Zone, add func(occurrence)) error {
	var starts []ical.DateTime
	var periods []ical.Period
	if p.ValueType() == ical.TypePeriod {
		ps, err := p.Periods()
		if err != nil {
			return fmt.Errorf("recur: %w", err)
		}
		periods = ps
		for _, pe := range ps {
			starts = append(starts, pe.Start)
		}
	} else {
		ds, err := p.DateTimes()
		if err != nil {
			return fmt.Errorf("recur: %w", err)
		}
		starts = ds
	}
	for i, d := range starts {
		z, err := e.zoneOf(d)
		if err != nil {
			return err
		}
		t := resolve(z, d.Wall)
		o := occurrence{rid: inForm(t, dtstart, mz), ridT: t, start: d, startT: t, zone: z}
		if d.Kind == ical.KindDate && dtstart.Kind != ical.KindDate {
			// A DATE among DATE-TIME instances: keep it as written.
			o.rid = d
		}
		if periods != nil {
			pe := periods[i]
			if pe.HasDuration {
				o.endT = pe.Duration.AddTo(t, z)
			} else if o.endT, err = e.instant(pe.End); err != nil {
				return err
			}
			if o.endT.Before(t) {
				o.endT = t
			}
			o.period = true
		}
		add(o)
	}
	return nil
}
