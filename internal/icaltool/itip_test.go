// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package icaltool_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/internal/icaltool"
)

// itipVector is one of the RFC example messages kept by package itip.
func itipVector(name string) string {
	return "../../itip/testdata/rfc-examples/" + name
}

func runITIP(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = icaltool.ITIPMain(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestITIPCheck(t *testing.T) {
	request := itipVector("rfc5546/rfc5546_4.2.2_a_REPLY-VEVENT.ics")
	delegation := itipVector("rfc5546/rfc5546_4.2.6_a_REPLY-VEVENT.ics")
	unbalanced := itipVector("ischedule-05/ischedule05_failed-request_01_request_ical1_REQUEST-VTODO.ics")
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  []string // lines of standard output, in order
	}{
		{"valid REPLY", []string{"check", request}, "", 0,
			[]string{request + ": valid REPLY VEVENT"}},
		{"delegation REPLY, interop", []string{"check", delegation}, "", 0, []string{
			delegation + ":9: warning: VEVENT[0]: ATTENDEE: 2 ATTENDEEs linked by delegation; accepted although the table says presence 1 [RFC 5546 §3.2.2.3]",
			delegation + ": valid REPLY VEVENT"}},
		{"delegation REPLY, strict", []string{"check", "--strict", delegation}, "", 1, []string{
			delegation + ":9: error: VEVENT[0]: ATTENDEE: too many (presence 1, found 2) [RFC 5546 §3.2.3]",
			delegation + ": invalid (1 error) — REQUEST-STATUS 3.13"}},
		{"flag after the file", []string{"check", delegation, "--strict"}, "", 1, []string{
			delegation + ":9: error: VEVENT[0]: ATTENDEE: too many (presence 1, found 2) [RFC 5546 §3.2.3]",
			delegation + ": invalid (1 error) — REQUEST-STATUS 3.13"}},
		{"BEGIN:VTODO closed by END:VEVENT", []string{"check", unbalanced}, "", 1, []string{
			unbalanced + ":14: error: END:VEVENT does not match BEGIN:VTODO on line 5",
			unbalanced + ": invalid (unparsable)"}},
		{"standard input", []string{"check", "-"},
			"BEGIN:VCALENDAR\nPRODID:x\nVERSION:2.0\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:1\nDTSTAMP:20260101T000000Z\nORGANIZER:mailto:a@example.com\nEND:VEVENT\nEND:VCALENDAR\n", 1,
			[]string{
				"<stdin>:5: error: VEVENT[0]: SEQUENCE: missing (presence 1, found 0) [RFC 5546 §3.2.5]",
				"<stdin>: invalid (1 error) — REQUEST-STATUS 3.11"}},
		{"LF on standard input, strict", []string{"check", "--strict", "-"}, "BEGIN:VCALENDAR\nEND:VCALENDAR\n", 1, []string{
			"<stdin>:1: error: bare LF line ending: RFC 5545 §3.1 requires CRLF",
			"<stdin>: invalid (unparsable)"}},
		{"originator", []string{"check", "--originator", "mailto:c@example.com", delegation}, "", 0, []string{
			delegation + ":9: warning: VEVENT[0]: ATTENDEE: 2 ATTENDEEs linked by delegation; accepted although the table says presence 1 [RFC 5546 §3.2.2.3]",
			delegation + ": valid REPLY VEVENT"}},
		{"forged originator", []string{"check", "--originator", "mailto:mallory@example.com", request}, "", 1, []string{
			request + ":5: error: VEVENT[0]: ATTENDEE: REPLY sent by mailto:mallory@example.com, who is no ATTENDEE (nor the SENT-BY of one) [RFC 5546 §1.4]",
			request + ": invalid (1 error) — REQUEST-STATUS 3.8"}},
		{"two files", []string{"check", request, unbalanced}, "", 1, []string{
			request + ": valid REPLY VEVENT",
			unbalanced + ":14: error: END:VEVENT does not match BEGIN:VTODO on line 5",
			unbalanced + ": invalid (unparsable)"}},
	}
	for _, tt := range tests {
		code, out, errs := runITIP(t, tt.stdin, tt.args...)
		got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if code != tt.code || strings.Join(got, "\n") != strings.Join(tt.want, "\n") || errs != "" {
			t.Errorf("%s: ITIPMain(%q) = %d\n%s\nstderr %q\nwant %d\n%s", tt.name, tt.args, code, out, errs, tt.code, strings.Join(tt.want, "\n"))
		}
	}
}

func TestITIPCheckUsage(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string // a substring
		stderr string // a substring
	}{
		{nil, 2, "", "usage: almanac itip check"},
		{[]string{"lint"}, 2, "", `unknown command "lint"`},
		{[]string{"check"}, 2, "", "want a FILE"},
		{[]string{"check", "--bogus", "x.ics"}, 2, "", "flag provided but not defined"},
		{[]string{"check", "-h"}, 0, "-strict", ""},
		{[]string{"check", "missing-file.ics"}, 1, "", "missing-file.ics"},
	}
	for _, tt := range tests {
		code, out, errs := runITIP(t, "", tt.args...)
		if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errs, tt.stderr) {
			t.Errorf("ITIPMain(%q) = %d, stdout %q, stderr %q; want %d, %q, %q", tt.args, code, out, errs, tt.code, tt.stdout, tt.stderr)
		}
	}
	if _, err := os.Stat(itipVector("manifest.json")); err != nil {
		t.Fatalf("the itip vectors moved: %v", err)
	}
}
