// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical_test

import (
	"reflect"
	"testing"

	"github.com/almanac-project/almanac/ical"
)

func TestParamsEdit(t *testing.T) {
	var ps ical.Params
	if ps.Len() != 0 || ps.String() != "" || ps.Get("CN") != "" || ps.Has("CN") {
		t.Fatalf("zero Params = %q", ps)
	}
	ps.Set("cn", "Jane Doe")
	ps.Add("MEMBER", "mailto:a@example.com", "mailto:b@example.com")
	ps.Set("X-NOTE", "a;b", `say "hi"`, "line1\nline2^")
	ps.Add("CN", "second")
	want := `;CN=Jane Doe;MEMBER="mailto:a@example.com","mailto:b@example.com";X-NOTE="a;b",say ^'hi^',line1^nline2^^;CN=second`
	if ps.String() != want {
		t.Fatalf("Params = %s\nwant     %s", ps, want)
	}
	if ps.Len() != 4 || ps.Get("cn") != "Jane Doe" {
		t.Errorf("Len = %d, Get(cn) = %q", ps.Len(), ps.Get("cn"))
	}
	if p, ok := ps.Find("X-NOTE"); !ok || !reflect.DeepEqual(p.Values, []string{"a;b", `say "hi"`, "line1\nline2^"}) {
		t.Errorf("Find(X-NOTE) = %q, %v", p.Values, ok)
	}
	if p, _ := ps.Find("MEMBER"); len(p.Values) != 2 || p.Values[1] != "mailto:b@example.com" {
		t.Errorf("Find(MEMBER) = %q", p.Values)
	}
	// Set replaces the first and drops later ones, in place.
	ps.Set("CN", "Jane")
	if ps.String() != `;CN=Jane;MEMBER="mailto:a@example.com","mailto:b@example.com";X-NOTE="a;b",say ^'hi^',line1^nline2^^` {
		t.Errorf("after Set(CN) = %s", ps)
	}
	ps.Del("member")
	ps.Del("ABSENT")
	var names []string
	for p := range ps.All() {
		names = append(names, p.Name)
	}
	if !reflect.DeepEqual(names, []string{"CN", "X-NOTE"}) {
		t.Errorf("All names = %v", names)
	}
	if !reflect.DeepEqual(ical.NewParams(ps.List()...), ps) {
		t.Errorf("NewParams(List()) = %s, want %s", ical.NewParams(ps.List()...), ps)
	}
	// Copies do not share changes.
	cp := ps
	cp.Set("CN", "Other")
	if ps.Get("CN") != "Jane" {
		t.Error("a copy's Set changed the original")
	}
}

func TestParamsEmptyValues(t *testing.T) {
	ps := ical.NewParams(ical.Param{Name: "X-A", Values: []string{"", "b", ""}})
	if ps.String() != ";X-A=,b," {
		t.Fatalf("String = %q", ps)
	}
	if p, _ := ps.Find("X-A"); !reflect.DeepEqual(p.Values, []string{"", "b", ""}) {
		t.Errorf("Values = %q", p.Values)
	}
}

// TestParamsKeptAsWritten checks that decoded parameters keep the
// producer's optional quotes and order, and read back decoded.
func TestParamsKeptAsWritten(t *testing.T) {
	c := mustDecode(t, crlf("BEGIN:VCALENDAR\nATTENDEE;CN=\"Jane Doe\";ROLE=REQ-PARTICIPANT;X-A=^'q^':mailto:j@example.com\nEND:VCALENDAR\n"))
	p := c.Props[0]
	if p.Params.String() != `;CN="Jane Doe";ROLE=REQ-PARTICIPANT;X-A=^'q^'` {
		t.Errorf("Params = %s", p.Params)
	}
	if p.Params.Get("CN") != "Jane Doe" || p.Params.Get("X-A") != `"q"` {
		t.Errorf("Get = %q, %q", p.Params.Get("CN"), p.Params.Get("X-A"))
	}
}
