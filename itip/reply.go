// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// replyStampParam, X-ALMANAC-REPLY-STAMP, is the ATTENDEE parameter in which the organizer's copy
// records the DTSTAMP of the last REPLY applied from that attendee for that
// component, as RFC 5546 §2.1.5 asks organizers to persist it: a REPLY of
// the same SEQUENCE that is not later is obsolete. It is Almanac's own
// bookkeeping and never belongs in a message.
const replyStampParam = "X-ALMANAC-REPLY-STAMP"

// applyReply applies a REPLY (RFC 5546 §3.2.3, §3.4.3; RFC 6638 §4.2) to
// the organizer's copy stored; recipient is the organizer. Each component
// of the reply is applied on its own:
//
//   - The replier is the reply's ATTENDEE; in a reply with several (RFC
//     5546 §3.2.2.3, §4.2.5–4.2.7) the delegator is the one with PARTSTAT
//     DELEGATED whose delegates have not answered, otherwise the delegate
//     whose DELEGATED-FROM names another ATTENDEE of the reply.
//   - The replier must be an ATTENDEE of the copy, a delegate of one
//     (DELEGATED-FROM, added to the copy), or a member of a group attendee
//     (MEMBER naming an ATTENDEE with CUTYPE GROUP or UNKNOWN, RFC 5546
//     §3.7.2, added with CUTYPE INDIVIDUAL). Anyone else is a party crasher
//     the organizer has not accepted: StatusInvalidUser, not applied.
//   - A reply with a RECURRENCE-ID updates that override; when the copy has
//     none, one is made from the master for that instance (StatusInvalidDate
//     when the instance does not exist). A reply without one updates the
//     master only: the organizer's overrides keep their own answers.
//   - Ordering (RFC 5546 §2.1.5 rules 3 and 4): a component whose SEQUENCE is
//     lower than the copy's, or equal with a DTSTAMP not later than the one
//     recorded in replyStampParam, is obsolete and not applied, with status
//     2.0: ignoring it is the correct processing, and a 3.x or 5.x code
//     would tell the sender its message was invalid (design/seed-mapping.md
//     §3.7 step 7 says the same).
//   - The replier's ATTENDEE takes PARTSTAT (absent means NEEDS-ACTION),
//     DELEGATED-TO and SENT-BY from the reply (SENT-BY is recorded as sent;
//     the transport checks who sent the message), and for a delegator RSVP
//     and ROLE (RFC 5546 §3.2.2.3). SCHEDULE-STATUS is set to the reply's
//     REQUEST-STATUS codes, or 2.0 without one (RFC 6638 §4.2). A reply
//     whose REQUEST-STATUS is 3.x or 5.x reports a failure (RFC 5546 §3.2.3):
//     PARTSTAT is kept, SCHEDULE-STATUS records it, and Result.Status is the
//     reply's code.
//   - A VTODO with one assignee (one ATTENDEE besides the organizer) takes
//     PERCENT-COMPLETE, COMPLETED and STATUS from the reply (RFC 5546
//     §3.4.3); with several, only the PARTSTAT of each is kept, since the
//     to-do's own progress is the organizer's to set (RFC 5546 §4.5.6).
//   - When a delegate declines, the delegator is asked again: no longer
//     delegated to them, PARTSTAT NEEDS-ACTION and RSVP TRUE (RFC 5546
//     §4.2.7), and the organizer MUST send the delegator an update REQUEST
//     (RFC 5546 §4.2.5): Result.Messages holds it.
//
// A REPLY never changes the organizer's schedule-tag (RFC 6638 §3.2.10):
// Result.Significant is false. The SHOULD of RFC 6638 §4.2 to tell the
// other attendees of the new status is left to the caller. A REPLY for an
// object the organizer does not have is ignored (RFC 6638 §4.2) with 2.0.
// A REPLY received by a delegator (RFC 5546 §4.2.6: "to A and C") updates
// the delegate's PARTSTAT in the delegator's copy.
func applyReply(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	mobj := newObject(msg)
	if len(mobj.comps) == 0 {
		return Result{Status: StatusMissing}, nil
	}
	if stored == nil {
		return Result{Status: StatusSuccess}, nil
	}
	out := clone(stored)
	sobj := newObject(out)
	org, _, err := organizerOf(sobj)
	if err != nil {
		return Result{}, err
	}
	if mo := Organizer(msg); mo != "" && mo != org {
		return Result{Status: StatusNoAuthority}, nil
	}
	if recipient != org {
		return applyDelegateReply(out, sobj, mobj, recipient)
	}
	ap := replyApplier{out: out, sobj: sobj, mobj: mobj, org: org, opts: opts}
	for _, mc := range mobj.comps {
		if err := ap.apply(mc); err != nil {
			return Result{}, err
		}
	}
	if !ap.applied {
		return Result{Status: ap.status}, nil
	}
	res := Result{Status: StatusSuccess, Applied: true, Object: out}
	if ap.failure != "" {
		res.Status = ap.failure
	}
	for _, del := range ap.notify {
		m, err := refreshAnswer(out, del, opts)
		if err != nil {
			return Result{}, fmt.Errorf("reply: update for delegator %s: %w", del, err)
		}
		res.Messages = append(res.Messages, m)
	}
	return res, nil
}

