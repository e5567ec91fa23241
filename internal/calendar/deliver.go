// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
	"github.com/almanac-project/almanac/internal/caldav/caldata"
	"github.com/almanac-project/almanac/itip"
)

// send delivers the messages of out: to principals of the service at once,
// to anyone else through the queue. A delivery that ends otherwise than
// expected (plan recorded "1.2") updates the SCHEDULE-STATUS of out's
// object. Failures are logged, never returned: the write they follow has
// happened, and the status records the outcome.
func (s *Service) send(ctx context.Context, out *outgoing) {
	if out == nil {
		return
	}
	fixes := map[string]string{}
	for _, m := range out.msgs {
		data := ical.Marshal(m.Calendar)
		// RFC 5546 §3: an invalid message is never delivered or applied;
		// RFC 6638 §3.2.9: rejected for good. Checked once per message,
		// whatever the number of recipients.
		valid := true
		if ps := itip.Validate(m.Calendar, itip.ValidateOptions{Mode: itip.ModeInterop, KnownTZID: itip.KnownTZID}); !itip.Valid(ps) {
			valid = false
			s.log.WarnContext(ctx, "scheduling: invalid iTIP message not delivered", "uid", m.UID, "method", m.Method, "problem", ps[0].String())
		}
		for _, rcpt := range m.Recipients {
			if p := out.routes[rcpt]; p != nil {
				if !valid {
					fixes[rcpt] = itip.StatusNoScheduling
					continue
				}
				if st := s.deliverLocal(ctx, m, data, p, rcpt); st != itip.StatusDelivered {
					fixes[rcpt] = st
				}
				continue
			}
			if s.localAddress(rcpt) {
				continue // 3.7, recorded by plan
			}
			if err := s.enqueue(ctx, out, m, data, rcpt); err != nil {
				s.log.ErrorContext(ctx, "scheduling: queue delivery", "recipient", rcpt, "uid", m.UID, "err", err)
				fixes[rcpt] = itip.StatusUnavailable
			}
		}
	}
	if len(fixes) > 0 && out.coll != nil {
		s.recordStatus(ctx, out.coll, out.name, fixes)
	}
}

// enqueue stores a delivery to an external recipient (RFC 6638 §3.2.9: a
// pending message keeps status 1.0 until a transport reports; without a
// transport it waits with 5.2, so that a transport configured later can
// still send it).
func (s *Service) enqueue(ctx context.Context, out *outgoing, m itip.Message, data []byte, rcpt string) error {
	d := &Delivery{
		OwnerID:    out.owner.ID,
		ObjectName: out.name,
		UID:        m.UID,
		Method:     string(m.Method),
		Originator: m.Originator,
		Recipient:  rcpt,
		Message:    data,
		Status:     itip.StatusPending,
	}
	if out.coll != nil {
		d.CollectionID = out.coll.ID
	}
	if s.opt.Outbound == nil {
		d.Status = itip.StatusInvalidService
	}
	if err := s.st.EnqueueDelivery(ctx, d); err != nil {
		return err
	}
	s.wakeQueue()
	return nil
}

// recordStatus sets the SCHEDULE-STATUS of the recipients in fixes on the
// object name of coll, keeping its schedule-tag: a delivery outcome is not
// a change of the schedule (RFC 6638 §3.2.10).
func (s *Service) recordStatus(ctx context.Context, coll *Collection, name string, fixes map[string]string) {
	for range 3 {
		o, err := s.st.Object(ctx, coll.ID, name)
		if err != nil {
			if !errors.Is(err, ErrNotFound) {
				s.log.ErrorContext(ctx, "scheduling: record status", "object", name, "err", err)
			}
			return
		}
		cal, err := ical.Parse(o.Data)
		if err != nil {
			return
		}
		changed := false
		for addr, st := range fixes {
			changed = itip.SetScheduleStatus(cal.Component, addr, st) || changed
		}
		if !changed {
			return
		}
		err = s.rewrite(ctx, coll, o, cal.Component)
		if !errors.Is(err, ErrPreconditionFailed) {
			if err != nil {
				s.log.ErrorContext(ctx, "scheduling: record status", "object", name, "err", err)
			}
			return
		}
	}
}

