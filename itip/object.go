// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
)

// object is a scheduling object taken apart: the main components of one
// UID (a master and its overrides, RFC 5545 §3.8.4.4) of a VCALENDAR.
type object struct {
	cal *ical.Component
	// comps are the main components in order (no VTIMEZONE).
	comps []*ical.Component
	// master is the component without RECURRENCE-ID, or nil when the
	// object holds overrides only (an attendee invited to one instance).
	master *ical.Component
	// byKey maps instanceKey to the component ("" is the master).
	byKey map[string]*ical.Component
	zones *tz.Resolver
}

// mainComponents are the component types iTIP schedules.
var mainComponents = map[string]bool{
	ical.CompEvent: true, ical.CompToDo: true, ical.CompJournal: true, ical.CompFreeBusy: true,
}

// newObject takes cal apart. cal may be nil (no object): the result then
// has no components.
func newObject(cal *ical.Component) *object {
	o := &object{cal: cal, byKey: map[string]*ical.Component{}}
	if cal == nil {
		return o
	}
	for _, c := range cal.Children {
		if !mainComponents[c.Name] {
			continue
		}
		o.comps = append(o.comps, c)
	}
	for _, c := range o.comps {
		k := o.key(c)
		if k == "" && o.master == nil {
			o.master = c
		}
		if _, dup := o.byKey[k]; !dup {
			o.byKey[k] = c
		}
	}
	return o
}

// resolver returns the time-zone resolver of the object's VTIMEZONEs.
func (o *object) resolver() *tz.Resolver {
	if o.zones == nil {
		o.zones = tz.NewResolver(o.cal, tz.ResolverOptions{})
	}
	return o.zones
}

// key returns the instance key of c: "" for a master, else its
// RECURRENCE-ID as a UTC instant ("20260105T090000Z"), a date
// ("20260105") or, when the zone is unknown, the raw value with its TZID.
// Keys of the same instance written in different zones are equal.
func (o *object) key(c *ical.Component) string {
	p := c.Prop(ical.PropRecurrenceID)
	if p == nil {
		return ""
	}
	return o.keyOf(p)
}

// keyOf is the instance key of a RECURRENCE-ID (or an EXDATE/RDATE value
// of one instance).
func (o *object) keyOf(p *ical.Property) string {
	d, err := p.DateTime()
	if err != nil {
		return strings.TrimSpace(p.Value)
	}
	return o.keyOfTime(d)
}

func (o *object) keyOfTime(d ical.DateTime) string {
	if d.IsDate() {
		return d.String()
	}
	t, err := d.Time(o.resolver(), nil)
	if err != nil {
		return d.String()
	}
	return t.UTC().Format("20060102T150405Z")
}

// Organizer returns the normalised ORGANIZER address of the first main
// component of obj (a VCALENDAR), or "".
func Organizer(obj *ical.Component) string {
	for _, c := range newObject(obj).comps {
		if p := c.Prop(ical.PropOrganizer); p != nil {
			return p.CalAddress()
		}
	}
	return ""
}

// UID returns the UID of the first main component of obj, or "".
func UID(obj *ical.Component) string {
	for _, c := range newObject(obj).comps {
		if v := c.Value(ical.PropUID); v != "" {
			return v
		}
	}
	return ""
}

