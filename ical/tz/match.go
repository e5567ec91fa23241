// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Match returns the IANA zone whose UTC offsets equal those of z at every
// instant of [from, to), or false if there is none. Only offsets are
// compared, not abbreviations or DST flags. Candidates are tried in order:
// the zone z's name or TZID maps to with [Lookup], its X-LIC-LOCATION
// (for a *VTimezone), then every zone of the database, the zones Windows
// names first (CLDR's territory "001" choices, such as Europe/Berlin), so
// that among identical zones the best known is returned.
//
// A VTIMEZONE from Outlook describes only the current rule (its DTSTART is
// in 1601), so match it over the range the calendar uses, not over past
// decades.
func Match(z Zone, from, to time.Time) (*Location, bool) {
	if !from.Before(to) {
		return nil, false
	}
	var hints []string
	if l, _, err := Lookup(z.String()); err == nil {
		hints = append(hints, l.Name())
	}
	if v, ok := z.(*VTimezone); ok && v.LicLocation() != "" {
		if l, _, err := Lookup(v.LicLocation()); err == nil {
			hints = append(hints, l.Name())
		}
	}
	for _, h := range hints {
		if l, err := IANA(h); err == nil && equalOffsets(z, l, from, to) {
			return l, true
		}
	}
	samples := sampleInstants(from, to)
	want := make([]int, len(samples))
	for i, s := range samples {
		want[i], _, _ = z.Offset(s)
	}
	var best *Location
	bestScore := -1
scan:
	for _, name := range scanOrder() {
		l, err := IANA(name)
		if err != nil {
			continue
		}
		for i, s := range samples {
			if off, _, _ := l.Offset(s); off != want[i] {
				continue scan
			}
		}
		if !equalOffsets(z, l, from, to) {
			continue
		}
		// Among zones equal over the range, prefer the one that stays
		// equal longest outside it; ties go to the earlier in scan order.
		if s := agreement(z, l, from, to); s > bestScore {
			best, bestScore = l, s
		}
	}
	return best, best != nil
}

// agreement measures how far beyond [from, to) zones a and b keep the same
// offsets, in steps of years before and after.
func agreement(a, b Zone, from, to time.Time) int {
	score := 0
	for _, k := range []int{1, 2, 5, 10, 20, 40} {
		if !equalOffsets(a, b, from.AddDate(-k, 0, 0), to) {
			break
		}
		score++
	}
	for _, k := range []int{1, 2, 5, 10, 20, 40} {
		if !equalOffsets(a, b, from, to.AddDate(k, 0, 0)) {
			break
		}
		score++
	}
	return score
}

// sampleInstants returns a few instants of [from, to) at which offsets are
// compared before the transitions are: the ends, and mid-January and
// mid-July of the first and last years.
func sampleInstants(from, to time.Time) []time.Time {
	out := []time.Time{from, to.Add(-time.Second)}
	for _, y := range []int{from.Year(), to.Year()} {
		for _, m := range []time.Month{time.January, time.July} {
			t := time.Date(y, m, 15, 12, 0, 0, 0, time.UTC)
			if !t.Before(from) && t.Before(to) {
				out = append(out, t)
			}
		}
	}
	return out
}

// equalOffsets reports whether a and b have the same UTC offset at every
// instant of [from, to).
func equalOffsets(a, b Zone, from, to time.Time) bool {
	oa, _, _ := a.Offset(from)
	ob, _, _ := b.Offset(from)
	if oa != ob {
		return false
	}
	ta, tb := offsetChangesOf(a, from, to), offsetChangesOf(b, from, to)
	return slices.Equal(ta, tb)
}

// change is a change of UTC offset.
type change struct {
	at  int64
	off int
}

func offsetChangesOf(z Zone, from, to time.Time) []change {
	var out []change
	for _, tr := range z.Transitions(from, to) {
		if tr.OffsetFrom != tr.OffsetTo {
			out = append(out, change{tr.At.Unix(), tr.OffsetTo})
		}
	}
	return out
}

// scanOrder lists the IANA zones in the order Match tries them: the zones
// CLDR maps Windows names to, then the other "Area/City" zones, then the
// rest (backward links such as "US/Eastern", "Etc/GMT+5", "EST5EDT").
var scanOrder = sync.OnceValue(func() []string {
	var first, second, rest []string
	seen := map[string]bool{}
	for _, w := range windowsZones {
		n := modernName(w.iana)
		if !seen[n] && IsIANA(n) {
			seen[n] = true
			first = append(first, n)
		}
	}
	for _, n := range zoneNames {
		if seen[n] {
			continue
		}
		area, _, ok := strings.Cut(n, "/")
		switch {
		case ok && isRegion(area):
			second = append(second, n)
		default:
			rest = append(rest, n)
		}
	}
	return slices.Concat(first, second, rest)
})

func isRegion(area string) bool {
	switch area {
	case "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific":
		return true
	}
	return false
}
