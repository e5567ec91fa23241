// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"bytes"
	"iter"
	"mime"
	"net/http"

	"github.com/almanac-project/almanac/ical"
)

// prodID is the PRODID of calendars the server assembles.
const prodID = "-//Almanac//CalDAV Server//EN"

// get answers GET and HEAD. On a calendar object resource it returns the
// stored bytes; on a calendar collection the whole calendar as one
// iCalendar object (one VCALENDAR, each VTIMEZONE once by TZID, the other
// components in member order) with the collection's entity tag. Other
// collections, scheduling inboxes and outboxes among them, have no
// representation: 405. A scheduling object resource is served with its
// Schedule-Tag (RFC 6638 §3.2.10, §8.2). Conditional requests (RFC 9110
// §13) are evaluated by http.ServeContent.
func (h *Handler) get(w http.ResponseWriter, r *http.Request, rq *request) error {
	res := rq.res
	switch res.kind {
	case kindObject, kindCalendar:
	default:
		return methodNotAllowed(h, w, res)
	}
	if err := h.load(rq.ctx, res); err != nil {
		return err
	}
	if res.kind == kindCalendar && isScheduling(res.calendar) {
		return methodNotAllowed(h, w, res)
	}
	hdr := w.Header()
	if res.kind == kindObject {
		data := res.object.Data
		if data == nil {
			objs, err := h.b.Objects(rq.ctx, res.owner, res.cal, []string{res.name})
			if err != nil {
				return err
			}
			if len(objs) == 0 {
				return ErrNotFound
			}
			data = objs[0].Data
		}
		hdr.Set("Content-Type", "text/calendar; charset=utf-8")
		hdr.Set("ETag", res.object.ETag)
		setScheduleTag(w, res.object.ScheduleTag)
		http.ServeContent(w, r, "", res.object.Modified, bytes.NewReader(data))
		return nil
	}
	data, err := mergeCalendar(res.calendar, h.b.ListObjects(rq.ctx, res.owner, res.cal, true))
	if err != nil {
		return err
	}
	hdr.Set("Content-Type", "text/calendar; charset=utf-8")
	hdr.Set("ETag", calendarETag(res.calendar))
	hdr.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": res.cal + ".ics"}))
	http.ServeContent(w, r, "", res.calendar.Modified, bytes.NewReader(data))
	return nil
}

// mergeCalendar joins the objects of a calendar into one VCALENDAR
// (ical.Merge), parsing each as it comes: only the parsed components are
// held until the merge. Objects the store holds but that do not parse are
// left out.
func mergeCalendar(c *Calendar, objs iter.Seq2[*Object, error]) ([]byte, error) {
	var comps []*ical.Component
	for o, err := range objs {
		if err != nil {
			return nil, err
		}
		if cal, err := ical.Parse(o.Data); err == nil && cal.Component != nil {
			comps = append(comps, cal.Component)
		}
	}
	return ical.Marshal(ical.Merge(prodID, c.DisplayName, comps).Component), nil
}
