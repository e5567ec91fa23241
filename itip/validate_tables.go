// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/almanac-project/almanac/ical"
)

// tableCheck holds the state of one Validate call.
type tableCheck struct {
	opts   ValidateOptions
	strict bool
	r      *restrictions
	cal    *ical.Component
	method string
	t      *methodTable // nil when METHOD or the component type is unusable
	probs  []Problem
	tzids  []string // the TZIDs the VTIMEZONEs define
}

// compRef names the component a problem is in.
type compRef struct {
	name  string
	index int
	// in names the holder of a VALARM, STANDARD or DAYLIGHT, for the
	// message: " in VEVENT[1]".
	in string
}

var calendarRef = compRef{name: ical.CompCalendar, index: -1}

// report records a problem and returns it, for the caller to mark it as a
// warning.
func (v *tableCheck) report(ref compRef, prop string, line int, rule, section, status, msg string) *Problem {
	v.probs = append(v.probs, Problem{
		Component: ref.name,
		Index:     ref.index,
		Property:  prop,
		Rule:      rule,
		Section:   section,
		Line:      line,
		Message:   msg + ref.in,
		Status:    status,
	})
	return &v.probs[len(v.probs)-1]
}

// isXName reports whether name is an experimental name (RFC 5545 §3.1:
// x-name = "X-" …).
func isXName(name string) bool {
	return len(name) >= 2 && (name[0] == 'X' || name[0] == 'x') && name[1] == '-'
}

// knownComponent reports whether name is a component type of RFC 5545
// or RFC 7953.
func knownComponent(name string) bool {
	switch name {
	case ical.CompCalendar, ical.CompEvent, ical.CompToDo, ical.CompJournal, ical.CompFreeBusy,
		ical.CompTimezone, ical.CompStandard, ical.CompDaylight, ical.CompAlarm,
		ical.CompAvailability, ical.CompAvailable:
		return true
	}
	return false
}

// nthPropLine returns the line of the k-th (0-based) property named name.
func nthPropLine(c *ical.Component, name string, k int) int {
	for i := range c.Props {
		if c.Props[i].Name == name {
			if k == 0 {
				return c.Props[i].Line
			}
			k--
		}
	}
	return c.Line
}

// nthChild returns the k-th (0-based) child named name.
func nthChild(c *ical.Component, name string, k int) *ical.Component {
	for _, ch := range c.Children {
		if ch.Name == name {
			if k == 0 {
				return ch
			}
			k--
		}
	}
	return nil
}

// siblingIndex returns the position of c.Children[i] among the children of
// c with its name.
func siblingIndex(c *ical.Component, i int) int {
	n := 0
	for _, ch := range c.Children[:i] {
		if ch.Name == c.Children[i].Name {
			n++
		}
	}
	return n
}

// run performs the structural steps (seed-mapping §3.7 steps 3 and 4).
func (v *tableCheck) run() {
	cal := v.cal
	r := v.r

	// RFC 5546 §3.1.1: the outer level; METHOD is constrained by each
	// method table instead.
	v.checkRows(cal, &r.calendar, calendarRef, ical.PropMethod)
	if p := cal.Prop(ical.PropVersion); p != nil && strings.TrimSpace(p.Value) != "2.0" {
		// RFC 5546 §3.1.1: VERSION "Value MUST be 2.0."
		v.report(calendarRef, ical.PropVersion, p.Line, "version", r.calendar.section, "3.9",
			fmt.Sprintf("must be 2.0, not %q", p.Value))
	}

	// RFC 5546 §1.4: apart from VTIMEZONE, one component type per message.
	method, _ := MethodOf(cal)
	v.method = method
	comp := ""
	for _, ch := range cal.Children {
		if isMainComponent(ch.Name) {
			comp = ch.Name
			break
		}
	}
	var methodLine int
	var nMethod int
	for i := range cal.Props {
		if cal.Props[i].Name == ical.PropMethod {
			if nMethod == 0 {
				methodLine = cal.Props[i].Line
			}
			nMethod++
		}
	}
	switch {
	case nMethod == 0:
		v.report(calendarRef, ical.PropMethod, cal.Line, "method", "RFC 5546 §1.4", "3.11",
			"missing: an iTIP message has a METHOD")
	case r.matrix[method] == nil:
		v.report(calendarRef, ical.PropMethod, methodLine, "method", "RFC 5546 §1.4", "3.14",
			fmt.Sprintf("unknown method %q", method))
	case comp != "" && !r.matrix[method][comp]:
		v.report(calendarRef, ical.PropMethod, methodLine, "method", "RFC 5546 §1.4", "3.14",
			fmt.Sprintf("METHOD:%s is not defined for %s", method, comp))
	default:
		v.t = r.table(comp, method)
	}
	if comp == "" {
		v.report(calendarRef, "", cal.Line, "component-type", "RFC 5546 §1.4", "3.11",
			"no VEVENT, VTODO, VJOURNAL or VFREEBUSY")
	}

	if v.t != nil {
		if nMethod > 1 {
			row, _ := v.t.calendar.row(ical.PropMethod)
			v.report(calendarRef, ical.PropMethod, nthPropLine(cal, ical.PropMethod, 1), "method", v.t.calendar.section, "3.13",
				fmt.Sprintf("too many (presence %s, found %d)", row.presence, nMethod))
		}
		v.calendarRows()
		v.mainComponents()
	} else {
		// Without a table, still refuse a second component type.
		for i, ch := range cal.Children {
			if isMainComponent(ch.Name) && comp != "" && ch.Name != comp {
				v.report(compRef{name: ch.Name, index: siblingIndex(cal, i)}, "", ch.Line, "component-type", "RFC 5546 §1.4", "3.4",
					fmt.Sprintf("not allowed with %s: one component type per message", comp))
			}
		}
	}
	v.timezones()
	if v.t != nil {
		v.crossComponent()
	}
}

