// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package itip_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/itip"
)

// vectorEntry is an entry of testdata/rfc-examples/manifest.json.
type vectorEntry struct {
	ID         string `json:"id"`
	File       string `json:"file"`
	Method     string `json:"method"`
	Component  string `json:"component"`
	SHA256     string `json:"sha256"`
	TableCheck struct {
		Valid      bool     `json:"valid"`
		Violations []string `json:"violations"`
	} `json:"rfc5546_table_check"`
	KnownIssues []string `json:"known_issues"`
}

// vectorVerdict is the expected outcome of ParseMessage and Validate for
// one vector in each mode. The rules name the first error ("syntax" when
// ParseMessage refuses the message), "" when the message is valid. also
// lists "rule/PROPERTY" errors that strict mode must report besides the
// first. why says what is wrong with an invalid vector.
type vectorVerdict struct {
	strict, interop         bool
	strictRule, interopRule string
	also                    []string
	why                     string
}

var vectorValid = vectorVerdict{strict: true, interop: true}

// vectorVerdicts states the verdict for every iTIP message of the vectors.
// Where the RFC example itself is wrong, why says how.
var vectorVerdicts = map[string]vectorVerdict{
	"rfc5546-4.1.1-a": vectorValid,
	"rfc5546-4.1.2-a": vectorValid,
	"rfc5546-4.1.3-a": vectorValid,
	"rfc5546-4.1.4-a": {false, false, "value", "value", []string{"value/DTEND"},
		"DTEND 19970701T180000 is before DTSTART 19970702T160000 (known issue); LOCATION;VALUE=URI"},
	"rfc5546-4.1.5-a": vectorValid,
	"rfc5546-4.2.1-a": {false, false, "value", "value", []string{"value/ATTENDEE", "value/DTEND"},
		`ATTENDEE "conf_big@example.com" has no URI scheme (lenient: warning); DTEND "19970701T2100000Z" has seven digits of time`},
	"rfc5546-4.2.2-a": vectorValid,
	"rfc5546-4.2.3-a": vectorValid,
	"rfc5546-4.2.4-a": vectorValid,
	"rfc5546-4.2.4-b": vectorValid,
	"rfc5546-4.2.4-c": vectorValid,
	"rfc5546-4.2.4-d": vectorValid,
	"rfc5546-4.2.5-a": vectorValid,
	"rfc5546-4.2.5-b": vectorValid,
	"rfc5546-4.2.6-a": {false, true, "presence", "", nil,
		"a delegation REPLY with the delegate's and the delegator's ATTENDEE: the table says 1; interop mode accepts the delegation"},
	"rfc5546-4.2.7-a": {false, true, "presence", "", nil,
		"a delegation REPLY with the delegate's and the delegator's ATTENDEE: the table says 1; interop mode accepts the delegation"},
	"rfc5546-4.2.7-b": vectorValid,
	"rfc5546-4.2.9-a": {false, true, "syntax", "", nil,
		`"ATTENDEE;CUTYPE=INDIVIDUAL;mailto:a@example.com" lacks the colon before the value; the lenient decoder repairs it`},
	"rfc5546-4.2.10-a": vectorValid,
	"rfc5546-4.2.10-b": vectorValid,
	"rfc5546-4.2.11-a": vectorValid,
	"rfc5546-4.3.1-a": {false, false, "presence", "presence", nil,
		"PUBLISH VFREEBUSY without UID"},
	"rfc5546-4.3.2-a": {false, false, "utc", "utc", nil,
		"VFREEBUSY REQUEST with DTEND 19970701T200000 in local time: the table says DateTime values must be in UTC (a derived rule the manifest's table check did not apply)"},
	"rfc5546-4.3.3-a": vectorValid,
	"rfc5546-4.4.1-a": {false, true, "value", "", []string{"value/ATTENDEE"},
		"ATTENDEEs without mailto: (RFC 5545 §3.3.3 wants a URI; lenient: warning)"},
	"rfc5546-4.4.2-a": vectorValid,
	"rfc5546-4.4.2-b": vectorValid,
	"rfc5546-4.4.3-a": vectorValid,
	"rfc5546-4.4.4-a": vectorValid,
	"rfc5546-4.4.5-a": {false, true, "syntax", "", nil,
		`"RECURRENCE-ID;THISANDFUTURE" lacks "RANGE="; the lenient decoder repairs it`},
	"rfc5546-4.4.6-a": vectorValid,
	"rfc5546-4.4.7-a": vectorValid,
	"rfc5546-4.4.7-b": vectorValid,
	"rfc5546-4.4.8-a": vectorValid,
	"rfc5546-4.4.8-b": vectorValid,
	"rfc5546-4.4.8-c": vectorValid,
	"rfc5546-4.4.8-d": {false, false, "presence", "presence", []string{"value/DTEND"},
		"the override VEVENT has no ORGANIZER; its DTEND is before its DTSTART"},
	"rfc5546-4.4.9-a":   vectorValid,
	"rfc5546-4.4.10-a":  vectorValid,
	"rfc5546-4.4.10-b":  vectorValid,
	"rfc5546-4.5.1-a":   vectorValid,
	"rfc5546-4.5.2-a":   vectorValid,
	"rfc5546-4.5.3-a":   vectorValid,
	"rfc5546-4.5.4-a":   vectorValid,
	"rfc5546-4.5.5-a":   vectorValid,
	"rfc5546-4.5.6-a":   vectorValid,
	"rfc5546-4.5.7.1-a": vectorValid,
	"rfc5546-4.5.7.2-a": {false, true, "presence", "", nil,
		"VTODO REPLY without ORGANIZER: interop mode warns (Outlook's replies lack it too; the organizer is the recipient)"},
	"rfc5546-4.6-a": vectorValid,
	"rfc5546-4.7.1-a": {false, false, "presence", "presence", []string{"value/DTSTAMP"},
		"REFRESH with 4 ATTENDEEs (the table says 1, the requester); DTSTAMP 19970603T094000 not in UTC (lenient: warning)"},
	"rfc5546-4.7.2-a": {false, false, "value", "value", []string{"value/DTSTAMP"},
		`RDATE period end "199700819T220000Z" has a five-digit year; DTSTAMP not in UTC (lenient: warning)`},
	"rfc5546-4.7.2-b": {false, true, "value", "", nil,
		"DTSTAMP 19970726T083000 not in UTC (lenient: warning)"},
	"rfc6047-4.1-part1": {false, true, "value", "", nil, "RSVP=YES instead of TRUE (lenient: warning)"},
	"rfc6047-4.2-part1": {false, true, "value", "", nil, "RSVP=YES instead of TRUE (lenient: warning)"},
	"rfc6047-4.3-part1": {false, true, "value", "", nil, "RSVP=YES instead of TRUE (lenient: warning)"},
	"rfc6047-4.4-part1": vectorValid,
	"rfc6047-4.5-part1": {false, true, "value", "", nil, "RSVP=YES instead of TRUE (lenient: warning)"},
	"rfc6047-4.5-part2": {false, false, "syntax", "syntax", nil, "BEGIN:VTODO closed by END:VEVENT"},
	"rfc6047-4.6-part1": {false, false, "value", "value", []string{"value/ORGANIZER", "value/DTEND"},
		`ORGANIZER and an ATTENDEE without mailto: (lenient: warning); DTEND "199706211T173000Z" is no DATE-TIME; RSVP=YES`},
	"rfc6638-B.2-01-response-ical1":       vectorValid,
	"rfc6638-B.4-01-response-ical1":       vectorValid,
	"rfc6638-B.5-01-request-ical1":        vectorValid,
	"rfc6638-B.5-01-response-ical1":       vectorValid,
	"rfc6638-B.5-01-response-ical2":       vectorValid,
	"rfc6638-B.7-02-response-ical1":       vectorValid,
	"rfc6638-B.8-01-response-ical1":       vectorValid,
	"ischedule00-6.1.3-01-request-ical1":  vectorValid,
	"ischedule00-6.1.4-01-request-ical1":  vectorValid,
	"ischedule00-6.1.4-01-response-ical1": vectorValid,
	"ischedule00-6.1.5-01-request-ical1": {false, false, "syntax", "syntax", nil,
		"BEGIN:VTODO closed by END:VEVENT"},
	"ischedule05-simple-meeting-invitation-01-request-ical1":         vectorValid,
	"ischedule05-search-for-busy-time-information-01-request-ical1":  vectorValid,
	"ischedule05-search-for-busy-time-information-01-response-ical1": vectorValid,
	"ischedule05-failed-request-01-request-ical1": {false, false, "syntax", "syntax", nil,
		"BEGIN:VTODO closed by END:VEVENT (seed-mapping §3.7 step 3: must fail at the syntax step)"},
}

