// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip

import (
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
	"github.com/almanac-project/almanac/itip"
)

// summary is the readable rendering of an iTIP message, for the text/plain
// and text/html parts (RFC 6047 §2.4: "scheduling messages SHOULD be sent
// with an alternative, human-readable form").
type summary struct {
	subject     string
	sentence    string
	rows        []row
	description string
}

// row is one labelled item; a value may have several lines.
type row struct {
	label string
	lines []string
}

// summarize describes cal, the outgoing iTIP message: what happened, to
// what, when, where and with whom.
func summarize(cal *ical.Component, method, comp string, m *Outgoing) summary {
	var main *ical.Component
	n := 0
	for _, c := range cal.Children {
		if c.Name == comp {
			if main == nil {
				main = c
			}
			n++
		}
	}
	// One line: the title goes into the Subject field.
	title := strings.Join(strings.Fields(textValue(main, ical.PropSummary)), " ")
	if title == "" {
		title = "(no title)"
	}
	actor := m.FromName
	if actor == "" {
		actor = m.From
	}
	var s summary
	s.subject, s.sentence = headline(method, comp, main, actor, title)

	if when := whenLines(cal, main); len(when) > 0 {
		label := "When"
		if main.Prop(ical.PropDTStart) == nil {
			label = "Due"
		}
		s.rows = append(s.rows, row{label, when})
	}
	if rid := main.Prop(ical.PropRecurrenceID); rid != nil {
		if d, err := rid.DateTime(); err == nil {
			s.rows = append(s.rows, row{"Occurrence", []string{formatWall(d.Wall, d.IsDate())}})
		}
	}
	if rr := main.Value(ical.PropRRule); rr != "" {
		s.rows = append(s.rows, row{"Repeats", []string{rr}})
	}
	if n > 1 {
		s.rows = append(s.rows, row{"Instances", []string{strconv.Itoa(n) + " in this message"}})
	}
	if loc := textValue(main, ical.PropLocation); loc != "" {
		s.rows = append(s.rows, row{"Where", []string{loc}})
	}
	if org := main.Prop(ical.PropOrganizer); org != nil {
		s.rows = append(s.rows, row{"Organizer", []string{person(org)}})
	}
	var atts []string
	for _, a := range main.PropsNamed(ical.PropAttendee) {
		line := person(a)
		if ps := a.Params.Get(ical.ParamPartStat); ps != "" {
			line += " (" + strings.ToLower(ps) + ")"
		}
		atts = append(atts, line)
	}
	if len(atts) > 0 {
		s.rows = append(s.rows, row{"Attendees", atts})
	}
	if c := textValue(main, ical.PropComment); c != "" {
		s.rows = append(s.rows, row{"Comment", strings.Split(c, "\n")})
	}
	s.description = textValue(main, ical.PropDescription)
	return s
}

