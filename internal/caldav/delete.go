// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"net/http"

	"github.com/almanac-project/almanac/internal/webdav"
)

// delete answers DELETE (RFC 4918 §9.6) of a calendar object resource or
// a calendar collection, with If-Match (RFC 9110 §13.1.1). Homes,
// principals and the fixed collections cannot be deleted: 405.
func (h *Handler) delete(w http.ResponseWriter, r *http.Request, rq *request) error {
	res := rq.res
	pre := webdav.ParsePreconditions(r.Header)
	switch res.kind {
	case kindObject:
		cond, err := h.conditions(rq, res, pre)
		if err != nil {
			return err
		}
		if cond.IfNoneMatch {
			// If-None-Match: * on an existing resource.
			if _, err := h.b.Object(rq.ctx, res.owner, res.cal, res.name); err == nil {
				return &webdav.Error{Code: http.StatusPreconditionFailed}
			}
		}
		if err := h.b.DeleteObject(rq.ctx, res.owner, res.cal, res.name, cond.IfMatch); err != nil {
			return err
		}
	case kindCalendar:
		if err := h.load(rq.ctx, res); err != nil {
			return err
		}
		if !pre.Check(calendarETag(res.calendar)) {
			return &webdav.Error{Code: http.StatusPreconditionFailed}
		}
		if err := h.b.DeleteCalendar(rq.ctx, res.owner, res.cal); err != nil {
			return err
		}
	default:
		return methodNotAllowed(h, w, res)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
