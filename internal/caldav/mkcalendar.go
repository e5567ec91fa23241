// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"errors"
	"net/http"

	"github.com/almanac-project/almanac/internal/webdav"
)

// mkcalendar answers MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC
// 5689 §3). Calendars can only be created directly in a calendar home;
// MKCOL must ask for the resource types collection and CALDAV:calendar
// (the server hosts nothing else), else 403 DAV:valid-resourcetype.
// Success is exactly 201 with Cache-Control: no-cache. If a property
// cannot be set nothing is created and the answer is 403 with a
// CALDAV:mkcalendar-response or DAV:mkcol-response listing the propstats.
func (h *Handler) mkcalendar(w http.ResponseWriter, r *http.Request, rq *request) error {
	res := rq.res
	mkcol := r.Method == "MKCOL"
	switch res.kind {
	case kindCalendar:
	case kindObject:
		// RFC 4791 §5.3.1.1: calendar collections cannot be nested.
		return webdav.NewError(http.StatusForbidden, webdav.CalName("calendar-collection-location-ok"), "calendars are created in a calendar home")
	default:
		// The fixed collections exist already (RFC 4918 §9.3.1).
		return methodNotAllowed(h, w, res)
	}
	bodyName, respName := webdav.CalName("mkcalendar"), webdav.CalName("mkcalendar-response")
	if mkcol {
		bodyName, respName = webdav.Name("mkcol"), webdav.Name("mkcol-response")
	}
	root, err := webdav.ReadXML(r, 0)
	if err != nil {
		return err
	}
	props, err := webdav.ParseMkcol(root, bodyName)
	if err != nil {
		return err
	}
	ops := make([]webdav.PropOp, 0, len(props))
	hasType := false
	for _, p := range props {
		ops = append(ops, webdav.PropOp{Prop: p})
		hasType = hasType || p.Name == pResourceType
	}
	if mkcol && !hasType {
		// A plain collection: not hosted here.
		return webdav.NewError(http.StatusForbidden, webdav.Name("valid-resourcetype"), "only calendar collections can be created")
	}
	// Scheduling inboxes and outboxes are the server's (RFC 6638 §2).
	c := &Calendar{Owner: res.owner, Name: res.cal, Kind: kindNameCalendar}
	resp, ok, err := h.applyProps(rq, c, ops, true)
	if err != nil {
		return err
	}
	if !ok {
		return webdav.WriteXML(w, http.StatusForbidden, webdav.NewElement(respName, resp.Element().Children[1:]...))
	}
	if err := h.b.CreateCalendar(rq.ctx, c); err != nil {
		if errors.Is(err, ErrNotFound) {
			// RFC 4918 §9.3.1: the home does not exist.
			return &webdav.Error{Code: http.StatusConflict, Msg: "no such calendar home", Err: err}
		}
		return err
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Location", h.href(res))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
	return nil
}
