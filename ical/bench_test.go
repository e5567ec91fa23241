// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical_test

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/almanac-project/almanac/ical"
)

// A typical CalDAV object: one VTIMEZONE, a recurring event with attendees
// and an alarm. The comparison with other libraries on a large calendar is
// in the bench module.
var smallObject = func() []byte {
	b, err := os.ReadFile("testdata/fmt/params.txt")
	if err != nil {
		panic(err)
	}
	in, _, _ := bytes.Cut(b, []byte("\n----------\n"))
	return bytes.ReplaceAll(in, []byte("\n"), []byte("\r\n"))
}()

func BenchmarkDecodeSmall(b *testing.B) {
	b.SetBytes(int64(len(smallObject)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ical.NewDecoder(bytes.NewReader(smallObject)).Decode(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeSmall(b *testing.B) {
	cal, err := ical.Parse(smallObject)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(smallObject)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ical.NewEncoder(io.Discard).Encode(cal); err != nil {
			b.Fatal(err)
		}
	}
}
