// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// TestGenerateDeterministic: same seed, same bytes; another seed, other bytes.
func TestGenerateDeterministic(t *testing.T) {
	a, b := DefaultGen(7), DefaultGen(7)
	for i := range 500 {
		x, y := a.Generate(i), b.Generate(i)
		if !bytes.Equal(x.Data, y.Data) {
			t.Fatalf("Generate(%d) differs between two generators with seed 7", i)
		}
	}
	if bytes.Equal(DefaultGen(7).Generate(3).Data, DefaultGen(8).Generate(3).Data) {
		t.Errorf("Generate(3) is the same with seeds 7 and 8")
	}
}

// TestGenerateProportions checks the mix of kinds, zones, attendees and alarms.
func TestGenerateProportions(t *testing.T) {
	const n = 10000
	g := DefaultGen(1)
	counts := map[Kind]int{}
	uids := map[string]bool{}
	attendees, alarms, zones := 0, 0, map[string]int{}
	for i := range n {
		o := g.Generate(i)
		counts[o.Kind]++
		if uids[o.UID] {
			t.Fatalf("Generate(%d): UID %s repeated", i, o.UID)
		}
		uids[o.UID] = true
		for _, c := range o.UID {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				t.Fatalf("Generate(%d): UID %q has %q", i, o.UID, c)
			}
		}
		s := string(o.Data)
		if strings.Contains(s, "ATTENDEE") {
			attendees++
		}
		if strings.Contains(s, "BEGIN:VALARM") {
			alarms++
		}
		zones[o.Zone]++
		if o.Kind == KindRecurring {
			if !strings.Contains(s, "EXDATE") || strings.Count(s, "RECURRENCE-ID") != 1 {
				t.Errorf("Generate(%d): recurring object without EXDATE or override:\n%s", i, s)
			}
		}
	}
	share := func(k Kind) float64 { return float64(counts[k]) / n }
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"single (VEVENT + VTODO)", share(KindSingle) + share(KindTodo), 0.70},
		{"VTODO", share(KindTodo), 0.10},
		{"recurring", share(KindRecurring), 0.25},
		{"all-day", share(KindAllDay), 0.05},
		{"Europe/Berlin among timed objects", float64(zones["Europe/Berlin"]) / float64(n-counts[KindAllDay]), 0.40},
		{"UTC among timed objects", float64(zones["UTC"]) / float64(n-counts[KindAllDay]), 0.25},
	} {
		if math.Abs(c.got-c.want) > 0.015 {
			t.Errorf("share of %s = %.3f, want %.2f ± 0.015", c.what, c.got, c.want)
		}
	}
	if attendees < n/2 || alarms < n/4 {
		t.Errorf("%d objects with ATTENDEEs and %d with VALARMs of %d, want more", attendees, alarms, n)
	}
}

// TestGenerateStrict decodes every object with Almanac's strict decoder
// and validator, and checks the oracle against the decoded DTSTART.
func TestGenerateStrict(t *testing.T) {
	g := DefaultGen(1)
	for i := range 3000 {
		o := g.Generate(i)
		cal, err := ical.NewDecoderOptions(bytes.NewReader(o.Data), ical.DecodeOptions{Strict: true}).Decode()
		if err != nil {
			t.Fatalf("Generate(%d): strict Decode: %v\n%s", i, err, o.Data)
		}
		if probs := ical.Validate(cal.Component, ical.ValidateOptions{Strict: true}); len(probs) > 0 {
			t.Fatalf("Generate(%d): Validate: %v\n%s", i, probs, o.Data)
		}
		if o.Kind == KindTodo {
			if len(o.Instances) != 0 || len(cal.Components(ical.CompToDo)) != 1 {
				t.Fatalf("Generate(%d): VTODO with %d instances", i, len(o.Instances))
			}
			continue
		}
		ev := cal.Events()[0]
		start, err := parseICalTime(ev.Value("DTSTART"), ev.Prop("DTSTART").Params.Get("TZID"))
		if err != nil {
			t.Fatal(err)
		}
		if !start.Equal(o.Instances[0].Start) {
			t.Fatalf("Generate(%d): first instance at %v, DTSTART says %v", i, o.Instances[0].Start, start)
		}
	}
}

