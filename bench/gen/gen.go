// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package gen writes a large, realistic and deterministic iCalendar file for
// the benchmarks: recurring VEVENT series of every common shape, RECURRENCE-ID
// overrides, EXDATE lists, full VTIMEZONEs, quoted ATTENDEE parameters, long
// folded multi-byte DESCRIPTIONs, X- names and VALARMs.
//
// The same Config always yields the same bytes.
package gen

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/teambition/rrule-go"
)

// Version changes whenever the output for a given Config changes; cached
// files carry it in their name.
const Version = 1

// Config describes the file to generate.
type Config struct {
	Seed         uint64
	Series       int     // recurring VEVENT series (masters)
	OverrideRate float64 // share of series that get RECURRENCE-ID overrides
	ExdateRate   float64 // share of series with EXDATEs
}

// Default is the ~30 MB file of the benchmarks: 20,000 series and about
// 1,700 overrides.
func Default() Config {
	return Config{
		Seed:         20261120,
		Series:       20000,
		OverrideRate: 0.087,
		ExdateRate:   0.30,
	}
}

// Small is a quick file of the same mix for tests.
func Small() Config {
	c := Default()
	c.Series = 1000
	return c
}

// Kinds of recurrence rule, as counted in Stats.Kinds.
const (
	KindDaily           = "DAILY"
	KindDailyWeekdays   = "DAILY;BYDAY"
	KindWeekly          = "WEEKLY;BYDAY"
	KindMonthlyDay      = "MONTHLY;BYMONTHDAY"
	KindMonthlyOrdinal  = "MONTHLY;BYDAY=nDD"
	KindMonthlySetPos   = "MONTHLY;BYSETPOS"
	KindYearly          = "YEARLY"
	KindYearlyByMonthDD = "YEARLY;BYMONTH;BYDAY=nDD"
)

// Stats counts what Generate wrote.
type Stats struct {
	Bytes        int64
	Series       int // VEVENTs with an RRULE
	Overrides    int // VEVENTs with a RECURRENCE-ID
	Events       int // all VEVENTs
	Timezones    int
	Alarms       int
	Attendees    int
	ExdateSeries int // series with at least one EXDATE
	Exdates      int // EXDATE values
	Count        int // rules ending with COUNT
	Until        int // rules ending with UNTIL
	Open         int // open-ended rules
	Kinds        map[string]int
	Zones        map[string]int // series per TZID
}

// Bytes returns the generated file.
func Bytes(c Config) ([]byte, Stats, error) {
	var b bytes.Buffer
	b.Grow(32 << 20)
	st, err := Generate(&b, c)
	return b.Bytes(), st, err
}

// Generate writes the calendar to w.
func Generate(w io.Writer, c Config) (Stats, error) {
	g := &generator{
		r:  rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15)),
		cw: &countWriter{w: w},
		c:  c,
		st: Stats{Kinds: map[string]int{}, Zones: map[string]int{}},
	}
	g.bw = bufio.NewWriterSize(g.cw, 64<<10)
	for _, name := range zoneNames {
		loc, err := time.LoadLocation(name)
		if err != nil {
			return g.st, err
		}
		g.locs = append(g.locs, loc)
	}
	g.raw("BEGIN:VCALENDAR")
	g.raw("VERSION:2.0")
	g.raw("PRODID:-//Almanac//Benchmark Generator v1//EN")
	g.raw("CALSCALE:GREGORIAN")
	g.raw("METHOD:PUBLISH")
	g.line("X-WR-CALNAME:Benchmark – Kalender 📅")
	g.raw("X-WR-TIMEZONE:Europe/Berlin")
	for _, tz := range vtimezones {
		for l := range strings.SplitSeq(strings.TrimSuffix(tz, "\n"), "\n") {
			g.raw(l)
		}
		g.st.Timezones++
	}
	for i := 0; i < c.Series; i++ {
		g.series(i)
	}
	g.raw("END:VCALENDAR")
	if err := g.bw.Flush(); err != nil {
		return g.st, err
	}
	g.st.Bytes = g.cw.n
	return g.st, g.cw.err
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (cw *countWriter) Write(p []byte) (int, error) {
	n, err := cw.w.Write(p)
	cw.n += int64(n)
	if err != nil && cw.err == nil {
		cw.err = err
	}
	return n, err
}

