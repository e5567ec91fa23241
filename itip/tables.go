// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/almanac-project/almanac/ical"
)

// restrictionsJSON is the team's transcription of the restriction tables of
// RFC 5546 §3 (shared/design/itip-restrictions.json, copied verbatim): the
// 22 method tables, the three common tables of §3.1, the method/component
// matrix, the originator roles of §1.4, the REQUEST-STATUS codes of §3.6
// and the known inconsistencies of the RFC. Its rows were parsed from the
// RFC text and re-checked by hand (seed-mapping.md §3.10).
//
//go:embed restrictions.json
var restrictionsJSON []byte

// restrictionRow is one row of a restriction table: how many instances of
// a property or component may appear.
type restrictionRow struct {
	name     string
	presence string // as printed: "1", "1+", "0", "0+", "0 or 1"
	min, max int    // max < 0: no upper bound
	line     int    // the row's line in RFC 5546
	// unlisted marks an RFC 5545 property the table does not list
	// (unlisted_rfc5545_properties); its row is "0 or 1" in interop mode
	// and "0" in strict mode (seed-mapping §3.7 step 4e).
	unlisted bool
}

// rowSet is the property rows of one table, in the order they are printed.
type rowSet struct {
	section string // "RFC 5546 §3.2.2"
	rows    []restrictionRow
	index   map[string]int // row name -> index in rows
	// iana and x tell whether the table has IANA-PROPERTY (IANA-COMPONENT)
	// and X-PROPERTY (X-COMPONENT) rows, which admit unknown names.
	iana, x bool
	// exclusive lists pairs that must not both be present; together lists
	// pairs where the first requires the second (from the comments "If
	// present, X MUST NOT be present" and "If present, X MUST be present").
	exclusive, together [][2]string
}

// statusRule restricts the values of STATUS (a derived status_values rule,
// or the CANCEL comments that say STATUS MUST be CANCELLED).
type statusRule struct {
	values []string
	must   bool // MUST: a violation is an error; MAY: a warning
}

// methodTable is one method table of RFC 5546 §3.2–3.5, for a main
// component type and a METHOD.
type methodTable struct {
	component, method string
	// calendar holds the rows printed at the outer level: METHOD, the main
	// component, VTIMEZONE and the forbidden component types; iana and x
	// stand for the IANA-COMPONENT and X-COMPONENT rows.
	calendar rowSet
	// props holds the rows of the main component's properties, including
	// the unlisted RFC 5545 properties.
	props rowSet
	// alarm is the VALARM row inside the main component.
	alarm restrictionRow
	// unlistedComps are component types the table does not list at all
	// (VJOURNAL in the VTODO tables); RFC 5546 §1.4 allows one component
	// type per message, so they count as 0.
	unlistedComps []string
	// Derived rules (derived_rules of the JSON).
	sameUID     bool     // all main components MUST have the same UID
	positiveSeq bool     // SEQUENCE MUST be greater than 0 (ADD)
	instanceRID bool     // RECURRENCE-ID only on instances of a recurring component
	needTZ      bool     // a VTIMEZONE MUST be present for every TZID
	utc         []string // properties whose DATE-TIME MUST be in UTC
	status      *statusRule
}

// restrictions is the parsed form of restrictions.json.
type restrictions struct {
	// tables[component][method]
	tables map[string]map[string]*methodTable
	// matrix[method][component] as printed in method_component_matrix.
	matrix map[string]map[string]bool
	// calendar, timezone and alarm are the common tables of RFC 5546
	// §3.1.1–3.1.3; tzSub holds the STANDARD and DAYLIGHT rows.
	calendar, timezone, alarm rowSet
	tzSub                     map[string]*rowSet
	// organizer and attendee are the methods each role sends (§1.4);
	// delegating holds the attendee methods allowed "only when
	// delegating" (REQUEST).
	organizer, attendee, delegating []string
}

// loadedRestrictions parses restrictionsJSON once, on first use.
var loadedRestrictions = sync.OnceValue(func() *restrictions {
	r, err := parseRestrictions(restrictionsJSON)
	if err != nil {
		// The file is embedded and tested: failing here is a build defect.
		panic(err)
	}
	return r
})

type jsonRow struct {
	Presence string `json:"presence"`
	Min      int    `json:"min"`
	Max      *int   `json:"max"`
	Comment  string `json:"comment"`
	Line     int    `json:"rfc5546_line"`
}