// replyApplier applies the components of one REPLY to the organizer's
// copy.
type replyApplier struct {
	out        *ical.Component
	sobj, mobj *object
	org        string
	opts       Options
	applied    bool
	// status is why nothing was applied: the first component's reason.
	status string
	// failure is the REQUEST-STATUS code of a failure reply.
	failure string
	// notify are the delegators to send an update REQUEST to.
	notify []string
}

func (ap *replyApplier) fail(code string) {
	if ap.status == "" {
		ap.status = code
	}
}

func (ap *replyApplier) apply(mc *ical.Component) error {
	rp := replier(mc)
	if rp == nil {
		ap.fail(StatusMissing)
		return nil
	}
	who := rp.CalAddress()
	key := keyAcross(ap.mobj, ap.sobj, mc)
	target := ap.sobj.byKey[key]
	created := false
	if target == nil {
		if key == "" || ap.sobj.master == nil {
			ap.fail(StatusInvalidDate)
			return nil
		}
		inst, ok, err := instanceAt(ap.sobj, key, ap.opts)
		if err != nil {
			return err
		}
		if !ok {
			ap.fail(StatusInvalidDate)
			return nil
		}
		target, created = deriveInstance(ap.sobj.master, inst), true
	}
	if sequence(mc) < sequence(target) {
		ap.fail(StatusSuccess) // RFC 5546 §2.1.5 rule 3: obsolete
		return nil
	}
	if own := findAttendee(target, who); own != nil && sequence(mc) == sequence(target) {
		if last, ok := replyStamp(own); ok && !dtstamp(mc).After(last) {
			ap.fail(StatusSuccess) // RFC 5546 §2.1.5 rule 4: obsolete
			return nil
		}
	}
	if findAttendee(target, who) == nil {
		if !isDelegateOf(target, rp) && !memberOfGroup(target, rp) {
			ap.fail(StatusInvalidUser) // RFC 5546 §3.2.3: a party crasher
			return nil
		}
		np := *rp
		cleanProp(&np)
		if np.Params.Has(ical.ParamMember) && !np.Params.Has(ical.ParamCUType) {
			np.Params.Set(ical.ParamCUType, "INDIVIDUAL") // RFC 5546 §3.7.2
		}
		addAttendee(target, np)
	}
	if created {
		insertComponent(ap.out, target)
		ap.sobj = newObject(ap.out)
	}
	codes := requestStatusCodes(mc)
	failed := len(codes) > 0 && (codes[0][0] == '3' || codes[0][0] == '5')
	if failed && ap.failure == "" {
		ap.failure = codes[0]
	}
	status := "2.0"
	if len(codes) > 0 {
		status = strings.Join(codes, ",")
	}
	own := findAttendee(target, who)
	if !failed {
		updateParticipation(own, rp)
	}
	own.Params.Set(ical.ParamScheduleStatus, status)
	if t := dtstamp(mc); !t.IsZero() {
		own.Params.Set(replyStampParam, t.UTC().Format("20060102T150405Z"))
	}
	if !failed {
		ap.delegation(target, mc, rp, who)
		if target.Name == ical.CompToDo && assignees(target, ap.org) == 1 {
			for _, name := range []string{ical.PropPercentComplete, ical.PropCompleted, ical.PropStatus} {
				if p := mc.Prop(name); p != nil {
					target.Set(*p)
				}
			}
		}
	}
	ap.applied = true
	return nil
}