// rewrite stores a server-side change of o (parsed as cal) if o is
// unchanged since it was read, keeping its schedule-tag.
func (s *Service) rewrite(ctx context.Context, coll *Collection, o *Object, cal *ical.Component) error {
	n, err := s.newObject(coll, o.Name, ical.Marshal(cal), cal, nil)
	if err != nil {
		return err
	}
	n.ScheduleTag = o.ScheduleTag
	_, err = s.st.PutObject(ctx, n, Conditions{IfMatch: o.ETag})
	return err
}

// deliverLocal delivers message m (data is its encoding) to rcpt, a
// principal of the service, as the calendar user addr: an item in the
// scheduling inbox (RFC 6638 §4.1), then automatic processing into the
// principal's calendar. m has been validated (send, ReceiveMessage). It
// returns the SCHEDULE-STATUS of the delivery.
func (s *Service) deliverLocal(ctx context.Context, m itip.Message, data []byte, rcpt *Principal, addr string) string {
	inbox, err := s.schedulingCollection(ctx, rcpt, KindInbox)
	if err != nil {
		s.log.ErrorContext(ctx, "scheduling: inbox", "principal", rcpt.Name, "err", err)
		return itip.StatusUnavailable
	}
	if err := s.putInboxItem(ctx, inbox, data, m.Calendar); err != nil {
		s.log.ErrorContext(ctx, "scheduling: inbox item", "principal", rcpt.Name, "uid", m.UID, "err", err)
		return itip.StatusUnavailable
	}
	if err := s.process(ctx, rcpt, addr, m); err != nil {
		// The message is in the inbox for the client to act on.
		s.log.ErrorContext(ctx, "scheduling: process", "principal", rcpt.Name, "uid", m.UID, "method", m.Method, "err", err)
	}
	return itip.StatusDelivered
}

// putInboxItem stores an iTIP message in a scheduling inbox. One UID may
// arrive in many messages, so an inbox item's Object.UID is its own name,
// unique in the inbox, and the message's UID stays in its data.
func (s *Service) putInboxItem(ctx context.Context, inbox *Collection, data []byte, cal *ical.Component) error {
	name := newToken() + ".ics"
	o, err := s.newObject(inbox, name, data, cal, nil)
	if err != nil {
		return err
	}
	o.UID = name
	_, err = s.st.PutObject(ctx, o, Conditions{IfNoneMatch: true})
	return err
}

// process applies m to rcpt's copy of the object (RFC 6638 §4.1:
// automatic processing). A room or resource answers an invitation itself,
// accepting it unless the time is taken (RFC 5546 §3.6 status 4.0).
func (s *Service) process(ctx context.Context, rcpt *Principal, addr string, m itip.Message) error {
	auto := rcpt.Type == TypeRoom || rcpt.Type == TypeResource
	if auto {
		// Two organizers booking the same slot at once must not both
		// get it: one booking at a time per room.
		mu := s.bookingLock(rcpt.ID)
		mu.Lock()
		defer mu.Unlock()
	}
	var err error
	for range 3 {
		err = s.processOnce(ctx, rcpt, addr, m, auto)
		if !errors.Is(err, ErrPreconditionFailed) && !errors.Is(err, ErrExists) {
			return err
		}
	}
	return err
}

func (s *Service) processOnce(ctx context.Context, rcpt *Principal, addr string, m itip.Message, auto bool) error {
	coll, stored, err := s.findCopy(ctx, rcpt, m.UID)
	if err != nil {
		return err
	}
	var storedCal *ical.Component
	if stored != nil {
		c, err := ical.Parse(stored.Data)
		if err != nil {
			return fmt.Errorf("copy %q: %w", stored.Name, err)
		}
		storedCal = c.Component
	}
	opts := s.itipOptions()
	opts.Validated = true // by send or ReceiveMessage
	res, err := itip.Process(storedCal, m.Calendar, addr, opts)
	if err != nil {
		return err
	}
	if !res.Applied {
		s.sendAnswers(ctx, rcpt, res.Messages)
		return nil
	}
	if auto && m.Method == itip.MethodRequest {
		return s.autoAnswer(ctx, rcpt, addr, coll, stored, res.Object)
	}
	tag := newScheduleTag()
	if stored != nil && !res.Significant {
		tag = stored.ScheduleTag // RFC 6638 §3.2.10: answers only
	}
	if _, _, err := s.storeCopy(ctx, rcpt, coll, stored, res.Object, tag); err != nil {
		return err
	}
	if m.Method == itip.MethodReply {
		s.shareAnswers(ctx, res.Object, m.Originator, addr)
	}
	s.sendAnswers(ctx, rcpt, res.Messages)
	return nil
}

