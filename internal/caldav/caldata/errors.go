// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

// PreconditionError names a failed CalDAV or WebDAV precondition (RFC 4791
// §1.3, §5.3.2, §7.x): the handler answers with Status and a DAV:error body
// holding the element Space Name. Msg is a short public explanation.
type PreconditionError struct {
	// Space is the XML namespace of the element: NS or "DAV:".
	Space string
	// Name is the local name of the precondition element, such as
	// "valid-filter" or "supported-calendar-component".
	Name string
	// Status is the HTTP status: 403 or 409 as the RFC says; this package
	// only reports preconditions that take 403.
	Status int
	// Msg is a short explanation fit for the client.
	Msg string
}

func (e *PreconditionError) Error() string {
	if e.Msg == "" {
		return "caldata: precondition " + e.Name + " failed"
	}
	return "caldata: " + e.Name + ": " + e.Msg
}

// forbidden returns a 403 CALDAV: precondition error.
func forbidden(name, msg string) *PreconditionError {
	return &PreconditionError{Space: NS, Name: name, Status: statusForbidden, Msg: msg}
}

// statusForbidden is the status of every precondition this package
// reports (RFC 4791 §1.3: 403 when the request "will always fail"),
// spelled as in net/http, which this protocol-level package does not
// import.
const statusForbidden = 403
