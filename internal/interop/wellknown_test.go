// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package interop

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestWellKnownPythonRequests looks up the principal from
// /.well-known/caldav with python-requests, which re-sends a PROPFIND
// without its body after a 301 and as a GET after a 302 or 303: whatever
// the server redirects with, the PROPFIND must end in a 207 that names the
// current user's principal, and python3-caldav started at the well-known
// URL must find the principal and its calendars (client-quirks §1, §3).
func TestWellKnownPythonRequests(t *testing.T) {
	requireInterop(t, []string{python}, "requests", "caldav")
	s := startServer(t)
	const user = "alice"
	s.addUser(t, user)
	_, env := tempHome(t)
	r := mustRun(t, env, t.TempDir(), "", python, testdataPath(t, "wellknown.py"), s.base, user, s.password(user))
	type lookup struct {
		Redirects       [][2]any `json:"redirects"`
		Status          int
		URL             string
		Method          string
		WWWAuthenticate *string `json:"www_authenticate"`
		Principal       *string
		Body            string
	}
	var out struct {
		Anonymous, Basic lookup
		Caldav           struct {
			Principal string
			Calendars []string
			Error     string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("wellknown.py printed no JSON: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}

	if a := out.Anonymous; a.Status != 401 || a.WWWAuthenticate == nil || !strings.HasPrefix(strings.ToLower(*a.WWWAuthenticate), "basic ") {
		t.Errorf("anonymous PROPFIND /.well-known/caldav (redirects %v) = %d with WWW-Authenticate %v, want 401 with a Basic challenge\n%s",
			a.Redirects, a.Status, a.WWWAuthenticate, a.Body)
	}
	b := out.Basic
	for _, h := range b.Redirects {
		if code, _ := h[0].(float64); code == 302 || code == 303 {
			t.Errorf("PROPFIND /.well-known/caldav was redirected with %v: python-requests turns it into GET (client-quirks §1)", h)
		}
	}
	if b.Status != 207 || b.Method != "PROPFIND" || b.Principal == nil || *b.Principal != principalPath(user) {
		p := "none"
		if b.Principal != nil {
			p = *b.Principal
		}
		t.Errorf("PROPFIND /.well-known/caldav for current-user-principal, followed by python-requests (redirects %v), ended with %s %s = %d naming the principal %s, want 207 naming %s\n%s",
			b.Redirects, b.Method, b.URL, b.Status, p, principalPath(user), b.Body)
	}

	c := out.Caldav
	if c.Error != "" || c.Principal != principalPath(user) || !slices.Contains(c.Calendars, calendarPath(user, "calendar")) {
		t.Errorf("python3-caldav from %s/.well-known/caldav found the principal %q and the calendars %q (error %q), want %s with %s",
			s.base, c.Principal, c.Calendars, c.Error, principalPath(user), calendarPath(user, "calendar"))
	}
}
