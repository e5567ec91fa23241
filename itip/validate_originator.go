// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"fmt"
	"slices"

	"github.com/almanac-project/almanac/ical"
)

// CheckOriginator applies RFC 5546 §1.4 (who may send each method) and the
// binding of seed-mapping §3.7 step 6 to a message from originator, a
// calendar user address (the iSchedule Originator, the iMIP sender, the
// CalDAV principal):
//   - for the organizer methods (PUBLISH, REQUEST, ADD, CANCEL,
//     DECLINECOUNTER) the originator must be the ORGANIZER of every
//     component, or the SENT-BY of that ORGANIZER (RFC 5546 §3.2.2.5);
//   - for REPLY the originator must be the replying ATTENDEE or its
//     SENT-BY; when a REPLY carries several ATTENDEEs (a delegation,
//     RFC 5546 §3.2.2.3), the others must be linked to the originator's by
//     DELEGATED-TO/DELEGATED-FROM;
//   - for REFRESH and COUNTER the originator must be an ATTENDEE or the
//     SENT-BY of one;
//   - a REQUEST from an attendee is allowed only when delegating (§1.4):
//     in every component the originator's ATTENDEE carries DELEGATED-TO,
//     or another ATTENDEE names it in DELEGATED-FROM (§3.2.2.3).
//
// Addresses compare after ical.NormalizeAddress. CheckOriginator returns
// nil, or the problem, with Rule "originator" and Status "3.8" (no
// authority). It does not validate the message: call Validate for that.
func CheckOriginator(cal *ical.Component, originator string) *Problem {
	orig := ical.NormalizeAddress(originator)
	method, _ := MethodOf(cal)
	fail := func(ref compRef, prop string, line int, format string, args ...any) *Problem {
		return &Problem{
			Component: ref.name,
			Index:     ref.index,
			Property:  prop,
			Rule:      "originator",
			Section:   "RFC 5546 §1.4",
			Line:      line,
			Message:   fmt.Sprintf(format, args...),
			Status:    "3.8",
		}
	}
	if cal == nil {
		return fail(compRef{index: -1}, "", 0, "no message")
	}
	if orig == "" {
		return fail(calendarRef, "", cal.Line, "no originator")
	}
	r := loadedRestrictions()
	var roleCheck func(c *ical.Component, ref compRef) *Problem
	switch {
	case slices.Contains(r.organizer, method):
		roleCheck = func(c *ical.Component, ref compRef) *Problem {
			org := c.Prop(ical.PropOrganizer)
			if org == nil {
				return fail(ref, ical.PropOrganizer, c.Line, "missing: a %s is sent by the ORGANIZER, and there is none to compare %s with", method, orig)
			}
			if addressMatches(org, orig) {
				return nil
			}
			if slices.Contains(r.delegating, method) && delegates(c, orig) {
				return nil // RFC 5546 §1.4: "REQUEST (only when delegating)"
			}
			return fail(ref, ical.PropOrganizer, org.Line, "%s sent by %s, who is neither the ORGANIZER %s nor its SENT-BY", method, orig, org.CalAddress())
		}
	case slices.Contains(r.attendee, method):
		roleCheck = func(c *ical.Component, ref compRef) *Problem {
			atts := c.PropsNamed(ical.PropAttendee)
			var mine *ical.Property
			for _, a := range atts {
				if addressMatches(a, orig) {
					mine = a
					break
				}
			}
			if mine == nil {
				return fail(ref, ical.PropAttendee, c.Line, "%s sent by %s, who is no ATTENDEE (nor the SENT-BY of one)", method, orig)
			}
			if method == "REPLY" && len(atts) > 1 && !slices.Contains(delegationHubs(atts), mine) {
				// RFC 5546 §3.2.3: ATTENDEE "MUST be the address of the
				// Attendee replying"; other ATTENDEEs only as the other
				// side of a delegation (§3.2.2.3).
				return fail(ref, ical.PropAttendee, mine.Line, "REPLY sent by %s carries %d ATTENDEEs that are not linked to the originator's by delegation", orig, len(atts))
			}
			return nil
		}
	default:
		line := cal.Line
		if p := cal.Prop(ical.PropMethod); p != nil {
			line = p.Line
		}
		return fail(calendarRef, ical.PropMethod, line, "METHOD %q has no originator role", method)
	}
	index := map[string]int{}
	for _, c := range cal.Children {
		if !isMainComponent(c.Name) {
			continue
		}
		ref := compRef{name: c.Name, index: index[c.Name]}
		index[c.Name]++
		if p := roleCheck(c, ref); p != nil {
			return p
		}
	}
	if len(index) == 0 {
		return fail(calendarRef, "", cal.Line, "no VEVENT, VTODO, VJOURNAL or VFREEBUSY to bind %s to", orig)
	}
	return nil
}

// addressMatches reports whether the calendar user address of p, or its
// SENT-BY parameter, is addr (normalised).
func addressMatches(p *ical.Property, addr string) bool {
	if p.CalAddress() == addr {
		return true
	}
	sentBy := p.Params.Get(ical.ParamSentBy)
	return sentBy != "" && ical.NormalizeAddress(sentBy) == addr
}

// delegates reports whether addr is an ATTENDEE of c that delegates: its
// ATTENDEE has DELEGATED-TO, or another ATTENDEE has DELEGATED-FROM naming
// it (RFC 5546 §3.2.2.3, §4.2.5).
func delegates(c *ical.Component, addr string) bool {
	atts := c.PropsNamed(ical.PropAttendee)
	var mine *ical.Property
	for _, a := range atts {
		if addressMatches(a, addr) {
			mine = a
			break
		}
	}
	if mine == nil {
		return false
	}
	if pa, ok := mine.Params.Find(ical.ParamDelegatedTo); ok && slices.ContainsFunc(pa.Values, func(v string) bool { return v != "" }) {
		return true
	}
	for _, a := range atts {
		if a == mine {
			continue
		}
		if pa, ok := a.Params.Find(ical.ParamDelegatedFrom); ok {
			for _, v := range pa.Values {
				if ical.NormalizeAddress(v) == mine.CalAddress() {
					return true
				}
			}
		}
	}
	return false
}