// Attendees returns the normalised addresses of every ATTENDEE of obj's
// main components, each once, in order of appearance.
func Attendees(obj *ical.Component) []string {
	var out []string
	for _, c := range newObject(obj).comps {
		for _, p := range c.PropsNamed(ical.PropAttendee) {
			if a := p.CalAddress(); !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// IsScheduling reports whether obj is a scheduling object resource (RFC
// 6638 §1.1): a component with an ORGANIZER and at least one ATTENDEE.
func IsScheduling(obj *ical.Component) bool {
	for _, c := range newObject(obj).comps {
		if c.Prop(ical.PropOrganizer) != nil && c.Prop(ical.PropAttendee) != nil {
			return true
		}
	}
	return false
}

// findAttendee returns c's ATTENDEE property with the normalised address
// addr, or nil.
func findAttendee(c *ical.Component, addr string) *ical.Property {
	for _, p := range c.PropsNamed(ical.PropAttendee) {
		if p.CalAddress() == addr {
			return p
		}
	}
	return nil
}

// sequence returns the SEQUENCE of c; 0 when absent or invalid.
func sequence(c *ical.Component) int64 {
	p := c.Prop(ical.PropSequence)
	if p == nil {
		return 0
	}
	n, err := p.Int()
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// setSequence sets SEQUENCE (RFC 5545 §3.8.7.4).
func setSequence(c *ical.Component, n int64) {
	c.Set(ical.NewProperty(ical.PropSequence, strconv.FormatInt(n, 10)))
}

// dtstamp returns the DTSTAMP of c as an instant; zero when absent.
func dtstamp(c *ical.Component) time.Time {
	p := c.Prop(ical.PropDTStamp)
	if p == nil {
		return time.Time{}
	}
	d, err := p.DateTime()
	if err != nil {
		return time.Time{}
	}
	t, err := d.Time(nil, nil)
	if err != nil {
		return time.Time{}
	}
	return t
}

// newer compares the revision of a received component with the one held
// (RFC 5546 §2.1.5): 1 when msg is newer, 0 when the same, -1 when older.
// SEQUENCE decides, then DTSTAMP.
func newer(msg, held *ical.Component) int {
	ms, hs := sequence(msg), sequence(held)
	switch {
	case ms > hs:
		return 1
	case ms < hs:
		return -1
	}
	mt, ht := dtstamp(msg), dtstamp(held)
	switch {
	case mt.After(ht):
		return 1
	case mt.Before(ht):
		return -1
	}
	return 0
}

// revisionProps are the properties whose change by the organizer MUST
// raise SEQUENCE (RFC 5546 §2.1.4); a change of LOCATION is treated the
// same, as §2.1.4 suggests ("a distant location").
var revisionProps = []string{
	ical.PropDTStart, ical.PropDTEnd, ical.PropDuration, ical.PropDue,
	ical.PropRRule, ical.PropRDate, ical.PropExDate, ical.PropExRule,
	ical.PropStatus, ical.PropLocation,
}

// significant reports whether b differs from a in a property of
// revisionProps: a reschedule that invalidates the attendees' answers.
func significant(a, b *ical.Component) bool {
	for _, name := range revisionProps {
		if !sameProps(a.PropsNamed(name), b.PropsNamed(name)) {
			return true
		}
	}
	return false
}

// sameProps compares two property lists by value and parameters, in
// order.
func sameProps(a, b []*ical.Property) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Value != b[i].Value || a[i].Params != b[i].Params {
			return false
		}
	}
	return true
}

// clone returns a deep copy of c. Property values and parameters are
// immutable, so copying the Props slice is enough for them.
func clone(c *ical.Component) *ical.Component {
	if c == nil {
		return nil
	}
	out := &ical.Component{Name: c.Name, Line: c.Line, Props: slices.Clone(c.Props)}
	if len(c.Children) > 0 {
		out.Children = make([]*ical.Component, len(c.Children))
		for i, ch := range c.Children {
			out.Children[i] = clone(ch)
		}
	}
	return out
}

// newMessage returns an empty message VCALENDAR: VERSION, PRODID and
// METHOD (RFC 5546 §3.2: METHOD is required).
func newMessage(m Method, opts Options) *ical.Component {
	cal := ical.NewComponent(ical.CompCalendar)
	cal.Add(ical.NewProperty(ical.PropProdID, opts.prodID()))
	cal.Add(ical.NewProperty(ical.PropVersion, "2.0"))
	cal.Add(ical.NewProperty(ical.PropMethod, string(m)))
	return cal
}

// addTimezones appends to msg the VTIMEZONEs of src that the components
// of msg reference (RFC 5546 §3.2: a VTIMEZONE MUST be present for every
// TZID used).
func addTimezones(msg, src *ical.Component) {
	if src == nil {
		return
	}
	used := map[string]bool{}
	for _, c := range msg.Children {
		c.Walk(func(c *ical.Component) bool {
			for i := range c.Props {
				if id := c.Props[i].Params.Get(ical.ParamTZID); id != "" {
					used[id] = true
				}
			}
			return true
		})
	}
	if len(used) == 0 {
		return
	}
	var zones []*ical.Component
	for _, c := range src.Components(ical.CompTimezone) {
		if used[c.Value(ical.PropTZID)] {
			zones = append(zones, c)
		}
	}
	msg.Children = append(zones, msg.Children...)
}

// stamp sets DTSTAMP to now (RFC 5546 §3.2: every message carries the
// time it was created).
func stamp(c *ical.Component, now time.Time) {
	var p ical.Property
	p.Name = ical.PropDTStamp
	p.SetDateTime(ical.NewUTC(now.UTC().Truncate(time.Second)))
	c.Set(p)
}

// SetScheduleStatus records the delivery status code of a message to addr
// in obj (RFC 6638 §3.2.9, §7.3): on the ORGANIZER when addr is the
// organizer (an attendee's copy, whose REPLY went to the organizer), else
// on every ATTENDEE with that address (the organizer's copy). It reports
// whether any property changed.
func SetScheduleStatus(obj *ical.Component, addr, code string) bool {
	name := ical.PropAttendee
	if Organizer(obj) == addr {
		name = ical.PropOrganizer
	}
	changed := false
	for _, c := range newObject(obj).comps {
		for i := range c.Props {
			p := &c.Props[i]
			if p.Name != name || p.CalAddress() != addr {
				continue
			}
			if p.Params.Get(ical.ParamScheduleStatus) == code {
				continue
			}
			p.Params.Del(ical.ParamScheduleStatus)
			p.Params.Add(ical.ParamScheduleStatus, code)
			changed = true
		}
	}
	return changed
}

// SetPartStat sets the PARTSTAT of attendee addr in every component of obj
// where addr is an ATTENDEE, and clears its RSVP (RFC 5545 §3.2.12,
// §3.2.17): what an auto-accepting room or resource does to its copy before
// it replies. It reports whether addr was found.
func SetPartStat(obj *ical.Component, addr, partstat string) bool {
	found := false
	for _, c := range newObject(obj).comps {
		for i := range c.Props {
			p := &c.Props[i]
			if p.Name != ical.PropAttendee || p.CalAddress() != addr {
				continue
			}
			found = true
			p.Params.Del(ical.ParamPartStat)
			p.Params.Del(ical.ParamRSVP)
			p.Params.Add(ical.ParamPartStat, partstat)
		}
	}
	return found
}
