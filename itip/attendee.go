// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"fmt"
	"slices"
	"strings"

	"github.com/almanac-project/almanac/ical"
)

// condAttendeeChange is the RFC 6638 §3.2.4.4 precondition of a change an
// attendee may not make.
const condAttendeeChange = "allowed-attendee-scheduling-object-change"

func attendeeChangeError(format string, args ...any) error {
	return &ChangeError{Condition: condAttendeeChange, Msg: fmt.Sprintf(format, args...)}
}

// AttendeeUpdate turns an attendee's change of their own copy of a
// scheduling object, from old to new, into the messages it implies (RFC
// 6638 §3.2.2.3): one REPLY to the organizer (RFC 5546 §3.2.3, §3.4.3)
// carrying every component, master or instance, in which the attendee's
// participation changed, and a REQUEST to each new delegate (RFC 5546
// §3.2.2.3, §4.2.5). attendee is the attendee's normalised address; old is
// nil when the attendee creates the copy (RFC 6638 §3.2.2.2).
//
// The changes an attendee may make are those of RFC 6638 §3.2.2.1: their
// own PARTSTAT, TRANSP, PERCENT-COMPLETE, COMPLETED, VALARMs, CALSCALE,
// PRODID, added EXDATEs (with the removal of the overrides they exclude),
// CREATED, DTSTAMP, LAST-MODIFIED, SCHEDULE-STATUS on ATTENDEEs scheduled
// by the client, and new overrides that change nothing else. Almanac also
// allows, as §3.2.4.4 lets a server decide, what iTIP gives the attendee:
// delegation (DELEGATED-TO, RSVP and ROLE on their own ATTENDEE and new
// delegate ATTENDEEs with DELEGATED-FROM, RFC 5546 §3.2.2.3), the
// attendee's own ATTENDEE with MEMBER of a group attendee (RFC 5546
// §3.7.2), COMMENT (RFC 5546 §3.2.3), X- properties and parameters, the
// STATUS of a VTODO among NEEDS-ACTION, IN-PROCESS and COMPLETED (progress,
// RFC 5546 §3.4.3), the removal of an override that carries nothing but
// the attendee's own changes, a changed SEQUENCE (ignored: SEQUENCE is the
// organizer's revision, RFC 5546 §2.1.4, and the stored copy keeps the old
// value) and re-encoded VTIMEZONEs (dates compare as instants). Anything
// else (a rewritten ORGANIZER or UID, another attendee's PARTSTAT, a moved
// DTSTART, an added attendee) is a *ChangeError with the condition
// "allowed-attendee-scheduling-object-change". The caller merges the other
// attendees' ATTENDEE properties from the stored copy first when the
// request carried a matching If-Schedule-Tag-Match (RFC 6638 §3.2.10.1).
//
// No REPLY answers a component that is cancelled (STATUS:CANCELLED, RFC
// 5546 §4.2.9). With old nil (or an old copy without ORGANIZER) the copy is
// compared with itself unanswered: a REPLY is sent when the attendee's
// PARTSTAT is other than NEEDS-ACTION or they delegate. A SCHEDULE-AGENT
// other than SERVER on the ORGANIZER means the client schedules (RFC 6638
// §3.2.2.3): new is returned unchanged, without
// messages. SCHEDULE-FORCE-SEND=REPLY on the ORGANIZER forces a REPLY for
// its component; any SCHEDULE-FORCE-SEND is removed from the stored copy
// and another value sets SCHEDULE-STATUS 2.3 on the ORGANIZER (RFC 6638
// §7.2).
//
// Replies carry, per component, UID, SEQUENCE, DTSTAMP, RECURRENCE-ID,
// DTSTART, DTEND or DURATION or DUE, the master's RRULE and RDATE (so that
// a reply for the master and an instance reads as recurring), SUMMARY,
// ORGANIZER, the attendee's ATTENDEE (and the delegates' when delegating;
// without RSVP, ROLE and CUTYPE otherwise), the PERCENT-COMPLETE,
// COMPLETED and STATUS of a VTODO that the assignee changed, and the
// COMMENTs the attendee added, as in RFC 6638 Appendix B.4 and B.7; no
// REQUEST-STATUS (RFC 5546 §3.6: absent means 2.0) and no SCHEDULE-*
// parameters (RFC 6638 §7). A delegate's REPLY also goes to the delegators
// (RFC 5546 §3.2.2.3, §4.2.6).
func AttendeeUpdate(old, new *ical.Component, attendee string, opts Options) (Update, error) {
	if new == nil {
		return Update{}, fmt.Errorf("attendee update: %w: no object", ErrInvalid)
	}
	org, server, err := organizerOf(newObject(new))
	if err != nil {
		return Update{}, err
	}
	if old != nil {
		oorg, _, err := organizerOf(newObject(old))
		if err != nil {
			return Update{}, err
		}
		if oorg == "" {
			// Not a scheduling object before: the attendee creates one.
			old = nil
		} else if oorg != org && oorg != attendee {
			return Update{}, attendeeChangeError("ORGANIZER changed from %s to %s", oorg, org)
		}
	}
	if old != nil {
		if ou, nu := UID(old), UID(new); ou != nu {
			return Update{}, attendeeChangeError("UID changed from %q to %q", ou, nu)
		}
	}
	if org == "" {
		return Update{}, fmt.Errorf("attendee update: %w", ErrNotScheduling)
	}
	if org == attendee {
		return Update{}, fmt.Errorf("attendee update: %s is the organizer: %w", attendee, ErrNotScheduling)
	}
	if !server {
		// RFC 6638 §3.2.2.3: SCHEDULE-AGENT CLIENT or NONE, no special
		// processing.
		return Update{Object: new}, nil
	}
	base := old
	if old == nil {
		base = unanswered(new, attendee)
	}
	out := clone(new)
	d := &attendeeDiff{attendee: attendee, ob: newObject(base), nb: newObject(out), opts: opts}
	if !d.participates(d.ob) && !d.participates(d.nb) {
		// Not an attendee scheduling object of this user (RFC 6638 §3.1).
		return Update{Object: new}, nil
	}
	if err := d.compare(base, out); err != nil {
		return Update{}, err
	}
	d.forceSend()
	d.restoreSequence()
	u := Update{Object: out, Changed: d.changed}
	if len(d.replies) > 0 {
		u.Messages = append(u.Messages, d.replyMessage(org))
	}
	u.Messages = append(u.Messages, d.delegationMessages()...)
	return u, nil
}

