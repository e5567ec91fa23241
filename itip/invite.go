// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"slices"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// This file processes what an organizer sends, on the attendee's side:
// REQUEST, ADD, CANCEL and DECLINECOUNTER (RFC 5546 §3.2, §3.4; RFC 6638
// §4.1). Every function checks, in order: the message has components and
// an ORGANIZER (else StatusMissing); the copy, when there is one, has the
// same ORGANIZER (else StatusNoAuthority: a message from someone else must
// not take over an event, RFC 6638 §11.2, RFC 5546 §6.1.1 and §3.2.2.4,
// whose change of organizer is therefore not followed automatically); the
// recipient is an ATTENDEE of the message, or the message invites a group
// (CUTYPE=GROUP or UNKNOWN, RFC 5546 §3.7.2: the recipient may be a
// member), else StatusInvalidUser. Then each component is ordered against
// the copy (RFC 5546 §2.1.5: by SEQUENCE, then DTSTAMP; a new override
// against the master). An older component is ignored, and so is a REQUEST
// component of the same revision unless its content differs (DTSTAMP has
// a resolution of one second, and two updates can share it); a CANCEL of
// the same revision applies, since nothing it cancels can be newer. A
// message with nothing to apply is not applied but gets StatusSuccess: it
// was processed, and RFC 5546 §4.2.9 says such messages "MUST be
// ignored", not refused.

// clientStateProps are properties a calendar user's client keeps for
// itself: alarm acknowledgements and snoozes, change counters, travel
// time. They are never sent and never taken from a message.
var clientStateProps = map[string]bool{
	"X-MOZ-LASTACK":                      true,
	"X-MOZ-GENERATION":                   true,
	"X-MOZ-SEND-INVITATIONS":             true,
	"X-MOZ-SEND-INVITATIONS-UNDISCLOSED": true,
	"X-MOZ-INVITED-ATTENDEE":             true,
	"X-APPLE-DEFAULT-ALARM":              true,
	"X-APPLE-TRAVEL-ADVISORY-BEHAVIOR":   true,
	"X-APPLE-TRAVEL-DURATION":            true,
	"X-APPLE-TRAVEL-START":               true,
	"X-APPLE-TRAVEL-RETURN":              true,
	"X-APPLE-TRAVEL-RETURN-DURATION":     true,
}

// isClientState reports whether the property name is client state; see
// clientStateProps. X-MOZ-SNOOZE-TIME-<instant> names one per instance.
func isClientState(name string) bool {
	return clientStateProps[name] || strings.HasPrefix(name, "X-MOZ-SNOOZE-TIME")
}

