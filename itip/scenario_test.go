// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// TestScenarios replays the iTIP flows of testdata/scenarios/*.txt, in the
// style of Stalwart's tests/resources/itip scripts. Each calendar user's
// copies live in a map; commands (a line "> command args", then a body up
// to the next command; "#" lines are comments) drive the engine:
//
//	> store P UID         body: a copy placed as is (a fixture)
//	> put P UID           body: P's client stores the object: OrganizerUpdate
//	                      when P is the ORGANIZER (of the stored copy, else
//	                      of the object), else AttendeeUpdate
//	> reply P UID STAT [RID]   P sets their PARTSTAT to STAT in every
//	                      component, or in the override RECURRENCE-ID:RID
//	> delete P UID        OrganizerDelete or AttendeeDelete
//	> counter P UID       body: the proposal; Counter
//	> refresh P UID       Refresh
//	> acceptcounter P UID / > declinecounter P UID   on the last COUNTER P got
//	> freebusy P UID START END A...   FreeBusyRequest; or, with a body,
//	                      the request P's client wrote
//	> fbreply P           body: P's busy time (a VFREEBUSY); FreeBusyReply
//	> expect              body: the messages of the previous command, each
//	                      "from:" and "to:" lines then the VCALENDAR; or
//	                      "error: <condition or message>"
//	> send [reverse]      delivers every queued message with Process; the
//	                      optional body lists "recipient status applied|
//	                      ignored|deleted" per delivery
//	> drop                loses the queued messages
//	> deliver P UID       body: a message from elsewhere, delivered to P
//	> get P UID           body: P's copy, or "(none)"
//
// P is a name ("a" is mailto:a@example.com) or an address. The clock
// advances a minute per command; DTSTAMP values and PRODID are normalised
// away before comparing, and lines are compared unfolded.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			s := &scenario{t: t, file: f, copies: map[string]*ical.Component{}, counters: map[string]*ical.Component{},
				opts: Options{Now: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}}
			s.run(string(data))
		})
	}
}

type scenario struct {
	t           *testing.T
	file        string
	opts        Options
	copies      map[string]*ical.Component // principal + " " + UID
	counters    map[string]*ical.Component // the last COUNTER received
	queue, last []Message
	err         error
	fbRequest   *ical.Component
}

func (s *scenario) run(script string) {
	lines := strings.Split(strings.ReplaceAll(script, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "> ") {
			continue
		}
		j := i + 1
		var body []string
		for ; j < len(lines) && !strings.HasPrefix(lines[j], "> "); j++ {
			if l := strings.TrimRight(lines[j], " \t"); l != "" && !strings.HasPrefix(l, "#") {
				body = append(body, l)
			}
		}
		s.command(fmt.Sprintf("%s:%d", filepath.Base(s.file), i+1), strings.Fields(lines[i][2:]), body)
		i = j - 1
	}
}

