// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package interop

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// python is Debian's interpreter: the python3 first on PATH may be another
// one (pyenv) without Debian's modules.
const python = "/usr/bin/python3"

// stepTimeout bounds every run of a client and every HTTP request, so that
// a client that hangs (calcurse-caldav can, client-quirks §2) fails the test
// instead of stalling the suite.
const stepTimeout = 60 * time.Second

// requireInterop skips the test unless ALMANAC_TEST_INTEROP=1, and then
// fails it if one of the programs (names or paths) or Python modules the
// test needs is missing: CI installs them all.
func requireInterop(t *testing.T, programs []string, pythonModules ...string) {
	t.Helper()
	if os.Getenv("ALMANAC_TEST_INTEROP") != "1" {
		t.Skip("set ALMANAC_TEST_INTEROP=1 (and install vdirsyncer khal python3-caldav calcurse cadaver) to run the CalDAV client interop tests")
	}
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("ALMANAC_TEST_INTEROP=1 but %s is missing (apt-get install vdirsyncer khal python3-caldav python3-requests calcurse cadaver): %v", p, err)
		}
	}
	for _, m := range pythonModules {
		if out, err := exec.Command(python, "-c", "import "+m).CombinedOutput(); err != nil {
			t.Fatalf("ALMANAC_TEST_INTEROP=1 but %s cannot import %s (apt-get install python3-%s): %v\n%s", python, m, m, err, out)
		}
	}
}

// tempHome returns a fresh directory to serve as HOME and the environment
// of a client run in it: the client reads no configuration, cache or
// credentials of the machine it runs on, and sees UTC as the local zone.
func tempHome(t *testing.T) (string, []string) {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"PATH=" + os.Getenv("PATH"),
		"TZ=UTC",
		"LANG=C.UTF-8",
		"LC_ALL=C.UTF-8",
		"PYTHONDONTWRITEBYTECODE=1",
	}
	return home, env
}

// result is the output of one run of a client.
type result struct {
	stdout, stderr string
}

// mustRun runs a client with the given environment, directory and stdin,
// killed after stepTimeout, and fails the test if it does not exit with
// status 0 in time.
func mustRun(t *testing.T, env []string, dir, stdin string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), stepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		t.Fatalf("%s %s did not finish within %v (hung?)\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), stepTimeout, r.stdout, r.stderr)
	case err != nil:
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, r.stdout, r.stderr)
	}
	return r
}

// testdataPath is the absolute path of a script in testdata/.
func testdataPath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// response is an HTTP answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string {
	return fmt.Sprintf("%d %s\n%s", r.status, http.StatusText(r.status), r.body)
}