// TestOracleRecurring checks the instances of the recurring objects
// against their text: COUNT minus the EXDATEs, one moved by an hour.
func TestOracleRecurring(t *testing.T) {
	g := DefaultGen(1)
	for i := range 300 {
		o := g.Generate(i)
		if o.Kind != KindRecurring {
			continue
		}
		count, exdates := 0, 0
		for _, l := range icalLines(string(o.Data)) {
			switch l.Name {
			case "RRULE":
				for _, part := range strings.Split(l.Value, ";") {
					if v, ok := strings.CutPrefix(part, "COUNT="); ok {
						fmt.Sscanf(v, "%d", &count)
					}
				}
			case "EXDATE":
				exdates += len(strings.Split(l.Value, ","))
			}
		}
		moved := 0
		for _, in := range o.Instances {
			if in.Start.Sub(in.RecurrenceID) == time.Hour {
				moved++
			}
		}
		if moved != 1 {
			t.Errorf("Generate(%d): %d instances moved by an hour, want 1", i, moved)
		}
		if exdates < 1 || exdates > 2 {
			t.Errorf("Generate(%d): %d EXDATEs, want 1 or 2", i, exdates)
		}
		if count > 0 && len(o.Instances) != count-exdates {
			t.Errorf("Generate(%d) %s: %d instances, want COUNT %d minus %d EXDATEs", i, o.Rule, len(o.Instances), count, exdates)
		}
	}
}

// TestPercentile checks the nearest-rank percentiles.
func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var d []time.Duration
		for _, x := range v {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // 100 … 1, unsorted
	}
	for _, c := range []struct {
		d    []time.Duration
		p    float64
		want time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 50, 7 * time.Millisecond},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(3, 1, 2), 50, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 99, 4 * time.Millisecond},
		{ms(hundred...), 50, 50 * time.Millisecond},
		{ms(hundred...), 99, 99 * time.Millisecond},
		{ms(hundred...), 100, 100 * time.Millisecond},
	} {
		if got := Percentile(c.d, c.p); got != c.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", c.d, c.p, got, c.want)
		}
	}
	d := ms(3, 1, 2)
	Percentile(d, 50)
	if d[0] != 3*time.Millisecond {
		t.Errorf("Percentile sorted its argument: %v", d)
	}
}

// TestCountResponses counts member hrefs with and without prefixes.
func TestCountResponses(t *testing.T) {
	body := `<d:multistatus xmlns:d="DAV:"><d:response><d:href>/c/</d:href></d:response>` +
		`<d:response><d:href>/c/a.ics</d:href></d:response><response xmlns="DAV:"><href> /c/b.ics </href></response></d:multistatus>`
	if got := CountResponses([]byte(body)); got != 2 {
		t.Errorf("CountResponses(%s) = %d, want 2", body, got)
	}
}

// TestUnion merges overlapping and adjacent busy spans.
func TestUnion(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 6, 8, h, 0, 0, 0, time.UTC) }
	got := union([]span{{at(3), at(5)}, {at(1), at(2)}, {at(2), at(3)}, {at(7), at(8)}, {at(4), at(6)}})
	if len(got) != 2 || total(got) != 6*time.Hour {
		t.Errorf("union = %v (%v), want 2 spans of 6h in total", got, total(got))
	}
}

// TestSyncTokenOf reads the token and the truncation of sync answers.
func TestSyncTokenOf(t *testing.T) {
	for _, c := range []struct{ body, token string }{
		{`<d:multistatus xmlns:d="DAV:"><d:sync-token>http://x/sync/1?a=1&amp;b=2</d:sync-token></d:multistatus>`, "http://x/sync/1?a=1&b=2"},
		{`<multistatus xmlns="DAV:"><response><href>/c/</href><status>HTTP/1.1 507 Insufficient Storage</status></response><sync-token> t2 </sync-token></multistatus>`, "t2"},
		{`<multistatus xmlns="DAV:"></multistatus>`, ""},
	} {
		if got := syncTokenOf([]byte(c.body)); got != c.token {
			t.Errorf("syncTokenOf(%s) = %q, want %q", c.body, got, c.token)
		}
	}
	if !truncated([]byte(`<status>HTTP/1.1 507 Insufficient Storage</status>`)) || truncated([]byte(`<status>HTTP/1.1 200 OK</status>`)) {
		t.Errorf("truncated does not tell a 507 from a 200")
	}
}
