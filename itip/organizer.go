// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// OrganizerUpdate turns a change of the organizer's copy of a scheduling
// object, from old (nil when the object is created) to new, into the
// messages RFC 6638 §3.2.1.1 (create) and §3.2.1.2 (modify) require:
// REQUEST (RFC 5546 §3.2.2, §3.4.2) and CANCEL (§3.2.5, §3.4.5, §3.5.3),
// whole or per instance. A nil new is OrganizerDelete(old).
//
// new must be a scheduling object (ErrNotScheduling otherwise, unless old
// was one: removing every attendee cancels the event for them) whose
// components name the same ORGANIZER (*ChangeError
// "same-organizer-in-all-components", RFC 6638 §3.2.4.2). Changing the
// UID or the ORGANIZER of an existing object is refused with *ChangeError
// "allowed-organizer-scheduling-object-change" (§3.2.4.3); removing the
// ORGANIZER ends scheduling and cancels the event for every attendee.
//
// Who gets what:
//
//   - Nothing at all when the ORGANIZER has SCHEDULE-AGENT=CLIENT or NONE
//     (RFC 6638 §7.1; unknown values count as NONE): the client schedules.
//     The stored copy is still cleared of SCHEDULE-FORCE-SEND (§7.2).
//   - An ATTENDEE whose SCHEDULE-AGENT is not SERVER gets nothing and no
//     SCHEDULE-STATUS; switching an attendee from SERVER to CLIENT or NONE
//     cancels, from CLIENT or NONE to SERVER invites (the table of
//     §3.2.1.2). The organizer's own ATTENDEE entry gets nothing (§3.2.1).
//   - Each recipient sees only the components that name them (RFC 6638
//     §3.2.6): the master when they are in it, with an EXDATE for each
//     override they are not in, and the overrides they are in. Recipients
//     whose view is the same share one Message.
//   - A REQUEST goes to a recipient whose view changed, who is new to the
//     object, or whose ATTENDEE carries SCHEDULE-FORCE-SEND=REQUEST (RFC
//     6638 §7.2; the parameter is removed from the stored copy, and an
//     unknown value is answered with SCHEDULE-STATUS 2.3). Changes to
//     other attendees' participation (PARTSTAT, RSVP, DELEGATED-TO/FROM)
//     do not count: RFC 5546 §3.2.2.2 lets the organizer send such updates
//     but does not require them, and they would reach every attendee each
//     time one answers. Adding or removing another attendee does count.
//     DTSTAMP, LAST-MODIFIED, TRANSP, alarms and the organizer's client
//     state (X-MOZ-LASTACK …) never count.
//   - ADD (RFC 5546 §3.2.4) is never sent: a new instance reaches the
//     attendees as a REQUEST with their whole view, which needs no
//     REFRESH round trip when the attendee has no copy.
//   - A recipient who loses instances gets a CANCEL with a RECURRENCE-ID
//     per instance (RFC 5546 §3.2.5 b): removed from an override, or the
//     instance removed by the organizer (a new EXDATE of an instance that
//     existed, an override deleted that the master no longer generates,
//     an override set to STATUS:CANCELLED; these carry STATUS:CANCELLED).
//     When losing those instances is the only change of their view, the
//     CANCEL is the only message; otherwise a REQUEST follows.
//   - A recipient removed from the whole object, and everyone when the
//     master becomes STATUS:CANCELLED, gets a CANCEL without
//     RECURRENCE-ID. RFC 5546 §4.2.10: a removed attendee's CANCEL has no
//     STATUS; a cancelled event's does.
//   - VJOURNAL (RFC 5546 §3.5) has no REQUEST: journal entries get CANCELs
//     only, without ATTENDEE properties (the VJOURNAL CANCEL table allows
//     none).
//
// SEQUENCE (RFC 5546 §2.1.4): a component changed significantly (see
// significant) whose SEQUENCE is not above its old one is given old+1 in
// the stored copy; a new override is compared with the instance the old
// master generated. Where a component reschedules instances (RFC 6638
// §3.2.8: a change of DTSTART, DTEND, DURATION, DUE, RRULE or RDATE, an
// EXDATE removed, LOCATION), the PARTSTAT of every attendee that has
// answered is reset to NEEDS-ACTION with RSVP=TRUE (an explicit RSVP=FALSE
// is kept), in the stored copy and so in the messages, as Apple's and
// Cyrus's servers do; the organizer's own entry and attendees scheduled by
// their client keep theirs. A new EXDATE or a STATUS change raises
// SEQUENCE but does not ask for new answers.
//
// A CANCEL carries the stored SEQUENCE of what it cancels: the master's
// for the whole object or an instance of the master (raised above when the
// event is cancelled or an EXDATE added, as §2.1.4 requires), the
// override's for an override, never less than the recipient holds.
// Removing an attendee does not raise the SEQUENCE of the copy (as in
// sabre/vobject): that would send a REQUEST to every remaining attendee,
// and a CANCEL numbered above the stored copy would make a later
// re-invitation look older (§2.1.5). DTSTAMP orders a CANCEL of the same
// SEQUENCE after what the recipient holds.
//
// Every message carries DTSTAMP opts.Now (RFC 6638 §3.2.5), the
// VTIMEZONEs it references, no VALARM (the organizer's alarms are
// private), no REQUEST-STATUS, and ORGANIZER and ATTENDEE as stored
// without SCHEDULE-AGENT, SCHEDULE-STATUS and SCHEDULE-FORCE-SEND (RFC
// 6638 §7.1–7.3). SCHEDULE-STATUS is left to the caller (SetScheduleStatus)
// once delivery is known. Deciding whether an instance existed expands the
// recurrence around that instance only, bounded by Options.MaxInstances
// (ErrLimit).
func OrganizerUpdate(old, new *ical.Component, opts Options) (Update, error) {
	if new == nil {
		return OrganizerDelete(old, opts)
	}
	if err := checkOrganizer(new); err != nil {
		return Update{}, err
	}
	newOrg := Organizer(new)
	if old != nil {
		if ou, nu := UID(old), UID(new); ou != "" && ou != nu {
			return Update{}, &ChangeError{Condition: "allowed-organizer-scheduling-object-change", Msg: fmt.Sprintf("UID changed from %q to %q", ou, nu)}
		}
		if oo := Organizer(old); oo != "" && newOrg != "" && oo != newOrg {
			// RFC 5546 §3.2.2.4 replaces an organizer with a new object
			// sent by the new organizer, not by editing this one.
			return Update{}, &ChangeError{Condition: "allowed-organizer-scheduling-object-change", Msg: fmt.Sprintf("ORGANIZER changed from %q to %q", oo, newOrg)}
		}
	}
	wasScheduling := old != nil && schedulesSomeone(old)
	if !schedulesSomeone(new) && !wasScheduling {
		return Update{}, ErrNotScheduling
	}

	out := clone(new)
	changed, forced := takeForceSend(out)
	if newOrg == "" {
		// The ORGANIZER was removed: the organizer stopped scheduling this
		// object, which cancels it for the attendees.
		del, err := OrganizerDelete(old, opts)
		if err != nil {
			return Update{}, err
		}
		return Update{Object: out, Changed: changed, Messages: del.Messages}, nil
	}
	nobj := newObject(out)
	if scheduleAgent(firstProp(nobj, ical.PropOrganizer)) != "SERVER" {
		return Update{Object: out, Changed: changed}, nil
	}
	var o *orgObject
	if old != nil {
		o = newOrgObject(old, false)
		if !o.server {
			// The client scheduled the old version: to the server every
			// attendee is new.
			o = nil
		}
	}
	if o != nil {
		c, err := reviseSequences(o, nobj, newOrg, opts)
		if err != nil {
			return Update{}, err
		}
		changed = changed || c
	}
	n := newOrgObject(out, false)
	msgs, err := organizerMessages(o, n, forced, opts)
	if err != nil {
		return Update{}, err
	}
	return Update{Object: out, Changed: changed, Messages: msgs}, nil
}