// request sends one HTTP request as user (no credentials if user is "")
// and reads the whole answer; redirects are not followed.
func (s *server) request(t *testing.T, user, method, path string, header map[string]string, body string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), stepTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.url(path), strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if user != "" {
		req.SetBasicAuth(user, s.password(user))
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// url is the absolute URL of a path on the server.
func (s *server) url(path string) string {
	return strings.TrimSuffix(s.base, "/") + path
}

// multistatus is the part of a DAV:multistatus (RFC 4918 §14.16) the tests
// read.
type multistatus struct {
	Responses []struct {
		Href     string `xml:"DAV: href"`
		Propstat []struct {
			Status string `xml:"DAV: status"`
			Prop   struct {
				ETag          string `xml:"DAV: getetag"`
				CalendarData  string `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
				DisplayName   string `xml:"DAV: displayname"`
				CalendarColor string `xml:"http://apple.com/ns/ical/ calendar-color"`
				ResourceType  struct {
					Calendar *struct{} `xml:"urn:ietf:params:xml:ns:caldav calendar"`
				} `xml:"DAV: resourcetype"`
			} `xml:"DAV: prop"`
		} `xml:"DAV: propstat"`
	} `xml:"DAV: response"`
}

func parseMultistatus(t *testing.T, what string, r response) multistatus {
	t.Helper()
	if r.status != http.StatusMultiStatus {
		t.Fatalf("%s = %v, want 207 Multi-Status", what, r)
	}
	var ms multistatus
	if err := xml.Unmarshal(r.body, &ms); err != nil {
		t.Fatalf("%s: the multistatus body does not parse: %v\n%s", what, err, r.body)
	}
	return ms
}

// object is a calendar object resource as the server lists it.
type object struct {
	href, etag string
	data       string
}

// queryCalendar runs a calendar-query REPORT (RFC 4791 §7.8) for all
// objects of the calendar at path, with calendar-data; if start is not
// empty, start and end (UTC DATE-TIMEs) are the window of a VEVENT
// time-range filter and of CALDAV:expand.
func (s *server) queryCalendar(t *testing.T, user, path string, start, end string) []object {
	t.Helper()
	data := `<C:calendar-data/>`
	filter := `<C:comp-filter name="VCALENDAR"/>`
	if start != "" {
		data = fmt.Sprintf(`<C:calendar-data><C:expand start="%s" end="%s"/></C:calendar-data>`, start, end)
		filter = fmt.Sprintf(`<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="%s" end="%s"/></C:comp-filter></C:comp-filter>`, start, end)
	}
	body := `<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/>` + data + `</D:prop>
  <C:filter>` + filter + `</C:filter>
</C:calendar-query>`
	r := s.request(t, user, "REPORT", path, map[string]string{"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}, body)
	what := fmt.Sprintf("REPORT calendar-query %s (expand %q %q)", path, start, end)
	var objs []object
	for _, resp := range parseMultistatus(t, what, r).Responses {
		for _, ps := range resp.Propstat {
			if !strings.Contains(ps.Status, " 200 ") {
				continue
			}
			if ps.Prop.CalendarData == "" {
				t.Fatalf("%s: %s has no calendar-data\n%s", what, resp.Href, r.body)
			}
			objs = append(objs, object{href: resp.Href, etag: ps.Prop.ETag, data: ps.Prop.CalendarData})
		}
	}
	return objs
}

// parseCalendar decodes iCalendar text or fails the test naming where it
// came from.
func parseCalendar(t *testing.T, where, data string) *ical.Calendar {
	t.Helper()
	cal, err := ical.Parse([]byte(data))
	if err != nil {
		t.Fatalf("%s: the iCalendar data does not parse: %v\n%s", where, err, data)
	}
	return cal
}

// volatile are the properties servers and clients may legitimately rewrite
// in a round trip (client-quirks §4).
var volatile = map[string]bool{
	ical.PropDTStamp:      true,
	ical.PropLastModified: true,
	ical.PropCreated:      true,
	ical.PropProdID:       true,
}

// canonical is a component as a sorted list of its property lines (names,
// sorted parameters and values, TEXT values unescaped), volatile and X- properties left out, with
// its sub-components' canonical forms nested in order: two components that
// differ only in property or parameter order, folding, TEXT escapes or the properties
// servers rewrite have the same canonical form.
func canonical(c *ical.Component) string {
	var lines []string
	for _, p := range c.Props {
		if volatile[p.Name] || strings.HasPrefix(p.Name, "X-") {
			continue
		}
		var params []string
		for pa := range p.Params.All() {
			params = append(params, pa.Name+"="+strings.Join(pa.Values, ","))
		}
		slices.Sort(params)
		value := p.Value
		if p.ValueType() == ical.TypeText {
			// Escaping is not significant: "a;b" and "a\;b" are one value.
			if list, err := p.TextList(); err == nil {
				value = fmt.Sprintf("%q", list)
			}
		}
		lines = append(lines, p.Name+";"+strings.Join(params, ";")+":"+value)
	}
	slices.Sort(lines)
	var children []string
	for _, ch := range c.Children {
		children = append(children, canonical(ch))
	}
	slices.Sort(children)
	return "BEGIN:" + c.Name + "\n" + strings.Join(lines, "\n") + "\n" + strings.Join(children, "") + "END:" + c.Name + "\n"
}

// eventsByUID maps each UID to the canonical forms of its VEVENTs (master
// and overrides), sorted; it fails on an object with VEVENTs of several
// UIDs, which RFC 4791 §4.1 forbids.
func eventsByUID(t *testing.T, where string, objects map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, data := range objects {
		cal := parseCalendar(t, where+" "+name, data)
		var comps []string
		uid := ""
		for _, ev := range cal.Events() {
			if u := ev.Value(ical.PropUID); uid == "" {
				uid = u
			} else if u != uid {
				t.Fatalf("%s %s: VEVENTs with UIDs %q and %q in one object", where, name, uid, u)
			}
			comps = append(comps, canonical(ev))
		}
		if uid == "" {
			t.Fatalf("%s %s: no VEVENT with a UID\n%s", where, name, data)
		}
		if _, dup := out[uid]; dup {
			t.Errorf("%s: UID %q is in two objects", where, uid)
		}
		slices.Sort(comps)
		out[uid] = strings.Join(comps, "")
	}
	return out
}
