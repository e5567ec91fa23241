// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"net/http"

	"github.com/almanac-project/almanac/internal/caldav/caldata"
	"github.com/almanac-project/almanac/internal/webdav"
)

// copyMove answers COPY and MOVE (RFC 4918 §9.8, §9.9) of calendar object
// resources. The destination must be a member of a calendar collection
// and meet the preconditions of RFC 4791 §5.3.2.1 (supported component,
// no UID conflict, size); Overwrite: F makes an existing destination a
// 412. COPY is a read and a PutObject; MOVE is Backend.MoveObject.
// Collections are not copied or moved: 403, and nothing is copied or
// moved into a scheduling inbox or outbox: 403 (noSchedulingMembers).
//
// If-Schedule-Tag-Match applies to the source, the Request-URI (RFC 6638
// §3.2.10, §3.2.10.2): it is checked here, 412 unless it matches.
// Schedule-Reply is passed on. The answer carries the destination's
// Schedule-Tag when it is a scheduling object resource (§3.2.10).
func (h *Handler) copyMove(w http.ResponseWriter, r *http.Request, rq *request) error {
	src := rq.res
	if src.kind != kindObject {
		return &webdav.Error{Code: http.StatusForbidden, Msg: "only calendar objects can be copied or moved"}
	}
	overwrite, err := webdav.ParseOverwrite(r.Header)
	if err != nil {
		return err
	}
	var sched Conditions
	if err := parseScheduleHeaders(r.Header, &sched); err != nil {
		return err
	}
	destPath, err := webdav.ParseDestination(r)
	if err != nil {
		return err
	}
	dst, err := h.route(destPath)
	if err != nil {
		return err
	}
	if dst.kind != kindObject {
		return &webdav.Error{Code: http.StatusForbidden, Msg: "the destination must be in a calendar collection"}
	}
	if dst.owner == src.owner && dst.cal == src.cal && dst.name == src.name {
		// RFC 4918 §9.8.5: source and destination are the same.
		return &webdav.Error{Code: http.StatusForbidden, Msg: "source and destination are the same"}
	}
	if err := h.load(rq.ctx, src); err != nil {
		return err
	}
	if err := checkScheduleTag(sched.IfScheduleTag, src.object); err != nil {
		return err
	}
	dstCal, err := h.b.Calendar(rq.ctx, dst.owner, dst.cal)
	if err != nil {
		if isNotFound(err) {
			// RFC 4918 §9.8.5: no collection at the destination.
			return &webdav.Error{Code: http.StatusConflict, Msg: "no such calendar", Err: err}
		}
		return err
	}
	if err := noSchedulingMembers(dstCal); err != nil {
		return err
	}
	cond := Conditions{IfNoneMatch: !overwrite, NoScheduleReply: sched.NoScheduleReply}
	data := src.object.Data
	if data == nil {
		objs, err := h.b.Objects(rq.ctx, src.owner, src.cal, []string{src.name})
		if err != nil {
			return err
		}
		if len(objs) == 0 {
			return ErrNotFound
		}
		data = objs[0].Data
	}
	lim := h.opt.Limits
	lim.MaxResourceSize = h.maxObjectSize()
	// RFC 4791 §5.3.2.1 applies to the destination of COPY and MOVE.
	vcal, _, err := caldata.CheckObject(data, "text/calendar", components(dstCal), lim)
	if err != nil {
		return err
	}
	var (
		created bool
		tag     string
	)
	if r.Method == "COPY" {
		var pr PutResult
		pr, err = h.b.PutObject(rq.ctx, dst.owner, dst.cal, dst.name, data, vcal, cond)
		created, tag = pr.Created, pr.ScheduleTag
	} else {
		created, err = h.b.MoveObject(rq.ctx, src.owner, src.cal, src.name, dst.owner, dst.cal, dst.name, cond)
		if err == nil {
			// The destination's tag, which the server may have changed
			// (RFC 6638 §9.3); a destination the user cannot read
			// goes without.
			if o, err := h.b.Object(rq.ctx, dst.owner, dst.cal, dst.name); err == nil {
				tag = o.ScheduleTag
			}
		}
	}
	if err != nil {
		if !overwrite && (isExists(err) || isPreconditionFailed(err)) {
			// RFC 4918 §9.8.5: Overwrite F and the destination exists.
			return &webdav.Error{Code: http.StatusPreconditionFailed, Err: err}
		}
		return err
	}
	setScheduleTag(w, tag)
	if created {
		w.Header().Set("Location", h.href(dst))
		w.WriteHeader(http.StatusCreated)
	} else {
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}
