// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/almanac-project/almanac/itip"
)

// FuzzValidate feeds arbitrary input through ParseMessage, Validate,
// MethodOf and CheckOriginator in both modes. Properties: no panic;
// Validate is deterministic; its problems are sorted by line and complete;
// Valid and StatusOf agree.
func FuzzValidate(f *testing.F) {
	// Every iTIP message of the RFC examples (RFC 5546 §4, RFC 6047,
	// RFC 6638 Appendix B, iSchedule -00 and -05), valid and invalid:
	// see testdata/rfc-examples/manifest.json.
	entries, files := loadVectors(f)
	for _, e := range entries {
		f.Add(files[e.ID])
	}
	// A REPLY with the ATTENDEEs of a delegation, folded inside a parameter.
	f.Add([]byte("BEGIN:VCALENDAR\r\nPRODID:x\r\nVERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\n" +
		"ORGANIZER:mailto:a@x\r\nATTENDEE;DELEGATED-TO=\"mailto:e@x\":mailto:c@x\r\nATTENDEE;DELEGATED-\r\n FROM=\"mailto:c@x\":mailto:e@x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	// Two component types, an unknown METHOD, an X- component and a VALARM
	// inside a VJOURNAL, with bare LF line endings.
	f.Add([]byte("BEGIN:VCALENDAR\nMETHOD:FOO\nBEGIN:VEVENT\nUID:1\nEND:VEVENT\nBEGIN:VJOURNAL\nBEGIN:VALARM\nEND:VALARM\nEND:VJOURNAL\nBEGIN:X-A\nEND:X-A\nEND:VCALENDAR\n"))
	// An override whose master does not recur, a TZID without VTIMEZONE and
	// a VTIMEZONE without STANDARD or DAYLIGHT.
	f.Add([]byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VTIMEZONE\r\nTZID:A\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:1\r\nRECURRENCE-ID;TZID=B:20260101T000000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	// Unbalanced BEGIN and END.
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, mode := range []itip.Mode{itip.ModeStrict, itip.ModeInterop} {
			cal, err := itip.ParseMessage(data, mode)
			if err != nil {
				if cal != nil {
					t.Fatalf("ParseMessage(%s) returned a calendar and %v", mode, err)
				}
				continue
			}
			opts := itip.ValidateOptions{Mode: mode}
			ps := itip.Validate(cal.Component, opts)
			if again := itip.Validate(cal.Component, opts); !reflect.DeepEqual(ps, again) {
				t.Fatalf("Validate(%s) is not deterministic:\n%v\n%v", mode, ps, again)
			}
			if !slices.IsSortedFunc(ps, func(a, b itip.Problem) int { return a.Line - b.Line }) {
				t.Fatalf("Validate(%s) problems not sorted by line: %v", mode, ps)
			}
			for _, p := range ps {
				if p.Rule == "" || p.Status == "" || p.Section == "" || p.Message == "" {
					t.Fatalf("Validate(%s): incomplete problem %#v", mode, p)
				}
				_ = p.String()
			}
			if itip.Valid(ps) != (itip.StatusOf(ps) == "2.0") {
				t.Fatalf("Valid = %v but StatusOf = %s", itip.Valid(ps), itip.StatusOf(ps))
			}
			itip.MethodOf(cal.Component)
			for _, who := range []string{"mailto:a@x", "mailto:c@x", "mailto:e@x", ""} {
				if p := itip.CheckOriginator(cal.Component, who); p != nil && (p.Rule != "originator" || p.Status != "3.8") {
					t.Fatalf("CheckOriginator(%q) = %#v", who, *p)
				}
			}
		}
	})
}
