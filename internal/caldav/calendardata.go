// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
	"github.com/almanac-project/almanac/internal/caldav/caldata"
	"github.com/almanac-project/almanac/internal/webdav"
)

// calData is a parsed CALDAV:calendar-data request element (RFC 4791
// §9.6) with the options to apply it.
type calData struct {
	// spec is the element; nil or one without comp, expand and limits
	// returns the stored bytes unchanged (byte-stable ETags).
	spec *caldata.CalendarData
	// json asks for application/calendar+json (RFC 7265).
	json bool
	opt  caldata.Options
}

func isPrecondition(err error) bool {
	var pe *caldata.PreconditionError
	return errors.As(err, &pe)
}

// parseCalData reads a CALDAV:calendar-data request element.
func parseCalData(e *webdav.Element, opt caldata.Options) (*calData, error) {
	var spec caldata.CalendarData
	if err := e.Unmarshal(&spec); err != nil {
		return nil, &webdav.Error{Code: http.StatusBadRequest, Msg: "invalid calendar-data element", Err: err}
	}
	cd := &calData{opt: opt}
	ct, _, _ := strings.Cut(spec.ContentType, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	unsupported := webdav.NewError(http.StatusForbidden, webdav.CalName("supported-calendar-data"), "unsupported calendar data type")
	if spec.Version != "" && spec.Version != "2.0" {
		return nil, unsupported
	}
	switch ct {
	case "", "text/calendar":
	case "application/calendar+json":
		cd.json = true
	default:
		// RFC 4791 §9.6: a media type the server does not support.
		return nil, unsupported
	}
	if spec.Comp != nil || spec.Expand != nil || spec.LimitRecurrenceSet != nil || spec.LimitFreeBusySet != nil {
		cd.spec = &spec
	}
	return cd, nil
}

// calendarData returns the CALDAV:calendar-data property of an object
// (RFC 4791 §9.6). The stored bytes are returned as they are unless cd
// asks for a part, an expansion or JSON. If applying cd fails for another
// reason than a precondition (data the store holds but cannot parse), the
// stored bytes are returned rather than nothing.
func (h *Handler) calendarData(pc *propCtx, res *resource, cd *calData) (*webdav.Element, error) {
	data := res.object.Data
	if data == nil {
		objs, err := h.b.Objects(pc.rq.ctx, res.owner, res.cal, []string{res.name})
		if err != nil || len(objs) == 0 {
			return nil, ErrNotFound
		}
		res.object = objs[0]
		data = objs[0].Data
	}
	if cd == nil || (cd.spec == nil && !cd.json) {
		return webdav.TextElement(pCalendarData, string(data)), nil
	}
	cal, err := ical.Parse(data)
	if err != nil {
		return webdav.TextElement(pCalendarData, string(data)), nil
	}
	vcal := cal.Component
	if cd.spec != nil {
		out, err := cd.spec.Apply(vcal, cd.opt)
		if err != nil {
			if isPrecondition(err) {
				return nil, err
			}
			return webdav.TextElement(pCalendarData, string(data)), nil
		}
		vcal = out
	}
	if cd.json {
		j, err := ical.MarshalJCal(vcal)
		if err != nil {
			return webdav.TextElement(pCalendarData, string(data)), nil
		}
		return webdav.TextElement(pCalendarData, string(j)), nil
	}
	return webdav.TextElement(pCalendarData, string(ical.Marshal(vcal))), nil
}

// parseTimezone reads a VCALENDAR holding exactly one VTIMEZONE (the
// CALDAV:calendar-timezone property, RFC 4791 §5.2.2, or the
// CALDAV:timezone of a query, §9.8) and returns the zone floating times
// are read in: the IANA zone its TZID names, else the IANA zone with the
// same offsets around now, else UTC. ok is false for invalid text.
func parseTimezone(text string, now time.Time) (loc *time.Location, ok bool) {
	cal, err := ical.Parse([]byte(text))
	if err != nil || cal.Component == nil || cal.Name != ical.CompCalendar {
		return nil, false
	}
	zones := cal.Components("VTIMEZONE")
	if len(zones) != 1 {
		return nil, false
	}
	vt, err := tz.ParseVTimezone(zones[0])
	if err != nil {
		return nil, false
	}
	if l, _, err := tz.Lookup(vt.TZID()); err == nil {
		return l.Location(), true
	}
	if l, ok := tz.Match(vt, now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0)); ok {
		return l.Location(), true
	}
	return time.UTC, true
}

// options returns the caldata options of a calendar: floating times in
// its calendar-timezone (RFC 4791 §7.3), or override when set.
func (h *Handler) dataOptions(cal *Calendar, override string) (caldata.Options, error) {
	opt := caldata.Options{Zone: time.UTC}
	text := override
	if text == "" && cal != nil {
		text = cal.Timezone
	}
	if text != "" {
		loc, ok := parseTimezone(text, h.opt.Now())
		if !ok {
			if override != "" {
				return opt, webdav.NewError(http.StatusForbidden, webdav.CalName("valid-calendar-data"), "invalid time zone")
			}
		} else {
			opt.Zone = loc
		}
	}
	if h.opt.Limits.MaxInstances > 0 {
		opt.Limits.MaxInstances = h.opt.Limits.MaxInstances
	}
	return opt, nil
}