// checkRows counts the properties of c against the rows rs and reports the
// missing, forbidden, unlisted and repeated ones. A property named skip is
// left to the caller.
func (v *tableCheck) checkRows(c *ical.Component, rs *rowSet, ref compRef, skip string) {
	var buf [64]int
	var counts []int
	if len(rs.rows) <= len(buf) {
		counts = buf[:len(rs.rows)]
	} else {
		counts = make([]int, len(rs.rows))
	}
	for i := range c.Props {
		p := &c.Props[i]
		if p.Name == skip {
			continue
		}
		if j, ok := rs.index[p.Name]; ok {
			counts[j]++
			continue
		}
		// Names the table does not list are X-PROPERTY or IANA-PROPERTY.
		if x := isXName(p.Name); x && !rs.x || !x && !rs.iana {
			v.report(ref, p.Name, p.Line, "forbidden", rs.section, "3.12", "unknown property: the table has no row for it")
		}
	}
	for j, row := range rs.rows {
		if row.name == skip {
			continue
		}
		n := counts[j]
		rule, max := "presence", row.max
		if row.unlisted {
			rule = "unlisted"
			if v.strict {
				// seed-mapping §3.7 step 4e: strict mode forbids the RFC
				// 5545 properties a table does not list.
				max = 0
			}
		}
		switch {
		case n < row.min:
			p := v.report(ref, row.name, c.Line, rule, rs.section, "3.11",
				fmt.Sprintf("missing (presence %s, found %d)", row.presence, n))
			if !v.strict && v.method == "REPLY" && row.name == ical.PropOrganizer {
				// Outlook's replies and the RFC's own example 4.5.7.2 omit
				// it; the organizer is the recipient, who holds the copy.
				p.Warning = true
			}
		case max == 0 && n > 0:
			msg := fmt.Sprintf("not allowed (presence %s, found %d)", row.presence, n)
			if row.unlisted {
				rule = "unlisted"
				msg = fmt.Sprintf("not allowed: the table does not list it (found %d)", n)
			} else {
				rule = "forbidden"
			}
			v.report(ref, row.name, nthPropLine(c, row.name, 0), rule, rs.section, "3.13", msg)
		case max > 0 && n > max:
			msg := fmt.Sprintf("too many (presence %s, found %d)", row.presence, n)
			if row.unlisted {
				msg = fmt.Sprintf("too many: not listed in the table, read as 0 or 1 (found %d)", n)
			}
			v.report(ref, row.name, nthPropLine(c, row.name, max), rule, rs.section, "3.13", msg)
		}
	}
	v.pairs(c, rs, ref)
}