// delegation records in target what a delegation reply says besides the
// replier's own answer (RFC 5546 §3.2.2.3): a delegator's reply adds the
// delegates; a delegate's reply marks the delegator as delegated when the
// organizer missed the delegator's reply; a delegate's DECLINED asks for
// an update to the delegator (RFC 5546 §4.2.5).
func (ap *replyApplier) delegation(target, mc *ical.Component, rp *ical.Property, who string) {
	for _, p := range mc.PropsNamed(ical.PropAttendee) {
		addr := p.CalAddress()
		if addr == who {
			continue
		}
		if slices.Contains(addressParam(p, ical.ParamDelegatedFrom), who) {
			if q := findAttendee(target, addr); q != nil {
				mergeAddresses(q, ical.ParamDelegatedFrom, who)
			} else {
				np := *p
				cleanProp(&np)
				addAttendee(target, np)
			}
			continue
		}
		if slices.Contains(addressParam(rp, ical.ParamDelegatedFrom), addr) &&
			partStat(p) == "DELEGATED" && slices.Contains(addressParam(p, ical.ParamDelegatedTo), who) {
			if q := findAttendee(target, addr); q != nil && partStat(q) != "DELEGATED" {
				q.Params.Set(ical.ParamPartStat, "DELEGATED")
				mergeAddresses(q, ical.ParamDelegatedTo, who)
			}
		}
	}
	if partStat(rp) != "DECLINED" {
		return
	}
	for _, from := range addressParam(rp, ical.ParamDelegatedFrom) {
		q := findAttendee(target, from)
		if from == ap.org || q == nil {
			continue
		}
		// RFC 5546 §4.2.7: the delegator is asked again (RSVP, no
		// longer delegated to the delegate who declined) and may accept
		// or delegate to someone else.
		if to := slices.DeleteFunc(addressParam(q, ical.ParamDelegatedTo), func(a string) bool { return a == who }); len(to) > 0 {
			q.Params.Set(ical.ParamDelegatedTo, to...)
		} else if partStat(q) == "DELEGATED" {
			q.Params.Del(ical.ParamDelegatedTo)
			q.Params.Set(ical.ParamPartStat, "NEEDS-ACTION")
			q.Params.Set(ical.ParamRSVP, "TRUE")
		}
		if !slices.Contains(ap.notify, from) {
			ap.notify = append(ap.notify, from)
		}
	}
}

// applyDelegateReply applies a delegate's REPLY received by the delegator
// (RFC 5546 §3.2.2.3, §4.2.6): the delegate's PARTSTAT in the delegator's
// copy, for the components the recipient delegated to the replier.
// Anything else received by someone other than the organizer has no
// authority over the copy.
func applyDelegateReply(out *ical.Component, sobj, mobj *object, recipient string) (Result, error) {
	applied := false
	for _, mc := range mobj.comps {
		rp := replier(mc)
		if rp == nil {
			continue
		}
		who := rp.CalAddress()
		target := sobj.byKey[keyAcross(mobj, sobj, mc)]
		if target == nil || sequence(mc) < sequence(target) {
			continue
		}
		me := findAttendee(target, recipient)
		if me == nil || !slices.Contains(addressParam(me, ical.ParamDelegatedTo), who) {
			continue
		}
		q := findAttendee(target, who)
		if q == nil || partStat(q) == partStat(rp) {
			continue
		}
		q.Params.Set(ical.ParamPartStat, partStat(rp))
		applied = true
	}
	if !applied {
		return Result{Status: StatusNoAuthority}, nil
	}
	return Result{Status: StatusSuccess, Applied: true, Object: out}, nil
}

