// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/almanac-project/almanac/internal/webdav"
)

// reportSync answers DAV:sync-collection (RFC 6578 §3.2) on a calendar
// collection. The RFC asks for Depth 0, but clients (python-caldav,
// Thunderbird) send Depth 1, which is accepted too. An empty token lists
// every member; deleted members are 404 responses (§3.5.2). The answer is
// cut after the client's DAV:limit or Options.MaxSyncResults, whichever
// is smaller, with a 507 response for the collection and a token that
// continues (§3.6). A token the backend does not know is 403
// DAV:valid-sync-token, so the client can start over (§3.2).
func (h *Handler) reportSync(w http.ResponseWriter, r *http.Request, rq *request, root *webdav.Element) error {
	res := rq.res
	depth, err := webdav.ParseDepth(r.Header, webdav.DepthZero)
	if err != nil {
		return err
	}
	if depth == webdav.DepthInfinity {
		return &webdav.Error{Code: http.StatusBadRequest, Msg: "sync-collection needs Depth 0"}
	}
	te := root.Child(webdav.Name("sync-token"))
	if te == nil {
		return &webdav.Error{Code: http.StatusBadRequest, Msg: "missing sync-token"}
	}
	token := strings.TrimSpace(te.Text)
	switch level := strings.TrimSpace(root.Child(webdav.Name("sync-level")).TextContent()); level {
	case "", "1", "infinite":
		// A calendar has no member collections: both levels agree.
	default:
		return &webdav.Error{Code: http.StatusBadRequest, Msg: "invalid sync-level"}
	}
	limit := h.opt.MaxSyncResults
	if le := root.Child(webdav.Name("limit")); le != nil {
		n, err := strconv.Atoi(strings.TrimSpace(le.Child(webdav.Name("nresults")).TextContent()))
		if err != nil || n <= 0 {
			return &webdav.Error{Code: http.StatusBadRequest, Msg: "invalid limit"}
		}
		if limit <= 0 || n < limit {
			limit = n
		}
	}
	opt, err := h.dataOptions(res.calendar, "")
	if err != nil {
		return err
	}
	rp, err := parseReportProps(root, opt)
	if err != nil {
		return err
	}
	if rp.pf.AllProp {
		// RFC 6578 §3.2: DAV:prop is required; without one, answer the
		// hrefs with their ETags.
		rp.pf = &webdav.Propfind{Prop: []xml.Name{pGetETag}}
	}
	changes, newToken, truncated, err := h.b.Changes(rq.ctx, res.owner, res.cal, token, limit)
	if err != nil {
		return err
	}
	// The members are read and written in batches, so an initial sync of
	// a large collection holds one batch of objects at a time.
	pc := &propCtx{rq: rq}
	mw := webdav.NewMultistatusWriter(w)
	for batch := range slices.Chunk(changes, syncBatch) {
		if err := h.writeSyncBatch(rq, mw, pc, res, rp, batch); err != nil {
			return h.streamFailed(r, mw, err)
		}
	}
	if truncated {
		// RFC 6578 §3.6: more changes remain.
		err := mw.Write(&webdav.Response{Href: h.href(res), Status: http.StatusInsufficientStorage,
			Error: webdav.NewElement(webdav.Name("error"), webdav.NewElement(webdav.Name("number-of-matches-within-limits")))})
		if err != nil {
			return err
		}
	}
	return mw.Close(webdav.TextElement(webdav.Name("sync-token"), newToken))
}

// syncBatch is how many members of a sync-collection answer are read from
// the backend at once.
const syncBatch = 500

// writeSyncBatch writes the responses of some changes: the properties of
// the members that exist, 404 for the deleted ones (RFC 6578 §3.5.2).
func (h *Handler) writeSyncBatch(rq *request, mw *webdav.MultistatusWriter, pc *propCtx, res *resource, rp *reportProps, changes []Change) error {
	var names []string
	for _, c := range changes {
		if !c.Deleted {
			names = append(names, c.Name)
		}
	}
	objs := map[string]*Object{}
	if len(names) > 0 {
		list, err := h.b.Objects(rq.ctx, res.owner, res.cal, names)
		if err != nil {
			return err
		}
		for _, o := range list {
			objs[o.Name] = o
		}
	}
	for _, c := range changes {
		m := &resource{kind: kindObject, owner: res.owner, cal: res.cal, name: c.Name, calendar: res.calendar, object: objs[c.Name]}
		resp := &webdav.Response{Href: h.href(m), Status: http.StatusNotFound}
		if !c.Deleted && m.object != nil {
			var err error
			if resp, err = h.response(pc, m, rp); err != nil {
				return err
			}
		}
		if err := mw.Write(resp); err != nil {
			return err
		}
	}
	return nil
}