type jsonDerivedRule struct {
	Rule       string   `json:"rule"`
	Property   string   `json:"property"`
	Properties []string `json:"properties"`
	Strength   string   `json:"strength"`
	Values     []string `json:"values"`
	Text       string   `json:"text"`
}

type jsonMethodTable struct {
	Section       string             `json:"section"`
	Calendar      map[string]jsonRow `json:"calendar"`
	Component     map[string]jsonRow `json:"component"`
	UnlistedProps []string           `json:"unlisted_rfc5545_properties"`
	UnlistedComps []string           `json:"unlisted_calendar_components"`
	Derived       []jsonDerivedRule  `json:"derived_rules"`
}

type jsonSubcomponent struct {
	jsonRow
	Properties map[string]jsonRow `json:"properties"`
}

type jsonCommonTable struct {
	Section       string                      `json:"section"`
	Properties    map[string]jsonRow          `json:"properties"`
	Subcomponents map[string]jsonSubcomponent `json:"subcomponents"`
}

type jsonRestrictions struct {
	Matrix          map[string]map[string]bool            `json:"method_component_matrix"`
	OriginatorRoles map[string]json.RawMessage            `json:"originator_roles"`
	Common          map[string]jsonCommonTable            `json:"common"`
	Tables          map[string]map[string]jsonMethodTable `json:"tables"`
}

// parseRestrictions turns the JSON transcription into the compact tables
// Validate reads.
func parseRestrictions(data []byte) (*restrictions, error) {
	var j jsonRestrictions
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("itip: restrictions.json: %w", err)
	}
	r := &restrictions{
		tables: make(map[string]map[string]*methodTable, len(j.Tables)),
		matrix: j.Matrix,
		tzSub:  map[string]*rowSet{},
	}
	for comp, methods := range j.Tables {
		r.tables[comp] = make(map[string]*methodTable, len(methods))
		for method, jt := range methods {
			t, err := parseMethodTable(comp, method, jt)
			if err != nil {
				return nil, err
			}
			r.tables[comp][method] = t
		}
	}
	for _, name := range []string{ical.CompCalendar, ical.CompTimezone, ical.CompAlarm} {
		if _, ok := j.Common[name]; !ok {
			return nil, fmt.Errorf("itip: restrictions.json: no common table %s", name)
		}
	}
	cal := j.Common[ical.CompCalendar]
	r.calendar = newRowSet("RFC 5546 §"+cal.Section, cal.Properties)
	tz := j.Common[ical.CompTimezone]
	r.timezone = newRowSet("RFC 5546 §"+tz.Section, tz.Properties)
	for name, sub := range tz.Subcomponents {
		rs := newRowSet("RFC 5546 §"+tz.Section, sub.Properties)
		r.tzSub[name] = &rs
	}
	al := j.Common[ical.CompAlarm]
	r.alarm = newRowSet("RFC 5546 §"+al.Section, al.Properties)
	for role, dst := range map[string]*[]string{"Organizer": &r.organizer, "Attendee": &r.attendee} {
		var methods []string
		if err := json.Unmarshal(j.OriginatorRoles[role], &methods); err != nil {
			return nil, fmt.Errorf("itip: restrictions.json: originator_roles.%s: %w", role, err)
		}
		for _, m := range methods {
			// "REQUEST (only when delegating)"
			if name, cond, ok := strings.Cut(m, " ("); ok {
				if cond != "only when delegating)" {
					return nil, fmt.Errorf("itip: restrictions.json: originator_roles.%s: unknown condition %q", role, m)
				}
				r.delegating = append(r.delegating, name)
				continue
			}
			*dst = append(*dst, m)
		}
	}
	return r, nil
}