// storeCopy writes cal as rcpt's copy: in place of stored (in coll), or,
// for a new copy, in the default calendar for its component. The write is
// conditional on the copy being unchanged since it was read.
func (s *Service) storeCopy(ctx context.Context, rcpt *Principal, coll *Collection, stored *Object, cal *ical.Component, tag string) (*Collection, *Object, error) {
	name := ""
	cond := Conditions{IfNoneMatch: true}
	if stored != nil {
		name = stored.Name
		cond = Conditions{IfMatch: stored.ETag}
	} else {
		var err error
		if coll, err = s.defaultCalendar(ctx, rcpt, itip.UID(cal), cal); err != nil {
			return nil, nil, err
		}
		name = copyName(itip.UID(cal))
	}
	o, err := s.newObject(coll, name, ical.Marshal(cal), cal, nil)
	if err != nil {
		return nil, nil, err
	}
	o.ScheduleTag = tag
	if _, err := s.st.PutObject(ctx, o, cond); err != nil {
		var uc *UIDConflictError
		if errors.As(err, &uc) {
			return nil, nil, fmt.Errorf("copy of %q: %w", o.UID, ErrExists)
		}
		return nil, nil, err
	}
	return coll, o, nil
}

// copyName is the resource name of a new attendee copy: "<UID>.ics", with
// a "/" of the UID written "%2F", which is where python3-caldav's
// accept_invite PUTs the answered invitation (design/client-quirks.md:
// the copy is stored as <UID>.ics; any other name makes that PUT a
// second resource with the UID, refused as CALDAV:no-uid-conflict). A
// UID that cannot make a name gets ObjectName's.
func copyName(uid string) string {
	if name := strings.ReplaceAll(uid, "/", "%2F") + ".ics"; uid != "" && ValidObjectName(name) {
		return name
	}
	return ObjectName(uid)
}

// shareAnswers brings the organizer's copy org, just updated by a REPLY
// from replier, to the copies of the other attendees who are principals
// of the service: their copies show the new answers without a new
// schedule-tag and without an inbox item (RFC 6638 §3.2.10: an
// "inconsequential" change).
func (s *Service) shareAnswers(ctx context.Context, org *ical.Component, replier, organizer string) {
	uid := itip.UID(org)
	for _, a := range itip.Attendees(org) {
		if a == replier || a == organizer {
			continue
		}
		p, err := s.st.PrincipalByAddress(ctx, a)
		if err != nil {
			continue
		}
		for range 3 {
			coll, o, err := s.findCopy(ctx, p, uid)
			if err != nil || o == nil {
				break
			}
			c, err := ical.Parse(o.Data)
			if err != nil || !itip.MergeParticipation(org, c.Component, a, false) {
				break
			}
			if err = s.rewrite(ctx, coll, o, c.Component); !errors.Is(err, ErrPreconditionFailed) {
				if err != nil {
					s.log.ErrorContext(ctx, "scheduling: attendee copy", "principal", p.Name, "uid", uid, "err", err)
				}
				break
			}
		}
	}
}

// sendAnswers delivers the messages rcpt's processing produced (the
// REQUEST answering a REFRESH).
func (s *Service) sendAnswers(ctx context.Context, rcpt *Principal, msgs []itip.Message) {
	if len(msgs) == 0 {
		return
	}
	routes, err := s.routeAll(ctx, msgs, nil)
	if err != nil {
		s.log.ErrorContext(ctx, "scheduling: route", "principal", rcpt.Name, "err", err)
		return
	}
	s.send(ctx, &outgoing{owner: rcpt, msgs: msgs, routes: routes})
}

