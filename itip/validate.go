// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Validation of iTIP messages against the restriction tables of RFC 5546
// §3, following the validation pipeline of seed-mapping.md §3.7: step 3
// (syntax: ParseMessage, plus VERSION and PRODID in Validate), step 4
// (structure: METHOD, one component type, the calendar and component rows,
// the common tables, the derived rules, the unlisted properties and the
// known inconsistencies of the RFC), step 5 (values, through ical.Validate)
// and the originator binding of step 6 (CheckOriginator).

package itip

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/almanac-project/almanac/ical"
)

// Mode selects how strictly Validate reads the tables (seed-mapping §3.7).
// The two modes differ only where the RFC is inconsistent or real producers
// deviate: the syntax (ParseMessage), the unlisted RFC 5545 properties, the
// known inconsistencies of the tables, and the RFC 5545 value rules.
type Mode uint8

const (
	// ModeInterop accepts what real producers send where the RFC itself is
	// inconsistent: a VTIMEZONE row printed as "0 or 1" is read as "0+";
	// a property of RFC 5545 that a table does not list is read as
	// "0 or 1"; a REPLY may carry the ATTENDEEs of a delegation
	// (RFC 5546 §4.2.6, §4.2.7); the RFC 5545 value rules are those of
	// ical.Validate's lenient mode.
	ModeInterop Mode = iota
	// ModeStrict reads the tables exactly as printed, forbids unlisted
	// properties and applies ical.Validate's strict mode. It is meant for
	// the CRISP DMZ proxy.
	ModeStrict
)

// String returns "interop" or "strict".
func (m Mode) String() string {
	if m == ModeStrict {
		return "strict"
	}
	return "interop"
}

// ValidateOptions tunes Validate. The zero value validates in interop mode
// and requires a VTIMEZONE for every TZID.
type ValidateOptions struct {
	// Mode selects strict or interop reading of the tables.
	Mode Mode
	// KnownTZID, when set, reports whether a TZID without a VTIMEZONE is
	// known (RFC 7809 time zones by reference); nil: every TZID needs its
	// VTIMEZONE, as RFC 5546 §3.1.2 says.
	KnownTZID func(string) bool
}

// Problem is one violation. Warning problems do not make a message invalid.
type Problem struct {
	// Component is the component the problem is in: "VCALENDAR",
	// "VEVENT", "VALARM", "VTIMEZONE", "STANDARD" …
	Component string
	// Index is the position of the main component (VEVENT, VTODO,
	// VJOURNAL, VFREEBUSY) or VTIMEZONE among its siblings of that name;
	// for a VALARM, STANDARD or DAYLIGHT it is the index of the component
	// that holds it. It is -1 at calendar level.
	Index int
	// Property is the property concerned, "" for a component-level
	// problem.
	Property string
	// Rule is a short stable name of the rule: "method",
	// "component-type", "presence", "forbidden", "unlisted", "exclusive",
	// "together", "version", "same-uid", "sequence", "recurrence-id",
	// "status", "request-status", "vtimezone", "utc", "delegation",
	// "value" (an RFC 5545 rule checked by ical.Validate) or "originator".
	Rule string
	// Section is the RFC section the rule comes from, such as
	// "RFC 5546 §3.2.2" or "RFC 5545 §3.8.7.2".
	Section string
	// Line is the input line of the property, or of the BEGIN line of the
	// component; 0 when unknown.
	Line int
	// Message says what is wrong, without the component and property.
	Message string
	// Warning is set for findings that do not make the message invalid.
	Warning bool
	// Status is the REQUEST-STATUS code this problem maps to (RFC 5546
	// §3.6): "3.11" a required component or property is missing, "3.13" a
	// property or component is not allowed (forbidden, too many, unlisted),
	// "3.12" an unknown component, "3.4" an invalid component sequence
	// (component counts and types), "3.1" an invalid property value, "3.5"
	// an invalid date or time, "3.6" an invalid rule, "3.7" an invalid
	// calendar user address, "3.9" an unsupported VERSION, "3.14" an
	// unsupported METHOD, "3.8" no authority (the originator).
	Status string
}

