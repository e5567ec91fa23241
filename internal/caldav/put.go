// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"errors"
	"net/http"

	"github.com/almanac-project/almanac/internal/caldav/caldata"
	"github.com/almanac-project/almanac/internal/webdav"
)

// put answers PUT of a calendar object resource (RFC 4791 §5.3.2). Only
// members of calendar collections can be written: PUT on "/", on any
// collection or on a principal is 405 and creates nothing, and PUT into a
// scheduling inbox or outbox is 403 (noSchedulingMembers). The body is
// capped before it is read in full; caldata.CheckObject enforces the
// preconditions of §5.3.2.1. The answer is 201 or 204, never 200, with the
// strong ETag of the stored bytes (client-quirks.md), unless the backend
// stored other bytes than those sent (PutResult.Changed): then there is
// no ETag, as RFC 4791 §5.3.4 requires, and the client fetches the
// object again. A scheduling object resource's answer carries its
// Schedule-Tag (RFC 6638 §3.2.10, §8.2).
func (h *Handler) put(w http.ResponseWriter, r *http.Request, rq *request) error {
	res := rq.res
	if res.kind != kindObject {
		return methodNotAllowed(h, w, res)
	}
	cal, err := h.b.Calendar(rq.ctx, res.owner, res.cal)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			// RFC 4918 §9.7.1: no parent collection.
			return &webdav.Error{Code: http.StatusConflict, Msg: "no such calendar", Err: err}
		}
		return err
	}
	res.calendar = cal
	if err := noSchedulingMembers(cal); err != nil {
		return err
	}
	data, err := h.readObject(r)
	if err != nil {
		return err
	}
	cond, err := h.conditions(rq, res, r.Header)
	if err != nil {
		return err
	}
	lim := h.opt.Limits
	lim.MaxResourceSize = h.maxObjectSize()
	vcal, _, err := caldata.CheckObject(data, r.Header.Get("Content-Type"), components(cal), lim)
	if err != nil {
		return err
	}
	pr, err := h.b.PutObject(rq.ctx, res.owner, res.cal, res.name, data, vcal, cond)
	if err != nil {
		return err
	}
	if !pr.Changed {
		w.Header().Set("ETag", pr.ETag)
	}
	setScheduleTag(w, pr.ScheduleTag)
	if pr.Created {
		w.Header().Set("Location", h.href(res))
		w.WriteHeader(http.StatusCreated)
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// readObject reads a PUT body within the resource size limit: a larger
// one is refused with 413 and CALDAV:max-resource-size (RFC 4791
// §5.3.2.1) without reading more than the limit.
func (h *Handler) readObject(r *http.Request) ([]byte, error) {
	data, err := webdav.ReadBody(r, h.maxObjectSize())
	var we *webdav.Error
	if errors.As(err, &we) && we.Code == http.StatusRequestEntityTooLarge {
		return nil, &webdav.Error{Code: http.StatusRequestEntityTooLarge, Condition: webdav.CalName("max-resource-size"), Msg: "calendar object too large"}
	}
	return data, err
}

// conditions turns If-Match, If-None-Match, If-Schedule-Tag-Match and
// Schedule-Reply into the Conditions of a write of res. Lists the Backend
// cannot express are evaluated here against the current entity tag (RFC
// 9110 §13.1.1, §13.1.2). If-Schedule-Tag-Match is evaluated here against
// the current object's schedule tag (RFC 6638 §3.2.10: 412 unless it
// matches) and passed on for the backend to check again.
func (h *Handler) conditions(rq *request, res *resource, hdr http.Header) (Conditions, error) {
	var cond Conditions
	if err := parseScheduleHeaders(hdr, &cond); err != nil {
		return cond, err
	}
	pre := webdav.ParsePreconditions(hdr)
	failed := &webdav.Error{Code: http.StatusPreconditionFailed}
	simpleMatch := pre.IfMatch == nil || pre.IfMatchAny() || len(pre.IfMatch) == 1
	simpleNone := pre.IfNoneMatch == nil || pre.IfNoneMatchAny()
	var cur *Object
	if !simpleMatch || !simpleNone || cond.IfScheduleTag != "" {
		o, err := h.b.Object(rq.ctx, res.owner, res.cal, res.name)
		switch {
		case err == nil:
			cur = o
		case !errors.Is(err, ErrNotFound):
			return cond, err
		}
		if err := checkScheduleTag(cond.IfScheduleTag, cur); err != nil {
			return cond, err
		}
	}
	if !simpleMatch || !simpleNone {
		etag := ""
		if cur != nil {
			etag = cur.ETag
		}
		if !pre.Check(etag) {
			return cond, failed
		}
		// Re-check atomically in the backend against what was seen.
		if etag != "" {
			cond.IfMatch = etag
		} else {
			cond.IfNoneMatch = true
		}
		return cond, nil
	}
	if pre.IfNoneMatch != nil {
		cond.IfNoneMatch = true
	}
	if pre.IfMatch != nil {
		if len(pre.IfMatch) == 0 {
			return cond, failed
		}
		cond.IfMatch = pre.IfMatch[0]
	}
	return cond, nil
}
