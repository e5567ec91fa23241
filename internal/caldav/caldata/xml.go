// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import "encoding/xml"

// NS is the CalDAV XML namespace (RFC 4791 §9).
const NS = "urn:ietf:params:xml:ns:caldav"

// Filter is the CALDAV:filter element (RFC 4791 §9.7): one comp-filter,
// which must name VCALENDAR.
type Filter struct {
	XMLName    xml.Name   `xml:"urn:ietf:params:xml:ns:caldav filter"`
	CompFilter CompFilter `xml:"urn:ietf:params:xml:ns:caldav comp-filter"`
}

// CompFilter is the CALDAV:comp-filter element (RFC 4791 §9.7.1).
type CompFilter struct {
	Name         string       `xml:"name,attr"`
	IsNotDefined *struct{}    `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TimeRange    *TimeRange   `xml:"urn:ietf:params:xml:ns:caldav time-range"`
	PropFilters  []PropFilter `xml:"urn:ietf:params:xml:ns:caldav prop-filter"`
	CompFilters  []CompFilter `xml:"urn:ietf:params:xml:ns:caldav comp-filter"`
}

// PropFilter is the CALDAV:prop-filter element (RFC 4791 §9.7.2).
type PropFilter struct {
	Name         string        `xml:"name,attr"`
	IsNotDefined *struct{}     `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TimeRange    *TimeRange    `xml:"urn:ietf:params:xml:ns:caldav time-range"`
	TextMatch    *TextMatch    `xml:"urn:ietf:params:xml:ns:caldav text-match"`
	ParamFilters []ParamFilter `xml:"urn:ietf:params:xml:ns:caldav param-filter"`
}

// ParamFilter is the CALDAV:param-filter element (RFC 4791 §9.7.3).
type ParamFilter struct {
	Name         string     `xml:"name,attr"`
	IsNotDefined *struct{}  `xml:"urn:ietf:params:xml:ns:caldav is-not-defined"`
	TextMatch    *TextMatch `xml:"urn:ietf:params:xml:ns:caldav text-match"`
}

// TextMatch is the CALDAV:text-match element (RFC 4791 §9.7.5). Collation
// "" means i;ascii-casemap; NegateCondition is "yes" or "no" ("" = "no").
type TextMatch struct {
	Collation       string `xml:"collation,attr"`
	NegateCondition string `xml:"negate-condition,attr"`
	Value           string `xml:",chardata"`
}

// TimeRange is the CALDAV:time-range element (RFC 4791 §9.9), also used
// for the attributes of CALDAV:expand, CALDAV:limit-recurrence-set and
// CALDAV:limit-freebusy-set: Start and End are "date with UTC time"
// values (RFC 5545 §3.3.5 form #2); either may be absent ("").
type TimeRange struct {
	Start string `xml:"start,attr"`
	End   string `xml:"end,attr"`
}

// CalendarData is the CALDAV:calendar-data element of a calendaring REPORT
// request (RFC 4791 §9.6): which parts of each calendar object to return.
type CalendarData struct {
	XMLName            xml.Name   `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
	ContentType        string     `xml:"content-type,attr"`
	Version            string     `xml:"version,attr"`
	Comp               *Comp      `xml:"urn:ietf:params:xml:ns:caldav comp"`
	Expand             *TimeRange `xml:"urn:ietf:params:xml:ns:caldav expand"`
	LimitRecurrenceSet *TimeRange `xml:"urn:ietf:params:xml:ns:caldav limit-recurrence-set"`
	LimitFreeBusySet   *TimeRange `xml:"urn:ietf:params:xml:ns:caldav limit-freebusy-set"`
}

// Comp is the CALDAV:comp element (RFC 4791 §9.6.1): a component to return,
// with the properties (§9.6.3 allprop, §9.6.4 prop) and sub-components
// (§9.6.2 allcomp, comp) to keep. A Comp with neither AllProp nor Props
// keeps no property; one with neither AllComp nor Comps keeps no
// sub-component.
type Comp struct {
	Name    string    `xml:"name,attr"`
	AllProp *struct{} `xml:"urn:ietf:params:xml:ns:caldav allprop"`
	Props   []Prop    `xml:"urn:ietf:params:xml:ns:caldav prop"`
	AllComp *struct{} `xml:"urn:ietf:params:xml:ns:caldav allcomp"`
	Comps   []Comp    `xml:"urn:ietf:params:xml:ns:caldav comp"`
}

// Prop is the CALDAV:prop element (RFC 4791 §9.6.4). NoValue "yes" returns
// the property with its parameters and an empty value.
type Prop struct {
	Name    string `xml:"name,attr"`
	NoValue string `xml:"novalue,attr"`
}
