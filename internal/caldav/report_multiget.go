// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"errors"
	"net/http"
	"strings"

	"github.com/almanac-project/almanac/internal/webdav"
)

// maxMultigetHrefs bounds the hrefs of one calendar-multiget.
const maxMultigetHrefs = 10000

// reportMultiget answers CALDAV:calendar-multiget (RFC 4791 §7.9). Each
// DAV:href is echoed exactly as the client wrote it (vdirsyncer compares
// them after its own normalisation); an href that names no object is a
// 404 response of its own.
func (h *Handler) reportMultiget(w http.ResponseWriter, rq *request, root *webdav.Element) error {
	hrefs := root.ChildrenNamed(webdav.Name("href"))
	if len(hrefs) == 0 {
		return &webdav.Error{Code: http.StatusBadRequest, Msg: "calendar-multiget needs at least one href"}
	}
	if len(hrefs) > maxMultigetHrefs {
		return &webdav.Error{Code: http.StatusRequestEntityTooLarge, Msg: "too many hrefs"}
	}
	opt, err := h.dataOptions(rq.res.calendar, "")
	if err != nil {
		return err
	}
	rp, err := parseReportProps(root, opt)
	if err != nil {
		return err
	}
	type key struct{ owner, cal string }
	type item struct {
		href string
		res  *resource
	}
	items := make([]item, len(hrefs))
	groups := map[key][]string{}
	var order []key
	for i, he := range hrefs {
		href := strings.TrimSpace(he.Text)
		items[i].href = href
		p, err := hrefPath(href)
		if err != nil {
			continue
		}
		res, err := h.route(p)
		if err != nil || res.kind != kindObject {
			continue
		}
		items[i].res = res
		k := key{res.owner, res.cal}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], res.name)
	}
	type loaded struct {
		cal  *Calendar
		objs map[string]*Object
		err  error
	}
	found := map[key]*loaded{}
	for _, k := range order {
		l := &loaded{objs: map[string]*Object{}}
		found[k] = l
		if rq.res.calendar != nil && k.owner == rq.res.owner && k.cal == rq.res.cal {
			l.cal = rq.res.calendar
		} else if l.cal, l.err = h.b.Calendar(rq.ctx, k.owner, k.cal); l.err != nil {
			continue
		}
		objs, err := h.b.Objects(rq.ctx, k.owner, k.cal, groups[k])
		if err != nil {
			l.err = err
			continue
		}
		for _, o := range objs {
			l.objs[o.Name] = o
		}
	}
	pc := &propCtx{rq: rq}
	resps := make([]*webdav.Response, 0, len(items))
	for _, it := range items {
		status := http.StatusNotFound
		if it.res != nil {
			l := found[key{it.res.owner, it.res.cal}]
			if o := l.objs[it.res.name]; o != nil {
				it.res.calendar, it.res.object = l.cal, o
				resp, err := h.response(pc, it.res, rp)
				if err != nil {
					return err
				}
				resp.Href = it.href
				resps = append(resps, resp)
				continue
			}
			if errors.Is(l.err, ErrForbidden) {
				status = http.StatusForbidden
			} else if l.err != nil && !isNotFound(l.err) {
				return l.err
			}
		}
		resps = append(resps, &webdav.Response{Href: it.href, Status: status})
	}
	return writeResponses(w, resps)
}
