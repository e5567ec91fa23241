// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"fmt"

	"github.com/almanac-project/almanac/ical"
)

// freeBusyProps are the properties a free-busy computation reads (RFC 4791
// §7.10: times, recurrence, TRANSP and STATUS); everything else is hidden
// from a principal that holds CALDAV:read-free-busy only.
var freeBusyProps = map[string]bool{
	ical.PropUID: true, ical.PropDTStamp: true, ical.PropDTStart: true, ical.PropDTEnd: true,
	ical.PropDuration: true, ical.PropDue: true, ical.PropRRule: true, ical.PropRDate: true,
	ical.PropExDate: true, ical.PropExRule: true, ical.PropRecurrenceID: true,
	ical.PropTransp: true, ical.PropStatus: true, ical.PropFreeBusy: true,
	ical.PropSequence: true,
}

// FreeBusyData returns the free-busy view of an object's data: its
// VTIMEZONEs whole and, of the other components, only the properties
// free-busy time is computed from, without sub-components (VALARM). It is
// what QueryObjects hands out to a principal with read-free-busy only.
func FreeBusyData(data []byte) ([]byte, error) {
	cal, err := ical.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("free-busy view: %w", err)
	}
	out := ical.NewComponent(ical.CompCalendar)
	for _, p := range cal.Props {
		if p.Name == ical.PropVersion || p.Name == ical.PropProdID || p.Name == ical.PropCalScale {
			out.Add(p)
		}
	}
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			out.Children = append(out.Children, c)
			continue
		}
		v := ical.NewComponent(c.Name)
		for _, p := range c.Props {
			if freeBusyProps[p.Name] {
				v.Add(p)
			}
		}
		out.Children = append(out.Children, v)
	}
	return ical.Marshal(out), nil
}
