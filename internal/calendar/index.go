// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"errors"
	"fmt"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
	"github.com/almanac-project/almanac/ical/tz"
)

// floatingSlack widens the span of floating times and dates, indexed as
// UTC, to cover every UTC offset a query's time zone can have (RFC 4791
// §9.9 evaluates them in the calendar-timezone; offsets range from -12:00
// to +14:00).
const floatingSlack = 14 * time.Hour

// inclusive widens an end that RFC 4791 §9.9 compares with ">=" (VTODO
// DUE, COMPLETED, DTSTART+DURATION; VFREEBUSY DTEND) so that Overlaps,
// which compares with ">", keeps the object as a candidate.
const inclusive = time.Second

// Index returns the UID, the main component type and the time-range index
// of a calendar object (a VCALENDAR), as DESIGN.md §3 describes it: a
// time-range query never re-parses the calendar.
//
// Every non-VTIMEZONE component must have the same type and UID (RFC 4791
// §4.1), else the error wraps ErrInvalidObject. The span covers every
// instance by the rules of RFC 4791 §9.9 for the component type, widened by
// the furthest VALARM trigger, and by 14 hours on each side for floating
// times and dates (indexed as UTC). A recurring object (RRULE, RDATE or
// RECURRENCE-ID overrides) lists its instances, overrides in their own
// slots and without the slots they replace, over the window of Options:
// the whole series when it has at most MaxIndexInstances instances,
// otherwise [Now-IndexPast, Now+IndexFuture) cut where the list stops.
// An unbounded RRULE has End = MaxTime. TZIDs resolve through the object's
// own VTIMEZONEs, then IANA and Windows names; an unknown TZID is read as
// UTC and widened like a floating time.
func (s *Service) Index(vcal *ical.Component) (uid, comp string, idx Index, err error) {
	return s.index(vcal, nil)
}

// index is Index with the zones of zr, a Resolver of the calendar vcal was
// split from (nil: one of vcal), so that an import parses each VTIMEZONE
// once.
func (s *Service) index(vcal *ical.Component, zr *tz.Resolver) (uid, comp string, idx Index, err error) {
	var comps []*ical.Component
	for _, c := range vcal.Children {
		if c.Name == ical.CompTimezone {
			continue
		}
		u := textValue(c.Prop(ical.PropUID))
		if len(comps) == 0 {
			comp, uid = c.Name, u
		} else if c.Name != comp {
			return "", "", Index{}, fmt.Errorf("%s and %s in one object: %w", comp, c.Name, ErrInvalidObject)
		} else if u != uid {
			return "", "", Index{}, fmt.Errorf("UIDs %q and %q in one object: %w", uid, u, ErrInvalidObject)
		}
		comps = append(comps, c)
	}
	if len(comps) == 0 {
		return "", "", Index{}, fmt.Errorf("no calendar component: %w", ErrInvalidObject)
	}
	now := s.opt.Now().UTC()
	if zr == nil {
		zr = tz.NewResolver(vcal, tz.ResolverOptions{})
	}
	ix := &indexer{
		zones:  &lenientZones{r: zr},
		from:   now.Add(-s.opt.IndexPast),
		until:  now.Add(s.opt.IndexFuture),
		cap:    s.opt.MaxIndexInstances,
		limits: s.opt.Limits,
	}
	switch comp {
	case ical.CompEvent, ical.CompToDo, ical.CompJournal:
		idx = ix.recurring(comps)
	default:
		idx = Index{Start: MaxTime, End: MinTime}
		for _, c := range comps {
			sp, _ := ix.span(c)
			idx.Start, idx.End = minTime(idx.Start, sp.Start), maxTime(idx.End, sp.End)
		}
	}
	return uid, comp, idx, nil
}

func textValue(p *ical.Property) string {
	if p == nil {
		return ""
	}
	if t, err := p.Text(); err == nil {
		return t
	}
	return p.Value
}

// utcZone reads wall times as UTC: the stand-in for a zone that does not
// resolve.
type utcZone struct{}

func (utcZone) Resolve(wall time.Time) time.Time { return wall.UTC() }
func (utcZone) Wall(t time.Time) time.Time       { return t.UTC() }

// lenientZones resolves TZIDs with a tz.Resolver and reads an unknown one
// as UTC, noting it so that the span is widened.
type lenientZones struct {
	r      *tz.Resolver
	missed bool
}

