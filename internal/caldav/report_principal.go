// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/almanac-project/almanac/internal/webdav"
)

var pEmailAddressSet = xml.Name{Space: webdav.NSCS, Local: "email-address-set"}

// searchable are the properties principal-property-search matches
// (RFC 3744 §9.4, §9.5), with their descriptions.
var searchable = []struct {
	name xml.Name
	desc string
}{
	{pDisplayName, "Display name"},
	{pCalendarUserAddressSet, "Calendar user address"},
	{pCalendarUserType, "Calendar user type"}, // RFC 6638 §2.4.2: SHOULD be searchable
	{pEmailAddressSet, "Email address"},
}

// searchValues returns the strings of principal p a search on name
// compares, or false if name is not searchable.
func searchValues(p *Principal, name xml.Name) ([]string, bool) {
	switch name {
	case pDisplayName:
		return []string{p.DisplayName}, true
	case pCalendarUserAddressSet:
		return p.Addresses, true
	case pCalendarUserType:
		return []string{userType(p)}, true
	case pEmailAddressSet:
		var out []string
		for _, a := range p.Addresses {
			if s, ok := cutPrefixFold(a, "mailto:"); ok {
				out = append(out, s)
			}
		}
		return out, true
	}
	return nil, false
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// reportPrincipalSearch answers DAV:principal-property-search (RFC 3744
// §9.4): principals whose searched properties contain the match strings,
// case-insensitively, all of them (test="allof", the default) or any
// (test="anyof"). Apple clients use it for attendee autocomplete.
func (h *Handler) reportPrincipalSearch(w http.ResponseWriter, rq *request, root *webdav.Element) error {
	anyOf := strings.EqualFold(root.AttrValue("test"), "anyof")
	type cond struct {
		props []xml.Name
		match string
		kind  string
	}
	var conds []cond
	for _, ps := range root.ChildrenNamed(webdav.Name("property-search")) {
		m := ps.Child(webdav.Name("match"))
		if m == nil || ps.Child(webdav.Name("prop")) == nil {
			return &webdav.Error{Code: http.StatusBadRequest, Msg: "malformed property-search"}
		}
		conds = append(conds, cond{props: webdav.ChildNames(ps.Child(webdav.Name("prop"))),
			match: strings.ToLower(m.TextContent()), kind: m.AttrValue("match-type")})
	}
	if len(conds) == 0 {
		return &webdav.Error{Code: http.StatusBadRequest, Msg: "missing property-search"}
	}
	rp := &reportProps{pf: &webdav.Propfind{Prop: webdav.ChildNames(root.Child(webdav.Name("prop")))}}
	principals, err := h.b.Principals(rq.ctx)
	if err != nil {
		return err
	}
	test := func(p *Principal, c cond) bool {
		for _, n := range c.props {
			vals, ok := searchValues(p, n)
			if !ok {
				continue
			}
			for _, v := range vals {
				v = strings.ToLower(v)
				switch c.kind {
				case "starts-with":
					if strings.HasPrefix(v, c.match) {
						return true
					}
				case "equals":
					if v == c.match {
						return true
					}
				default:
					if strings.Contains(v, c.match) {
						return true
					}
				}
			}
		}
		return false
	}
	pc := &propCtx{rq: rq}
	var resps []*webdav.Response
	for _, p := range principals {
		matched := !anyOf
		for _, c := range conds {
			ok := test(p, c)
			if anyOf && ok {
				matched = true
				break
			}
			if !anyOf && !ok {
				matched = false
				break
			}
		}
		if !matched {
			continue
		}
		resp, err := h.response(pc, &resource{kind: kindPrincipal, owner: p.Name, principal: p}, rp)
		if err != nil {
			return err
		}
		resps = append(resps, resp)
	}
	return writeResponses(w, resps)
}

// reportSearchPropertySet answers DAV:principal-search-property-set (RFC
// 3744 §9.5).
func (h *Handler) reportSearchPropertySet(w http.ResponseWriter) error {
	out := webdav.NewElement(webdav.Name("principal-search-property-set"))
	for _, s := range searchable {
		out.Children = append(out.Children, webdav.NewElement(webdav.Name("principal-search-property"),
			webdav.NewElement(webdav.Name("prop"), webdav.NewElement(s.name)),
			&webdav.Element{Name: webdav.Name("description"), Attr: []xml.Attr{{Name: xml.Name{Space: "xml", Local: "lang"}, Value: "en"}}, Text: s.desc}))
	}
	return webdav.WriteXML(w, http.StatusOK, out)
}

// reportPrincipalMatch answers DAV:principal-match (RFC 3744 §9.3). With
// DAV:self on the principal collection (or the context root) it returns
// the current user's principal; with DAV:principal-property naming
// DAV:owner it returns the members of the collection the current user
// owns. Other principal properties match nothing.
func (h *Handler) reportPrincipalMatch(w http.ResponseWriter, rq *request, root *webdav.Element) error {
	self := root.Child(webdav.Name("self")) != nil
	pp := root.Child(webdav.Name("principal-property"))
	if self == (pp != nil) {
		return &webdav.Error{Code: http.StatusBadRequest, Msg: "principal-match needs self or principal-property"}
	}
	rp := &reportProps{pf: &webdav.Propfind{Prop: webdav.ChildNames(root.Child(webdav.Name("prop")))}}
	pc := &propCtx{rq: rq}
	res := rq.res
	var matches []*resource
	switch {
	case rq.user == nil:
	case self:
		if res.kind == kindPrincipals || res.kind == kindRoot {
			matches = append(matches, &resource{kind: kindPrincipal, owner: rq.user.Name, principal: rq.user})
		}
	case pp.Child(pOwner) != nil && (res.kind == kindHome || res.kind == kindCalendar || res.kind == kindCalendars):
		for m, err := range h.children(rq, res, false) {
			if err != nil {
				return err
			}
			if m.owner == rq.user.Name {
				matches = append(matches, m)
			}
		}
	}
	var resps []*webdav.Response
	for _, m := range matches {
		resp, err := h.response(pc, m, rp)
		if err != nil {
			return err
		}
		resps = append(resps, resp)
	}
	return writeResponses(w, resps)
}

// reportACLPrincipals answers DAV:acl-principal-prop-set (RFC 3744 §9.2):
// the requested properties of every principal named in the ACL. It needs
// DAV:read-acl.
func (h *Handler) reportACLPrincipals(w http.ResponseWriter, rq *request, root *webdav.Element) error {
	res := rq.res
	if h.privileges(rq, res)&PrivReadACL == 0 {
		return needPrivileges()
	}
	rp := &reportProps{pf: &webdav.Propfind{Prop: webdav.ChildNames(root.Child(webdav.Name("prop")))}}
	pc := &propCtx{rq: rq}
	seen := map[string]bool{}
	var resps []*webdav.Response
	for _, ace := range res.calendar.ACL {
		switch ace.Principal {
		case "all", "authenticated", "unauthenticated", "self":
			continue
		}
		if seen[ace.Principal] {
			continue
		}
		seen[ace.Principal] = true
		p, err := h.b.Principal(rq.ctx, ace.Principal)
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return err
		}
		resp, err := h.response(pc, &resource{kind: kindPrincipal, owner: p.Name, principal: p}, rp)
		if err != nil {
			return err
		}
		resps = append(resps, resp)
	}
	return writeResponses(w, resps)
}
