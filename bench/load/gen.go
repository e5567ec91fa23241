// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	_ "time/tzdata" // the oracle's zones do not depend on the host's tzdata
)

// Kind is the shape of a generated calendar object.
type Kind uint8

// The kinds of object the generator writes, in the proportions of the issue:
// 70 % single (one in seven of them a VTODO), 25 % recurring, 5 % all-day.
const (
	KindSingle    Kind = iota // one timed VEVENT
	KindTodo                  // one VTODO with DTSTART and DUE
	KindRecurring             // a weekly or daily VEVENT series with EXDATEs and an override
	KindAllDay                // one VEVENT with DATE values, TRANSP:TRANSPARENT
)

// String names the kind in reports.
func (k Kind) String() string {
	switch k {
	case KindSingle:
		return "single"
	case KindTodo:
		return "todo"
	case KindRecurring:
		return "recurring"
	case KindAllDay:
		return "all-day"
	}
	return "unknown"
}

// GenConfig describes a generated calendar. Object i depends only on Seed
// and i, so the first 10,000 objects of a 100,000-object calendar are the
// 10,000 objects of the smaller one.
type GenConfig struct {
	Prefix string // of the UIDs; "load" unless set
	Seed   uint64
	PerDay int       // objects starting per day; the calendar spans N/PerDay days
	Start  time.Time // the day of object 0 (a date, UTC)
}

