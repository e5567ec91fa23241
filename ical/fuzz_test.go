// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical_test

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/vectors"
)

// FuzzDecode checks that decoding never panics, and that whatever decodes
// also survives decode → encode → decode unchanged with a byte-stable
// second encoding.
func FuzzDecode(f *testing.F) {
	// Every real-world and RFC example object of the shared vectors.
	objs, err := vectors.Calendars("ics", "imip", "rfc-examples")
	if err != nil {
		f.Fatal(err)
	}
	for _, o := range objs {
		f.Add(o.Data)
	}
	// go-ical panicked on these two malformed lines (design/dependencies.md §2).
	f.Add([]byte("BEGIN:VCALENDAR\r\nSUMMARY;X=1\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte("BEGIN:VCALENDAR\r\nATTENDEE;CN=\"a\"b:mailto:x\r\nEND:VCALENDAR\r\n"))
	// A fold inside a UTF-8 sequence, and RFC 6868 escapes.
	f.Add([]byte("BEGIN:VCALENDAR\r\nSUMMARY:caf\xc3\r\n \xa9\r\nX-A;CN=^'q^' ^n^^:v\r\nEND:VCALENDAR\r\n"))
	// Lower-case names, bare LF, a missing END.
	f.Add([]byte("begin:vcalendar\nbegin:vevent\nsummary:x\n"))
	// Unbalanced END lines and text after the object.
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nBEGIN:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\ngarbage\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := ical.DecodeOptions{MaxLineBytes: 1 << 16, MaxComponents: 10_000}
		cals, err := decodeObjects(data, opts)
		if err != nil || len(cals) == 0 {
			return
		}
		first := encodeAll(t, cals)
		again, err := decodeObjects(first, opts)
		if err != nil {
			t.Fatalf("decode(encode(x)) failed: %v\n%q", err, first)
		}
		for _, c := range cals {
			stripLines(c.Component)
		}
		for _, c := range again {
			stripLines(c.Component)
		}
		if !reflect.DeepEqual(cals, again) {
			t.Fatalf("decode(encode(x)) differs from x: %s", firstDiff(cals, again))
		}
		if second := encodeAll(t, again); !bytes.Equal(first, second) {
			t.Fatalf("encoding not idempotent\n%q\n%q", first, second)
		}
	})
}

// firstDiff describes the first property where two decodings differ.
func firstDiff(a, b []*ical.Calendar) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d objects, then %d", len(a), len(b))
	}
	var walk func(x, y *ical.Component) string
	walk = func(x, y *ical.Component) string {
		if x.Name != y.Name || len(x.Props) != len(y.Props) || len(x.Children) != len(y.Children) {
			return fmt.Sprintf("component %s (%d props, %d children) became %s (%d, %d)", x.Name, len(x.Props), len(x.Children), y.Name, len(y.Props), len(y.Children))
		}
		for i := range x.Props {
			if !reflect.DeepEqual(x.Props[i], y.Props[i]) {
				return fmt.Sprintf("in %s: %q became %q", x.Name, ical.AppendProperty(nil, &x.Props[i]), ical.AppendProperty(nil, &y.Props[i]))
			}
		}
		for i := range x.Children {
			if d := walk(x.Children[i], y.Children[i]); d != "" {
				return d
			}
		}
		return ""
	}
	for i := range a {
		if d := walk(a[i].Component, b[i].Component); d != "" {
			return d
		}
	}
	return "no difference found"
}
