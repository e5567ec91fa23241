// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import (
	"errors"
	"fmt"
)

// SyntaxError is a positioned error in iCalendar input, shaped like
// encoding/csv's ParseError.
type SyntaxError struct {
	// Line is the 1-based physical line where the problem starts, or 0 when
	// the position is unknown.
	Line int
	// Msg says what is wrong, in lower case.
	Msg string
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("ical: line %d: %s", e.Line, e.Msg)
	}
	return "ical: " + e.Msg
}

// Warning is a problem the lenient decoder repaired or a validation finding
// that does not make the object invalid.
type Warning struct {
	// Line is the 1-based physical line, or 0.
	Line int
	// Msg says what was found and, for a repair, what was done.
	Msg string
}

func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("line %d: %s", w.Line, w.Msg)
	}
	return w.Msg
}

// ErrLimit is wrapped by the errors returned when input exceeds a limit of
// DecodeOptions (line length, nesting depth, number of components).
var ErrLimit = errors.New("ical: input exceeds a limit")

// LimitError is the positioned error for input over a limit. It matches
// ErrLimit with errors.Is.
type LimitError struct {
	Line int
	Msg  string
}

func (e *LimitError) Error() string {
	return (&SyntaxError{Line: e.Line, Msg: e.Msg}).Error()
}

// Is reports whether target is ErrLimit.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }
