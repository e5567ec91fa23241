// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds the real binary once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "almanac-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "almanac")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{err, out}
	}
	return bin, nil
})

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + string(e.out) }

func binary(t *testing.T) string {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// almanac runs the binary with args and stdin, in an environment without
// ALMANAC_ variables, and returns its exit status and output.
func almanac(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = cleanEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ALMANAC_") {
			env = append(env, kv)
		}
	}
	return env
}

// serveProcess is a running `almanac serve`.
type serveProcess struct {
	cmd    *exec.Cmd
	url    string
	stdout *bytes.Buffer // complete once the process has exited
	lines  chan string
	done   chan error
}

// serve starts `almanac serve` on a free loopback port with data dir and
// waits for it to print its URL.
func serve(t *testing.T, data string, args ...string) *serveProcess {
	t.Helper()
	// Reserve a port, then hand it to the server.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(binary(t), append([]string{"serve", "--data", data, "--listen", addr}, args...)...)
	cmd.Env = cleanEnv()
	cmd.Stderr = t.Output()
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, stdout: &bytes.Buffer{}, lines: make(chan string, 16), done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.stdout.WriteString(sc.Text() + "\n")
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case line := <-p.lines:
		m := regexp.MustCompile(`^Almanac is running at (\S+)$`).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("serve printed %q first, want the URL", line)
		}
		p.url = m[1]
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not print its URL within 30 s")
	}
	return p
}

// stop sends SIGTERM and returns the exit status and everything printed
// on stdout.
func (p *serveProcess) stop(t *testing.T) (int, string) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	select {
	case err := <-p.done:
		t.Logf("serve exited %v after SIGTERM", time.Since(start))
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, p.stdout.String()
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not exit within 30 s of SIGTERM")
		return 0, ""
	}
}

func get(t *testing.T, url, user, pass string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), "PROPFIND", url, nil)
	req.Header.Set("Depth", "0")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestServe checks the first-start message, SIGTERM handling, and that the
// user commands work on the data directory while the server runs.
func TestServe(t *testing.T) {
	data := t.TempDir()
	p := serve(t, data)
	var pw string
	select {
	case line := <-p.lines:
		m := regexp.MustCompile(`^Administrator: admin, one-time password: (\S+)  \(change it with .almanac user passwd admin.\)$`).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("first start printed %q after the URL, want the one-time password", line)
		}
		pw = m[1]
	case <-time.After(10 * time.Second):
		t.Fatal("no one-time password printed on the first start")
	}
	if got := get(t, p.url+"dav/", "", ""); got != http.StatusUnauthorized {
		t.Errorf("anonymous PROPFIND /dav/ = %d, want 401", got)
	}
	if got := get(t, p.url+"dav/", "admin", pw); got != http.StatusMultiStatus {
		t.Errorf("PROPFIND /dav/ as admin with the one-time password = %d, want 207", got)
	}

	t.Run("user commands while serving", func(t *testing.T) {
		code, out, errs := almanac(t, "", "user", "add", "ann", "--email", "ann@example.org", "--data", data)
		m := regexp.MustCompile(`^Created user ann with password: (\S+)\n$`).FindStringSubmatch(out)
		if code != 0 || m == nil {
			t.Fatalf("user add ann = %d %q %q", code, out, errs)
		}
		if got := get(t, p.url+"dav/", "ann", m[1]); got != http.StatusMultiStatus {
			t.Errorf("PROPFIND as ann with the generated password = %d, want 207", got)
		}
		if code, _, errs := almanac(t, "n3w password\n", "user", "passwd", "ann", "--password-stdin", "--data", data); code != 0 {
			t.Fatalf("user passwd = %d %q", code, errs)
		}
		if got := get(t, p.url+"dav/", "ann", m[1]); got != http.StatusUnauthorized {
			t.Errorf("old password after user passwd = %d, want 401", got)
		}
		if got := get(t, p.url+"dav/", "ann", "n3w password"); got != http.StatusMultiStatus {
			t.Errorf("new password = %d, want 207", got)
		}
		code, tok, errs := almanac(t, "", "user", "app-password", "ann", "--label", "phone", "--data", data)
		if code != 0 || strings.Count(tok, "\n") != 1 {
			t.Fatalf("user app-password = %d %q %q", code, tok, errs)
		}
		if got := get(t, p.url+"dav/", "ann", strings.TrimSpace(tok)); got != http.StatusMultiStatus {
			t.Errorf("PROPFIND with the app password = %d, want 207", got)
		}
	})

	code, out := p.stop(t)
	if code != 0 {
		t.Errorf("serve after SIGTERM: exit %d, want 0", code)
	}
	if !strings.Contains(out, "one-time password") {
		t.Errorf("stdout lost the first start's message: %q", out)
	}

	// The second start prints the URL but no password.
	p = serve(t, data)
	if code, out := p.stop(t); code != 0 || strings.Contains(out, "password") {
		t.Errorf("second start: exit %d, stdout %q; want 0 and no password", code, out)
	}
}