// applyRequest processes a REQUEST (RFC 5546 §3.2.2, §3.4.2) for an
// attendee. Without a copy, the copy is the message without METHOD: the
// components that name the recipient (RFC 6638 §3.2.6; an override that
// does not becomes an EXDATE of the master), their VTIMEZONEs, and of the
// organizer's alarms only those that display or sound (an EMAIL or
// PROCEDURE alarm would act for the recipient on a stranger's word).
//
// With a copy, a newer master replaces the copy: overrides the message no
// longer has (or that no longer name the recipient) disappear, unless the
// copy's override is newer than that master. Newer overrides alone (RFC
// 5546 §4.4.2: a REQUEST for one instance) are merged into the copy; a
// cancelled master then goes, since the recipient is now invited to
// instances only. What is private to the attendee survives (RFC 6638
// §3.2.2.1): their VALARMs, TRANSP and client state (clientStateProps),
// the SCHEDULE-STATUS on the ORGANIZER, and their own PARTSTAT and RSVP
// when the component did not change significantly (significant): the
// organizer may not have their answer yet. The exception is a delegator
// whose delegates all declined (RFC 5546 §4.2.7): the organizer asks them
// again.
// Result.Significant is false when only the participation of attendees
// changed (RFC 6638 §3.2.10: the schedule-tag stays).
func applyRequest(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	mo := newObject(msg)
	if r, ok := checkIncoming(stored, mo, recipient, true); !ok {
		return r, nil
	}
	incoming, dropped := recipientComponents(mo, recipient)
	if stored == nil {
		if len(incoming) == 0 {
			return Result{Status: StatusInvalidUser}, nil
		}
		for _, c := range incoming {
			keepSafeAlarms(c)
		}
		cal := assemble(nil, nil, incoming, opts, msg)
		return Result{Status: StatusSuccess, Applied: true, Object: cal, Significant: true}, nil
	}
	so := newObject(stored)
	fresh := map[string]bool{}
	anyFresh := false
	for _, c := range incoming {
		k := mo.key(c)
		if held := heldFor(so, k); held == nil || newerRequest(c, held) {
			fresh[k] = true
			anyFresh = true
		}
	}
	for k, c := range dropped {
		if held := heldFor(so, k); held != nil && newerRequest(c, held) {
			anyFresh = true
		} else {
			delete(dropped, k)
		}
	}
	if !anyFresh {
		// RFC 5546 §2.1.5: an older revision is obsolete.
		return Result{Status: StatusSuccess}, nil
	}
	var comps []*ical.Component
	take := func(c *ical.Component) {
		k := mo.key(c)
		held := so.byKey[k]
		sig := held == nil || significant(held, c)
		if held == nil && so.master != nil && k != "" {
			held = so.master
			sig, _ = overrideChanges(so, so.master, c)
		}
		keepPrivate(c, held, recipient, !sig && !delegateDeclined(c, held, recipient))
		comps = append(comps, c)
	}
	var master *ical.Component
	for _, c := range incoming {
		if mo.key(c) == "" {
			master = c
		}
	}
	if master != nil && fresh[""] {
		// A new revision of the whole object.
		for _, c := range incoming {
			k := mo.key(c)
			if held := so.byKey[k]; held != nil && k != "" && newer(held, c) > 0 {
				// RFC 5546 §2.1.5: the copy's instance is newer.
				comps = append(comps, clone(held))
				continue
			}
			take(c)
		}
		for _, c := range so.comps {
			k := so.key(c)
			if k == "" || slices.ContainsFunc(incoming, func(i *ical.Component) bool { return mo.key(i) == k }) {
				continue
			}
			if _, gone := dropped[k]; !gone && newer(c, master) > 0 {
				comps = append(comps, clone(c))
			}
		}
	} else {
		// Instances only: merge them into the copy.
		replaced := map[string]bool{}
		for _, c := range incoming {
			if k := mo.key(c); k != "" && fresh[k] {
				replaced[k] = true
			}
		}
		dropMaster := false
		if so.master != nil && isCancelledComp(so.master) && master == nil {
			for _, c := range incoming {
				if mo.key(c) != "" && fresh[mo.key(c)] && newer(c, so.master) > 0 {
					dropMaster = true
				}
			}
		}
		for _, c := range so.comps {
			k := so.key(c)
			_, gone := dropped[k]
			switch {
			case k == "" && dropMaster, replaced[k], k != "" && gone:
				continue
			case k == "" && len(dropped) > 0:
				m := clone(c)
				ex := exdateKeys(so, m)
				for dk, dc := range dropped {
					if !ex[dk] {
						addExdate(m, dc.Prop(ical.PropRecurrenceID))
					}
				}
				comps = append(comps, m)
			default:
				comps = append(comps, clone(c))
			}
		}
		for _, c := range incoming {
			if k := mo.key(c); k != "" && fresh[k] {
				take(c)
			}
		}
	}
	cal := assemble(stored, so, comps, opts, msg)
	return Result{
		Status:      StatusSuccess,
		Applied:     true,
		Object:      cal,
		Significant: changedBeyondParticipation(so, newObject(cal)),
	}, nil
}