// applyCounter checks a COUNTER (RFC 5546 §3.2.7, §3.4.7) received by the
// organizer. Nothing changes in the copy: the organizer answers with
// AcceptCounter or DeclineCounter. The counter must name, among its
// ATTENDEEs, an attendee of the copy (a COUNTER lists every attendee, RFC
// 5546 §4.2.4, so which one sent it is for the transport to check, see
// CheckOriginator): StatusInvalidUser otherwise, and when the organizer has
// no such object.
func applyCounter(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	mobj := newObject(msg)
	if len(mobj.comps) == 0 {
		return Result{Status: StatusMissing}, nil
	}
	if stored == nil {
		return Result{Status: StatusInvalidUser}, nil
	}
	org, _, err := organizerOf(newObject(stored))
	if err != nil {
		return Result{}, err
	}
	if recipient != org || Organizer(msg) != org {
		// RFC 5546 §3.2.7: ORGANIZER MUST be the Organizer of the event.
		return Result{Status: StatusNoAuthority}, nil
	}
	current := Attendees(stored)
	for _, a := range Attendees(msg) {
		if a != org && slices.Contains(current, a) {
			return Result{Status: StatusSuccess}, nil
		}
	}
	return Result{Status: StatusInvalidUser}, nil
}

// applyRefresh answers a REFRESH (RFC 5546 §3.2.6, §3.4.6) received by the
// organizer with the current version of the object for the requester (the
// one ATTENDEE of the message other than the organizer), in
// Result.Messages. Only a current attendee may ask (RFC 5546 §6.1.6):
// anyone else, several requesters, or an object the organizer does not
// have, is StatusInvalidUser. The copy does not change.
func applyRefresh(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	mobj := newObject(msg)
	if len(mobj.comps) == 0 {
		return Result{Status: StatusMissing}, nil
	}
	if stored == nil {
		return Result{Status: StatusInvalidUser}, nil
	}
	org, _, err := organizerOf(newObject(stored))
	if err != nil {
		return Result{}, err
	}
	if recipient != org {
		return Result{Status: StatusNoAuthority}, nil
	}
	var who []string
	for _, a := range Attendees(msg) {
		if a != org {
			who = append(who, a)
		}
	}
	if len(who) != 1 || !slices.Contains(Attendees(stored), who[0]) {
		return Result{Status: StatusInvalidUser}, nil
	}
	m, err := refreshAnswer(stored, who[0], opts)
	if err != nil {
		return Result{}, fmt.Errorf("refresh: %w", err)
	}
	return Result{Status: StatusSuccess, Messages: []Message{m}}, nil
}

// replier returns the ATTENDEE of a REPLY component that answers (see
// applyReply), or nil.
func replier(c *ical.Component) *ical.Property {
	atts := c.PropsNamed(ical.PropAttendee)
	switch len(atts) {
	case 0:
		return nil
	case 1:
		return atts[0]
	}
	// A delegator's reply: PARTSTAT DELEGATED, the others its delegates,
	// who have not answered yet.
	for _, p := range atts {
		if partStat(p) != "DELEGATED" {
			continue
		}
		addr := p.CalAddress()
		if !slices.ContainsFunc(atts, func(q *ical.Property) bool {
			return q != p && (partStat(q) != "NEEDS-ACTION" || !slices.Contains(addressParam(q, ical.ParamDelegatedFrom), addr))
		}) {
			return p
		}
	}
	// A delegate's reply: delegated from another ATTENDEE of the reply.
	for _, p := range atts {
		for _, from := range addressParam(p, ical.ParamDelegatedFrom) {
			if slices.ContainsFunc(atts, func(q *ical.Property) bool { return q.CalAddress() == from }) {
				return p
			}
		}
	}
	return nil
}

// isDelegateOf reports whether p is delegated from an ATTENDEE of c.
func isDelegateOf(c *ical.Component, p *ical.Property) bool {
	for _, from := range addressParam(p, ical.ParamDelegatedFrom) {
		if findAttendee(c, from) != nil {
			return true
		}
	}
	return false
}

