// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package icaltool

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/recur"
	"github.com/almanac-project/almanac/ical/tz"
)

// openWindowYears bounds an expansion without --to: instances are listed
// until --max of them are found or this many years have been searched.
const openWindowYears = 100

// expandLine is one instance in the --json line format of DESIGN.md §4.
type expandLine struct {
	UID          string `json:"uid"`
	RecurrenceID string `json:"recurrence_id"`
	Start        string `json:"start"`
	End          string `json:"end"`
	TZID         string `json:"tzid"`
	AllDay       bool   `json:"all_day"`
	Override     bool   `json:"override"`

	summary string
	at      time.Time
}

// expand lists the instances of every component's recurrence set that
// overlap the window, in order of start time.
func (t *tool) expand(args []string) error {
	fs := flag.NewFlagSet("expand", flag.ContinueOnError)
	fromS := fs.String("from", "", "start of the window (RFC 3339 or YYYY-MM-DD); default: the beginning of each series")
	toS := fs.String("to", "", "end of the window, exclusive (RFC 3339 or YYYY-MM-DD); default: open")
	max := fs.Int("max", 1000, "the most instances listed per component; with no --to, the expansion stops there")
	asJSON := fs.Bool("json", false, "print one JSON object per instance")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	from, err := parseWhen(*fromS)
	if err != nil {
		return usageError{fmt.Errorf("--from: %w", err)}
	}
	to, err := parseWhen(*toS)
	if err != nil {
		return usageError{fmt.Errorf("--to: %w", err)}
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return usageError{errors.New("--to must be after --from")}
	}
	if *max <= 0 {
		return usageError{errors.New("--max must be positive")}
	}
	cals, display, err := t.readCalendars(files)
	if err != nil {
		return err
	}
	var lines []expandLine
	for _, cal := range cals {
		zones := tz.NewResolver(cal.Component, tz.ResolverOptions{})
		for _, g := range groups(cal.Component) {
			insts, err := expandGroup(g, from, to, *max, zones)
			if err != nil {
				return fmt.Errorf("%s:%d: %s: %w", display, g.line(), g.uid, err)
			}
			for _, in := range insts {
				lines = append(lines, instanceLine(g, in, zones))
			}
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at.Before(lines[j].at) })
	enc := json.NewEncoder(t.stdout)
	for _, l := range lines {
		if *asJSON {
			if err := enc.Encode(l); err != nil {
				return err
			}
			continue
		}
		mark := ""
		if l.Override {
			mark = "  (moved or changed)"
		}
		if _, err := fmt.Fprintf(t.stdout, "%-25s  %-25s  %s%s\n", l.Start, l.End, l.summary, mark); err != nil {
			return err
		}
	}
	return nil
}

// parseWhen parses an RFC 3339 time or a date (midnight UTC); "" is zero.
func parseWhen(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time or a YYYY-MM-DD date", s)
}

// group is a master component and its RECURRENCE-ID overrides (one UID).
type group struct {
	uid       string
	master    *ical.Component
	overrides []*ical.Component
}

func (g group) line() int {
	if g.master != nil {
		return g.master.Line
	}
	return g.overrides[0].Line
}

// groups collects the schedulable components of a calendar by UID, in the
// order of first appearance. Components without a UID stand alone.
func groups(cal *ical.Component) []group {
	var out []group
	index := map[string]int{}
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompEvent, ical.CompToDo, ical.CompJournal:
		default:
			continue
		}
		uid := c.Value(ical.PropUID)
		i, ok := index[uid]
		if !ok || uid == "" {
			i = len(out)
			out = append(out, group{uid: uid})
			if uid != "" {
				index[uid] = i
			}
		}
		if c.Prop(ical.PropRecurrenceID) != nil {
			out[i].overrides = append(out[i].overrides, c)
		} else if out[i].master == nil {
			out[i].master = c
		} else {
			// A second master with the same UID (invalid, nylas/multiple_events.ics):
			// list it on its own rather than drop it.
			out = append(out, group{uid: uid, master: c})
		}
	}
	return out
}