// OrganizerDelete turns the removal of the organizer's copy into a CANCEL
// to every attendee whose SCHEDULE-AGENT is SERVER (RFC 6638 §3.2.1.3, RFC
// 5546 §3.2.5), each seeing only the components that name them (RFC 6638
// §3.2.6). The CANCEL carries STATUS:CANCELLED and a SEQUENCE one above
// what the recipient holds (the master's, else their overrides'; RFC 5546
// §2.1.4). Nothing is sent
// when the ORGANIZER's SCHEDULE-AGENT is not SERVER, or when the event was
// already cancelled (its attendees were told then). Update.Object is nil.
func OrganizerDelete(old *ical.Component, opts Options) (Update, error) {
	if old == nil || !schedulesSomeone(old) {
		return Update{}, ErrNotScheduling
	}
	o := newOrgObject(old, false)
	if !o.server || o.whole {
		return Update{}, nil
	}
	b := newMessageBuilder(o, o, opts)
	for _, r := range o.order {
		v := o.viewOf(r)
		if len(v.idx) == 0 {
			continue
		}
		// RFC 5546 §2.1.4: the CANCEL increments SEQUENCE.
		seq := o.heldSequence(v) + 1
		src := o.obj.comps[v.idx[0]]
		b.cancelWhole(r, src, true, seq, o.obj.cal)
	}
	return Update{Messages: b.messages()}, nil
}

// AcceptCounter accepts a COUNTER (RFC 5546 §3.2.7, §4.2.4): the times
// (DTSTART, DTEND, DURATION, DUE, taken together when DTSTART is
// proposed), the recurrence (RRULE, RDATE, EXDATE, on the master), and
// the LOCATION, GEO, RESOURCES, SUMMARY and DESCRIPTION of each component
// of counter are applied to a copy of stored, the organizer's copy, per
// RECURRENCE-ID (an instance the master generates becomes an override),
// and the result is handled as OrganizerUpdate(stored, copy): a REQUEST to
// the attendees of the changed instances. Attendees the COUNTER proposes
// are not added; the organizer edits the attendee list through a PUT.
func AcceptCounter(stored, counter *ical.Component, opts Options) (Update, error) {
	so, co := newObject(stored), newObject(counter)
	if err := checkCounter(so, co); err != nil {
		return Update{}, fmt.Errorf("accept counter: %w", err)
	}
	cp := clone(stored)
	cpo := newObject(cp)
	for _, cc := range co.comps {
		k := co.key(cc)
		target := cpo.byKey[k]
		if target == nil {
			if k == "" || cpo.master == nil {
				return Update{}, fmt.Errorf("accept counter: %w: no component for RECURRENCE-ID %q", ErrInvalid, k)
			}
			ok, err := generates(cpo, cpo.master, k, opts)
			if err != nil {
				return Update{}, fmt.Errorf("accept counter: %w", err)
			}
			if !ok {
				return Update{}, fmt.Errorf("accept counter: %w: RECURRENCE-ID %q is not an instance", ErrInvalid, k)
			}
			target = instanceOverride(cpo.master, cc.Prop(ical.PropRecurrenceID))
			cp.Children = append(cp.Children, target)
		}
		applyProposal(target, cc, k == "")
	}
	return OrganizerUpdate(stored, cp, opts)
}

// DeclineCounter builds the DECLINECOUNTER that refuses a COUNTER (RFC
// 5546 §3.2.8, §4.2.4): for each component of counter, its UID and
// RECURRENCE-ID, the SEQUENCE of stored (the organizer's copy), the
// ORGANIZER, the countering ATTENDEE and DTSTAMP, to that attendee.
//
// The countering attendee is the only ATTENDEE of counter other than the
// organizer or, when a COUNTER lists several (as RFC 5546 §4.2.4 and KDE
// do), the only one of them the stored copy has whose entry the COUNTER
// changes. When that does not settle it the result is an error wrapping
// ErrInvalid: a caller that knows the originator passes a counter that
// names the proposer only.
func DeclineCounter(stored, counter *ical.Component, opts Options) (Message, error) {
	so, co := newObject(stored), newObject(counter)
	if err := checkCounter(so, co); err != nil {
		return Message{}, fmt.Errorf("decline counter: %w", err)
	}
	org := Organizer(stored)
	orgProp := firstProp(so, ical.PropOrganizer)
	if orgProp == nil {
		return Message{}, fmt.Errorf("decline counter: %w: the stored copy has no ORGANIZER", ErrNotScheduling)
	}
	who, err := counterProposer(so, co, org)
	if err != nil {
		return Message{}, fmt.Errorf("decline counter: %w", err)
	}
	cal := newMessage(MethodDeclineCounter, opts)
	for _, cc := range co.comps {
		k := co.key(cc)
		held := so.byKey[k]
		if held == nil {
			held = so.master
		}
		if held == nil {
			held = so.comps[0]
		}
		att := findAttendee(held, who)
		if att == nil {
			att = findAttendee(cc, who)
		}
		if att == nil {
			a := ical.NewProperty(ical.PropAttendee, who)
			att = &a
		}
		c := ical.NewComponent(cc.Name)
		c.Add(schedulingCopy(*orgProp))
		c.Add(schedulingCopy(*att))
		c.Add(ical.NewProperty(ical.PropUID, cc.Value(ical.PropUID)))
		if rid := cc.Prop(ical.PropRecurrenceID); rid != nil {
			c.Add(*rid)
		}
		// RFC 5546 §3.2.8: SEQUENCE "MUST echo the original SEQUENCE
		// number", the organizer's.
		c.Add(ical.NewProperty(ical.PropSequence, strconv.FormatInt(sequence(held), 10)))
		stamp(c, opts.Now)
		cal.Children = append(cal.Children, c)
	}
	addTimezones(cal, stored)
	return Message{
		Method:     MethodDeclineCounter,
		Originator: org,
		Recipients: []string{who},
		UID:        UID(stored),
		Calendar:   cal,
	}, nil
}

// refreshAnswer builds the answer to a REFRESH from attendee (RFC 5546
// §3.2.6, §4.4.8): the attendee's current view of stored, the organizer's
// copy, as a REQUEST to that attendee alone, or a CANCEL when the event is
// cancelled. The attendee's SCHEDULE-AGENT is not consulted: they asked.
func refreshAnswer(stored *ical.Component, attendee string, opts Options) (Message, error) {
	o := newOrgObject(stored, true)
	v := o.viewOf(attendee)
	if len(v.idx) == 0 {
		return Message{}, fmt.Errorf("itip: refresh answer: %q is not an attendee of %q", attendee, UID(stored))
	}
	b := newMessageBuilder(o, o, opts)
	if o.whole {
		b.cancelWhole(attendee, o.obj.comps[v.idx[0]], true, o.heldSequence(v), o.obj.cal)
	} else {
		b.request(attendee, v)
	}
	msgs := b.messages()
	return msgs[0], nil
}

