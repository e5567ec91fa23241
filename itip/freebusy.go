// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// FreeBusyRequest builds the VFREEBUSY REQUEST with which organizer asks
// attendees for their busy time between start and end (RFC 5546 §3.3.2,
// example §4.3.2; RFC 6638 §5 and Appendix B.5): UID, DTSTAMP, DTSTART and
// DTEND in UTC, ORGANIZER and one ATTENDEE per address, each once. The
// addresses are normalised; the message goes to every attendee.
func FreeBusyRequest(organizer string, attendees []string, start, end time.Time, uid string, opts Options) Message {
	org := ical.NormalizeAddress(organizer)
	c := ical.NewComponent(ical.CompFreeBusy)
	c.Add(ical.NewProperty(ical.PropUID, uid))
	stamp(c, opts.Now)
	for _, f := range []struct {
		name string
		t    time.Time
	}{{ical.PropDTStart, start}, {ical.PropDTEnd, end}} {
		p := ical.Property{Name: f.name}
		p.SetDateTime(ical.NewUTC(f.t.UTC()))
		c.Add(p)
	}
	c.Add(ical.NewProperty(ical.PropOrganizer, org))
	var to []string
	for _, a := range attendees {
		if a = ical.NormalizeAddress(a); a != "" && !slices.Contains(to, a) {
			to = append(to, a)
			c.Add(ical.NewProperty(ical.PropAttendee, a))
		}
	}
	msg := newMessage(MethodRequest, opts)
	msg.Children = append(msg.Children, c)
	return Message{Method: MethodRequest, Originator: org, Recipients: to, UID: uid, Calendar: msg}
}

// FreeBusyPublish builds the VFREEBUSY PUBLISH with which organizer makes
// its busy time between start and end known to anyone (RFC 5546 §3.3.1,
// example §4.3.1): UID, DTSTAMP, DTSTART and DTEND in UTC, ORGANIZER and
// the FREEBUSY periods of busy as FreeBusyReply writes them; no ATTENDEE
// (the table forbids it). A PUBLISH has no recipients of its own: it is
// posted, attached or served, not delivered.
func FreeBusyPublish(organizer string, busy *ical.Component, start, end time.Time, uid string, opts Options) (Message, error) {
	req := FreeBusyRequest(organizer, nil, start, end, uid, opts)
	c := req.Calendar.Components(ical.CompFreeBusy)[0]
	periods, err := busyPeriods(busy)
	if err != nil {
		return Message{}, fmt.Errorf("free-busy publish: %w", err)
	}
	for _, bp := range periods {
		c.Add(bp.prop)
	}
	req.Calendar.Set(ical.NewProperty(ical.PropMethod, string(MethodPublish)))
	return Message{Method: MethodPublish, Originator: req.Originator, UID: uid, Calendar: req.Calendar}, nil
}