type generator struct {
	r      *rand.Rand
	bw     *bufio.Writer
	cw     *countWriter
	c      Config
	st     Stats
	locs   []*time.Location
	curLoc *time.Location
	sb     []byte
}

// raw writes a line known to be short and ASCII.
func (g *generator) raw(s string) {
	g.bw.WriteString(s)
	g.bw.WriteString("\r\n")
}

// line writes a content line folded at 75 octets without splitting a UTF-8
// sequence (RFC 5545 §3.1).
func (g *generator) line(s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 1 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		g.bw.WriteString(s[:cut])
		g.bw.WriteString("\r\n ")
		s = s[cut:]
		limit = 74
	}
	g.bw.WriteString(s)
	g.bw.WriteString("\r\n")
}

func (g *generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

const (
	wallFmt = "20060102T150405"
	utcFmt  = "20060102T150405Z"
)

var dayNames = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// rule is one generated recurrence: the RRULE text and the naive
// (wall-clock, labelled UTC) rrule-go option used to pick EXDATEs and
// RECURRENCE-IDs that are real instances.
type rule struct {
	kind  string
	text  string
	start time.Time // naive wall clock
	opt   rrule.ROption
}

var genStart = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

func (g *generator) series(i int) {
	zi := g.weighted(zoneWeights)
	zone, loc := zoneNames[zi], g.locs[zi]
	g.st.Zones[zone]++
	g.curLoc = loc
	day := genStart.AddDate(0, 0, g.r.IntN(365*7+180))
	start := time.Date(day.Year(), day.Month(), day.Day(), 7+g.r.IntN(12), 15*g.r.IntN(4), 0, 0, time.UTC)
	ru := g.rule(start)
	g.st.Kinds[ru.kind]++
	g.st.Series++

	// Instances up to the end of 2026, on naive time, for EXDATE and
	// RECURRENCE-ID values.
	var instances []time.Time
	wantEx := g.chance(g.c.ExdateRate)
	wantOv := g.chance(g.c.OverrideRate)
	if wantEx || wantOv {
		opt := ru.opt
		rr, err := rrule.NewRRule(opt)
		if err == nil {
			instances = rr.Between(ru.start, time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), true)
		}
		if len(instances) < 3 {
			wantEx, wantOv = false, false
		}
	}
	excluded := map[int]bool{}
	var exdates [][]string
	if wantEx {
		n := 1 + g.r.IntN(3)
		if g.chance(0.2) {
			n += g.r.IntN(10)
		}
		var idx []int
		for k := 0; k < n; k++ {
			var j int
			if g.chance(0.5) {
				j = 1 + g.r.IntN(min(len(instances)-1, 40))
			} else {
				j = 1 + g.r.IntN(len(instances)-1)
			}
			if !excluded[j] {
				excluded[j] = true
				idx = append(idx, j)
			}
		}
		sort.Ints(idx)
		var vals []string
		for _, j := range idx {
			vals = append(vals, instances[j].Format(wallFmt))
		}
		if g.chance(0.25) {
			for _, v := range vals {
				exdates = append(exdates, []string{v})
			}
		} else {
			exdates = append(exdates, vals)
		}
		g.st.ExdateSeries++
		g.st.Exdates += len(vals)
	}

	uid := g.uid(i)
	dur := time.Duration(30+15*g.r.IntN(7)) * time.Minute
	useDuration := g.chance(0.1)
	ev := event{
		uid: uid, zone: zone, loc: loc, start: ru.start, dur: dur, useDuration: useDuration,
		rrule: ru.text, exdates: exdates, summary: g.pick(summaryPool), seq: g.r.IntN(3),
	}
	g.event(&ev)

	if wantOv {
		n := 1
		if g.chance(0.1) {
			n = 2
		}
		used := map[int]bool{}
		for k := 0; k < n; k++ {
			j := 1 + g.r.IntN(len(instances)-1)
			if excluded[j] || used[j] {
				continue
			}
			used[j] = true
			rid := instances[j]
			ns := rid
			switch x := g.r.IntN(10); {
			case x < 5:
				ns = rid.Add(time.Hour)
			case x < 8:
				ns = rid.AddDate(0, 0, 1)
			}
			ov := event{
				uid: uid, zone: zone, loc: loc, start: ns, dur: dur, useDuration: useDuration,
				recurrenceID: rid.Format(wallFmt), summary: ev.summary + " (verschoben)", seq: ev.seq + 1,
			}
			g.event(&ov)
		}
	}
}