// pairs applies the "If present, X MUST (NOT) be present" rows of rs.
func (v *tableCheck) pairs(c *ical.Component, rs *rowSet, ref compRef) {
	for _, pr := range rs.exclusive {
		a, b := c.Prop(pr[0]), c.Prop(pr[1])
		if a == nil || b == nil {
			continue
		}
		later := b
		if a.Line > b.Line {
			later = a
		}
		p := v.report(ref, later.Name, later.Line, "exclusive", rs.section, "3.13",
			fmt.Sprintf("%s and %s must not both be present", pr[0], pr[1]))
		if ref.name == ical.CompStandard && !v.strict {
			// Only the STANDARD rows of RFC 5546 §3.1.2 say so; RFC 5545
			// §3.6.5 allows RRULE and RDATE together, and an interop
			// receiver follows RFC 5545 (as for VALARM in VJOURNAL).
			p.Warning = true
		}
	}
	for _, pr := range rs.together {
		if a := c.Prop(pr[0]); a != nil && c.Prop(pr[1]) == nil {
			v.report(ref, pr[0], a.Line, "together", rs.section, "3.11",
				fmt.Sprintf("requires %s", pr[1]))
		}
	}
}

// calendarRows applies the rows printed at the outer level of the method
// table: the main component, VTIMEZONE, the forbidden component types and
// the X-/IANA components.
func (v *tableCheck) calendarRows() {
	t, cal := v.t, v.cal
	rs := &t.calendar
	var buf [16]int
	var counts []int
	if len(rs.rows) <= len(buf) {
		counts = buf[:len(rs.rows)]
	} else {
		counts = make([]int, len(rs.rows))
	}
	for i, ch := range cal.Children {
		if j, ok := rs.index[ch.Name]; ok {
			counts[j]++
			continue
		}
		ref := compRef{name: ch.Name, index: siblingIndex(cal, i)}
		if slices.Contains(t.unlistedComps, ch.Name) {
			// known_inconsistencies: the VTODO tables have no VJOURNAL
			// row; RFC 5546 §1.4 allows one component type per message.
			v.report(ref, "", ch.Line, "component-type", "RFC 5546 §1.4", "3.4",
				fmt.Sprintf("not allowed in a %s of %s: one component type per message", t.method, t.component))
			continue
		}
		if x := isXName(ch.Name); x && !rs.x || !x && !rs.iana {
			v.report(ref, "", ch.Line, "forbidden", rs.section, "3.12", "unknown component: the table has no row for it")
		}
	}
	for j, row := range rs.rows {
		if row.name == ical.PropMethod {
			continue // counted by run
		}
		n, max := counts[j], row.max
		if row.name == ical.CompTimezone && max == 1 && !v.strict {
			// known_inconsistencies: five tables print VTIMEZONE as
			// "0 or 1" where every other one says "0+"; a message with
			// two TZIDs needs two VTIMEZONEs. Interop mode reads "0+".
			max = -1
		}
		switch {
		case n < row.min:
			v.report(calendarRef, "", v.cal.Line, "presence", rs.section, "3.11",
				fmt.Sprintf("%s missing (presence %s, found %d)", row.name, row.presence, n))
		case max == 0 && n > 0:
			rule := "forbidden"
			msg := fmt.Sprintf("not allowed in a %s of %s (presence %s, found %d)", t.method, t.component, row.presence, n)
			if isMainComponent(row.name) {
				rule = "component-type"
				msg += ": one component type per message"
			}
			v.report(compRef{name: row.name, index: 0}, "", nthChild(cal, row.name, 0).Line, rule, rs.section, "3.4", msg)
		case max > 0 && n > max:
			v.report(compRef{name: row.name, index: max}, "", nthChild(cal, row.name, max).Line, "presence", rs.section, "3.4",
				fmt.Sprintf("too many (presence %s, found %d)", row.presence, n))
		}
	}
}

// extraChild handles a sub-component that the tables do not list: strict
// mode refuses it; interop mode accepts it with a warning, as it reads
// unlisted properties (seed-mapping §3.7 step 4e). Known component types
// nested where RFC 5545 does not allow them are also errors of
// ical.Validate in both modes.
func (v *tableCheck) extraChild(parent compRef, ch *ical.Component, section string) {
	status := "3.12"
	if knownComponent(ch.Name) {
		status = "3.4"
	}
	p := v.report(parent, "", ch.Line, "unlisted", section, status,
		fmt.Sprintf("BEGIN:%s: sub-component not listed in the table", ch.Name))
	if !v.strict {
		p.Warning = true
	}
}

// mainComponents checks every main component against the component rows.
func (v *tableCheck) mainComponents() {
	t := v.t
	index := 0
	for _, c := range v.cal.Children {
		if c.Name != t.component {
			continue
		}
		ref := compRef{name: c.Name, index: index}
		index++
		skip := ""
		if t.method == "REPLY" && !v.strict && (c.Name == ical.CompEvent || c.Name == ical.CompToDo) {
			skip = v.delegationReply(c, ref)
		}
		v.checkRows(c, &t.props, ref, skip)
		v.alarms(c, ref)
		v.derived(c, ref)
	}
}

