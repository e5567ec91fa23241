// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package interop

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cadaverEvent is a one-event calendar object with the given UID.
func cadaverEvent(uid string) string {
	return strings.ReplaceAll(fmt.Sprintf(`BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Almanac//interop//EN
BEGIN:VEVENT
UID:%s
DTSTAMP:20260501T000000Z
DTSTART:20260610T140000Z
DTEND:20260610T150000Z
SUMMARY:Put by cadaver (%s)
END:VEVENT
END:VCALENDAR
`, uid, uid), "\n", "\r\n")
}

// cadaverSession splits a cadaver transcript into the output of each
// command, by command line.
func cadaverSession(transcript string) map[string]string {
	out := map[string]string{}
	for _, chunk := range strings.Split(transcript, "dav:")[1:] {
		_, rest, ok := strings.Cut(chunk, "> ")
		if !ok {
			continue
		}
		cmd, result, _ := strings.Cut(rest, "\n")
		out[strings.TrimSpace(cmd)] = result
	}
	return out
}

// TestInteropCadaver runs a scripted cadaver session (credentials from
// ~/.netrc, commands on stdin) that puts, gets, copies, moves and deletes
// calendar objects, and checks the outcome over HTTP: cadaver sends PUT
// without a Content-Type and authenticates after a 401 (client-quirks §2).
// A copy within one calendar is refused (one UID per calendar), and so is a
// file that is not iCalendar.
func TestInteropCadaver(t *testing.T) {
	requireInterop(t, []string{"cadaver"})
	s := startServer(t)
	const user = "alice"
	s.addUser(t, user)
	cal, other := calendarPath(user, "calendar"), calendarPath(user, "other")
	if r := s.request(t, user, "MKCALENDAR", other, nil, ""); r.status != http.StatusCreated {
		t.Fatalf("MKCALENDAR %s = %v, want 201", other, r)
	}

	home, env := tempHome(t)
	netrc := fmt.Sprintf("machine 127.0.0.1\nlogin %s\npassword %s\n", user, s.password(user))
	files := map[string]string{
		".netrc":    netrc,
		"one.ics":   cadaverEvent("cadaver-1"),
		"two.ics":   cadaverEvent("cadaver-2"),
		"three.ics": cadaverEvent("cadaver-3"),
		"note.txt":  "Not a calendar.\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(home, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	commands := []struct {
		cmd string
		ok  bool
	}{
		{"put one.ics cadaver-1.ics", true},
		{"put two.ics cadaver-2.ics", true},
		{"put three.ics cadaver-3.ics", true},
		{"get cadaver-1.ics got.ics", true},
		{"copy cadaver-1.ics ../other/copied.ics", true},
		{"copy cadaver-2.ics cadaver-2-copy.ics", false}, // CALDAV:no-uid-conflict
		{"move cadaver-2.ics ../other/cadaver-2.ics", true},
		{"move cadaver-1.ics renamed.ics", true},
		{"delete cadaver-3.ics", true},
		{"put note.txt note.txt", false}, // CALDAV:supported-calendar-data
	}
	var stdin strings.Builder
	for _, c := range commands {
		stdin.WriteString(c.cmd + "\n")
	}
	stdin.WriteString("quit\n")
	r := mustRun(t, env, home, stdin.String(), "cadaver", s.url(cal))
	session := cadaverSession(r.stdout)
	for _, c := range commands {
		out, ran := session[c.cmd]
		switch {
		case !ran:
			t.Errorf("cadaver did not run %q; transcript:\n%s%s", c.cmd, r.stdout, r.stderr)
		case c.ok && !strings.Contains(out, "succeeded"):
			t.Errorf("cadaver %q: %s, want success", c.cmd, strings.TrimSpace(out))
		case !c.ok && !strings.Contains(out, "failed"):
			t.Errorf("cadaver %q: %s, want a refusal", c.cmd, strings.TrimSpace(out))
		}
	}

	// What is where now, over HTTP.
	for _, c := range []struct {
		path, uid string // uid "" for a resource that must not exist
	}{
		{cal + "renamed.ics", "cadaver-1"},
		{other + "copied.ics", "cadaver-1"},
		{other + "cadaver-2.ics", "cadaver-2"},
		{cal + "cadaver-1.ics", ""},
		{cal + "cadaver-2.ics", ""},
		{cal + "cadaver-2-copy.ics", ""},
		{cal + "cadaver-3.ics", ""},
		{cal + "note.txt", ""},
	} {
		got := s.request(t, user, http.MethodGet, c.path, nil, "")
		if c.uid == "" {
			if got.status != http.StatusNotFound {
				t.Errorf("after the cadaver session GET %s = %v, want 404", c.path, got)
			}
			continue
		}
		if got.status != http.StatusOK {
			t.Errorf("after the cadaver session GET %s = %v, want 200 with UID %s", c.path, got, c.uid)
			continue
		}
		evs := parseCalendar(t, c.path, string(got.body)).Events()
		if len(evs) != 1 || evs[0].Value("UID") != c.uid {
			t.Errorf("after the cadaver session GET %s = %s, want one VEVENT with UID %s", c.path, got.body, c.uid)
		}
		if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
			t.Errorf("GET %s: Content-Type %q, want text/calendar (cadaver's PUT sent none)", c.path, ct)
		}
	}
	downloaded, err := os.ReadFile(filepath.Join(home, "got.ics"))
	if err != nil {
		t.Fatalf("cadaver get did not write got.ics: %v", err)
	}
	if got, want := eventsByUID(t, "got.ics", map[string]string{"got.ics": string(downloaded)}), eventsByUID(t, "one.ics", map[string]string{"one.ics": files["one.ics"]}); got["cadaver-1"] != want["cadaver-1"] {
		t.Errorf("cadaver get cadaver-1.ics gave\n%s\nwant the event put\n%s", got["cadaver-1"], want["cadaver-1"])
	}

	// The refusal of the non-calendar file names the precondition.
	got := s.request(t, user, http.MethodPut, cal+"note.txt", map[string]string{"Content-Type": "text/plain"}, files["note.txt"])
	if got.status != http.StatusForbidden && got.status != http.StatusUnsupportedMediaType ||
		got.status == http.StatusForbidden && !strings.Contains(string(got.body), "supported-calendar-data") && !strings.Contains(string(got.body), "valid-calendar-data") {
		t.Errorf("PUT %snote.txt (text/plain) = %v, want 403 with CALDAV:supported-calendar-data or valid-calendar-data, or 415 (RFC 4791 §5.3.2.1)", cal, got)
	}
}
