// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"errors"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
)

// Options configure Match, Apply and FreeBusy.
type Options struct {
	// Zone is the zone of floating date-times and dates: the collection's
	// CALDAV:calendar-timezone (RFC 4791 §7.3). Nil means UTC.
	Zone *time.Location
	// Limits bound each recurrence expansion; the zero value uses the
	// defaults of package recur.
	Limits recur.Limits
}

// Limits are the resource limits of a calendar collection checked by
// CheckObject (RFC 4791 §5.2.5–§5.2.9). Zero fields mean no limit.
type Limits struct {
	MaxResourceSize          int64
	MinDateTime, MaxDateTime time.Time
	MaxInstances             int
	MaxAttendeesPerInstance  int
}

var errTODO = errors.New("caldata: not implemented")

// Validate checks a filter (RFC 4791 §9.7).
func (f *Filter) Validate() error { return errTODO }

// Range returns the component and time range a store can pre-select on.
func (f *Filter) Range() (comp string, start, end time.Time) { return "", time.Time{}, time.Time{} }

// Match evaluates the filter on one calendar object.
func Match(vcal *ical.Component, f *Filter, opt Options) (bool, error) { return false, errTODO }

// Apply returns the calendar data to send.
func (d *CalendarData) Apply(vcal *ical.Component, opt Options) (*ical.Component, error) {
	return vcal, errTODO
}

// FreeBusy builds a free-busy answer.
func FreeBusy(objects []*ical.Component, start, end time.Time, now time.Time, opt Options) *ical.Component {
	return nil
}

// CheckObject validates a PUT body.
func CheckObject(data []byte, contentType string, supported []string, lim Limits) (vcal *ical.Component, uid string, err error) {
	return nil, "", errTODO
}