// applyAdd processes an ADD (RFC 5546 §3.2.4, §3.4.4, §3.5.2): each
// component is a new instance, "as if it were referenced via an RDATE in
// the main component": the copy's master gets the RDATE and the instance
// becomes an override holding the message's properties (with the
// attendee's alarms, TRANSP and client state from the master), and the
// master takes the ADD's SEQUENCE and DTSTAMP so that older messages stay
// older (§2.1.5).
//
// Without a copy, §3.2.4 says the recipient "SHOULD send a REFRESH": the
// Result is not Applied, has StatusSuccess, and holds that REFRESH in
// Messages. A VJOURNAL ADD without a copy is taken as a PUBLISH (§3.5.2
// allows it): the copy is created.
func applyAdd(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	mo := newObject(msg)
	if r, ok := checkIncoming(stored, mo, recipient, false); !ok {
		return r, nil
	}
	if stored == nil {
		if mo.comps[0].Name == ical.CompJournal {
			comps := make([]*ical.Component, len(mo.comps))
			for i, c := range mo.comps {
				comps[i] = clone(c)
			}
			return Result{Status: StatusSuccess, Applied: true, Object: assemble(nil, nil, comps, opts, msg), Significant: true}, nil
		}
		return Result{Status: StatusSuccess, Messages: []Message{refreshFor(mo, recipient, opts)}}, nil
	}
	cal := clone(stored)
	so := newObject(cal)
	applied := false
	for _, c := range mo.comps {
		start := c.Prop(ical.PropDTStart)
		base := so.master
		if base == nil {
			base = so.comps[0]
		}
		if start == nil || newer(c, base) <= 0 {
			continue
		}
		k := mo.keyOf(start)
		if held := so.byKey[k]; held != nil && held != so.master && newer(c, held) <= 0 {
			continue
		}
		inst := clone(c)
		inst.Del(ical.PropRecurrenceID)
		rid := *start
		rid.Name = ical.PropRecurrenceID
		rid.Line = 0
		inst.Add(rid)
		if so.master != nil {
			keepPrivate(inst, so.master, recipient, false)
			ok, err := generates(so, so.master, k, opts)
			if err != nil {
				return Result{}, err
			}
			if !ok {
				rd := *start
				rd.Name = ical.PropRDate
				rd.Line = 0
				so.master.Add(rd)
			}
			setSequence(so.master, max(sequence(so.master), sequence(c)))
			if p := c.Prop(ical.PropDTStamp); p != nil {
				so.master.Set(*p)
			}
		} else {
			keepSafeAlarms(inst)
		}
		replaceComponent(cal, so.byKey[k], inst)
		so = newObject(cal)
		applied = true
	}
	if !applied {
		return Result{Status: StatusSuccess}, nil
	}
	out := assemble(cal, so, so.comps, opts, msg)
	return Result{Status: StatusSuccess, Applied: true, Object: out, Significant: true}, nil
}

