// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"fmt"
	"strings"
	"sync"

	"github.com/almanac-project/almanac/ical"
)

// ResolverOptions configure a Resolver. The zero value honours the
// calendar's VTIMEZONE components.
type ResolverOptions struct {
	// PreferIANA makes a TZID that is an IANA zone name, as written,
	// resolve to the IANA zone even when the calendar embeds a VTIMEZONE
	// with that TZID. The zero value uses the embedded definition, as RFC
	// 5545 §3.2.19 and §3.6.5 intend.
	PreferIANA bool
}

// Resolver finds the zone of each TZID parameter of one calendar. It
// implements [ical.Zones]. A TZID resolves, in order, to:
//
//  1. the calendar's VTIMEZONE with that TZID (RFC 5545 §3.2.19: the TZID
//     parameter names a VTIMEZONE of the same iCalendar object);
//  2. the IANA zone of that name;
//  3. an IANA zone found by [Lookup] (Windows names, vendor prefixes, …),
//     which is recorded as a Repair.
//
// Anything else is an error naming the TZID. Zones are cached, and parsed
// VTIMEZONEs are shared between Resolvers (by their canonical encoding), so
// the onsets one object's zone expanded serve every object that embeds the
// same definition. A Resolver is safe for concurrent use.
type Resolver struct {
	opts    ResolverOptions
	defined map[string]*VTimezone // by TZID as written
	loose   map[string]*VTimezone // by looseKey(TZID)
	invalid map[string]error      // VTIMEZONEs that did not parse, by TZID
	errs    []error

	mu      sync.Mutex
	cache   map[string]ical.Zone
	repairs []Repair
}

var _ ical.Zones = (*Resolver)(nil)

// NewResolver returns a Resolver for the VTIMEZONE components of cal (a
// VCALENDAR; nil means none). A VTIMEZONE that cannot be parsed is left
// out and reported by Errors; when two share a TZID the first is used.
func NewResolver(cal *ical.Component, opts ResolverOptions) *Resolver {
	r := &Resolver{
		opts:    opts,
		defined: map[string]*VTimezone{},
		loose:   map[string]*VTimezone{},
		invalid: map[string]error{},
		cache:   map[string]ical.Zone{},
	}
	if cal == nil {
		return r
	}
	for _, c := range cal.Components(ical.CompTimezone) {
		v, err := parseShared(c)
		if err != nil {
			r.errs = append(r.errs, err)
			if p := c.Prop(ical.PropTZID); p != nil {
				tzid, _ := p.Text()
				r.invalid[tzid] = err
			}
			continue
		}
		if _, dup := r.defined[v.TZID()]; dup {
			continue
		}
		r.defined[v.TZID()] = v
		if k := looseKey(v.TZID()); r.loose[k] == nil {
			r.loose[k] = v
		}
	}
	return r
}

// looseKey folds what producers get wrong when they copy a TZID into a
// parameter: surrounding spaces and quotes, and letter case.
func looseKey(tzid string) string {
	s := strings.TrimSpace(tzid)
	for len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return strings.ToLower(s)
}

// Zone returns the zone a TZID parameter names: a *VTimezone or a
// *Location. See Resolver for the order of the sources.
func (r *Resolver) Zone(tzid string) (ical.Zone, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if z, ok := r.cache[tzid]; ok {
		return z, nil
	}
	z, rep, err := r.find(tzid)
	if err != nil {
		return nil, err
	}
	r.cache[tzid] = z
	if rep != nil {
		r.repairs = append(r.repairs, *rep)
	}
	return z, nil
}

func (r *Resolver) find(tzid string) (ical.Zone, *Repair, error) {
	if r.opts.PreferIANA && IsIANA(tzid) {
		l, err := IANA(tzid)
		return l, nil, err
	}
	if v, ok := r.defined[tzid]; ok {
		return v, nil, nil
	}
	if v, ok := r.loose[looseKey(tzid)]; ok {
		return v, &Repair{TZID: tzid, Name: v.TZID(), Reason: "matched VTIMEZONE " + fmt.Sprintf("%q", v.TZID())}, nil
	}
	l, rep, err := Lookup(tzid)
	if err != nil {
		if verr, ok := r.invalid[tzid]; ok {
			return nil, nil, fmt.Errorf("tz: TZID %q: %w", tzid, verr)
		}
		return nil, nil, err
	}
	if verr, ok := r.invalid[tzid]; ok {
		// The calendar's definition is broken; its name is known.
		reason := "invalid VTIMEZONE replaced: " + strings.TrimPrefix(verr.Error(), "tz: ")
		if rep != nil {
			reason = rep.Reason + "; " + reason
		}
		rep = &Repair{TZID: tzid, Name: l.Name(), Reason: reason}
	}
	return l, rep, nil
}

// Defined reports whether the calendar has a usable VTIMEZONE with the
// given TZID.
func (r *Resolver) Defined(tzid string) bool {
	_, ok := r.defined[tzid]
	return ok
}

// Known reports whether tzid resolves: it is defined by the calendar or
// known by name, possibly after a repair. Validation can require this of
// every TZID parameter ("every TZID referenced is defined or known").
func (r *Resolver) Known(tzid string) bool {
	_, err := r.Zone(tzid)
	return err == nil
}

// Repairs returns the repairs made so far, one per TZID, in the order the
// TZIDs were first resolved, so that callers can warn about them.
func (r *Resolver) Repairs() []Repair {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Repair(nil), r.repairs...)
}

// Errors returns the errors of the VTIMEZONE components that could not be
// parsed.
func (r *Resolver) Errors() []error { return append([]error(nil), r.errs...) }

// VTimezones returns the calendar's parsed VTIMEZONE components by TZID.
func (r *Resolver) VTimezones() map[string]*VTimezone {
	m := make(map[string]*VTimezone, len(r.defined))
	for k, v := range r.defined {
		m[k] = v
	}
	return m
}