func (s *scenario) command(at string, args, body []string) {
	t := s.t
	s.opts.Now = s.opts.Now.Add(time.Minute)
	if s.err != nil && args[0] != "expect" {
		t.Fatalf("%s: unexpected error of the previous command: %v", at, s.err)
	}
	arg := func(i int) string {
		if i >= len(args) {
			t.Fatalf("%s: %s needs %d arguments", at, args[0], i)
		}
		return args[i]
	}
	p, key := "", ""
	if len(args) > 1 && args[0] != "send" {
		p = scPrincipal(args[1])
		if len(args) > 2 {
			key = p + " " + args[2]
		}
	}
	var msgs []Message
	var err error
	switch args[0] {
	case "store":
		s.copies[key] = s.parse(at, body)
	case "put", "reply":
		obj := clone(s.copies[key])
		if args[0] == "put" {
			obj = s.parse(at, body)
		} else if !scSetPartStat(obj, p, strings.ToUpper(arg(3)), args[4:]) {
			t.Fatalf("%s: %s is not an attendee of %s %v", at, p, arg(2), args[4:])
		}
		// The stored copy says whose object it is (RFC 6638 §3.1); a new
		// one is the ORGANIZER's when P is.
		owner := Organizer(s.copies[key])
		if owner == "" {
			owner = Organizer(obj)
		}
		var u Update
		if owner == p {
			u, err = OrganizerUpdate(s.copies[key], obj, s.opts)
		} else {
			u, err = AttendeeUpdate(s.copies[key], obj, p, s.opts)
		}
		if err == nil {
			s.keep(key, u.Object)
			msgs = u.Messages
		}
	case "delete":
		var u Update
		if Organizer(s.copies[key]) == p {
			u, err = OrganizerDelete(s.copies[key], s.opts)
		} else {
			u, err = AttendeeDelete(s.copies[key], p, s.opts)
		}
		if err == nil {
			delete(s.copies, key)
			msgs = u.Messages
		}
	case "counter", "refresh", "declinecounter", "freebusy", "fbreply":
		var m Message
		switch args[0] {
		case "counter":
			m, err = Counter(s.copies[key], s.parse(at, body), p, s.opts)
		case "refresh":
			m, err = Refresh(s.copies[key], p, s.opts)
		case "declinecounter":
			m, err = DeclineCounter(s.copies[key], s.counters[key], s.opts)
		case "freebusy":
			if len(body) > 0 {
				// A request the client wrote (RFC 6638 §5: POSTed to
				// the outbox).
				s.fbRequest = s.parse(at, body)
				return
			}
			var attendees []string
			for _, a := range args[5:] {
				attendees = append(attendees, scPrincipal(a))
			}
			m = FreeBusyRequest(p, attendees, s.time(at, arg(3)), s.time(at, arg(4)), arg(2), s.opts)
			s.fbRequest = m.Calendar
		case "fbreply":
			busy := s.parse(at, body)
			if fb := busy.Components(ical.CompFreeBusy); len(fb) > 0 {
				busy = fb[0]
			}
			m, err = FreeBusyReply(s.fbRequest, p, busy, s.opts)
		}
		if err == nil {
			msgs = []Message{m}
		}
	case "acceptcounter":
		var u Update
		if u, err = AcceptCounter(s.copies[key], s.counters[key], s.opts); err == nil {
			s.keep(key, u.Object)
			msgs = u.Messages
		}
	case "expect":
		got := s.render(s.last)
		if s.err != nil {
			var ce *ChangeError
			if got = []string{"error: " + s.err.Error()}; errors.As(s.err, &ce) {
				got = []string{"error: " + ce.Condition}
			}
			s.err = nil
		}
		s.compare(at, "messages", scNormalise(body), got)
		return
	case "send":
		s.send(at, slices.Contains(args, "reverse"), body)
		return
	case "drop":
		s.queue = nil
		return
	case "deliver":
		queued := s.queue
		s.queue = []Message{{Recipients: []string{p}, UID: arg(2), Calendar: s.parse(at, body)}}
		s.send(at, false, nil)
		s.queue = append(queued, s.queue...)
		return
	case "get":
		got := []string{"(none)"}
		if c := s.copies[key]; c != nil {
			got = scNormalise(strings.Split(string(ical.Marshal(c)), "\r\n"))
		}
		s.compare(at, "copy of "+key, scNormalise(body), got)
		return
	default:
		t.Fatalf("%s: unknown command %q", at, args[0])
	}
	s.err, s.last = err, msgs
	s.queue = append(s.queue, msgs...)
	s.validate(at, msgs)
}

// validate checks every message against the RFC 5546 restriction tables.
func (s *scenario) validate(at string, msgs []Message) {
	for _, m := range msgs {
		if ps := Validate(m.Calendar, ValidateOptions{}); !Valid(ps) {
			s.t.Errorf("%s: the %s from %s is not valid iTIP: %v", at, m.Method, m.Originator, ps)
		}
	}
}