// schedulesSomeone reports whether cal has an ORGANIZER and an ATTENDEE
// other than the organizer: someone to schedule with.
func schedulesSomeone(cal *ical.Component) bool {
	org := Organizer(cal)
	if org == "" {
		return false
	}
	for _, c := range newObject(cal).comps {
		for i := range c.Props {
			if p := &c.Props[i]; p.Name == ical.PropAttendee && p.CalAddress() != org {
				return true
			}
		}
	}
	return false
}

// checkOrganizer enforces RFC 6638 §3.2.4.2: every component that has an
// ORGANIZER names the same one.
func checkOrganizer(cal *ical.Component) error {
	org := ""
	for _, c := range newObject(cal).comps {
		p := c.Prop(ical.PropOrganizer)
		if p == nil {
			continue
		}
		a := p.CalAddress()
		if org == "" {
			org = a
		} else if a != org {
			return &ChangeError{Condition: "same-organizer-in-all-components", Msg: fmt.Sprintf("ORGANIZER %q and %q", org, a)}
		}
	}
	return nil
}

// checkCounter checks that a COUNTER is about the stored object.
func checkCounter(so, co *object) error {
	if len(so.comps) == 0 || len(co.comps) == 0 {
		return fmt.Errorf("%w: no component", ErrInvalid)
	}
	if su, cu := UID(so.cal), UID(co.cal); su != cu {
		return fmt.Errorf("%w: COUNTER UID %q is not %q", ErrInvalid, cu, su)
	}
	// RFC 5546 §3.2.7: the ORGANIZER "MUST be the Organizer of the
	// original event".
	if so, co := Organizer(so.cal), Organizer(co.cal); co != "" && so != co {
		return fmt.Errorf("%w: COUNTER ORGANIZER %q is not %q", ErrInvalid, co, so)
	}
	return nil
}

// counterProposer finds the attendee who sent a COUNTER; see
// DeclineCounter.
func counterProposer(so, co *object, org string) (string, error) {
	var all, known, changed []string
	for _, cc := range co.comps {
		held := so.byKey[co.key(cc)]
		if held == nil {
			held = so.master
		}
		for _, p := range cc.PropsNamed(ical.PropAttendee) {
			a := p.CalAddress()
			if a == org || slices.Contains(all, a) {
				continue
			}
			all = append(all, a)
			if held == nil {
				continue
			}
			sp := findAttendee(held, a)
			if sp == nil {
				continue
			}
			known = append(known, a)
			if withoutScheduling(sp.Params).String() != withoutScheduling(p.Params).String() {
				changed = append(changed, a)
			}
		}
	}
	switch {
	case len(all) == 1:
		return all[0], nil
	case len(known) == 1:
		return known[0], nil
	case len(changed) == 1:
		return changed[0], nil
	case len(all) == 0:
		return "", fmt.Errorf("%w: the COUNTER names no attendee", ErrInvalid)
	}
	return "", fmt.Errorf("%w: the COUNTER names several attendees (%s); pass it with the proposer's ATTENDEE only", ErrInvalid, strings.Join(all, ", "))
}

// proposalTimes are taken from a COUNTER as a set: proposing DTSTART
// proposes the whole timing.
var proposalTimes = []string{ical.PropDTStart, ical.PropDTEnd, ical.PropDuration, ical.PropDue}

// proposalProps are taken from a COUNTER when present.
var proposalProps = []string{ical.PropLocation, ical.PropGeo, ical.PropResources, ical.PropSummary, ical.PropDescription}

// proposalRecurrence are taken from a COUNTER's master when present.
var proposalRecurrence = []string{ical.PropRRule, ical.PropRDate, ical.PropExDate}

// applyProposal applies to target what the COUNTER component cc proposes.
func applyProposal(target, cc *ical.Component, master bool) {
	replace := func(name string) {
		ps := cc.PropsNamed(name)
		if len(ps) == 0 {
			return
		}
		first := *ps[0]
		target.Set(first)
		for _, p := range ps[1:] {
			target.Add(*p)
		}
	}
	if cc.Prop(ical.PropDTStart) != nil {
		for _, name := range proposalTimes {
			if cc.Prop(name) == nil {
				target.Del(name)
			} else {
				replace(name)
			}
		}
	}
	for _, name := range proposalProps {
		replace(name)
	}
	if master {
		for _, name := range proposalRecurrence {
			replace(name)
		}
	}
}

// instanceOverride returns a new override of master for the instance
// rid names: the master's properties for that instance, without
// recurrence rules, starting at the RECURRENCE-ID.
func instanceOverride(master *ical.Component, rid *ical.Property) *ical.Component {
	c := clone(master)
	for _, name := range []string{ical.PropRRule, ical.PropRDate, ical.PropExDate, ical.PropExRule} {
		c.Del(name)
	}
	start := *rid
	start.Name = ical.PropDTStart
	start.Params.Del(ical.ParamRange)
	if d, err := rid.DateTime(); err == nil {
		if s := master.Prop(ical.PropDTStart); s != nil {
			if ms, err := s.DateTime(); err == nil {
				if end := master.Prop(ical.PropDTEnd); end != nil {
					if me, err := end.DateTime(); err == nil && ms.Kind == d.Kind && me.Kind == ms.Kind {
						e := *end
						me.Wall = d.Wall.Add(me.Wall.Sub(ms.Wall))
						e.SetDateTime(me)
						c.Set(e)
					}
				}
			}
		}
	}
	c.Set(start)
	r := *rid
	r.Params.Del(ical.ParamRange)
	c.Add(r)
	return c
}

// firstProp returns the first property name of o's components, or nil.
func firstProp(o *object, name string) *ical.Property {
	for _, c := range o.comps {
		if p := c.Prop(name); p != nil {
			return p
		}
	}
	return nil
}

// takeForceSend removes every SCHEDULE-FORCE-SEND parameter from cal (RFC
// 6638 §7.2: "Servers MUST NOT preserve this property parameter") and
// returns the attendees it forces a REQUEST to. An ATTENDEE with an
// unknown value gets SCHEDULE-STATUS 2.3 (RFC 6638 §7.2).
func takeForceSend(cal *ical.Component) (changed bool, forced map[string]bool) {
	for _, c := range newObject(cal).comps {
		for i := range c.Props {
			p := &c.Props[i]
			if p.Name != ical.PropAttendee && p.Name != ical.PropOrganizer {
				continue
			}
			v, ok := p.Params.Find(ical.ParamScheduleForceSend)
			if !ok {
				continue
			}
			p.Params.Del(ical.ParamScheduleForceSend)
			changed = true
			if p.Name != ical.PropAttendee || scheduleAgent(p) != "SERVER" {
				continue
			}
			if len(v.Values) == 1 && strings.EqualFold(v.Values[0], string(MethodRequest)) {
				if forced == nil {
					forced = map[string]bool{}
				}
				forced[p.CalAddress()] = true
				continue
			}
			p.Params.Del(ical.ParamScheduleStatus)
			p.Params.Add(ical.ParamScheduleStatus, "2.3")
		}
	}
	return changed, forced
}

// scheduleAgent returns the SCHEDULE-AGENT of p in upper case, SERVER when
// absent (RFC 6638 §7.1).
func scheduleAgent(p *ical.Property) string {
	v := p.Params.Get(ical.ParamScheduleAgent)
	if v == "" {
		return "SERVER"
	}
	return strings.ToUpper(strings.TrimSpace(v))
}

// schedulingParams are the RFC 6638 §7 parameters no message carries.
var schedulingParams = []string{ical.ParamScheduleAgent, ical.ParamScheduleStatus, ical.ParamScheduleForceSend}

