// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/caldav/caldata"
)

// The fake backend schedules in memory, in the manner of RFC 6638 and
// within what the handler tests need:
//
//   - An object of a calendar collection with an ORGANIZER is a scheduling
//     object resource; every PUT, COPY or MOVE gives it a new schedule tag.
//   - When the owner is the organizer, a PUT delivers a METHOD:REQUEST to
//     the inbox of every attendee the fake hosts and stores the object
//     with SCHEDULE-STATUS on the attendees (1.2 delivered, 3.7 unknown),
//     so that the stored bytes differ from those sent; a DELETE delivers a
//     METHOD:CANCEL.
//   - When the owner is an attendee, a PUT delivers a METHOD:REPLY with the
//     owner's participation status to the organizer's inbox and a DELETE
//     one with PARTSTAT=DECLINED, unless Conditions.NoScheduleReply.
//   - A second scheduling object resource with the same UID in another
//     calendar of the owner is unique-scheduling-object-resource.
//   - ScheduleFreeBusy answers from the calendars of each hosted attendee
//     that are not transparent, if the attendee's inbox grants the
//     requester CALDAV:schedule-query-freebusy.

// addBoxes gives owner a scheduling inbox and outbox; every authenticated
// user may deliver to the inbox. The inbox names def as the default
// calendar.
func (b *fakeBackend) addBoxes(owner, def string) {
	b.addCal(Calendar{Owner: owner, Name: "inbox", Kind: "inbox", DisplayName: "Inbox", DefaultCalendar: def,
		ACL: []ACE{{Principal: owner, Grant: PrivAll, Protected: true}, {Principal: "authenticated", Grant: PrivScheduleDeliver}}})
	b.addCal(Calendar{Owner: owner, Name: "outbox", Kind: "outbox", DisplayName: "Outbox",
		ACL: []ACE{{Principal: owner, Grant: PrivAll, Protected: true}}})
}

