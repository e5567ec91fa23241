// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"errors"
	"fmt"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// maxFilterDepth bounds the nesting of comp-filters. Known components nest
// at most three deep below VCALENDAR (VTIMEZONE > STANDARD); the rest is
// room for X- components.
const maxFilterDepth = 8

// parents lists, for the components RFC 5545 and RFC 7953 define, where
// they may appear. RFC 4791 §7.8 (CALDAV:valid-filter): "a CALDAV:filter
// cannot nest a <C:comp name="VEVENT"> element in a <C:comp name="VTODO">
// element". X- and other unknown components may appear anywhere below
// VCALENDAR (RFC 4791 §7.7).
var parents = map[string][]string{
	ical.CompEvent:        {ical.CompCalendar},
	ical.CompToDo:         {ical.CompCalendar},
	ical.CompJournal:      {ical.CompCalendar},
	ical.CompFreeBusy:     {ical.CompCalendar},
	ical.CompTimezone:     {ical.CompCalendar},
	ical.CompAvailability: {ical.CompCalendar},
	ical.CompStandard:     {ical.CompTimezone},
	ical.CompDaylight:     {ical.CompTimezone},
	ical.CompAlarm:        {ical.CompEvent, ical.CompToDo},
	ical.CompAvailable:    {ical.CompAvailability},
	ical.CompCalendar:     {},
}

// timeRangeComps are the components RFC 4791 §9.9 defines time-range
// semantics for.
var timeRangeComps = map[string]bool{
	ical.CompEvent: true, ical.CompToDo: true, ical.CompJournal: true,
	ical.CompFreeBusy: true, ical.CompAlarm: true,
	ical.CompAvailability: true, // RFC 7953 §7.2.2
}

// timeRangeProps are the properties RFC 4791 §9.9 defines time-range
// semantics for.
var timeRangeProps = map[string]bool{
	ical.PropCompleted: true, ical.PropCreated: true, ical.PropDTEnd: true,
	ical.PropDTStamp: true, ical.PropDTStart: true, ical.PropDue: true,
	ical.PropLastModified: true,
}

func invalidFilter(format string, args ...any) error {
	return forbidden("valid-filter", fmt.Sprintf(format, args...))
}

// Validate checks f against RFC 4791 §9.7 and §7.8. It returns a
// *PreconditionError: CALDAV:supported-collation for a collation this
// package does not implement (§7.5), and CALDAV:valid-filter for a filter
// whose top comp-filter is not VCALENDAR, that nests components where
// RFC 5545 does not allow them, combines is-not-defined with other tests,
// has a time-range on a component or property without §9.9 semantics, or
// a time range that is empty, malformed or ends before it starts.
func (f *Filter) Validate() error {
	cf := &f.CompFilter
	// RFC 4791 §9.7.1: the scope of the comp-filter child of filter is the
	// calendar object, a VCALENDAR.
	if upper(cf.Name) != ical.CompCalendar {
		return invalidFilter("the top comp-filter must name VCALENDAR")
	}
	if cf.IsNotDefined != nil || cf.TimeRange != nil {
		return invalidFilter("the VCALENDAR comp-filter may only hold prop-filter and comp-filter")
	}
	return validateComp(cf, "", 0)
}