// withoutScheduling returns ps without the RFC 6638 §7 parameters and
// Almanac's own bookkeeping (X-ALMANAC-*, such as the reply stamp of the
// organizer's copy).
func withoutScheduling(ps ical.Params) ical.Params {
	text := ps.String()
	if strings.Contains(text, "SCHEDULE-") {
		for _, n := range schedulingParams {
			ps.Del(n)
		}
	}
	if strings.Contains(text, "X-ALMANAC-") {
		for p := range ps.All() {
			if strings.HasPrefix(strings.ToUpper(p.Name), "X-ALMANAC-") {
				ps.Del(p.Name)
			}
		}
	}
	return ps
}

// schedulingCopy returns p, an ORGANIZER or ATTENDEE, as a message carries
// it: without the RFC 6638 §7 parameters ("Servers MUST NOT include this
// parameter in any scheduling messages").
func schedulingCopy(p ical.Property) ical.Property {
	p.Params = withoutScheduling(p.Params)
	p.Line = 0
	return p
}

// orgObject is the organizer's copy of a scheduling object as the
// recipients see it.
type orgObject struct {
	obj *object
	// org is the organizer's address and orgProp its first ORGANIZER.
	org     string
	orgProp *ical.Property
	// server reports SCHEDULE-AGENT=SERVER on the ORGANIZER.
	server bool
	// members maps, per component, the address of each recipient to its
	// ATTENDEE: SCHEDULE-AGENT SERVER (or any, for a refresh), not the
	// organizer.
	members []map[string]*ical.Property
	// cancelled reports STATUS:CANCELLED per component; whole reports it
	// of the master.
	cancelled []bool
	whole     bool
	// masterIdx is the index of the master in obj.comps, or -1; index
	// maps instance keys to indices.
	masterIdx int
	index     map[string]int
	// order lists the recipients in order of appearance.
	order []string
	// exdates are the instance keys of the master's EXDATEs.
	exdates map[string]bool
	journal bool
	views   map[string]*recipientView
}

// recipientView is what one recipient sees of an orgObject.
type recipientView struct {
	sig string
	// idx are the indices of the components in the view, in order.
	idx []int
	// master reports whether the master is in the view.
	master bool
	// overrides maps the key of each override in the view to its index.
	overrides map[string]int
	// excluded are the keys the master view excludes: its EXDATEs and the
	// overrides the recipient is not in, or that are cancelled.
	excluded map[string]bool
	// extra are the RECURRENCE-IDs to add to the master as EXDATE.
	extra []*ical.Property
}

func newOrgObject(cal *ical.Component, anyAgent bool) *orgObject {
	o := &orgObject{obj: newObject(cal), masterIdx: -1, views: map[string]*recipientView{}, index: map[string]int{}}
	o.orgProp = firstProp(o.obj, ical.PropOrganizer)
	if o.orgProp != nil {
		o.org = o.orgProp.CalAddress()
		o.server = scheduleAgent(o.orgProp) == "SERVER"
	}
	seen := map[string]bool{}
	for i, c := range o.obj.comps {
		if c == o.obj.master {
			o.masterIdx = i
		}
		if k := o.obj.key(c); o.obj.byKey[k] == c {
			o.index[k] = i
		}
		if c.Name == ical.CompJournal {
			o.journal = true
		}
		m := map[string]*ical.Property{}
		for j := range c.Props {
			p := &c.Props[j]
			if p.Name != ical.PropAttendee {
				continue
			}
			a := p.CalAddress()
			if a == o.org || (!anyAgent && scheduleAgent(p) != "SERVER") {
				continue
			}
			if _, dup := m[a]; dup {
				continue
			}
			m[a] = p
			if !seen[a] {
				seen[a] = true
				o.order = append(o.order, a)
			}
		}
		o.members = append(o.members, m)
		o.cancelled = append(o.cancelled, strings.EqualFold(strings.TrimSpace(c.Value(ical.PropStatus)), "CANCELLED"))
	}
	if o.masterIdx >= 0 {
		o.whole = o.cancelled[o.masterIdx]
		o.exdates = exdateKeys(o.obj, o.obj.master)
	}
	return o
}

// viewOf returns what recipient r sees of o.
func (o *orgObject) viewOf(r string) *recipientView {
	var sig []byte
	for i, m := range o.members {
		if m[r] != nil && (i == o.masterIdx || !o.cancelled[i]) {
			sig = strconv.AppendInt(sig, int64(i), 10)
			sig = append(sig, ',')
		}
	}
	if v := o.views[string(sig)]; v != nil {
		return v
	}
	v := &recipientView{sig: string(sig), overrides: map[string]int{}}
	for i, m := range o.members {
		if m[r] == nil || (i != o.masterIdx && o.cancelled[i]) {
			continue
		}
		v.idx = append(v.idx, i)
		if i == o.masterIdx {
			v.master = true
		} else {
			v.overrides[o.obj.key(o.obj.comps[i])] = i
		}
	}
	if v.master {
		v.excluded = map[string]bool{}
		for k := range o.exdates {
			v.excluded[k] = true
		}
		for i, c := range o.obj.comps {
			if i == o.masterIdx {
				continue
			}
			k := o.obj.key(c)
			if _, in := v.overrides[k]; in || v.excluded[k] {
				continue
			}
			// RFC 6638 §3.2.6: an instance that does not name the
			// recipient is an EXDATE in their master.
			v.excluded[k] = true
			v.extra = append(v.extra, c.Prop(ical.PropRecurrenceID))
		}
	}
	o.views[v.sig] = v
	return v
}

// isCancelled reports whether c, a component of o, has STATUS:CANCELLED.
func (o *orgObject) isCancelled(c *ical.Component) bool {
	i := slices.Index(o.obj.comps, c)
	return i >= 0 && o.cancelled[i]
}

// heldSequence returns the SEQUENCE that orders what a recipient with view
// v holds: the master's when they have it (a REPLY carries it), else the
// highest of their overrides.
func (o *orgObject) heldSequence(v *recipientView) int64 {
	if v.master {
		return sequence(o.obj.master)
	}
	var n int64
	for _, i := range v.idx {
		n = max(n, sequence(o.obj.comps[i]))
	}
	return n
}

// exdateKeys returns the instance keys of c's EXDATE values.
func exdateKeys(o *object, c *ical.Component) map[string]bool {
	out := map[string]bool{}
	for _, p := range c.PropsNamed(ical.PropExDate) {
		for _, v := range ical.SplitList(p.Value) {
			one := ical.Property{Name: p.Name, Params: p.Params, Value: v}
			out[o.keyOf(&one)] = true
		}
	}
	return out
}

// generates reports whether master, a component of o, has the instance
// key: its recurrence set holds it (RFC 5545 §3.8.5.3). Only the instants
// around key are expanded, within the limits of opts.
func generates(o *object, master *ical.Component, key string, opts Options) (bool, error) {
	if master == nil {
		return false, nil
	}
	if master.Prop(ical.PropRRule) == nil && master.Prop(ical.PropRDate) == nil {
		start := master.Prop(ical.PropDTStart)
		return start != nil && o.keyOf(start) == key, nil
	}
	from, to, ok := keyWindow(key)
	if !ok {
		return false, nil
	}
	insts, err := recur.Expand(master, nil, recur.Options{
		From:   from,
		To:     to,
		Zones:  o.resolver(),
		Limits: recur.Limits{MaxInstances: opts.maxInstances()},
	})
	if err != nil {
		if errors.Is(err, recur.ErrBudget) {
			return false, fmt.Errorf("%w: %w", ErrLimit, err)
		}
		// A recurrence that cannot be expanded generates nothing.
		return false, nil
	}
	for _, in := range insts {
		if o.keyOfTime(in.RecurrenceID) == key {
			return true, nil
		}
	}
	return false, nil
}

