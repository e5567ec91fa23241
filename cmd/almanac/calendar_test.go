// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

func TestCalendarCommands(t *testing.T) {
	data := t.TempDir()
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return almanac(t, "", append(args, "--data", data)...)
	}
	for _, u := range []string{"ann", "bob"} {
		if code, _, errs := almanac(t, "pw\n", "user", "add", u, "--password-stdin", "--data", data); code != 0 {
			t.Fatalf("user add %s: %s", u, errs)
		}
	}
	if code, out, errs := run("calendar", "create", "--user", "ann", "--calendar", "work", "--display-name", "Work things",
		"--color", "#3A87AD", "--components", "vevent,VJOURNAL"); code != 0 || out != "Created calendar ann/work\n" {
		t.Fatalf("calendar create = %d %q %q", code, out, errs)
	}
	if code, out, errs := run("calendar", "share", "--user", "ann", "--calendar", "work", "--with", "bob", "--access", "read-write"); code != 0 || out != "Shared ann/work with bob (read-write)\n" {
		t.Errorf("calendar share = %d %q %q", code, out, errs)
	}
	code, out, errs := run("calendar", "publish", "--user", "ann", "--calendar", "work", "--base-url", "https://cal.example.org")
	if code != 0 || out != "https://cal.example.org/public/calendars/ann/work/\n" {
		t.Errorf("calendar publish = %d %q %q", code, out, errs)
	}
	if code, out, errs := run("calendar", "publish", "--user", "ann", "--calendar", "calendar"); code != 0 || out != "http://127.0.0.1:8008/public/calendars/ann/calendar/\n" {
		t.Errorf("calendar publish without --base-url = %d %q %q; want the default URL serve prints", code, out, errs)
	}
	if code, out, errs := run("calendar", "unpublish", "--user", "ann", "--calendar", "calendar"); code != 0 || out != "ann/calendar is no longer public\n" {
		t.Errorf("calendar unpublish = %d %q %q", code, out, errs)
	}

	feedRE := regexp.MustCompile(`^https://cal\.example\.org/feeds/([a-z0-9]+)\.ics\nwebcal://cal\.example\.org/feeds/([a-z0-9]+)\.ics\n$`)
	feed := func(extra ...string) string {
		t.Helper()
		args := append([]string{"calendar", "feed", "--user", "ann", "--calendar", "work", "--base-url", "https://cal.example.org"}, extra...)
		code, out, errs := run(args...)
		m := feedRE.FindStringSubmatch(out)
		if code != 0 || m == nil || m[1] != m[2] {
			t.Fatalf("almanac %q = %d %q %q; want the feed URL and its webcal form", args, code, out, errs)
		}
		return m[1]
	}
	tok := feed()
	if again := feed(); again != tok {
		t.Errorf("calendar feed twice gave %q then %q; want the same token", tok, again)
	}
	rotated := feed("--rotate")
	if rotated == tok {
		t.Errorf("calendar feed --rotate kept the token %q", tok)
	}

	code, out, _ = run("calendar", "list", "--user", "ann")
	for _, re := range []string{
		`(?m)^NAME\s+DISPLAY NAME\s+COMPONENTS\s+OBJECTS\s+PUBLIC\s+FEED\s+SHARES$`,
		`(?m)^calendar\s+Calendar\s+VEVENT,VTODO\s+0\s+no\s+-\s+-$`,
		`(?m)^work\s+Work things\s+VEVENT,VJOURNAL\s+0\s+yes\s+http://127\.0\.0\.1:8008/feeds/` + rotated + `\.ics\s+bob:read-write$`,
	} {
		if code != 0 || !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("calendar list = %d, lacks a line matching %s:\n%s", code, re, out)
		}
	}

	if code, out, errs := run("calendar", "feed", "--user", "ann", "--calendar", "work", "--disable"); code != 0 || out != "Disabled the feed of ann/work\n" {
		t.Errorf("calendar feed --disable = %d %q %q", code, out, errs)
	}
	if code, out, errs := run("calendar", "unshare", "--user", "ann", "--calendar", "work", "--with", "bob"); code != 0 || out != "Stopped sharing ann/work with bob\n" {
		t.Errorf("calendar unshare = %d %q %q", code, out, errs)
	}
	if _, out, _ := run("calendar", "list", "--user", "ann"); !regexp.MustCompile(`(?m)^work\s+.*\s+yes\s+-\s+-$`).MatchString(out) {
		t.Errorf("calendar list after feed --disable and unshare:\n%s", out)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"calendar", "frobnicate"}, 2, `unknown subcommand "frobnicate"`},
		{[]string{"calendar", "list"}, 2, "missing --user"},
		{[]string{"calendar", "list", "--user", "ann", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"calendar", "create", "--user", "ann"}, 2, "missing --calendar"},
		{[]string{"calendar", "create", "--user", "ann", "--calendar", "x", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"calendar", "share", "--user", "ann", "--calendar", "work", "--access", "read"}, 2, "missing --with"},
		{[]string{"calendar", "share", "--user", "ann", "--calendar", "work", "--with", "bob"}, 2, "missing --access"},
		{[]string{"calendar", "unshare", "--user", "ann", "--calendar", "work"}, 2, "missing --with"},
		{[]string{"calendar", "feed", "--user", "ann", "--calendar", "work", "--rotate", "--disable"}, 2, "not both"},
		{[]string{"calendar", "list", "--user", "nobody"}, 1, `user "nobody" does not exist`},
		{[]string{"calendar", "create", "--user", "ann", "--calendar", "work"}, 1, `user "ann" already has a calendar "work"`},
		{[]string{"calendar", "create", "--user", "ann", "--calendar", "a/b"}, 1, `invalid calendar name "a/b"`},
		{[]string{"calendar", "create", "--user", "ann", "--calendar", "x", "--color", "blue"}, 1, `invalid --color "blue"`},
		{[]string{"calendar", "create", "--user", "ann", "--calendar", "x", "--components", "VCARD"}, 1, `invalid component "VCARD"`},
		{[]string{"calendar", "delete", "--user", "ann", "--calendar", "nope"}, 1, `user "ann" has no calendar "nope"`},
		{[]string{"calendar", "share", "--user", "ann", "--calendar", "work", "--with", "bob", "--access", "all"}, 1, `invalid --access "all"`},
		{[]string{"calendar", "share", "--user", "ann", "--calendar", "work", "--with", "nobody", "--access", "read"}, 1, `user "nobody" does not exist`},
		{[]string{"calendar", "unshare", "--user", "ann", "--calendar", "work", "--with", "bob"}, 1, "ann/work is not shared with bob"},
		{[]string{"calendar", "publish", "--user", "ann", "--calendar", "work", "--base-url", "cal.example.org"}, 1, "base-url:"},
		{[]string{"calendar", "feed", "--user", "ann", "--calendar", "nope"}, 1, `user "ann" has no calendar "nope"`},
	} {
		code, _, errs := run(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("almanac %q = exit %d, stderr %q; want exit %d and one line containing %q", tc.args, code, errs, tc.code, tc.want)
		}
	}

	if code, _, errs := almanac(t, "", "calendar"); code != 2 || !strings.Contains(errs, "missing subcommand") || strings.Count(errs, "\n") != 1 {
		t.Errorf("almanac calendar = exit %d, stderr %q; want exit 2 and one line about the missing subcommand", code, errs)
	}

	if code, out, errs := run("calendar", "delete", "--user", "ann", "--calendar", "work"); code != 0 || out != "Deleted calendar ann/work with its events\n" {
		t.Errorf("calendar delete = %d %q %q", code, out, errs)
	}
	if _, out, _ := run("calendar", "list", "--user", "ann"); strings.Contains(out, "work") {
		t.Errorf("work still listed after delete:\n%s", out)
	}

	t.Run("help", func(t *testing.T) {
		code, out, _ := almanac(t, "", "help")
		for _, sub := range []string{"calendar list", "calendar create", "calendar delete", "calendar share", "calendar unshare", "calendar publish", "calendar feed"} {
			if code != 0 || !strings.Contains(out, sub) {
				t.Errorf("almanac help = %d, lacks %q", code, sub)
			}
		}
		if code, out, _ := almanac(t, "", "calendar", "feed", "-h"); code != 0 || !strings.Contains(out, "-rotate") || !strings.Contains(out, "ALMANAC_BASE_URL") {
			t.Errorf("calendar feed -h = %d:\n%s", code, out)
		}
	})

	t.Run("ALMANAC_BASE_URL", func(t *testing.T) {
		cmd := exec.Command(binary(t), "calendar", "publish", "--user", "ann", "--calendar", "calendar")
		cmd.Env = append(cleanEnv(), "ALMANAC_DATA="+data, "ALMANAC_BASE_URL=https://env.example/cal/")
		out, err := cmd.Output()
		if err != nil || string(out) != "https://env.example/cal/public/calendars/ann/calendar/\n" {
			t.Errorf("calendar publish with ALMANAC_BASE_URL = %v %q", err, out)
		}
	})
}

