// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"testing"
)

// BenchmarkOrganizerUpdate100 moves an event with 100 attendees: one
// significant change, SEQUENCE raised, every answer reset, one REQUEST
// built for 101 recipients.
func BenchmarkOrganizerUpdate100(b *testing.B) {
	old := otParse(b, otHundred()...)
	new := otParse(b, otEdit(otHundred(), "DTSTART", "DTSTART:20260105T080000Z")...)
	opts := otOpts()
	b.ReportAllocs()
	for b.Loop() {
		up, err := OrganizerUpdate(old, new, opts)
		if err != nil || len(up.Messages) != 1 {
			b.Fatalf("OrganizerUpdate() = %d messages, %v", len(up.Messages), err)
		}
	}
}

// BenchmarkApplyRequest applies the REQUEST of that change to an
// attendee's copy of the event, keeping the attendee's alarm, TRANSP and
// client state.
func BenchmarkApplyRequest(b *testing.B) {
	old := otParse(b, otHundred()...)
	up, err := OrganizerUpdate(nil, old, otOpts())
	if err != nil {
		b.Fatal(err)
	}
	const who = "mailto:a7@example.com"
	first, err := applyRequest(nil, up.Messages[0].Calendar, who, otOpts())
	if err != nil || !first.Applied {
		b.Fatalf("applyRequest(new copy) = %+v, %v", first, err)
	}
	stored := first.Object
	ev := newObject(stored).comps[0]
	ev.Props = append(ev.Props, otParse(b, otCal(otComp("VEVENT", "TRANSP:TRANSPARENT", "X-MOZ-LASTACK:20260105T084500Z"))...).Children[0].Props...)
	ev.Children = append(ev.Children, otParse(b, otCal(otComp("VALARM", "ACTION:DISPLAY", "TRIGGER:-PT10M", "DESCRIPTION:x"))...).Children[0])
	moved, err := OrganizerUpdate(old, otParse(b, otEdit(otHundred(), "DTSTART", "DTSTART:20260105T080000Z")...), otOpts())
	if err != nil {
		b.Fatal(err)
	}
	msg := moved.Messages[0].Calendar
	opts := otOpts()
	b.ReportAllocs()
	for b.Loop() {
		r, err := applyRequest(stored, msg, who, opts)
		if err != nil || !r.Applied || !r.Significant {
			b.Fatalf("applyRequest() = %+v, %v", r, err)
		}
	}
}