// applyCancel processes a CANCEL (RFC 5546 §3.2.5, §3.4.5, §3.5.3) for an
// attendee. A CANCEL of the whole object (no RECURRENCE-ID), whether the
// event is cancelled or the recipient removed from it, marks every
// component of the copy STATUS:CANCELLED, gives the master the CANCEL's
// SEQUENCE and DTSTAMP (overrides keep theirs, so that the organizer's
// later versions of them are not older), and keeps the copy: clients
// show a cancelled event struck through, so the attendee notices (Apple
// and Google keep it the same way), a CANCEL cannot silently delete
// anything, and a REQUEST older than the CANCEL is then recognised as
// stale (§4.2.9).
//
// A CANCEL of an instance adds an EXDATE to the master and drops its
// override; the master takes the SEQUENCE of the CANCEL of one of its own
// instances (the organizer's master was raised by the EXDATE, and the
// attendee's replies must carry it); with RANGE=THISANDFUTURE the series
// ends before the instance (RRULE UNTIL, later RDATEs and overrides
// dropped). A copy without a
// master (the recipient was invited to some instances) marks the
// override STATUS:CANCELLED instead. A CANCEL for an object the recipient
// does not have changes nothing (StatusSuccess, not Applied); RFC 5546
// §5.2.1 suggests holding it, which the scheduling inbox does (RFC 6638
// §4).
func applyCancel(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	mo := newObject(msg)
	if r, ok := checkIncoming(stored, mo, recipient, false); !ok {
		return r, nil
	}
	if stored == nil {
		return Result{Status: StatusSuccess}, nil
	}
	cal := clone(stored)
	so := newObject(cal)
	applied := false
	for _, c := range mo.comps {
		k := mo.key(c)
		if k == "" {
			if base := heldFor(so, ""); base != nil && newer(c, base) < 0 {
				continue
			}
			changed := false
			for _, sc := range so.comps {
				if !isCancelledComp(sc) {
					sc.Set(ical.NewProperty(ical.PropStatus, "CANCELLED"))
					changed = true
				}
			}
			if !changed {
				continue
			}
			revised := so.comps
			if so.master != nil {
				revised = []*ical.Component{so.master}
			}
			for _, sc := range revised {
				takeRevision(sc, c)
			}
			applied = true
			continue
		}
		rid := c.Prop(ical.PropRecurrenceID)
		override := so.byKey[k]
		if override == so.master {
			override = nil
		}
		switch {
		case override != nil && newer(c, override) < 0:
			continue
		case override == nil && (so.master == nil || newer(c, so.master) < 0):
			continue
		}
		if so.master == nil {
			if isCancelledComp(override) {
				continue
			}
			override.Set(ical.NewProperty(ical.PropStatus, "CANCELLED"))
			takeRevision(override, c)
			applied = true
			continue
		}
		if strings.EqualFold(rid.Params.Get(ical.ParamRange), "THISANDFUTURE") {
			endSeries(so, rid)
		} else {
			if exdateKeys(so, so.master)[k] && override == nil {
				continue
			}
			if !exdateKeys(so, so.master)[k] {
				addExdate(so.master, rid)
			}
			if override != nil {
				replaceComponent(cal, override, nil)
			} else {
				// An instance of the master: the master takes the
				// CANCEL's revision, as the organizer's did.
				setSequence(so.master, max(sequence(so.master), sequence(c)))
			}
		}
		so = newObject(cal)
		applied = true
	}
	if !applied {
		return Result{Status: StatusSuccess}, nil
	}
	out := assemble(cal, so, so.comps, opts, msg)
	return Result{Status: StatusSuccess, Applied: true, Object: out, Significant: true}, nil
}

// applyDeclineCounter processes a DECLINECOUNTER (RFC 5546 §3.2.8,
// §3.4.8): the organizer refused the recipient's COUNTER, so the copy
// stays as it is. Nothing is recorded in it; the message itself, left in
// the scheduling inbox (RFC 6638 §4), is what the attendee's client shows.
func applyDeclineCounter(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	mo := newObject(msg)
	if r, ok := checkIncoming(stored, mo, recipient, false); !ok {
		return r, nil
	}
	return Result{Status: StatusSuccess}, nil
}

// checkIncoming makes the checks described at the top of this file. With
// needAttendee the recipient must be named (REQUEST); otherwise only a
// message that names attendees must name the recipient among them.
func checkIncoming(stored *ical.Component, mo *object, recipient string, needAttendee bool) (Result, bool) {
	if len(mo.comps) == 0 {
		return Result{Status: StatusMissing}, false
	}
	org := Organizer(mo.cal)
	if org == "" {
		return Result{Status: StatusMissing}, false
	}
	if stored != nil {
		if so := Organizer(stored); so != "" && so != org {
			return Result{Status: StatusNoAuthority}, false
		}
	}
	named, group, listed := false, false, false
	for _, c := range mo.comps {
		for _, p := range c.PropsNamed(ical.PropAttendee) {
			listed = true
			if p.CalAddress() == recipient {
				named = true
			}
			switch strings.ToUpper(p.Params.Get(ical.ParamCUType)) {
			case "GROUP", "UNKNOWN":
				group = true
			}
		}
	}
	if !named && !group && (needAttendee || listed) {
		return Result{Status: StatusInvalidUser}, false
	}
	return Result{}, true
}