func (g *generator) weighted(w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	n := g.r.IntN(total)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

// rule picks a recurrence rule and moves start onto its first instance, so
// that DTSTART always matches the rule (RFC 5545 leaves a non-matching
// DTSTART undefined).
func (g *generator) rule(start time.Time) rule {
	var (
		kind  string
		parts []string
		opt   = rrule.ROption{Dtstart: start}
	)
	clock := func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), start.Hour(), start.Minute(), 0, 0, time.UTC)
	}
	weekdays := []rrule.Weekday{rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR}
	switch g.weighted([]int{16, 6, 35, 13, 12, 5, 8, 5}) {
	case 0:
		kind = KindDaily
		opt.Freq = rrule.DAILY
		parts = append(parts, "FREQ=DAILY")
		if iv := []int{1, 1, 1, 1, 2, 2, 3, 7}[g.r.IntN(8)]; iv > 1 {
			opt.Interval = iv
			parts = append(parts, fmt.Sprintf("INTERVAL=%d", iv))
		}
	case 1:
		kind = KindDailyWeekdays
		for start.Weekday() == time.Saturday || start.Weekday() == time.Sunday {
			start = start.AddDate(0, 0, 1)
		}
		opt.Freq = rrule.DAILY
		opt.Byweekday = weekdays
		parts = append(parts, "FREQ=DAILY", "BYDAY=MO,TU,WE,TH,FR")
	case 2:
		kind = KindWeekly
		for start.Weekday() == time.Sunday && g.chance(0.8) {
			start = start.AddDate(0, 0, 1)
		}
		opt.Freq = rrule.WEEKLY
		parts = append(parts, "FREQ=WEEKLY")
		if iv := []int{1, 1, 1, 1, 1, 1, 2, 2, 2, 4}[g.r.IntN(10)]; iv > 1 {
			opt.Interval = iv
			parts = append(parts, fmt.Sprintf("INTERVAL=%d", iv))
		}
		if g.chance(0.3) {
			opt.Wkst = rrule.MO
			parts = append(parts, "WKST=MO")
		} else {
			opt.Wkst = rrule.MO // rrule-go's default; RFC 5545's default is MO too
		}
		days := map[time.Weekday]bool{start.Weekday(): true}
		for k := g.r.IntN(3); k > 0; k-- {
			days[time.Weekday(1+g.r.IntN(5))] = true
		}
		var names []string
		for _, d := range []time.Weekday{1, 2, 3, 4, 5, 6, 0} {
			if days[d] {
				names = append(names, dayNames[d])
				opt.Byweekday = append(opt.Byweekday, goWeekday(d))
			}
		}
		parts = append(parts, "BYDAY="+strings.Join(names, ","))
	case 3:
		kind = KindMonthlyDay
		opt.Freq = rrule.MONTHLY
		parts = append(parts, "FREQ=MONTHLY")
		switch x := g.r.IntN(10); {
		case x < 6:
			d := 1 + g.r.IntN(28)
			start = clock(time.Date(start.Year(), start.Month(), d, 0, 0, 0, 0, time.UTC))
			opt.Bymonthday = []int{d}
			parts = append(parts, fmt.Sprintf("BYMONTHDAY=%d", d))
		case x < 8:
			d := []int{1, 15}[g.r.IntN(2)]
			start = clock(time.Date(start.Year(), start.Month(), d, 0, 0, 0, 0, time.UTC))
			opt.Bymonthday = []int{1, 15}
			parts = append(parts, "BYMONTHDAY=1,15")
		default:
			start = clock(time.Date(start.Year(), start.Month()+1, 0, 0, 0, 0, 0, time.UTC))
			opt.Bymonthday = []int{-1}
			parts = append(parts, "BYMONTHDAY=-1")
		}
	case 4:
		kind = KindMonthlyOrdinal
		opt.Freq = rrule.MONTHLY
		parts = append(parts, "FREQ=MONTHLY")
		if g.chance(0.2) {
			opt.Interval = 3
			parts = append(parts, "INTERVAL=3")
		}
		n := []int{1, 2, 3, 4, -1}[g.r.IntN(5)]
		wd := time.Weekday(1 + g.r.IntN(5))
		start = clock(nthWeekday(start.Year(), start.Month(), wd, n))
		opt.Byweekday = []rrule.Weekday{nth(wd, n)}
		parts = append(parts, fmt.Sprintf("BYDAY=%d%s", n, dayNames[wd]))
	case 5:
		kind = KindMonthlySetPos
		opt.Freq = rrule.MONTHLY
		pos := []int{1, -1}[g.r.IntN(2)]
		first := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
		var d time.Time
		if pos == 1 {
			d = first
			for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
				d = d.AddDate(0, 0, 1)
			}
		} else {
			d = first.AddDate(0, 1, -1)
			for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
				d = d.AddDate(0, 0, -1)
			}
		}
		start = clock(d)
		opt.Byweekday = weekdays
		opt.Bysetpos = []int{pos}
		parts = append(parts, "FREQ=MONTHLY", "BYDAY=MO,TU,WE,TH,FR", fmt.Sprintf("BYSETPOS=%d", pos))
	case 6:
		kind = KindYearly
		opt.Freq = rrule.YEARLY
		if start.Day() > 28 {
			start = start.AddDate(0, 0, -3)
		}
		parts = append(parts, "FREQ=YEARLY")
	default:
		kind = KindYearlyByMonthDD
		opt.Freq = rrule.YEARLY
		n := []int{1, 2, 3, 4, -1}[g.r.IntN(5)]
		wd := time.Weekday(g.r.IntN(7))
		m := time.Month(1 + g.r.IntN(12))
		start = clock(nthWeekday(start.Year(), m, wd, n))
		opt.Bymonth = []int{int(m)}
		opt.Byweekday = []rrule.Weekday{nth(wd, n)}
		parts = append(parts, "FREQ=YEARLY", fmt.Sprintf("BYMONTH=%d", m), fmt.Sprintf("BYDAY=%d%s", n, dayNames[wd]))
	}
	opt.Dtstart = start

	// Termination: COUNT, UNTIL (UTC, as RFC 5545 §3.3.10 requires with a
	// zoned DTSTART) or none.
	switch x := g.r.IntN(100); {
	case x < 35:
		var n int
		switch opt.Freq {
		case rrule.DAILY:
			n = 5 + g.r.IntN(120)
		case rrule.WEEKLY:
			n = 4 + g.r.IntN(100)
		case rrule.MONTHLY:
			n = 3 + g.r.IntN(36)
		default:
			n = 2 + g.r.IntN(10)
		}
		opt.Count = n
		parts = append(parts, fmt.Sprintf("COUNT=%d", n))
		g.st.Count++
	case x < 65:
		var end time.Time
		switch opt.Freq {
		case rrule.DAILY:
			end = start.AddDate(0, 0, 10+g.r.IntN(400))
		case rrule.WEEKLY:
			end = start.AddDate(0, 1+g.r.IntN(36), 0)
		case rrule.MONTHLY:
			end = start.AddDate(0, 6+g.r.IntN(60), 0)
		default:
			end = start.AddDate(3+g.r.IntN(12), 0, 0)
		}
		// The end of that day, local time, written in UTC.
		wall := time.Date(end.Year(), end.Month(), end.Day(), 23, 59, 59, 0, time.UTC)
		opt.Until = wall
		parts = append(parts, "UNTIL="+g.utcOf(wall).Format(utcFmt))
		g.st.Until++
	default:
		g.st.Open++
	}
	// UNTIL or COUNT first is common too (Google writes it first).
	if len(parts) > 2 && g.chance(0.3) {
		last := parts[len(parts)-1]
		if strings.HasPrefix(last, "UNTIL=") || strings.HasPrefix(last, "COUNT=") {
			copy(parts[2:], parts[1:len(parts)-1])
			parts[1] = last
		}
	}
	return rule{kind: kind, text: strings.Join(parts, ";"), start: start, opt: opt}
}

