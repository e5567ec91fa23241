// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"context"
	"encoding/xml"
	"errors"
	"iter"
	"net/http"
	"strings"

	"github.com/almanac-project/almanac/internal/webdav"
)

// kind is the kind of resource a path names.
type kind int

const (
	kindRoot       kind = iota // the context root (Prefix) or "/"
	kindPrincipals             // Prefix principals/
	kindPrincipal              // Prefix principals/<name>/
	kindCalendars              // Prefix calendars/
	kindHome                   // Prefix calendars/<owner>/
	kindCalendar               // Prefix calendars/<owner>/<cal>/
	kindObject                 // Prefix calendars/<owner>/<cal>/<object>
)

// resource is a resource named by a request path, loaded on demand.
type resource struct {
	kind  kind
	owner string // principal, home, calendar, object
	cal   string // calendar, object
	name  string // object
	// serverRoot marks the request path "/".
	serverRoot bool

	principal *Principal // kindPrincipal, loaded
	calendar  *Calendar  // kindCalendar and kindObject, loaded
	object    *Object    // kindObject, loaded
}

func (res *resource) isCollection() bool { return res.kind != kindObject && res.kind != kindPrincipal }

// route maps an escaped request path to a resource without loading it.
func (h *Handler) route(escaped string) (*resource, error) {
	if escaped == "/" || escaped == "" {
		return &resource{kind: kindRoot, serverRoot: h.opt.Prefix != "/"}, nil
	}
	segs, _, err := webdav.SplitPath(escaped, h.opt.Prefix)
	if err != nil {
		return nil, err
	}
	return routeSegs(segs)
}

func routeSegs(segs []string) (*resource, error) {
	notFound := &webdav.Error{Code: http.StatusNotFound}
	switch {
	case len(segs) == 0:
		return &resource{kind: kindRoot}, nil
	case segs[0] == "principals":
		switch len(segs) {
		case 1:
			return &resource{kind: kindPrincipals}, nil
		case 2:
			return &resource{kind: kindPrincipal, owner: segs[1]}, nil
		}
	case segs[0] == "calendars":
		switch len(segs) {
		case 1:
			return &resource{kind: kindCalendars}, nil
		case 2:
			return &resource{kind: kindHome, owner: segs[1]}, nil
		case 3:
			return &resource{kind: kindCalendar, owner: segs[1], cal: segs[2]}, nil
		case 4:
			return &resource{kind: kindObject, owner: segs[1], cal: segs[2], name: segs[3]}, nil
		}
	}
	return nil, notFound
}

// href returns the escaped href of res.
func (h *Handler) href(res *resource) string {
	p := h.opt.Prefix
	switch res.kind {
	case kindRoot:
		if res.serverRoot {
			return "/"
		}
		return p
	case kindPrincipals:
		return p + "principals/"
	case kindPrincipal:
		return h.principalHref(res.owner)
	case kindCalendars:
		return p + "calendars/"
	case kindHome:
		return h.homeHref(res.owner)
	case kindCalendar:
		return webdav.JoinPath(p, true, "calendars", res.owner, res.cal)
	}
	return webdav.JoinPath(p, false, "calendars", res.owner, res.cal, res.name)
}

func (h *Handler) principalHref(name string) string {
	return webdav.JoinPath(h.opt.Prefix, true, "principals", name)
}

func (h *Handler) homeHref(owner string) string {
	return webdav.JoinPath(h.opt.Prefix, true, "calendars", owner)
}

// load fetches what res needs from the backend; a missing resource is
// ErrNotFound.
func (h *Handler) load(ctx context.Context, res *resource) error {
	var err error
	switch res.kind {
	case kindPrincipal, kindHome:
		if res.principal == nil {
			res.principal, err = h.b.Principal(ctx, res.owner)
		}
	case kindCalendar:
		if res.calendar == nil {
			res.calendar, err = h.b.Calendar(ctx, res.owner, res.cal)
		}
	case kindObject:
		if res.calendar == nil {
			res.calendar, err = h.b.Calendar(ctx, res.owner, res.cal)
		}
		if err == nil && res.object == nil {
			res.object, err = h.b.Object(ctx, res.owner, res.cal, res.name)
		}
	}
	return err
}