// AttendeeDelete returns the messages implied by an attendee removing
// their copy old of a scheduling object (RFC 6638 §3.2.2.4, §8.1): a REPLY
// declining every component in which the attendee takes part and that is
// not cancelled. There is none when the ORGANIZER's SCHEDULE-AGENT is not
// SERVER or the copy is cancelled. The caller does not call AttendeeDelete
// when the request carries Schedule-Reply: F.
func AttendeeDelete(old *ical.Component, attendee string, opts Options) (Update, error) {
	if old == nil {
		return Update{}, fmt.Errorf("attendee delete: %w: no object", ErrInvalid)
	}
	o := newObject(old)
	org, server, err := organizerOf(o)
	if err != nil {
		return Update{}, err
	}
	if org == "" || org == attendee {
		return Update{}, fmt.Errorf("attendee delete: %w", ErrNotScheduling)
	}
	if !server {
		return Update{}, nil
	}
	d := &attendeeDiff{attendee: attendee, ob: o, nb: o, opts: opts}
	for _, c := range o.comps {
		if strings.EqualFold(c.Value(ical.PropStatus), "CANCELLED") || findAttendee(c, attendee) == nil {
			continue
		}
		d.replies = append(d.replies, d.replyComponent(c, c, "DECLINED"))
	}
	if len(d.replies) == 0 {
		return Update{}, nil
	}
	return Update{Messages: []Message{d.replyMessage(org)}}, nil
}

