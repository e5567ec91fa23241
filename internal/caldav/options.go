// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"net/http"
	"strings"
)

// options answers OPTIONS (RFC 9110 §9.3.7) with the DAV compliance
// classes (RFC 4918 §10.1, §18; RFC 4791 §5.1; RFC 3744 §7.2; RFC 5689
// §3.1; RFC 6638 §2) and the methods of the resource. The answer needs no
// privilege: a collection is looked at only to tell a scheduling inbox or
// outbox (RFC 6638 §2.1, §2.2) from a calendar, and if it cannot be seen
// the methods of a calendar are listed.
func (h *Handler) options(w http.ResponseWriter, _ *http.Request, rq *request) error {
	if rq.res.kind == kindCalendar || rq.res.kind == kindObject {
		if c, err := h.b.Calendar(rq.ctx, rq.res.owner, rq.res.cal); err == nil {
			rq.res.calendar = c
		}
	}
	w.Header().Set("Allow", strings.Join(h.allow(rq.res), ", "))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}