// fetch sends method to url as user (anonymous if ""), returning the
// status and body.
func fetch(t *testing.T, method, url, user, pass string, hdr http.Header) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// TestCalendarCommandsWhileServing checks that what the calendar commands
// print works on a running server at once: the public URL, the feed URL,
// and a share in the sharee's home.
func TestCalendarCommandsWhileServing(t *testing.T) {
	data := t.TempDir()
	p := serve(t, data)
	run := func(args ...string) string {
		t.Helper()
		code, out, errs := almanac(t, "", append(args, "--data", data, "--base-url", p.url)...)
		if code != 0 {
			t.Fatalf("almanac %q = %d %q", args, code, errs)
		}
		return out
	}
	for _, u := range []string{"ann", "bob"} {
		if code, _, errs := almanac(t, "pw\n", "user", "add", u, "--password-stdin", "--data", data); code != 0 {
			t.Fatalf("user add %s: %s", u, errs)
		}
	}
	run("calendar", "create", "--user", "ann", "--calendar", "club", "--display-name", "Chess club")
	sample := "../../testdata/sample/office-hours.ics"
	if code, _, errs := almanac(t, "", "import", "--user", "ann", "--calendar", "club", sample, "--data", data); code != 0 {
		t.Fatalf("import: %s", errs)
	}

	public := strings.TrimSpace(run("calendar", "publish", "--user", "ann", "--calendar", "club"))
	if code, _, body := fetch(t, "GET", public, "", "", nil); code != 200 || !strings.HasPrefix(body, "BEGIN:VCALENDAR") {
		t.Errorf("anonymous GET %s after publish = %d %.60q", public, code, body)
	}
	run("calendar", "unpublish", "--user", "ann", "--calendar", "club")
	if code, _, _ := fetch(t, "GET", public, "", "", nil); code < 400 || code > 404 {
		t.Errorf("anonymous GET %s after unpublish = %d, want 401, 403 or 404", public, code)
	}

	lines := strings.Split(strings.TrimSpace(run("calendar", "feed", "--user", "ann", "--calendar", "club")), "\n")
	code, hdr, body := fetch(t, "GET", lines[0], "", "", nil)
	if code != 200 || !strings.Contains(body, "X-WR-CALNAME:Chess club") || hdr.Get("ETag") == "" {
		t.Errorf("GET feed %s = %d %.80q", lines[0], code, body)
	}
	if code, _, _ := fetch(t, "GET", lines[0], "", "", http.Header{"If-None-Match": {hdr.Get("ETag")}}); code != http.StatusNotModified {
		t.Errorf("conditional GET of the feed = %d, want 304", code)
	}
	run("calendar", "feed", "--user", "ann", "--calendar", "club", "--rotate")
	if code, _, _ := fetch(t, "GET", lines[0], "", "", nil); code != http.StatusNotFound {
		t.Errorf("GET of the old feed URL after --rotate = %d, want 404", code)
	}

	run("calendar", "share", "--user", "ann", "--calendar", "club", "--with", "bob", "--access", "read")
	code, _, body = fetch(t, "PROPFIND", p.url+"dav/calendars/bob/", "bob", "pw", http.Header{"Depth": {"1"}})
	if code != http.StatusMultiStatus || !strings.Contains(body, "/dav/calendars/bob/ann~club/") {
		t.Errorf("PROPFIND bob's home after share = %d, lacks ann~club:\n%s", code, body)
	}
	run("calendar", "unshare", "--user", "ann", "--calendar", "club", "--with", "bob")
	if _, _, body := fetch(t, "PROPFIND", p.url+"dav/calendars/bob/", "bob", "pw", http.Header{"Depth": {"1"}}); strings.Contains(body, "ann~club") {
		t.Errorf("bob's home still lists ann~club after unshare")
	}
	if code, _ := p.stop(t); code != 0 {
		t.Errorf("serve exit %d after SIGTERM", code)
	}
}