// newerRequest reports whether c, a component of a REQUEST, is to replace
// held (RFC 5546 §2.1.5): a higher SEQUENCE, or the same and a later
// DTSTAMP. With the same SEQUENCE and DTSTAMP (two updates within one
// second: DTSTAMP has no finer resolution) a different content is taken.
func newerRequest(c, held *ical.Component) bool {
	switch newer(c, held) {
	case 1:
		return true
	case 0:
		return !sameForRecipients(held, c, false) || !sameProps(held.PropsNamed(ical.PropExDate), c.PropsNamed(ical.PropExDate))
	}
	return false
}

// heldFor returns the component of the copy a message component with key
// k is ordered against: the same instance, else the master, else (a copy
// of instances only) the first component.
func heldFor(so *object, k string) *ical.Component {
	if c := so.byKey[k]; c != nil {
		return c
	}
	if so.master != nil {
		return so.master
	}
	if len(so.comps) > 0 && k == "" {
		return so.comps[0]
	}
	return nil
}

// recipientComponents returns clones of the components of mo that name
// recipient, the master with an EXDATE for each override that does not
// (RFC 6638 §3.2.6), and those overrides by key. When the recipient is
// named nowhere (a group member) every component is kept.
func recipientComponents(mo *object, recipient string) (keep []*ical.Component, dropped map[string]*ical.Component) {
	dropped = map[string]*ical.Component{}
	named := false
	for _, c := range mo.comps {
		if findAttendee(c, recipient) != nil {
			named = true
			break
		}
	}
	var master *ical.Component
	for _, c := range mo.comps {
		if named && findAttendee(c, recipient) == nil {
			if k := mo.key(c); k != "" {
				dropped[k] = c
			}
			continue
		}
		cc := clone(c)
		if c == mo.master {
			master = cc
		}
		keep = append(keep, cc)
	}
	if master != nil {
		ex := exdateKeys(mo, master)
		for k, c := range dropped {
			if !ex[k] {
				addExdate(master, c.Prop(ical.PropRecurrenceID))
			}
		}
	}
	return keep, dropped
}

// addExdate adds an EXDATE for the instance rid names.
func addExdate(master *ical.Component, rid *ical.Property) {
	if rid == nil {
		return
	}
	ex := *rid
	ex.Name = ical.PropExDate
	ex.Params.Del(ical.ParamRange)
	ex.Line = 0
	master.Add(ex)
}

// keepPrivate carries what is the attendee's own from held, their copy of
// the component (nil for a new one), to c, the organizer's new version:
// VALARMs, TRANSP, client state, the SCHEDULE-STATUS of the ORGANIZER and,
// with keepAnswer, the recipient's PARTSTAT and RSVP.
func keepPrivate(c, held *ical.Component, recipient string, keepAnswer bool) {
	if held == nil {
		keepSafeAlarms(c)
		return
	}
	c.Children = slices.DeleteFunc(c.Children, func(ch *ical.Component) bool { return ch.Name == ical.CompAlarm })
	for _, ch := range held.Children {
		if ch.Name == ical.CompAlarm {
			c.Children = append(c.Children, clone(ch))
		}
	}
	c.Props = slices.DeleteFunc(c.Props, func(p ical.Property) bool {
		return p.Name == ical.PropTransp || isClientState(p.Name)
	})
	for _, p := range held.Props {
		if p.Name == ical.PropTransp || isClientState(p.Name) {
			c.Add(p)
		}
	}
	if hp, np := held.Prop(ical.PropOrganizer), c.Prop(ical.PropOrganizer); hp != nil && np != nil && hp.CalAddress() == np.CalAddress() {
		if v, ok := hp.Params.Find(ical.ParamScheduleStatus); ok {
			np.Params.Set(ical.ParamScheduleStatus, v.Values...)
		}
	}
	if !keepAnswer {
		return
	}
	hp, np := findAttendee(held, recipient), findAttendee(c, recipient)
	if hp == nil || np == nil {
		return
	}
	for _, name := range []string{ical.ParamPartStat, ical.ParamRSVP} {
		np.Params.Del(name)
		if v, ok := hp.Params.Find(name); ok {
			np.Params.Add(name, v.Values...)
		}
	}
}