// Counter builds the COUNTER an attendee sends to propose changes to the
// organizer (RFC 5546 §3.2.7, §3.4.7; examples §4.2.4 and §4.4.9). stored
// is the attendee's copy, proposed a VCALENDAR holding the one component
// proposed (with a RECURRENCE-ID to counter one instance). The message
// takes ORGANIZER, UID and SEQUENCE from stored (they MUST echo the
// original), drops the attendee's VALARMs and the SCHEDULE-* parameters,
// and fills SUMMARY (VEVENT) and PRIORITY (VTODO), which the tables
// require, from stored when proposed lacks them.
func Counter(stored, proposed *ical.Component, attendee string, opts Options) (Message, error) {
	so, po := newObject(stored), newObject(proposed)
	if len(po.comps) != 1 {
		return Message{}, fmt.Errorf("counter: %w: want one proposed component, have %d", ErrInvalid, len(po.comps))
	}
	org, _, err := organizerOf(so)
	if err != nil {
		return Message{}, err
	}
	if org == "" || !slices.Contains(Attendees(stored), attendee) || org == attendee {
		return Message{}, fmt.Errorf("counter: %s is not an attendee: %w", attendee, ErrNotScheduling)
	}
	pc := po.comps[0]
	if u := UID(stored); pc.Value(ical.PropUID) != u {
		return Message{}, fmt.Errorf("counter: %w: UID %q is not the stored %q", ErrInvalid, pc.Value(ical.PropUID), u)
	}
	if pc.Prop(ical.PropDTStart) == nil && pc.Name == ical.CompEvent {
		// RFC 5546 §3.2.7: DTSTART 1.
		return Message{}, fmt.Errorf("counter: %w: no DTSTART", ErrInvalid)
	}
	orig := so.byKey[po.key(pc)]
	if orig == nil {
		orig = so.master
	}
	if orig == nil {
		orig = so.comps[0]
	}
	c := clone(pc)
	c.Children = slices.DeleteFunc(c.Children, func(a *ical.Component) bool { return a.Name == ical.CompAlarm })
	c.Del(ical.PropRequestStatus)
	if p := orig.Prop(ical.PropOrganizer); p != nil {
		c.Set(*p)
	} else {
		c.Set(ical.NewProperty(ical.PropOrganizer, org))
	}
	setSequence(c, sequence(orig))
	stamp(c, opts.Now)
	for _, name := range counterRequired[c.Name] {
		if c.Prop(name) == nil && orig.Prop(name) != nil {
			c.Add(*orig.Prop(name))
		}
	}
	cleanOutgoing(c)
	msg := newMessage(MethodCounter, opts)
	msg.Children = append(msg.Children, c)
	addTimezonesFrom(msg, proposed, stored)
	return Message{Method: MethodCounter, Originator: attendee, Recipients: []string{org}, UID: UID(stored), Calendar: msg}, nil
}

// counterRequired are the properties of a COUNTER that RFC 5546 §3.2.7 and
// §3.4.7 require and a proposal may leave out.
var counterRequired = map[string][]string{
	ical.CompEvent: {ical.PropSummary},
	ical.CompToDo:  {ical.PropSummary, ical.PropPriority},
}

// Refresh builds the REFRESH an attendee sends to ask the organizer for
// the current version of the object (RFC 5546 §3.2.6, §3.4.6; example
// §4.7.2): one component with UID, DTSTAMP, ORGANIZER and the attendee's
// bare ATTENDEE, and nothing else, as the REFRESH tables forbid every other
// property. A VTODO's REFRESH has no ORGANIZER: the §3.4.6 table forbids
// it (the recipient is the organizer).
func Refresh(stored *ical.Component, attendee string, opts Options) (Message, error) {
	so := newObject(stored)
	org, _, err := organizerOf(so)
	if err != nil {
		return Message{}, err
	}
	if org == "" || org == attendee || !slices.Contains(Attendees(stored), attendee) {
		return Message{}, fmt.Errorf("refresh: %s is not an attendee: %w", attendee, ErrNotScheduling)
	}
	src := so.master
	if src == nil {
		src = so.comps[0]
	}
	c := ical.NewComponent(src.Name)
	c.Add(ical.NewProperty(ical.PropUID, src.Value(ical.PropUID)))
	stamp(c, opts.Now)
	if c.Name != ical.CompToDo {
		p := ical.NewProperty(ical.PropOrganizer, org)
		if sp := src.Prop(ical.PropOrganizer); sp != nil {
			p = *sp
		}
		cleanProp(&p)
		c.Add(p)
	}
	c.Add(ical.NewProperty(ical.PropAttendee, findAttendeeAny(so, attendee).Value))
	msg := newMessage(MethodRefresh, opts)
	msg.Children = append(msg.Children, c)
	return Message{Method: MethodRefresh, Originator: attendee, Recipients: []string{org}, UID: UID(stored), Calendar: msg}, nil
}

// findAttendeeAny returns the attendee's ATTENDEE in the first component of
// o that has one, or nil.
func findAttendeeAny(o *object, addr string) *ical.Property {
	for _, c := range o.comps {
		if p := findAttendee(c, addr); p != nil {
			return p
		}
	}
	return nil
}

