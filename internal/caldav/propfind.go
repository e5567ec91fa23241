// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"encoding/xml"
	"net/http"

	"github.com/almanac-project/almanac/internal/webdav"
)

// propfind answers PROPFIND (RFC 4918 §9.1). A missing Depth means
// infinity, which is refused with DAV:propfind-finite-depth (§9.1.1). The
// body is parsed as XML whatever its Content-Type; an empty body is
// allprop. Depth 1 answers are streamed member by member.
func (h *Handler) propfind(w http.ResponseWriter, r *http.Request, rq *request) error {
	depth, err := webdav.ParseDepth(r.Header, webdav.DepthInfinity)
	if err != nil {
		return err
	}
	if depth == webdav.DepthInfinity {
		return webdav.NewError(http.StatusForbidden, webdav.Name("propfind-finite-depth"), "Depth: infinity is not supported")
	}
	root, err := webdav.ReadXML(r, 0)
	if err != nil {
		return err
	}
	pf, err := webdav.ParsePropfind(root)
	if err != nil {
		return err
	}
	res := rq.res
	if err := h.load(rq.ctx, res); err != nil {
		return err
	}
	pc := &propCtx{rq: rq}
	mw := webdav.NewMultistatusWriter(w)
	// The collection's own response goes first, written with the first
	// member, so that an error listing the members is still the answer.
	self := h.propfindResponse(pc, res, pf)
	if depth == webdav.DepthOne && res.isCollection() {
		for m, err := range h.children(rq, res, containsName(pf.Prop, pCalendarData)) {
			if err != nil {
				return h.streamFailed(r, mw, err)
			}
			if self != nil {
				if err := mw.Write(self); err != nil {
					return err
				}
				self = nil
			}
			if err := mw.Write(h.propfindResponse(pc, m, pf)); err != nil {
				return err
			}
		}
	}
	if self != nil {
		if err := mw.Write(self); err != nil {
			return err
		}
	}
	return mw.Close()
}

func containsName(names []xml.Name, n xml.Name) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

// propfindResponse is the DAV:response of one resource for a PROPFIND.
func (h *Handler) propfindResponse(pc *propCtx, res *resource, pf *webdav.Propfind) *webdav.Response {
	resp := &webdav.Response{Href: h.href(res)}
	switch {
	case pf.PropName:
		for _, n := range h.propNames(res) {
			resp.Add(http.StatusOK, webdav.NewElement(n))
		}
	case pf.AllProp:
		for _, n := range allpropNames(res.kind) {
			if e, status := h.prop(pc, res, n); status == http.StatusOK {
				resp.Add(status, e)
			}
		}
		if res.kind == kindCalendar {
			for _, p := range res.calendar.Props {
				resp.Add(http.StatusOK, &webdav.Element{Name: xml.Name{Space: p.Space, Local: p.Local}, Raw: p.XML})
			}
		}
		for _, n := range pf.Include {
			_ = h.addProp(pc, resp, res, n, nil) // no error without cd
		}
	default:
		for _, n := range pf.Prop {
			_ = h.addProp(pc, resp, res, n, nil) // no error without cd
		}
	}
	if len(resp.Propstats) == 0 {
		resp.Status = http.StatusOK
	}
	return resp
}

// addProp adds property n of res to resp; calendar-data is computed with
// cd (nil: as stored). The only error is a *caldata.PreconditionError of
// the calendar-data request, which fails the whole request.
func (h *Handler) addProp(pc *propCtx, resp *webdav.Response, res *resource, n xml.Name, cd *calData) error {
	if n == pCalendarData && res.kind == kindObject {
		e, err := h.calendarData(pc, res, cd)
		if err != nil {
			if isPrecondition(err) {
				return err
			}
			resp.Add(http.StatusNotFound, webdav.NewElement(n))
			return nil
		}
		resp.Add(http.StatusOK, e)
		return nil
	}
	e, status := h.prop(pc, res, n)
	if e == nil {
		e = webdav.NewElement(n)
	}
	resp.Add(status, e)
	return nil
}

// propNames lists the property names of res (DAV:propname).
func (h *Handler) propNames(res *resource) []xml.Name {
	var names []xml.Name
	for _, n := range liveNamesOf(res) {
		if n == pScheduleTag && res.object.ScheduleTag == "" {
			// RFC 6638 §9.3: only scheduling object resources have it.
			continue
		}
		names = append(names, n)
	}
	if res.kind == kindObject {
		names = append(names, pCalendarData)
	}
	if res.kind == kindCalendar {
		for _, p := range res.calendar.Props {
			names = append(names, xml.Name{Space: p.Space, Local: p.Local})
		}
	}
	return names
}