// subComponent reports whether name is a component whose problems carry
// the index of the component holding it.
func subComponent(name string) bool {
	return name == ical.CompAlarm || name == ical.CompStandard || name == ical.CompDaylight
}

// String formats p as "VEVENT[0]: ATTENDEE: too many (presence 1, found 2)
// [RFC 5546 §3.2.3]".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Component)
	if p.Index >= 0 && !subComponent(p.Component) {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(p.Index))
		b.WriteByte(']')
	}
	if p.Property != "" {
		b.WriteString(": ")
		b.WriteString(p.Property)
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	if p.Section != "" {
		b.WriteString(" [")
		b.WriteString(p.Section)
		b.WriteByte(']')
	}
	return b.String()
}

// Valid reports whether ps holds no problem that is not a warning.
func Valid(ps []Problem) bool {
	for _, p := range ps {
		if !p.Warning {
			return false
		}
	}
	return true
}

// StatusOf returns the REQUEST-STATUS code for refusing a message with
// problems ps: the Status of the first problem that is not a warning, or
// "2.0" when there is none.
func StatusOf(ps []Problem) string {
	for _, p := range ps {
		if !p.Warning {
			return p.Status
		}
	}
	return "2.0"
}

// isMainComponent reports whether name is one of the component types an
// iTIP message is about.
func isMainComponent(name string) bool {
	switch name {
	case ical.CompEvent, ical.CompToDo, ical.CompJournal, ical.CompFreeBusy:
		return true
	}
	return false
}

// MethodOf returns the METHOD value in upper case and the main component
// type of the message (VEVENT, VTODO, VJOURNAL or VFREEBUSY); the component
// is "" when there is none or more than one type (RFC 5546 §1.4: apart from
// VTIMEZONE, one component type per message).
func MethodOf(cal *ical.Component) (method, component string) {
	if cal == nil {
		return "", ""
	}
	if p := cal.Prop(ical.PropMethod); p != nil {
		method = strings.ToUpper(strings.TrimSpace(p.Value))
	}
	for _, ch := range cal.Children {
		if !isMainComponent(ch.Name) {
			continue
		}
		if component == "" {
			component = ch.Name
		} else if component != ch.Name {
			return method, ""
		}
	}
	return method, component
}

// ParseMessage decodes data as one iTIP message: the syntax step of
// seed-mapping §3.7 (step 3). In strict mode it is a strict RFC 5545 parse
// (ical.DecodeOptions.Strict: CRLF, folded lines, no repairs). In interop
// mode the decoder repairs what real producers send (bare LF, long lines,
// blank lines), but BEGIN and END lines must still balance: the lenient
// decoder would close a BEGIN:VTODO with an END:VEVENT, and such a message
// is refused in both modes. Either way data must hold exactly one
// VCALENDAR. A positioned failure is an *ical.SyntaxError.
func ParseMessage(data []byte, mode Mode) (*ical.Calendar, error) {
	if mode != ModeStrict {
		if err := checkBeginEnd(data); err != nil {
			return nil, err
		}
	}
	dec := ical.NewDecoderOptions(bytes.NewReader(data), ical.DecodeOptions{Strict: mode == ModeStrict})
	cal, err := dec.Decode()
	if errors.Is(err, io.EOF) {
		return nil, &ical.SyntaxError{Line: 1, Msg: "no VCALENDAR found"}
	}
	if err != nil {
		return nil, err
	}
	next, err := dec.DecodeComponent()
	switch {
	case errors.Is(err, io.EOF):
		return cal, nil
	case err != nil:
		return nil, err
	}
	return nil, &ical.SyntaxError{Line: next.Line, Msg: "more than one iCalendar object; an iTIP message is one VCALENDAR"}
}

