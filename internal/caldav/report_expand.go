// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/almanac-project/almanac/internal/webdav"
)

// maxExpandDepth bounds the nesting of DAV:property in expand-property.
const maxExpandDepth = 4

// reportExpand answers DAV:expand-property (RFC 3253 §3.8): each
// requested property is returned, and where it has nested DAV:property
// elements, every DAV:href of its value is replaced by a DAV:response for
// that resource with the nested properties (for example the displayname
// and calendar-user-address-set of the members of a group-member-set).
func (h *Handler) reportExpand(w http.ResponseWriter, rq *request, root *webdav.Element) error {
	pc := &propCtx{rq: rq}
	resp := h.expandResponse(pc, rq.res, root, 0)
	return writeResponses(w, []*webdav.Response{resp})
}

func (h *Handler) expandResponse(pc *propCtx, res *resource, spec *webdav.Element, depth int) *webdav.Response {
	resp := &webdav.Response{Href: h.href(res)}
	for _, p := range spec.ChildrenNamed(webdav.Name("property")) {
		ns := p.AttrValue("namespace")
		if ns == "" {
			ns = webdav.NS
		}
		name := xml.Name{Space: ns, Local: p.AttrValue("name")}
		el, status := h.prop(pc, res, name)
		if el == nil {
			resp.Add(status, webdav.NewElement(name))
			continue
		}
		if len(p.ChildrenNamed(webdav.Name("property"))) > 0 && depth < maxExpandDepth {
			out := &webdav.Element{Name: el.Name}
			for _, c := range el.Children {
				if c.Name != webdav.Name("href") {
					out.Children = append(out.Children, c)
					continue
				}
				target, err := h.resolveHref(pc.rq.ctx, strings.TrimSpace(c.Text))
				if err != nil {
					out.Children = append(out.Children, (&webdav.Response{Href: c.Text, Status: http.StatusNotFound}).Element())
					continue
				}
				sub := h.expandResponse(pc, target, p, depth+1)
				sub.Href = c.Text
				out.Children = append(out.Children, sub.Element())
			}
			el = out
		}
		resp.Add(status, el)
	}
	if len(resp.Propstats) == 0 {
		resp.Status = http.StatusOK
	}
	return resp
}
