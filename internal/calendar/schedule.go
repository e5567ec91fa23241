// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// Implicit scheduling (RFC 6638 §3.2): when a calendar user writes, moves
// or deletes a scheduling object resource, the service works out the iTIP
// messages with package itip, records the delivery status of each in the
// stored object (SCHEDULE-STATUS, §3.2.9), stores it with a new
// schedule-tag (§3.2.10), and delivers the messages: to principals of the
// service at once (deliver.go), to anyone else through the persistent
// queue (queue.go).

// Deliverer delivers scheduling messages to calendar users outside the
// service: the iMIP and real-time transports plug in here.
type Deliverer interface {
	// Deliver sends d.Message to d.Recipient. It returns the
	// SCHEDULE-STATUS code of the outcome (RFC 6638 §3.2.9): "1.1" sent,
	// "1.2" delivered, or a 3.x/5.x code for a permanent failure. An
	// error is a failure a later attempt may cure.
	Deliver(ctx context.Context, d *Delivery) (status string, err error)
}

// Names of the scheduling collections every home has (RFC 6638 §2.1,
// §2.2). The service finds them by kind; these are the names it gives.
const (
	InboxName  = "inbox"
	OutboxName = "outbox"
)

// Scheduling properties of an inbox, stored among its Props with their
// values as plain text: the name of the default calendar (RFC 6638 §9.2
// CALDAV:schedule-default-calendar-URL) and the VCALENDAR text of the
// availability (RFC 7953 §7.2.4 CALDAV:calendar-availability). Protocol
// adapters show them as the live properties they are.
const (
	NSCalDAV            = "urn:ietf:params:xml:ns:caldav"
	PropDefaultCalendar = "schedule-default-calendar-URL"
	PropAvailability    = "calendar-availability"
)

// Prop returns the value of the property space:local among c's Props.
func (c *Collection) Prop(space, local string) (string, bool) {
	for _, p := range c.Props {
		if p.Space == space && p.Local == local {
			return p.XML, true
		}
	}
	return "", false
}

// SetProp sets (or, with value "", removes) the property space:local.
func (c *Collection) SetProp(space, local, value string) {
	c.Props = slices.DeleteFunc(c.Props, func(p DeadProp) bool { return p.Space == space && p.Local == local })
	if value != "" {
		c.Props = append(c.Props, DeadProp{Space: space, Local: local, XML: value})
	}
}

// role is the part the owner of a calendar plays in a scheduling object.
type role int

const (
	roleNone      role = iota // not a scheduling object resource of the owner
	roleOrganizer             // the ORGANIZER is one of the owner's addresses
	roleAttendee              // an ATTENDEE is one of the owner's addresses
)

// roleOf returns the owner's role in obj and the address it plays it
// with (RFC 6638 §3.1, §11.2 item 4: the ORGANIZER must be one of the
// owner's calendar user addresses).
func roleOf(owner *Principal, obj *ical.Component) (role, string) {
	if obj == nil || !itip.IsScheduling(obj) {
		return roleNone, ""
	}
	if org := itip.Organizer(obj); slices.Contains(owner.Addresses, org) {
		return roleOrganizer, org
	}
	for _, a := range itip.Attendees(obj) {
		if slices.Contains(owner.Addresses, a) {
			return roleAttendee, a
		}
	}
	return roleNone, ""
}

// newScheduleTag returns a fresh opaque schedule-tag (RFC 6638 §8.2).
func newScheduleTag() string { return `"` + newToken() + `"` }

func (s *Service) itipOptions() itip.Options {
	return itip.Options{Now: s.opt.Now(), ProdID: ProdID, MaxInstances: s.opt.Limits.MaxInstances}
}

// outgoing are the messages of one scheduling operation and where their
// delivery status is recorded.
type outgoing struct {
	owner *Principal
	// coll and name are the object whose SCHEDULE-STATUS records the
	// outcome; coll is nil when there is none (a deleted object).
	coll *Collection
	name string
	msgs []itip.Message
	// routes are the recipients' principals, nil for external ones.
	routes map[string]*Principal
}