// FreeBusyReply builds attendee's answer to a VFREEBUSY REQUEST (RFC 5546
// §3.3.3, example §4.3.3; RFC 6638 Appendix B.5): a VFREEBUSY with the
// UID, ORGANIZER, DTSTART and DTEND of the request, the attendee's
// ATTENDEE as the request lists it (without SCHEDULE-* parameters),
// DTSTAMP now, and the FREEBUSY periods of busy, a VFREEBUSY computed
// elsewhere: one period per FREEBUSY property with its FBTYPE, sorted by
// start and then end (§3.3: SHOULD be sorted), without duplicates and
// without FBTYPE=FREE periods (the table: "MUST be BUSYTIME"). busy may be
// nil: no busy time. It is an error when request has no VFREEBUSY or does
// not list attendee.
func FreeBusyReply(request *ical.Component, attendee string, busy *ical.Component, opts Options) (Message, error) {
	var req *ical.Component
	if request != nil {
		if cs := request.Components(ical.CompFreeBusy); len(cs) > 0 {
			req = cs[0]
		}
	}
	if req == nil {
		return Message{}, fmt.Errorf("free-busy reply: %w: no VFREEBUSY", ErrInvalid)
	}
	me := findAttendee(req, attendee)
	if me == nil {
		return Message{}, fmt.Errorf("free-busy reply: %s is not an ATTENDEE of the request: %w", attendee, ErrInvalid)
	}
	c := ical.NewComponent(ical.CompFreeBusy)
	c.Add(ical.NewProperty(ical.PropUID, req.Value(ical.PropUID)))
	stamp(c, opts.Now)
	for _, name := range []string{ical.PropDTStart, ical.PropDTEnd, ical.PropOrganizer} {
		p := req.Prop(name)
		if p == nil {
			continue
		}
		q := *p
		cleanProp(&q)
		if name != ical.PropOrganizer {
			// RFC 5546 §3.3.3: in UTC, written as such (python3-caldav
			// asks with "DTSTART;TZID=UTC:…Z", which RFC 5545 §3.2.19
			// does not allow on a UTC time).
			if t, ok := utcInstant(p); ok {
				q = ical.Property{Name: name}
				q.SetDateTime(ical.NewUTC(t))
			}
		}
		c.Add(q)
	}
	a := *me
	cleanProp(&a)
	c.Add(a)
	periods, err := busyPeriods(busy)
	if err != nil {
		return Message{}, fmt.Errorf("free-busy reply: %w", err)
	}
	for _, bp := range periods {
		c.Add(bp.prop)
	}
	msg := newMessage(MethodReply, opts)
	msg.Children = append(msg.Children, c)
	org := ""
	if p := req.Prop(ical.PropOrganizer); p != nil {
		org = p.CalAddress()
	}
	return Message{Method: MethodReply, Originator: attendee, Recipients: []string{org}, UID: req.Value(ical.PropUID), Calendar: msg}, nil
}

// busyPeriod is one FREEBUSY period with its instants for sorting.
type busyPeriod struct {
	start, end time.Time
	fbtype     string
	prop       ical.Property
}

// busyPeriods returns the FREEBUSY periods of busy one per property,
// sorted, without duplicates and FREE time.
func busyPeriods(busy *ical.Component) ([]busyPeriod, error) {
	if busy == nil {
		return nil, nil
	}
	var out []busyPeriod
	for _, p := range busy.PropsNamed(ical.PropFreeBusy) {
		fbtype := strings.ToUpper(p.Params.Get(ical.ParamFBType))
		if fbtype == "FREE" {
			continue
		}
		periods, err := p.Periods()
		if err != nil {
			return nil, fmt.Errorf("FREEBUSY %q: %w", p.Value, err)
		}
		for _, pe := range periods {
			start, err := pe.Start.Time(nil, nil)
			if err != nil {
				return nil, fmt.Errorf("FREEBUSY %q: %w", p.Value, err)
			}
			end := pe.Duration.AddTo(start, nil)
			if !pe.HasDuration {
				if end, err = pe.End.Time(nil, nil); err != nil {
					return nil, fmt.Errorf("FREEBUSY %q: %w", p.Value, err)
				}
			}
			q := ical.Property{Name: ical.PropFreeBusy, Params: p.Params, Value: pe.String()}
			out = append(out, busyPeriod{start: start, end: end, fbtype: fbtype, prop: q})
		}
	}
	slices.SortStableFunc(out, func(a, b busyPeriod) int {
		return cmp.Or(a.start.Compare(b.start), a.end.Compare(b.end), strings.Compare(a.fbtype, b.fbtype))
	})
	return slices.CompactFunc(out, func(a, b busyPeriod) bool {
		return a.start.Equal(b.start) && a.end.Equal(b.end) && a.fbtype == b.fbtype
	}), nil
}

// utcInstant returns the instant of a DATE-TIME property in UTC form or
// with a TZID naming UTC.
func utcInstant(p *ical.Property) (time.Time, bool) {
	d, err := p.DateTime()
	if err != nil || d.IsDate() {
		return time.Time{}, false
	}
	t, err := d.Time(nil, nil)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
