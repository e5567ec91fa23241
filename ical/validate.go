// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Severity says how bad a validation Problem is.
type Severity uint8

const (
	// SeverityWarning marks a deviation from the RFCs that does not stop
	// the object from being understood, or a value that is allowed but
	// not registered.
	SeverityWarning Severity = iota + 1
	// SeverityError marks an object that violates a MUST of the RFCs in a
	// way that makes it ambiguous or unusable.
	SeverityError
)

// String returns "warning" or "error".
func (s Severity) String() string {
	switch s {
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return "Severity(" + strconv.Itoa(int(s)) + ")"
}

// Problem is one validation finding.
type Problem struct {
	// Line is the line of the offending property, or of the BEGIN line of
	// the offending component; 0 when the input position is unknown.
	Line int
	// Severity says whether the finding is an error or a warning.
	Severity Severity
	// Msg says what is wrong, without a line number.
	Msg string
}

// String returns the problem as "line 12: VEVENT has both DTEND and
// DURATION", or just the message when the line is unknown.
func (p Problem) String() string {
	if p.Line > 0 {
		return "line " + strconv.Itoa(p.Line) + ": " + p.Msg
	}
	return p.Msg
}

// ValidateOptions tunes Validate. The zero value validates leniently and
// accepts only the TZIDs that the calendar itself defines.
type ValidateOptions struct {
	// Strict reports every violation of a MUST of the RFCs as an error.
	// When false (lenient), violations that real producers commit and that
	// do not make the object ambiguous (a missing DTSTAMP, RSVP=YES, a
	// DATE value without VALUE=DATE, …) are warnings; see the rule table
	// of Validate for which rules are softened.
	Strict bool
	// KnownTZID reports whether a TZID parameter value names a time zone
	// that is known without a VTIMEZONE in the object (RFC 7809), such as
	// an IANA or Windows zone name. When nil, only the TZIDs defined by a
	// VTIMEZONE of the validated calendar count as defined; a TZID that is
	// not defined is then an error in strict mode and a warning in lenient
	// mode; TZIDs of a lone component (not a VCALENDAR, so without
	// VTIMEZONEs) are then not checked. When set and it returns false for
	// a TZID the calendar does not
	// define either, the reference is an error in both modes. Package ical
	// does not know zone names itself; package ical/tz provides one.
	KnownTZID func(tzid string) bool
}

// Validate checks c, usually a VCALENDAR but any lone component is
// accepted, against the component and property rules of RFC 5545 §3.2,
// §3.3, §3.6–3.8, RFC 7986 (new properties), RFC 7953 (VAVAILABILITY,
// AVAILABLE), RFC 9074 (VALARM properties) and the scheduling parameters of
// RFC 6638 §7. It returns the problems found, sorted by line, or nil.
//
// When the calendar has a METHOD property the object is an iTIP message
// (RFC 5546): the only difference here is that VEVENT needs no DTSTART;
// the iTIP restriction tables are checked by package itip.
//
// Validate reads c and never changes it. It runs one pass over each
// component's properties and does not panic on any decoded input.
//
// Rules, with their severity in strict and lenient mode:
//
//	Rule                                                   RFC                  Strict  Lenient
//	VERSION or PRODID missing                              5545 §3.6            error   warning
//	VERSION other than 2.0                                 5545 §3.7.4          error   error
//	VCALENDAR without any component                        5545 §3.6            error   warning
//	required property missing (UID, DTSTART, TRIGGER, …)   5545 §3.6.x          error   error
//	DTSTAMP missing                                        5545 §3.6.1–3.6.4    error   warning
//	DESCRIPTION/SUMMARY/ATTENDEE missing in VALARM         5545 §3.6.6          error   warning
//	at-most-once property repeated: dates, UID, ACTION, …  5545 §3.6.x          error   error
//	at-most-once property repeated: descriptive ones       5545 §3.6.x          error   warning
//	RRULE repeated (SHOULD NOT)                            5545 §3.6.1          warning warning
//	known property in a component that does not allow it   5545 §3.6.x          error   warning
//	known component nested where it is not allowed         5545 §3.6            error   error
//	VALARM outside VEVENT and VTODO                        5545 §3.6.6          error   warning
//	DTEND and DURATION, DUE and DURATION together          5545 §3.6.1, §3.6.2  error   error
//	DURATION or RRULE without DTSTART (VTODO, VJOURNAL, …) 5545 §3.6.2, §3.8.2.4 error  error
//	DTEND/DUE/RECURRENCE-ID DATE vs DATE-TIME mismatch     5545 §3.8.2.2, §3.8.4.4 error error
//	DTEND/DUE floating vs non-floating mismatch            5545 §3.8.2.2        error   warning
//	DTEND/DUE before DTSTART, negative DURATION            5545 §3.8.2.2        error   error
//	DTEND/DUE equal to DTSTART ("MUST be later")           5545 §3.8.2.2        error   warning
//	DURATION with a time part when DTSTART is a DATE       5545 §3.8.2.5        error   warning
//	RRULE without FREQ, bad FREQ, COUNT and UNTIL          5545 §3.3.10         error   error
//	BYHOUR/BYMINUTE/BYSECOND with a DATE DTSTART           5545 §3.3.10         error   warning
//	UNTIL of another form than DTSTART requires            5545 §3.3.10         error   warning
//	TZID not defined by a VTIMEZONE (KnownTZID nil)        5545 §3.2.19         error   warning
//	TZID neither defined nor known to KnownTZID            5545 §3.2.19         error   error
//	TZID on a DATE or UTC value                            5545 §3.2.19         error   warning
//	VTIMEZONE without STANDARD or DAYLIGHT                 5545 §3.6.5          error   error
//	STANDARD/DAYLIGHT DTSTART or RDATE not local time      5545 §3.6.5          error   warning
//	VALARM DURATION without REPEAT or the reverse          5545 §3.6.6          error   warning
//	TRIGGER: absolute not in UTC, RELATED on absolute      5545 §3.8.6.3        error   warning
//	TRIGGER relative to a DTSTART/end that is missing      5545 §3.8.6.3        error   warning
//	VFREEBUSY DTSTART/DTEND/FREEBUSY not in UTC            5545 §3.6.4, §3.8.2.6 error  warning
//	VAVAILABILITY/AVAILABLE DTSTART/DTEND DATE             7953 §3.1            error   error
//	VAVAILABILITY/AVAILABLE DTSTART/DTEND floating         7953 §3.1            error   warning
//	value does not parse as its value type                 5545 §3.3            error   error
//	REQUEST-STATUS with a code but no description          5545 §3.8.8.3        error   warning
//	DATE value without VALUE=DATE                          5545 §3.3.4          error   warning
//	invalid TEXT escape ("\:")                             5545 §3.3.11         error   warning
//	CAL-ADDRESS without a URI scheme                       5545 §3.3.3          error   warning
//	UTC-OFFSET -0000                                       5545 §3.3.14         error   warning
//	VALUE type not allowed for a known property            5545 §3.2.20         error   error
//	VALUE type unknown (not an x-name)                     5545 §3.2.20         warning warning
//	BINARY without ENCODING=BASE64                         5545 §3.3.1          error   error
//	IMAGE or CONFERENCE without VALUE                      7986 §5.10, §5.11    error   warning
//	DTSTAMP/CREATED/LAST-MODIFIED/COMPLETED not in UTC     5545 §3.8.7, §3.8.2.1 error  warning
//	RSVP other than TRUE/FALSE                             5545 §3.2.17         error   warning
//	RANGE=THISANDPRIOR (RFC 2445)                          5545 §3.2.13         error   warning
//	RANGE, RELATED, ENCODING other values                  5545 §3.2.x          error   error
//	PARTSTAT registered for another component              5545 §3.2.12         error   warning
//	CUTYPE/ROLE/PARTSTAT/RELTYPE/FBTYPE/… unregistered     5545 §3.2.x          warning warning
//	CUTYPE/ROLE/PARTSTAT/… value not even a token          5545 §3.2.x          error   warning
//	SCHEDULE-STATUS not a status code                      6638 §7.3            error   warning
//	STATUS not allowed for the component                   5545 §3.8.1.11       error   error
//	TRANSP other than OPAQUE/TRANSPARENT                   5545 §3.8.2.7        error   error
//	CLASS, ACTION, BUSYTYPE unregistered                   5545 §3.8.1.3 …      warning warning
//	ACTION:PROCEDURE (RFC 2445)                            5545 Appendix A.3    error   warning
//	CALSCALE other than GREGORIAN                          5545 §3.7.1          error   warning
//	EXRULE (RFC 2445)                                      5545 Appendix A.3    error   warning
//	GEO out of range or malformed                          5545 §3.8.1.6        error   error
//	GEO separated by a comma                               5545 §3.8.1.6        error   warning
//	PRIORITY outside 0–9, PERCENT-COMPLETE outside 0–100   5545 §3.8.1.9, §3.8.1.8 error error
//	SEQUENCE or REPEAT negative                            5545 §3.8.7.4, §3.8.6.2 error error
//	two components with one UID but not master+overrides   5545 §3.8.4.4        error   error
//	two overrides with the same RECURRENCE-ID              5545 §3.8.4.4        error   error
//	RECURRENCE-ID of another form than the master DTSTART  5545 §3.8.4.4        error   warning
//	RECURRENCE-ID of another form than its own DTSTART     5545 §3.8.4.4        warning warning
func Validate(c *Component, opts ValidateOptions) []Problem {
	if c == nil {
		return nil
	}
	v := &validator{opts: opts, tzDefined: map[string]bool{}, tzSeen: map[string]bool{}}
	if c.Name == CompCalendar {
		v.calendar(c)
	} else {
		v.lone = true
		v.component(c, nil)
	}
	slices.SortStableFunc(v.probs, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return v.probs
}

type validator struct {
	opts  ValidateOptions
	probs []Problem
	// method is set when the calendar has a METHOD property (RFC 5546).
	method bool
	// lone is set when Validate was given a component other than
	// VCALENDAR: VTIMEZONEs are then unknown.
	lone bool
	// tzDefined holds the TZIDs of the calendar's VTIMEZONEs.
	tzDefined map[string]bool
	// tzSeen lists the TZIDs already checked, so that each undefined one
	// is reported once.
	tzSeen map[string]bool
}

func (v *validator) add(line int, sev Severity, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	v.probs = append(v.probs, Problem{Line: line, Severity: sev, Msg: msg})
}

// lenient is the severity of a rule softened in lenient mode.
func (v *validator) lenient() Severity {
	if v.opts.Strict {
		return SeverityError
	}
	return SeverityWarning
}

// calendar validates a VCALENDAR (RFC 5545 §3.4, §3.6).
func (v *validator) calendar(c *Component) {
	v.method = c.Prop(PropMethod) != nil
	for _, ch := range c.Children {
		if ch.Name != CompTimezone {
			continue
		}
		if p := ch.Prop(PropTZID); p != nil {
			id := strings.TrimSpace(p.Value)
			if v.tzDefined[id] {
				// RFC 5545 §3.6.5: one VTIMEZONE per unique TZID.
				v.add(ch.Line, v.lenient(), "VTIMEZONE %q is defined more than once", id)
				continue
			}
			v.tzDefined[id] = true
		}
	}
	v.component(c, nil)
	// RFC 5545 §3.6: icalbody = calprops component, where component is
	// 1*(…): a calendar holds at least one component.
	if len(c.Children) == 0 {
		v.add(c.Line, v.lenient(), "VCALENDAR has no components")
	}
	v.sameUID(c)
}

// card is how often a property may occur in a component.
type card uint8

const (
	cNone    card = iota // not allowed (for known properties)
	cOpt1                // OPTIONAL, MUST NOT occur more than once
	cReq1                // REQUIRED, MUST NOT occur more than once
	cMany                // OPTIONAL, MAY occur more than once
	cReqMany             // REQUIRED, MAY occur more than once
	cShould1             // OPTIONAL, SHOULD NOT occur more than once
)

// knownProps are the properties whose placement is checked. Others (x-,
// iana-props and extensions unknown here) are allowed anywhere.
var knownProps = [...]string{
	PropCalScale, PropMethod, PropProdID, PropVersion, PropAttach,
	PropCategories, PropClass, PropComment, PropDescription, PropGeo,
	PropLocation, PropPercentComplete, PropPriority, PropResources,
	PropStatus, PropSummary, PropCompleted, PropDTEnd, PropDue, PropDTStart,
	PropDuration, PropFreeBusy, PropTransp, PropTZID, PropTZName,
	PropTZOffsetFrom, PropTZOffsetTo, PropTZURL, PropAttendee, PropContact,
	PropOrganizer, PropRecurrenceID, PropRelatedTo, PropURL, PropUID,
	PropExDate, PropRDate, PropRRule, PropExRule, PropAction, PropRepeat,
	PropTrigger, PropCreated, PropDTStamp, PropLastModified, PropSequence,
	PropRequestStatus, PropName, PropRefreshInterval, PropSource, PropColor,
	PropImage, PropConference, PropBusyType, PropAcknowledged, PropProximity,
}

const numKnownProps = len(knownProps)

var propIndex = func() map[string]int {
	m := make(map[string]int, len(knownProps))
	for i, n := range knownProps {
		m[n] = i
	}
	return m
}()

// compSpec is the property grammar of one component.
type compSpec struct {
	card [numKnownProps]card
	// required lists the indexes of the REQUIRED properties in the order
	// they are reported.
	required []int
}

type propGroup struct {
	c     card
	names []string
}

func req1(n ...string) propGroup    { return propGroup{cReq1, n} }
func opt1(n ...string) propGroup    { return propGroup{cOpt1, n} }
func many(n ...string) propGroup    { return propGroup{cMany, n} }
func reqMany(n ...string) propGroup { return propGroup{cReqMany, n} }
func should1(n ...string) propGroup { return propGroup{cShould1, n} }

func spec(groups ...propGroup) *compSpec {
	s := new(compSpec)
	for _, g := range groups {
		for _, n := range g.names {
			i, ok := propIndex[n]
			if !ok {
				continue
			}
			s.card[i] = g.c
			if g.c == cReq1 || g.c == cReqMany {
				s.required = append(s.required, i)
			}
		}
	}
	return s
}

// alarmBase is common to every VALARM: RFC 5545 §3.6.6 and the properties
// RFC 9074 §4–7 adds (UID, RELATED-TO, ACKNOWLEDGED, PROXIMITY).
var alarmBase = []propGroup{
	req1(PropAction, PropTrigger),
	opt1(PropDuration, PropRepeat, PropUID, PropAcknowledged, PropProximity),
	many(PropRelatedTo),
}

// specs holds the grammar of each component by name; VALARM by action.
var specs = map[string]*compSpec{
	// RFC 5545 §3.6 calprops, with RFC 7986 §4.
	CompCalendar: spec(
		req1(PropProdID, PropVersion),
		opt1(PropCalScale, PropMethod,
			PropUID, PropLastModified, PropURL, PropRefreshInterval, PropSource, PropColor),
		many(PropName, PropDescription, PropCategories, PropImage),
	),
	// RFC 5545 §3.6.1, RFC 7986 §4. DTSTART is REQUIRED without METHOD:
	// checked by eventStart.
	CompEvent: spec(
		req1(PropDTStamp, PropUID),
		opt1(PropDTStart, PropClass, PropCreated, PropDescription, PropGeo,
			PropLastModified, PropLocation, PropOrganizer, PropPriority,
			PropSequence, PropStatus, PropSummary, PropTransp, PropURL,
			PropRecurrenceID, PropDTEnd, PropDuration, PropColor),
		should1(PropRRule),
		many(PropAttach, PropAttendee, PropCategories, PropComment,
			PropContact, PropExDate, PropRequestStatus, PropRelatedTo,
			PropResources, PropRDate, PropConference, PropImage),
	),
	// RFC 5545 §3.6.2, RFC 7986 §4.
	CompToDo: spec(
		req1(PropDTStamp, PropUID),
		opt1(PropClass, PropCompleted, PropCreated, PropDescription,
			PropDTStart, PropGeo, PropLastModified, PropLocation,
			PropOrganizer, PropPercentComplete, PropPriority,
			PropRecurrenceID, PropSequence, PropStatus, PropSummary, PropURL,
			PropDue, PropDuration, PropColor),
		should1(PropRRule),
		many(PropAttach, PropAttendee, PropCategories, PropComment,
			PropContact, PropExDate, PropRequestStatus, PropRelatedTo,
			PropResources, PropRDate, PropConference, PropImage),
	),
	// RFC 5545 §3.6.3, RFC 7986 §4.
	CompJournal: spec(
		req1(PropDTStamp, PropUID),
		opt1(PropClass, PropCreated, PropDTStart, PropLastModified,
			PropOrganizer, PropRecurrenceID, PropSequence, PropStatus,
			PropSummary, PropURL, PropColor),
		should1(PropRRule),
		many(PropAttach, PropAttendee, PropCategories, PropComment,
			PropContact, PropDescription, PropExDate, PropRelatedTo,
			PropRDate, PropRequestStatus, PropImage),
	),
	// RFC 5545 §3.6.4.
	CompFreeBusy: spec(
		req1(PropDTStamp, PropUID),
		opt1(PropContact, PropDTStart, PropDTEnd, PropOrganizer, PropURL),
		many(PropAttendee, PropComment, PropFreeBusy, PropRequestStatus),
	),
	// RFC 5545 §3.6.5.
	CompTimezone: spec(
		req1(PropTZID),
		opt1(PropLastModified, PropTZURL),
	),
	CompStandard: spec(
		req1(PropDTStart, PropTZOffsetTo, PropTZOffsetFrom),
		should1(PropRRule),
		many(PropComment, PropRDate, PropTZName),
	),
	// RFC 5545 §3.6.6 audioprop, dispprop, emailprop; other actions
	// (iana-token, x-name) only need ACTION and TRIGGER.
	"VALARM/AUDIO":   spec(append(slices.Clone(alarmBase), opt1(PropAttach))...),
	"VALARM/DISPLAY": spec(append(slices.Clone(alarmBase), req1(PropDescription))...),
	"VALARM/EMAIL": spec(append(slices.Clone(alarmBase),
		req1(PropDescription, PropSummary), reqMany(PropAttendee), many(PropAttach))...),
	CompAlarm: spec(append(slices.Clone(alarmBase),
		opt1(PropDescription, PropSummary), many(PropAttendee, PropAttach))...),
	// RFC 7953 §3.1.
	CompAvailability: spec(
		req1(PropDTStamp, PropUID),
		opt1(PropBusyType, PropClass, PropCreated, PropDescription,
			PropDTStart, PropLastModified, PropLocation, PropOrganizer,
			PropPriority, PropSequence, PropSummary, PropURL, PropDTEnd,
			PropDuration),
		many(PropCategories, PropComment, PropContact),
	),
	CompAvailable: spec(
		req1(PropDTStamp, PropDTStart, PropUID),
		opt1(PropDTEnd, PropDuration, PropCreated, PropDescription,
			PropLastModified, PropLocation, PropRecurrenceID, PropRRule,
			PropSummary),
		many(PropCategories, PropComment, PropContact, PropExDate, PropRDate),
	),
}

func init() {
	specs[CompDaylight] = specs[CompStandard]
}

// allowedChildren lists the known components each component may contain
// (RFC 5545 §3.6, RFC 7953 §3.1). Unknown components are not checked.
func childAllowed(parent, child string) bool {
	switch child {
	case CompEvent, CompToDo, CompJournal, CompFreeBusy, CompTimezone, CompAvailability:
		return parent == CompCalendar
	case CompAlarm:
		return parent == CompEvent || parent == CompToDo
	case CompStandard, CompDaylight:
		return parent == CompTimezone
	case CompAvailable:
		return parent == CompAvailability
	case CompCalendar:
		return false
	}
	return true
}

// hardDup lists the at-most-once properties whose repetition makes the
// component ambiguous: an error in both modes.
func hardDup(name string) bool {
	switch name {
	case PropDTStart, PropDTEnd, PropDue, PropDuration, PropUID,
		PropRecurrenceID, PropTZID, PropTZOffsetFrom, PropTZOffsetTo,
		PropAction, PropTrigger, PropRepeat, PropVersion, PropMethod,
		PropCalScale, PropStatus, PropSequence, PropTransp:
		return true
	}
	return false
}

// softMissing lists the required properties whose absence lenient mode
// reports as a warning.
func softMissing(comp, name string) bool {
	switch name {
	case PropDTStamp, PropProdID, PropVersion:
		return true
	case PropDescription, PropSummary, PropAttendee:
		return comp == CompAlarm
	}
	return false
}

// times holds the parsed date and time properties of a component.
type times struct {
	start, end, due, rid       DateTime
	startP, endP, dueP, ridP   *Property
	durP, rruleP               *Property
	dur                        Duration
	hasDur                     bool
	startOK, endOK, dueOK, rok bool
}

// component validates c and its sub-components. parent is nil for the
// component given to Validate.
func (v *validator) component(c *Component, parent *Component) {
	key := c.Name
	if c.Name == CompAlarm {
		switch act := asciiUpper(strings.TrimSpace(c.Value(PropAction))); act {
		case "AUDIO", "DISPLAY", "EMAIL":
			key = CompAlarm + "/" + act
		}
	}
	sp := specs[key]

	var counts [numKnownProps]uint16
	var first [numKnownProps]*Property
	for i := range c.Props {
		p := &c.Props[i]
		if idx, ok := propIndex[p.Name]; ok {
			counts[idx]++
			if counts[idx] == 1 {
				first[idx] = p
			} else if sp != nil && counts[idx] == 2 {
				switch sp.card[idx] {
				case cOpt1, cReq1:
					sev := v.lenient()
					if hardDup(p.Name) {
						sev = SeverityError
					}
					v.add(p.Line, sev, "%s has more than one %s", c.Name, p.Name)
				case cShould1:
					v.add(p.Line, SeverityWarning, "%s has more than one %s", c.Name, p.Name)
				}
			}
		}
		v.property(c, p)
	}

	if sp != nil {
		for _, idx := range sp.required {
			if counts[idx] > 0 {
				continue
			}
			name := knownProps[idx]
			sev := SeverityError
			if softMissing(c.Name, name) {
				sev = v.lenient()
			}
			what := c.Name
			if c.Name == CompAlarm {
				what = c.Name + " with ACTION:" + asciiUpper(strings.TrimSpace(c.Value(PropAction)))
			}
			v.add(c.Line, sev, "%s has no %s", what, name)
		}
		for idx, n := range counts {
			if n == 0 || sp.card[idx] != cNone {
				continue
			}
			p := first[idx]
			if p.Name == PropExRule {
				// RFC 5545 Appendix A.3: EXRULE is deprecated.
				v.add(p.Line, v.lenient(), "EXRULE is deprecated by RFC 5545")
				continue
			}
			v.add(p.Line, v.lenient(), "%s is not allowed in %s", p.Name, c.Name)
		}
	}

	t := times{
		startP: first[propIndex[PropDTStart]],
		endP:   first[propIndex[PropDTEnd]],
		dueP:   first[propIndex[PropDue]],
		ridP:   first[propIndex[PropRecurrenceID]],
		durP:   first[propIndex[PropDuration]],
		rruleP: first[propIndex[PropRRule]],
	}
	if t.startP != nil {
		t.start, t.startOK = dateTimeOf(t.startP)
	}
	if t.endP != nil {
		t.end, t.endOK = dateTimeOf(t.endP)
	}
	if t.dueP != nil {
		t.due, t.dueOK = dateTimeOf(t.dueP)
	}
	if t.ridP != nil {
		t.rid, t.rok = dateTimeOf(t.ridP)
	}
	if t.durP != nil {
		d, err := t.durP.Duration()
		t.dur, t.hasDur = d, err == nil
	}

	switch c.Name {
	case CompEvent:
		// RFC 5545 §3.6.1: DTSTART is REQUIRED when the calendar has no
		// METHOD property.
		if t.startP == nil && !v.method {
			v.add(c.Line, SeverityError, "VEVENT has no DTSTART")
		}
		v.startEnd(c, &t, t.endP, t.end, t.endOK)
	case CompToDo:
		v.startEnd(c, &t, t.dueP, t.due, t.dueOK)
	case CompJournal:
		v.needStart(c, &t)
	case CompAvailability, CompAvailable:
		v.startEnd(c, &t, t.endP, t.end, t.endOK)
		v.availabilityTimes(c, &t)
	case CompFreeBusy:
		v.freeBusy(c, &t)
	case CompTimezone:
		// RFC 5545 §3.6.5: timezonec holds 1*(standardc / daylightc).
		if len(c.Components(CompStandard)) == 0 && len(c.Components(CompDaylight)) == 0 {
			v.add(c.Line, SeverityError, "VTIMEZONE has no STANDARD or DAYLIGHT")
		}
	case CompStandard, CompDaylight:
		// RFC 5545 §3.6.5, §3.8.2.4: the onset is a date with local time.
		if t.startOK && t.start.Kind != KindFloating {
			v.add(t.startP.Line, v.lenient(), "DTSTART in %s must be a local time, not %s", c.Name, t.start.Kind)
		}
		for _, p := range c.PropsNamed(PropRDate) {
			if p.Params.Has(ParamTZID) || strings.ContainsAny(p.Value, "Zz") {
				v.add(p.Line, v.lenient(), "RDATE in %s must be a local time", c.Name)
			}
		}
	case CompAlarm:
		v.alarm(c, parent, &t)
	}
	if t.rruleP != nil {
		v.rrule(c, t.rruleP, &t)
	}
	if p := first[propIndex[PropExRule]]; p != nil {
		v.rrule(c, p, &t)
	}

	for _, ch := range c.Children {
		if !childAllowed(c.Name, ch.Name) {
			sev := SeverityError
			if ch.Name == CompAlarm {
				sev = v.lenient()
			}
			v.add(ch.Line, sev, "%s is not allowed in %s", ch.Name, c.Name)
		}
		v.component(ch, c)
	}
}

// dateTimeOf parses a DATE or DATE-TIME property quietly; property reports
// the parse errors.
func dateTimeOf(p *Property) (DateTime, bool) {
	switch p.ValueType() {
	case TypeDate, TypeDateTime:
	default:
		return DateTime{}, false
	}
	d, err := p.DateTime()
	return d, err == nil
}

// needStart checks RFC 5545 §3.8.2.4: DTSTART is REQUIRED in recurring
// components.
func (v *validator) needStart(c *Component, t *times) {
	if t.startP == nil && t.rruleP != nil {
		v.add(t.rruleP.Line, SeverityError, "%s has RRULE but no DTSTART", c.Name)
	}
}

// startEnd checks the DTSTART, end (DTEND or DUE) and DURATION of a
// VEVENT, VTODO, VAVAILABILITY or AVAILABLE.
func (v *validator) startEnd(c *Component, t *times, endP *Property, end DateTime, endOK bool) {
	if endP != nil && t.durP != nil {
		// RFC 5545 §3.6.1, §3.6.2, RFC 7953 §3.1: 'dtend'/'due' and
		// 'duration' MUST NOT occur in the same component.
		v.add(max(endP.Line, t.durP.Line), SeverityError, "%s has both %s and DURATION", c.Name, endP.Name)
	}
	if t.durP != nil && t.startP == nil && c.Name != CompEvent && c.Name != CompAvailable {
		// RFC 5545 §3.6.2: if 'duration' appears, 'dtstart' MUST also
		// appear (RFC 7953 §3.1 says the same of VAVAILABILITY).
		v.add(t.durP.Line, SeverityError, "%s has DURATION but no DTSTART", c.Name)
	}
	v.needStart(c, t)
	if t.hasDur {
		if t.dur.Negative && (t.dur.NominalDays() != 0 || t.dur.Exact() != 0) {
			// RFC 5545 §3.8.2.2: the end MUST be later than the start.
			v.add(t.durP.Line, SeverityError, "DURATION of %s is negative", c.Name)
		}
		if t.startOK && t.start.Kind == KindDate && (t.dur.Hours != 0 || t.dur.Minutes != 0 || t.dur.Seconds != 0) {
			// RFC 5545 §3.8.2.5: with a DATE DTSTART, DURATION MUST be
			// dur-day or dur-week.
			v.add(t.durP.Line, v.lenient(), "DURATION of %s must be in days or weeks when DTSTART is a DATE", c.Name)
		}
	}
	if endP == nil || !endOK || !t.startOK {
		return
	}
	s := t.start
	if (s.Kind == KindDate) != (end.Kind == KindDate) {
		// RFC 5545 §3.8.2.2, §3.8.2.3: the value type MUST be the same as
		// the DTSTART property.
		v.add(endP.Line, SeverityError, "%s must have the same value type as DTSTART", endP.Name)
		return
	}
	if (s.Kind == KindFloating) != (end.Kind == KindFloating) {
		// RFC 5545 §3.8.2.2: a date with local time if and only if
		// DTSTART is one.
		v.add(endP.Line, v.lenient(), "%s must be a floating time if and only if DTSTART is", endP.Name)
		return
	}
	if s.Kind != end.Kind || s.Kind == KindZoned && s.TZID != end.TZID {
		return // Different zones: cannot compare without zone data.
	}
	// RFC 5545 §3.8.2.2, §3.8.2.3: the value MUST be later in time than
	// DTSTART.
	switch end.Wall.Compare(s.Wall) {
	case -1:
		v.add(endP.Line, SeverityError, "%s is before DTSTART", endP.Name)
	case 0:
		v.add(endP.Line, v.lenient(), "%s is equal to DTSTART", endP.Name)
	}
}

// availabilityTimes checks RFC 7953 §3.1: DTSTART and DTEND of
// VAVAILABILITY and AVAILABLE are DATE-TIME in UTC or with a TZID.
func (v *validator) availabilityTimes(c *Component, t *times) {
	for _, x := range []struct {
		p  *Property
		d  DateTime
		ok bool
	}{{t.startP, t.start, t.startOK}, {t.endP, t.end, t.endOK}} {
		if x.p == nil || !x.ok {
			continue
		}
		switch x.d.Kind {
		case KindDate:
			v.add(x.p.Line, SeverityError, "%s of %s must be a DATE-TIME", x.p.Name, c.Name)
		case KindFloating:
			v.add(x.p.Line, v.lenient(), "%s of %s must be in UTC or have a TZID", x.p.Name, c.Name)
		}
	}
}

// freeBusy checks RFC 5545 §3.6.4 and §3.8.2.6: DTSTART, DTEND and the
// FREEBUSY periods are in UTC, and DTEND is after DTSTART.
func (v *validator) freeBusy(c *Component, t *times) {
	for _, x := range []struct {
		p  *Property
		d  DateTime
		ok bool
	}{{t.startP, t.start, t.startOK}, {t.endP, t.end, t.endOK}} {
		if x.p != nil && x.ok && x.d.Kind != KindUTC {
			v.add(x.p.Line, v.lenient(), "%s of VFREEBUSY must be in UTC", x.p.Name)
		}
	}
	if t.startOK && t.endOK && t.start.Kind == t.end.Kind && t.start.Kind == KindUTC && !t.end.Wall.After(t.start.Wall) {
		v.add(t.endP.Line, SeverityError, "DTEND of VFREEBUSY is not after DTSTART")
	}
	for i := range c.Props {
		p := &c.Props[i]
		if p.Name != PropFreeBusy {
			continue
		}
		ps, err := p.Periods()
		if err != nil {
			continue // reported by property
		}
		for _, pe := range ps {
			if pe.Start.Kind != KindUTC || !pe.HasDuration && pe.End.Kind != KindUTC {
				v.add(p.Line, v.lenient(), "FREEBUSY periods must be in UTC")
				break
			}
		}
	}
}

// alarm checks the VALARM rules of RFC 5545 §3.6.6 and §3.8.6.3.
func (v *validator) alarm(c, parent *Component, t *times) {
	dur, rep := c.Prop(PropDuration), c.Prop(PropRepeat)
	if (dur == nil) != (rep == nil) {
		// RFC 5545 §3.6.6: 'duration' and 'repeat' are both OPTIONAL …
		// but if one occurs, so MUST the other.
		p, has, lacks := rep, PropRepeat, PropDuration
		if dur != nil {
			p, has, lacks = dur, PropDuration, PropRepeat
		}
		v.add(p.Line, v.lenient(), "VALARM has %s but no %s", has, lacks)
	}
	trig := c.Prop(PropTrigger)
	if trig == nil {
		return
	}
	rel, hasRel := trig.Params.Find(ParamRelated)
	if trig.ValueType() == TypeDateTime {
		// RFC 5545 §3.8.6.3: an absolute trigger MUST be in UTC, and
		// RELATED is not valid with it.
		if d, err := trig.DateTime(); err == nil && d.Kind != KindUTC {
			v.add(trig.Line, v.lenient(), "absolute TRIGGER must be in UTC")
		}
		if hasRel {
			v.add(trig.Line, v.lenient(), "TRIGGER with VALUE=DATE-TIME cannot have RELATED")
		}
		return
	}
	if parent == nil || parent.Name != CompEvent && parent.Name != CompToDo {
		return
	}
	// RFC 5545 §3.8.6.3: a trigger relative to START needs DTSTART; one
	// relative to END needs DTEND (VEVENT) or DUE (VTODO), or DTSTART and
	// DURATION.
	hasStart := parent.Prop(PropDTStart) != nil
	if hasRel && strings.EqualFold(strings.TrimSpace(rel.Value()), "END") {
		endName := PropDTEnd
		if parent.Name == CompToDo {
			endName = PropDue
		}
		if parent.Prop(endName) == nil && (!hasStart || parent.Prop(PropDuration) == nil) {
			v.add(trig.Line, v.lenient(), "TRIGGER is relative to the end but the %s has no %s nor DTSTART and DURATION", parent.Name, endName)
		}
	} else if !hasStart && (parent.Name == CompToDo || !v.method) {
		v.add(trig.Line, v.lenient(), "TRIGGER is relative to the start but the %s has no DTSTART", parent.Name)
	}
}

// rrule checks a RECUR value against RFC 5545 §3.3.10 and the DTSTART of
// its component.
func (v *validator) rrule(c *Component, p *Property, t *times) {
	parts, err := p.RecurParts()
	if err != nil {
		return // reported by property
	}
	var freq, count, until *RecurPart
	var byTime *RecurPart
	for i := range parts {
		rp := &parts[i]
		switch rp.Name {
		case "FREQ":
			freq = rp
		case "COUNT":
			count = rp
		case "UNTIL":
			until = rp
		case "BYHOUR", "BYMINUTE", "BYSECOND":
			if byTime == nil {
				byTime = rp
			}
		case "INTERVAL":
			if n, ok := digits(rp.Value); !ok || n < 1 {
				v.add(p.Line, SeverityError, "%s INTERVAL must be a positive integer, not %q", p.Name, rp.Value)
			}
		}
	}
	// RFC 5545 §3.3.10: FREQ is REQUIRED, COUNT and UNTIL MUST NOT occur
	// in the same recur.
	if freq == nil {
		v.add(p.Line, SeverityError, "%s has no FREQ", p.Name)
	} else {
		switch asciiUpper(freq.Value) {
		case "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY":
		default:
			v.add(p.Line, SeverityError, "%s has invalid FREQ %q", p.Name, freq.Value)
		}
	}
	if count != nil {
		if n, ok := digits(count.Value); !ok || n < 1 {
			v.add(p.Line, SeverityError, "%s COUNT must be a positive integer, not %q", p.Name, count.Value)
		}
		if until != nil {
			v.add(p.Line, SeverityError, "%s has both COUNT and UNTIL", p.Name)
		}
	}
	var u DateTime
	uok := false
	if until != nil {
		var err error
		typ := TypeDateTime
		if len(until.Value) == 8 {
			typ = TypeDate
		}
		u, err = parseDateTimeValue(p.Name, until.Value, typ, "")
		if err != nil {
			v.add(p.Line, SeverityError, "%s has invalid UNTIL %q", p.Name, until.Value)
		} else {
			uok = true
		}
	}
	if !t.startOK {
		return
	}
	if byTime != nil && t.start.Kind == KindDate {
		// RFC 5545 §3.3.10: BYSECOND, BYMINUTE and BYHOUR MUST NOT be
		// specified when DTSTART is a DATE (and MUST then be ignored).
		v.add(p.Line, v.lenient(), "%s has %s but DTSTART is a DATE", p.Name, byTime.Name)
	}
	if !uok {
		return
	}
	// RFC 5545 §3.3.10: UNTIL MUST have the value type of DTSTART; it is a
	// local time if DTSTART is one, else UTC; in STANDARD and DAYLIGHT it
	// is always UTC.
	var want string
	switch {
	case c.Name == CompStandard || c.Name == CompDaylight:
		if u.Kind != KindUTC {
			want = "a UTC DATE-TIME"
		}
	case t.start.Kind == KindDate:
		if u.Kind != KindDate {
			want = "a DATE like DTSTART"
		}
	case u.Kind == KindDate:
		want = "a DATE-TIME like DTSTART"
	case t.start.Kind == KindFloating:
		if u.Kind != KindFloating {
			want = "a local time like DTSTART"
		}
	default:
		if u.Kind != KindUTC {
			want = "in UTC when DTSTART is in UTC or has a TZID"
		}
	}
	if want != "" {
		v.add(p.Line, v.lenient(), "%s UNTIL must be %s", p.Name, want)
	}
}

// uidEntry is a VEVENT, VTODO or VJOURNAL of a calendar, for the same-UID
// rule.
type uidEntry struct {
	c     *Component
	uid   string
	rid   DateTime
	ridP  *Property
	start DateTime
	sok   bool
}

// sameUID checks that the components sharing a UID in one object are one
// recurring component and its overrides (RFC 5545 §3.8.4.4).
func (v *validator) sameUID(cal *Component) {
	var entries []uidEntry
	for _, ch := range cal.Children {
		switch ch.Name {
		case CompEvent, CompToDo, CompJournal:
		default:
			continue
		}
		uid := ch.Prop(PropUID)
		if uid == nil {
			continue
		}
		e := uidEntry{c: ch, uid: uid.Value}
		if p := ch.Prop(PropRecurrenceID); p != nil {
			d, ok := dateTimeOf(p)
			if !ok {
				continue
			}
			e.rid, e.ridP = d, p
		}
		if p := ch.Prop(PropDTStart); p != nil {
			e.start, e.sok = dateTimeOf(p)
		}
		entries = append(entries, e)
	}
	if len(entries) < 2 {
		v.ownRID(entries)
		return
	}
	// One pass with a state per UID, so that a calendar of many overrides
	// of one series costs linear time.
	type uidState struct {
		first, master int // indexes in entries; master -1 until seen
		rids          map[DateTime]int
		n             int
	}
	groups := make(map[string]*uidState, len(entries))
	for i, e := range entries {
		g := groups[e.uid]
		if g == nil {
			g = &uidState{first: i, master: -1}
			groups[e.uid] = g
		}
		g.n++
		if e.ridP == nil && g.master < 0 {
			g.master = i
		}
	}
	for i, e := range entries {
		g := groups[e.uid]
		if g.n == 1 {
			v.ownRID(entries[i : i+1])
			continue
		}
		first := entries[g.first]
		switch {
		case i == g.first:
		case e.c.Name != first.c.Name:
			v.add(e.c.Line, SeverityError, "%s has the same UID as the %s on line %d", e.c.Name, first.c.Name, first.c.Line)
		case e.ridP == nil && g.master >= 0 && g.master < i:
			m := entries[g.master]
			v.add(e.c.Line, SeverityError, "%s has the same UID as the %s on line %d and neither has RECURRENCE-ID", e.c.Name, m.c.Name, m.c.Line)
		case e.ridP != nil:
			if j, dup := g.rids[e.rid]; dup {
				o := entries[j]
				v.add(e.ridP.Line, SeverityError, "%s has the same UID and RECURRENCE-ID as the %s on line %d", e.c.Name, o.c.Name, o.c.Line)
			}
		}
		if _, seen := g.rids[e.rid]; e.ridP != nil && !seen {
			if g.rids == nil {
				g.rids = map[DateTime]int{}
			}
			g.rids[e.rid] = i
		}
		if e.ridP == nil {
			continue
		}
		if g.master < 0 {
			v.ownRID(entries[i : i+1])
			continue
		}
		// RFC 5545 §3.8.4.4: RECURRENCE-ID has the value type of the
		// DTSTART of the recurring component, and is a local time if and
		// only if that DTSTART is one.
		// Google (UTC) and Outlook (TZID) write DATE-TIME RECURRENCE-IDs
		// for all-day series; the date still names the instance.
		if m := entries[g.master]; m.sok {
			v.ridForm(e.ridP, e.rid, m.start, v.lenient())
		}
	}
}

// ownRID compares the RECURRENCE-ID of overrides without a master in the
// object with their own DTSTART: a moved instance may legitimately change
// its form, so a mismatch is only a warning.
func (v *validator) ownRID(entries []uidEntry) {
	for _, e := range entries {
		if e.ridP != nil && e.sok {
			v.ridForm(e.ridP, e.rid, e.start, SeverityWarning)
		}
	}
}

func (v *validator) ridForm(p *Property, rid, start DateTime, sev Severity) {
	if (rid.Kind == KindDate) != (start.Kind == KindDate) {
		v.add(p.Line, sev, "RECURRENCE-ID must have the same value type as DTSTART")
	} else if (rid.Kind == KindFloating) != (start.Kind == KindFloating) {
		v.add(p.Line, sev, "RECURRENCE-ID must be a floating time if and only if DTSTART is")
	}
}

// knownTypes are the value types of RFC 5545 §3.3.
var knownTypes = []ValueType{
	TypeBinary, TypeBoolean, TypeCalAddress, TypeDate, TypeDateTime,
	TypeDuration, TypeFloat, TypeInteger, TypePeriod, TypeRecur, TypeText,
	TypeTime, TypeURI, TypeUTCOffset,
}

// property checks one property: its parameters, that its value parses as
// its value type, and the value rules of its definition.
func (v *validator) property(c *Component, p *Property) {
	pi, known := propInfo[p.Name]
	v.chars(p)
	for pa := range p.Params.All() {
		v.param(c, p, &pa)
	}
	vt := p.ValueType()
	if vp, ok := p.Params.Find(ParamValue); ok {
		if !slices.Contains(knownTypes, vt) {
			if !isXName(string(vt)) {
				// RFC 5545 §3.2.20: valuetype is one of the registered
				// types, an x-name or an iana-token.
				v.add(p.Line, SeverityWarning, "%s has unknown VALUE type %q", p.Name, vp.Value())
			}
			return
		}
		if known && vt != pi.Default && !slices.Contains(pi.Alt, vt) {
			v.add(p.Line, SeverityError, "%s cannot have VALUE=%s", p.Name, vt)
			return
		}
	} else if p.Name == PropImage || p.Name == PropConference {
		// RFC 7986 §5.10, §5.11: the value type has no default, VALUE is
		// part of the grammar.
		v.add(p.Line, v.lenient(), "%s has no VALUE parameter", p.Name)
	}

	var err error
	switch vt {
	case TypeText:
		if pi.Structured {
			if p.Name == PropRequestStatus {
				_, err = p.RequestStatus()
				if parts := SplitStructured(p.Value); err != nil && len(parts) == 1 && validStatusCode(strings.TrimSpace(parts[0])) {
					// RFC 5545 §3.8.8.3: rstatus = statcode ";" statdesc;
					// RFC 2446 examples wrote the code alone.
					v.add(p.Line, v.lenient(), "REQUEST-STATUS %s has no description", strings.TrimSpace(parts[0]))
					err = nil
				}
			}
		} else if bad, ok := badEscape(p.Value); ok {
			// RFC 5545 §3.3.11: only \\ \; \, \n and \N are escapes.
			v.add(p.Line, v.lenient(), "%s has invalid escape %q", p.Name, bad)
		}
	case TypeDate, TypeDateTime:
		v.dateTimes(p, vt, pi.List || !known)
	case TypePeriod:
		_, err = p.Periods()
	case TypeDuration:
		_, err = p.Duration()
	case TypeInteger:
		var n int64
		n, err = p.Int()
		if err == nil {
			v.intRange(p, n)
		}
	case TypeFloat:
		if p.Name == PropGeo {
			v.geo(p)
			return
		}
		_, err = p.Float()
	case TypeBoolean:
		_, err = p.Bool()
	case TypeBinary:
		// RFC 5545 §3.3.1: ENCODING=BASE64 MUST be specified.
		if !strings.EqualFold(p.Params.Get(ParamEncoding), "BASE64") {
			v.add(p.Line, SeverityError, "%s with VALUE=BINARY has no ENCODING=BASE64", p.Name)
			return
		}
		_, err = p.Binary()
	case TypeCalAddress:
		// RFC 5545 §3.3.3: cal-address = uri.
		s := strings.TrimSpace(p.Value)
		if s == "" {
			v.add(p.Line, SeverityError, "%s has an empty CAL-ADDRESS", p.Name)
		} else if !hasScheme(s) {
			v.add(p.Line, v.lenient(), "%s value %q is not a URI", p.Name, s)
		}
	case TypeURI:
		_, err = p.URI()
	case TypeUTCOffset:
		_, err = p.UTCOffset()
		if err == nil && strings.Trim(strings.TrimSpace(p.Value), "0") == "-" {
			// RFC 5545 §3.3.14: the value MUST NOT be "-0000".
			v.add(p.Line, v.lenient(), "%s must not be -0000", p.Name)
		}
	case TypeRecur:
		_, err = p.RecurParts()
	case TypeTime:
		for _, s := range strings.Split(p.Value, ",") {
			if _, err = ParseTime(strings.TrimSpace(s)); err != nil {
				break
			}
		}
	}
	if err != nil {
		v.add(p.Line, SeverityError, "%s", strings.TrimPrefix(err.Error(), "ical: "))
		return
	}

	switch p.Name {
	case PropStatus:
		v.status(c, p)
	case PropClass:
		// RFC 5545 §3.8.1.3.
		v.enum(p, p.Value, SeverityWarning, true, "PUBLIC", "PRIVATE", "CONFIDENTIAL")
	case PropTransp:
		// RFC 5545 §3.8.2.7: OPAQUE or TRANSPARENT, no extensions.
		v.enum(p, p.Value, SeverityError, false, "OPAQUE", "TRANSPARENT")
	case PropAction:
		// RFC 5545 §3.8.6.1; PROCEDURE was removed (Appendix A.3).
		if strings.EqualFold(strings.TrimSpace(p.Value), "PROCEDURE") {
			v.add(p.Line, v.lenient(), "ACTION:PROCEDURE is deprecated by RFC 5545")
		} else {
			v.enum(p, p.Value, SeverityWarning, true, "AUDIO", "DISPLAY", "EMAIL")
		}
	case PropBusyType:
		// RFC 7953 §3.2.
		v.enum(p, p.Value, SeverityWarning, true, "BUSY", "BUSY-UNAVAILABLE", "BUSY-TENTATIVE")
	case PropCalScale:
		// RFC 5545 §3.7.1: calvalue = "GREGORIAN".
		v.enum(p, p.Value, v.lenient(), false, "GREGORIAN")
	case PropVersion:
		// RFC 5545 §3.7.4: "2.0" is the version of RFC 5545.
		if strings.TrimSpace(p.Value) != "2.0" {
			v.add(p.Line, SeverityError, "VERSION must be 2.0, not %q", p.Value)
		}
	case PropDTStamp, PropCreated, PropLastModified, PropCompleted, PropAcknowledged:
		// RFC 5545 §3.8.7.1–3.8.7.3, §3.8.2.1, RFC 9074 §6: the value
		// MUST be specified in the UTC time format.
		if d, err := p.DateTime(); err == nil && d.Kind != KindUTC {
			v.add(p.Line, v.lenient(), "%s must be a UTC DATE-TIME", p.Name)
		}
	}
}

// intRange checks the ranges of the INTEGER properties.
// chars checks the characters of a value and its parameter values: RFC 5545
// §3.1 allows no control character but HTAB, and §3.1.4 makes the text
// UTF-8. The lenient decoder keeps such bytes as they are (lossless); they
// are reported here.
func (v *validator) chars(p *Property) {
	bad := func(s string) string {
		if !utf8.ValidString(s) {
			return "invalid UTF-8"
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f {
				return fmt.Sprintf("control character 0x%02x", c)
			}
		}
		return ""
	}
	if why := bad(p.Value); why != "" {
		v.add(p.Line, v.lenient(), "%s value has %s", p.Name, why)
	}
	for pa := range p.Params.All() {
		for _, val := range pa.Values {
			if why := bad(val); why != "" && !strings.Contains(why, "0x0a") {
				// A newline in a parameter value is RFC 6868's ^n.
				v.add(p.Line, v.lenient(), "%s parameter %s has %s", p.Name, pa.Name, why)
			}
		}
	}
}

func (v *validator) intRange(p *Property, n int64) {
	switch p.Name {
	case PropPriority:
		// RFC 5545 §3.8.1.9: priovalue = integer from 0 to 9.
		if n < 0 || n > 9 {
			v.add(p.Line, SeverityError, "PRIORITY must be between 0 and 9, not %d", n)
		}
	case PropPercentComplete:
		// RFC 5545 §3.8.1.8: a positive integer between 0 and 100.
		if n < 0 || n > 100 {
			v.add(p.Line, SeverityError, "PERCENT-COMPLETE must be between 0 and 100, not %d", n)
		}
	case PropSequence, PropRepeat:
		// RFC 5545 §3.8.7.4, §3.8.6.2: seqvalue and repeat are
		// non-negative ("integer ;Default is "0"").
		if n < 0 {
			v.add(p.Line, SeverityError, "%s must not be negative", p.Name)
		}
	}
}

// geo checks RFC 5545 §3.8.1.6: geovalue = float ";" float.
func (v *validator) geo(p *Property) {
	if _, err := p.Geo(); err != nil {
		v.add(p.Line, SeverityError, "%s", strings.TrimPrefix(err.Error(), "ical: "))
		return
	}
	if strings.IndexByte(p.Value, ';') < 0 {
		v.add(p.Line, v.lenient(), "GEO must separate latitude and longitude with \";\"")
	}
}

// dateTimes checks the DATE and DATE-TIME values of p (a list for EXDATE
// and RDATE).
func (v *validator) dateTimes(p *Property, vt ValueType, list bool) {
	tzid := strings.TrimSpace(p.Params.Get(ParamTZID))
	val := strings.TrimSpace(p.Value)
	n := 0
	for val != "" || n == 0 {
		s := val
		if list {
			var rest string
			s, rest, _ = strings.Cut(val, ",")
			val = strings.TrimSpace(rest)
			s = strings.TrimSpace(s)
		} else {
			val = ""
		}
		n++
		if s == "" && list && n > 1 {
			continue
		}
		if vt == TypeDateTime && len(s) == 8 {
			// RFC 5545 §3.3.4: a DATE value needs VALUE=DATE.
			if _, err := ParseDate(s); err == nil {
				v.add(p.Line, v.lenient(), "%s value %s is a DATE without VALUE=DATE", p.Name, s)
				if tzid != "" {
					v.add(p.Line, v.lenient(), "%s has TZID on a DATE value", p.Name)
				}
				return
			}
		}
		d, err := parseDateTimeValue(p.Name, s, vt, "")
		if err == nil && vt == TypeDate && d.Kind != KindDate {
			err = fmt.Errorf("%s: invalid DATE %q", p.Name, s)
		}
		if err != nil {
			v.add(p.Line, SeverityError, "%s", strings.TrimPrefix(err.Error(), "ical: "))
			return
		}
		if tzid != "" && d.Kind != KindFloating {
			// RFC 5545 §3.2.19: TZID MUST NOT be applied to DATE values
			// or to times in UTC.
			what := "a UTC time"
			if d.Kind == KindDate {
				what = "a DATE value"
			}
			v.add(p.Line, v.lenient(), "%s has TZID on %s", p.Name, what)
			return
		}
	}
}

// status checks RFC 5545 §3.8.1.11: the STATUS values of each component.
func (v *validator) status(c *Component, p *Property) {
	s := asciiUpper(strings.TrimSpace(p.Value))
	var ok bool
	switch c.Name {
	case CompEvent:
		ok = s == "TENTATIVE" || s == "CONFIRMED" || s == "CANCELLED"
	case CompToDo:
		ok = s == "NEEDS-ACTION" || s == "COMPLETED" || s == "IN-PROCESS" || s == "CANCELLED"
	case CompJournal:
		ok = s == "DRAFT" || s == "FINAL" || s == "CANCELLED"
	default:
		return
	}
	if !ok {
		v.add(p.Line, SeverityError, "STATUS:%s is not allowed in %s", p.Value, c.Name)
	}
}

// enum checks that value is one of vals. ext says x-names and iana-tokens
// are also allowed: an unregistered one is then a warning, and sev applies
// only to values that are not even tokens.
func (v *validator) enum(p *Property, value string, sev Severity, ext bool, vals ...string) {
	s := asciiUpper(strings.TrimSpace(value))
	if slices.Contains(vals, s) {
		return
	}
	if ext && isToken(s) {
		if !isXName(s) {
			v.add(p.Line, SeverityWarning, "%s has unregistered value %q", p.Name, value)
		}
		return
	}
	v.add(p.Line, sev, "%s has invalid value %q", p.Name, value)
}

// param checks one parameter of p against RFC 5545 §3.2, RFC 6638 §7 and
// RFC 7986 §6.
func (v *validator) param(c *Component, p *Property, pa *Param) {
	name := asciiUpper(pa.Name)
	switch name {
	case ParamTZID:
		v.tzid(p, strings.TrimSpace(pa.Value()))
	case ParamCUType:
		// RFC 5545 §3.2.3.
		v.paramEnum(p, pa, true, v.lenient(), "INDIVIDUAL", "GROUP", "RESOURCE", "ROOM", "UNKNOWN")
	case ParamRole:
		// RFC 5545 §3.2.16.
		v.paramEnum(p, pa, true, v.lenient(), "CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT", "NON-PARTICIPANT")
	case ParamRelType:
		// RFC 5545 §3.2.15; RFC 9253 §5 registers more values.
		v.paramEnum(p, pa, true, v.lenient(), "PARENT", "CHILD", "SIBLING",
			"SNOOZE", "CONCEPT", "DEPENDS-ON", "FINISHTOFINISH", "FINISHTOSTART",
			"FIRST", "NEXT", "REFID", "STARTTOFINISH", "STARTTOSTART")
	case ParamFBType:
		// RFC 5545 §3.2.9.
		v.paramEnum(p, pa, true, v.lenient(), "FREE", "BUSY", "BUSY-UNAVAILABLE", "BUSY-TENTATIVE")
	case ParamScheduleAgent:
		// RFC 6638 §7.1.
		v.paramEnum(p, pa, true, v.lenient(), "SERVER", "CLIENT", "NONE")
	case ParamScheduleForceSend:
		// RFC 6638 §7.2.
		v.paramEnum(p, pa, true, v.lenient(), "REQUEST", "REPLY")
	case ParamDisplay:
		// RFC 7986 §6.1.
		v.paramEnum(p, pa, true, v.lenient(), "BADGE", "GRAPHIC", "FULLSIZE", "THUMBNAIL")
	case ParamFeature:
		// RFC 7986 §6.3.
		v.paramEnum(p, pa, true, v.lenient(), "AUDIO", "CHAT", "FEED", "MODERATOR", "PHONE", "SCREEN", "VIDEO")
	case ParamRSVP:
		// RFC 5545 §3.2.17: rsvpparam = "RSVP" "=" ("TRUE" / "FALSE").
		v.paramEnum(p, pa, false, v.lenient(), "TRUE", "FALSE")
	case ParamRelated:
		// RFC 5545 §3.2.14: START or END.
		v.paramEnum(p, pa, false, SeverityError, "START", "END")
	case ParamEncoding:
		// RFC 5545 §3.2.7: 8BIT or BASE64.
		v.paramEnum(p, pa, false, SeverityError, "8BIT", "BASE64")
	case ParamRange:
		// RFC 5545 §3.2.13: rangeparam = "RANGE" "=" "THISANDFUTURE";
		// THISANDPRIOR was removed (Appendix A.3).
		if strings.EqualFold(strings.TrimSpace(pa.Value()), "THISANDPRIOR") {
			v.add(p.Line, v.lenient(), "RANGE=THISANDPRIOR is deprecated by RFC 5545")
			return
		}
		v.paramEnum(p, pa, false, SeverityError, "THISANDFUTURE")
	case ParamPartStat:
		// RFC 5545 §3.2.12: the values depend on the component.
		all := []string{"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED", "COMPLETED", "IN-PROCESS"}
		var allowed []string
		switch c.Name {
		case CompEvent:
			allowed = all[:5]
		case CompToDo:
			allowed = all
		case CompJournal:
			allowed = all[:3]
		default:
			allowed = all
		}
		for _, val := range pa.Values {
			s := asciiUpper(strings.TrimSpace(val))
			if !slices.Contains(allowed, s) && slices.Contains(all, s) {
				v.add(p.Line, v.lenient(), "PARTSTAT=%s is not allowed in %s", val, c.Name)
			}
		}
		v.paramEnum(p, pa, true, v.lenient(), all...)
	case ParamScheduleStatus:
		// RFC 6638 §7.3: one or more statcodes.
		for _, val := range pa.Values {
			for _, code := range strings.Split(val, ",") {
				if !validStatusCode(strings.TrimSpace(code)) {
					v.add(p.Line, v.lenient(), "SCHEDULE-STATUS %q is not a status code", code)
					return
				}
			}
		}
	}
}

// paramEnum checks the values of an enumerated parameter. Parameter values
// are case-insensitive (RFC 5545 §3.2). With ext, x-names and iana-tokens
// are allowed and an unregistered one is a warning; values that are not
// even tokens, or any other value without ext, get sev.
func (v *validator) paramEnum(p *Property, pa *Param, ext bool, sev Severity, vals ...string) {
	for _, val := range pa.Values {
		s := asciiUpper(strings.TrimSpace(val))
		if slices.Contains(vals, s) {
			continue
		}
		if ext && isToken(s) {
			if !isXName(s) {
				v.add(p.Line, SeverityWarning, "%s has unregistered %s value %q", p.Name, asciiUpper(pa.Name), val)
			}
			continue
		}
		v.add(p.Line, sev, "%s has invalid %s value %q", p.Name, asciiUpper(pa.Name), val)
	}
}

// tzid checks RFC 5545 §3.2.19: a VTIMEZONE MUST be specified for each
// unique TZID parameter value, unless the zone is known otherwise (RFC
// 7809). Each undefined TZID is reported once, at its first use.
func (v *validator) tzid(p *Property, id string) {
	if v.tzDefined[id] || v.tzSeen[id] {
		return
	}
	v.tzSeen[id] = true
	if v.opts.KnownTZID != nil {
		if !v.opts.KnownTZID(id) {
			v.add(p.Line, SeverityError, "TZID %q is not defined by a VTIMEZONE and is not a known time zone", id)
		}
		return
	}
	if v.lone {
		return // No calendar to hold VTIMEZONEs: nothing to check against.
	}
	v.add(p.Line, v.lenient(), "TZID %q is not defined by a VTIMEZONE", id)
}

// badEscape returns the first backslash sequence of a TEXT value that RFC
// 5545 §3.3.11 does not allow.
func badEscape(s string) (string, bool) {
	for i := strings.IndexByte(s, '\\'); i >= 0 && i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		if i+1 == len(s) {
			return `\`, true
		}
		switch s[i+1] {
		case '\\', ';', ',', 'n', 'N':
			i++
		default:
			return s[i : i+2], true
		}
	}
	return "", false
}

// isToken reports whether s is an iana-token or x-name (RFC 5545 §3.1:
// ALPHA, DIGIT and "-").
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return s != ""
}

// isXName reports whether s is an x-name (RFC 5545 §3.1: "X-" …).
func isXName(s string) bool {
	return len(s) > 2 && (s[0] == 'X' || s[0] == 'x') && s[1] == '-'
}

// hasScheme reports whether s starts with a URI scheme (RFC 3986 §3.1).
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}