// scheduleWrite runs implicit scheduling for o, the object about to be
// stored in coll from the client's parse vcal. It may change o (data, ETag,
// size, schedule-tag) and returns the messages to send once o is stored,
// or nil when o is not a scheduling object of coll's owner.
func (s *Service) scheduleWrite(ctx context.Context, coll *Collection, o *Object, vcal *ical.Component, cond Conditions) (*outgoing, error) {
	var oldCal *ical.Component
	var old *Object
	err := ErrNotFound // If-None-Match: * creates, so there is nothing to read
	if !cond.IfNoneMatch {
		old, err = s.st.Object(ctx, coll.ID, o.Name)
	}
	switch {
	case err == nil:
		if c, err := ical.Parse(old.Data); err == nil {
			oldCal = c.Component
		}
	case errors.Is(err, ErrNotFound):
		old = nil
	default:
		return nil, fmt.Errorf("object %q: %w", o.Name, err)
	}
	if !itip.IsScheduling(vcal) && (oldCal == nil || !itip.IsScheduling(oldCal)) {
		return nil, nil
	}
	owner, err := s.st.Principal(ctx, coll.OwnerID)
	if err != nil {
		return nil, fmt.Errorf("owner of %q: %w", coll.Name, err)
	}
	r, addr := roleOf(owner, vcal)
	if oldCal != nil && itip.IsScheduling(vcal) {
		// RFC 6638 §3.2.4.3, §3.2.4.4, §11.2 item 5: a copy keeps its
		// organizer; an attendee cannot take the meeting over.
		if or, _ := roleOf(owner, oldCal); or != roleNone && itip.Organizer(oldCal) != itip.Organizer(vcal) {
			c := "allowed-organizer-scheduling-object-change"
			if or == roleAttendee {
				c = "allowed-attendee-scheduling-object-change"
			}
			return nil, &itip.ChangeError{Condition: c, Msg: "the ORGANIZER of a scheduling object cannot change"}
		}
	}
	if r == roleNone && oldCal != nil {
		// The organizer took every attendee out: the old attendees are
		// cancelled (RFC 6638 §3.2.1.2).
		if or, _ := roleOf(owner, oldCal); or == roleOrganizer {
			up, err := itip.OrganizerDelete(oldCal, s.itipOptions())
			if err != nil {
				return nil, err
			}
			return s.plan(ctx, owner, coll, o, nil, up.Messages)
		}
	}
	if r == roleNone {
		return nil, nil
	}
	if old == nil {
		if err := s.uniqueScheduling(ctx, owner, coll, o); err != nil {
			return nil, err
		}
	}
	if cond.IfScheduleTag != "" && old != nil && old.ScheduleTag == cond.IfScheduleTag {
		// RFC 6638 §3.2.10.1: keep the answers recorded since the
		// client read the object.
		itip.MergeParticipation(oldCal, vcal, addr, r == roleOrganizer)
	}
	opts := s.itipOptions()
	var up itip.Update
	if r == roleOrganizer {
		if oldCal != nil && !itip.IsScheduling(oldCal) {
			oldCal = nil // an event that becomes a meeting
		}
		up, err = itip.OrganizerUpdate(oldCal, vcal, opts)
	} else {
		if oldCal != nil && !itip.IsScheduling(oldCal) {
			oldCal = nil
		}
		up, err = itip.AttendeeUpdate(oldCal, vcal, addr, opts)
		if cond.NoScheduleReply {
			up.Messages = nil // RFC 6638 §8.1 Schedule-Reply: F
		}
	}
	if errors.Is(err, itip.ErrNotScheduling) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	stored := up.Object
	if stored == nil {
		stored = vcal
	}
	return s.plan(ctx, owner, coll, o, stored, up.Messages)
}

// plan routes msgs, records the expected status of each recipient in
// stored (nil: o keeps its data) and gives o a new schedule-tag: every
// write through the protocol changes it (RFC 6638 §3.2.10).
func (s *Service) plan(ctx context.Context, owner *Principal, coll *Collection, o *Object, stored *ical.Component, msgs []itip.Message) (*outgoing, error) {
	out := &outgoing{owner: owner, coll: coll, name: o.Name, msgs: msgs}
	var err error
	if out.routes, err = s.routeAll(ctx, msgs, stored); err != nil {
		return nil, err
	}
	if stored != nil {
		if data := ical.Marshal(stored); string(data) != string(o.Data) {
			o.Data = data
			o.ETag = ETag(data)
			o.Size = int64(len(data))
		}
		o.ScheduleTag = newScheduleTag()
	}
	return out, nil
}