// delegationReply applies the interop reading of a REPLY with several
// ATTENDEEs (known_inconsistencies; seed-mapping §3.7 step 4f): RFC 5546
// §3.2.2.3 has the delegator's REPLY carry the delegate's ATTENDEE too, and
// the examples of §4.2.6 and §4.2.7 carry both. It returns ATTENDEE when the
// ATTENDEEs are linked to one of them by DELEGATED-TO/DELEGATED-FROM, so
// that checkRows leaves them alone.
func (v *tableCheck) delegationReply(c *ical.Component, ref compRef) string {
	atts := c.PropsNamed(ical.PropAttendee)
	if len(atts) < 2 || len(delegationHubs(atts)) == 0 {
		return ""
	}
	row, _ := v.t.props.row(ical.PropAttendee)
	p := v.report(ref, ical.PropAttendee, atts[1].Line, "delegation", "RFC 5546 §3.2.2.3", "3.13",
		fmt.Sprintf("%d ATTENDEEs linked by delegation; accepted although the table says presence %s", len(atts), row.presence))
	p.Warning = true
	return ical.PropAttendee
}

// delegationHubs returns the ATTENDEEs to which every other ATTENDEE is
// linked by DELEGATED-TO or DELEGATED-FROM (in either direction): the
// possible repliers of a delegation REPLY.
func delegationHubs(atts []*ical.Property) []*ical.Property {
	var hubs []*ical.Property
	for _, a := range atts {
		hub := true
		for _, x := range atts {
			if x != a && !delegationLinked(a, x) {
				hub = false
				break
			}
		}
		if hub {
			hubs = append(hubs, a)
		}
	}
	return hubs
}

// delegationLinked reports whether ATTENDEEs a and b name each other in a
// DELEGATED-TO or DELEGATED-FROM parameter.
func delegationLinked(a, b *ical.Property) bool {
	return paramNames(a, b.CalAddress()) || paramNames(b, a.CalAddress())
}

// paramNames reports whether a's DELEGATED-TO or DELEGATED-FROM lists addr.
func paramNames(a *ical.Property, addr string) bool {
	for _, name := range [...]string{ical.ParamDelegatedTo, ical.ParamDelegatedFrom} {
		if pa, ok := a.Params.Find(name); ok {
			for _, val := range pa.Values {
				if ical.NormalizeAddress(val) == addr {
					return true
				}
			}
		}
	}
	return false
}

// alarms applies the VALARM row of the method table and the common VALARM
// table (RFC 5546 §3.1.3) to the alarms of c, and the table-less rule for
// other sub-components.
func (v *tableCheck) alarms(c *ical.Component, ref compRef) {
	t := v.t
	n := 0
	in := " in " + ref.name + "[" + strconv.Itoa(ref.index) + "]"
	for _, ch := range c.Children {
		if ch.Name != ical.CompAlarm {
			v.extraChild(ref, ch, t.props.section)
			continue
		}
		n++
		aref := compRef{name: ical.CompAlarm, index: ref.index, in: in}
		v.checkRows(ch, &v.r.alarm, aref, "")
		for _, sub := range ch.Children {
			v.extraChild(aref, sub, v.r.alarm.section)
		}
	}
	if n == 0 {
		return
	}
	row := t.alarm
	switch {
	case c.Name == ical.CompJournal:
		// known_inconsistencies: the VJOURNAL PUBLISH and ADD tables allow
		// VALARM 0+, but RFC 5545 §3.6.3 (journalc) has no alarms; RFC
		// 5545 wins in both modes.
		v.report(ref, "", nthChild(c, ical.CompAlarm, 0).Line, "forbidden", "RFC 5545 §3.6.3", "3.4",
			fmt.Sprintf("VALARM not allowed: RFC 5545 has no alarms in VJOURNAL (found %d)", n))
	case n < row.min:
		v.report(ref, "", c.Line, "presence", t.props.section, "3.11",
			fmt.Sprintf("VALARM missing (presence %s, found %d)", row.presence, n))
	case row.max == 0:
		v.report(ref, "", nthChild(c, ical.CompAlarm, 0).Line, "forbidden", t.props.section, "3.4",
			fmt.Sprintf("VALARM not allowed (presence %s, found %d)", row.presence, n))
	case row.max > 0 && n > row.max:
		v.report(ref, "", nthChild(c, ical.CompAlarm, row.max).Line, "presence", t.props.section, "3.4",
			fmt.Sprintf("too many VALARMs (presence %s, found %d)", row.presence, n))
	}
}

