// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import "encoding/xml"

// NS is the iSchedule XML namespace (draft-desruisseaux-ischedule-05 §11).
const NS = "urn:ietf:params:xml:ns:ischedule"

// NSExt is the namespace of the CRISP extension elements of the
// capabilities document (seed-mapping §3.3); senders ignore unknown
// elements.
const NSExt = "urn:x-almanac:crisp"

// Version is the iSchedule version spoken, in the iSchedule-Version header
// and the capabilities.
const Version = "1.0"

// QueryResult is the answer to GET ?action=capabilities (iSchedule -05
// §6.1).
type QueryResult struct {
	XMLName      xml.Name     `xml:"urn:ietf:params:xml:ns:ischedule query-result"`
	Capabilities Capabilities `xml:"capabilities"`
}

// Capabilities describes what a receiver accepts (iSchedule -05 §6.1.2)
// and, in the extension namespace, the CRISP equivalents.
type Capabilities struct {
	SerialNumber       int64              `xml:"serial-number"`
	Versions           []string           `xml:"versions>version"`
	SchedulingMessages []ComponentMethods `xml:"scheduling-messages>component"`
	CalendarDataTypes  []CalendarDataType `xml:"calendar-data-types>calendar-data-type"`
	Attachments        *Attachments       `xml:"attachments"`
	RScales            []string           `xml:"rscales>rscale"`
	MaxContentLength   int64              `xml:"max-content-length,omitempty"`
	MinDateTime        string             `xml:"min-date-time,omitempty"`
	MaxDateTime        string             `xml:"max-date-time,omitempty"`
	MaxInstances       int                `xml:"max-instances,omitempty"`
	MaxRecipients      int                `xml:"max-recipients,omitempty"`
	Administrator      string             `xml:"administrator,omitempty"`

	// CRISP (seed-mapping §3.3): ITIPVERSION, CAPVERSION, CAR and the
	// sender authentication the receiver accepts.
	ITIPVersion string    `xml:"urn:x-almanac:crisp itip-version,omitempty"`
	CAPVersion  string    `xml:"urn:x-almanac:crisp cap-version,omitempty"`
	CAR         string    `xml:"urn:x-almanac:crisp car,omitempty"`
	Auth        *AuthKind `xml:"urn:x-almanac:crisp auth"`
}

// ComponentMethods is one component and the methods accepted for it.
type ComponentMethods struct {
	Name    string       `xml:"name,attr"`
	Methods []NamedEmpty `xml:"method"`
}

// NamedEmpty is an empty element with a name attribute.
type NamedEmpty struct {
	Name string `xml:"name,attr"`
}

// CalendarDataType is a media type the receiver accepts.
type CalendarDataType struct {
	ContentType string `xml:"content-type,attr"`
	Version     string `xml:"version,attr"`
}

// Attachments says which ATTACH forms the receiver accepts.
type Attachments struct {
	Inline   *struct{} `xml:"inline"`
	External *struct{} `xml:"external"`
}

// AuthKind lists the sender authentication modes a receiver accepts.
type AuthKind struct {
	Anonymous *struct{} `xml:"urn:x-almanac:crisp anonymous"`
	DKIM      *struct{} `xml:"urn:x-almanac:crisp dkim"`
	MTLS      *struct{} `xml:"urn:x-almanac:crisp mtls"`
}

// Accepts reports whether the capabilities accept method for component.
func (c *Capabilities) Accepts(method, component string) bool {
	for _, cm := range c.SchedulingMessages {
		if cm.Name != component {
			continue
		}
		for _, m := range cm.Methods {
			if m.Name == method {
				return true
			}
		}
	}
	return false
}

// ScheduleResponse is the answer to a POST (iSchedule -05 §6.2): one
// Response per recipient.
type ScheduleResponse struct {
	XMLName   xml.Name   `xml:"urn:ietf:params:xml:ns:ischedule schedule-response"`
	Responses []Response `xml:"response"`
}

// Response is the outcome for one recipient.
type Response struct {
	Recipient     string        `xml:"recipient"`
	RequestStatus string        `xml:"request-status"`
	CalendarData  *CalendarData `xml:"calendar-data"`
	Error         *ErrorBody    `xml:"error"`
	Description   string        `xml:"response-description,omitempty"`
}

// CalendarData is iCalendar text in a response (a VFREEBUSY REPLY).
type CalendarData struct {
	ContentType string `xml:"content-type,attr,omitempty"`
	Data        string `xml:",chardata"`
}

// ErrorBody is the content of an error element: one precondition
// element.
type ErrorBody struct {
	Condition Condition `xml:",any"`
}

// Condition is a precondition element, such as
// <verification-failed/>, named by its XMLName.
type Condition struct {
	XMLName xml.Name
}

// Error is the body of a failed request (iSchedule -05 §6.2.2): the root
// <error> with one precondition element, such as verification-failed or
// invalid-scheduling-message, and an optional description.
type Error struct {
	XMLName     xml.Name  `xml:"urn:ietf:params:xml:ns:ischedule error"`
	Condition   Condition `xml:",any"`
	Description string    `xml:"response-description,omitempty"`
}
