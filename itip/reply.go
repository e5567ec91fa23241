// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import "github.com/almanac-project/almanac/ical"

func applyReply(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	return Result{}, errPending
}

func applyCounter(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	return Result{}, errPending
}

func applyRefresh(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	return Result{}, errPending
}