// organizerOf returns the ORGANIZER address of o's components and whether
// the server schedules for it (SCHEDULE-AGENT absent or SERVER on every
// ORGANIZER, RFC 6638 §7.1). Components may lack an ORGANIZER, but those
// that have one must agree (RFC 6638 §3.2.4.2).
func organizerOf(o *object) (addr string, server bool, err error) {
	server = true
	for _, c := range o.comps {
		p := c.Prop(ical.PropOrganizer)
		if p == nil {
			continue
		}
		a := p.CalAddress()
		if addr != "" && a != addr {
			return "", false, &ChangeError{Condition: "same-organizer-in-all-components", Msg: fmt.Sprintf("ORGANIZER %s and %s", addr, a)}
		}
		addr = a
		if ag := strings.ToUpper(p.Params.Get(ical.ParamScheduleAgent)); ag != "" && ag != "SERVER" {
			// RFC 6638 §7.1: unknown values are treated as NONE.
			server = false
		}
	}
	return addr, server, nil
}

// unanswered returns a copy of cal as it was before attendee answered: their
// PARTSTAT NEEDS-ACTION, no delegation, and no ATTENDEE of their own when it
// joins through a group (MEMBER). It stands for the missing old copy when
// an attendee creates a copy.
func unanswered(cal *ical.Component, attendee string) *ical.Component {
	out := clone(cal)
	for _, c := range newObject(out).comps {
		props := c.Props[:0:0]
		for _, p := range c.Props {
			if p.Name == ical.PropAttendee {
				if p.CalAddress() == attendee {
					if p.Params.Has(ical.ParamMember) {
						continue
					}
					p.Params.Set(ical.ParamPartStat, "NEEDS-ACTION")
					p.Params.Del(ical.ParamDelegatedTo)
				} else if slices.Contains(addressParam(&p, ical.ParamDelegatedFrom), attendee) {
					continue
				}
			}
			props = append(props, p)
		}
		c.Props = props
	}
	return out
}

// attendeeDiff compares an attendee's copy before (ob) and after (nb) their
// change and collects what it implies.
type attendeeDiff struct {
	attendee string
	ob, nb   *object
	opts     Options
	// replies are the components of the REPLY, in order.
	replies []*ical.Component
	// delegated maps each new delegate to the keys of the components
	// delegated to them.
	delegated map[string][]string
	changed   bool
}

// participates reports whether the attendee is an ATTENDEE of o.
func (d *attendeeDiff) participates(o *object) bool {
	return findAttendeeAny(o, d.attendee) != nil
}