// newFakeRFC6638 is the fixture of RFC 6638 Appendix B: Cyrus, Wilfredo
// and Bernard are hosted ("example.com" and "example.net"), Mike
// ("example.org") is not. The busy times are those of the free-busy reply
// of Appendix B.5; Wilfredo's transparent calendar holds an event that
// must not show. Cyrus may read Wilfredo's outbox but not send from it.
func newFakeRFC6638() *fakeBackend {
	b := &fakeBackend{user: "cyrus", cals: map[string]*fakeCalendar{}}
	for _, p := range []struct{ name, cn, addr string }{
		{"cyrus", "Cyrus Daboo", "mailto:cyrus@example.com"},
		{"wilfredo", "Wilfredo Sanchez Vega", "mailto:wilfredo@example.com"},
		{"bernard", "Bernard Desruisseaux", "mailto:bernard@example.net"},
	} {
		b.principals = append(b.principals, &Principal{Name: p.name, DisplayName: p.cn, Type: "individual",
			Addresses: []string{p.addr}, Inbox: "inbox", Outbox: "outbox"})
		b.addCal(Calendar{Owner: p.name, Name: "work", Kind: "calendar", DisplayName: "Work"})
		b.addBoxes(p.name, "work")
	}
	out := &b.cals["wilfredo/outbox"].cal
	out.ACL = append(out.ACL, ACE{Principal: "cyrus", Grant: PrivRead})
	b.addCal(Calendar{Owner: "wilfredo", Name: "holidays", Kind: "calendar", DisplayName: "Holidays", Transparent: true})
	busy := func(owner, cal, uid, start, end string) {
		b.put(owner, cal, uid+".ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:"+uid+
			"\r\nDTSTAMP:20090601T000000Z\r\nDTSTART:"+start+"\r\nDTEND:"+end+"\r\nSUMMARY:Busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	}
	busy("wilfredo", "work", "w1", "20090602T110000Z", "20090602T120000Z")
	busy("wilfredo", "work", "w2", "20090603T170000Z", "20090603T180000Z")
	busy("wilfredo", "holidays", "w3", "20090602T130000Z", "20090602T140000Z")
	busy("bernard", "work", "b1", "20090602T150000Z", "20090602T160000Z")
	busy("bernard", "work", "b2", "20090603T090000Z", "20090603T100000Z")
	busy("bernard", "work", "b3", "20090603T180000Z", "20090603T190000Z")
	return b
}

// organizerOf returns the normalised ORGANIZER of the first component of
// vcal that has one, and the property, or "".
func organizerOf(vcal *ical.Component) (string, *ical.Property) {
	for _, c := range vcal.Children {
		if p := c.Prop(ical.PropOrganizer); p != nil {
			return p.CalAddress(), p
		}
	}
	return "", nil
}

// principalByAddr finds a hosted principal; the caller holds b.mu.
func (b *fakeBackend) principalByAddr(addr string) *Principal {
	for _, p := range b.principals {
		for _, a := range p.Addresses {
			if ical.NormalizeAddress(a) == addr {
				return p
			}
		}
	}
	return nil
}

func isAddrOf(p *Principal, addr string) bool {
	for _, a := range p.Addresses {
		if ical.NormalizeAddress(a) == addr {
			return true
		}
	}
	return false
}

// deliver puts an iTIP message into the inbox of the principal with
// address to, if the fake hosts one, and reports whether it did.
func (b *fakeBackend) deliver(to string, msg *ical.Component) bool {
	p := b.principalByAddr(to)
	if p == nil || p.Inbox == "" {
		return false
	}
	fc := b.cals[p.Name+"/"+p.Inbox]
	data := ical.Marshal(msg)
	name := fmt.Sprintf("msg-%d.ics", b.seq+1)
	fc.objects[name] = &Object{Name: name, ETag: etagOf(data), Data: data, Size: int64(len(data)), Modified: fakeTime}
	b.touch(fc)
	fc.log = append(fc.log, fakeChange{name: name, seq: b.seq})
	return true
}

// message is an iTIP message of method made of the components of vcal,
// each passed through edit (nil: as they are), without SCHEDULE-STATUS.
func message(method string, vcal *ical.Component, edit func(*ical.Component) *ical.Component) *ical.Component {
	msg := ical.NewCalendar("-//Almanac//Test//EN").Component
	msg.Add(ical.NewProperty(ical.PropMethod, method))
	for _, c := range vcal.Children {
		if c.Name == ical.CompTimezone {
			msg.Children = append(msg.Children, c)
			continue
		}
		cp := &ical.Component{Name: c.Name, Children: c.Children}
		for _, p := range c.Props {
			p.Params.Del("SCHEDULE-STATUS")
			cp.Props = append(cp.Props, p)
		}
		if edit != nil {
			cp = edit(cp)
		}
		msg.Children = append(msg.Children, cp)
	}
	return msg
}

// reply is the REPLY of attendee owner, with partstat or, if "", the
// PARTSTAT the object gives it.
func reply(vcal *ical.Component, owner *Principal, partstat string) *ical.Component {
	return message("REPLY", vcal, func(c *ical.Component) *ical.Component {
		r := &ical.Component{Name: c.Name}
		for _, name := range []string{ical.PropUID, ical.PropDTStamp, ical.PropRecurrenceID, ical.PropDTStart, ical.PropDTEnd, ical.PropSequence, ical.PropOrganizer} {
			if p := c.Prop(name); p != nil {
				r.Add(*p)
			}
		}
		for _, p := range c.PropsNamed(ical.PropAttendee) {
			if isAddrOf(owner, p.CalAddress()) {
				a := *p
				if partstat != "" {
					a.Params.Set("PARTSTAT", partstat)
				}
				r.Add(a)
			}
		}
		r.Add(ical.NewProperty(ical.PropRequestStatus, "2.0;Success"))
		return r
	})
}

// schedulePut runs the scheduling of a PUT into fc and returns the bytes
// to store and whether the object is a scheduling object resource; the
// caller holds b.mu.
func (b *fakeBackend) schedulePut(fc *fakeCalendar, vcal *ical.Component, data []byte, cond Conditions, deliver bool) ([]byte, bool, error) {
	org, _ := organizerOf(vcal)
	if fc.cal.Kind != "calendar" || org == "" {
		return data, false, nil
	}
	if !deliver {
		return data, true, nil
	}
	uid := uidOf(vcal)
	for _, k := range b.sortedCals() {
		other := b.cals[k]
		if other == fc || other.cal.Owner != fc.cal.Owner || other.cal.Kind != "calendar" {
			continue
		}
		for n, o := range other.objects {
			if c, err := ical.Parse(o.Data); err == nil && o.ScheduleTag != "" && uidOf(c.Component) == uid {
				// RFC 6638 §3.2.4.1.
				return nil, false, &ScheduleError{Condition: "unique-scheduling-object-resource", Msg: "UID in use",
					Href: "calendars/" + other.cal.Owner + "/" + other.cal.Name + "/" + n}
			}
		}
	}
	owner, err := b.principal(fc.cal.Owner)
	if err != nil {
		return nil, false, err
	}
	if !isAddrOf(owner, org) {
		if !cond.NoScheduleReply {
			b.deliver(org, reply(vcal, owner, ""))
		}
		return data, true, nil
	}
	sent := map[string]string{}
	for _, c := range vcal.Children {
		for _, p := range c.PropsNamed(ical.PropAttendee) {
			addr := p.CalAddress()
			if isAddrOf(owner, addr) {
				continue
			}
			st, ok := sent[addr]
			if !ok {
				st = "3.7"
				if b.deliver(addr, message("REQUEST", vcal, nil)) {
					st = "1.2"
				}
				sent[addr] = st
			}
			p.Params.Set("SCHEDULE-STATUS", st)
		}
	}
	if len(sent) == 0 {
		return data, true, nil
	}
	return ical.Marshal(vcal), true, nil
}

// scheduleDelete runs the scheduling of the removal of o from fc (RFC
// 6638 §3.2.1.3, §3.2.2.4); the caller holds b.mu.
func (b *fakeBackend) scheduleDelete(fc *fakeCalendar, o *Object, cond Conditions) {
	if fc.cal.Kind != "calendar" || o.ScheduleTag == "" {
		return
	}
	cal, err := ical.Parse(o.Data)
	if err != nil {
		return
	}
	org, _ := organizerOf(cal.Component)
	owner, err := b.principal(fc.cal.Owner)
	if err != nil || org == "" {
		return
	}
	if !isAddrOf(owner, org) {
		// RFC 6638 §8.1: Schedule-Reply: F sends nothing.
		if !cond.NoScheduleReply {
			b.deliver(org, reply(cal.Component, owner, "DECLINED"))
		}
		return
	}
	done := map[string]bool{}
	for _, c := range cal.Children {
		for _, p := range c.PropsNamed(ical.PropAttendee) {
			if addr := p.CalAddress(); !isAddrOf(owner, addr) && !done[addr] {
				done[addr] = true
				b.deliver(addr, message("CANCEL", cal.Component, nil))
			}
		}
	}
}

// granted reports whether ACEs of fc give user priv; the owner has all.
func granted(fc *fakeCalendar, user string, priv Privileges) bool {
	if fc.cal.Owner == user {
		return true
	}
	for _, a := range fc.cal.ACL {
		if (a.Principal == user || a.Principal == "all" || a.Principal == "authenticated" && user != "") && a.Grant&priv == priv {
			return true
		}
	}
	return false
}

func (b *fakeBackend) ScheduleFreeBusy(ctx context.Context, owner string, msg *ical.Component) ([]ScheduleResponse, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	req := msg.Components(ical.CompFreeBusy)[0]
	start, err := req.Prop(ical.PropDTStart).DateTime()
	if err != nil {
		return nil, err
	}
	end, err := req.Prop(ical.PropDTEnd).DateTime()
	if err != nil {
		return nil, err
	}
	var out []ScheduleResponse
	for _, att := range req.PropsNamed(ical.PropAttendee) {
		sr := ScheduleResponse{Recipient: strings.TrimSpace(att.Value)}
		p := b.principalByAddr(att.CalAddress())
		switch {
		case p == nil || p.Inbox == "":
			sr.Status = "3.7;Invalid calendar user"
		case !granted(b.cals[p.Name+"/"+p.Inbox], owner, PrivScheduleQueryFreeBusy):
			sr.Status = "3.8;No authority"
			sr.Description = "not allowed to see the busy time"
		default:
			sr.Status = "2.0;Success"
			sr.Data = ical.Marshal(b.freeBusyReply(p, req, att, start.Wall, end.Wall))
		}
		out = append(out, sr)
	}
	return out, nil
}

// freeBusyReply is the METHOD:REPLY of attendee p to the VFREEBUSY
// request req, as in RFC 6638 Appendix B.5; the caller holds b.mu.
func (b *fakeBackend) freeBusyReply(p *Principal, req *ical.Component, att *ical.Property, start, end time.Time) *ical.Component {
	var comps []*ical.Component
	for _, k := range b.sortedCals() {
		fc := b.cals[k]
		if fc.cal.Owner != p.Name || fc.cal.Kind != "calendar" || fc.cal.Transparent {
			continue
		}
		for _, o := range b.list(fc, true) {
			if c, err := ical.Parse(o.Data); err == nil {
				comps = append(comps, c.Component)
			}
		}
	}
	fb := caldata.FreeBusy(comps, start, end, fakeTime, caldata.Options{Zone: time.UTC}).Components(ical.CompFreeBusy)[0]
	vfb := ical.NewComponent(ical.CompFreeBusy)
	vfb.Add(*req.Prop(ical.PropUID))
	vfb.Add(*fb.Prop(ical.PropDTStamp))
	vfb.Add(*req.Prop(ical.PropDTStart))
	vfb.Add(*req.Prop(ical.PropDTEnd))
	vfb.Add(*req.Prop(ical.PropOrganizer))
	vfb.Add(*att)
	for _, f := range fb.PropsNamed(ical.PropFreeBusy) {
		f := *f
		if !f.Params.Has(ical.ParamFBType) {
			f.Params.Set(ical.ParamFBType, "BUSY")
		}
		vfb.Add(f)
	}
	out := ical.NewComponent(ical.CompCalendar)
	out.Add(ical.NewProperty(ical.PropVersion, "2.0"))
	out.Add(ical.NewProperty(ical.PropProdID, "-//Almanac//Test//EN"))
	out.Add(ical.NewProperty(ical.PropMethod, "REPLY"))
	out.Children = append(out.Children, vfb)
	return out
}