// updateParticipation copies the answer of the reply's ATTENDEE rp to the
// copy's own.
func updateParticipation(own, rp *ical.Property) {
	ps := partStat(rp)
	own.Params.Set(ical.ParamPartStat, ps)
	for _, name := range []string{ical.ParamDelegatedTo, ical.ParamSentBy} {
		if v, ok := rp.Params.Find(name); ok {
			own.Params.Set(name, v.Values...)
		} else {
			own.Params.Del(name)
		}
	}
	if v, ok := rp.Params.Find(ical.ParamDelegatedFrom); ok && !own.Params.Has(ical.ParamDelegatedFrom) {
		own.Params.Set(ical.ParamDelegatedFrom, v.Values...)
	}
	if ps == "DELEGATED" {
		for _, name := range []string{ical.ParamRSVP, ical.ParamRole} {
			if v, ok := rp.Params.Find(name); ok {
				own.Params.Set(name, v.Values...)
			}
		}
	}
}

// mergeAddresses adds addr to the address-list parameter name of p.
func mergeAddresses(p *ical.Property, name, addr string) {
	v, _ := p.Params.Find(name)
	for _, a := range v.Values {
		if ical.NormalizeAddress(a) == addr {
			return
		}
	}
	p.Params.Set(name, append(v.Values, addr)...)
}

// addAttendee inserts p after the last ATTENDEE of c.
func addAttendee(c *ical.Component, p ical.Property) {
	i := len(c.Props)
	for j := range c.Props {
		if c.Props[j].Name == ical.PropAttendee {
			i = j + 1
		}
	}
	c.Props = slices.Insert(c.Props, i, p)
}

// insertComponent adds the new override c to cal after the last main
// component, keeping master and overrides together.
func insertComponent(cal, c *ical.Component) {
	i := len(cal.Children)
	for j, ch := range cal.Children {
		if mainComponents[ch.Name] {
			i = j + 1
		}
	}
	cal.Children = slices.Insert(cal.Children, i, c)
}

// assignees counts the ATTENDEEs of c other than the organizer.
func assignees(c *ical.Component, org string) int {
	n := 0
	for _, p := range c.PropsNamed(ical.PropAttendee) {
		if p.CalAddress() != org {
			n++
		}
	}
	return n
}

// requestStatusCodes returns the codes of c's REQUEST-STATUS properties.
func requestStatusCodes(c *ical.Component) []string {
	var out []string
	for _, p := range c.PropsNamed(ical.PropRequestStatus) {
		code, _, _ := strings.Cut(p.Value, ";")
		if code = strings.TrimSpace(code); code != "" {
			out = append(out, code)
		}
	}
	return out
}

// replyStamp returns the DTSTAMP recorded by replyStampParam on p.
func replyStamp(p *ical.Property) (time.Time, bool) {
	v := p.Params.Get(replyStampParam)
	if v == "" {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102T150405Z", v)
	return t, err == nil
}

// partStat returns p's PARTSTAT in upper case; NEEDS-ACTION when absent
// (RFC 5545 §3.2.12).
func partStat(p *ical.Property) string {
	if v := strings.ToUpper(strings.TrimSpace(p.Params.Get(ical.ParamPartStat))); v != "" {
		return v
	}
	return "NEEDS-ACTION"
}

// addressParam returns the normalised addresses of an address-list
// parameter (DELEGATED-TO, DELEGATED-FROM, MEMBER) of p.
func addressParam(p *ical.Property, name string) []string {
	v, ok := p.Params.Find(name)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(v.Values))
	for _, a := range v.Values {
		out = append(out, ical.NormalizeAddress(a))
	}
	return out
}

// sortedAddresses returns addressParam sorted.
func sortedAddresses(p *ical.Property, name string) []string {
	out := addressParam(p, name)
	slices.Sort(out)
	return out
}

// cleanProp removes from an ORGANIZER or ATTENDEE the parameters that never
// travel in a message: SCHEDULE-AGENT, SCHEDULE-STATUS and
// SCHEDULE-FORCE-SEND (RFC 6638 §7.1–7.3) and replyStampParam.
func cleanProp(p *ical.Property) {
	if p.Name != ical.PropAttendee && p.Name != ical.PropOrganizer {
		return
	}
	for _, name := range []string{ical.ParamScheduleAgent, ical.ParamScheduleStatus, ical.ParamScheduleForceSend, replyStampParam} {
		p.Params.Del(name)
	}
}

