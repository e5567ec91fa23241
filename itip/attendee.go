// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import "github.com/almanac-project/almanac/ical"

func AttendeeUpdate(old, new *ical.Component, attendee string, opts Options) (Update, error) {
	return Update{}, errPending
}

func AttendeeDelete(old *ical.Component, attendee string, opts Options) (Update, error) {
	return Update{}, errPending
}

func Counter(stored, proposed *ical.Component, attendee string, opts Options) (Message, error) {
	return Message{}, errPending
}

func Refresh(stored *ical.Component, attendee string, opts Options) (Message, error) {
	return Message{}, errPending
}
