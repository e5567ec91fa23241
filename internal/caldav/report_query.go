// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"net/http"

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
	var candidates []*resource
	switch {
	case res.kind == kindObject:
		candidates = []*resource{res}
	case depth != webdav.DepthZero:
		comp, start, end := f.Range()
		objs, err := h.b.QueryObjects(rq.ctx, res.owner, res.cal, comp, start, end)
		if err != nil {
			return err
		}
		for _, o := range objs {
			candidates = append(candidates, &resource{kind: kindObject, owner: res.owner, cal: res.cal, name: o.Name, calendar: res.calendar, object: o})
		}
	}
	pc := &propCtx{rq: rq}
	var resps []*webdav.Response
	for _, c := range candidates {
		data := c.object.Data
		if data == nil {
			objs, err := h.b.Objects(rq.ctx, c.owner, c.cal, []string{c.name})
			if err != nil {
				return err
			}
			if len(objs) == 0 {
				continue
			}
			c.object = objs[0]
			data = objs[0].Data
		}
		cal, err := ical.Parse(data)
		if err != nil || cal.Component == nil {
			// Stored data that does not parse matches nothing.
			continue
		}
		ok, err := caldata.Match(cal.Component, &f, opt)
		if err != nil {
			if isPrecondition(err) {
				return err
			}
			continue
		}
		if !ok {
			continue
		}
		resp, err := h.response(pc, c, rp)
		if err != nil {
			return err
		}
		resps = append(resps, resp)
	}
	return writeResponses(w, resps)
}
