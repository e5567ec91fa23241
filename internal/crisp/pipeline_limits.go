// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package crisp

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
	"github.com/almanac-project/almanac/ical/tz"
)

// maxExpansionWork is the work budget (recur.Limits.MaxIterations) of the
// whole max-instances check of one message, shared by its recurring
// components.
const maxExpansionWork = 1_000_000

// unboundedHorizon is how far after DTSTART the instances of a recurrence
// without COUNT or UNTIL are counted.
const unboundedHorizon = 1 // year

// checkLimits applies the capability limits of step 5 (iSchedule -05
// §6.1.2, seed-mapping §3.7 and §3.9), each refused with 400 and its
// element:
//
//   - attachment-type-not-supported: an inline ATTACH (VALUE=BINARY or an
//     ENCODING), as only external attachments are advertised;
//   - min-date-time, max-date-time: a DTSTART, DTEND, DUE, RECURRENCE-ID,
//     RDATE or EXDATE of a main component outside the advertised range;
//   - max-instances: more recurrence instances than advertised (see
//     Limits.MaxInstances for how they are counted), or a recurrence that
//     exhausts the expansion budget.
func (e *intake) checkLimits(cal *ical.Component) error {
	var attachErr error
	cal.Walk(func(c *ical.Component) bool {
		for _, p := range c.PropsNamed(ical.PropAttach) {
			if p.ValueType() == ical.TypeBinary || p.Params.Has(ical.ParamEncoding) {
				attachErr = refuse(http.StatusBadRequest, errAttachmentTypeUnsupported,
					fmt.Sprintf("%s: inline ATTACH (line %d): only external attachments are accepted", c.Name, p.Line), nil)
				return false
			}
		}
		return true
	})
	if attachErr != nil {
		return attachErr
	}

	zones := tz.NewResolver(cal, tz.ResolverOptions{})
	lo, hi := e.limits.MinDateTime, e.limits.MaxDateTime
	mains := mainComponents(cal)
	for _, c := range mains {
		for _, p := range c.Props {
			for _, t := range propertyInstants(&p, zones) {
				if t.Before(lo) {
					return refuse(http.StatusBadRequest, errMinDateTime,
						fmt.Sprintf("%s: %s (line %d) is before %s", c.Name, p.Name, p.Line, lo.UTC().Format(dateTimeLayout)), nil)
				}
				if t.After(hi) {
					return refuse(http.StatusBadRequest, errMaxDateTime,
						fmt.Sprintf("%s: %s (line %d) is after %s", c.Name, p.Name, p.Line, hi.UTC().Format(dateTimeLayout)), nil)
				}
			}
		}
	}

	var masters []*ical.Component
	for _, c := range mains {
		if c.Prop(ical.PropRecurrenceID) == nil && (c.Prop(ical.PropRRule) != nil || c.Prop(ical.PropRDate) != nil) {
			masters = append(masters, c)
		}
	}
	total := 0
	limit := e.limits.MaxInstances
	for _, c := range masters {
		from, to := lo, hi
		if !boundedRecurrence(c) {
			start, ok := propertyInstant(c.Prop(ical.PropDTStart), zones)
			if !ok {
				return refuse(http.StatusBadRequest, errInvalidSchedulingMessage,
					fmt.Sprintf("%s (line %d): a recurrence needs a DTSTART", c.Name, c.Line), nil)
			}
			from = later(lo, start)
			to = earlier(hi, start.AddDate(unboundedHorizon, 0, 0))
		}
		insts, err := recur.Expand(c, nil, recur.Options{
			From:  from,
			To:    to,
			Zones: zones,
			Limits: recur.Limits{
				MaxInstances:  limit - total + 1,
				MaxIterations: maxExpansionWork / len(masters),
			},
		})
		switch {
		case errors.Is(err, recur.ErrBudget):
			return refuse(http.StatusBadRequest, errMaxInstances,
				fmt.Sprintf("%s (line %d): the recurrence expands to more than %d instances", c.Name, c.Line, limit), err)
		case errors.Is(err, recur.ErrUnsupported):
			return refuse(http.StatusBadRequest, errInvalidSchedulingMessage,
				fmt.Sprintf("%s (line %d): unsupported RSCALE: only GREGORIAN is accepted (RFC 7529 §7)", c.Name, c.Line), err)
		case err != nil:
			return refuse(http.StatusBadRequest, errInvalidSchedulingMessage,
				fmt.Sprintf("%s (line %d): the recurrence cannot be expanded", c.Name, c.Line), err)
		}
		total += len(insts)
		if total > limit {
			return refuse(http.StatusBadRequest, errMaxInstances,
				fmt.Sprintf("%s (line %d): the message expands to more than %d instances", c.Name, c.Line, limit), nil)
		}
	}
	return nil
}

// boundedRecurrence reports whether every RRULE of c has a COUNT or an
// UNTIL.
func boundedRecurrence(c *ical.Component) bool {
	for _, p := range c.PropsNamed(ical.PropRRule) {
		parts, err := p.RecurParts()
		if err != nil {
			return false
		}
		bounded := false
		for _, part := range parts {
			if part.Name == "COUNT" || part.Name == "UNTIL" {
				bounded = true
			}
		}
		if !bounded {
			return false
		}
	}
	return true
}

// propertyInstants returns the instants of the date properties the
// min/max-date-time check covers; other properties and values that do
// not resolve give none (Validate judged the values).
func propertyInstants(p *ical.Property, zones ical.Zones) []time.Time {
	switch p.Name {
	case ical.PropDTStart, ical.PropDTEnd, ical.PropDue, ical.PropRecurrenceID:
		if t, ok := propertyInstant(p, zones); ok {
			return []time.Time{t}
		}
	case ical.PropRDate, ical.PropExDate:
		var out []time.Time
		if p.ValueType() == ical.TypePeriod {
			periods, err := p.Periods()
			if err != nil {
				return nil
			}
			for _, pe := range periods {
				if t, err := pe.Start.Time(zones, nil); err == nil {
					out = append(out, t)
				}
			}
			return out
		}
		dts, err := p.DateTimes()
		if err != nil {
			return nil
		}
		for _, d := range dts {
			if t, err := d.Time(zones, nil); err == nil {
				out = append(out, t)
			}
		}
		return out
	}
	return nil
}

// propertyInstant returns the instant of a DATE or DATE-TIME property;
// floating times and dates are read as UTC.
func propertyInstant(p *ical.Property, zones ical.Zones) (time.Time, bool) {
	if p == nil {
		return time.Time{}, false
	}
	d, err := p.DateTime()
	if err != nil {
		return time.Time{}, false
	}
	t, err := d.Time(zones, nil)
	return t, err == nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