// DefaultGen is the calendar of the load tool: 10 objects a day from
// 2026-01-01, so 10,000 objects span 1,000 days (to September 2028) and
// 100,000 objects 10,000 days; a month of it holds the same objects at
// either size.
func DefaultGen(seed uint64) GenConfig {
	return GenConfig{Seed: seed, PerDay: 10, Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Instance is one occurrence of a VEVENT as a server must see it: the
// time it occupies and, for an instance of a recurring event, its
// RECURRENCE-ID (the start the rule gives it, before any override).
type Instance struct {
	Start, End   time.Time // UTC
	RecurrenceID time.Time // zero for a non-recurring event
}

// Object is one generated calendar object resource.
type Object struct {
	Index int
	UID   string // only [a-z0-9-], so every server stores it as UID + ".ics"
	Kind  Kind
	Zone  string // "UTC", "Europe/Berlin" or "America/New_York"; "" for all-day
	Rule  string // the RRULE of a recurring event
	Data  []byte
	// Instances lists the occurrences of a VEVENT (none for a VTODO), the
	// oracle for time-range queries, expansion and free-busy.
	Instances []Instance
	// Opaque reports whether the event counts as busy time.
	Opaque bool
}

// Href returns the object's name in its collection.
func (o *Object) Href() string { return o.UID + ".ics" }

// Overlaps reports whether any instance overlaps [from, to) (RFC 4791
// §9.9: start < to and end > from).
func (o *Object) Overlaps(from, to time.Time) bool {
	return o.InstancesIn(from, to) > 0
}

// InstancesIn counts the instances that overlap [from, to).
func (o *Object) InstancesIn(from, to time.Time) int {
	n := 0
	for _, in := range o.Instances {
		if in.Start.Before(to) && in.End.After(from) {
			n++
		}
	}
	return n
}

var (
	zoneNames   = []string{"Europe/Berlin", "America/New_York", "UTC"}
	zoneWeights = []int{40, 35, 25}
	locations   = map[string]*time.Location{}
)

// init loads the zones of the oracle.
func init() {
	for _, name := range zoneNames {
		loc, err := time.LoadLocation(name)
		if err != nil {
			panic(err)
		}
		locations[name] = loc
	}
}

// vtimezones are the current rules of the two zones, as clients write them.
var vtimezones = map[string]string{
	"Europe/Berlin": "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" +
		"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n" +
		"DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n" +
		"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n" +
		"DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n" +
		"END:VTIMEZONE\r\n",
	"America/New_York": "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n" +
		"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\n" +
		"DTSTART:20070311T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n" +
		"BEGIN:STANDARD\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\n" +
		"DTSTART:20071104T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\n" +
		"END:VTIMEZONE\r\n",
}

var (
	firstNames = []string{"Anna", "Jürgen", "Zoë", "Mateo", "Aiko", "Olusegun", "Léa", "Søren", "Priya", "Chen"}
	lastNames  = []string{"Müller", "Smith", "García", "Tanaka", "O'Brien", "Kowalski", "Nguyen", "Dubois", "Haddad", "Svensson"}
	subjects   = []string{"Team sync", "Budget review", "1:1", "Design critique", "Release planning",
		"Customer call", "Dentist", "Lunch", "Sprint retro", "Board meeting", "Yoga", "Interview"}
	places = []string{"Room 4.12", "Berlin, Alexanderplatz 1", "Video call", "Café Einstein", "HQ; 3rd floor"}
	roles  = []string{"REQ-PARTICIPANT", "OPT-PARTICIPANT", "CHAIR"}
	stats  = []string{"ACCEPTED", "NEEDS-ACTION", "TENTATIVE", "DECLINED"}
)

// dtstamp is the same for every object, so the bytes depend on the seed only.
const dtstamp = "20251215T120000Z"

// Generate returns object i of the calendar.
func (c GenConfig) Generate(i int) *Object {
	r := rand.New(rand.NewPCG(c.Seed, uint64(i)))
	o := &Object{Index: i}
	switch u := r.IntN(100); {
	case u < 25:
		o.Kind = KindRecurring
	case u < 30:
		o.Kind = KindAllDay
	case u < 40:
		o.Kind = KindTodo
	default:
		o.Kind = KindSingle
	}
	prefix := c.Prefix
	if prefix == "" {
		prefix = "load"
	}
	o.UID = fmt.Sprintf("%s-%07d-%08x", prefix, i, r.Uint32())
	day := c.Start.AddDate(0, 0, i/c.PerDay)

	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Almanac//load generator//EN\r\nCALSCALE:GREGORIAN\r\n")
	if o.Kind == KindAllDay {
		c.allDay(&b, r, o, day)
		b.WriteString("END:VCALENDAR\r\n")
		o.Data = []byte(b.String())
		return o
	}

	o.Zone = pickWeighted(r, zoneNames, zoneWeights)
	loc := locations[o.Zone]
	if tz, ok := vtimezones[o.Zone]; ok {
		b.WriteString(tz)
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), 7+r.IntN(12), 15*r.IntN(4), 0, 0, loc)
	dur := time.Duration([]int{30, 45, 60, 90, 120}[r.IntN(5)]) * time.Minute
	useDuration := r.IntN(5) == 0

	switch o.Kind {
	case KindTodo:
		b.WriteString("BEGIN:VTODO\r\n")
		common(&b, r, o, 0)
		prop(&b, "DTSTART"+tzParam(o.Zone), localValue(start, o.Zone))
		prop(&b, "DUE"+tzParam(o.Zone), localValue(start.Add(24*time.Hour), o.Zone))
		prop(&b, "STATUS", "NEEDS-ACTION")
		prop(&b, "PRIORITY", fmt.Sprint(1+r.IntN(9)))
		alarm(&b, r)
		b.WriteString("END:VTODO\r\n")
	case KindSingle:
		b.WriteString("BEGIN:VEVENT\r\n")
		common(&b, r, o, 0)
		times(&b, o.Zone, start, dur, useDuration)
		prop(&b, "STATUS", "CONFIRMED")
		prop(&b, "TRANSP", "OPAQUE")
		people(&b, r)
		alarm(&b, r)
		b.WriteString("END:VEVENT\r\n")
		o.Opaque = true
		o.Instances = []Instance{{Start: start.UTC(), End: start.Add(dur).UTC()}}
	case KindRecurring:
		c.recurring(&b, r, o, start, dur, useDuration)
	}
	b.WriteString("END:VCALENDAR\r\n")
	o.Data = []byte(b.String())
	return o
}

// allDay writes an all-day event of one to three days.
func (c GenConfig) allDay(b *strings.Builder, r *rand.Rand, o *Object, day time.Time) {
	days := 1 + r.IntN(3)
	end := day.AddDate(0, 0, days)
	b.WriteString("BEGIN:VEVENT\r\n")
	common(b, r, o, 0)
	prop(b, "DTSTART;VALUE=DATE", day.Format("20060102"))
	prop(b, "DTEND;VALUE=DATE", end.Format("20060102"))
	prop(b, "TRANSP", "TRANSPARENT")
	b.WriteString("END:VEVENT\r\n")
	// Floating dates, taken in UTC as servers without a
	// calendar-timezone do.
	o.Instances = []Instance{{Start: day, End: end}}
}

// recurring writes a weekly (every one or two weeks) or daily series of 4 to
// 16 occurrences, ended by COUNT or by UNTIL (the end of the last
// occurrence's local day, in UTC), with one or two EXDATEs and one
// occurrence moved an hour later by an override.
func (c GenConfig) recurring(b *strings.Builder, r *rand.Rand, o *Object, start time.Time, dur time.Duration, useDuration bool) {
	step, rule := 7, "FREQ=WEEKLY"
	n := 4 + r.IntN(13)
	switch r.IntN(10) {
	case 0, 1, 2:
		step, rule = 1, "FREQ=DAILY"
	case 3, 4:
		step, rule = 14, "FREQ=WEEKLY;INTERVAL=2"
		n = 4 + r.IntN(5)
	}
	loc := start.Location()
	at := func(k int) time.Time {
		return time.Date(start.Year(), start.Month(), start.Day()+k*step, start.Hour(), start.Minute(), 0, 0, loc)
	}
	if r.IntN(2) == 0 {
		rule += fmt.Sprintf(";COUNT=%d", n)
	} else {
		last := at(n - 1)
		eod := time.Date(last.Year(), last.Month(), last.Day(), 23, 59, 59, 0, loc)
		rule += ";UNTIL=" + eod.UTC().Format("20060102T150405Z")
	}
	o.Rule = rule
	// Occurrence 0 stays; pick the override and one or two EXDATEs among
	// the others.
	perm := r.Perm(n - 1)
	override := 1 + perm[0]
	exdates := []int{1 + perm[1]}
	if r.IntN(2) == 0 {
		exdates = append(exdates, 1+perm[2])
	}
	excluded := map[int]bool{}
	for _, k := range exdates {
		excluded[k] = true
	}
	moved := at(override).Add(time.Hour)

	b.WriteString("BEGIN:VEVENT\r\n")
	common(b, r, o, 0)
	times(b, o.Zone, start, dur, useDuration)
	prop(b, "RRULE", rule)
	vals := make([]string, len(exdates))
	for j, k := range exdates {
		vals[j] = localValue(at(k), o.Zone)
	}
	prop(b, "EXDATE"+tzParam(o.Zone), strings.Join(vals, ","))
	prop(b, "STATUS", "CONFIRMED")
	people(b, r)
	alarm(b, r)
	b.WriteString("END:VEVENT\r\n")

	b.WriteString("BEGIN:VEVENT\r\n")
	common(b, r, o, 1)
	prop(b, "RECURRENCE-ID"+tzParam(o.Zone), localValue(at(override), o.Zone))
	times(b, o.Zone, moved, dur, useDuration)
	prop(b, "STATUS", "CONFIRMED")
	people(b, r)
	b.WriteString("END:VEVENT\r\n")

	o.Opaque = true
	for k := range n {
		if excluded[k] {
			continue
		}
		s := at(k)
		in := Instance{Start: s.UTC(), End: s.Add(dur).UTC(), RecurrenceID: s.UTC()}
		if k == override {
			in.Start, in.End = moved.UTC(), moved.Add(dur).UTC()
		}
		o.Instances = append(o.Instances, in)
	}
}

// common writes the properties every component has. seq > 0 marks an
// override.
func common(b *strings.Builder, r *rand.Rand, o *Object, seq int) {
	prop(b, "UID", o.UID)
	prop(b, "DTSTAMP", dtstamp)
	prop(b, "CREATED", "20251201T090000Z")
	prop(b, "LAST-MODIFIED", "20251210T090000Z")
	prop(b, "SEQUENCE", fmt.Sprint(seq))
	summary := subjects[r.IntN(len(subjects))]
	if seq > 0 {
		summary += " (moved)"
	}
	prop(b, "SUMMARY", escapeText(summary))
	if r.IntN(2) == 0 {
		prop(b, "LOCATION", escapeText(places[r.IntN(len(places))]))
	}
	if r.IntN(3) == 0 {
		prop(b, "DESCRIPTION", escapeText(fmt.Sprintf("Agenda for %s:\n1. status, risks\n2. next steps; owners\nNotes by %s %s (ünïcödé, 日本語).",
			summary, firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))])))
	}
}