func TestUserCommands(t *testing.T) {
	data := t.TempDir()
	run := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		return almanac(t, stdin, append(args, "--data", data)...)
	}
	if code, out, errs := run("secret\n", "user", "add", "bob", "--password-stdin", "--admin", "--type", "room", "--email", "bob@example.org", "--email", "mailto:b@example.org"); code != 0 || out != "Created user bob\n" {
		t.Fatalf("user add bob = %d %q %q", code, out, errs)
	}
	code, out, _ := run("", "user", "list")
	if code != 0 || !regexp.MustCompile(`(?m)^bob\s+room\s+yes\s+mailto:bob@example.org mailto:b@example.org\s*$`).MatchString(out) {
		t.Errorf("user list = %d\n%s", code, out)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"user", "add", "bob"}, 1, `user "bob" or one of its addresses already exists`},
		{[]string{"user", "add", "Bad Name"}, 1, "invalid user name"},
		{[]string{"user", "add", "carol", "--type", "robot"}, 1, "invalid --type"},
		{[]string{"user", "add"}, 2, "missing NAME"},
		{[]string{"user", "add", "a", "b"}, 2, `unexpected argument "b"`},
		{[]string{"user", "add", "carol", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"user", "passwd", "nobody"}, 1, `user "nobody" does not exist`},
		{[]string{"user", "delete", "nobody"}, 1, `user "nobody" does not exist`},
		{[]string{"user", "frobnicate"}, 2, "unknown subcommand"},
		{[]string{"user", "add", "dave", "--password-stdin"}, 1, "stdin held no password"},
		{[]string{"user", "list", "--db", "mysql://x"}, 1, "not a PostgreSQL connection string"},
	} {
		code, _, errs := run("", tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("almanac %q = exit %d, stderr %q; want exit %d and one line containing %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
	if code, out, errs := run("", "user", "delete", "bob"); code != 0 || out != "Deleted user bob\n" {
		t.Errorf("user delete bob = %d %q %q", code, out, errs)
	}
	if _, out, _ := run("", "user", "list"); strings.Contains(out, "bob") {
		t.Errorf("bob still listed after delete:\n%s", out)
	}

	t.Run("ALMANAC_DATA", func(t *testing.T) {
		cmd := exec.Command(binary(t), "user", "list")
		cmd.Env = append(cleanEnv(), "ALMANAC_DATA="+data)
		out, err := cmd.Output()
		if err != nil || !strings.HasPrefix(string(out), "NAME") {
			t.Errorf("user list with ALMANAC_DATA = %v %q", err, out)
		}
	})
}

func TestImportExport(t *testing.T) {
	data := t.TempDir()
	if code, _, errs := almanac(t, "pw\n", "user", "add", "ann", "--password-stdin", "--data", data); code != 0 {
		t.Fatal(errs)
	}
	sample := "../../testdata/sample/office-hours.ics"
	code, out, errs := almanac(t, "", "import", "--user", "ann", sample, "--data", data)
	if code != 0 || !regexp.MustCompile(`^Imported \S+office-hours.ics into ann/calendar: 3 created, 0 updated, 0 failed\n$`).MatchString(out) {
		t.Fatalf("import = %d %q %q", code, out, errs)
	}
	if errs != "" {
		t.Errorf("import drew on stderr, which is not a terminal: %q", errs)
	}
	exported := filepath.Join(t.TempDir(), "out.ics")
	if code, _, errs := almanac(t, "", "export", "--user", "ann", "-o", exported, "--data", data); code != 0 {
		t.Fatalf("export = %d %q", code, errs)
	}
	// The round trip keeps every component: re-importing updates the
	// same three objects, and the expanded instances are the same.
	code, out, errs = almanac(t, "", "import", "--user", "ann", exported, "--data", data)
	if code != 0 || !strings.Contains(out, "0 created, 3 updated, 0 failed") {
		t.Errorf("re-import of the export = %d %q %q", code, out, errs)
	}
	expand := func(file string) string {
		_, out, errs := almanac(t, "", "ical", "expand", "--from", "2026-01-01T00:00:00Z", "--to", "2027-01-01T00:00:00Z", "--json", file)
		if out == "" {
			t.Fatalf("ical expand %s: %s", file, errs)
		}
		return out
	}
	if a, b := expand(sample), expand(exported); a != b {
		t.Errorf("instances differ after the export round trip:\n%s\nvs\n%s", a, b)
	}
	code, stdout, _ := almanac(t, "", "export", "--user", "ann", "--data", data)
	if code != 0 || !strings.HasPrefix(stdout, "BEGIN:VCALENDAR\r\n") {
		t.Errorf("export to stdout = %d %.40q", code, stdout)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import", sample}, 2, "missing --user"},
		{[]string{"import", "--user", "ann"}, 2, "exactly one FILE.ics"},
		{[]string{"import", "--user", "ann", "/nonexistent.ics"}, 1, "no such file"},
		{[]string{"import", "--user", "nobody", sample}, 1, `user "nobody" has no calendar "calendar"`},
		{[]string{"export", "--user", "ann", "--calendar", "work"}, 1, `user "ann" has no calendar "work"`},
		{[]string{"export"}, 2, "missing --user"},
	} {
		code, _, errs := almanac(t, "", append(tc.args, "--data", data)...)
		if code != tc.code || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("almanac %q = exit %d, stderr %q; want exit %d and one line containing %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}

func TestServeErrors(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "almanac.toml")
	os.WriteFile(conf, []byte("listen = \"127.0.0.1:0\"\nlisten-port = 1\n"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "--config", conf}, 1, `unknown key "listen-port"`},
		{[]string{"serve", "--listen", "nonsense"}, 1, "listen:"},
		{[]string{"serve", "--nope"}, 2, "flag provided but not defined"},
		{[]string{"serve", "extra"}, 2, `unexpected argument "extra"`},
	} {
		code, _, errs := almanac(t, "", append(tc.args, "--data", dir)...)
		if code != tc.code || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("almanac %q = exit %d, stderr %q; want exit %d and one line containing %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
	if code, out, _ := almanac(t, "", "serve", "-h"); code != 0 || !strings.Contains(out, "ALMANAC_SMTP_RELAY") {
		t.Errorf("serve -h = %d, want 0 and the flags with their variables:\n%s", code, out)
	}
}