// utcOf converts a naive wall time to UTC in the current series' zone.
func (g *generator) utcOf(wall time.Time) time.Time {
	t := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, g.curLoc)
	return t.UTC()
}

func goWeekday(d time.Weekday) rrule.Weekday {
	return []rrule.Weekday{rrule.SU, rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA}[d]
}

func nth(d time.Weekday, n int) rrule.Weekday {
	w := goWeekday(d)
	return w.Nth(n)
}

// nthWeekday returns the n-th (n < 0: from the end) weekday wd of a month.
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) time.Time {
	if n > 0 {
		d := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		d = d.AddDate(0, 0, (int(wd)-int(d.Weekday())+7)%7)
		return d.AddDate(0, 0, 7*(n-1))
	}
	d := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC)
	d = d.AddDate(0, 0, -((int(d.Weekday()) - int(wd) + 7) % 7))
	return d.AddDate(0, 0, 7*(n+1))
}

func (g *generator) uid(i int) string {
	a, b := g.r.Uint64(), g.r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x-%d@almanac.example", uint32(a), uint16(a>>32), uint16(a>>48)&0xfff, uint16(b)&0xfff, b>>16&0xffffffffffff, i)
}

type event struct {
	uid          string
	zone         string
	loc          *time.Location
	start        time.Time // naive wall clock
	dur          time.Duration
	useDuration  bool
	rrule        string
	exdates      [][]string
	recurrenceID string
	summary      string
	seq          int
}