// times writes DTSTART and DTEND, or DURATION.
func times(b *strings.Builder, zone string, start time.Time, dur time.Duration, useDuration bool) {
	prop(b, "DTSTART"+tzParam(zone), localValue(start, zone))
	if useDuration {
		prop(b, "DURATION", fmt.Sprintf("PT%dM", int(dur.Minutes())))
	} else {
		prop(b, "DTEND"+tzParam(zone), localValue(start.Add(dur), zone))
	}
}

// people writes an ORGANIZER and 1 to 5 ATTENDEEs.
func people(b *strings.Builder, r *rand.Rand) {
	org := r.IntN(len(firstNames))
	prop(b, fmt.Sprintf("ORGANIZER;CN=%q", firstNames[org]+" "+lastNames[org]),
		fmt.Sprintf("mailto:%s@example.com", strings.ToLower(asciiName(firstNames[org]))))
	for range 1 + r.IntN(5) {
		f, l := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		prop(b, fmt.Sprintf("ATTENDEE;CN=%q;ROLE=%s;PARTSTAT=%s;RSVP=TRUE", f+" "+l,
			roles[r.IntN(len(roles))], stats[r.IntN(len(stats))]),
			fmt.Sprintf("mailto:%s.%s@example.org", strings.ToLower(asciiName(f)), strings.ToLower(asciiName(l))))
	}
}

