// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/caldav/caldata"
	"github.com/almanac-project/almanac/internal/webdav"
)

// reportFreeBusy answers CALDAV:free-busy-query (RFC 4791 §7.10) with a
// text/calendar VFREEBUSY, not a multistatus. It needs the
// CALDAV:read-free-busy privilege (§6.1.1), which DAV:read contains.
func (h *Handler) reportFreeBusy(w http.ResponseWriter, r *http.Request, rq *request, root *webdav.Element) error {
	res := rq.res
	if h.privileges(rq, res)&(PrivReadFreeBusy|PrivRead) == 0 {
		return needPrivileges()
	}
	tr := root.Child(webdav.CalName("time-range"))
	if tr == nil {
		return webdav.NewError(http.StatusForbidden, webdav.CalName("valid-filter"), "missing time-range")
	}
	start, err1 := parseUTC(tr.AttrValue("start"))
	end, err2 := parseUTC(tr.AttrValue("end"))
	if err1 != nil || err2 != nil || start.IsZero() || (!end.IsZero() && !end.After(start)) {
		return webdav.NewError(http.StatusForbidden, webdav.CalName("valid-filter"), "invalid time-range")
	}
	if end.IsZero() {
		// §9.9: an absent end is unbounded; a year is what is answered.
		end = start.AddDate(1, 0, 0)
	}
	opt, err := h.dataOptions(res.calendar, "")
	if err != nil {
		return err
	}
	var comps []*ical.Component
	for o, err := range h.b.QueryObjects(rq.ctx, res.owner, res.cal, "", start, end, true) {
		if err != nil {
			return err
		}
		if cal, err := ical.Parse(o.Data); err == nil && cal.Component != nil {
			comps = append(comps, cal.Component)
		}
	}
	fb := caldata.FreeBusy(comps, start, end, h.opt.Now(), opt)
	if fb == nil {
		return &webdav.Error{Code: http.StatusInternalServerError, Msg: "free-busy unavailable"}
	}
	data := ical.Marshal(fb)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
	return nil
}

// parseUTC parses an RFC 5545 §3.3.5 UTC date-time ("" is the zero time).
func parseUTC(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(icalUTC, s)
}
