// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
	"github.com/almanac-project/almanac/internal/webdav"
	"github.com/almanac-project/almanac/itip"
)

// post answers POST on a scheduling outbox: a busy time request (RFC 6638
// §5, Appendix B.5), passed to Scheduler.ScheduleFreeBusy. POST on
// anything else, or when the backend does not schedule, is 405.
//
// In order, the request is refused:
//   - unless the current user owns the outbox and holds
//     CALDAV:schedule-send-freebusy on it (§6.2.4): 403 DAV:need-privileges
//     naming that privilege (RFC 3744 §7.1.1, as in Appendix B.6);
//   - if the Content-Type is not text/calendar (in UTF-8): 403
//     CALDAV:supported-calendar-data (§5.2 reuses the RFC 4791
//     precondition, whose status is 403);
//   - if the body is larger than the resource limit: 413
//     CALDAV:max-resource-size, as for PUT;
//   - if it is not iCalendar, or has validation errors: 403
//     CALDAV:valid-calendar-data (§5.2);
//   - if it breaks the restrictions of RFC 5546 §3.3.2 for a VFREEBUSY
//     REQUEST: 400 CALDAV:valid-scheduling-message (§5.2.1);
//   - if its ORGANIZER is not one of the owner's calendar user
//     addresses: 403 CALDAV:valid-organizer (§5, §5.2.2).
//
// The answer is 200 with a CALDAV:schedule-response (§10.1) holding a
// CALDAV:response per recipient (§10.2).
func (h *Handler) post(w http.ResponseWriter, r *http.Request, rq *request) error {
	res := rq.res
	s := h.scheduler()
	if res.kind != kindCalendar || s == nil {
		return methodNotAllowed(h, w, res)
	}
	if err := h.load(rq.ctx, res); err != nil {
		return err
	}
	if res.calendar.Kind != kindNameOutbox {
		return methodNotAllowed(h, w, res)
	}
	if rq.user == nil || rq.user.Name != res.owner || h.privileges(rq, res)&PrivScheduleSendFreeBusy == 0 {
		return needPrivilege(h.href(res), webdav.CalName("schedule-send-freebusy"))
	}
	if !isICalendarType(r.Header.Get("Content-Type")) {
		return webdav.NewError(http.StatusForbidden, webdav.CalName("supported-calendar-data"), "the body must be text/calendar")
	}
	data, err := h.readObject(r)
	if err != nil {
		return err
	}
	msg, err := parseFreeBusyRequest(data)
	if err != nil {
		return err
	}
	// RFC 6638 §5: the ORGANIZER "MUST match one of the calendar user
	// addresses of the owner of the Outbox collection".
	org := msg.Components(ical.CompFreeBusy)[0].Prop(ical.PropOrganizer).CalAddress()
	if !h.isAddressOf(rq.user, org) {
		return webdav.NewError(http.StatusForbidden, webdav.CalName("valid-organizer"), "the organizer is not the owner of the outbox")
	}
	resps, err := s.ScheduleFreeBusy(rq.ctx, res.owner, msg)
	if err != nil {
		return err
	}
	return webdav.WriteXML(w, http.StatusOK, scheduleResponse(resps))
}

// needPrivilege is 403 DAV:need-privileges naming the privilege missing
// on the resource at href (RFC 3744 §7.1.1).
//
// RFC 6638 Appendix B.6 shows the body.
func needPrivilege(href string, priv xml.Name) *webdav.Error {
	return &webdav.Error{Code: http.StatusForbidden, Condition: webdav.Name("need-privileges"),
		Content: []*webdav.Element{webdav.NewElement(webdav.Name("resource"), webdav.Href(href),
			webdav.NewElement(webdav.Name("privilege"), webdav.NewElement(priv)))}}
}

