// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"net/http"
	"slices"

	"github.com/almanac-project/almanac/internal/caldav/caldata"
	"github.com/almanac-project/almanac/internal/webdav"
)

// report answers REPORT (RFC 3253 §3.6). A report the resource does not
// list in its DAV:supported-report-set is 403 DAV:supported-report.
func (h *Handler) report(w http.ResponseWriter, r *http.Request, rq *request) error {
	root, err := webdav.ReadXML(r, maxReportBody)
	if err != nil {
		return err
	}
	if root == nil {
		return &webdav.Error{Code: http.StatusBadRequest, Msg: "missing REPORT body"}
	}
	res := rq.res
	if err := h.load(rq.ctx, res); err != nil {
		return err
	}
	if !slices.Contains(supportedReports(res), root.Name) {
		return webdav.NewError(http.StatusForbidden, webdav.Name("supported-report"), "unsupported report")
	}
	switch root.Name.Local {
	case "calendar-query":
		return h.reportQuery(w, r, rq, root)
	case "calendar-multiget":
		return h.reportMultiget(w, rq, root)
	case "free-busy-query":
		return h.reportFreeBusy(w, r, rq, root)
	case "sync-collection":
		return h.reportSync(w, r, rq, root)
	case "expand-property":
		return h.reportExpand(w, rq, root)
	case "principal-property-search":
		return h.reportPrincipalSearch(w, rq, root)
	case "principal-search-property-set":
		return h.reportSearchPropertySet(w)
	case "principal-match":
		return h.reportPrincipalMatch(w, rq, root)
	case "acl-principal-prop-set":
		return h.reportACLPrincipals(w, rq, root)
	}
	return webdav.NewError(http.StatusForbidden, webdav.Name("supported-report"), "unsupported report")
}

// reportProps are the properties a report asks for: a DAV:prop,
// DAV:allprop or DAV:propname child, and the calendar-data request.
type reportProps struct {
	pf *webdav.Propfind
	cd *calData
}

// parseReportProps reads the property request of a report body; none
// means DAV:allprop for calendaring reports (RFC 4791 §7.8, §7.9).
func parseReportProps(root *webdav.Element, opt caldata.Options) (*reportProps, error) {
	rp := &reportProps{pf: &webdav.Propfind{}}
	switch {
	case root.Child(webdav.Name("propname")) != nil:
		rp.pf.PropName = true
	case root.Child(webdav.Name("prop")) != nil:
		for _, p := range root.ChildrenNamed(webdav.Name("prop")) {
			for _, c := range p.Children {
				rp.pf.Prop = append(rp.pf.Prop, c.Name)
				if c.Name == pCalendarData {
					cd, err := parseCalData(c, opt)
					if err != nil {
						return nil, err
					}
					rp.cd = cd
				}
			}
		}
	default:
		rp.pf.AllProp = true
	}
	return rp, nil
}

// response is the DAV:response of res for a report.
func (h *Handler) response(pc *propCtx, res *resource, rp *reportProps) (*webdav.Response, error) {
	if !rp.pf.AllProp && !rp.pf.PropName {
		resp := &webdav.Response{Href: h.href(res)}
		for _, n := range rp.pf.Prop {
			if err := h.addProp(pc, resp, res, n, rp.cd); err != nil {
				return nil, err
			}
		}
		if len(resp.Propstats) == 0 {
			resp.Status = http.StatusOK
		}
		return resp, nil
	}
	return h.propfindResponse(pc, res, rp.pf), nil
}

// streamFailed handles an error met while the responses of a multistatus
// are streamed. Before the first response is written the error is still
// the answer, and is returned. After it the status cannot change any
// more: the error goes to Options.OnError and the connection is aborted
// (http.ErrAbortHandler), so that the client sees a truncated answer
// rather than a complete-looking partial one.
func (h *Handler) streamFailed(r *http.Request, mw *webdav.MultistatusWriter, err error) error {
	if !mw.Started() {
		return err
	}
	if h.opt.OnError != nil {
		h.opt.OnError(r, err)
	}
	panic(http.ErrAbortHandler)
}

// writeResponses writes a complete multistatus.
func writeResponses(w http.ResponseWriter, resps []*webdav.Response, extra ...*webdav.Element) error {
	mw := webdav.NewMultistatusWriter(w)
	for _, r := range resps {
		if err := mw.Write(r); err != nil {
			return err
		}
	}
	return mw.Close(extra...)
}
