// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"fmt"
	"strings"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
)

// Process applies msg, an iTIP message received by recipient (a
// normalised calendar user address), to stored, the recipient's copy of
// the object with msg's UID (nil when the recipient has none). REQUEST,
// ADD, CANCEL and DECLINECOUNTER are processed as the attendee's, REPLY,
// COUNTER and REFRESH as the organizer's.
//
// msg is first checked with Validate in interop mode, unless
// opts.Validated: an invalid message is not applied, and the Result's
// Status is the REQUEST-STATUS of its first problem.
//
// The Result says what to write; stored and msg are never modified.
// A message that is not for this recipient, is older than the copy, or
// cannot be applied gets a Result that is not Applied, with a status
// saying why.
func Process(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	if msg == nil || msg.Name != ical.CompCalendar {
		return Result{}, fmt.Errorf("process: %w: not a VCALENDAR", ErrInvalid)
	}
	if stored != nil {
		if su, mu := UID(stored), UID(msg); su != "" && su != mu {
			return Result{}, fmt.Errorf("process: message UID %q does not match the copy's %q", mu, su)
		}
	}
	if !opts.Validated {
		// RFC 5546 §3: a message that breaks the restriction tables is
		// never applied.
		if ps := Validate(msg, ValidateOptions{Mode: ModeInterop, KnownTZID: KnownTZID}); !Valid(ps) {
			return Result{Status: StatusOf(ps)}, nil
		}
	}
	method := Method(strings.ToUpper(strings.TrimSpace(msg.Value(ical.PropMethod))))
	switch method {
	case MethodRequest:
		return applyRequest(stored, msg, recipient, opts)
	case MethodAdd:
		return applyAdd(stored, msg, recipient, opts)
	case MethodCancel:
		return applyCancel(stored, msg, recipient, opts)
	case MethodDeclineCounter:
		return applyDeclineCounter(stored, msg, recipient, opts)
	case MethodReply:
		return applyReply(stored, msg, recipient, opts)
	case MethodCounter:
		return applyCounter(stored, msg, recipient, opts)
	case MethodRefresh:
		return applyRefresh(stored, msg, recipient, opts)
	}
	// PUBLISH is not scheduling (RFC 5546 §3.2.1: no replies); anything
	// else is not a method at all.
	return Result{Status: StatusNotSupported}, nil
}

// KnownTZID reports whether a TZID names a time zone known without a
// VTIMEZONE (RFC 7809): an IANA name, or a Windows or vendor name package
// tz maps to one. It is what Process passes as ValidateOptions.KnownTZID,
// as producers reference such zones without defining them.
func KnownTZID(tzid string) bool {
	_, _, err := tz.Lookup(tzid)
	return err == nil
}