// send delivers the queue through Process, each message to each recipient.
func (s *scenario) send(at string, reverse bool, want []string) {
	queue := s.queue
	if reverse {
		slices.Reverse(queue)
	}
	s.queue, s.last = nil, nil
	var got []string
	for _, m := range queue {
		for _, r := range m.Recipients {
			key := r + " " + m.UID
			res, err := Process(s.copies[key], m.Calendar, r, s.opts)
			if err != nil {
				s.t.Fatalf("%s: Process(%s, %s) = %v", at, m.Method, r, err)
			}
			outcome := "ignored"
			if res.Applied {
				outcome = "applied"
				s.copies[key] = res.Object
			}
			if m.Method == MethodCounter {
				// The caller knows the originator: DeclineCounter takes
				// the COUNTER with the proposer's ATTENDEE only.
				c := clone(m.Calendar)
				for _, comp := range newObject(c).comps {
					comp.Props = slices.DeleteFunc(comp.Props, func(p ical.Property) bool {
						return p.Name == ical.PropAttendee && p.CalAddress() != m.Originator && p.CalAddress() != r
					})
				}
				s.counters[key] = c
			}
			got = append(got, fmt.Sprintf("%s %s %s", strings.TrimPrefix(r, "mailto:"), res.Status, outcome))
			s.last = append(s.last, res.Messages...)
		}
	}
	s.queue = slices.Clone(s.last)
	s.validate(at, s.last)
	if len(want) > 0 {
		s.compare(at, "deliveries", want, got)
	}
}

func (s *scenario) keep(key string, obj *ical.Component) {
	if obj == nil {
		delete(s.copies, key)
	} else {
		s.copies[key] = obj
	}
}

func (s *scenario) parse(at string, body []string) *ical.Component {
	cal, err := ical.Parse([]byte(strings.Join(body, "\r\n") + "\r\n"))
	if err != nil {
		s.t.Fatalf("%s: %v", at, err)
	}
	return cal.Component
}

func (s *scenario) time(at, v string) time.Time {
	t, err := time.Parse("20060102T150405Z", v)
	if err != nil {
		s.t.Fatalf("%s: %v", at, err)
	}
	return t
}

func (s *scenario) render(msgs []Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, "from: "+m.Originator, "to: "+strings.Join(m.Recipients, ", "))
		out = append(out, scNormalise(strings.Split(string(ical.Marshal(m.Calendar)), "\r\n"))...)
	}
	return out
}

func (s *scenario) compare(at, what string, want, got []string) {
	if !slices.Equal(want, got) {
		s.t.Errorf("%s: %s differ (-want +got):\n%s", at, what, scDiff(want, got))
	}
}

// scPrincipal expands a scenario name to a calendar user address.
func scPrincipal(s string) string {
	switch {
	case strings.Contains(s, ":"):
		return ical.NormalizeAddress(s)
	case strings.Contains(s, "@"):
		return ical.NormalizeAddress("mailto:" + s)
	}
	return "mailto:" + s + "@example.com"
}

// scSetPartStat sets addr's PARTSTAT, as a client does, in every component
// or in the one whose RECURRENCE-ID value is rid[0].
func scSetPartStat(cal *ical.Component, addr, partstat string, rid []string) bool {
	found := false
	for _, c := range newObject(cal).comps {
		if len(rid) > 0 && c.Value(ical.PropRecurrenceID) != rid[0] {
			continue
		}
		if p := findAttendee(c, addr); p != nil {
			p.Params.Set(ical.ParamPartStat, partstat)
			found = true
		}
	}
	return found
}

var (
	scStampLine  = regexp.MustCompile(`^DTSTAMP:.*$`)
	scStampParam = regexp.MustCompile(`;X-ALMANAC-REPLY-STAMP=[0-9TZ]+`)
)

// scNormalise unfolds lines, drops PRODID and blank lines and replaces
// DTSTAMP values.
func scNormalise(lines []string) []string {
	var out []string
	for _, l := range lines {
		switch {
		case l == "":
		case (l[0] == ' ' || l[0] == '\t') && len(out) > 0:
			out[len(out)-1] += l[1:]
		default:
			out = append(out, l)
		}
	}
	out = slices.DeleteFunc(out, func(l string) bool { return strings.HasPrefix(l, "PRODID:") })
	for i, l := range out {
		l = scStampLine.ReplaceAllString(l, "DTSTAMP:<stamp>")
		out[i] = scStampParam.ReplaceAllString(l, ";X-ALMANAC-REPLY-STAMP=<stamp>")
	}
	return out
}

// scDiff returns a unified-style diff of two line lists (longest common
// subsequence).
func scDiff(a, b []string) string {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var sb strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			sb.WriteString("  " + a[i] + "\n")
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			sb.WriteString("- " + a[i] + "\n")
			i++
		default:
			sb.WriteString("+ " + b[j] + "\n")
			j++
		}
	}
	return sb.String()
}
