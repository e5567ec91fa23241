// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"errors"

	"github.com/almanac-project/almanac/ical"
)

// errPending marks the parts of the engine being written in this session.
var errPending = errors.New("itip: not yet implemented")

func OrganizerUpdate(old, new *ical.Component, opts Options) (Update, error) {
	return Update{}, errPending
}

func OrganizerDelete(old *ical.Component, opts Options) (Update, error) {
	return Update{}, errPending
}

func AcceptCounter(stored, counter *ical.Component, opts Options) (Update, error) {
	return Update{}, errPending
}

func DeclineCounter(stored, counter *ical.Component, opts Options) (Message, error) {
	return Message{}, errPending
}

func refreshAnswer(stored *ical.Component, attendee string, opts Options) (Message, error) {
	return Message{}, errPending
}