// headline returns the subject and the opening sentence for a method.
func headline(method, comp string, main *ical.Component, actor, title string) (subject, sentence string) {
	q := `"` + title + `"`
	switch itip.Method(method) {
	case itip.MethodRequest:
		switch {
		case comp == ical.CompFreeBusy:
			return "Free/busy request", actor + " asks for your free/busy time."
		case seq(main) > 0 && comp == ical.CompToDo:
			return "Updated task: " + title, actor + " has updated the task " + q + "."
		case comp == ical.CompToDo:
			return "Task: " + title, actor + " has assigned you the task " + q + "."
		case seq(main) > 0:
			return "Updated invitation: " + title, actor + " has updated the invitation to " + q + "."
		}
		return "Invitation: " + title, actor + " has invited you to " + q + "."
	case itip.MethodAdd:
		return "Added occurrences: " + title, actor + " has added occurrences to " + q + "."
	case itip.MethodCancel:
		return "Cancelled: " + title, actor + " has cancelled " + q + "."
	case itip.MethodPublish:
		if comp == ical.CompFreeBusy {
			return "Free/busy information", actor + " has published free/busy time."
		}
		return "Published: " + title, actor + " has published " + q + "."
	case itip.MethodReply:
		if comp == ical.CompFreeBusy {
			return "Free/busy reply", actor + " has sent free/busy time."
		}
		ps := ""
		if a := main.Prop(ical.PropAttendee); a != nil {
			ps = strings.ToUpper(a.Params.Get(ical.ParamPartStat))
		}
		switch ps {
		case "ACCEPTED":
			return "Accepted: " + title, actor + " has accepted " + q + "."
		case "DECLINED":
			return "Declined: " + title, actor + " has declined " + q + "."
		case "TENTATIVE":
			return "Tentative: " + title, actor + " has tentatively accepted " + q + "."
		case "DELEGATED":
			return "Delegated: " + title, actor + " has delegated " + q + "."
		case "COMPLETED":
			return "Completed: " + title, actor + " has completed " + q + "."
		case "IN-PROCESS":
			return "In progress: " + title, actor + " is working on " + q + "."
		}
		return "Reply: " + title, actor + " has answered " + q + "."
	case itip.MethodCounter:
		return "Change proposed: " + title, actor + " proposes changes to " + q + "."
	case itip.MethodDeclineCounter:
		return "Proposal declined: " + title, actor + " has declined your proposal for " + q + "."
	case itip.MethodRefresh:
		return "Update requested: " + title, actor + " asks for the latest version of " + q + "."
	}
	return method + ": " + title, actor + " has sent " + q + "."
}

func seq(c *ical.Component) int64 {
	if p := c.Prop(ical.PropSequence); p != nil {
		if n, err := p.Int(); err == nil {
			return n
		}
	}
	return 0
}

func textValue(c *ical.Component, name string) string {
	p := c.Prop(name)
	if p == nil {
		return ""
	}
	s, err := p.Text()
	if err != nil {
		return p.Value
	}
	return strings.TrimSpace(s)
}

// person writes a calendar user as "Name <address>".
func person(p *ical.Property) string {
	addr := p.Value
	if len(addr) >= 7 && strings.EqualFold(addr[:7], "mailto:") {
		addr = addr[7:]
	}
	if cn := strings.TrimSpace(p.Params.Get(ical.ParamCN)); cn != "" && !strings.EqualFold(cn, addr) {
		return cn + " <" + addr + ">"
	}
	return addr
}

// whenLines writes the time of c: in its own zone (the TZID as written,
// resolved through the calendar's VTIMEZONEs) and in UTC, or as dates for
// an all-day component.
func whenLines(cal, c *ical.Component) []string {
	startProp := c.Prop(ical.PropDTStart)
	endProp := c.Prop(ical.PropDTEnd)
	if endProp == nil {
		endProp = c.Prop(ical.PropDue)
	}
	if startProp == nil {
		// A VTODO with only DUE.
		startProp, endProp = endProp, nil
	}
	if startProp == nil {
		return nil
	}
	start, err := startProp.DateTime()
	if err != nil {
		return nil
	}
	var (
		end    ical.DateTime
		hasEnd bool
		dur    ical.Duration
	)
	if endProp != nil {
		if e, err := endProp.DateTime(); err == nil {
			end, hasEnd = e, true
		}
	} else if dp := c.Prop(ical.PropDuration); dp != nil {
		if d, err := dp.Duration(); err == nil {
			dur, hasEnd = d, true
		}
	}
	if start.IsDate() {
		last := start.Wall
		if hasEnd {
			if endProp != nil {
				last = end.Wall.AddDate(0, 0, -1)
			} else {
				last = dur.AddWall(start.Wall).AddDate(0, 0, -1)
			}
		}
		line := formatDate(start.Wall)
		if last.After(start.Wall) {
			line += " - " + formatDate(last)
		}
		return []string{line + " (all day)"}
	}
	zones := tz.NewResolver(cal, tz.ResolverOptions{})
	var zone ical.Zone
	switch start.Kind {
	case ical.KindUTC:
		zone = nil
	case ical.KindZoned:
		z, err := zones.Zone(start.TZID)
		if err != nil {
			// Unknown zone: the wall time as written, with its TZID.
			return []string{span(start.Wall, end.Wall, hasEnd && end.Kind == start.Kind) + " (" + start.TZID + ")"}
		}
		zone = z
	default:
		line := span(start.Wall, end.Wall, hasEnd && end.Kind == ical.KindFloating)
		return []string{line + " (floating time)"}
	}
	startAt, err := start.Time(zones, nil)
	if err != nil {
		return nil
	}
	var endAt time.Time
	if hasEnd {
		if endProp != nil {
			if endAt, err = end.Time(zones, nil); err != nil {
				hasEnd = false
			}
		} else {
			endAt = dur.AddTo(startAt, zone)
		}
	}
	utc := span(startAt.UTC(), endAt.UTC(), hasEnd) + " UTC"
	if zone == nil {
		return []string{utc}
	}
	local := span(zone.Wall(startAt), zone.Wall(endAt), hasEnd) + " (" + start.TZID + ")"
	return []string{local, utc}
}