func (z *lenientZones) Zone(tzid string) (ical.Zone, error) {
	zone, err := z.r.Zone(tzid)
	if err != nil {
		z.missed = true
		return utcZone{}, nil
	}
	return zone, nil
}

// indexer computes the index of one object.
type indexer struct {
	zones       *lenientZones
	from, until time.Time // the instance window
	cap         int
	limits      recur.Limits
	// before and after are the alarm margins of the object's instances.
	before, after time.Duration
}

// when is a DATE or DATE-TIME property as an instant, with its zone (nil
// for UTC, floating and dates) and whether it floats.
type when struct {
	t        time.Time
	zone     ical.Zone
	floating bool
}

func (ix *indexer) when(p *ical.Property) (when, bool) {
	if p == nil {
		return when{}, false
	}
	d, err := p.DateTime()
	if err != nil {
		return when{}, false
	}
	t, err := d.Time(ix.zones, nil)
	if err != nil {
		return when{}, false
	}
	w := when{t: t.UTC(), floating: d.Kind == ical.KindDate || d.Kind == ical.KindFloating}
	if d.Kind == ical.KindZoned {
		w.zone, _ = ix.zones.Zone(d.TZID)
	}
	return w, true
}

func (ix *indexer) duration(p *ical.Property) (ical.Duration, bool) {
	if p == nil {
		return ical.Duration{}, false
	}
	d, err := p.Duration()
	return d, err == nil
}

// span returns the span of one component by itself (its first instance
// for a recurring one) by the rules of RFC 4791 §9.9, and whether its
// times float. Alarms are not included.
func (ix *indexer) span(c *ical.Component) (Span, bool) {
	all := Span{MinTime, MaxTime}
	start, hasStart := ix.when(c.Prop(ical.PropDTStart))
	switch c.Name {
	case ical.CompEvent:
		if !hasStart {
			return all, false
		}
		return Span{start.t, ix.end(c, start, ical.PropDTEnd)}, start.floating
	case ical.CompToDo:
		return ix.todoSpan(c, start, hasStart)
	case ical.CompJournal:
		if !hasStart {
			return all, false
		}
		end := start.t
		if isDate(c.Prop(ical.PropDTStart)) {
			end = start.t.AddDate(0, 0, 1) // RFC 4791 §9.9: to the end of the day
		}
		return Span{start.t, end}, start.floating
	case ical.CompFreeBusy:
		sp := Span{MaxTime, MinTime}
		floating := false
		if end, ok := ix.when(c.Prop(ical.PropDTEnd)); ok && hasStart {
			sp = Span{start.t, end.t.Add(inclusive)}
			floating = start.floating || end.floating
		}
		for _, p := range c.PropsNamed(ical.PropFreeBusy) {
			periods, err := p.Periods()
			if err != nil {
				continue
			}
			for _, pe := range periods {
				ps, err := pe.Start.Time(ix.zones, nil)
				if err != nil {
					continue
				}
				pend := pe.Duration.AddTo(ps, nil)
				if !pe.HasDuration {
					if pend, err = pe.End.Time(ix.zones, nil); err != nil {
						continue
					}
				}
				sp.Start, sp.End = minTime(sp.Start, ps.UTC()), maxTime(sp.End, pend.UTC())
			}
		}
		if sp.End.Before(sp.Start) {
			return all, false
		}
		return sp, floating
	case ical.CompAvailability:
		// RFC 7953 §3.1: no DTSTART means from the beginning of time, no
		// DTEND or DURATION until the end of time.
		sp := all
		if hasStart {
			sp.Start = start.t
			if c.Prop(ical.PropDTEnd) != nil || c.Prop(ical.PropDuration) != nil {
				sp.End = ix.end(c, start, ical.PropDTEnd)
			}
		}
		return sp, start.floating
	}
	return all, false
}

func isDate(p *ical.Property) bool {
	if p == nil {
		return false
	}
	d, err := p.DateTime()
	return err == nil && d.Kind == ical.KindDate
}

// end returns the end of a component that starts at start: the property
// endProp (DTEND or DUE), else start + DURATION (nominal days in start's
// zone), else one day for a DATE start and start itself otherwise (RFC
// 5545 §3.6.1). An end before the start is taken as the start.
func (ix *indexer) end(c *ical.Component, start when, endProp string) time.Time {
	end := start.t
	if e, ok := ix.when(c.Prop(endProp)); ok {
		end = e.t
	} else if d, ok := ix.duration(c.Prop(ical.PropDuration)); ok {
		end = d.AddTo(start.t, start.zone).UTC()
	} else if isDate(c.Prop(ical.PropDTStart)) {
		end = start.t.AddDate(0, 0, 1)
	}
	return maxTime(end, start.t)
}

