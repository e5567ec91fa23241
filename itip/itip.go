// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"errors"
	"fmt"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// Method is an iTIP method (RFC 5546 §1.4), the METHOD property of a
// message.
type Method string

// The methods of RFC 5546 §1.4.
const (
	MethodPublish        Method = "PUBLISH"
	MethodRequest        Method = "REQUEST"
	MethodReply          Method = "REPLY"
	MethodAdd            Method = "ADD"
	MethodCancel         Method = "CANCEL"
	MethodRefresh        Method = "REFRESH"
	MethodCounter        Method = "COUNTER"
	MethodDeclineCounter Method = "DECLINECOUNTER"
)

// Status codes used as REQUEST-STATUS (RFC 5546 §3.6) and SCHEDULE-STATUS
// (RFC 6638 §3.2.9) values.
const (
	StatusPending        = "1.0"  // RFC 6638: delivery in progress
	StatusSent           = "1.1"  // RFC 6638: sent, delivery unknown (iMIP)
	StatusDelivered      = "1.2"  // RFC 6638: delivered
	StatusSuccess        = "2.0"  // success
	StatusInvalidValue   = "3.1"  // invalid property value
	StatusInvalidDate    = "3.5"  // invalid date or time
	StatusInvalidRule    = "3.6"  // invalid rule
	StatusInvalidUser    = "3.7"  // invalid calendar user
	StatusNoAuthority    = "3.8"  // no authority
	StatusMissing        = "3.11" // required component or property missing
	StatusUnsupported    = "3.14" // unsupported capability
	StatusConflict       = "4.0"  // event conflict: date/time is busy
	StatusNotSupported   = "5.0"  // request not supported
	StatusUnavailable    = "5.1"  // service unavailable; RFC 6638: try again later
	StatusInvalidService = "5.2"  // invalid calendar service; RFC 6638: no way to deliver
	StatusNoScheduling   = "5.3"  // no scheduling support for user; RFC 6638: not allowed
)

var statusText = map[string]string{
	StatusPending:        "Pending",
	StatusSent:           "Sent",
	StatusDelivered:      "Delivered",
	StatusSuccess:        "Success",
	"2.8":                "Success, repeating event ignored. Scheduled as a single component",
	StatusInvalidValue:   "Invalid property value",
	"3.0":                "Invalid property name",
	"3.2":                "Invalid property parameter",
	"3.3":                "Invalid property parameter value",
	"3.4":                "Invalid calendar component sequence",
	StatusInvalidDate:    "Invalid date or time",
	StatusInvalidRule:    "Invalid rule",
	StatusInvalidUser:    "Invalid calendar user",
	StatusNoAuthority:    "No authority",
	"3.9":                "Unsupported version",
	"3.10":               "Request entity too large",
	StatusMissing:        "Required component or property missing",
	"3.12":               "Unknown component or property found",
	"3.13":               "Unsupported component or property found",
	StatusUnsupported:    "Unsupported capability",
	StatusConflict:       "Event conflict. Date/time is busy",
	StatusNotSupported:   "Request not supported",
	StatusUnavailable:    "Service unavailable",
	StatusInvalidService: "Invalid calendar service",
	StatusNoScheduling:   "No scheduling support for user",
}

// StatusText returns the description RFC 5546 §3.6 or RFC 6638 §3.2.9
// gives a status code, or "" for an unknown code.
func StatusText(code string) string { return statusText[code] }

// RequestStatus returns the REQUEST-STATUS value of code with its
// description, such as "2.0;Success".
func RequestStatus(code string) string {
	if t := statusText[code]; t != "" {
		return code + ";" + t
	}
	return code
}

// Message is one iTIP message and the calendar users it goes to. One
// Message serves every recipient whose copy is identical, so that an
// invitation to a hundred attendees is built once.
type Message struct {
	Method Method
	// Originator is the sender's calendar user address, normalised with
	// ical.NormalizeAddress.
	Originator string
	// Recipients are the normalised addresses of the recipients.
	Recipients []string
	UID        string
	// Calendar is the message: a VCALENDAR with METHOD. It is shared by
	// every recipient and must not be modified.
	Calendar *ical.Component
}

// DefaultMaxInstances bounds the recurrence expansion of one object when
// Options.MaxInstances is 0.
const DefaultMaxInstances = 10000

// Options are the inputs every function takes besides its objects.
type Options struct {
	// Now is the clock: the DTSTAMP of the messages built.
	Now time.Time
	// ProdID is the PRODID of the messages built; "" means DefaultProdID.
	ProdID string
	// MaxInstances bounds recurrence expansion (a recurrence bomb gets
	// ErrLimit); 0 means DefaultMaxInstances.
	MaxInstances int
	// Validated tells Process that the message was already checked with
	// Validate, so that it does not check it again.
	Validated bool
}

// DefaultProdID is the PRODID of messages when Options.ProdID is "".
const DefaultProdID = "-//Almanac//iTIP//EN"

func (o Options) prodID() string {
	if o.ProdID != "" {
		return o.ProdID
	}
	return DefaultProdID
}

func (o Options) maxInstances() int {
	if o.MaxInstances > 0 {
		return o.MaxInstances
	}
	return DefaultMaxInstances
}

// Update is the outcome of a calendar user's own change to a scheduling
// object: what to store and what to send.
type Update struct {
	// Object is what to store in place of the data the client sent: that
	// data with the server's changes (SEQUENCE raised for a significant
	// change, PARTSTAT reset, SCHEDULE-FORCE-SEND removed …). It is nil
	// when the object is being deleted.
	Object *ical.Component
	// Changed reports whether Object differs from the client's data (RFC
	// 4791 §5.3.4: the PUT response then carries no ETag).
	Changed bool
	// Messages are the messages to deliver, in order.
	Messages []Message
}

// Result is the outcome of processing a message received by one
// recipient.
type Result struct {
	// Status is the REQUEST-STATUS code of the processing: StatusSuccess
	// when applied, or why it was not (a stale message, an unknown
	// attendee, an invalid message …).
	Status string
	// Applied reports whether the recipient's copy is to be replaced by
	// Object. A copy is never removed: a cancelled event stays, marked
	// STATUS:CANCELLED.
	Applied bool
	// Object is the recipient's copy after the message, when Applied.
	Object *ical.Component
	// Significant reports a change of more than the participation of
	// attendees: RFC 6638 §3.2.10 changes the recipient's schedule-tag
	// then, and only then.
	Significant bool
	// Messages are messages to send in answer (the REQUEST answering a
	// REFRESH).
	Messages []Message
}

// Errors of the functions of the package. A refused change of a calendar
// user's own copy is a *ChangeError.
var (
	// ErrNotScheduling: the object has no ORGANIZER (or no attendee other
	// than the organizer): nothing to schedule.
	ErrNotScheduling = errors.New("itip: not a scheduling object")
	// ErrLimit: a recurrence expands beyond Options.MaxInstances.
	ErrLimit = errors.New("itip: recurrence exceeds the instance limit")
	// ErrInvalid: a message is not valid iTIP (see Validate).
	ErrInvalid = errors.New("itip: invalid message")
)

// ChangeError is a change of a scheduling object that its author may not
// make. Condition names the RFC 6638 precondition (§3.2.4.x, §3.2.2.1) a
// CalDAV server reports, such as "allowed-attendee-scheduling-object-change".
type ChangeError struct {
	Condition string
	Msg       string
}

func (e *ChangeError) Error() string {
	return fmt.Sprintf("itip: %s: %s", e.Condition, e.Msg)
}
