// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import "github.com/almanac-project/almanac/ical"

// participation are the ATTENDEE parameters that say how an attendee
// takes part (RFC 5545 §3.2.4, §3.2.5, §3.2.12, §3.2.17): what a reply
// changes.
var participation = []string{ical.ParamPartStat, ical.ParamRSVP, ical.ParamDelegatedTo, ical.ParamDelegatedFrom}

// MergeParticipation copies the participation of every attendee other
// than except from one copy of a scheduling object to another, instance by
// instance (an instance into has and from lacks takes from's master), and
// reports whether into changed. Attendees into does not list are not
// added.
//
// It serves two rules of RFC 6638 §3.2.10: a PUT with a matching
// If-Schedule-Tag-Match keeps the answers the server recorded meanwhile
// (from is the stored copy, into the client's, except the owner; withStatus
// keeps the SCHEDULE-STATUS of the organizer's copy too), and an attendee's
// copy learns the other attendees' answers without a new schedule-tag (from
// is the organizer's copy, except that attendee).
func MergeParticipation(from, into *ical.Component, except string, withStatus bool) bool {
	src, dst := newObject(from), newObject(into)
	names := participation
	if withStatus {
		names = append(names[:len(names):len(names)], ical.ParamScheduleStatus)
	}
	// The attendees of each source component by address: copies of big
	// meetings have hundreds of attendees.
	index := map[*ical.Component]map[string]*ical.Property{}
	attendeesOf := func(c *ical.Component) map[string]*ical.Property {
		m, ok := index[c]
		if !ok {
			m = map[string]*ical.Property{}
			for _, p := range c.PropsNamed(ical.PropAttendee) {
				m[p.CalAddress()] = p
			}
			index[c] = m
		}
		return m
	}
	changed := false
	for _, c := range dst.comps {
		sc := src.byKey[dst.key(c)]
		if sc == nil {
			sc = src.master
		}
		if sc == nil {
			continue
		}
		srcAttendees := attendeesOf(sc)
		for i := range c.Props {
			p := &c.Props[i]
			if p.Name != ical.PropAttendee {
				continue
			}
			addr := p.CalAddress()
			if addr == except {
				continue
			}
			sp := srcAttendees[addr]
			if sp == nil {
				continue
			}
			for _, n := range names {
				if sameParam(p.Params, sp.Params, n) {
					continue
				}
				p.Params.Del(n)
				if v, ok := sp.Params.Find(n); ok {
					p.Params.Add(n, v.Values...)
				}
				changed = true
			}
		}
	}
	return changed
}

// sameParam reports whether a and b hold the parameter name with the same
// values, or both lack it.
func sameParam(a, b ical.Params, name string) bool {
	av, aok := a.Find(name)
	bv, bok := b.Find(name)
	if aok != bok {
		return false
	}
	if len(av.Values) != len(bv.Values) {
		return false
	}
	for i := range av.Values {
		if av.Values[i] != bv.Values[i] {
			return false
		}
	}
	return true
}
