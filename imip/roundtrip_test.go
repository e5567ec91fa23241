// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// pairs are the method and component pairs of RFC 5546 §1.4 (§3.2–3.5).
var pairs = map[string][]string{
	ical.CompEvent:    {"PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER", "DECLINECOUNTER"},
	ical.CompToDo:     {"PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER", "DECLINECOUNTER"},
	ical.CompJournal:  {"PUBLISH", "ADD", "CANCEL"},
	ical.CompFreeBusy: {"PUBLISH", "REQUEST", "REPLY"},
}

// synthetic returns a small iTIP message of the given method and
// component type, non-ASCII, with a UTC time.
func synthetic(method, comp string) *ical.Component {
	var b strings.Builder
	w := func(lines ...string) {
		for _, l := range lines {
			b.WriteString(l + "\r\n")
		}
	}
	w("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Almanac//Test//EN", "METHOD:"+method, "BEGIN:"+comp,
		"UID:synthetic-"+strings.ToLower(method+"-"+comp)+"@example.com", "DTSTAMP:20260101T100000Z",
		"ORGANIZER;CN=Ørjan:mailto:org@example.com")
	switch comp {
	case ical.CompFreeBusy:
		w("DTSTART:20260105T000000Z", "DTEND:20260112T000000Z")
		if method != "REQUEST" {
			w("FREEBUSY:20260105T090000Z/PT1H,20260106T140000Z/PT2H")
		}
	case ical.CompJournal:
		w("DTSTART;VALUE=DATE:20260105", "SUMMARY:Journal é", "SEQUENCE:1")
	default:
		w("DTSTART:20260105T090000Z", "SUMMARY:Tâche – "+method, "SEQUENCE:1")
		if comp == ical.CompToDo {
			w("DUE:20260106T090000Z")
		} else {
			w("DTEND:20260105T100000Z")
		}
	}
	partstat := "NEEDS-ACTION"
	if method == "REPLY" || method == "COUNTER" {
		partstat = "ACCEPTED"
	}
	if comp != ical.CompJournal || method != "PUBLISH" {
		w("ATTENDEE;CN=Ana;PARTSTAT=" + partstat + ":mailto:ana@example.net")
	}
	w("END:"+comp, "END:VCALENDAR")
	cal, err := ical.Parse([]byte(b.String()))
	if err != nil {
		panic(fmt.Sprintf("synthetic %s %s: %v", method, comp, err))
	}
	return cal.Component
}

// TestRoundTripMethods builds every method for every component type, from
// the RFC 2446 examples where they have one and from synthetic messages
// for all, and parses the message back.
func TestRoundTripMethods(t *testing.T) {
	type input struct {
		name string
		cal  *ical.Component
	}
	var inputs []input
	covered := map[string]bool{}
	files, err := filepath.Glob("testdata/corpus/libical/2446-split/*.ics")
	if err != nil || len(files) != 53 {
		t.Fatalf("2446-split: %d files, %v", len(files), err)
	}
	for _, f := range files {
		cal := readCalendar(t, f)
		inputs = append(inputs, input{filepath.Base(f), cal})
		m, c := itip.MethodOf(cal)
		covered[m+" "+c] = true
	}
	for comp, methods := range pairs {
		for _, m := range methods {
			inputs = append(inputs, input{"synthetic " + m + " " + comp, synthetic(m, comp)})
		}
	}
	for comp, methods := range pairs {
		for _, m := range methods {
			if !covered[m+" "+comp] {
				t.Logf("%s %s: synthetic only (no RFC 2446 example)", m, comp)
			}
		}
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			method, comp := itip.MethodOf(in.cal)
			from, to := "org@example.com", "ana@example.net"
			if method == "REPLY" || method == "COUNTER" || method == "REFRESH" {
				from, to = to, from
			}
			m := &Outgoing{From: from, To: []string{to}, Calendar: in.cal, Date: goldenDate}
			out, err := Build(m)
			if err != nil {
				t.Fatalf("Build(%s %s): %v", method, comp, err)
			}
			sent, _, _, err := outgoingCalendar(in.cal)
			if err != nil {
				t.Fatal(err)
			}
			if gm, gc := itip.MethodOf(sent); gm != method || gc != comp {
				t.Errorf("sent %s %s, want %s %s", gm, gc, method, comp)
			}
			checkRoundTrip(t, m, out, sent)
			if !bytes.Contains(out, []byte("Content-Type: text/calendar; method="+method+"; component="+comp+";")) {
				t.Errorf("Build(%s %s): no text/calendar part with method=%s component=%s", method, comp, method, comp)
			}
		})
	}
}