// loadVectors reads the manifest and every file, checking its sha256.
func loadVectors(t testing.TB) ([]vectorEntry, map[string][]byte) {
	t.Helper()
	dir := filepath.Join("testdata", "rfc-examples")
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Count   int           `json:"count"`
		Vectors []vectorEntry `json:"vectors"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Vectors) != 74 || m.Count != 74 {
		t.Fatalf("manifest has %d (count %d) vectors, want 74", len(m.Vectors), m.Count)
	}
	files := map[string][]byte{}
	for _, e := range m.Vectors {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.File)))
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != e.SHA256 {
			t.Fatalf("%s: sha256 differs from the manifest", e.File)
		}
		files[e.ID] = b
	}
	return m.Vectors, files
}

// vectorOutcome runs the pipeline on one message in one mode.
func vectorOutcome(data []byte, mode itip.Mode) (valid bool, rule string, ps []itip.Problem, err error) {
	cal, err := itip.ParseMessage(data, mode)
	if err != nil {
		return false, "syntax", nil, err
	}
	ps = itip.Validate(cal.Component, itip.ValidateOptions{Mode: mode})
	for _, p := range ps {
		if !p.Warning {
			return false, p.Rule, ps, nil
		}
	}
	return true, "", ps, nil
}

// statusCodes reads the REQUEST-STATUS codes of RFC 5546 §3.6 from the
// restriction tables.
func statusCodes(t *testing.T) []string {
	data, err := os.ReadFile("restrictions.json")
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Codes struct {
			Codes []struct {
				Code string `json:"code"`
			} `json:"codes"`
		} `json:"request_status_codes"`
	}
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range j.Codes.Codes {
		codes = append(codes, c.Code)
	}
	return codes
}

// TestVectors validates every iTIP message of the RFC examples in both
// modes and compares the verdict with vectorVerdicts and with the table
// check recorded in the manifest.
func TestVectors(t *testing.T) {
	entries, files := loadVectors(t)
	codes := statusCodes(t)
	seen := map[string]bool{}
	for _, e := range entries {
		want, ok := vectorVerdicts[e.ID]
		if !ok {
			t.Errorf("%s: no expected verdict in vectorVerdicts", e.ID)
			continue
		}
		seen[e.ID] = true
		data := files[e.ID]
		for _, mode := range []itip.Mode{itip.ModeStrict, itip.ModeInterop} {
			wantValid, wantRule := want.strict, want.strictRule
			if mode == itip.ModeInterop {
				wantValid, wantRule = want.interop, want.interopRule
			}
			valid, rule, ps, err := vectorOutcome(data, mode)
			if valid != wantValid || rule != wantRule {
				t.Errorf("%s (%s): valid %v, first error rule %q (%v), want %v, %q; problems:\n%s",
					e.ID, mode, valid, rule, err, wantValid, wantRule, formatProblems(ps))
			}
			var se *ical.SyntaxError
			if err != nil && !errors.As(err, &se) {
				t.Errorf("%s (%s): ParseMessage error %v is not positioned", e.ID, mode, err)
			}
			for _, p := range ps {
				if !slices.Contains(codes, p.Status) {
					t.Errorf("%s (%s): %s has status %q, not a code of RFC 5546 §3.6", e.ID, mode, p, p.Status)
				}
			}
			if err == nil && mode == itip.ModeStrict {
				checkManifestAgreement(t, e, want, ps)
			}
			if err == nil {
				if m, c := itip.MethodOf(mustParse(t, data, mode)); m != e.Method || c != e.Component {
					t.Errorf("%s: MethodOf = %q, %q, want %q, %q", e.ID, m, c, e.Method, e.Component)
				}
			}
		}
		if want.strict && !e.TableCheck.Valid {
			t.Errorf("%s: the manifest's table check refuses it, but vectorVerdicts says strict-valid", e.ID)
		}
		if !want.strict && want.why == "" {
			t.Errorf("%s: an invalid vector needs a why", e.ID)
		}
	}
	for id := range vectorVerdicts {
		if !seen[id] {
			t.Errorf("vectorVerdicts has %s, which is not in the manifest", id)
		}
	}
}

// checkManifestAgreement compares strict mode's table-level problems with
// the manifest's rfc5546_table_check: each recorded violation must be
// reported, and a vector the table check accepted may fail only on value
// rules (RFC 5545) or on the utc rule the table check did not apply.
func checkManifestAgreement(t *testing.T, e vectorEntry, want vectorVerdict, ps []itip.Problem) {
	t.Helper()
	var errs []string
	for _, p := range ps {
		if p.Warning {
			continue
		}
		errs = append(errs, p.Rule+"/"+p.Property)
		if p.Rule != "value" && p.Rule != "utc" && e.TableCheck.Valid {
			t.Errorf("%s: the manifest's table check accepts it, but strict mode reports %s", e.ID, p)
		}
	}
	for _, v := range e.TableCheck.Violations {
		found := false
		for _, p := range ps {
			// The manifest writes "VEVENT[0]: ATTENDEE too many (presence 1, found 2)".
			if !p.Warning && fmt.Sprintf("%s[%d]: %s %s", p.Component, p.Index, p.Property, p.Message) == v {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: strict mode does not report the manifest's violation %q; problems:\n%s", e.ID, v, formatProblems(ps))
		}
	}
	for _, a := range want.also {
		if !slices.Contains(errs, a) {
			t.Errorf("%s: strict mode does not report %s; problems:\n%s", e.ID, a, formatProblems(ps))
		}
	}
}

func mustParse(t *testing.T, data []byte, mode itip.Mode) *ical.Component {
	t.Helper()
	cal, err := itip.ParseMessage(data, mode)
	if err != nil {
		t.Fatal(err)
	}
	return cal.Component
}

func formatProblems(ps []itip.Problem) string {
	var s string
	for _, p := range ps {
		kind := "error"
		if p.Warning {
			kind = "warning"
		}
		s += fmt.Sprintf("\t%d: %s %s (%s, %s)\n", p.Line, kind, p, p.Rule, p.Status)
	}
	return s
}

// BenchmarkValidate validates the RFC 5546 §4.2.1 REQUEST (a VEVENT with
// six ATTENDEEs) in both modes.
func BenchmarkValidate(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "rfc-examples", "rfc5546", "rfc5546_4.2.1_a_REQUEST-VEVENT.ics"))
	if err != nil {
		b.Fatal(err)
	}
	cal, err := itip.ParseMessage(data, itip.ModeInterop)
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []itip.Mode{itip.ModeInterop, itip.ModeStrict} {
		b.Run(mode.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				itip.Validate(cal.Component, itip.ValidateOptions{Mode: mode})
			}
		})
	}
}