// keyWindow returns the instants an instance key covers.
func keyWindow(key string) (from, to time.Time, ok bool) {
	switch {
	case len(key) == 8:
		t, err := time.Parse("20060102", key)
		if err != nil {
			return from, to, false
		}
		return t, t.AddDate(0, 0, 1), true
	case len(key) == 16 && key[15] == 'Z':
		t, err := time.Parse("20060102T150405Z", key)
		if err != nil {
			return from, to, false
		}
		return t, t.Add(time.Second), true
	}
	return from, to, false
}

// reviseSequences applies RFC 5546 §2.1.4 and RFC 6638 §3.2.8 to n, the
// stored copy being written, against o: SEQUENCE raised and answers reset
// where a component changed. It reports whether n changed.
func reviseSequences(o *orgObject, n *object, org string, opts Options) (bool, error) {
	changed := false
	for _, c := range n.comps {
		k := n.key(c)
		held := o.obj.byKey[k]
		var sig, resched bool
		var base int64
		switch {
		case held != nil:
			sig = significant(held, c)
			resched = sig && reschedules(o.obj, held, c)
			base = sequence(held)
		case k != "" && o.obj.master != nil:
			// A new override: compare it with the instance it replaces.
			ok, err := generates(o.obj, o.obj.master, k, opts)
			if err != nil {
				return false, err
			}
			if !ok {
				// An instance of its own (RDATE-like): new to everyone.
				sig, resched = true, true
			} else {
				sig, resched = overrideChanges(n, o.obj.master, c)
			}
			base = sequence(o.obj.master)
		default:
			continue
		}
		if !sig {
			continue
		}
		if sequence(c) <= base {
			setSequence(c, base+1)
			changed = true
		}
		if resched && resetPartStats(c, org) {
			changed = true
		}
	}
	return changed, nil
}

// reschedules reports whether b, a significant change of a, moves or adds
// instances (RFC 6638 §3.2.8): anything but a new EXDATE or a STATUS
// change.
func reschedules(o *object, a, b *ical.Component) bool {
	for _, name := range revisionProps {
		switch name {
		case ical.PropStatus:
			continue
		case ical.PropExDate:
			// RFC 6638 §3.2.8: only an EXDATE change "that results in
			// the reinstatement of recurring instances" resets.
			ka, kb := exdateKeys(o, a), exdateKeys(o, b)
			for k := range ka {
				if !kb[k] {
					return true
				}
			}
			continue
		}
		if !sameProps(a.PropsNamed(name), b.PropsNamed(name)) {
			return true
		}
	}
	return false
}

// overrideChanges compares a new override c with the instance master
// generated for it: a different start (by instant), duration, or
// revision property other than the times and rules. It reports a
// significant change and a rescheduling one.
func overrideChanges(o *object, master, c *ical.Component) (sig, resched bool) {
	if s := c.Prop(ical.PropDTStart); s == nil || o.keyOf(s) != o.key(c) {
		return true, true
	}
	if componentLength(o, master) != componentLength(o, c) {
		return true, true
	}
	for _, name := range revisionProps {
		switch name {
		case ical.PropDTStart, ical.PropDTEnd, ical.PropDuration, ical.PropDue,
			ical.PropRRule, ical.PropRDate, ical.PropExDate, ical.PropExRule:
			continue
		}
		if !sameProps(master.PropsNamed(name), c.PropsNamed(name)) {
			return true, name != ical.PropStatus
		}
	}
	return false, false
}

// componentLength returns the length of c's instances as a comparable
// string: the exact duration between DTSTART and DTEND (or DUE), or the
// DURATION value.
func componentLength(o *object, c *ical.Component) string {
	if d := c.Prop(ical.PropDuration); d != nil {
		return "P:" + strings.TrimSpace(d.Value)
	}
	end := c.Prop(ical.PropDTEnd)
	if end == nil {
		end = c.Prop(ical.PropDue)
	}
	start := c.Prop(ical.PropDTStart)
	if end == nil || start == nil {
		return ""
	}
	s, err1 := start.DateTime()
	e, err2 := end.DateTime()
	if err1 != nil || err2 != nil {
		return "?"
	}
	st, err1 := s.Time(o.resolver(), nil)
	et, err2 := e.Time(o.resolver(), nil)
	if err1 != nil || err2 != nil {
		return "?"
	}
	return et.Sub(st).String()
}

// resetPartStats sets the PARTSTAT of every attendee of c that answered,
// other than the organizer and attendees scheduled by their client, to
// NEEDS-ACTION with RSVP=TRUE, keeping an explicit RSVP=FALSE (RFC 6638
// §3.2.8). It reports whether c changed.
func resetPartStats(c *ical.Component, org string) bool {
	changed := false
	for i := range c.Props {
		p := &c.Props[i]
		if p.Name != ical.PropAttendee {
			continue
		}
		ps := strings.ToUpper(p.Params.Get(ical.ParamPartStat))
		if ps == "" || ps == "NEEDS-ACTION" || scheduleAgent(p) != "SERVER" || p.CalAddress() == org {
			continue
		}
		p.Params.Set(ical.ParamPartStat, "NEEDS-ACTION")
		if !strings.EqualFold(p.Params.Get(ical.ParamRSVP), "FALSE") {
			p.Params.Set(ical.ParamRSVP, "TRUE")
		}
		changed = true
	}
	return changed
}

// lostInstance is an instance a recipient no longer sees.
type lostInstance struct {
	key string
	// rid is a RECURRENCE-ID naming it.
	rid *ical.Property
	// cancelled: the organizer removed the instance (STATUS:CANCELLED in
	// the CANCEL); otherwise the recipient was removed from it.
	cancelled bool
	// src is the component describing it, or nil for an instance of the
	// master.
	src *ical.Component
	// seq is the SEQUENCE of its CANCEL (instanceCancelSequence).
	seq int64
}

// viewChange is how a recipient's view changed between two versions.
type viewChange struct {
	lost []lostInstance
	// masterLost: the recipient was in the old master, not in the new one,
	// but still in some overrides.
	masterLost bool
	// differs: the view changed beyond the lost instances, not counting
	// the participation of attendees.
	differs bool
}

// organizerMessages builds the messages from o (nil: created) to n.
func organizerMessages(o, n *orgObject, forced map[string]bool, opts Options) ([]Message, error) {
	b := newMessageBuilder(o, n, opts)
	recipients := n.order
	if o != nil {
		for _, r := range o.order {
			if !slices.Contains(recipients, r) {
				recipients = append(recipients[:len(recipients):len(recipients)], r)
			}
		}
	}
	changes := map[string]*viewChange{}
	for _, r := range recipients {
		nv := n.viewOf(r)
		var ov *recipientView
		if o != nil && !o.whole {
			ov = o.viewOf(r)
		}
		had := ov != nil && len(ov.idx) > 0
		switch {
		case n.whole:
			if had {
				// RFC 5546 §3.2.5: the whole event is cancelled.
				seq := wholeCancelSequence(o, n, ov)
				b.cancelWhole(r, o.obj.comps[ov.idx[0]], true, seq, n.obj.cal)
			}
			continue
		case len(nv.idx) == 0:
			if had {
				seq := wholeCancelSequence(o, n, ov)
				b.cancelWhole(r, o.obj.comps[ov.idx[0]], cancelledFor(n, r), seq, n.obj.cal)
			}
			continue
		case !had:
			if !n.journal {
				b.request(r, nv)
			}
			continue
		}
		ck := ov.sig + "|" + nv.sig
		ch := changes[ck]
		if ch == nil {
			var err error
			ch, err = compareViews(o, n, ov, nv, opts)
			if err != nil {
				return nil, err
			}
			changes[ck] = ch
		}
		if ch.masterLost {
			seq := wholeCancelSequence(o, n, ov)
			b.cancelWhole(r, o.obj.comps[o.masterIdx], false, seq, n.obj.cal)
		} else if len(ch.lost) > 0 {
			b.cancelInstances(r, ch.lost, o, ov)
		}
		if n.journal {
			continue
		}
		if ch.masterLost || ch.differs || forced[r] || ownEntryChanged(o, n, nv, r) {
			b.request(r, nv)
		}
	}
	return b.messages(), nil
}

