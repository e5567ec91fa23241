// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/caldav/caldata"
	"github.com/almanac-project/almanac/itip"
)

// freeBusyProps are the properties a free-busy computation reads (RFC 4791
// §7.10: times, recurrence, TRANSP and STATUS); everything else is hidden
// from a principal that holds CALDAV:read-free-busy only.
var freeBusyProps = map[string]bool{
	ical.PropUID: true, ical.PropDTStamp: true, ical.PropDTStart: true, ical.PropDTEnd: true,
	ical.PropDuration: true, ical.PropDue: true, ical.PropRRule: true, ical.PropRDate: true,
	ical.PropExDate: true, ical.PropExRule: true, ical.PropRecurrenceID: true,
	ical.PropTransp: true, ical.PropStatus: true, ical.PropFreeBusy: true,
	ical.PropSequence: true,
}

// FreeBusyData returns the free-busy view of an object's data: its
// VTIMEZONEs whole and, of the other components, only the properties
// free-busy time is computed from, without sub-components (VALARM). It is
// what QueryObjects hands out to a principal with read-free-busy only.
func FreeBusyData(data []byte) ([]byte, error) {
	cal, err := ical.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("free-busy view: %w", err)
	}
	out := ical.NewComponent(ical.CompCalendar)
	for _, p := range cal.Props {
		if p.Name == ical.PropVersion || p.Name == ical.PropProdID || p.Name == ical.PropCalScale {
			out.Add(p)
		}
	}
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			out.Children = append(out.Children, c)
			continue
		}
		v := ical.NewComponent(c.Name)
		for _, p := range c.Props {
			if freeBusyProps[p.Name] {
				v.Add(p)
			}
		}
		out.Children = append(out.Children, v)
	}
	return ical.Marshal(out), nil
}

// FreeBusyAnswer is the answer for one recipient of a free-busy request.
type FreeBusyAnswer struct {
	Recipient string
	// Status is a REQUEST-STATUS value, such as "2.0;Success".
	Status string
	// Reply is the VFREEBUSY REPLY (a VCALENDAR with METHOD), or nil.
	Reply []byte
}

// ScheduleFreeBusy answers msg, a VFREEBUSY REQUEST that owner POSTs to
// their scheduling outbox (RFC 6638 §5, Appendix B.5; RFC 5546 §3.3.2),
// with one answer per ATTENDEE in order. The ORGANIZER
// must be one of owner's addresses (CALDAV:valid-organizer, RFC 6638
// §5.2.2). A
// principal of the service answers with its busy time: its calendars that
// are not transparent (RFC 6638 §9.1) and its availability (RFC 7953),
// never the events themselves; anyone else cannot be asked in real time.
func (s *Service) ScheduleFreeBusy(ctx context.Context, owner string, msg *ical.Component) ([]FreeBusyAnswer, error) {
	o, err := s.Principal(ctx, owner)
	if err != nil {
		return nil, err
	}
	req, start, end, ok := freeBusyRange(msg)
	if !ok {
		return nil, &itip.ChangeError{Condition: "valid-scheduling-message", Msg: "a VFREEBUSY with DTSTART before DTEND, in UTC, is needed"}
	}
	if org := req.Prop(ical.PropOrganizer); org == nil || !slices.Contains(o.Addresses, org.CalAddress()) {
		return nil, &itip.ChangeError{Condition: "valid-organizer", Msg: "the ORGANIZER is not one of " + owner + "'s addresses"}
	}
	opts := s.itipOptions()
	var out []FreeBusyAnswer
	for _, p := range req.PropsNamed(ical.PropAttendee) {
		addr := p.CalAddress()
		a := FreeBusyAnswer{Recipient: addr}
		rcpt, err := s.st.PrincipalByAddress(ctx, addr)
		switch {
		case err == nil:
			a.Status, a.Reply, err = s.freeBusyReply(ctx, rcpt, msg, addr, start, end, opts)
			if err != nil {
				return nil, err
			}
		case errors.Is(err, ErrNotFound) && s.localAddress(addr):
			a.Status = itip.RequestStatus(itip.StatusInvalidUser)
		case errors.Is(err, ErrNotFound):
			a.Status = itip.RequestStatus(itip.StatusNoScheduling)
		default:
			return nil, fmt.Errorf("recipient %q: %w", addr, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// freeBusyReply builds rcpt's answer to the free-busy request msg.
func (s *Service) freeBusyReply(ctx context.Context, rcpt *Principal, msg *ical.Component, addr string, start, end time.Time, opts itip.Options) (string, []byte, error) {
	objects, avail, err := s.busySources(ctx, rcpt, start, end)
	if err != nil {
		return "", nil, err
	}
	fb, err := caldata.FreeBusyAll(objects, avail, start, end, opts.Now, caldata.Options{Limits: s.opt.Limits})
	if err != nil {
		// A recurrence that cannot be expanded within the limits.
		return itip.RequestStatus(itip.StatusUnavailable), nil, nil
	}
	reply, err := itip.FreeBusyReply(msg, addr, fb, opts)
	if err != nil {
		return "", nil, err
	}
	return itip.RequestStatus(itip.StatusSuccess), ical.Marshal(reply.Calendar), nil
}

// freeBusyRange returns the VFREEBUSY of a free-busy request and the
// range it asks about; ok is false without a VFREEBUSY or without a
// DTSTART before its DTEND in UTC (RFC 5546 §3.3.2).
func freeBusyRange(msg *ical.Component) (req *ical.Component, start, end time.Time, ok bool) {
	for _, c := range msg.Children {
		if c.Name == ical.CompFreeBusy {
			req = c
			break
		}
	}
	if req == nil {
		return nil, start, end, false
	}
	start, err1 := utcProp(req, ical.PropDTStart)
	end, err2 := utcProp(req, ical.PropDTEnd)
	return req, start, end, errors.Join(err1, err2) == nil && end.After(start)
}

// utcProp returns the DATE-TIME value of c's property name as an instant.
func utcProp(c *ical.Component, name string) (time.Time, error) {
	p := c.Prop(name)
	if p == nil {
		return time.Time{}, fmt.Errorf("no %s", name)
	}
	d, err := p.DateTime()
	if err != nil {
		return time.Time{}, err
	}
	return d.Time(nil, nil)
}

// AnswerFreeBusy answers a VFREEBUSY REQUEST from outside the service
// (RFC 5546 §3.3.2, iSchedule) for the local calendar user rcpt: its
// REQUEST-STATUS value and the VFREEBUSY REPLY, which shows busy periods
// only.
func (s *Service) AnswerFreeBusy(ctx context.Context, rcpt string, msg *ical.Component) (string, []byte, error) {
	p, err := s.st.PrincipalByAddress(ctx, rcpt)
	if errors.Is(err, ErrNotFound) {
		return itip.RequestStatus(itip.StatusInvalidUser), nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("recipient %q: %w", rcpt, err)
	}
	_, start, end, ok := freeBusyRange(msg)
	if !ok {
		return itip.RequestStatus(itip.StatusInvalidDate), nil, nil
	}
	addr := ical.NormalizeAddress(rcpt)
	asked := itip.Attendees(msg)
	for _, a := range p.Addresses {
		if slices.Contains(asked, a) {
			addr = a
		}
	}
	return s.freeBusyReply(ctx, p, msg, addr, start, end, s.itipOptions())
}