// expandGroup expands one group inside [from, to). Without to, it lists
// the first max instances from the later of from and the group's first
// start, searching at most openWindowYears.
func expandGroup(g group, from, to time.Time, max int, zones ical.Zones) ([]recur.Instance, error) {
	opts := recur.Options{From: from, To: to, Zones: zones, Limits: recur.Limits{MaxInstances: max}}
	start := firstStart(g, zones)
	if !to.IsZero() || start.IsZero() {
		insts, err := recur.Expand(g.master, g.overrides, opts)
		if errors.Is(err, recur.ErrBudget) {
			return nil, fmt.Errorf("%w (narrow the window with --from/--to or raise --max)", err)
		}
		return insts, err
	}
	if start.Before(from) {
		start = from
	}
	// Windows start at a day and double while they hold fewer than max
	// instances; one that holds more than the expansion budget (a dense
	// rule) is split. The list is cut at max.
	opts.Limits.MaxInstances = 0
	const maxSpan = 10 * 365 * 24 * time.Hour
	span := 24 * time.Hour
	end := start.AddDate(openWindowYears, 0, 0)
	type key struct {
		rid      string
		override *ical.Component
	}
	seen := map[key]bool{}
	var out []recur.Instance
	for t := start; t.Before(end) && len(out) < max; {
		opts.From, opts.To = t, t.Add(span)
		if t.Equal(start) {
			opts.From = from // also what an unset --from lets in before the first DTSTART
		}
		insts, err := recur.Expand(g.master, g.overrides, opts)
		if errors.Is(err, recur.ErrBudget) && span > time.Second {
			span /= 16
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, in := range insts {
			// An instance that overlaps two windows is returned by both.
			k := key{in.RecurrenceID.String() + "/" + in.RecurrenceID.TZID, in.Override}
			if !seen[k] && len(out) < max {
				seen[k] = true
				out = append(out, in)
			}
		}
		t = opts.To
		if len(insts) < max {
			span = min(2*span, maxSpan)
		}
	}
	return out, nil
}

// firstStart returns the earliest DTSTART of the group as an instant, or
// the zero time.
func firstStart(g group, zones ical.Zones) time.Time {
	var first time.Time
	comps := append([]*ical.Component{g.master}, g.overrides...)
	for _, c := range comps {
		if c == nil {
			continue
		}
		p := c.Prop(ical.PropDTStart)
		if p == nil {
			continue
		}
		d, err := p.DateTime()
		if err != nil {
			continue
		}
		t, err := d.Time(zones, nil)
		if err == nil && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}

// instanceLine formats an instance per DESIGN.md §4: RFC 3339 with offset
// for zoned and UTC times, without offset for floating times, YYYY-MM-DD
// for all-day dates.
func instanceLine(g group, in recur.Instance, zones ical.Zones) expandLine {
	c := in.Override
	if c == nil {
		c = g.master
	}
	summary := ""
	if c != nil {
		if p := c.Prop(ical.PropSummary); p != nil {
			summary, _ = p.Text()
		}
	}
	return expandLine{
		UID:          g.uid,
		RecurrenceID: in.RecurrenceID.String(),
		Start:        formatWhen(in.Start, in.StartTime, zones),
		End:          formatWhen(in.End, in.EndTime, zones),
		TZID:         in.Start.TZID,
		AllDay:       in.Start.Kind == ical.KindDate,
		Override:     in.Override != nil,
		summary:      strings.TrimSpace(summary),
		at:           in.StartTime,
	}
}

func formatWhen(d ical.DateTime, at time.Time, zones ical.Zones) string {
	switch d.Kind {
	case ical.KindDate:
		return d.Wall.Format("2006-01-02")
	case ical.KindFloating:
		return d.Wall.Format("2006-01-02T15:04:05")
	case ical.KindUTC:
		return at.UTC().Format(time.RFC3339)
	}
	z, err := zones.Zone(d.TZID)
	if err != nil {
		return at.UTC().Format(time.RFC3339)
	}
	wall := z.Wall(at)
	offset := int(wall.Sub(at) / time.Second)
	return at.In(time.FixedZone("", offset)).Format(time.RFC3339)
}
