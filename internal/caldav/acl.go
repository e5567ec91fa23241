// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"net/http"
	"strings"

	"github.com/almanac-project/almanac/internal/webdav"
)

// acl answers the ACL method (RFC 3744 §8.1) on a calendar collection. The
// server supports grant-only, non-inverted ACEs (DAV:acl-restrictions):
// a deny ACE is 403 DAV:grant-only, an invert 403 DAV:no-invert, an
// unknown privilege 403 DAV:not-supported-privilege, an unknown principal
// 403 DAV:recognized-principal. A privilege the resource does not
// support (a scheduling privilege on a calendar, or one of the outbox on
// an inbox, RFC 6638 §6) is 403 DAV:not-supported-privilege, and a grant
// of every supported privilege is DAV:all. The ACEs replace the
// non-protected ones through Backend.SetACL.
func (h *Handler) acl(w http.ResponseWriter, r *http.Request, rq *request) error {
	res := rq.res
	if res.kind != kindCalendar {
		return methodNotAllowed(h, w, res)
	}
	root, err := webdav.ReadXML(r, 0)
	if err != nil {
		return err
	}
	if root == nil || root.Name != webdav.Name("acl") {
		return &webdav.Error{Code: http.StatusBadRequest, Msg: "expected DAV:acl"}
	}
	if err := h.load(rq.ctx, res); err != nil {
		return err
	}
	forbid := func(cond string) error {
		return webdav.NewError(http.StatusForbidden, webdav.Name(cond), "")
	}
	var aces []ACE
	for _, e := range root.ChildrenNamed(webdav.Name("ace")) {
		if e.Child(webdav.Name("deny")) != nil {
			return forbid("grant-only")
		}
		if e.Child(webdav.Name("invert")) != nil {
			return forbid("no-invert")
		}
		if e.Child(webdav.Name("protected")) != nil || e.Child(webdav.Name("inherited")) != nil {
			// RFC 3744 §8.1.1: protected and inherited ACEs cannot be
			// written.
			return forbid("no-ace-conflict")
		}
		pr := e.Child(webdav.Name("principal"))
		grant := e.Child(webdav.Name("grant"))
		if pr == nil || grant == nil || len(pr.Children) != 1 {
			return &webdav.Error{Code: http.StatusBadRequest, Msg: "malformed ACE"}
		}
		var ace ACE
		p := pr.Children[0]
		switch p.Name {
		case webdav.Name("all"), webdav.Name("authenticated"), webdav.Name("unauthenticated"), webdav.Name("self"):
			ace.Principal = p.Name.Local
		case webdav.Name("href"):
			name, ok := h.principalName(strings.TrimSpace(p.Text))
			if !ok {
				return forbid("recognized-principal")
			}
			if _, err := h.b.Principal(rq.ctx, name); err != nil {
				if isNotFound(err) {
					return forbid("recognized-principal")
				}
				return err
			}
			ace.Principal = name
		case webdav.Name("property"):
			if p.Child(pOwner) == nil {
				return forbid("recognized-principal")
			}
			ace.Principal = res.owner
		default:
			return forbid("recognized-principal")
		}
		supported := supportedPrivileges(res)
		for _, pe := range grant.ChildrenNamed(webdav.Name("privilege")) {
			for _, n := range pe.Children {
				priv, ok := privilegeByName(n.Name.Space, n.Name.Local)
				if !ok || priv != PrivAll && priv&^supported != 0 {
					return forbid("not-supported-privilege")
				}
				ace.Grant |= priv
			}
		}
		if ace.Grant == 0 {
			return forbid("no-abstract")
		}
		if ace.Grant&supported == supported {
			ace.Grant |= PrivAll
		}
		aces = append(aces, ace)
	}
	if err := h.b.SetACL(rq.ctx, res.owner, res.cal, aces); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// privilegeByName maps a privilege element to Privileges (RFC 3744 §3,
// RFC 4791 §6.1.1, RFC 6638 §6); aggregates grant what they contain.
func privilegeByName(space, local string) (Privileges, bool) {
	switch {
	case space == webdav.NS && local == "all":
		return PrivAll, true
	case space == webdav.NS && local == "read":
		return PrivRead | PrivReadFreeBusy, true
	case space == webdav.NS && local == "write":
		return PrivWrite, true
	case space == webdav.NSCalDAV && local == "schedule-deliver":
		return PrivScheduleDeliver, true
	case space == webdav.NSCalDAV && local == "schedule-send":
		return PrivScheduleSend, true
	}
	for _, pn := range privNames {
		if pn.name.Space == space && pn.name.Local == local {
			return pn.p, true
		}
	}
	return 0, false
}

// principalName returns the principal name an href names.
func (h *Handler) principalName(href string) (string, bool) {
	p, err := hrefPath(href)
	if err != nil {
		return "", false
	}
	res, err := h.route(p)
	if err != nil || res.kind != kindPrincipal {
		return "", false
	}
	return res.owner, true
}