// cancelledFor reports whether r lost every instance because the
// organizer cancelled them, rather than by being removed.
func cancelledFor(n *orgObject, r string) bool {
	for i, m := range n.members {
		if m[r] != nil && n.cancelled[i] {
			return true
		}
	}
	return false
}

// wholeCancelSequence is the SEQUENCE of a CANCEL of the whole object to
// a recipient whose view of o was ov: the stored SEQUENCE of what they
// hold (the master, raised for a cancelled event), never lower than what
// they were sent. It is not raised beyond the stored copy, so that a later
// invitation is not older than the cancellation (RFC 5546 §2.1.5);
// DTSTAMP orders a CANCEL of the same SEQUENCE.
func wholeCancelSequence(o, n *orgObject, ov *recipientView) int64 {
	held := o.heldSequence(ov)
	if ov.master {
		if n.obj.master != nil {
			return max(held, sequence(n.obj.master))
		}
		return held
	}
	for _, i := range ov.idx {
		if c := n.obj.byKey[o.obj.key(o.obj.comps[i])]; c != nil {
			held = max(held, sequence(c))
		}
	}
	return held
}

// instanceCancelSequence is the SEQUENCE of a CANCEL of instance k to a
// recipient whose view of o was ov: the stored SEQUENCE of the component
// that now describes the instance for them, never lower than what they
// hold for it. An instance they held through the master takes the
// master's SEQUENCE, which an EXDATE has raised (RFC 5546 §2.1.4); the
// attendee's copy takes it too, and its replies match the organizer's.
func instanceCancelSequence(o, n *orgObject, ov *recipientView, k string) int64 {
	if i, ok := ov.overrides[k]; ok {
		held := sequence(o.obj.comps[i])
		if c := n.obj.byKey[k]; c != nil {
			return max(held, sequence(c))
		}
		if n.obj.master != nil {
			return max(held, sequence(n.obj.master))
		}
		return held + 1
	}
	held := sequence(o.obj.master)
	if n.obj.master != nil {
		return max(held, sequence(n.obj.master))
	}
	return held + 1
}

// compareViews compares the views ov of o and nv of n, recipient views
// with both at least one component.
func compareViews(o, n *orgObject, ov, nv *recipientView, opts Options) (*viewChange, error) {
	ch := &viewChange{}
	if ov.master && !nv.master {
		ch.masterLost = true
		ch.differs = true
	}
	if !ov.master && nv.master {
		ch.differs = true
	}
	lostKeys := map[string]bool{}
	// Overrides the recipient had and no longer has.
	for _, i := range ov.idx {
		if i == o.masterIdx {
			continue
		}
		k := o.obj.key(o.obj.comps[i])
		if _, in := nv.overrides[k]; in {
			continue
		}
		nc := n.obj.byKey[k]
		if nv.master && !nv.excluded[k] && nc == nil {
			gen, err := generates(n.obj, n.obj.master, k, opts)
			if err != nil {
				return nil, err
			}
			if gen {
				// The instance went back to the master's: a change.
				ch.differs = true
				continue
			}
		}
		li := lostInstance{key: k, rid: o.obj.comps[i].Prop(ical.PropRecurrenceID), src: o.obj.comps[i]}
		li.cancelled = nc == nil || n.isCancelled(nc) || n.exdates[k]
		if nc != nil && n.isCancelled(nc) {
			li.src = nc
		}
		ch.lost = append(ch.lost, li)
		lostKeys[k] = true
	}
	// Instances of the master newly excluded.
	if ov.master && nv.master {
		for k := range nv.excluded {
			if ov.excluded[k] || lostKeys[k] {
				continue
			}
			if _, had := ov.overrides[k]; had {
				continue
			}
			existed, err := generates(o.obj, o.obj.master, k, opts)
			if err != nil {
				return nil, err
			}
			if !existed {
				ch.differs = true
				continue
			}
			li := lostInstance{key: k, cancelled: true}
			if nc := n.obj.byKey[k]; nc != nil {
				li.rid = nc.Prop(ical.PropRecurrenceID)
				li.cancelled = n.isCancelled(nc)
				li.src = nc
			} else {
				li.rid = exdateProperty(n.obj, k)
			}
			ch.lost = append(ch.lost, li)
			lostKeys[k] = true
		}
		for k := range ov.excluded {
			if !nv.excluded[k] {
				// An instance reinstated.
				ch.differs = true
			}
		}
	}
	slices.SortFunc(ch.lost, func(a, b lostInstance) int { return strings.Compare(a.key, b.key) })
	for i := range ch.lost {
		ch.lost[i].seq = instanceCancelSequence(o, n, ov, ch.lost[i].key)
	}
	if ch.differs {
		return ch, nil
	}
	// The remaining overrides must be the same ones, and equal.
	for k := range nv.overrides {
		if _, had := ov.overrides[k]; !had {
			ch.differs = true
			return ch, nil
		}
	}
	ignoreSeq := len(ch.lost) > 0
	for _, ni := range nv.idx {
		k := n.obj.key(n.obj.comps[ni])
		var oc *ical.Component
		if ni == n.masterIdx {
			oc = o.obj.master
		} else {
			oc = o.obj.comps[ov.overrides[k]]
		}
		if !sameForRecipients(oc, n.obj.comps[ni], ignoreSeq) {
			ch.differs = true
			return ch, nil
		}
	}
	return ch, nil
}

// exdateProperty returns an EXDATE value of o's master with instance key
// k, as a RECURRENCE-ID.
func exdateProperty(o *object, k string) *ical.Property {
	for _, p := range o.master.PropsNamed(ical.PropExDate) {
		for _, v := range ical.SplitList(p.Value) {
			one := ical.Property{Name: ical.PropRecurrenceID, Params: p.Params, Value: v}
			if o.keyOf(&one) == k {
				return &one
			}
		}
	}
	return nil
}

// ownEntryChanged reports whether r's own ATTENDEE changed in a component
// of its view nv of n (RFC 5546 §3.2.2.7: an RSVP request is a REQUEST).
func ownEntryChanged(o, n *orgObject, nv *recipientView, r string) bool {
	for _, ni := range nv.idx {
		np := n.members[ni][r]
		oi, ok := o.index[n.obj.key(n.obj.comps[ni])]
		if !ok {
			return true
		}
		op := o.members[oi][r]
		if op == nil {
			return true
		}
		if np.Params == op.Params {
			continue
		}
		if withoutScheduling(np.Params).String() != withoutScheduling(op.Params).String() {
			return true
		}
	}
	return false
}

