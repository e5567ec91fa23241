// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import "github.com/almanac-project/almanac/ical"

func applyRequest(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	return Result{}, errPending
}

func applyAdd(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	return Result{}, errPending
}

func applyCancel(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	return Result{}, errPending
}

func applyDeclineCounter(stored, msg *ical.Component, recipient string, opts Options) (Result, error) {
	return Result{}, errPending
}