// checkBeginEnd checks that the BEGIN and END lines of data nest properly
// (RFC 5545 §3.4, §3.6).
func checkBeginEnd(data []byte) error {
	type open struct {
		name string
		line int
	}
	var stack []open
	var logical []byte // the current content line, unfolded, if it is BEGIN or END
	start, lineNo := 0, 0
	check := func() error {
		if logical == nil {
			return nil
		}
		name, value, ok := bytes.Cut(logical, []byte{':'})
		logical = nil
		begin := bytes.EqualFold(name, []byte("BEGIN"))
		if !ok || !begin && !bytes.EqualFold(name, []byte("END")) {
			return nil
		}
		value = bytes.ToUpper(bytes.TrimSpace(value))
		if begin {
			stack = append(stack, open{string(value), start})
			return nil
		}
		if len(stack) == 0 {
			return &ical.SyntaxError{Line: start, Msg: fmt.Sprintf("END:%s without BEGIN", value)}
		}
		top := stack[len(stack)-1]
		if top.name != string(value) {
			return &ical.SyntaxError{Line: start, Msg: fmt.Sprintf("END:%s does not match BEGIN:%s on line %d", value, top.name, top.line)}
		}
		stack = stack[:len(stack)-1]
		return nil
	}
	for rest := data; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		lineNo++
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if logical != nil {
				logical = append(logical, line[1:]...)
			}
			continue
		}
		if err := check(); err != nil {
			return err
		}
		start = lineNo
		if beginEndPrefix(line) {
			logical = append([]byte(nil), line...)
		}
	}
	if err := check(); err != nil {
		return err
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return &ical.SyntaxError{Line: lineNo, Msg: fmt.Sprintf("BEGIN:%s on line %d is never closed", top.name, top.line)}
	}
	return nil
}

// beginEndPrefix reports whether a physical line may start a BEGIN or END
// content line, possibly folded within the name.
func beginEndPrefix(line []byte) bool {
	for _, word := range [...]string{"BEGIN:", "END:"} {
		n := min(len(line), len(word))
		if n > 0 && bytes.EqualFold(line[:n], []byte(word[:n])) {
			return true
		}
	}
	return false
}

// Validate checks cal, a parsed VCALENDAR, against the restriction tables of
// RFC 5546 §3 and the value rules of RFC 5545 (seed-mapping §3.7 steps 3–5
// after the parse). It returns the problems sorted by line, or nil.
//
// The checks, in the order of the pipeline:
//   - the VCALENDAR level against the common table of §3.1.1 (VERSION 2.0,
//     PRODID);
//   - METHOD present once, one main component type (§1.4), the pair in the
//     method/component matrix;
//   - the calendar rows of the method table: how many main components,
//     VTIMEZONEs, forbidden types and X-/IANA components;
//   - the component rows for every main component: each property's
//     presence, the forbidden and unlisted properties, the VALARM row;
//     every VALARM against §3.1.3, every VTIMEZONE against §3.1.2;
//   - the derived rules: DTEND/DUE versus DURATION, the same UID in every
//     component, SEQUENCE greater than 0 for ADD, UTC DTSTART/DTEND for
//     VFREEBUSY, the STATUS values (MUST: error, MAY: warning),
//     RECURRENCE-ID only on instances of a recurring component, a
//     VTIMEZONE for every TZID (unless KnownTZID knows it); and the
//     REQUEST-STATUS classes of §3.6 (one class per component; 5.xx or
//     3.xx in one component means the same class in all that carry one);
//   - the known inconsistencies of the RFC: VALARM inside VJOURNAL is
//     refused in both modes (RFC 5545 §3.6.3 has no alarms in journals);
//     the other ones depend on the Mode;
//   - the value rules of RFC 5545 through ical.Validate, strict or lenient
//     after the Mode; findings already reported by a table rule are not
//     repeated.
//
// Validate reads cal and never changes it.
func Validate(cal *ical.Component, opts ValidateOptions) []Problem {
	v := &tableCheck{opts: opts, strict: opts.Mode == ModeStrict, r: loadedRestrictions()}
	if cal == nil || cal.Name != ical.CompCalendar {
		name, line := "", 0
		if cal != nil {
			name, line = cal.Name, cal.Line
		}
		return []Problem{{Component: name, Index: -1, Rule: "component-type", Section: "RFC 5545 §3.4",
			Line: line, Message: "an iTIP message is a VCALENDAR", Status: "3.4"}}
	}
	v.cal = cal
	v.run()
	v.values()
	slices.SortStableFunc(v.probs, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
	return v.probs
}