// todoSpan collapses the VTODO table of RFC 4791 §9.9 to one span.
func (ix *indexer) todoSpan(c *ical.Component, start when, hasStart bool) (Span, bool) {
	due, hasDue := ix.when(c.Prop(ical.PropDue))
	dur, hasDur := ix.duration(c.Prop(ical.PropDuration))
	switch {
	case hasStart && hasDur:
		return Span{start.t, maxTime(dur.AddTo(start.t, start.zone).UTC(), start.t).Add(inclusive)}, start.floating
	case hasStart && hasDue:
		return Span{minTime(start.t, due.t), maxTime(start.t, due.t).Add(inclusive)}, start.floating || due.floating
	case hasStart:
		return Span{start.t, start.t}, start.floating
	case hasDue:
		return Span{due.t.Add(-inclusive), due.t}, due.floating
	}
	completed, hasCompleted := ix.when(c.Prop(ical.PropCompleted))
	created, hasCreated := ix.when(c.Prop(ical.PropCreated))
	switch {
	case hasCompleted && hasCreated:
		return Span{minTime(completed.t, created.t), maxTime(completed.t, created.t).Add(inclusive)}, false
	case hasCompleted:
		return Span{completed.t, completed.t.Add(inclusive)}, false
	case hasCreated:
		return Span{created.t, MaxTime}, false
	}
	return Span{MinTime, MaxTime}, false
}

// alarms are what the VALARMs of an object add to its instances.
type alarms struct {
	before, after time.Duration // the furthest relative triggers
	absolute      []time.Time   // the absolute triggers
}

func (a *alarms) add(c *ical.Component, ix *indexer) {
	for _, al := range c.Components(ical.CompAlarm) {
		p := al.Prop(ical.PropTrigger)
		if p == nil {
			continue
		}
		if p.ValueType() == ical.TypeDateTime {
			if w, ok := ix.when(p); ok {
				a.absolute = append(a.absolute, w.t)
			}
			continue
		}
		d, err := p.Duration()
		if err != nil {
			continue
		}
		off := d.Exact() + time.Duration(d.NominalDays())*24*time.Hour
		if d.NominalDays() != 0 {
			off += time.Hour * time.Duration(sign(off)) // a DST change lengthens a nominal day
		}
		var extra time.Duration
		if n, err := intValue(al.Prop(ical.PropRepeat)); err == nil && n > 0 {
			if rd, ok := ix.duration(al.Prop(ical.PropDuration)); ok {
				step := rd.Exact() + time.Duration(rd.NominalDays())*25*time.Hour
				extra = time.Duration(n) * max(step, -step)
			}
		}
		a.before = max(a.before, -off)
		a.after = max(a.after, off+extra)
	}
}

func sign(d time.Duration) int {
	if d < 0 {
		return -1
	}
	return 1
}

func intValue(p *ical.Property) (int64, error) {
	if p == nil {
		return 0, errors.New("absent")
	}
	return p.Int()
}

