// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"net/http"
	"strings"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/caldav/caldata"
	"github.com/almanac-project/almanac/internal/webdav"
)

// reportQuery answers CALDAV:calendar-query (RFC 4791 §7.8). On a
// calendar collection Depth 1 (or no Depth) queries the members and Depth
// 0 matches nothing, the collection not being a calendar object; on an
// object Depth 0 tests the object itself. The store pre-selects
// candidates with Filter.Range and caldata.Match decides. Floating times
// are read in the request's CALDAV:timezone, else the collection's
// calendar-timezone (§7.3).
func (h *Handler) reportQuery(w http.ResponseWriter, r *http.Request, rq *request, root *webdav.Element) error {
	res := rq.res
	depth, err := webdav.ParseDepth(r.Header, webdav.DepthOne)
	if err != nil {
		return err
	}
	fe := root.Child(webdav.CalName("filter"))
	if fe == nil {
		// RFC 4791 §7.8: the filter is required.
		return webdav.NewError(http.StatusForbidden, webdav.CalName("valid-filter"), "missing filter")
	}
	var f caldata.Filter
	if err := fe.Unmarshal(&f); err != nil {
		return webdav.NewError(http.StatusForbidden, webdav.CalName("valid-filter"), "malformed filter")
	}
	if err := f.Validate(); err != nil {
		return err
	}
	var tzText string
	if tze := root.Child(webdav.CalName("timezone")); tze != nil {
		tzText = tze.TextContent()
		if tzText == "" {
			return webdav.NewError(http.StatusForbidden, webdav.CalName("valid-calendar-data"), "empty time zone")
		}
	}
	opt, err := h.dataOptions(res.calendar, tzText)
	if err != nil {
		return err
	}
	rp, err := parseReportProps(root, opt)
	if err != nil {
		return err
	}
	pc := &propCtx{rq: rq}
	mw := webdav.NewMultistatusWriter(w)
	switch {
	case res.kind == kindObject:
		resp, err := h.queryResponse(pc, res, &f, opt, rp, true)
		if err != nil {
			return err
		}
		if resp != nil {
			if err := mw.Write(resp); err != nil {
				return err
			}
		}
	case depth != webdav.DepthZero:
		// Responses are written as the candidates come. A precondition
		// of the filter or of calendar-data fails with the first
		// candidate tested, before anything is written.
		comp, start, end := f.Range()
		match := !componentsOnly(&f)
		data := match || containsName(rp.pf.Prop, pCalendarData)
		for o, err := range h.b.QueryObjects(rq.ctx, res.owner, res.cal, comp, start, end, data) {
			var resp *webdav.Response
			if err == nil {
				c := &resource{kind: kindObject, owner: res.owner, cal: res.cal, name: o.Name, calendar: res.calendar, object: o}
				resp, err = h.queryResponse(pc, c, &f, opt, rp, match)
			}
			if err != nil {
				return h.streamFailed(r, mw, err)
			}
			if resp != nil {
				if err := mw.Write(resp); err != nil {
					return err
				}
			}
		}
	}
	return mw.Close()
}

// queryResponse is the response of candidate c to a calendar-query with
// filter f, or nil when c does not match. With match false the backend
// selected c exactly (see componentsOnly) and its data is not read.
func (h *Handler) queryResponse(pc *propCtx, c *resource, f *caldata.Filter, opt caldata.Options, rp *reportProps, match bool) (*webdav.Response, error) {
	if match {
		data := c.object.Data
		if data == nil {
			objs, err := h.b.Objects(pc.rq.ctx, c.owner, c.cal, []string{c.name})
			if err != nil {
				return nil, err
			}
			if len(objs) == 0 {
				return nil, nil
			}
			c.object = objs[0]
			data = objs[0].Data
		}
		cal, err := ical.Parse(data)
		if err != nil || cal.Component == nil {
			// Stored data that does not parse matches nothing.
			return nil, nil
		}
		ok, err := caldata.Match(cal.Component, f, opt)
		if err != nil && isPrecondition(err) {
			return nil, err
		}
		if err != nil || !ok {
			return nil, nil
		}
	}
	return h.response(pc, c, rp)
}

// componentsOnly reports whether f tests nothing but the component name
// the backend selects on exactly (Backend.QueryObjects without a time
// range): the VCALENDAR comp-filter alone, or holding a single comp-filter
// on one of the components a calendar object is made of, with no test.
func componentsOnly(f *caldata.Filter) bool {
	cf := &f.CompFilter
	if cf.IsNotDefined != nil || cf.TimeRange != nil || len(cf.PropFilters) > 0 || len(cf.CompFilters) > 1 {
		return false
	}
	if len(cf.CompFilters) == 0 {
		return true
	}
	sub := &cf.CompFilters[0]
	switch strings.ToUpper(sub.Name) {
	case ical.CompEvent, ical.CompToDo, ical.CompJournal:
	default:
		return false
	}
	return sub.IsNotDefined == nil && sub.TimeRange == nil && len(sub.PropFilters) == 0 && len(sub.CompFilters) == 0
}
