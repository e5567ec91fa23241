// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"errors"
	"net/http"

	"github.com/almanac-project/almanac/internal/webdav"
)

// delete answers DELETE (RFC 4918 §9.6) of a calendar object resource or
// a calendar collection, with If-Match (RFC 9110 §13.1.1). On an object,
// If-Schedule-Tag-Match (RFC 6638 §3.2.10.2) and Schedule-Reply (§8.1)
// are honoured: members of a scheduling inbox are deleted like any other
// (Appendix B.2, B.4). Homes, principals and the fixed collections cannot
// be deleted: 405. Nor can a scheduling inbox or outbox (RFC 6638 §2:
// clients cannot delete them) nor the calendar the inbox names as
// CALDAV:schedule-default-calendar-URL (§4.3: "MUST reject"): 403, the
// latter with CALDAV:default-calendar-needed (§4.3.1.1).
func (h *Handler) delete(w http.ResponseWriter, r *http.Request, rq *request) error {
	res := rq.res
	switch res.kind {
	case kindObject:
		cond, err := h.conditions(rq, res, r.Header)
		if err != nil {
			return err
		}
		if cond.IfNoneMatch {
			// If-None-Match: * on an existing resource.
			if _, err := h.b.Object(rq.ctx, res.owner, res.cal, res.name); err == nil {
				return &webdav.Error{Code: http.StatusPreconditionFailed}
			}
		}
		if err := h.b.DeleteObject(rq.ctx, res.owner, res.cal, res.name, cond); err != nil {
			return err
		}
	case kindCalendar:
		if err := h.load(rq.ctx, res); err != nil {
			return err
		}
		if !webdav.ParsePreconditions(r.Header).Check(calendarETag(res.calendar)) {
			return &webdav.Error{Code: http.StatusPreconditionFailed}
		}
		if isScheduling(res.calendar) {
			return &webdav.Error{Code: http.StatusForbidden, Msg: "scheduling collections cannot be deleted"}
		}
		if err := h.checkNotDefault(rq, res); err != nil {
			return err
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

// checkNotDefault refuses to delete the calendar that the owner's inbox
// names as its default calendar (RFC 6638 §4.3, §4.3.1.1).
func (h *Handler) checkNotDefault(rq *request, res *resource) error {
	p, err := h.b.Principal(rq.ctx, res.owner)
	switch {
	case isNotFound(err):
		return nil
	case err != nil:
		return err
	case p.Inbox == "":
		// The owner receives no scheduling messages.
		return nil
	}
	inbox, err := h.b.Calendar(rq.ctx, res.owner, p.Inbox)
	switch {
	case isNotFound(err) || errors.Is(err, ErrForbidden):
		// An inbox the user cannot see names no default for them.
		return nil
	case err != nil:
		return err
	case inbox.DefaultCalendar == res.cal:
		return webdav.NewError(http.StatusForbidden, webdav.CalName("default-calendar-needed"), "the default calendar cannot be deleted")
	}
	return nil
}