// recurring indexes VEVENT, VTODO and VJOURNAL components: one master and
// its overrides, or a single component.
func (ix *indexer) recurring(comps []*ical.Component) Index {
	var master *ical.Component
	var overrides, extra []*ical.Component
	var al alarms
	floating := false
	for _, c := range comps {
		al.add(c, ix)
		for _, name := range [...]string{ical.PropDTStart, ical.PropDTEnd, ical.PropDue, ical.PropRecurrenceID} {
			if w, ok := ix.when(c.Prop(name)); ok && w.floating {
				floating = true
			}
		}
		switch {
		case c.Prop(ical.PropRecurrenceID) != nil:
			overrides = append(overrides, c)
		case master == nil:
			master = c
		default:
			extra = append(extra, c) // a second master: invalid, indexed on its own
		}
	}
	ix.before, ix.after = al.before, al.after
	isRecurring := len(overrides) > 0 ||
		master != nil && (master.Prop(ical.PropRRule) != nil || master.Prop(ical.PropRDate) != nil)
	if !isRecurring {
		idx := Index{Start: MaxTime, End: MinTime}
		for _, c := range comps {
			sp, _ := ix.span(c)
			sp = ix.finish(ix.widen(sp, false), floating)
			idx.Start, idx.End = minTime(idx.Start, sp.Start), maxTime(idx.End, sp.End)
		}
		ix.addAbsolute(&idx, al.absolute, floating)
		return idx
	}
	todo := comps[0].Name == ical.CompToDo
	if ix.zones.missed {
		floating = true
	}
	idx := ix.expand(master, overrides, todo)
	if ix.zones.missed {
		floating = true
	}
	for _, c := range extra {
		sp, _ := ix.span(c)
		sp = ix.widen(sp, false)
		idx.Start, idx.End = minTime(idx.Start, sp.Start), maxTime(idx.End, sp.End)
	}
	if floating {
		idx.Start, idx.End = subClamp(idx.Start, floatingSlack), addClamp(idx.End, floatingSlack)
		for i := range idx.Instances {
			sp := &idx.Instances[i]
			sp.Start, sp.End = subClamp(sp.Start, floatingSlack), addClamp(sp.End, floatingSlack)
		}
		if idx.From != MinTime {
			idx.From = idx.From.Add(floatingSlack)
		}
		if idx.Until != MaxTime {
			idx.Until = idx.Until.Add(-floatingSlack)
		}
		if idx.Until.Before(idx.From) {
			idx.From, idx.Until, idx.Instances = time.Time{}, time.Time{}, nil
		}
	}
	ix.addAbsolute(&idx, al.absolute, false)
	return idx
}

// finish widens a span of floating times.
func (ix *indexer) finish(sp Span, floating bool) Span {
	if floating || ix.zones.missed {
		return Span{subClamp(sp.Start, floatingSlack), addClamp(sp.End, floatingSlack)}
	}
	return sp
}

// addAbsolute adds absolute alarm triggers to the span, and to the
// instances as zero-length slots when they fall in the window.
func (ix *indexer) addAbsolute(idx *Index, abs []time.Time, floating bool) {
	for _, t := range abs {
		sp := ix.finish(Span{t, t}, floating)
		idx.Start, idx.End = minTime(idx.Start, sp.Start), maxTime(idx.End, sp.End)
		if idx.Recurring && !t.Before(idx.From) && t.Before(idx.Until) {
			idx.Instances = append(idx.Instances, sp)
		}
	}
}

// bounded reports whether every RRULE of c has COUNT or UNTIL.
func bounded(c *ical.Component) bool {
	if c == nil {
		return true
	}
	for _, p := range c.PropsNamed(ical.PropRRule) {
		r, _, err := recur.ParseLenient(p.Value)
		if err != nil || r.Count == 0 && r.Until.IsZero() {
			return false
		}
	}
	return true
}

// widen adds the alarm margins to a raw instance; todo makes its end
// inclusive (RFC 4791 §9.9 VTODO).
func (ix *indexer) widen(sp Span, todo bool) Span {
	if todo && sp.End != MaxTime {
		sp.End = sp.End.Add(inclusive)
	}
	return Span{subClamp(sp.Start, ix.before), addClamp(sp.End, ix.after)}
}

// expand lists the instances of a recurrence set.
func (ix *indexer) expand(master *ical.Component, overrides []*ical.Component, todo bool) Index {
	idx := Index{Recurring: true, Start: MaxTime, End: MinTime}
	if bounded(master) {
		insts, err := recur.Expand(master, overrides, recur.Options{Zones: ix.zones, Limits: ix.limits})
		if err == nil {
			if len(insts) == 0 {
				// Everything excluded: nothing can match.
				first := ix.firstStart(master, overrides)
				idx.Start, idx.End = first, first
			}
			if len(insts) <= ix.cap {
				idx.From, idx.Until = MinTime, MaxTime
				idx.Instances = make([]Span, len(insts))
				for i, in := range insts {
					idx.Instances[i] = ix.widen(Span{in.StartTime.UTC(), in.EndTime.UTC()}, todo)
					idx.Start, idx.End = minTime(idx.Start, idx.Instances[i].Start), maxTime(idx.End, idx.Instances[i].End)
				}
				return idx
			}
			for _, in := range insts {
				sp := ix.widen(Span{in.StartTime.UTC(), in.EndTime.UTC()}, todo)
				idx.Start, idx.End = minTime(idx.Start, sp.Start), maxTime(idx.End, sp.End)
			}
			ix.window(&idx, insts, ix.until.Add(ix.before), todo)
			return idx
		}
	}
	// Unbounded, or too large to expand whole: the span runs from the
	// first start to the end of time and the window is listed.
	first := ix.firstStart(master, overrides)
	idx.Start, idx.End = ix.widen(Span{first, first}, todo).Start, MaxTime
	insts, reached := ix.collect(master, overrides)
	ix.window(&idx, insts, reached, todo)
	return idx
}