// autoAnswer is a room's or resource's answer to an invitation, the copy
// cal being the invitation applied: ACCEPTED when no instance overlaps
// time already taken in its calendars or made unavailable by its
// availability, else DECLINED with REQUEST-STATUS 4.0 (RFC 5546 §3.6). An
// invitation whose instances cannot be checked within the expansion
// limits (an endless FREQ=SECONDLY rule, say) is DECLINED with 3.6,
// invalid rule, rather than left unanswered. An accepted booking is
// stored; a declined one is not (and an earlier accepted version is
// removed), so that it blocks nothing.
func (s *Service) autoAnswer(ctx context.Context, rcpt *Principal, addr string, coll *Collection, stored *Object, cal *ical.Component) error {
	before, err := ical.Parse(ical.Marshal(cal))
	if err != nil {
		return err
	}
	busy, at, err := s.conflict(ctx, rcpt, cal)
	status := itip.RequestStatus(itip.StatusConflict) + ";" + at.UTC().Format("20060102T150405Z")
	if errors.Is(err, recur.ErrBudget) {
		// RFC 5546 §3.6.19: the room cannot vouch for the instances
		// of this rule, so it declines it.
		busy, status, err = true, itip.RequestStatus(itip.StatusInvalidRule), nil
	}
	if err != nil {
		return err
	}
	partstat := "ACCEPTED"
	if busy {
		partstat = "DECLINED"
	}
	itip.SetPartStat(cal, addr, partstat)
	up, err := itip.AttendeeUpdate(before.Component, cal, addr, s.itipOptions())
	if err != nil {
		return err
	}
	if busy {
		rs := ical.NewProperty(ical.PropRequestStatus, status)
		for _, m := range up.Messages {
			for _, c := range m.Calendar.Children {
				if c.Name != ical.CompTimezone {
					c.Add(rs)
				}
			}
		}
		if stored != nil {
			if err := s.st.DeleteObject(ctx, coll.ID, stored.Name, Conditions{IfMatch: stored.ETag}); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		s.sendAnswers(ctx, rcpt, up.Messages)
		return nil
	}
	obj := up.Object
	if obj == nil {
		obj = cal
	}
	routes, err := s.routeAll(ctx, up.Messages, obj)
	if err != nil {
		return err
	}
	coll, o, err := s.storeCopy(ctx, rcpt, coll, stored, obj, newScheduleTag())
	if err != nil {
		return err
	}
	s.send(ctx, &outgoing{owner: rcpt, coll: coll, name: o.Name, msgs: up.Messages, routes: routes})
	return nil
}

// conflict reports whether an instance of cal overlaps time already taken
// in rcpt's calendars (those not marked transparent, RFC 6638 §9.1) or
// made unavailable by rcpt's availability (RFC 7953), within the index
// window around now.
func (s *Service) conflict(ctx context.Context, rcpt *Principal, cal *ical.Component) (bool, time.Time, error) {
	_, _, idx, err := s.index(cal, nil)
	if err != nil {
		return false, time.Time{}, err
	}
	now := s.opt.Now()
	start := maxTime(idx.Start, now.Add(-s.opt.IndexPast))
	end := minTime(idx.End, now.Add(s.opt.IndexFuture))
	if !end.After(start) {
		return false, time.Time{}, nil
	}
	existing, avail, err := s.busySources(ctx, rcpt, start, end)
	if err != nil {
		return false, time.Time{}, err
	}
	return caldata.Conflict(cal, existing, avail, start, end, caldata.Options{Limits: s.opt.Limits})
}

// busySources returns the objects of rcpt's calendars that count for busy
// time in [start, end) and the VCALENDARs of its availability.
func (s *Service) busySources(ctx context.Context, rcpt *Principal, start, end time.Time) (objects, avail []*ical.Component, err error) {
	cs, err := s.st.Collections(ctx, rcpt.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("collections of %q: %w", rcpt.Name, err)
	}
	for _, c := range cs {
		switch {
		case c.Kind == KindInbox:
			if v, ok := c.Prop(NSCalDAV, PropAvailability); ok {
				if a, err := ical.Parse([]byte(v)); err == nil {
					avail = append(avail, a.Component)
				}
			}
			continue
		case c.Kind != KindCalendar || c.Transparent:
			continue
		}
		os, err := s.st.QueryObjects(ctx, c.ID, Query{Start: start, End: end, WithData: true})
		if err != nil {
			return nil, nil, fmt.Errorf("busy time of %q: %w", c.Name, err)
		}
		for _, o := range os {
			cal, err := ical.Parse(o.Data)
			if err != nil {
				continue
			}
			if slices.ContainsFunc(cal.Children, func(c *ical.Component) bool { return c.Name == ical.CompAvailability }) {
				avail = append(avail, cal.Component)
				continue
			}
			objects = append(objects, cal.Component)
		}
	}
	return objects, avail, nil
}

// bookingLock returns the mutex that serialises the automatic answers of
// one room or resource.
func (s *Service) bookingLock(id int64) *sync.Mutex {
	mu, _ := s.bookings.LoadOrStore(id, new(sync.Mutex))
	return mu.(*sync.Mutex)
}

// findCopy returns the calendar and the object holding rcpt's copy of the
// scheduling object uid, or nils.
func (s *Service) findCopy(ctx context.Context, rcpt *Principal, uid string) (*Collection, *Object, error) {
	cs, err := s.st.Collections(ctx, rcpt.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("collections of %q: %w", rcpt.Name, err)
	}
	for _, c := range cs {
		if c.Kind != KindCalendar {
			continue
		}
		o, err := s.st.ObjectByUID(ctx, c.ID, uid)
		switch {
		case err == nil:
			return c, o, nil
		case !errors.Is(err, ErrNotFound):
			return nil, nil, fmt.Errorf("object %q: %w", uid, err)
		}
	}
	return nil, nil, nil
}

// defaultCalendar returns the calendar where a new copy of cal goes (RFC
// 6638 §9.2): the inbox's schedule-default-calendar-URL when it takes the
// component, else the default calendar, else the first calendar that
// takes it; a home without one gets a new default calendar (§4.3.1.1
// CALDAV:default-calendar-needed).
func (s *Service) defaultCalendar(ctx context.Context, rcpt *Principal, uid string, cal *ical.Component) (*Collection, error) {
	comp := ""
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone {
			comp = c.Name
			break
		}
	}
	cs, err := s.st.Collections(ctx, rcpt.ID)
	if err != nil {
		return nil, fmt.Errorf("collections of %q: %w", rcpt.Name, err)
	}
	takes := func(c *Collection) bool {
		return c.Kind == KindCalendar && (c.Components == nil || slices.Contains(c.Components, comp))
	}
	want := DefaultCalendar
	for _, c := range cs {
		if c.Kind == KindInbox {
			if v, ok := c.Prop(NSCalDAV, PropDefaultCalendar); ok {
				want = v
			}
		}
	}
	for _, name := range []string{want, DefaultCalendar} {
		for _, c := range cs {
			if c.Name == name && takes(c) {
				return c, nil
			}
		}
	}
	for _, c := range cs {
		if takes(c) {
			return c, nil
		}
	}
	c := &Collection{OwnerID: rcpt.ID, Name: "scheduled", Kind: KindCalendar, DisplayName: "Invitations"}
	if err := s.st.CreateCollection(ctx, c); err != nil && !errors.Is(err, ErrExists) {
		return nil, fmt.Errorf("default calendar of %q: %w", rcpt.Name, err)
	}
	return s.st.CollectionByName(ctx, rcpt.ID, c.Name)
}

// schedulingCollection returns p's inbox or outbox, creating it when the
// home has none.
func (s *Service) schedulingCollection(ctx context.Context, p *Principal, kind string) (*Collection, error) {
	cs, err := s.st.Collections(ctx, p.ID)
	if err != nil {
		return nil, fmt.Errorf("collections of %q: %w", p.Name, err)
	}
	for _, c := range cs {
		if c.Kind == kind {
			return c, nil
		}
	}
	name := InboxName
	if kind == KindOutbox {
		name = OutboxName
	}
	for i := 0; ; i++ {
		c := &Collection{OwnerID: p.ID, Name: name, Kind: kind}
		if i > 0 {
			c.Name = fmt.Sprintf("%s-%d", name, i)
		}
		err := s.st.CreateCollection(ctx, c)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, ErrExists) || i == 9 {
			return nil, fmt.Errorf("%s of %q: %w", kind, p.Name, err)
		}
	}
}
