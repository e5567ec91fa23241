// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"fmt"
	"net/http"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// checkBinding is step 6 of the pipeline: the Originator and Recipient
// headers against the message (iSchedule -05 §6.2.1, seed-mapping §3.4).
//
//   - RFC 5546 §1.4 through itip.CheckOriginator: the Originator is the
//     ORGANIZER (or its SENT-BY) for PUBLISH, REQUEST, ADD, CANCEL and
//     DECLINECOUNTER, the replying ATTENDEE for REPLY, an ATTENDEE for
//     REFRESH and COUNTER; else 403 originator-denied.
//   - iSchedule -05 Note 1 forbids forwarding: a REQUEST (or ADD, CANCEL,
//     DECLINECOUNTER) comes from the ORGANIZER, never from a delegating
//     attendee, which RFC 5546 would allow.
//   - Every Recipient is an ATTENDEE for the organizer's methods and the
//     ORGANIZER for REPLY, REFRESH and COUNTER, and for a VFREEBUSY
//     REQUEST the Recipients are exactly the ATTENDEEs; else 400
//     recipient-mismatch.
func checkBinding(cal *ical.Component, method, component, originator string, recipients []string) error {
	if p := itip.CheckOriginator(cal, originator); p != nil {
		return refuse(http.StatusForbidden, errOriginatorDenied, p.String(), nil)
	}
	switch itip.Method(method) {
	case itip.MethodReply, itip.MethodRefresh, itip.MethodCounter:
		organizers := make(map[string]bool)
		for _, c := range mainComponents(cal) {
			if p := c.Prop(ical.PropOrganizer); p != nil {
				organizers[p.CalAddress()] = true
			}
		}
		for _, r := range recipients {
			if !organizers[r] {
				return refuse(http.StatusBadRequest, errRecipientMismatch,
					fmt.Sprintf("Recipient %s is not the ORGANIZER of the %s (iSchedule -05 §6.2.1)", r, method), nil)
			}
		}
		return nil
	}
	for _, c := range mainComponents(cal) {
		if !organizedBy(c, originator) {
			return refuse(http.StatusForbidden, errOriginatorDenied,
				fmt.Sprintf("the Originator is not the ORGANIZER of the %s: iSchedule does not allow forwarding (iSchedule -05 §6.2.1)", method), nil)
		}
	}
	attendees := itip.Attendees(cal)
	isAttendee := make(map[string]bool, len(attendees))
	for _, a := range attendees {
		isAttendee[a] = true
	}
	for _, r := range recipients {
		if !isAttendee[r] {
			return refuse(http.StatusBadRequest, errRecipientMismatch,
				fmt.Sprintf("Recipient %s is not an ATTENDEE of the %s (iSchedule -05 §6.2.1)", r, method), nil)
		}
	}
	// iSchedule -05 §6.2.1: for VFREEBUSY the ATTENDEEs match the
	// Recipients one for one.
	if component == ical.CompFreeBusy && len(attendees) != len(recipients) {
		return refuse(http.StatusBadRequest, errRecipientMismatch,
			"the Recipients of a VFREEBUSY request must be exactly its ATTENDEEs (iSchedule -05 §6.2.1)", nil)
	}
	return nil
}

// organizedBy reports whether the ORGANIZER of c, or its SENT-BY, is addr.
func organizedBy(c *ical.Component, addr string) bool {
	p := c.Prop(ical.PropOrganizer)
	if p == nil {
		return false
	}
	if p.CalAddress() == addr {
		return true
	}
	sentBy := p.Params.Get(ical.ParamSentBy)
	return sentBy != "" && ical.NormalizeAddress(sentBy) == addr
}

// mainComponents returns the VEVENT, VTODO, VJOURNAL and VFREEBUSY
// components of cal.
func mainComponents(cal *ical.Component) []*ical.Component {
	var out []*ical.Component
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompEvent, ical.CompToDo, ical.CompJournal, ical.CompFreeBusy:
			out = append(out, c)
		}
	}
	return out
}