// alarm writes a VALARM to one component in two.
func alarm(b *strings.Builder, r *rand.Rand) {
	if r.IntN(2) == 0 {
		return
	}
	b.WriteString("BEGIN:VALARM\r\n")
	prop(b, "ACTION", "DISPLAY")
	prop(b, "DESCRIPTION", "Reminder")
	prop(b, "TRIGGER", fmt.Sprintf("-PT%dM", []int{5, 10, 15, 30}[r.IntN(4)]))
	b.WriteString("END:VALARM\r\n")
}

// tzParam is the TZID parameter of a zone, none for UTC.
func tzParam(zone string) string {
	if zone == "UTC" {
		return ""
	}
	return ";TZID=" + zone
}

// localValue formats t as a DATE-TIME of the zone.
func localValue(t time.Time, zone string) string {
	if zone == "UTC" {
		return t.UTC().Format("20060102T150405Z")
	}
	return t.Format("20060102T150405")
}

// prop writes one content line, folded after 75 octets without splitting
// a UTF-8 sequence (RFC 5545 §3.1).
func prop(b *strings.Builder, name, value string) {
	line := name + ":" + value
	width := 75
	for len(line) > width {
		cut := width
		for cut > 0 && line[cut]&0xC0 == 0x80 {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		width = 74
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}

var textEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)

// escapeText escapes a TEXT value (RFC 5545 §3.3.11).
func escapeText(s string) string { return textEscaper.Replace(s) }

var asciiFold = strings.NewReplacer("ü", "u", "ö", "o", "ë", "e", "é", "e", "ø", "o", "'", "")

// asciiName strips the accents of a name for an e-mail address.
func asciiName(s string) string { return asciiFold.Replace(s) }

// pickWeighted picks one of items with the given weights.
func pickWeighted(r *rand.Rand, items []string, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return items[i]
		}
		n -= w
	}
	return items[len(items)-1]
}