func validateComp(cf *CompFilter, parent string, depth int) error {
	if depth > maxFilterDepth {
		return invalidFilter("comp-filter nested too deep")
	}
	name := upper(cf.Name)
	if !validName(name) {
		return invalidFilter("comp-filter name %q", cf.Name)
	}
	if allowed, known := parents[name]; known && depth > 0 && !contains(allowed, parent) {
		return invalidFilter("%s cannot be inside %s", name, parent)
	}
	if name == ical.CompCalendar && depth > 0 {
		return invalidFilter("VCALENDAR cannot be nested")
	}
	// RFC 4791 §9.7.1: <!ELEMENT comp-filter (is-not-defined |
	// (time-range?, prop-filter*, comp-filter*))>.
	if cf.IsNotDefined != nil && (cf.TimeRange != nil || len(cf.PropFilters) > 0 || len(cf.CompFilters) > 0) {
		return invalidFilter("is-not-defined in comp-filter %s with other tests", name)
	}
	if cf.TimeRange != nil {
		if !timeRangeComps[name] {
			return invalidFilter("time-range is not defined for %s", name)
		}
		if _, err := parseWindow(cf.TimeRange, false); err != nil {
			return invalidFilter("comp-filter %s: %v", name, err)
		}
	}
	for i := range cf.PropFilters {
		if err := validateProp(&cf.PropFilters[i]); err != nil {
			return err
		}
	}
	for i := range cf.CompFilters {
		if err := validateComp(&cf.CompFilters[i], name, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func validateProp(pf *PropFilter) error {
	name := upper(pf.Name)
	if !validName(name) {
		return invalidFilter("prop-filter name %q", pf.Name)
	}
	// RFC 4791 §9.7.2: <!ELEMENT prop-filter (is-not-defined |
	// ((time-range | text-match)?, param-filter*))>.
	if pf.IsNotDefined != nil && (pf.TimeRange != nil || pf.TextMatch != nil || len(pf.ParamFilters) > 0) {
		return invalidFilter("is-not-defined in prop-filter %s with other tests", name)
	}
	if pf.TimeRange != nil && pf.TextMatch != nil {
		return invalidFilter("prop-filter %s has both time-range and text-match", name)
	}
	if pf.TimeRange != nil {
		// RFC 4791 §7.8: "a CALDAV:filter cannot nest a <C:time-range
		// start="..." end="..."> element in a <C:prop name="SUMMARY">
		// element".
		if !timeRangeProps[name] {
			return invalidFilter("time-range is not defined for %s", name)
		}
		if _, err := parseWindow(pf.TimeRange, false); err != nil {
			return invalidFilter("prop-filter %s: %v", name, err)
		}
	}
	if err := validateText(pf.TextMatch); err != nil {
		return err
	}
	for i := range pf.ParamFilters {
		pa := &pf.ParamFilters[i]
		if !validName(upper(pa.Name)) {
			return invalidFilter("param-filter name %q", pa.Name)
		}
		// RFC 4791 §9.7.3: <!ELEMENT param-filter (is-not-defined | text-match?)>.
		if pa.IsNotDefined != nil && pa.TextMatch != nil {
			return invalidFilter("is-not-defined in param-filter %s with text-match", pa.Name)
		}
		if err := validateText(pa.TextMatch); err != nil {
			return err
		}
	}
	return nil
}

func validateText(tm *TextMatch) error {
	if tm == nil {
		return nil
	}
	// RFC 4791 §7.5: "If the client chooses a collation not supported by
	// the server, the server MUST respond with a CALDAV:supported-collation
	// precondition error response."
	if _, ok := collation(tm.Collation); !ok {
		return forbidden("supported-collation", fmt.Sprintf("collation %q is not supported", tm.Collation))
	}
	switch tm.NegateCondition {
	case "", "yes", "no":
		return nil
	}
	return invalidFilter("negate-condition must be yes or no")
}

// validName reports whether s is an iCalendar name (RFC 5545 §3.1:
// letters, digits and "-").
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !('A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Range returns what a store index can pre-select on: the component name
// of the single comp-filter below VCALENDAR ("" when there are none or
// several, or it is is-not-defined) and the bounds of its time-range (zero
// times for an absent or open bound, or when there is no time-range).
// Every object that matches f has a component comp that overlaps
// [start, end); the converse does not hold.
func (f *Filter) Range() (comp string, start, end time.Time) {
	cfs := f.CompFilter.CompFilters
	if len(cfs) != 1 || cfs[0].IsNotDefined != nil {
		return "", time.Time{}, time.Time{}
	}
	cf := &cfs[0]
	comp = upper(cf.Name)
	if cf.TimeRange == nil {
		return comp, time.Time{}, time.Time{}
	}
	w, err := parseWindow(cf.TimeRange, false)
	if err != nil {
		return comp, time.Time{}, time.Time{}
	}
	return comp, w.start, w.end
}

// Match reports whether the calendar object vcal (a VCALENDAR) matches f,
// by RFC 4791 §9.7 and the time-range rules of §9.9 for VEVENT, VTODO,
// VJOURNAL, VFREEBUSY and VALARM. f must have passed Validate.
//
// Time ranges consider every instance of a recurrence set (RRULE, RDATE,
// EXDATE, EXRULE and RECURRENCE-ID overrides, RFC 5545 §3.8.5). An
// instance belongs to the component that defines it: an override's own
// DTSTART and DTEND count, never the original slot it replaced. The alarms
// of a recurring component trigger relative to each of its instances.
// Property time ranges (§9.9: COMPLETED, CREATED, DTEND, DTSTAMP, DTSTART,
// DUE, LAST-MODIFIED) test the values as written in each component, with
// DTSTART+DURATION standing for a missing DTEND or DUE.
//
// Floating times and dates are read in opt.Zone; a TZID that cannot be
// resolved is read as floating. Text is matched on unescaped TEXT values
// (RFC 5545 §3.3.11) and on other values as written. A prop-filter or
// param-filter with a text-match matches when any one property or
// parameter value of that name does; a negated text-match needs the
// property or parameter to exist (RFC 4791 §9.7.2, §9.7.3).
//
// The error wraps recur.ErrBudget when a recurrence is too costly to
// expand within opt.Limits.
func Match(vcal *ical.Component, f *Filter, opt Options) (bool, error) {
	if vcal == nil || f == nil {
		return false, errors.New("caldata: Match needs a calendar and a filter")
	}
	m := &matcher{object: newObject(vcal, opt)}
	if upper(f.CompFilter.Name) != vcal.Name {
		return false, nil
	}
	ok := m.compMatches(vcal, &f.CompFilter, nil)
	if m.err != nil {
		return false, m.err
	}
	return ok, nil
}

type matcher struct {
	*object
	// err is the first expansion error that stops evaluation.
	err error
}

// fail records an expansion error; budget errors stop the evaluation,
// others (an invalid RRULE, a missing DTSTART) only make the component
// not match.
func (m *matcher) fail(err error) {
	if m.err == nil && errors.Is(err, recur.ErrBudget) {
		m.err = fmt.Errorf("caldata: %w", err)
	}
}

// compFilterIn evaluates cf in the scope of parent (RFC 4791 §9.7.1).
func (m *matcher) compFilterIn(parent *ical.Component, cf *CompFilter) bool {
	name := upper(cf.Name)
	found := false
	for _, c := range parent.Children {
		if c.Name != name {
			continue
		}
		found = true
		if cf.IsNotDefined == nil && m.compMatches(c, cf, parent) {
			return true
		}
		if m.err != nil {
			return false
		}
	}
	return cf.IsNotDefined != nil && !found
}

// compMatches evaluates the time-range, prop-filters and comp-filters of
// cf on component c, child of parent.
func (m *matcher) compMatches(c *ical.Component, cf *CompFilter, parent *ical.Component) bool {
	if cf.TimeRange != nil {
		w, err := parseWindow(cf.TimeRange, false)
		if err != nil || !m.overlaps(c, parent, w) {
			return false
		}
	}
	for i := range cf.PropFilters {
		if !m.propFilterIn(c, &cf.PropFilters[i]) {
			return false
		}
	}
	for i := range cf.CompFilters {
		if !m.compFilterIn(c, &cf.CompFilters[i]) {
			return false
		}
	}
	return true
}

// propFilterIn evaluates pf in the scope of c (RFC 4791 §9.7.2).
func (m *matcher) propFilterIn(c *ical.Component, pf *PropFilter) bool {
	name := upper(pf.Name)
	props := c.PropsNamed(name)
	if pf.IsNotDefined != nil {
		return len(props) == 0
	}
	if pf.TimeRange != nil {
		return m.propTimeRange(c, name, pf)
	}
	for _, p := range props {
		if pf.TextMatch != nil && !pf.TextMatch.matches(textValue(p)) {
			continue
		}
		if paramsMatch(p, pf.ParamFilters) {
			return true
		}
	}
	return false
}

// textValue returns the value a text-match applies to: TEXT unescaped,
// anything else as written.
func textValue(p *ical.Property) string {
	if p.ValueType() == ical.TypeText {
		if s, err := p.Text(); err == nil {
			return s
		}
	}
	return p.Value
}

// paramsMatch evaluates param-filters on one property (RFC 4791 §9.7.3).
func paramsMatch(p *ical.Property, pfs []ParamFilter) bool {
	for i := range pfs {
		pa := &pfs[i]
		param, ok := p.Params.Find(upper(pa.Name))
		switch {
		case pa.IsNotDefined != nil:
			if ok {
				return false
			}
		case !ok:
			return false
		case pa.TextMatch != nil:
			any := false
			for _, v := range param.Values {
				if pa.TextMatch.matches(v) {
					any = true
					break
				}
			}
			if !any {
				return false
			}
		}
	}
	return true
}

// propTimeRange evaluates a prop-filter with a time-range (RFC 4791 §9.9):
// (start <= date-time AND end > date-time) for some value of the property,
// DTSTART+DURATION standing for a missing DTEND or DUE.
func (m *matcher) propTimeRange(c *ical.Component, name string, pf *PropFilter) bool {
	w, err := parseWindow(pf.TimeRange, false)
	if err != nil {
		return false
	}
	props := c.PropsNamed(name)
	for _, p := range props {
		d, err := p.DateTime()
		if err != nil {
			continue
		}
		t, err := m.instant(d)
		if err == nil && w.contains(t) && paramsMatch(p, pf.ParamFilters) {
			return true
		}
	}
	if len(props) > 0 || (name != ical.PropDTEnd && name != ical.PropDue) || len(pf.ParamFilters) > 0 {
		return false
	}
	if name == ical.PropDTEnd && c.Name == ical.CompToDo || name == ical.PropDue && c.Name != ical.CompToDo {
		return false
	}
	t, ok := m.effectiveEnd(c)
	return ok && w.contains(t)
}

// effectiveEnd returns DTSTART+DURATION of c.
func (m *matcher) effectiveEnd(c *ical.Component) (time.Time, bool) {
	sp, dp := c.Prop(ical.PropDTStart), c.Prop(ical.PropDuration)
	if sp == nil || dp == nil {
		return time.Time{}, false
	}
	d, err := sp.DateTime()
	if err != nil {
		return time.Time{}, false
	}
	dur, err := dp.Duration()
	if err != nil {
		return time.Time{}, false
	}
	t, err := m.instant(d)
	if err != nil {
		return time.Time{}, false
	}
	return dur.AddTo(t, m.zoneOf(d)), true
}