// cleanOutgoing applies cleanProp to every property of c.
func cleanOutgoing(c *ical.Component) {
	for i := range c.Props {
		cleanProp(&c.Props[i])
	}
}

// keyAcross returns the instance key of the message component mc in the
// terms of the stored object: a RECURRENCE-ID whose zone the message does
// not define is read with the stored object's VTIMEZONEs.
func keyAcross(mobj, sobj *object, mc *ical.Component) string {
	p := mc.Prop(ical.PropRecurrenceID)
	if p == nil {
		return ""
	}
	d, err := p.DateTime()
	if err != nil {
		return strings.TrimSpace(p.Value)
	}
	if d.Kind == ical.KindZoned {
		if _, err := d.Time(mobj.resolver(), nil); err != nil {
			return sobj.keyOfTime(d)
		}
	}
	return mobj.keyOfTime(d)
}

// instanceAt finds the instance of o's master whose instance key is k.
func instanceAt(o *object, k string, opts Options) (recur.Instance, bool, error) {
	t, ok := keyTime(k)
	if !ok || o.master == nil {
		return recur.Instance{}, false, nil
	}
	insts, err := recur.Expand(o.master, nil, recur.Options{
		From:   t,
		To:     t.Add(time.Second),
		Zones:  o.resolver(),
		Limits: recur.Limits{MaxInstances: opts.maxInstances()},
	})
	if errors.Is(err, recur.ErrBudget) {
		return recur.Instance{}, false, fmt.Errorf("instance %s: %w", k, ErrLimit)
	}
	if err != nil {
		return recur.Instance{}, false, nil
	}
	for _, in := range insts {
		if o.keyOfTime(in.RecurrenceID) == k {
			return in, true, nil
		}
	}
	return recur.Instance{}, false, nil
}

