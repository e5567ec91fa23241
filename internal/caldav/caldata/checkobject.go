// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldata

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
	"github.com/almanac-project/almanac/ical/tz"
)

// Limits are the resource limits of a calendar collection that CheckObject
// enforces (RFC 4791 §5.2.5–§5.2.9). Zero fields mean no limit.
type Limits struct {
	// MaxResourceSize is CALDAV:max-resource-size, in octets.
	MaxResourceSize int64
	// MinDateTime and MaxDateTime are CALDAV:min-date-time and
	// CALDAV:max-date-time.
	MinDateTime, MaxDateTime time.Time
	// MaxInstances is CALDAV:max-instances. It bounds finite recurrence
	// sets; an RRULE without COUNT or UNTIL is accepted.
	MaxInstances int
	// MaxAttendeesPerInstance is CALDAV:max-attendees-per-instance.
	MaxAttendeesPerInstance int
}

// DefaultComponents are the components a calendar collection supports when
// its CALDAV:supported-calendar-component-set is not set (RFC 4791 §5.2.3
// leaves the default to the server).
var DefaultComponents = []string{ical.CompEvent, ical.CompToDo, ical.CompJournal}

// CheckObject checks the body of a PUT (or the resource of a COPY or MOVE)
// into a calendar collection against RFC 4791 §4.1 and the preconditions
// of §5.3.2.1, and returns its VCALENDAR and UID. Failures are
// *PreconditionError values with status 403: RFC 4791 §1.3 asks for 403
// when the request "will always fail", which holds for every one of these,
// and names no other status for them.
//
// The checks, in order: the size (CALDAV:max-resource-size); the content
// type, which may be empty (cadaver sends none) or text/calendar with a
// UTF-8 charset or none (CALDAV:supported-calendar-data); decoding
// (CALDAV:valid-calendar-data); exactly one VCALENDAR holding at least one
// component, no METHOD, one component type besides VTIMEZONE, and one UID
// (CALDAV:valid-calendar-object-resource); the component type
// (CALDAV:supported-calendar-component; nil supported means
// DefaultComponents); validation by ical.Validate, whose errors (not its
// warnings) are CALDAV:valid-calendar-data; the DATE and DATE-TIME values of DTSTART,
// DTEND, DUE, RECURRENCE-ID, RDATE and EXDATE (CALDAV:min-date-time,
// CALDAV:max-date-time; generated instances past the limits are accepted,
// as §5.2.6 and §5.2.7 require); the number of instances
// (CALDAV:max-instances, an unbounded recurrence exceeds any limit); and
// the ATTENDEE properties of each component, each being one instance
// (CALDAV:max-attendees-per-instance).
//
// Decoding is lenient and only validation errors reject an object, so
// what real clients send is accepted: no DTSTAMP, floating DTSTART with
// DURATION (calcurse), Windows zone names in TZID, broken folding. An
// object holding only overrides, without its master, is valid (§4.1).
func CheckObject(data []byte, contentType string, supported []string, lim Limits) (vcal *ical.Component, uid string, err error) {
	if lim.MaxResourceSize > 0 && int64(len(data)) > lim.MaxResourceSize {
		return nil, "", forbidden("max-resource-size", fmt.Sprintf("the resource is larger than %d octets", lim.MaxResourceSize))
	}
	if err := checkContentType(contentType); err != nil {
		return nil, "", err
	}
	dec := ical.NewDecoder(bytes.NewReader(data))
	cal, err := dec.Decode()
	if err != nil {
		return nil, "", invalidCalendarData("the body is not iCalendar data")
	}
	if _, err := dec.DecodeComponent(); !errors.Is(err, io.EOF) {
		return nil, "", invalidObject("the body holds more than one iCalendar object")
	}
	vcal = cal.Component
	// RFC 4791 §4.1: calendar object resources MUST NOT specify METHOD.
	if vcal.Prop(ical.PropMethod) != nil {
		return nil, "", invalidObject("calendar object resources must not have a METHOD property")
	}
	comp, uid, err := checkComponents(vcal)
	if err != nil {
		return nil, "", err
	}
	if supported == nil {
		supported = DefaultComponents
	}
	if !contains(supported, comp) {
		return nil, "", forbidden("supported-calendar-component", comp+" is not supported in this calendar")
	}
	zones := tz.NewResolver(vcal, tz.ResolverOptions{})
	for _, p := range ical.Validate(vcal, ical.ValidateOptions{KnownTZID: zones.Known}) {
		if p.Severity == ical.SeverityError {
			return nil, "", invalidCalendarData("%s", p.String())
		}
	}
	o := newObject(vcal, Options{})
	if err := o.checkDates(lim); err != nil {
		return nil, "", err
	}
	if err := o.checkInstances(lim); err != nil {
		return nil, "", err
	}
	return vcal, uid, nil
}

func invalidObject(msg string) error { return forbidden("valid-calendar-object-resource", msg) }

// checkContentType accepts "" and text/calendar with a UTF-8 charset or
// none (RFC 4791 §5.2.4, RFC 5545 §8.1: the default charset is UTF-8).
func checkContentType(contentType string) error {
	if strings.TrimSpace(contentType) == "" {
		return nil
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err == nil && mt == MediaType {
		if cs := params["charset"]; cs == "" || strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "us-ascii") {
			return nil
		}
	}
	return forbidden("supported-calendar-data", "calendar object resources must be text/calendar in UTF-8")
}

