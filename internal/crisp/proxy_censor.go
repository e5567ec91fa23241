// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// proxyProdID replaces the upstream's PRODID in censored replies, which
// would name the internal product.
const proxyProdID = "-//Almanac//CRISP proxy//EN"

// censorFreeBusy rebuilds the upstream's VFREEBUSY REPLY for recipient to
// request (a VFREEBUSY REQUEST) with only what RFC 5546 §3.3.3 needs
// (seed-mapping §3.8, reply censoring): DTSTAMP, ORGANIZER and UID as in
// the request, the recipient's ATTENDEE without parameters, DTSTART and
// DTEND of the requested range, and the FREEBUSY periods clipped to that
// range, with FBTYPE kept when it is one of RFC 5545 §3.2.9's and made
// BUSY otherwise. COMMENT, CONTACT, URL, X- properties, parameters and
// everything else are dropped. The result must pass the REPLY table in
// strict mode, so the proxy never emits an invalid message; it reports
// false when the upstream's data is not a VFREEBUSY REPLY from recipient.
func censorFreeBusy(data string, request *ical.Component, recipient string) (string, bool) {
	cal, err := itip.ParseMessage([]byte(data), itip.ModeInterop)
	if err != nil {
		return "", false
	}
	if m, c := itip.MethodOf(cal.Component); m != string(itip.MethodReply) || c != ical.CompFreeBusy {
		return "", false
	}
	replies := cal.Components(ical.CompFreeBusy)
	requests := request.Components(ical.CompFreeBusy)
	if len(replies) != 1 || len(requests) != 1 {
		return "", false
	}
	reply, req := replies[0], requests[0]
	att := reply.Prop(ical.PropAttendee)
	stamp := reply.Prop(ical.PropDTStamp)
	org, uid := req.Prop(ical.PropOrganizer), req.Prop(ical.PropUID)
	if att == nil || att.CalAddress() != recipient || stamp == nil || org == nil || uid == nil {
		return "", false
	}
	from, ok1 := propertyInstant(req.Prop(ical.PropDTStart), nil)
	to, ok2 := propertyInstant(req.Prop(ical.PropDTEnd), nil)
	if !ok1 || !ok2 || !from.Before(to) {
		return "", false
	}

	fb := ical.NewComponent(ical.CompFreeBusy)
	fb.Add(ical.NewProperty(ical.PropDTStamp, stamp.Value))
	fb.Add(ical.NewProperty(ical.PropOrganizer, org.Value))
	fb.Add(ical.NewProperty(ical.PropUID, uid.Value))
	fb.Add(ical.NewProperty(ical.PropAttendee, att.Value))
	fb.Add(ical.NewProperty(ical.PropDTStart, from.UTC().Format(dateTimeLayout)))
	fb.Add(ical.NewProperty(ical.PropDTEnd, to.UTC().Format(dateTimeLayout)))
	for _, p := range reply.PropsNamed(ical.PropFreeBusy) {
		periods, err := p.Periods()
		if err != nil {
			return "", false
		}
		var kept []string
		for _, pe := range periods {
			start, err := pe.Start.Time(nil, nil)
			if err != nil {
				return "", false
			}
			var end time.Time
			if pe.HasDuration {
				end = pe.Duration.AddTo(start, nil)
			} else if end, err = pe.End.Time(nil, nil); err != nil {
				return "", false
			}
			start, end = later(start, from), earlier(end, to)
			if !start.Before(end) {
				continue
			}
			kept = append(kept, start.UTC().Format(dateTimeLayout)+"/"+end.UTC().Format(dateTimeLayout))
		}
		if len(kept) == 0 {
			continue
		}
		fbtype := strings.ToUpper(p.Params.Get(ical.ParamFBType))
		switch fbtype {
		case "FREE", "BUSY", "BUSY-UNAVAILABLE", "BUSY-TENTATIVE":
		default:
			fbtype = "BUSY"
		}
		np := ical.NewProperty(ical.PropFreeBusy, strings.Join(kept, ","))
		np.Params.Set(ical.ParamFBType, fbtype)
		fb.Add(np)
	}

	out := ical.NewCalendar(proxyProdID)
	out.Add(ical.NewProperty(ical.PropMethod, string(itip.MethodReply)))
	out.Children = append(out.Children, fb)
	if !itip.Valid(itip.Validate(out.Component, itip.ValidateOptions{Mode: itip.ModeStrict})) {
		return "", false
	}
	return string(ical.Marshal(out.Component)), true
}