// children yields the members of a collection for Depth 1, loaded; data
// says whether objects need their Data. The members of a calendar come as
// the backend reads them; an error ends the sequence.
func (h *Handler) children(rq *request, res *resource, data bool) iter.Seq2[*resource, error] {
	if res.kind == kindCalendar && res.calendar != nil && res.calendar.Kind == kindNameOutbox {
		// RFC 6638 §2.1: an outbox has no members.
		return func(func(*resource, error) bool) {}
	}
	if res.kind == kindCalendar {
		return func(yield func(*resource, error) bool) {
			for o, err := range h.b.ListObjects(rq.ctx, res.owner, res.cal, data) {
				if err != nil {
					yield(nil, err)
					return
				}
				if !yield(&resource{kind: kindObject, owner: res.owner, cal: res.cal, name: o.Name, calendar: res.calendar, object: o}, nil) {
					return
				}
			}
		}
	}
	return func(yield func(*resource, error) bool) {
		members, err := h.collectionChildren(rq, res)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, m := range members {
			if !yield(m, nil) {
				return
			}
		}
	}
}

// collectionChildren lists the members of a collection other than a
// calendar, loaded.
func (h *Handler) collectionChildren(rq *request, res *resource) ([]*resource, error) {
	ctx := rq.ctx
	var out []*resource
	switch res.kind {
	case kindRoot:
		out = append(out, &resource{kind: kindPrincipals}, &resource{kind: kindCalendars})
	case kindPrincipals:
		ps, err := h.b.Principals(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, &resource{kind: kindPrincipal, owner: p.Name, principal: p})
		}
	case kindCalendars:
		if rq.user != nil {
			out = append(out, &resource{kind: kindHome, owner: rq.user.Name, principal: rq.user})
		}
	case kindHome:
		cals, err := h.b.Calendars(ctx, res.owner)
		if err != nil {
			return nil, err
		}
		for _, c := range cals {
			out = append(out, &resource{kind: kindCalendar, owner: res.owner, cal: c.Name, calendar: c})
		}
	}
	return out, nil
}

// resolveHref maps an href from a request body (absolute URL or path) to
// a loaded resource, or an error.
func (h *Handler) resolveHref(ctx context.Context, href string) (*resource, error) {
	p, err := hrefPath(href)
	if err != nil {
		return nil, err
	}
	res, err := h.route(p)
	if err != nil {
		return nil, err
	}
	if err := h.load(ctx, res); err != nil {
		return nil, err
	}
	return res, nil
}

func hrefPath(href string) (string, error) {
	r := &http.Request{Header: http.Header{"Destination": {href}}}
	p, err := webdav.ParseDestination(r)
	var we *webdav.Error
	if errors.As(err, &we) && we.Code == http.StatusBadGateway {
		// Another host: resolve the path anyway, hrefs in bodies
		// usually come from our own answers.
		r.Host = hostOf(href)
		p, err = webdav.ParseDestination(r)
	}
	return p, err
}

func hostOf(href string) string {
	_, rest, ok := strings.Cut(href, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	return host
}

// allow lists the methods valid on res (RFC 9110 §10.2.1); the calendar
// of res, when loaded, tells a scheduling inbox or outbox and their
// members apart.
func (h *Handler) allow(res *resource) []string {
	base := []string{"OPTIONS", "PROPFIND", "REPORT"}
	box := ""
	if res.calendar != nil {
		box = res.calendar.Kind
	}
	switch res.kind {
	case kindHome:
		return append(base, "PROPPATCH", "MKCALENDAR", "MKCOL")
	case kindCalendar:
		switch box {
		case kindNameInbox:
			return append(base, "PROPPATCH", "ACL")
		case kindNameOutbox:
			if h.scheduler() != nil {
				return append(base, "POST", "PROPPATCH", "ACL")
			}
			return append(base, "PROPPATCH", "ACL")
		}
		return append(base, "GET", "HEAD", "PROPPATCH", "DELETE", "ACL", "MKCALENDAR", "MKCOL")
	case kindObject:
		if box == kindNameInbox {
			// RFC 6638 §4: the server delivers, the client reads and
			// deletes.
			return append(base, "GET", "HEAD", "DELETE", "COPY", "MOVE", "PROPPATCH")
		}
		return append(base, "GET", "HEAD", "PUT", "DELETE", "COPY", "MOVE", "PROPPATCH")
	}
	return base
}

func xmlName(space, local string) xml.Name { return xml.Name{Space: space, Local: local} }