// checkComponents applies the rules of RFC 4791 §4.1 and returns the
// component type and UID.
func checkComponents(vcal *ical.Component) (comp, uid string, err error) {
	for _, c := range vcal.Children {
		if c.Name == ical.CompTimezone {
			continue
		}
		// RFC 4791 §4.1: calendar object resources "MUST NOT contain more
		// than one type of calendar component" besides VTIMEZONE.
		if comp != "" && c.Name != comp {
			return "", "", invalidObject("a calendar object resource holds one type of component")
		}
		comp = c.Name
		// RFC 4791 §4.1: components with different UIDs "MUST be stored
		// in separate calendar object resources".
		u := c.Value(ical.PropUID)
		if u == "" {
			return "", "", invalidObject(c.Name + " without UID")
		}
		if uid != "" && u != uid {
			return "", "", invalidObject("the components of a calendar object resource share one UID")
		}
		uid = u
	}
	if comp == "" {
		return "", "", invalidObject("the calendar holds no component")
	}
	return comp, uid, nil
}

// boundedProps are the properties whose values CALDAV:min-date-time and
// CALDAV:max-date-time apply to.
var boundedProps = []string{ical.PropDTStart, ical.PropDTEnd, ical.PropDue, ical.PropRecurrenceID, ical.PropRDate, ical.PropExDate}

// checkDates enforces CALDAV:min-date-time and CALDAV:max-date-time (RFC
// 4791 §5.3.2.1) on the values written in the object.
func (o *object) checkDates(lim Limits) error {
	if lim.MinDateTime.IsZero() && lim.MaxDateTime.IsZero() {
		return nil
	}
	var err error
	for _, c := range o.vcal.Children {
		if c.Name == ical.CompTimezone {
			continue
		}
		c.Walk(func(x *ical.Component) bool {
			for _, name := range boundedProps {
				for _, p := range x.PropsNamed(name) {
					if err = o.checkValues(p, lim); err != nil {
						return false
					}
				}
			}
			return true
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (o *object) checkValues(p *ical.Property, lim Limits) error {
	var ds []ical.DateTime
	if p.ValueType() == ical.TypePeriod {
		pes, _ := p.Periods()
		for _, pe := range pes {
			ds = append(ds, pe.Start)
		}
	} else {
		ds, _ = p.DateTimes()
	}
	for _, d := range ds {
		t, err := o.instant(d)
		if err != nil {
			continue
		}
		if !lim.MinDateTime.IsZero() && t.Before(lim.MinDateTime) {
			return forbidden("min-date-time", p.Name+" is before the earliest date-time this calendar accepts")
		}
		// RFC 4791 §5.3.2.1: values "less than the value of the
		// CALDAV:max-date-time property".
		if !lim.MaxDateTime.IsZero() && !t.Before(lim.MaxDateTime) {
			return forbidden("max-date-time", p.Name+" is after the latest date-time this calendar accepts")
		}
	}
	return nil
}

// checkInstances enforces CALDAV:max-instances and
// CALDAV:max-attendees-per-instance (RFC 4791 §5.3.2.1).
func (o *object) checkInstances(lim Limits) error {
	if lim.MaxAttendeesPerInstance > 0 {
		for _, c := range o.vcal.Children {
			if len(c.PropsNamed(ical.PropAttendee)) > lim.MaxAttendeesPerInstance {
				return forbidden("max-attendees-per-instance", fmt.Sprintf("an instance has more than %d attendees", lim.MaxAttendeesPerInstance))
			}
		}
	}
	if lim.MaxInstances <= 0 {
		return nil
	}
	tooMany := forbidden("max-instances", fmt.Sprintf("the recurrence has more than %d instances", lim.MaxInstances))
	n := 0
	for _, s := range groupSets(o.vcal) {
		if !hasProp(s.master, ical.PropDTStart) && s.master != nil {
			n++ // a VTODO without DTSTART is one instance
			continue
		}
		if unbounded(s.master) {
			// An RRULE without COUNT or UNTIL generates instances
			// forever. Refusing it would refuse every "weekly meeting"
			// clients create, so max-instances bounds only finite
			// sets; the store indexes endless ones over a window.
			continue
		}
		opts := o.recurOptions(time.Time{}, time.Time{})
		opts.Limits.MaxInstances = lim.MaxInstances + 1
		insts, err := recur.Expand(s.master, s.overrides, opts)
		if errors.Is(err, recur.ErrBudget) {
			return tooMany
		}
		if err != nil {
			return invalidCalendarData("the recurrence cannot be expanded")
		}
		n += len(insts)
	}
	if n > lim.MaxInstances {
		return tooMany
	}
	return nil
}

// unbounded reports whether a master component has an RRULE without COUNT
// or UNTIL.
func unbounded(master *ical.Component) bool {
	if master == nil {
		return false
	}
	for _, p := range master.PropsNamed(ical.PropRRule) {
		r, _, err := recur.ParseLenient(p.Value)
		if err == nil && r.Count == 0 && r.Until.IsZero() {
			return true
		}
	}
	return false
}
