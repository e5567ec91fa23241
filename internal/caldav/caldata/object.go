// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"errors"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
	"github.com/almanac-project/almanac/ical/tz"
)

// openHorizon bounds the search for instances of an unbounded recurrence
// when a time range has no end: the instances of the first openHorizon
// after the later of the range start and the first DTSTART are examined.
const openHorizon = 10 * 366 * 24 * time.Hour

// object is one calendar object resource being evaluated: its VCALENDAR,
// the zones its TZIDs name, and its recurrence sets.
type object struct {
	vcal     *ical.Component
	zones    zones
	floating ical.Zone
	limits   recur.Limits
	sets     map[*ical.Component]*set
	cache    map[expandKey][]recur.Instance
}

// set is a recurrence set (RFC 5545 §3.8.5): a master component and the
// components of the same name and UID that override its instances
// (RFC 5545 §3.8.4.4). The master is nil when only overrides are stored,
// which RFC 4791 §4.1 allows.
type set struct {
	master    *ical.Component
	overrides []*ical.Component
}

type expandKey struct {
	s        *set
	from, to time.Time
}

// zones resolves the TZIDs of one calendar with tz.Resolver. A TZID that
// neither the calendar nor the IANA database defines is read in the
// floating zone, so that one bad TZID does not hide an object from every
// query.
type zones struct {
	r        *tz.Resolver
	floating ical.Zone
}

func (z zones) Zone(tzid string) (ical.Zone, error) {
	if zone, err := z.r.Zone(tzid); err == nil {
		return zone, nil
	}
	if z.floating == nil {
		return utc, nil
	}
	return z.floating, nil
}

var utc = tz.FromLocation(time.UTC)

func floatingZone(loc *time.Location) ical.Zone {
	if loc == nil {
		return nil
	}
	return tz.FromLocation(loc)
}

func newObject(vcal *ical.Component, opt Options) *object {
	fl := floatingZone(opt.Zone)
	o := &object{
		vcal:     vcal,
		zones:    zones{r: tz.NewResolver(vcal, tz.ResolverOptions{}), floating: fl},
		floating: fl,
		limits:   opt.Limits,
		sets:     map[*ical.Component]*set{},
		cache:    map[expandKey][]recur.Instance{},
	}
	for _, s := range groupSets(vcal) {
		if s.master != nil {
			o.sets[s.master] = s
		}
		for _, c := range s.overrides {
			o.sets[c] = s
		}
	}
	return o
}

// recurring reports whether a component name has recurrence sets.
func recurring(name string) bool {
	return name == ical.CompEvent || name == ical.CompToDo || name == ical.CompJournal
}

// groupSets collects the recurrence sets among the children of vcal, in
// order of first appearance. A component without a UID stands alone, and
// so does a second master of one UID (invalid, but stored data is kept).
func groupSets(vcal *ical.Component) []*set {
	return groupChildren(vcal, recurring)
}

// groupChildren groups the children of parent whose names member accepts
// into recurrence sets by name and UID: a master and the components with
// a RECURRENCE-ID that override its instances (RFC 5545 §3.8.4.4).
func groupChildren(parent *ical.Component, member func(name string) bool) []*set {
	if parent == nil {
		return nil
	}
	type key struct{ name, uid string }
	var out []*set
	index := map[key]*set{}
	for _, c := range parent.Children {
		if !member(c.Name) {
			continue
		}
		uid := c.Value(ical.PropUID)
		k := key{c.Name, uid}
		s := index[k]
		if s == nil || uid == "" {
			s = &set{}
			out = append(out, s)
			if uid != "" {
				index[k] = s
			}
		}
		switch {
		case c.Prop(ical.PropRecurrenceID) != nil:
			s.overrides = append(s.overrides, c)
		case s.master == nil:
			s.master = c
		default:
			out = append(out, &set{master: c})
		}
	}
	return out
}

// recurs reports whether the set has more than its master's own instance.
func (s *set) recurs() bool {
	if len(s.overrides) > 0 {
		return true
	}
	m := s.master
	return m != nil && (m.Prop(ical.PropRRule) != nil || m.Prop(ical.PropRDate) != nil || m.Prop(ical.PropExRule) != nil)
}

// owner returns the component an instance belongs to: its override, or
// the master. A moved instance belongs to the override only, so it never
// matches the slot it was moved from.
func (s *set) owner(in recur.Instance) *ical.Component {
	if in.Override != nil {
		return in.Override
	}
	return s.master
}

func (o *object) recurOptions(from, to time.Time) recur.Options {
	return recur.Options{From: from, To: to, Zones: o.zones, Floating: o.floating, Limits: o.limits}
}

// expand returns the instances of s overlapping [from, to), a zero bound
// being open. An open end on an unbounded recurrence searches openHorizon
// past the later of from and the set's first start, and past its last
// override.
func (o *object) expand(s *set, from, to time.Time) ([]recur.Instance, error) {
	k := expandKey{s, from, to}
	if insts, ok := o.cache[k]; ok {
		return insts, nil
	}
	insts, err := recur.Expand(s.master, s.overrides, o.recurOptions(from, to))
	if err != nil && to.IsZero() && errors.Is(err, recur.ErrBudget) {
		horizon := from
		for _, c := range append([]*ical.Component{s.master}, s.overrides...) {
			for _, name := range []string{ical.PropDTStart, ical.PropRecurrenceID} {
				if t, ok := o.propInstant(c, name); ok && t.After(horizon) {
					horizon = t
				}
			}
		}
		insts, err = recur.Expand(s.master, s.overrides, o.recurOptions(from, horizon.Add(openHorizon)))
	}
	if err != nil {
		return nil, err
	}
	o.cache[k] = insts
	return insts, nil
}

// instant returns the instant of a DATE or DATE-TIME value.
func (o *object) instant(d ical.DateTime) (time.Time, error) {
	return d.Time(o.zones, o.floating)
}

// zoneOf returns the zone d's wall time is read in (nil for UTC).
func (o *object) zoneOf(d ical.DateTime) ical.Zone {
	switch d.Kind {
	case ical.KindUTC:
		return nil
	case ical.KindZoned:
		z, _ := o.zones.Zone(d.TZID)
		return z
	}
	return o.floating
}

// propInstant returns the instant of c's first property name, if it is a
// valid DATE or DATE-TIME.
func (o *object) propInstant(c *ical.Component, name string) (time.Time, bool) {
	if c == nil {
		return time.Time{}, false
	}
	p := c.Prop(name)
	if p == nil {
		return time.Time{}, false
	}
	d, err := p.DateTime()
	if err != nil {
		return time.Time{}, false
	}
	t, err := o.instant(d)
	return t, err == nil
}

// hasProp reports whether c has a property with the given name.
func hasProp(c *ical.Component, name string) bool {
	return c != nil && c.Prop(name) != nil
}

// upper returns s in upper case for comparing iCalendar names, which are
// case-insensitive (RFC 5545 §2.1).
func upper(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