// keyTime returns the instant of an instance key ("20060102T150405Z" or a
// date "20060102", read as UTC midnight as recur reads floating dates).
func keyTime(k string) (time.Time, bool) {
	for _, layout := range []string{"20060102T150405Z", "20060102"} {
		if t, err := time.Parse(layout, k); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// deriveInstance returns instance inst of master as an override (RFC 5545
// §3.8.4.4): a copy of master without RRULE, RDATE, EXDATE and EXRULE, with
// a RECURRENCE-ID after the UID and the instance's DTSTART and DTEND (or
// DUE); a DURATION stays as it is.
func deriveInstance(master *ical.Component, inst recur.Instance) *ical.Component {
	c := clone(master)
	for _, name := range []string{ical.PropRRule, ical.PropRDate, ical.PropExDate, ical.PropExRule} {
		c.Del(name)
	}
	rid := ical.Property{Name: ical.PropRecurrenceID}
	rid.SetDateTime(inst.RecurrenceID)
	i := slices.IndexFunc(c.Props, func(p ical.Property) bool { return p.Name == ical.PropUID })
	c.Props = slices.Insert(c.Props, i+1, rid)
	for _, f := range []struct {
		name string
		d    ical.DateTime
	}{{ical.PropDTStart, inst.Start}, {ical.PropDTEnd, inst.End}, {ical.PropDue, inst.End}} {
		if p := c.Prop(f.name); p != nil && !f.d.IsZero() {
			p.SetDateTime(f.d)
		}
	}
	return c
}

// exdateInstanceKeys returns the instance keys of c's EXDATE values, in order.
func exdateInstanceKeys(o *object, c *ical.Component) []string {
	var out []string
	for _, p := range c.PropsNamed(ical.PropExDate) {
		ds, err := p.DateTimes()
		if err != nil {
			out = append(out, strings.TrimSpace(p.Value))
			continue
		}
		for _, d := range ds {
			if k := o.keyOfTime(d); !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// addTimezonesFrom adds to msg the VTIMEZONEs its components reference and
// it lacks, taken from the first of srcs that defines each (RFC 5546 §3.2:
// a VTIMEZONE for every TZID used).
func addTimezonesFrom(msg *ical.Component, srcs ...*ical.Component) {
	used, have := map[string]bool{}, map[string]bool{}
	for _, c := range msg.Children {
		if c.Name == ical.CompTimezone {
			have[c.Value(ical.PropTZID)] = true
			continue
		}
		c.Walk(func(c *ical.Component) bool {
			for i := range c.Props {
				if id := c.Props[i].Params.Get(ical.ParamTZID); id != "" {
					used[id] = true
				}
			}
			return true
		})
	}
	var zones []*ical.Component
	for _, src := range srcs {
		if src == nil {
			continue
		}
		for _, z := range src.Components(ical.CompTimezone) {
			if id := z.Value(ical.PropTZID); used[id] && !have[id] {
				have[id] = true
				zones = append(zones, z)
			}
		}
	}
	msg.Children = append(zones, msg.Children...)
}

// Comparison keys. caseFoldParams are the parameters whose values are
// case-insensitive tokens; addressParams hold calendar user addresses.
var (
	caseFoldParams = map[string]bool{
		ical.ParamCUType: true, ical.ParamRole: true, ical.ParamPartStat: true, ical.ParamRSVP: true,
		ical.ParamScheduleAgent: true, ical.ParamValue: true, ical.ParamRange: true, ical.ParamFBType: true,
		ical.ParamRelated: true, ical.ParamRelType: true, ical.ParamEncoding: true,
	}
	addressParams = map[string]bool{
		ical.ParamDelegatedTo: true, ical.ParamDelegatedFrom: true, ical.ParamMember: true, ical.ParamSentBy: true,
	}
)

// paramsKey returns a comparison key of ps without the parameters skip
// names: order-insensitive, token values in upper case, addresses
// normalised.
func paramsKey(ps ical.Params, skip func(name string) bool) string {
	var parts []string
	for p := range ps.All() {
		name := strings.ToUpper(p.Name)
		if skip != nil && skip(name) {
			continue
		}
		vals := slices.Clone(p.Values)
		for i, v := range vals {
			switch {
			case addressParams[name]:
				vals[i] = ical.NormalizeAddress(v)
			case caseFoldParams[name]:
				vals[i] = strings.ToUpper(v)
			}
		}
		if addressParams[name] {
			slices.Sort(vals)
		}
		parts = append(parts, name+"="+strings.Join(vals, "\x1f"))
	}
	slices.Sort(parts)
	return strings.Join(parts, "\x1d")
}

// propKeys returns the sorted comparison keys of c's properties except
// those skip names. Dates compare as instants, so that a re-encoded
// VTIMEZONE or another TZID for the same instant is no change, and
// addresses compare normalised.
func propKeys(o *object, c *ical.Component, skip func(name string) bool) []string {
	var out []string
	for i := range c.Props {
		p := &c.Props[i]
		if skip(p.Name) {
			continue
		}
		out = append(out, p.Name+"\x1e"+propKey(o, p))
	}
	slices.Sort(out)
	return out
}

func propKey(o *object, p *ical.Property) string {
	switch p.Name {
	case ical.PropDTStart, ical.PropDTEnd, ical.PropDue, ical.PropRecurrenceID:
		if d, err := p.DateTime(); err == nil {
			return paramsKey(p.Params, func(n string) bool { return n == ical.ParamTZID || n == ical.ParamValue }) + ":" + o.keyOfTime(d)
		}
	case ical.PropRDate:
		if ds, err := p.DateTimes(); err == nil {
			keys := make([]string, len(ds))
			for i, d := range ds {
				keys[i] = o.keyOfTime(d)
			}
			slices.Sort(keys)
			return paramsKey(p.Params, func(n string) bool { return n == ical.ParamTZID || n == ical.ParamValue }) + ":" + strings.Join(keys, ",")
		}
	case ical.PropOrganizer:
		return paramsKey(p.Params, func(n string) bool { return strings.HasPrefix(n, "SCHEDULE-") }) + ":" + p.CalAddress()
	}
	return paramsKey(p.Params, nil) + ":" + p.Value
}