// collect expands the recurrence set over the raw window (the index
// window widened by the alarm margins) in chunks that fit the expansion
// budget, until more than cap instances are found. It returns the
// instances in start order and the raw time up to which the list is
// complete.
func (ix *indexer) collect(master *ical.Component, overrides []*ical.Component) ([]recur.Instance, time.Time) {
	from, until := ix.from.Add(-ix.after), ix.until.Add(ix.before)
	lim := ix.limits
	lim.MaxInstances = ix.cap + 1
	type key struct {
		rid      string
		override *ical.Component
	}
	seen := map[key]bool{}
	var out []recur.Instance
	span := until.Sub(from)
	for t := from; t.Before(until); {
		to := minTime(t.Add(span), until)
		insts, err := recur.Expand(master, overrides, recur.Options{From: t, To: to, Zones: ix.zones, Limits: lim})
		if errors.Is(err, recur.ErrBudget) && span > time.Minute {
			span /= 16
			continue
		}
		if err != nil {
			return out, t
		}
		for _, in := range insts {
			k := key{in.RecurrenceID.String() + "/" + in.RecurrenceID.TZID, in.Override}
			if !seen[k] {
				seen[k] = true
				out = append(out, in)
			}
		}
		if len(out) > ix.cap {
			return out, to
		}
		t = to
		span *= 2
	}
	return out, until
}

// window lists the instances (in start order) that overlap the raw
// window, up to the cap, and sets [From, Until) to where the list is
// complete: reached is the raw time up to which insts is complete.
func (ix *indexer) window(idx *Index, insts []recur.Instance, reached time.Time, todo bool) {
	from, until := ix.from.Add(-ix.after), ix.until.Add(ix.before)
	idx.From, idx.Until = ix.from, minTime(ix.until, reached.Add(-ix.before))
	var list []Span
	for _, in := range insts {
		st, en := in.StartTime.UTC(), in.EndTime.UTC()
		if !Overlaps(st, en, from, until) {
			continue
		}
		if len(list) == ix.cap {
			idx.Until = minTime(idx.Until, st.Add(-ix.before))
			break
		}
		list = append(list, ix.widen(Span{st, en}, todo))
	}
	idx.Instances = list
	if !idx.Until.After(idx.From) {
		idx.From, idx.Until, idx.Instances = time.Time{}, time.Time{}, nil
	}
}

// firstStart is the earliest start the master's DTSTART, its RDATEs and
// the overrides name.
func (ix *indexer) firstStart(master *ical.Component, overrides []*ical.Component) time.Time {
	first := MaxTime
	consider := func(p *ical.Property) {
		if w, ok := ix.when(p); ok {
			first = minTime(first, w.t)
		}
	}
	if master != nil {
		consider(master.Prop(ical.PropDTStart))
		for _, p := range master.PropsNamed(ical.PropRDate) {
			if p.ValueType() == ical.TypePeriod {
				if periods, err := p.Periods(); err == nil {
					for _, pe := range periods {
						if t, err := pe.Start.Time(ix.zones, nil); err == nil {
							first = minTime(first, t.UTC())
						}
					}
				}
				continue
			}
			if ds, err := p.DateTimes(); err == nil {
				for _, d := range ds {
					if t, err := d.Time(ix.zones, nil); err == nil {
						first = minTime(first, t.UTC())
					}
				}
			}
		}
	}
	for _, o := range overrides {
		consider(o.Prop(ical.PropDTStart))
		consider(o.Prop(ical.PropRecurrenceID))
	}
	if first == MaxTime {
		return MinTime
	}
	return first
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func subClamp(t time.Time, d time.Duration) time.Time {
	if d <= 0 || !t.After(MinTime) {
		return t
	}
	if t.Sub(MinTime) < d {
		return MinTime
	}
	return t.Add(-d)
}

func addClamp(t time.Time, d time.Duration) time.Time {
	if d <= 0 || !t.Before(MaxTime) {
		return t
	}
	if MaxTime.Sub(t) < d {
		return MaxTime
	}
	return t.Add(d)
}