// derived applies the derived rules that concern one main component.
func (v *tableCheck) derived(c *ical.Component, ref compRef) {
	t := v.t
	section := t.props.section
	if s := t.status; s != nil {
		if p := c.Prop(ical.PropStatus); p != nil {
			val := strings.ToUpper(strings.TrimSpace(p.Value))
			if !slices.Contains(s.values, val) {
				strength := "MAY"
				if s.must {
					strength = "MUST"
				}
				pr := v.report(ref, ical.PropStatus, p.Line, "status", section, "3.1",
					fmt.Sprintf("%s in a %s; the table says it %s be %s", val, t.method, strength, strings.Join(s.values, "/")))
				pr.Warning = !s.must
			}
		}
	}
	for _, name := range t.utc {
		if p := c.Prop(name); p != nil {
			if dt, err := p.DateTime(); err == nil && dt.Kind != ical.KindUTC {
				v.report(ref, name, p.Line, "utc", section, "3.5", "must be a UTC DATE-TIME")
			}
		}
	}
	if t.positiveSeq {
		if p := c.Prop(ical.PropSequence); p != nil {
			if n, err := p.Int(); err == nil && n <= 0 {
				v.report(ref, ical.PropSequence, p.Line, "sequence", section, "3.1",
					fmt.Sprintf("must be greater than 0 in an ADD, not %d", n))
			}
		}
	}
}

// crossComponent applies the derived rules that relate the components of
// the message: the same UID, RECURRENCE-ID only on instances of a recurring
// component, and a VTIMEZONE for every TZID.
func (v *tableCheck) crossComponent() {
	t := v.t
	section := t.props.section
	var firstUID string
	var haveUID, haveRID bool
	type statusClass struct {
		ref   compRef
		line  int
		class byte
	}
	var classes []statusClass
	index := 0
	for _, c := range v.cal.Children {
		if c.Name != t.component {
			continue
		}
		ref := compRef{name: c.Name, index: index}
		index++
		if class, line := v.statusClassOf(c, ref); class != 0 {
			classes = append(classes, statusClass{ref, line, class})
		}
		if c.Prop(ical.PropRecurrenceID) != nil {
			haveRID = true
		}
		if t.sameUID {
			if p := c.Prop(ical.PropUID); p != nil {
				uid := strings.TrimSpace(p.Value)
				if !haveUID {
					firstUID, haveUID = uid, true
				} else if uid != firstUID {
					// "All components MUST have the same UID."
					v.report(ref, ical.PropUID, p.Line, "same-uid", section, "3.1",
						fmt.Sprintf("%q differs from the first component's %q; all components MUST have the same UID", uid, firstUID))
				}
			}
		}
		if t.needTZ {
			v.tzReferences(c, ref, section)
		}
	}
	if t.instanceRID && haveRID {
		v.recurrenceIDs(section)
	}
	// RFC 5546 §3.6 rule 2: if one component has a 5.xx code, all that
	// carry REQUEST-STATUS have 5.xx; otherwise likewise for 3.xx; 2.xx
	// and 4.xx may mix.
	var want byte
	for _, c := range classes {
		if c.class == '5' || c.class == '3' && want != '5' {
			want = c.class
		}
	}
	for _, c := range classes {
		if want != 0 && c.class != want {
			v.report(c.ref, ical.PropRequestStatus, c.line, "request-status", "RFC 5546 §3.6", "3.1",
				fmt.Sprintf("%c.xx while another component has %c.xx: all components MUST have codes of that class or none", c.class, want))
		}
	}
}

// statusClassOf returns the class ('2', '3', '4' or '5') of the
// REQUEST-STATUS codes of c, with the line of the first, and reports codes
// of different classes in one component (RFC 5546 §3.6 rule 1). It returns
// 0 when c has no REQUEST-STATUS with a readable code.
func (v *tableCheck) statusClassOf(c *ical.Component, ref compRef) (class byte, line int) {
	for i := range c.Props {
		p := &c.Props[i]
		if p.Name != ical.PropRequestStatus {
			continue
		}
		code := strings.TrimSpace(p.Value)
		if len(code) == 0 || code[0] < '1' || code[0] > '9' {
			continue // ical.Validate reports the value
		}
		switch {
		case class == 0:
			class, line = code[0], p.Line
		case code[0] != class:
			v.report(ref, ical.PropRequestStatus, p.Line, "request-status", "RFC 5546 §3.6", "3.1",
				fmt.Sprintf("%c.xx after %c.xx: the codes of one component MUST be of one class", code[0], class))
		}
	}
	return class, line
}

