// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"math/rand/v2"
	"testing"
	"time"
)

func wallT(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

func mustIANA(t testing.TB, name string) *Location {
	t.Helper()
	l, err := IANA(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// resolveCase is a wall time and the instant RFC 5545 §3.3.5 gives it.
type resolveCase struct {
	name string
	wall time.Time
	want string // RFC 3339 instant in UTC
	off  string // the offset the instant has in the zone, for readability
}

var resolveCases = map[string][]resolveCase{
	"America/New_York": {
		{"before spring gap", wallT(2024, 3, 10, 1, 59, 59), "2024-03-10T06:59:59Z", "-05:00"},
		{"gap start", wallT(2024, 3, 10, 2, 0, 0), "2024-03-10T07:00:00Z", "-04:00"},
		{"in gap (RFC 5545 example)", wallT(2024, 3, 10, 2, 30, 0), "2024-03-10T07:30:00Z", "-04:00"},
		{"gap end", wallT(2024, 3, 10, 2, 59, 59), "2024-03-10T07:59:59Z", "-04:00"},
		{"after gap", wallT(2024, 3, 10, 3, 0, 0), "2024-03-10T07:00:00Z", "-04:00"},
		{"after gap 03:30", wallT(2024, 3, 10, 3, 30, 0), "2024-03-10T07:30:00Z", "-04:00"},
		{"before overlap", wallT(2024, 11, 3, 0, 59, 59), "2024-11-03T04:59:59Z", "-04:00"},
		{"overlap start", wallT(2024, 11, 3, 1, 0, 0), "2024-11-03T05:00:00Z", "-04:00"},
		{"in overlap", wallT(2024, 11, 3, 1, 30, 0), "2024-11-03T05:30:00Z", "-04:00"},
		{"overlap end", wallT(2024, 11, 3, 1, 59, 59), "2024-11-03T05:59:59Z", "-04:00"},
		{"after overlap", wallT(2024, 11, 3, 2, 0, 0), "2024-11-03T07:00:00Z", "-05:00"},
		{"old rule gap 1990", wallT(1990, 4, 1, 2, 30, 0), "1990-04-01T07:30:00Z", "-04:00"},
		{"far future gap 2150", wallT(2150, 3, 8, 2, 30, 0), "2150-03-08T07:30:00Z", "-04:00"},
		{"far future overlap 2150", wallT(2150, 11, 1, 1, 30, 0), "2150-11-01T05:30:00Z", "-04:00"},
	},
	"Europe/Berlin": {
		{"before spring gap", wallT(2024, 3, 31, 1, 59, 59), "2024-03-31T00:59:59Z", "+01:00"},
		{"gap start", wallT(2024, 3, 31, 2, 0, 0), "2024-03-31T01:00:00Z", "+02:00"},
		{"in gap", wallT(2024, 3, 31, 2, 30, 0), "2024-03-31T01:30:00Z", "+02:00"},
		{"gap end", wallT(2024, 3, 31, 2, 59, 59), "2024-03-31T01:59:59Z", "+02:00"},
		{"after gap", wallT(2024, 3, 31, 3, 0, 0), "2024-03-31T01:00:00Z", "+02:00"},
		{"before overlap", wallT(2024, 10, 27, 1, 59, 59), "2024-10-26T23:59:59Z", "+02:00"},
		{"overlap start", wallT(2024, 10, 27, 2, 0, 0), "2024-10-27T00:00:00Z", "+02:00"},
		{"in overlap", wallT(2024, 10, 27, 2, 30, 0), "2024-10-27T00:30:00Z", "+02:00"},
		{"overlap end", wallT(2024, 10, 27, 2, 59, 59), "2024-10-27T00:59:59Z", "+02:00"},
		{"after overlap", wallT(2024, 10, 27, 3, 0, 0), "2024-10-27T02:00:00Z", "+01:00"},
		{"winter", wallT(2024, 1, 15, 12, 0, 0), "2024-01-15T11:00:00Z", "+01:00"},
		{"summer", wallT(2024, 7, 15, 12, 0, 0), "2024-07-15T10:00:00Z", "+02:00"},
	},
	// Lord Howe Island moves its clocks by 30 minutes.
	"Australia/Lord_Howe": {
		{"before spring gap", wallT(2024, 10, 6, 1, 59, 59), "2024-10-05T15:29:59Z", "+10:30"},
		{"gap start", wallT(2024, 10, 6, 2, 0, 0), "2024-10-05T15:30:00Z", "+11:00"},
		{"in gap", wallT(2024, 10, 6, 2, 15, 0), "2024-10-05T15:45:00Z", "+11:00"},
		{"gap end", wallT(2024, 10, 6, 2, 29, 59), "2024-10-05T15:59:59Z", "+11:00"},
		{"after gap", wallT(2024, 10, 6, 2, 30, 0), "2024-10-05T15:30:00Z", "+11:00"},
		{"before overlap", wallT(2024, 4, 7, 1, 29, 59), "2024-04-06T14:29:59Z", "+11:00"},
		{"overlap start", wallT(2024, 4, 7, 1, 30, 0), "2024-04-06T14:30:00Z", "+11:00"},
		{"in overlap", wallT(2024, 4, 7, 1, 45, 0), "2024-04-06T14:45:00Z", "+11:00"},
		{"overlap end", wallT(2024, 4, 7, 1, 59, 59), "2024-04-06T14:59:59Z", "+11:00"},
		{"after overlap", wallT(2024, 4, 7, 2, 0, 0), "2024-04-06T15:30:00Z", "+10:30"},
	},
	// Samoa skipped 30 December 2011, moving from -10 (DST) to +14 (DST).
	"Pacific/Apia": {
		{"last second of 29 Dec", wallT(2011, 12, 29, 23, 59, 59), "2011-12-30T09:59:59Z", "-10:00"},
		{"skipped day start", wallT(2011, 12, 30, 0, 0, 0), "2011-12-30T10:00:00Z", "+14:00"},
		{"skipped day noon", wallT(2011, 12, 30, 12, 0, 0), "2011-12-30T22:00:00Z", "+14:00"},
		{"skipped day end", wallT(2011, 12, 30, 23, 59, 59), "2011-12-31T09:59:59Z", "+14:00"},
		{"first second of 31 Dec", wallT(2011, 12, 31, 0, 0, 0), "2011-12-30T10:00:00Z", "+14:00"},
		{"31 Dec noon", wallT(2011, 12, 31, 12, 0, 0), "2011-12-30T22:00:00Z", "+14:00"},
		{"before overlap 2012", wallT(2012, 4, 1, 2, 59, 59), "2012-03-31T12:59:59Z", "+14:00"},
		{"overlap start 2012", wallT(2012, 4, 1, 3, 0, 0), "2012-03-31T13:00:00Z", "+14:00"},
		{"in overlap 2012", wallT(2012, 4, 1, 3, 30, 0), "2012-03-31T13:30:00Z", "+14:00"},
		{"after overlap 2012", wallT(2012, 4, 1, 4, 0, 0), "2012-03-31T15:00:00Z", "+13:00"},
	},
}

func TestLocationResolve(t *testing.T) {
	for zone, cases := range resolveCases {
		l := mustIANA(t, zone)
		for _, c := range cases {
			t.Run(zone+"/"+c.name, func(t *testing.T) {
				got := l.Resolve(c.wall)
				if s := got.Format(time.RFC3339); s != c.want {
					t.Errorf("Resolve(%v) = %s, want %s", c.wall.Format("2006-01-02T15:04:05"), s, c.want)
				}
				if got.Location() != time.UTC {
					t.Errorf("Resolve(%v) location = %v, want UTC", c.wall, got.Location())
				}
				if off := got.In(l.Location()).Format("-07:00"); off != c.off {
					t.Errorf("Resolve(%v) offset = %s, want %s", c.wall, off, c.off)
				}
				// The slow path must agree with the cached table.
				if off := slowResolve(l.Location(), wallSec(c.wall)); instantOf(c.wall, off) != got {
					t.Errorf("slowResolve(%v) = %v, want %v", c.wall, instantOf(c.wall, off), got)
				}
			})
		}
	}
}

func TestLocationWall(t *testing.T) {
	ny := mustIANA(t, "America/New_York")
	tests := []struct {
		instant string
		want    time.Time
	}{
		{"2024-11-03T05:30:00Z", wallT(2024, 11, 3, 1, 30, 0)}, // first 01:30 (EDT)
		{"2024-11-03T06:30:00Z", wallT(2024, 11, 3, 1, 30, 0)}, // second 01:30 (EST)
		{"2024-03-10T07:00:00Z", wallT(2024, 3, 10, 3, 0, 0)},
		{"2024-03-10T06:59:59Z", wallT(2024, 3, 10, 1, 59, 59)},
		{"2200-07-01T12:00:00Z", wallT(2200, 7, 1, 8, 0, 0)},
		{"1700-07-01T12:00:00Z", wallT(1700, 7, 1, 7, 3, 58)}, // LMT -4:56:02
	}
	for _, tt := range tests {
		t.Run(tt.instant, func(t *testing.T) {
			in, _ := time.Parse(time.RFC3339, tt.instant)
			got := ny.Wall(in)
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("Wall(%s) = %v, want %v", tt.instant, got, tt.want)
			}
		})
	}
}

// oracleResolve resolves a wall time by brute force: the earliest instant
// whose wall time is w, or, in a gap, w read in the offset before the gap.
func oracleResolve(loc *time.Location, w time.Time) time.Time {
	ws := w.Unix()
	var best int64
	found := false
	// Every offset in use within two days.
	start := time.Unix(ws-2*86400, 0).In(loc)
	offs := map[int]bool{}
	_, o := start.Zone()
	offs[o] = true
	_, e := start.ZoneBounds()
	type tr struct {
		at     int64
		before int
		after  int
	}
	var trs []tr
	prev := o
	for !e.IsZero() && e.Unix() <= ws+2*86400 {
		_, o := e.In(loc).Zone()
		offs[o] = true
		trs = append(trs, tr{e.Unix(), prev, o})
		prev = o
		_, e2 := e.In(loc).ZoneBounds()
		for probe := e; !e2.IsZero() && !e2.After(e); { // Go reports a bad year end in leap years
			probe = probe.Add(24 * time.Hour)
			_, e2 = probe.In(loc).ZoneBounds()
		}
		e = e2
	}
	for off := range offs {
		cand := ws - int64(off)
		if _, o := time.Unix(cand, 0).In(loc).Zone(); o == off {
			if !found || cand < best {
				best, found = cand, true
			}
		}
	}
	if found {
		return time.Unix(best, 0).UTC()
	}
	for _, t := range trs {
		if t.after > t.before && ws >= t.at+int64(t.before) && ws < t.at+int64(t.after) {
			return time.Unix(ws-int64(t.before), 0).UTC()
		}
	}
	panic("oracle: no answer for " + w.String())
}

// TestResolveOracle checks Resolve against a brute-force oracle on every
// transition of a sample of zones, and at random times.
func TestResolveOracle(t *testing.T) {
	zones := []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia",
		"Europe/Dublin", "America/St_Johns", "Asia/Kolkata", "Pacific/Chatham", "America/Santiago",
		"Africa/Casablanca", "Asia/Tehran", "Europe/Moscow", "Pacific/Kiritimati", "Antarctica/Troll",
		"America/Sao_Paulo", "Asia/Gaza", "Europe/London", "UTC", "Etc/GMT+5"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range zones {
		t.Run(name, func(t *testing.T) {
			l := mustIANA(t, name)
			check := func(w time.Time) {
				if got, want := l.Resolve(w), oracleResolve(l.Location(), w); !got.Equal(want) {
					t.Fatalf("Resolve(%v) = %v, want %v", w, got, want)
				}
			}
			for _, tr := range l.Transitions(wallT(1900, 1, 1, 0, 0, 0), wallT(2060, 1, 1, 0, 0, 0)) {
				local := tr.At.Add(time.Duration(tr.OffsetFrom) * time.Second)
				for _, d := range []time.Duration{-time.Hour, -time.Second, 0, time.Second, 29 * time.Minute, time.Hour, 90 * time.Minute, 25 * time.Hour} {
					check(local.Add(d))
				}
			}
			for range 300 {
				check(time.Unix(rng.Int64N(int64(200*365*86400))-int64(30*365*86400), 0).UTC())
			}
		})
	}
}

func BenchmarkResolve(b *testing.B) {
	l := mustIANA(b, "Europe/Berlin")
	w := wallT(2024, 6, 1, 12, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		_ = l.Resolve(w)
	}
}
