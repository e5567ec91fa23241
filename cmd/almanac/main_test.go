// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinary builds the real binary and checks exit statuses and output
// streams, as scripts see them.
func TestBinary(t *testing.T) {
	bin := binary(t)
	runBin := func(args ...string) (int, string, string) {
		cmd := exec.Command(bin, args...)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String(), errb.String()
	}
	if code, out, _ := runBin("version"); code != 0 || !strings.HasPrefix(out, "almanac ") {
		t.Errorf("version = %d %q", code, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.ics")
	os.WriteFile(bad, []byte("BEGIN:VCALENDAR\r\nATTENDEE;CN=\"x:mailto:a\r\nEND:VCALENDAR\r\n"), 0o644)
	code, out, _ := runBin("ical", "lint", bad)
	if code != 1 || !strings.Contains(out, bad+":2: ") {
		t.Errorf("lint bad = %d %q, want exit 1 and a positioned message", code, out)
	}
	if code, _, errs := runBin("nonsense"); code != 2 || !strings.Contains(errs, "unknown command") || strings.Count(errs, "\n") != 1 {
		t.Errorf("unknown command = %d %q, want exit 2 and one line on stderr", code, errs)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bin, err := buildBinary(); err == nil {
		os.RemoveAll(filepath.Dir(bin))
	}
	os.Exit(code)
}