// tzReferences reports each TZID parameter of c (and its sub-components)
// that no VTIMEZONE of the message defines and KnownTZID does not know:
// "MUST be present if any date/time refers to a timezone" (VTIMEZONE rows).
func (v *tableCheck) tzReferences(c *ical.Component, ref compRef, section string) {
	for i := range c.Props {
		p := &c.Props[i]
		id := strings.TrimSpace(p.Params.Get(ical.ParamTZID))
		if id == "" || slices.Contains(v.tzids, id) {
			continue
		}
		if v.opts.KnownTZID != nil && v.opts.KnownTZID(id) {
			continue
		}
		// Report each TZID once.
		v.tzids = append(v.tzids, id)
		v.report(ref, p.Name, p.Line, "vtimezone", section, "3.11",
			fmt.Sprintf("TZID %q has no VTIMEZONE in the message", id))
	}
	for _, ch := range c.Children {
		v.tzReferences(ch, ref, section)
	}
}

// recurrenceIDs applies "RECURRENCE-ID: Only if referring to an instance of
// a recurring calendar component. Otherwise, it MUST NOT be present." What
// one message can show: when it also holds the master component (same UID,
// no RECURRENCE-ID), the master must recur (RRULE or RDATE). Without the
// master the recipient's copy decides.
func (v *tableCheck) recurrenceIDs(section string) {
	t := v.t
	type master struct {
		index     int
		recurring bool
	}
	masters := map[string]master{}
	index := 0
	for _, c := range v.cal.Children {
		if c.Name != t.component {
			continue
		}
		if c.Prop(ical.PropRecurrenceID) == nil {
			if uid := c.Prop(ical.PropUID); uid != nil {
				key := strings.TrimSpace(uid.Value)
				if _, dup := masters[key]; !dup {
					masters[key] = master{index, c.Prop(ical.PropRRule) != nil || c.Prop(ical.PropRDate) != nil}
				}
			}
		}
		index++
	}
	index = 0
	for _, c := range v.cal.Children {
		if c.Name != t.component {
			continue
		}
		ref := compRef{name: c.Name, index: index}
		index++
		rid, uid := c.Prop(ical.PropRecurrenceID), c.Prop(ical.PropUID)
		if rid == nil || uid == nil {
			continue
		}
		if m, ok := masters[strings.TrimSpace(uid.Value)]; ok && !m.recurring {
			v.report(ref, ical.PropRecurrenceID, rid.Line, "recurrence-id", section, "3.13",
				fmt.Sprintf("not allowed: the master %s[%d] of this UID has no RRULE or RDATE, so there is no instance to refer to", t.component, m.index))
		}
	}
}

// timezones checks every VTIMEZONE against the common table of RFC 5546
// §3.1.2 and records the TZIDs they define.
func (v *tableCheck) timezones() {
	r := v.r
	index := 0
	for _, c := range v.cal.Children {
		if c.Name != ical.CompTimezone {
			continue
		}
		ref := compRef{name: c.Name, index: index}
		index++
		if p := c.Prop(ical.PropTZID); p != nil {
			v.tzids = append(v.tzids, strings.TrimSpace(p.Value))
		}
		v.checkRows(c, &r.timezone, ref, "")
		in := " in VTIMEZONE[" + strconv.Itoa(ref.index) + "]"
		n := 0
		for _, ch := range c.Children {
			sub, ok := r.tzSub[ch.Name]
			if !ok {
				v.extraChild(ref, ch, r.timezone.section)
				continue
			}
			n++
			sref := compRef{name: ch.Name, index: ref.index, in: in}
			v.checkRows(ch, sub, sref, "")
			for _, x := range ch.Children {
				v.extraChild(sref, x, r.timezone.section)
			}
		}
		if n == 0 {
			// STANDARD and DAYLIGHT: "MUST be one or more of either".
			v.report(ref, "", c.Line, "presence", r.timezone.section, "3.11",
				"STANDARD or DAYLIGHT missing: one or more of either is required")
		}
	}
}