// isICalendarType reports whether a Content-Type is text/calendar with a
// UTF-8 charset or none (RFC 5545 §8.1: UTF-8 is the default).
func isICalendarType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "text/calendar" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// isAddressOf reports whether addr, normalised, is one of p's calendar
// user addresses, the principal URL included (RFC 6638 §2.4.1).
func (h *Handler) isAddressOf(p *Principal, addr string) bool {
	if addr == h.principalHref(p.Name) {
		return true
	}
	for _, a := range p.Addresses {
		if ical.NormalizeAddress(a) == addr {
			return true
		}
	}
	return false
}

// parseFreeBusyRequest decodes a POSTed busy time request: one iCalendar
// object without validation errors (else 403 CALDAV:valid-calendar-data),
// a VFREEBUSY REQUEST that keeps the restrictions of RFC 5546 §3.3.2
// (itip.Validate in interop mode: one VFREEBUSY with DTSTAMP, DTSTART and
// DTEND in UTC, ORGANIZER, UID and ATTENDEEs, no FREEBUSY, DURATION,
// REQUEST-STATUS, URL or VALARM …), with DTEND after DTSTART; anything
// else is 400 CALDAV:valid-scheduling-message.
func parseFreeBusyRequest(data []byte) (*ical.Component, error) {
	invalidData := webdav.NewError(http.StatusForbidden, webdav.CalName("valid-calendar-data"), "the body is not valid iCalendar data")
	dec := ical.NewDecoder(bytes.NewReader(data))
	cal, err := dec.Decode()
	if err != nil || cal.Component == nil || cal.Name != ical.CompCalendar {
		return nil, invalidData
	}
	msg := cal.Component
	zones := tz.NewResolver(msg, tz.ResolverOptions{})
	for _, p := range ical.Validate(msg, ical.ValidateOptions{KnownTZID: zones.Known}) {
		if p.Severity == ical.SeverityError {
			return nil, invalidData
		}
	}
	invalid := func(msg string) error {
		// RFC 6638 §5.2.1: "Use with: 400 Bad Request".
		return webdav.NewError(http.StatusBadRequest, webdav.CalName("valid-scheduling-message"), msg)
	}
	if _, err := dec.DecodeComponent(); !errors.Is(err, io.EOF) {
		return nil, invalid("the body holds more than one iCalendar object")
	}
	if method, comp := itip.MethodOf(msg); method != string(itip.MethodRequest) || comp != ical.CompFreeBusy {
		return nil, invalid("a VFREEBUSY with METHOD:REQUEST is required")
	}
	for _, p := range itip.Validate(msg, itip.ValidateOptions{Mode: itip.ModeInterop, KnownTZID: itip.KnownTZID}) {
		if !p.Warning {
			return nil, invalid(p.String())
		}
	}
	fb := msg.Components(ical.CompFreeBusy)[0]
	start, err1 := fb.Prop(ical.PropDTStart).DateTime()
	end, err2 := fb.Prop(ical.PropDTEnd).DateTime()
	if err1 != nil || err2 != nil || !end.Wall.After(start.Wall) {
		return nil, invalid("DTEND must be after DTSTART")
	}
	return msg, nil
}

// scheduleResponse is the CALDAV:schedule-response of a POST (RFC 6638
// §10.1–§10.4): per recipient its address, REQUEST-STATUS, calendar data
// and description, in that order (the order of the DTD in §10.2).
func scheduleResponse(resps []ScheduleResponse) *webdav.Element {
	out := webdav.NewElement(webdav.CalName("schedule-response"))
	for _, sr := range resps {
		e := webdav.NewElement(webdav.CalName("response"),
			webdav.NewElement(webdav.CalName("recipient"), webdav.Href(sr.Recipient)),
			webdav.TextElement(webdav.CalName("request-status"), sr.Status))
		if sr.Data != nil {
			e.Children = append(e.Children, webdav.TextElement(pCalendarData, string(sr.Data)))
		}
		if sr.Description != "" {
			e.Children = append(e.Children, webdav.TextElement(webdav.Name("responsedescription"), sr.Description))
		}
		out.Children = append(out.Children, e)
	}
	return out
}
