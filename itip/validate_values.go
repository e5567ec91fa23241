// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"strconv"
	"strings"

	"github.com/almanac-project/almanac/ical"
)

// values applies the RFC 5545 value rules (seed-mapping §3.7 step 5:
// DTSTAMP in UTC, DATE-TIME syntax, CAL-ADDRESS URIs, booleans, RRULE
// grammar, …) through ical.Validate: in strict mode every error of its
// strict mode, in interop mode only what is an error in its lenient mode;
// its warnings stay warnings. A finding at a line and property that a table
// rule already reported is left out.
func (v *tableCheck) values() {
	found := ical.Validate(v.cal, ical.ValidateOptions{Strict: v.strict, KnownTZID: v.opts.KnownTZID})
	if len(found) == 0 {
		return
	}
	locs := locateLines(v.cal)
	tableProbs := len(v.probs)
	for _, f := range found {
		loc, ok := locs[f.Line]
		if f.Line == 0 || !ok {
			loc = lineLocation{ref: calendarRef}
		}
		warning := f.Severity != ical.SeverityError
		if v.reported(tableProbs, f.Line, loc.prop, warning) {
			continue
		}
		status := valueStatus(loc.prop, f.Msg)
		v.probs = append(v.probs, Problem{
			Component: loc.ref.name,
			Index:     loc.ref.index,
			Property:  loc.prop,
			Rule:      "value",
			Section:   findingSection(loc.prop, loc.ref.name, f.Msg, status),
			Line:      f.Line,
			Message:   f.Msg + loc.ref.in,
			Warning:   warning,
			Status:    status,
		})
	}
}

// reported reports whether one of the first n problems, found by the
// tables, is at line for the same property (or the ical finding concerns
// the whole component) and at least as severe.
func (v *tableCheck) reported(n, line int, prop string, warning bool) bool {
	if line == 0 {
		return false
	}
	for _, p := range v.probs[:n] {
		if p.Line == line && (prop == "" || p.Property == prop) && (warning || !p.Warning) {
			return true
		}
	}
	return false
}

// lineLocation is the component and property an input line belongs to.
type lineLocation struct {
	ref  compRef
	prop string
}

// locateLines maps the input lines of cal's components and properties to
// the Component, Index and Property of a Problem.
func locateLines(cal *ical.Component) map[int]lineLocation {
	m := map[int]lineLocation{}
	var walk func(c *ical.Component, ref compRef)
	walk = func(c *ical.Component, ref compRef) {
		if c.Line > 0 {
			m[c.Line] = lineLocation{ref: ref}
		}
		for i := range c.Props {
			if l := c.Props[i].Line; l > 0 {
				m[l] = lineLocation{ref: ref, prop: c.Props[i].Name}
			}
		}
		for i, ch := range c.Children {
			cref := compRef{name: ch.Name, index: siblingIndex(c, i)}
			if c.Name != ical.CompCalendar {
				// Sub-components carry their holder's index.
				cref.index = ref.index
				cref.in = " in " + c.Name + "[" + strconv.Itoa(ref.index) + "]"
			}
			walk(ch, cref)
		}
	}
	walk(cal, calendarRef)
	return m
}

// valueStatus maps an RFC 5545 finding on property prop to a REQUEST-STATUS
// code of RFC 5546 §3.6.
func valueStatus(prop, msg string) string {
	switch {
	case prop == "":
		if strings.Contains(msg, " has no ") {
			return "3.11" // required component or property missing
		}
		return "3.4" // invalid calendar component sequence
	case strings.HasPrefix(msg, "TZID "):
		return "3.11" // the VTIMEZONE is missing
	case strings.Contains(msg, " parameter ") || strings.Contains(msg, "PARTSTAT=") ||
		strings.Contains(msg, "RANGE=") || strings.Contains(msg, "SCHEDULE-STATUS") ||
		strings.Contains(msg, "has TZID on") ||
		strings.Contains(msg, " has invalid ") && strings.Contains(msg, " value \"") && !strings.Contains(msg, " has invalid value "):
		return "3.3" // invalid property parameter value
	case strings.Contains(msg, "not allowed") || strings.Contains(msg, "more than one") || strings.Contains(msg, "has both"):
		return "3.13"
	}
	switch prop {
	case ical.PropVersion:
		return "3.9"
	case ical.PropRRule, ical.PropExRule:
		return "3.6"
	case ical.PropOrganizer, ical.PropAttendee:
		return "3.7"
	case ical.PropDTStart, ical.PropDTEnd, ical.PropDue, ical.PropDTStamp, ical.PropCreated,
		ical.PropLastModified, ical.PropCompleted, ical.PropRecurrenceID, ical.PropExDate,
		ical.PropRDate, ical.PropTrigger, ical.PropFreeBusy, ical.PropDuration:
		return "3.5"
	}
	return "3.1"
}