// span writes a time range of wall-clock times: the end as a time alone
// when it falls on the same day.
func span(start, end time.Time, hasEnd bool) string {
	s := formatWall(start, false)
	if !hasEnd || !end.After(start) {
		return s
	}
	y1, m1, d1 := start.Date()
	if y2, m2, d2 := end.Date(); y1 == y2 && m1 == m2 && d1 == d2 {
		return s + "-" + end.Format("15:04")
	}
	return s + " - " + formatWall(end, false)
}

func formatWall(t time.Time, date bool) string {
	if date {
		return formatDate(t)
	}
	return t.Format("Mon 2 Jan 2006 15:04")
}

func formatDate(t time.Time) string { return t.Format("Mon 2 Jan 2006") }

// text renders the summary as text/plain with CRLF line endings.
func (s summary) text() []byte {
	var b strings.Builder
	b.WriteString(s.sentence + "\r\n\r\n")
	for _, r := range s.rows {
		for i, l := range r.lines {
			label := ""
			if i == 0 {
				label = r.label + ":"
			}
			b.WriteString(label + strings.Repeat(" ", 12-len(label)) + l + "\r\n")
		}
	}
	if s.description != "" {
		b.WriteString("\r\n")
		for l := range strings.Lines(s.description) {
			b.WriteString(strings.TrimRight(l, "\r\n") + "\r\n")
		}
	}
	return []byte(b.String())
}

// html renders the summary as text/html, every value escaped.
func (s summary) html() []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\r\n<html lang=\"en\">\r\n<head><meta charset=\"utf-8\"><title>" +
		html.EscapeString(s.subject) + "</title></head>\r\n<body>\r\n")
	b.WriteString("<p>" + html.EscapeString(s.sentence) + "</p>\r\n")
	if len(s.rows) > 0 {
		b.WriteString("<table>\r\n")
		for _, r := range s.rows {
			lines := make([]string, len(r.lines))
			for i, l := range r.lines {
				lines[i] = html.EscapeString(l)
			}
			b.WriteString("<tr><th style=\"text-align:left;vertical-align:top\">" + html.EscapeString(r.label) +
				"</th><td>" + strings.Join(lines, "<br>") + "</td></tr>\r\n")
		}
		b.WriteString("</table>\r\n")
	}
	if s.description != "" {
		var lines []string
		for l := range strings.Lines(s.description) {
			lines = append(lines, html.EscapeString(strings.TrimRight(l, "\r\n")))
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>\r\n") + "</p>\r\n")
	}
	b.WriteString("</body>\r\n</html>\r\n")
	return []byte(b.String())
}