// routeAll routes the recipients of msgs and, when stored is not nil,
// records the status each delivery is expected to end with in it.
func (s *Service) routeAll(ctx context.Context, msgs []itip.Message, stored *ical.Component) (map[string]*Principal, error) {
	routes := map[string]*Principal{}
	for _, m := range msgs {
		for _, rcpt := range m.Recipients {
			p, status, err := s.route(ctx, rcpt)
			if err != nil {
				return nil, err
			}
			routes[rcpt] = p
			if stored != nil {
				itip.SetScheduleStatus(stored, rcpt, status)
			}
		}
	}
	return routes, nil
}

// route finds the principal of a recipient address and the status its
// delivery is expected to end with: "1.2" for a principal of the service,
// "3.7" for an unknown address in a local domain, and for anyone else
// "1.0" (queued for a transport) or, with no transport configured, "5.2"
// (RFC 6638 §3.2.9: no way to deliver).
func (s *Service) route(ctx context.Context, addr string) (*Principal, string, error) {
	p, err := s.st.PrincipalByAddress(ctx, addr)
	switch {
	case err == nil:
		return p, itip.StatusDelivered, nil
	case !errors.Is(err, ErrNotFound):
		return nil, "", fmt.Errorf("recipient %q: %w", addr, err)
	}
	if s.localAddress(addr) {
		return nil, itip.StatusInvalidUser, nil
	}
	if s.opt.Outbound == nil {
		return nil, itip.StatusInvalidService, nil
	}
	return nil, itip.StatusPending, nil
}

// localAddress reports whether addr is a mailto: address in one of
// Options.LocalDomains.
func (s *Service) localAddress(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	if !strings.HasPrefix(addr, "mailto:") || at < 0 {
		return false
	}
	return slices.Contains(s.opt.LocalDomains, addr[at+1:])
}

// uniqueScheduling refuses a new scheduling object whose UID another
// object of the owner's calendars already has (RFC 6638 §3.2.4.1
// CALDAV:unique-scheduling-object-resource; §11.2 item 5).
func (s *Service) uniqueScheduling(ctx context.Context, owner *Principal, coll *Collection, o *Object) error {
	cs, err := s.st.Collections(ctx, owner.ID)
	if err != nil {
		return fmt.Errorf("collections of %q: %w", owner.Name, err)
	}
	for _, c := range cs {
		if c.Kind != KindCalendar || c.ID == coll.ID {
			continue
		}
		_, err := s.st.ObjectByUID(ctx, c.ID, o.UID)
		switch {
		case err == nil:
			return &itip.ChangeError{Condition: "unique-scheduling-object-resource", Msg: fmt.Sprintf("UID %q is already scheduled in calendar %q", o.UID, c.Name)}
		case !errors.Is(err, ErrNotFound):
			return fmt.Errorf("object %q: %w", o.UID, err)
		}
	}
	return nil
}

// scheduleDelete runs implicit scheduling for the deletion of old from
// coll (RFC 6638 §3.2.1.3 organizer: CANCEL; §3.2.2.3 attendee: REPLY
// DECLINED unless Schedule-Reply: F).
func (s *Service) scheduleDelete(ctx context.Context, coll *Collection, old *Object, cond Conditions) (*outgoing, error) {
	c, err := ical.Parse(old.Data)
	if err != nil || !itip.IsScheduling(c.Component) {
		return nil, nil
	}
	owner, err := s.st.Principal(ctx, coll.OwnerID)
	if err != nil {
		return nil, fmt.Errorf("owner of %q: %w", coll.Name, err)
	}
	r, addr := roleOf(owner, c.Component)
	var up itip.Update
	switch {
	case r == roleOrganizer:
		up, err = itip.OrganizerDelete(c.Component, s.itipOptions())
	case r == roleAttendee && !cond.NoScheduleReply:
		up, err = itip.AttendeeDelete(c.Component, addr, s.itipOptions())
	default:
		return nil, nil
	}
	if errors.Is(err, itip.ErrNotScheduling) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	routes, err := s.routeAll(ctx, up.Messages, nil)
	if err != nil {
		return nil, err
	}
	return &outgoing{owner: owner, msgs: up.Messages, routes: routes}, nil
}
