// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package webdav

import (
	"encoding/xml"
	"errors"
	"net/http"
)

// Error is an error answered to the client: an HTTP status, optionally a
// precondition or postcondition element for the DAV:error body (RFC 4918
// §16), a public message and the internal cause, which is never shown.
type Error struct {
	// Code is the HTTP status code.
	Code int
	// Condition is the name of the DAV:error child, or the zero Name
	// for a response without body.
	Condition xml.Name
	// Content is the content of the condition element, such as the
	// DAV:href of CALDAV:no-uid-conflict (RFC 4791 §5.3.2.1).
	Content []*Element
	// Msg is a short public message; empty means the status text.
	Msg string
	// Err is the detailed cause for the server log.
	Err error
}

// NewError returns an error with status code and the precondition
// element cond.
func NewError(code int, cond xml.Name, msg string) *Error {
	return &Error{Code: code, Condition: cond, Msg: msg}
}

func (e *Error) Error() string {
	msg := e.Msg
	if msg == "" {
		msg = http.StatusText(e.Code)
	}
	if e.Condition.Local != "" {
		msg += " (" + e.Condition.Local + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return "webdav: " + msg
}

func (e *Error) Unwrap() error { return e.Err }

// Body returns the DAV:error element of the response, or nil.
func (e *Error) Body() *Element {
	if e.Condition.Local == "" {
		return nil
	}
	return NewElement(Name("error"), NewElement(e.Condition, e.Content...))
}

// WriteError writes err as an HTTP response: an *Error (anywhere in the
// chain) with its status and DAV:error body, anything else as a 500 with
// a generic text. It returns the status written.
func WriteError(w http.ResponseWriter, err error) int {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: http.StatusInternalServerError}
	}
	h := w.Header()
	h.Del("ETag")
	h.Del("Last-Modified")
	h.Del("Content-Disposition")
	if body := e.Body(); body != nil {
		h.Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(e.Code)
		_, _ = w.Write([]byte(xml.Header))
		_, _ = w.Write(body.Marshal())
		_, _ = w.Write([]byte("\n"))
		return e.Code
	}
	msg := e.Msg
	if msg == "" || e.Code >= 500 {
		msg = http.StatusText(e.Code)
	}
	if e.Code == http.StatusNotModified {
		w.WriteHeader(e.Code)
		return e.Code
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.Code)
	_, _ = w.Write([]byte(msg + "\n"))
	return e.Code
}
