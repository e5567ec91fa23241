// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical_test

import (
	"fmt"
	"strings"

	"github.com/almanac-project/almanac/ical"
)

func ExampleDecoder() {
	in := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:1@example.com\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART;TZID=Europe/Berlin:20260105T090000\r\n" +
		"SUMMARY:Rehearsal\\, then lunch\r\n" +
		"ATTENDEE;CN=\"Jane Doe\";PARTSTAT=ACCEPTED:mailto:jane@example.com\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	cal, err := ical.NewDecoder(strings.NewReader(in)).Decode()
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := cal.Events()[0]
	summary, _ := ev.Prop(ical.PropSummary).Text()
	start, _ := ev.Prop(ical.PropDTStart).DateTime()
	att := ev.Prop(ical.PropAttendee)
	fmt.Println(summary)
	fmt.Println(start.Kind, start.TZID, start)
	fmt.Println(att.Params.Get(ical.ParamCN), att.Params.Get(ical.ParamPartStat), att.CalAddress())
	// Output:
	// Rehearsal, then lunch
	// zoned Europe/Berlin 20260105T090000
	// Jane Doe ACCEPTED mailto:jane@example.com
}

func ExampleEncoder() {
	cal := ical.NewCalendar("-//Example//EN")
	ev := ical.NewComponent(ical.CompEvent)
	ev.Add(ical.NewProperty(ical.PropUID, "2@example.com"))
	start := ical.NewProperty(ical.PropDTStart, "")
	start.SetDateTime(ical.NewDate(2026, 12, 24))
	ev.Add(start)
	summary := ical.NewProperty(ical.PropSummary, "")
	summary.SetText("Dinner; bring wine, cheese")
	ev.Add(summary)
	org := ical.NewProperty(ical.PropOrganizer, "mailto:host@example.com")
	org.Params.Set(ical.ParamCN, "Host, The")
	ev.Add(org)
	cal.Children = append(cal.Children, ev)
	var b strings.Builder
	if err := ical.NewEncoder(&b).Encode(cal); err != nil {
		fmt.Println(err)
	}
	// The encoding has CRLF line breaks; shown here with LF.
	fmt.Print(strings.ReplaceAll(b.String(), "\r\n", "\n"))
	// Output:
	// BEGIN:VCALENDAR
	// PRODID:-//Example//EN
	// VERSION:2.0
	// BEGIN:VEVENT
	// UID:2@example.com
	// DTSTART;VALUE=DATE:20261224
	// SUMMARY:Dinner\; bring wine\, cheese
	// ORGANIZER;CN="Host, The":mailto:host@example.com
	// END:VEVENT
	// END:VCALENDAR
}

func ExampleValidate() {
	in := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\n" +
		"BEGIN:VEVENT\r\nUID:3@example.com\r\nDTSTAMP:20260101T000000Z\r\n" +
		"DTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nDURATION:PT1H\r\n" +
		"END:VEVENT\r\nEND:VCALENDAR\r\n"
	cal, _ := ical.Parse([]byte(in))
	for _, p := range ical.Validate(cal.Component, ical.ValidateOptions{Strict: true}) {
		fmt.Println(p.Severity, p)
	}
	// Output:
	// error line 9: VEVENT has both DTEND and DURATION
}
