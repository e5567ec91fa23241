// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"strings"
	"testing"
)

// TestITIPCheckBinary runs "almanac itip check" as scripts see it: exit
// statuses, the summary line and the usage text.
func TestITIPCheckBinary(t *testing.T) {
	const vectors = "../../itip/testdata/rfc-examples/rfc5546/"
	valid := vectors + "rfc5546_4.2.1_a_REQUEST-VEVENT.ics"
	delegation := vectors + "rfc5546_4.2.6_a_REPLY-VEVENT.ics"
	tests := []struct {
		args    []string
		stdin   string
		code    int
		summary string // the last line of standard output
	}{
		{[]string{"itip", "check", delegation}, "", 0, delegation + ": valid REPLY VEVENT"},
		{[]string{"itip", "check", "--strict", delegation}, "", 1, delegation + ": invalid (1 error) — REQUEST-STATUS 3.13"},
		// RFC 5546 §4.2.1 prints DTEND:19970701T2100000Z, one digit too many.
		{[]string{"itip", "check", valid}, "", 1, valid + ": invalid (1 error) — REQUEST-STATUS 3.5"},
		{[]string{"itip", "check", "-"}, "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 1, "<stdin>: invalid (unparsable)"},
		{[]string{"itip", "check"}, "", 2, ""},
		{[]string{"itip"}, "", 2, ""},
	}
	for _, tt := range tests {
		code, out, errs := almanac(t, tt.stdin, tt.args...)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if code != tt.code || lines[len(lines)-1] != tt.summary {
			t.Errorf("almanac %q = %d\n%s\nstderr %q\nwant %d and the summary %q", tt.args, code, out, errs, tt.code, tt.summary)
		}
		if code == 2 && (errs == "" || out != "") {
			t.Errorf("almanac %q: a usage error goes to stderr only; stdout %q, stderr %q", tt.args, out, errs)
		}
	}
	if code, out, _ := almanac(t, "", "help"); code != 0 || !strings.Contains(out, "itip check [--strict] [--originator ADDR] FILE...") {
		t.Errorf("almanac help = %d, usage does not list itip check:\n%s", code, out)
	}
}
