// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"net/http"
	"strings"
)

// options answers OPTIONS (RFC 9110 §9.3.7) with the DAV compliance
// classes (RFC 4918 §10.1, §18; RFC 4791 §5.1; RFC 3744 §7.2; RFC 5689
// §3.1) and the methods of the resource. The resource is not loaded, so
// the answer needs no privilege.
func (h *Handler) options(w http.ResponseWriter, _ *http.Request, rq *request) error {
	w.Header().Set("Allow", strings.Join(h.allow(rq.res), ", "))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
	return nil
}