// rfc5545Sections are the sections of RFC 5545 that define each property
// and component.
var rfc5545Sections = map[string]string{
	ical.CompCalendar: "3.4", ical.CompEvent: "3.6.1", ical.CompToDo: "3.6.2",
	ical.CompJournal: "3.6.3", ical.CompFreeBusy: "3.6.4", ical.CompTimezone: "3.6.5",
	ical.CompStandard: "3.6.5", ical.CompDaylight: "3.6.5", ical.CompAlarm: "3.6.6",
	ical.PropCalScale: "3.7.1", ical.PropMethod: "3.7.2", ical.PropProdID: "3.7.3",
	ical.PropVersion: "3.7.4", ical.PropAttach: "3.8.1.1", ical.PropCategories: "3.8.1.2",
	ical.PropClass: "3.8.1.3", ical.PropComment: "3.8.1.4", ical.PropDescription: "3.8.1.5",
	ical.PropGeo: "3.8.1.6", ical.PropLocation: "3.8.1.7", ical.PropPercentComplete: "3.8.1.8",
	ical.PropPriority: "3.8.1.9", ical.PropResources: "3.8.1.10", ical.PropStatus: "3.8.1.11",
	ical.PropSummary: "3.8.1.12", ical.PropCompleted: "3.8.2.1", ical.PropDTEnd: "3.8.2.2",
	ical.PropDue: "3.8.2.3", ical.PropDTStart: "3.8.2.4", ical.PropDuration: "3.8.2.5",
	ical.PropFreeBusy: "3.8.2.6", ical.PropTransp: "3.8.2.7", ical.PropTZID: "3.8.3.1",
	ical.PropTZName: "3.8.3.2", ical.PropTZOffsetFrom: "3.8.3.3", ical.PropTZOffsetTo: "3.8.3.4",
	ical.PropTZURL: "3.8.3.5", ical.PropAttendee: "3.8.4.1", ical.PropContact: "3.8.4.2",
	ical.PropOrganizer: "3.8.4.3", ical.PropRecurrenceID: "3.8.4.4", ical.PropRelatedTo: "3.8.4.5",
	ical.PropURL: "3.8.4.6", ical.PropUID: "3.8.4.7", ical.PropExDate: "3.8.5.1",
	ical.PropRDate: "3.8.5.2", ical.PropRRule: "3.8.5.3", ical.PropAction: "3.8.6.1",
	ical.PropRepeat: "3.8.6.2", ical.PropTrigger: "3.8.6.3", ical.PropCreated: "3.8.7.1",
	ical.PropDTStamp: "3.8.7.2", ical.PropLastModified: "3.8.7.3", ical.PropSequence: "3.8.7.4",
	ical.PropRequestStatus: "3.8.8.3",
}

// paramSections are the sections that define the parameters ical.Validate
// checks.
var paramSections = [...]struct{ name, section string }{
	{ical.ParamCUType, "RFC 5545 §3.2.3"}, {ical.ParamDelegatedFrom, "RFC 5545 §3.2.4"},
	{ical.ParamDelegatedTo, "RFC 5545 §3.2.5"}, {ical.ParamEncoding, "RFC 5545 §3.2.7"},
	{ical.ParamFBType, "RFC 5545 §3.2.9"}, {ical.ParamPartStat, "RFC 5545 §3.2.12"},
	{ical.ParamRange, "RFC 5545 §3.2.13"}, {ical.ParamRelated, "RFC 5545 §3.2.14"},
	{ical.ParamRelType, "RFC 5545 §3.2.15"}, {ical.ParamRole, "RFC 5545 §3.2.16"},
	{ical.ParamRSVP, "RFC 5545 §3.2.17"}, {ical.ParamSentBy, "RFC 5545 §3.2.18"},
	{ical.ParamTZID, "RFC 5545 §3.2.19"}, {ical.ParamValue, "RFC 5545 §3.2.20"},
	{ical.ParamScheduleStatus, "RFC 6638 §7.3"}, {ical.ParamScheduleAgent, "RFC 6638 §7.1"},
}

// findingSection names the section a finding of ical.Validate comes from:
// that of the parameter it names, else that of the property or component.
func findingSection(prop, comp, msg, status string) string {
	if status == "3.3" || status == "3.11" && prop != "" {
		for _, ps := range paramSections {
			if strings.Contains(msg, " "+ps.name+" ") || strings.Contains(msg, ps.name+"=") || strings.HasPrefix(msg, ps.name+" ") {
				return ps.section
			}
		}
	}
	return rfc5545Section(prop, comp)
}

// rfc5545Section names the RFC 5545 section of a property, or else of its
// component.
func rfc5545Section(prop, comp string) string {
	if s, ok := rfc5545Sections[prop]; ok {
		return "RFC 5545 §" + s
	}
	if s, ok := rfc5545Sections[comp]; ok && prop == "" {
		return "RFC 5545 §" + s
	}
	return "RFC 5545"
}