// compare checks the change from base to out against RFC 6638 §3.2.2.1 and
// collects the reply components.
func (d *attendeeDiff) compare(base, out *ical.Component) error {
	if err := d.compareCalendar(base, out); err != nil {
		return err
	}
	ob, nb := d.ob, d.nb
	uid := UID(base)
	for _, c := range nb.comps {
		if v := c.Value(ical.PropUID); v != uid {
			return attendeeChangeError("UID changed from %q to %q", uid, v)
		}
		if len(ob.comps) > 0 && c.Name != ob.comps[0].Name {
			return attendeeChangeError("%s changed to %s", ob.comps[0].Name, c.Name)
		}
	}
	if (ob.master == nil) != (nb.master == nil) {
		return attendeeChangeError("master component added or removed")
	}
	// RFC 6638 §3.2.2.1 item 8: the attendee may add EXDATEs, not remove
	// them (that would reinstate instances the organizer excluded).
	var declined []string
	if nb.master != nil {
		oldEx, newEx := exdateInstanceKeys(ob, ob.master), exdateInstanceKeys(nb, nb.master)
		for _, k := range oldEx {
			if !slices.Contains(newEx, k) {
				return attendeeChangeError("EXDATE %s removed", k)
			}
		}
		for _, k := range newEx {
			if !slices.Contains(oldEx, k) {
				declined = append(declined, k)
			}
		}
	}
	keys := make([]string, 0, len(ob.comps)+len(nb.comps))
	for _, o := range []*object{nb, ob} {
		for _, c := range o.comps {
			if k := o.key(c); !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	for _, k := range keys {
		oc, nc := ob.byKey[k], nb.byKey[k]
		var before, after *ical.Component
		switch {
		case oc != nil && nc != nil:
			if err := d.allowed(oc, ob, nc, nb); err != nil {
				return err
			}
			before, after = oc, nc
		case nc != nil:
			// RFC 6638 §3.2.2.1 item 11: a new override of an existing
			// instance that changes only what the attendee may change.
			derived, err := d.derive(ob, k)
			if err != nil {
				return err
			}
			if derived == nil {
				return attendeeChangeError("override of %s, which is not an instance", k)
			}
			if err := d.allowed(derived, ob, nc, nb); err != nil {
				return err
			}
			before, after = derived, nc
		default:
			if slices.Contains(declined, k) {
				continue
			}
			// An override removed without an EXDATE: allowed when it held
			// nothing but the attendee's own changes, so that the
			// instance falls back to the master.
			derived, err := d.derive(ob, k)
			if err != nil {
				return err
			}
			if derived == nil || d.allowed(derived, ob, oc, ob) != nil {
				return attendeeChangeError("override %s removed", k)
			}
			after, err = d.derive(nb, k)
			if err != nil {
				return err
			}
			if after == nil {
				return attendeeChangeError("override %s removed", k)
			}
			before = oc
		}
		if slices.Contains(declined, k) {
			continue
		}
		d.noteDelegation(before, after, k)
		if strings.EqualFold(after.Value(ical.PropStatus), "CANCELLED") {
			// RFC 5546 §4.2.9: messages about a cancelled event are
			// ignored; an answer to one is not sent.
			continue
		}
		if answerOf(before, d.attendee) != answerOf(after, d.attendee) {
			d.replies = append(d.replies, d.replyComponent(after, before, ""))
		}
	}
	// RFC 6638 §3.2.2.3: an added EXDATE declines the instance.
	for _, k := range declined {
		c := ob.byKey[k]
		if c == nil {
			var err error
			if c, err = d.derive(ob, k); err != nil {
				return err
			}
		}
		if c == nil || findAttendee(c, d.attendee) == nil {
			continue
		}
		d.replies = append(d.replies, d.replyComponent(c, c, "DECLINED"))
	}
	return nil
}

// compareCalendar compares the VCALENDAR properties: the attendee may
// change PRODID and CALSCALE (RFC 6638 §3.2.2.1 items 6, 7) and X-
// properties.
func (d *attendeeDiff) compareCalendar(base, out *ical.Component) error {
	skip := func(name string) bool {
		switch name {
		case ical.PropProdID, ical.PropCalScale, ical.PropVersion, ical.PropMethod:
			return true
		}
		return strings.HasPrefix(name, "X-")
	}
	a, b := propKeys(d.ob, base, skip), propKeys(d.nb, out, skip)
	if !slices.Equal(a, b) {
		return attendeeChangeError("calendar properties changed")
	}
	return nil
}

// attendeeMayChange reports whether an attendee may change the component
// property name (RFC 6638 §3.2.2.1 and the additions of AttendeeUpdate).
// EXDATE is checked on the master by compare.
func attendeeMayChange(name string) bool {
	switch name {
	case ical.PropTransp, ical.PropPercentComplete, ical.PropCompleted,
		ical.PropDTStamp, ical.PropCreated, ical.PropLastModified,
		ical.PropSequence, ical.PropComment, ical.PropExDate:
		return true
	}
	return strings.HasPrefix(name, "X-")
}

// todoProgress are the VTODO STATUS values an assignee may set (RFC 5546
// §3.4.3: a REPLY updates the assignee's completion).
var todoProgress = map[string]bool{"": true, "NEEDS-ACTION": true, "IN-PROCESS": true, "COMPLETED": true}

// allowed checks that the component nc of nb differs from oc of ob only as
// an attendee may change it.
func (d *attendeeDiff) allowed(oc *ical.Component, ob *object, nc *ical.Component, nb *object) error {
	skip := func(name string) bool {
		return name == ical.PropAttendee || attendeeMayChange(name) ||
			(name == ical.PropStatus && oc.Name == ical.CompToDo &&
				todoProgress[strings.ToUpper(oc.Value(name))] && todoProgress[strings.ToUpper(nc.Value(name))])
	}
	a, b := propKeys(ob, oc, skip), propKeys(nb, nc, skip)
	if !slices.Equal(a, b) {
		return attendeeChangeError("%s changed", firstDifference(a, b))
	}
	if !slices.Equal(childKeys(oc), childKeys(nc)) {
		return attendeeChangeError("sub-components other than VALARM changed")
	}
	return d.allowedAttendees(oc, nc)
}

// firstDifference names the property of the first key in one list and not
// the other.
func firstDifference(a, b []string) string {
	for _, pair := range [][2][]string{{a, b}, {b, a}} {
		for _, k := range pair[0] {
			if !slices.Contains(pair[1], k) {
				name, _, _ := strings.Cut(k, "\x1e")
				return name
			}
		}
	}
	return "a property"
}

// childKeys returns the encodings of c's sub-components other than VALARM
// (RFC 6638 §3.2.2.1 item 5), sorted.
func childKeys(c *ical.Component) []string {
	var out []string
	for _, ch := range c.Children {
		if ch.Name != ical.CompAlarm {
			out = append(out, string(ical.Marshal(ch)))
		}
	}
	slices.Sort(out)
	return out
}

// allowedAttendees checks the ATTENDEE properties: the attendee's own may
// change its participation parameters; others may not change; new ones
// must be the attendee's delegates.
func (d *attendeeDiff) allowedAttendees(oc, nc *ical.Component) error {
	olds, news := attendeesByAddress(oc), attendeesByAddress(nc)
	own := findAttendee(nc, d.attendee)
	for addr, np := range news {
		op := olds[addr]
		switch {
		case addr == d.attendee && op == nil:
			// RFC 5546 §3.7.2: a member of a group attendee answers with
			// an ATTENDEE of their own carrying MEMBER.
			if !memberOfGroup(oc, np[0]) {
				return attendeeChangeError("attendee %s added", addr)
			}
		case addr == d.attendee:
			if len(op) != len(np) {
				return attendeeChangeError("attendee %s changed", addr)
			}
			for i := range op {
				if paramsKey(op[i].Params, ownParticipation) != paramsKey(np[i].Params, ownParticipation) {
					return attendeeChangeError("attendee %s changed", addr)
				}
			}
		case op == nil:
			// RFC 5546 §3.2.2.3: the delegator adds the delegate.
			if own == nil || !slices.Contains(addressParam(own, ical.ParamDelegatedTo), addr) {
				return attendeeChangeError("attendee %s added", addr)
			}
			for _, p := range np {
				if !slices.Contains(addressParam(p, ical.ParamDelegatedFrom), d.attendee) {
					return attendeeChangeError("attendee %s added", addr)
				}
			}
		default:
			if !slices.Equal(attendeeKeys(op), attendeeKeys(np)) {
				return attendeeChangeError("attendee %s changed", addr)
			}
		}
	}
	for addr := range olds {
		if news[addr] == nil {
			return attendeeChangeError("attendee %s removed", addr)
		}
	}
	return nil
}

// ownParticipation reports the parameters of their own ATTENDEE that an
// attendee may change.
func ownParticipation(name string) bool {
	switch name {
	case ical.ParamPartStat, ical.ParamRSVP, ical.ParamDelegatedTo, ical.ParamRole:
		return true
	}
	return strings.HasPrefix(name, "X-")
}

// attendeeKeys returns the comparison keys of ATTENDEE properties of one
// address, sorted. SCHEDULE-STATUS is ignored on an ATTENDEE the client
// schedules (RFC 6638 §3.2.2.1 item 10).
func attendeeKeys(ps []*ical.Property) []string {
	var out []string
	for _, p := range ps {
		client := !strings.EqualFold(p.Params.Get(ical.ParamScheduleAgent), "SERVER") && p.Params.Has(ical.ParamScheduleAgent)
		out = append(out, paramsKey(p.Params, func(name string) bool {
			return client && name == ical.ParamScheduleStatus
		}))
	}
	slices.Sort(out)
	return out
}

// attendeesByAddress groups c's ATTENDEE properties by normalised address.
func attendeesByAddress(c *ical.Component) map[string][]*ical.Property {
	m := map[string][]*ical.Property{}
	for _, p := range c.PropsNamed(ical.PropAttendee) {
		a := p.CalAddress()
		m[a] = append(m[a], p)
	}
	return m
}

// memberOfGroup reports whether p names in MEMBER a group attendee of c
// (CUTYPE GROUP or UNKNOWN, RFC 5546 §3.7.2 step 2).
func memberOfGroup(c *ical.Component, p *ical.Property) bool {
	for _, g := range addressParam(p, ical.ParamMember) {
		if gp := findAttendee(c, g); gp != nil {
			switch strings.ToUpper(gp.Params.Get(ical.ParamCUType)) {
			case "GROUP", "UNKNOWN":
				return true
			}
		}
	}
	return false
}

// derive returns the instance k of o's master as an override component (see
// deriveInstance), or nil when k is not an instance.
func (d *attendeeDiff) derive(o *object, k string) (*ical.Component, error) {
	if o.master == nil {
		return nil, nil
	}
	inst, ok, err := instanceAt(o, k, d.opts)
	if err != nil || !ok {
		return nil, err
	}
	return deriveInstance(o.master, inst), nil
}

// answer is what an attendee's REPLY reports of one component.
type answer struct {
	partstat    string
	delegatedTo string
	delegates   string
	// VTODO progress (RFC 5546 §3.4.3).
	percent, completed, status string
}

// answerOf returns the attendee's participation in c; an absent
// ATTENDEE reads as NEEDS-ACTION.
func answerOf(c *ical.Component, attendee string) answer {
	var pa answer
	pa.partstat = "NEEDS-ACTION"
	if p := findAttendee(c, attendee); p != nil {
		pa.partstat = partStat(p)
		pa.delegatedTo = strings.Join(sortedAddresses(p, ical.ParamDelegatedTo), ",")
	}
	var dl []string
	for _, p := range c.PropsNamed(ical.PropAttendee) {
		if slices.Contains(addressParam(p, ical.ParamDelegatedFrom), attendee) {
			dl = append(dl, p.CalAddress())
		}
	}
	slices.Sort(dl)
	pa.delegates = strings.Join(dl, ",")
	if c.Name == ical.CompToDo {
		pa.percent = c.Value(ical.PropPercentComplete)
		pa.completed = c.Value(ical.PropCompleted)
		pa.status = strings.ToUpper(c.Value(ical.PropStatus))
	}
	return pa
}

// noteDelegation records the delegates the attendee adds in after, the
// component k.
func (d *attendeeDiff) noteDelegation(before, after *ical.Component, k string) {
	own := findAttendee(after, d.attendee)
	if own == nil {
		return
	}
	var was []string
	if p := findAttendee(before, d.attendee); p != nil {
		was = addressParam(p, ical.ParamDelegatedTo)
	}
	for _, to := range addressParam(own, ical.ParamDelegatedTo) {
		if slices.Contains(was, to) || to == d.attendee || findAttendee(after, to) == nil {
			continue
		}
		if d.delegated == nil {
			d.delegated = map[string][]string{}
		}
		d.delegated[to] = append(d.delegated[to], k)
	}
}

// replyComponent builds the REPLY component for the attendee's answer in
// c; orig is the component before the change, which gives SEQUENCE and
// tells the COMMENTs the attendee added. A non-empty partstat replaces the
// attendee's PARTSTAT (a declined instance).
func (d *attendeeDiff) replyComponent(c, orig *ical.Component, partstat string) *ical.Component {
	r := ical.NewComponent(c.Name)
	r.Add(ical.NewProperty(ical.PropUID, c.Value(ical.PropUID)))
	setSequence(r, sequence(orig))
	stamp(r, d.opts.Now)
	for _, name := range []string{ical.PropRecurrenceID, ical.PropDTStart, ical.PropDTEnd, ical.PropDuration, ical.PropDue,
		ical.PropRRule, ical.PropRDate, ical.PropSummary, ical.PropOrganizer} {
		for _, p := range c.PropsNamed(name) {
			q := *p
			cleanProp(&q)
			r.Add(q)
		}
	}
	own := findAttendee(c, d.attendee)
	if own == nil {
		own = &ical.Property{Name: ical.PropAttendee, Value: d.attendee}
	}
	a := *own
	cleanProp(&a)
	if partstat != "" {
		a.Params.Set(ical.ParamPartStat, partstat)
		a.Params.Del(ical.ParamDelegatedTo)
	}
	delegating := partStat(&a) == "DELEGATED"
	if !delegating {
		// The organizer's RSVP and ROLE say nothing in an answer; a
		// delegator's say whether they want updates (RFC 5546 §3.2.2.3,
		// §4.2.5 C).
		a.Params.Del(ical.ParamRSVP)
		a.Params.Del(ical.ParamRole)
	}
	if !a.Params.Has(ical.ParamMember) {
		a.Params.Del(ical.ParamCUType)
	}
	r.Add(a)
	if delegating && partstat == "" {
		for _, p := range c.PropsNamed(ical.PropAttendee) {
			if slices.Contains(addressParam(p, ical.ParamDelegatedFrom), d.attendee) {
				q := *p
				cleanProp(&q)
				r.Add(q)
			}
		}
	}
	if c.Name == ical.CompToDo {
		// The assignee's progress, when they changed it (RFC 5546 §3.4.3,
		// §4.5.4); the to-do's own values are the organizer's.
		for _, name := range []string{ical.PropPercentComplete, ical.PropCompleted, ical.PropStatus} {
			if p := c.Prop(name); p != nil && p.Value != orig.Value(name) {
				r.Add(*p)
			}
		}
	}
	had := orig.PropsNamed(ical.PropComment)
	for _, p := range c.PropsNamed(ical.PropComment) {
		if !slices.ContainsFunc(had, func(q *ical.Property) bool { return q.Value == p.Value }) {
			r.Add(*p)
		}
	}
	return r
}

// replyMessage returns the REPLY holding d.replies, to the organizer and,
// for a delegate, to the delegators (RFC 5546 §3.2.2.3).
func (d *attendeeDiff) replyMessage(org string) Message {
	msg := newMessage(MethodReply, d.opts)
	msg.Children = append(msg.Children, d.replies...)
	addTimezonesFrom(msg, d.nb.cal, d.ob.cal)
	to := []string{org}
	for _, r := range d.replies {
		if p := findAttendee(r, d.attendee); p != nil {
			for _, from := range addressParam(p, ical.ParamDelegatedFrom) {
				if from != d.attendee && !slices.Contains(to, from) {
					to = append(to, from)
				}
			}
		}
	}
	return Message{Method: MethodReply, Originator: d.attendee, Recipients: to, UID: d.replies[0].Value(ical.PropUID), Calendar: msg}
}

// delegationMessages returns, for each new delegate, the REQUEST the
// delegator forwards (RFC 5546 §3.2.2.3, §4.2.5): the attendee's copy of
// the delegated components, with the delegation recorded, the same
// SEQUENCE (RFC 5546 §2.1.4: not incremented for a delegation REQUEST),
// and without the attendee's VALARMs and the SCHEDULE-* parameters.
func (d *attendeeDiff) delegationMessages() []Message {
	var delegates []string
	for to := range d.delegated {
		delegates = append(delegates, to)
	}
	slices.Sort(delegates)
	var out []Message
	for _, to := range delegates {
		msg := newMessage(MethodRequest, d.opts)
		for _, k := range d.delegated[to] {
			c := clone(d.nb.byKey[k])
			if c == nil {
				continue
			}
			c.Children = slices.DeleteFunc(c.Children, func(a *ical.Component) bool { return a.Name == ical.CompAlarm })
			stamp(c, d.opts.Now)
			cleanOutgoing(c)
			msg.Children = append(msg.Children, c)
		}
		addTimezonesFrom(msg, d.nb.cal)
		out = append(out, Message{Method: MethodRequest, Originator: d.attendee, Recipients: []string{to}, UID: UID(d.nb.cal), Calendar: msg})
	}
	return out
}

// forceSend handles SCHEDULE-FORCE-SEND on the ORGANIZER (RFC 6638 §7.2):
// REPLY forces a REPLY for its component; the parameter is never kept, and
// a value other than REPLY sets SCHEDULE-STATUS 2.3 (parameter ignored).
func (d *attendeeDiff) forceSend() {
	for _, c := range d.nb.comps {
		for i := range c.Props {
			p := &c.Props[i]
			if p.Name != ical.PropOrganizer || !p.Params.Has(ical.ParamScheduleForceSend) {
				continue
			}
			v := strings.ToUpper(p.Params.Get(ical.ParamScheduleForceSend))
			p.Params.Del(ical.ParamScheduleForceSend)
			d.changed = true
			if v != string(MethodReply) {
				p.Params.Set(ical.ParamScheduleStatus, "2.3")
				continue
			}
			k := d.nb.key(c)
			if !slices.ContainsFunc(d.replies, func(r *ical.Component) bool { return d.nb.key(r) == k }) {
				orig := d.ob.byKey[k]
				if orig == nil {
					orig = c
				}
				d.replies = append(d.replies, d.replyComponent(c, orig, ""))
			}
		}
	}
}

// restoreSequence gives each component of the stored copy the SEQUENCE of
// the organizer's revision: the one before the change, or the master's for
// a new override (RFC 5546 §2.1.4: SEQUENCE is the organizer's).
func (d *attendeeDiff) restoreSequence() {
	for _, c := range d.nb.comps {
		orig := d.ob.byKey[d.nb.key(c)]
		if orig == nil {
			orig = d.ob.master
		}
		if orig == nil {
			continue
		}
		want := orig.Prop(ical.PropSequence)
		got := c.Prop(ical.PropSequence)
		switch {
		case want == nil && got != nil && sequence(c) != 0:
			c.Del(ical.PropSequence)
		case want != nil && (got == nil || sequence(c) != sequence(orig)):
			setSequence(c, sequence(orig))
		default:
			continue
		}
		d.changed = true
	}
}