// sameForRecipients compares two versions of a component as recipients
// see them: without DTSTAMP, LAST-MODIFIED, TRANSP, REQUEST-STATUS,
// alarms, the organizer's client state, EXDATE (compared by the caller),
// the participation of attendees and the RFC 6638 §7 parameters, and
// without SEQUENCE when ignoreSeq.
func sameForRecipients(a, b *ical.Component, ignoreSeq bool) bool {
	skip := func(p *ical.Property) bool {
		switch p.Name {
		case ical.PropDTStamp, ical.PropLastModified, ical.PropTransp, ical.PropRequestStatus, ical.PropExDate:
			return true
		case ical.PropSequence:
			return ignoreSeq
		}
		return isClientState(p.Name)
	}
	i, j := 0, 0
	for {
		for i < len(a.Props) && skip(&a.Props[i]) {
			i++
		}
		for j < len(b.Props) && skip(&b.Props[j]) {
			j++
		}
		if i == len(a.Props) || j == len(b.Props) {
			if i != len(a.Props) || j != len(b.Props) {
				return false
			}
			break
		}
		pa, pb := &a.Props[i], &b.Props[j]
		if pa.Name != pb.Name || pa.Value != pb.Value {
			return false
		}
		if pa.Params != pb.Params {
			if pa.Name == ical.PropAttendee || pa.Name == ical.PropOrganizer {
				if !sameWithout(pa.Params, pb.Params) {
					return false
				}
			} else {
				return false
			}
		}
		i++
		j++
	}
	ca, cb := sharedChildren(a), sharedChildren(b)
	if len(ca) != len(cb) {
		return false
	}
	for k := range ca {
		if string(ical.Marshal(ca[k])) != string(ical.Marshal(cb[k])) {
			return false
		}
	}
	return true
}

// participationParams are the ATTENDEE parameters an answer changes.
var participationParams = []string{ical.ParamPartStat, ical.ParamRSVP, ical.ParamDelegatedTo, ical.ParamDelegatedFrom}

// sameWithout compares two parameter lists without participationParams
// and what withoutScheduling removes.
func sameWithout(a, b ical.Params) bool {
	a, b = withoutScheduling(a), withoutScheduling(b)
	for _, n := range participationParams {
		a.Del(n)
		b.Del(n)
	}
	return a.String() == b.String()
}

// sharedChildren returns the sub-components of c a message carries: all
// but VALARM.
func sharedChildren(c *ical.Component) []*ical.Component {
	var out []*ical.Component
	for _, ch := range c.Children {
		if ch.Name != ical.CompAlarm {
			out = append(out, ch)
		}
	}
	return out
}

// messageBuilder collects the messages of one change, sharing one Message
// among the recipients whose copy is the same.
type messageBuilder struct {
	o, n *orgObject
	opts Options
	uid  string
	// cancels and requests in order of creation; byKey finds them.
	cancels, requests []*Message
	byKey             map[string]*Message
}

func newMessageBuilder(o, n *orgObject, opts Options) *messageBuilder {
	return &messageBuilder{o: o, n: n, opts: opts, uid: UID(n.obj.cal), byKey: map[string]*Message{}}
}

func (b *messageBuilder) messages() []Message {
	out := make([]Message, 0, len(b.cancels)+len(b.requests))
	for _, m := range b.cancels {
		out = append(out, *m)
	}
	for _, m := range b.requests {
		out = append(out, *m)
	}
	return out
}

// request adds r to the REQUEST of view v of the new version.
func (b *messageBuilder) request(r string, v *recipientView) {
	key := "R" + v.sig
	if m := b.byKey[key]; m != nil {
		m.Recipients = append(m.Recipients, r)
		return
	}
	n := b.n
	cal := newMessage(MethodRequest, b.opts)
	for _, i := range v.idx {
		c := messageComponent(n.obj.comps[i], n.orgProp, b.opts.Now)
		if i == n.masterIdx {
			for _, rid := range v.extra {
				ex := *rid
				ex.Name = ical.PropExDate
				ex.Params.Del(ical.ParamRange)
				ex.Line = 0
				c.Add(ex)
			}
		}
		cal.Children = append(cal.Children, c)
	}
	addTimezones(cal, n.obj.cal)
	m := &Message{Method: MethodRequest, Originator: n.org, Recipients: []string{r}, UID: b.uid, Calendar: cal}
	b.byKey[key] = m
	b.requests = append(b.requests, m)
}

// cancelWhole adds r to a CANCEL of the whole object (no RECURRENCE-ID),
// described by held, a component of the version r last saw or, for a
// cancelled event, by its new version (with the organizer's COMMENT, RFC
// 5546 §4.2.9).
func (b *messageBuilder) cancelWhole(r string, held *ical.Component, cancelled bool, seq int64, zones *ical.Component) {
	src := held
	if cancelled && b.o != nil && b.n != b.o {
		if c := b.n.obj.byKey[b.o.obj.key(held)]; c != nil {
			src = c
		}
	}
	key := fmt.Sprintf("W%p|%v|%d", src, cancelled, seq)
	if m := b.byKey[key]; m != nil {
		b.addCancelRecipient(m, r, !cancelled, held)
		return
	}
	c := cancelComponent(src, nil, cancelled, seq, b.n.orgProp, b.opts.Now, true)
	c.Del(ical.PropRecurrenceID)
	if cancelled {
		b.addAttendees(c, src)
	}
	b.newCancel(key, r, !cancelled, held, []*ical.Component{c}, zones)
}

// cancelInstances adds r to a CANCEL of the instances lost, of view v of
// o, the version r last saw.
func (b *messageBuilder) cancelInstances(r string, lost []lostInstance, o *orgObject, v *recipientView) {
	var key strings.Builder
	key.WriteString("I")
	for _, li := range lost {
		fmt.Fprintf(&key, "%s|%v|%d|%p;", li.key, li.cancelled, li.seq, li.src)
	}
	if m := b.byKey[key.String()]; m != nil {
		for _, li := range lost {
			if !li.cancelled {
				b.addCancelRecipientTo(m, r, li.key)
			}
		}
		m.Recipients = append(m.Recipients, r)
		return
	}
	var comps []*ical.Component
	for _, li := range lost {
		src := li.src
		times := true
		if src == nil {
			src, times = o.obj.master, false
		}
		c := cancelComponent(src, li.rid, li.cancelled, li.seq, b.n.orgProp, b.opts.Now, times)
		if li.cancelled {
			b.addAttendees(c, src)
		} else if p := b.oldAttendee(li.key, r); p != nil {
			insertAttendee(c, schedulingCopy(*p))
		}
		comps = append(comps, c)
	}
	cal := newMessage(MethodCancel, b.opts)
	cal.Children = comps
	addTimezones(cal, b.n.obj.cal)
	addTimezones(cal, o.obj.cal)
	dedupeTimezones(cal)
	m := &Message{Method: MethodCancel, Originator: b.n.org, Recipients: []string{r}, UID: b.uid, Calendar: cal}
	b.byKey[key.String()] = m
	b.cancels = append(b.cancels, m)
}

// newCancel records a new CANCEL message of comps for r.
func (b *messageBuilder) newCancel(key, r string, removed bool, src *ical.Component, comps []*ical.Component, zones *ical.Component) {
	cal := newMessage(MethodCancel, b.opts)
	cal.Children = comps
	m := &Message{Method: MethodCancel, Originator: b.n.org, UID: b.uid, Calendar: cal}
	b.addCancelRecipient(m, r, removed, src)
	addTimezones(cal, zones)
	if b.o != nil && b.o.obj.cal != zones {
		addTimezones(cal, b.o.obj.cal)
		dedupeTimezones(cal)
	}
	b.byKey[key] = m
	b.cancels = append(b.cancels, m)
}