func parseMethodTable(comp, method string, jt jsonMethodTable) (*methodTable, error) {
	t := &methodTable{
		component:     comp,
		method:        method,
		unlistedComps: jt.UnlistedComps,
	}
	section := "RFC 5546 §" + jt.Section
	t.calendar = newRowSet(section, jt.Calendar)
	alarm, ok := jt.Component[ical.CompAlarm]
	if !ok {
		return nil, fmt.Errorf("itip: restrictions.json: %s %s has no VALARM row", comp, method)
	}
	t.alarm = newRow(ical.CompAlarm, alarm)
	props := make(map[string]jsonRow, len(jt.Component))
	for name, row := range jt.Component {
		if name != ical.CompAlarm {
			props[name] = row
		}
	}
	t.props = newRowSet(section, props)
	// The exclusivity of DTEND/DUE and DURATION comes from the derived
	// rules; drop what newRowSet read from the same comments.
	t.props.exclusive, t.props.together = nil, nil
	for _, name := range jt.UnlistedProps {
		t.props.index[name] = len(t.props.rows)
		t.props.rows = append(t.props.rows, restrictionRow{name: name, presence: "unlisted", min: 0, max: 1, unlisted: true})
	}
	for _, d := range jt.Derived {
		switch d.Rule {
		case "mutually_exclusive":
			if len(d.Properties) != 2 {
				return nil, fmt.Errorf("itip: restrictions.json: %s %s: mutually_exclusive needs two properties", comp, method)
			}
			t.props.exclusive = append(t.props.exclusive, [2]string{d.Properties[0], d.Properties[1]})
		case "same_uid_across_components":
			t.sameUID = true
		case "sequence_gt_zero":
			t.positiveSeq = true
		case "only_for_recurrence_instance":
			t.instanceRID = true
		case "vtimezone_required_if_tzid_referenced":
			t.needTZ = true
		case "utc_datetime":
			t.utc = append(t.utc, d.Property)
		case "status_values":
			values := slices.Clone(d.Values)
			for i, v := range values {
				// known_inconsistencies: the VEVENT COUNTER comment
				// misspells TENTATIVE as "TENATIVE".
				if v == "TENATIVE" {
					values[i] = "TENTATIVE"
				}
			}
			t.status = &statusRule{values: values, must: d.Strength == "MUST"}
		case "note":
			// The CANCEL tables say in a comment that STATUS, when
			// present, MUST be CANCELLED (RFC 5546 §3.2.5, §3.4.5,
			// §3.5.3).
			if d.Property == ical.PropStatus && (strings.Contains(d.Text, "MUST be set to CANCELLED") || strings.Contains(d.Text, "MUST be CANCELLED")) {
				t.status = &statusRule{values: []string{"CANCELLED"}, must: true}
			}
		default:
			return nil, fmt.Errorf("itip: restrictions.json: %s %s: unknown derived rule %q", comp, method, d.Rule)
		}
	}
	return t, nil
}

func newRow(name string, j jsonRow) restrictionRow {
	max := -1
	if j.Max != nil {
		max = *j.Max
	}
	return restrictionRow{name: name, presence: j.Presence, min: j.Min, max: max, line: j.Line}
}

// newRowSet builds the rows of one table level, in the order they are
// printed in the RFC, and reads the "If present, X MUST (NOT) be present"
// comments.
func newRowSet(section string, rows map[string]jsonRow) rowSet {
	s := rowSet{section: section, index: make(map[string]int, len(rows))}
	for name, j := range rows {
		switch name {
		case "IANA-PROPERTY", "IANA-COMPONENT":
			s.iana = true
			continue
		case "X-PROPERTY", "X-COMPONENT":
			s.x = true
			continue
		}
		s.rows = append(s.rows, newRow(name, j))
		if other, ok := strings.CutPrefix(j.Comment, "If present, "); ok {
			if o, ok := strings.CutSuffix(other, " MUST NOT be present."); ok {
				s.exclusive = append(s.exclusive, [2]string{name, o})
			} else if o, ok := strings.CutSuffix(other, " MUST be present."); ok {
				s.together = append(s.together, [2]string{name, o})
			}
		}
	}
	slices.SortFunc(s.rows, func(a, b restrictionRow) int { return a.line - b.line })
	for i, row := range s.rows {
		s.index[row.name] = i
	}
	// Both rows of an exclusive pair carry the comment: keep one pair.
	slices.SortFunc(s.exclusive, func(a, b [2]string) int { return strings.Compare(min(a[0], a[1]), min(b[0], b[1])) })
	s.exclusive = slices.CompactFunc(s.exclusive, func(a, b [2]string) bool {
		return a == b || a == [2]string{b[1], b[0]}
	})
	return s
}

// table returns the method table for a main component type and a METHOD,
// or nil.
func (r *restrictions) table(component, method string) *methodTable {
	return r.tables[component][method]
}

// row returns the named row, or false.
func (s *rowSet) row(name string) (restrictionRow, bool) {
	i, ok := s.index[name]
	if !ok {
		return restrictionRow{}, false
	}
	return s.rows[i], true
}