func (g *generator) event(e *event) {
	g.st.Events++
	if e.recurrenceID != "" {
		g.st.Overrides++
	}
	g.raw("BEGIN:VEVENT")
	g.raw("DTSTART;TZID=" + e.zone + ":" + e.start.Format(wallFmt))
	if e.useDuration {
		g.raw(fmt.Sprintf("DURATION:PT%dM", int(e.dur/time.Minute)))
	} else {
		g.raw("DTEND;TZID=" + e.zone + ":" + e.start.Add(e.dur).Format(wallFmt))
	}
	if e.rrule != "" {
		g.raw("RRULE:" + e.rrule)
	}
	for _, ex := range e.exdates {
		g.line("EXDATE;TZID=" + e.zone + ":" + strings.Join(ex, ","))
	}
	if e.recurrenceID != "" {
		g.raw("RECURRENCE-ID;TZID=" + e.zone + ":" + e.recurrenceID)
	}
	g.raw("DTSTAMP:20261120T101500Z")
	created := e.start.AddDate(0, 0, -1-g.r.IntN(60))
	if e.recurrenceID != "" {
		created = genStart.AddDate(0, 0, g.r.IntN(365*7))
	}

	// Organizer and attendees.
	n := 1 + g.weighted([]int{30, 25, 15, 12, 10, 8})
	people := make([][2]int, n)
	for k := range people {
		people[k] = [2]int{g.r.IntN(len(firstNames)), g.r.IntN(len(lastNames))}
	}
	org := people[0]
	g.line(fmt.Sprintf(`ORGANIZER;CN="%s %s":mailto:%s`, firstNames[org[0]], lastNames[org[1]], email(org)))
	g.raw("UID:" + e.uid)
	for k, p := range people {
		g.st.Attendees++
		var b strings.Builder
		b.WriteString("ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=")
		switch {
		case k == 0:
			b.WriteString("CHAIR")
		case g.chance(0.75):
			b.WriteString("REQ-PARTICIPANT")
		default:
			b.WriteString("OPT-PARTICIPANT")
		}
		b.WriteString(";PARTSTAT=")
		if k == 0 {
			b.WriteString("ACCEPTED")
		} else {
			b.WriteString([]string{"ACCEPTED", "ACCEPTED", "NEEDS-ACTION", "TENTATIVE", "DECLINED"}[g.r.IntN(5)])
			if g.chance(0.5) {
				b.WriteString(";RSVP=TRUE")
			}
		}
		if g.chance(0.5) {
			fmt.Fprintf(&b, `;CN="%s, %s"`, lastNames[p[1]], firstNames[p[0]])
		} else {
			fmt.Fprintf(&b, `;CN="%s %s"`, firstNames[p[0]], lastNames[p[1]])
		}
		if g.chance(0.5) {
			b.WriteString(";X-NUM-GUESTS=0")
		}
		if g.chance(0.05) {
			b.WriteString(`;X-ALMANAC-DELEGATED-FROM="mailto:assistant@example.com"`)
		}
		b.WriteString(":mailto:")
		b.WriteString(email(p))
		g.line(b.String())
	}
	g.raw("CREATED:" + created.Format(utcFmt))
	if d := g.description(); d != "" {
		g.line("DESCRIPTION:" + d)
	}
	g.raw("LAST-MODIFIED:" + created.Add(time.Duration(g.r.IntN(86400))*time.Second).Format(utcFmt))
	if loc := g.pick(locationPool); loc != "" {
		g.line("LOCATION:" + loc)
	}
	g.raw(fmt.Sprintf("SEQUENCE:%d", e.seq))
	g.raw("STATUS:CONFIRMED")
	g.line("SUMMARY:" + e.summary)
	g.raw("TRANSP:OPAQUE")
	if g.chance(0.4) {
		g.raw("CLASS:PUBLIC")
	}
	if g.chance(0.5) {
		g.line("CATEGORIES:" + g.pick(categoryPool) + "," + g.pick(categoryPool))
	}
	if g.chance(0.3) {
		g.raw("X-MICROSOFT-CDO-BUSYSTATUS:BUSY")
		g.raw("X-MICROSOFT-CDO-IMPORTANCE:1")
	}
	if g.chance(0.2) {
		g.raw("X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC")
	}
	if g.chance(0.2) {
		g.raw(fmt.Sprintf("X-GOOGLE-CONFERENCE:https://meet.google.com/%03x-%04x-%03x", g.r.IntN(4096), g.r.IntN(65536), g.r.IntN(4096)))
	}
	g.line(fmt.Sprintf(`X-ALMANAC-BENCH;X-SRC="gen,v1";X-N=%d:série №%d ✓`, g.st.Events, g.st.Events))

	if g.chance(0.8) {
		na := 1
		if g.chance(0.15) {
			na = 2
		}
		for k := 0; k < na; k++ {
			g.st.Alarms++
			g.raw("BEGIN:VALARM")
			g.raw("ACTION:DISPLAY")
			g.line("DESCRIPTION:" + []string{"Reminder", "Erinnerung", "Rappel", "リマインダー", "Напоминание"}[g.r.IntN(5)])
			switch g.r.IntN(3) {
			case 0:
				g.raw("TRIGGER:-PT15M")
			case 1:
				g.raw("TRIGGER;RELATED=START:-PT10M")
			default:
				g.raw("TRIGGER;VALUE=DURATION:-P1D")
			}
			a := g.r.Uint64()
			g.raw(fmt.Sprintf("UID:%016X-ALARM", a))
			g.raw(fmt.Sprintf("X-WR-ALARMUID:%016X-ALARM", a))
			g.raw("END:VALARM")
		}
	}
	g.raw("END:VEVENT")
}

func email(p [2]int) string {
	return asciiNames[p[0]] + "." + asciiLast[p[1]] + "@example.com"
}

// description returns escaped TEXT with paragraph breaks (\n) and escaped
// commas and semicolons: none for 30% of events, 100-380 bytes for half of
// them, and 480-900 bytes for the rest.
func (g *generator) description() string {
	var target int
	switch x := g.r.IntN(10); {
	case x < 3:
		return ""
	case x < 8:
		target = 100 + g.r.IntN(281)
	default:
		target = 480 + g.r.IntN(421)
	}
	b := g.sb[:0]
	words := 0
	for len(b) < target {
		if words > 0 {
			if words%(8+g.r.IntN(10)) == 0 {
				b = append(b, `\n`...)
			} else {
				b = append(b, ' ')
			}
		}
		b = append(b, g.pick(descriptionWords)...)
		words++
	}
	g.sb = b
	return string(b)
}