// delegateDeclined reports the case of RFC 5546 §4.2.7: the recipient
// delegated (PARTSTAT=DELEGATED in held, their copy), and in c, the
// organizer's new version, every delegate of theirs has declined. The
// organizer's update then asks the delegator again (§4.2.5: it "MUST send
// an update REQUEST to the Delegator"), so their answer is the organizer's.
func delegateDeclined(c, held *ical.Component, recipient string) bool {
	if held == nil {
		return false
	}
	hp := findAttendee(held, recipient)
	if hp == nil || !strings.EqualFold(hp.Params.Get(ical.ParamPartStat), "DELEGATED") {
		return false
	}
	delegates := 0
	for _, p := range c.PropsNamed(ical.PropAttendee) {
		from, ok := p.Params.Find(ical.ParamDelegatedFrom)
		if !ok || !slices.ContainsFunc(from.Values, func(v string) bool { return ical.NormalizeAddress(v) == recipient }) {
			continue
		}
		if !strings.EqualFold(p.Params.Get(ical.ParamPartStat), "DECLINED") {
			return false
		}
		delegates++
	}
	return delegates > 0
}

// keepSafeAlarms drops the organizer's alarms that act rather than
// display or sound (ACTION:EMAIL, PROCEDURE, anything else).
func keepSafeAlarms(c *ical.Component) {
	c.Children = slices.DeleteFunc(c.Children, func(ch *ical.Component) bool {
		if ch.Name != ical.CompAlarm {
			return false
		}
		a := strings.ToUpper(strings.TrimSpace(ch.Value(ical.PropAction)))
		return a != "DISPLAY" && a != "AUDIO"
	})
}

// takeRevision gives c, a component of the copy, the SEQUENCE (when
// higher) and DTSTAMP of msg, a component of a message applied to it
// (RFC 5546 §2.1.5: the revision held).
func takeRevision(c, msg *ical.Component) {
	setSequence(c, max(sequence(c), sequence(msg)))
	if p := msg.Prop(ical.PropDTStamp); p != nil {
		c.Set(*p)
	}
}

// isCancelledComp reports STATUS:CANCELLED.
func isCancelledComp(c *ical.Component) bool {
	return strings.EqualFold(strings.TrimSpace(c.Value(ical.PropStatus)), "CANCELLED")
}

// replaceComponent replaces old, a child of cal, by c; a nil old appends
// c, a nil c removes old.
func replaceComponent(cal, old, c *ical.Component) {
	if i := slices.Index(cal.Children, old); old != nil && i >= 0 {
		if c == nil {
			cal.Children = slices.Delete(cal.Children, i, i+1)
		} else {
			cal.Children[i] = c
		}
		return
	}
	if c != nil {
		cal.Children = append(cal.Children, c)
	}
}

// assemble builds a stored copy from comps: the VCALENDAR properties of
// stored without METHOD (VERSION and PRODID when stored is nil, and the
// message's CALSCALE), the other sub-components of stored (so is stored
// taken apart), the VTIMEZONEs comps reference, from the message first.
func assemble(stored *ical.Component, so *object, comps []*ical.Component, opts Options, msg *ical.Component) *ical.Component {
	cal := ical.NewComponent(ical.CompCalendar)
	if stored == nil {
		cal.Add(ical.NewProperty(ical.PropProdID, opts.prodID()))
		cal.Add(ical.NewProperty(ical.PropVersion, "2.0"))
		if p := msg.Prop(ical.PropCalScale); p != nil {
			cal.Add(*p)
		}
	} else {
		for _, p := range stored.Props {
			if p.Name != ical.PropMethod {
				cal.Add(p)
			}
		}
		for _, c := range stored.Children {
			if c.Name != ical.CompTimezone && !slices.Contains(so.comps, c) {
				cal.Children = append(cal.Children, clone(c))
			}
		}
	}
	cal.Children = append(cal.Children, comps...)
	addTimezones(cal, msg)
	if stored != nil {
		addTimezones(cal, stored)
	}
	dedupeTimezones(cal)
	return cal
}

