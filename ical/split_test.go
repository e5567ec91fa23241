// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import (
	"strings"
	"testing"
)

const splitInput = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nMETHOD:PUBLISH\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:A\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VTIMEZONE\r\nTZID:B\r\nEND:VTIMEZONE\r\n" +
	"BEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=B:20260101T100000\r\nEND:VEVENT\r\n" +
	"BEGIN:VTODO\r\nUID:2\r\nEND:VTODO\r\n" +
	"BEGIN:VEVENT\r\nUID:1\r\nRECURRENCE-ID;TZID=A:20260102T100000\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nSUMMARY:no uid\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestSplitMerge(t *testing.T) {
	cal, err := NewDecoder(strings.NewReader(splitInput)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	objs := Split(cal.Component)
	var got []string
	for _, o := range objs {
		if o.Prop(PropMethod) != nil {
			t.Errorf("Split kept METHOD in %v", o.Children)
		}
		var names []string
		for _, ch := range o.Children {
			names = append(names, ch.Name+":"+ch.Value(PropUID)+ch.Value(PropTZID))
		}
		got = append(got, strings.Join(names, ","))
	}
	want := []string{"VTIMEZONE:B,VTIMEZONE:A,VEVENT:1,VEVENT:1", "VTODO:2", "VEVENT:"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Split = %q, want %q", got, want)
	}
	merged := Merge("-//test//EN", "Club, Events", objs)
	if got := merged.Value("X-WR-CALNAME"); got != `Club\, Events` {
		t.Errorf("Merge X-WR-CALNAME = %q", got)
	}
	var names []string
	for _, ch := range merged.Children {
		names = append(names, ch.Name+":"+ch.Value(PropUID)+ch.Value(PropTZID))
	}
	if g, w := strings.Join(names, ","), "VTIMEZONE:B,VTIMEZONE:A,VEVENT:1,VEVENT:1,VTODO:2,VEVENT:"; g != w {
		t.Errorf("Merge = %s, want %s", g, w)
	}
}