// addCancelRecipient adds r to m; for a removed attendee also their
// ATTENDEE (RFC 5546 §3.2.5: the CANCEL "MUST include some or all
// Attendees being removed").
func (b *messageBuilder) addCancelRecipient(m *Message, r string, removed bool, src *ical.Component) {
	m.Recipients = append(m.Recipients, r)
	if !removed || b.n.journal || (b.o != nil && b.o.journal) {
		return
	}
	p := findAttendee(src, r)
	if p == nil {
		return
	}
	c := m.Calendar.Children[len(m.Calendar.Children)-1]
	insertAttendee(c, schedulingCopy(*p))
}

// addCancelRecipientTo adds r's ATTENDEE to the component of m with
// instance key k.
func (b *messageBuilder) addCancelRecipientTo(m *Message, r, k string) {
	if b.n.journal {
		return
	}
	for _, c := range m.Calendar.Children {
		rid := c.Prop(ical.PropRecurrenceID)
		if rid == nil || b.n.obj.keyOf(rid) != k {
			continue
		}
		if p := b.oldAttendee(k, r); p != nil {
			insertAttendee(c, schedulingCopy(*p))
		}
	}
}

// oldAttendee returns r's ATTENDEE in the instance k of the version r last
// saw: in its override, else in its master.
func (b *messageBuilder) oldAttendee(k, r string) *ical.Property {
	if c := b.o.obj.byKey[k]; c != nil {
		if p := findAttendee(c, r); p != nil {
			return p
		}
	}
	if b.o.obj.master != nil {
		return findAttendee(b.o.obj.master, r)
	}
	return nil
}

// addAttendees copies every ATTENDEE of src to c, a CANCEL component of a
// cancelled event (RFC 5546 §3.2.5: "MUST include some or all Attendees
// if the entire event is cancelled"); none for VJOURNAL.
func (b *messageBuilder) addAttendees(c, src *ical.Component) {
	if c.Name == ical.CompJournal {
		return
	}
	for _, p := range src.PropsNamed(ical.PropAttendee) {
		insertAttendee(c, schedulingCopy(*p))
	}
}

// insertAttendee adds an ATTENDEE after the last ATTENDEE or ORGANIZER of
// c.
func insertAttendee(c *ical.Component, p ical.Property) {
	if c.Name == ical.CompJournal {
		return
	}
	at := len(c.Props)
	for i := len(c.Props) - 1; i >= 0; i-- {
		if c.Props[i].Name == ical.PropAttendee || c.Props[i].Name == ical.PropOrganizer {
			at = i + 1
			break
		}
	}
	c.Props = slices.Insert(c.Props, at, p)
}

// dedupeTimezones keeps the first VTIMEZONE of each TZID in cal.
func dedupeTimezones(cal *ical.Component) {
	seen := map[string]bool{}
	out := cal.Children[:0]
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			id := c.Value(ical.PropTZID)
			if seen[id] {
				continue
			}
			seen[id] = true
		}
		out = append(out, c)
	}
	cal.Children = out
}

// cancelKeep are the properties of the cancelled component a CANCEL
// repeats besides the required ones: what lets the recipient's client
// show what was cancelled.
var cancelKeep = map[string]bool{
	ical.PropUID: true, ical.PropRecurrenceID: true, ical.PropSequence: true, ical.PropOrganizer: true,
	ical.PropDTStart: true, ical.PropDTEnd: true, ical.PropDuration: true, ical.PropDue: true,
	ical.PropSummary: true, ical.PropComment: true, ical.PropStatus: true,
}

// cancelComponent builds one component of a CANCEL from src (RFC 5546
// §3.2.5, §3.4.5, §3.5.3): UID, RECURRENCE-ID (rid, or src's), SEQUENCE
// seq, ORGANIZER, DTSTAMP, COMMENT, SUMMARY and, when times, the times of
// src; STATUS:CANCELLED when cancelled ("MUST be set to CANCELLED to
// cancel the entire event. If uninviting specific Attendees, then MUST
// NOT be included"). ATTENDEEs are added by the caller.
func cancelComponent(src *ical.Component, rid *ical.Property, cancelled bool, seq int64, org *ical.Property, now time.Time, times bool) *ical.Component {
	c := ical.NewComponent(src.Name)
	hasSeq, hasStatus, hasOrg, hasRID := false, false, false, false
	for _, p := range src.Props {
		if !cancelKeep[p.Name] {
			continue
		}
		switch p.Name {
		case ical.PropSummary:
			if src.Name == ical.CompToDo {
				// Not in the VTODO CANCEL table (RFC 5546 §3.4.5).
				continue
			}
		case ical.PropDue:
			if src.Name != ical.CompToDo || !times {
				continue
			}
		case ical.PropDTStart, ical.PropDTEnd, ical.PropDuration:
			if !times || src.Name == ical.CompJournal && p.Name != ical.PropDTStart {
				continue
			}
		case ical.PropSequence:
			p = ical.NewProperty(ical.PropSequence, strconv.FormatInt(seq, 10))
			hasSeq = true
		case ical.PropStatus:
			if !cancelled {
				continue
			}
			p = ical.NewProperty(ical.PropStatus, "CANCELLED")
			hasStatus = true
		case ical.PropOrganizer:
			p = schedulingCopy(p)
			hasOrg = true
		case ical.PropRecurrenceID:
			if rid != nil {
				p = *rid
			}
			hasRID = true
		}
		p.Line = 0
		c.Add(p)
	}
	if !hasOrg && org != nil {
		c.Props = slices.Insert(c.Props, 0, schedulingCopy(*org))
	}
	if rid != nil && !hasRID {
		r := *rid
		r.Name = ical.PropRecurrenceID
		r.Line = 0
		c.Add(r)
	}
	if !hasSeq {
		c.Add(ical.NewProperty(ical.PropSequence, strconv.FormatInt(seq, 10)))
	}
	if cancelled && !hasStatus {
		c.Add(ical.NewProperty(ical.PropStatus, "CANCELLED"))
	}
	stamp(c, now)
	return c
}

// messageComponent returns c as a message carries it (RFC 5546 §3.2.2,
// RFC 6638 §7): DTSTAMP now; no VALARM, REQUEST-STATUS or client state;
// ORGANIZER and ATTENDEE without the RFC 6638 §7 parameters; the
// ORGANIZER added where c lacks it (the REQUEST table requires it).
func messageComponent(c *ical.Component, org *ical.Property, now time.Time) *ical.Component {
	out := &ical.Component{Name: c.Name, Props: make([]ical.Property, 0, len(c.Props)+1)}
	hasOrg := false
	for _, p := range c.Props {
		switch {
		case p.Name == ical.PropRequestStatus || isClientState(p.Name):
			continue
		case p.Name == ical.PropOrganizer:
			hasOrg = true
			p = schedulingCopy(p)
		case p.Name == ical.PropAttendee:
			p = schedulingCopy(p)
		}
		p.Line = 0
		out.Props = append(out.Props, p)
	}
	if !hasOrg && org != nil {
		out.Props = slices.Insert(out.Props, 0, schedulingCopy(*org))
	}
	for _, ch := range sharedChildren(c) {
		out.Children = append(out.Children, clone(ch))
	}
	stamp(out, now)
	return out
}