// changedBeyondParticipation reports whether b, the new copy, differs from
// a in more than the participation of attendees (RFC 6638 §3.2.10).
func changedBeyondParticipation(a, b *object) bool {
	if len(a.comps) != len(b.comps) {
		return true
	}
	for _, c := range b.comps {
		k := b.key(c)
		h := a.byKey[k]
		if h == nil || !sameForRecipients(h, c, false) || !sameProps(h.PropsNamed(ical.PropExDate), c.PropsNamed(ical.PropExDate)) {
			return true
		}
	}
	return false
}

// refreshFor builds the REFRESH (RFC 5546 §3.2.6, §3.4.6) with which the
// recipient of an ADD for an unknown object asks for it (§3.2.4). The
// VTODO REFRESH table has no ORGANIZER (RFC 5546 §3.4.6).
func refreshFor(mo *object, recipient string, opts Options) Message {
	src := mo.comps[0]
	c := ical.NewComponent(src.Name)
	att := findAttendee(src, recipient)
	if att != nil {
		c.Add(schedulingCopy(*att))
	} else {
		c.Add(ical.NewProperty(ical.PropAttendee, recipient))
	}
	org := src.Prop(ical.PropOrganizer)
	if org != nil && src.Name != ical.CompToDo {
		c.Add(schedulingCopy(*org))
	}
	c.Add(ical.NewProperty(ical.PropUID, src.Value(ical.PropUID)))
	stamp(c, opts.Now)
	cal := newMessage(MethodRefresh, opts)
	cal.Children = append(cal.Children, c)
	return Message{Method: MethodRefresh, Originator: recipient, Recipients: []string{Organizer(mo.cal)}, UID: UID(mo.cal), Calendar: cal}
}

// endSeries ends the recurrence of so's master before the instance rid
// names (RFC 5546 §3.2.5 a, RANGE=THISANDFUTURE): RRULE gets an UNTIL
// just before it, and later RDATEs and overrides go. A rule that cannot
// be parsed gets an EXDATE for that instance only.
func endSeries(so *object, rid *ical.Property) {
	m := so.master
	d, err := rid.DateTime()
	if err != nil {
		addExdate(m, rid)
		return
	}
	from, _, ok := keyWindow(so.keyOf(rid))
	if !ok {
		addExdate(m, rid)
		return
	}
	for i := range m.Props {
		p := &m.Props[i]
		if p.Name != ical.PropRRule {
			continue
		}
		rule, _, err := recur.ParseLenient(p.Value)
		if err != nil {
			addExdate(m, rid)
			return
		}
		rule.Count = 0
		switch d.Kind {
		case ical.KindDate:
			prev := d.Wall.AddDate(0, 0, -1)
			rule.Until = ical.NewDate(prev.Year(), prev.Month(), prev.Day())
		case ical.KindFloating:
			rule.Until = ical.NewLocal(d.Wall.Add(-time.Second), "")
		default:
			rule.Until = ical.NewUTC(from.Add(-time.Second))
		}
		p.Value = rule.String()
	}
	var keep []ical.Property
	for _, p := range m.Props {
		if p.Name == ical.PropRDate {
			var vals []string
			for _, v := range ical.SplitList(p.Value) {
				one := ical.Property{Name: p.Name, Params: p.Params, Value: v}
				if f, _, ok := keyWindow(so.keyOf(&one)); ok && !f.Before(from) {
					continue
				}
				vals = append(vals, v)
			}
			if len(vals) == 0 {
				continue
			}
			p.Value = strings.Join(vals, ",")
		}
		keep = append(keep, p)
	}
	m.Props = keep
	so.cal.Children = slices.DeleteFunc(so.cal.Children, func(c *ical.Component) bool {
		if c == m || !slices.Contains(so.comps, c) {
			return false
		}
		f, _, ok := keyWindow(so.key(c))
		return ok && !f.Before(from)
	})
}
