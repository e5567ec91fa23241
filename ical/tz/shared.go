// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"sync"

	"github.com/almanac-project/almanac/ical"
)

// sharedSize bounds the number of VTIMEZONE definitions kept by
// parseShared.
const sharedSize = 1024

// shared holds parsed VTIMEZONEs by their canonical encoding. The objects
// of a calendar collection repeat the same few definitions, and a
// VTimezone caches the onsets it has expanded, so sharing one between the
// Resolvers of many objects saves parsing and, above all, re-expanding its
// rules for every object of a query.
var shared = struct {
	sync.Mutex
	m map[string]*VTimezone
}{m: map[string]*VTimezone{}}

// parseShared is ParseVTimezone with the results shared between callers
// (a VTimezone is safe for concurrent use). Two components with the same
// canonical encoding define the same zone.
func parseShared(c *ical.Component) (*VTimezone, error) {
	key := string(ical.Marshal(c))
	shared.Lock()
	v := shared.m[key]
	shared.Unlock()
	if v != nil {
		return v, nil
	}
	v, err := ParseVTimezone(c)
	if err != nil {
		return nil, err
	}
	shared.Lock()
	defer shared.Unlock()
	if old := shared.m[key]; old != nil {
		return old, nil
	}
	if len(shared.m) >= sharedSize {
		clear(shared.m)
	}
	shared.m[key] = v
	return v, nil
}
