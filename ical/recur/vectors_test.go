// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// vectorsFile holds the 492 shared recurrence vectors (libical, dateutil,
// sabre/vobject, pycalendar); see testdata/vectors/README.md.
const vectorsFile = "../../testdata/vectors/rrule_vectors.jsonl"

type vector struct {
	Source        string   `json:"source"`
	DTStart       string   `json:"dtstart"`
	TZID          *string  `json:"tzid"`
	RRule         string   `json:"rrule"`
	Expected      []string `json:"expected"`
	CountLimit    int      `json:"count_limit"`
	Complete      bool     `json:"complete"`
	FirstInstance *bool    `json:"dtstart_is_first_instance"`
	StartAt       string   `json:"start_at"`
	Window        []string `json:"window"`
	ExpectError   string   `json:"expect_error"`
	RScale        bool     `json:"rscale"`
	Note          string   `json:"note"`
}

func loadVectors(t testing.TB) []vector {
	f, err := os.Open(vectorsFile)
	if err != nil {
		t.Fatalf("vectors: %v", err)
	}
	defer f.Close()
	var vs []vector
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("decode vector: %v", err)
		}
		vs = append(vs, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

// parseVectorTime reads a vector's DATE, floating, zoned or UTC value. The
// pycalendar vectors hold invalid dates such as 20140140 that their source
// normalises first (January 40 is February 9); so do we.
func parseVectorTime(s, tzid string) (ical.DateTime, bool) {
	if len(s) < 8 {
		return ical.DateTime{}, false
	}
	y, m, d := atoi(s[0:4]), atoi(s[4:6]), atoi(s[6:8])
	if len(s) == 8 {
		return ical.DateTime{Wall: time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), Kind: ical.KindDate}, true
	}
	if len(s) < 15 || s[8] != 'T' {
		return ical.DateTime{}, false
	}
	dt := ical.DateTime{
		Wall: time.Date(y, time.Month(m), d, atoi(s[9:11]), atoi(s[11:13]), atoi(s[13:15]), 0, time.UTC),
		Kind: ical.KindFloating,
	}
	switch {
	case strings.HasSuffix(s, "Z"):
		dt.Kind = ical.KindUTC
	case tzid != "":
		dt.Kind, dt.TZID = ical.KindZoned, tzid
	}
	return dt, true
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// format writes an instance the way the vectors do: like DTSTART.
func format(w time.Time, kind ical.TimeKind) string {
	dt := ical.DateTime{Wall: w, Kind: kind}
	if kind == ical.KindZoned {
		dt.Kind = ical.KindFloating
	}
	return dt.String()
}

// expandVector expands v's rule from DTSTART, resolving zoned instances
// through a real zone (RFC 5545 §3.3.10: a nonexistent local time is read
// as RFC 5545 §3.3.5 says, which moves it forward by the gap) and showing
// them as wall times again. limit > 0 stops after that many instances.
func expandVector(v vector, r *Rule, after, before time.Time, limit int) ([]string, error) {
	tzid := ""
	if v.TZID != nil {
		tzid = *v.TZID
	}
	start, _ := parseVectorTime(v.DTStart, tzid)
	opts := IterOptions{After: after, Before: before}
	opts.IncludeStart = v.FirstInstance == nil || *v.FirstInstance
	var zone ical.Zone
	if tzid != "" {
		z, err := testZones{}.Zone(tzid)
		if err != nil {
			return nil, err
		}
		zone = z
		opts.Zone = z
	}
	it, err := r.Iterator(start, opts)
	if err != nil {
		return nil, err
	}
	var out []string
	for limit <= 0 || len(out) < limit {
		w, ok := it.Next()
		if !ok {
			break
		}
		if zone != nil {
			w = zone.Wall(zone.Resolve(w))
		}
		s := format(w, start.Kind)
		if len(out) > 0 && out[len(out)-1] == s {
			continue // RFC 5545 §3.8.5.3: duplicates are ignored
		}
		out = append(out, s)
	}
	return out, it.Err()
}

// runVector checks one vector and returns "" when it passes, or why not.
func runVector(v vector) (got, want []string, msg string) {
	if _, err := Parse(v.RRule); err != nil && len(v.Expected) == 0 {
		// sabre/vobject throws on these: an invalid rule.
		return nil, nil, ""
	}
	r, _, err := ParseLenient(v.RRule)
	if v.ExpectError != "" {
		if err != nil {
			return nil, nil, ""
		}
		start, _ := parseVectorTime(v.DTStart, "")
		if _, err := r.Iterator(start, IterOptions{}); err != nil {
			return nil, nil, ""
		}
		return nil, nil, "rule accepted, want error " + v.ExpectError
	}
	if err != nil {
		return nil, v.Expected, "ParseLenient: " + err.Error()
	}
	var after, before time.Time
	want = v.Expected
	limit := 0
	if !v.Complete {
		limit = len(want)
	}
	switch {
	case v.Window != nil:
		a, _ := parseVectorTime(v.Window[0], "")
		b, _ := parseVectorTime(v.Window[1], "")
		after, before = a.Wall, b.Wall
	case v.StartAt != "":
		a, _ := parseVectorTime(v.StartAt, "")
		after = a.Wall
		// libical lists the whole set and checks START-AT separately: keep
		// the expected instances at or after it.
		want = slices.DeleteFunc(slices.Clone(want), func(s string) bool {
			e, _ := parseVectorTime(s, "")
			return e.Wall.Before(after)
		})
		if !v.Complete {
			limit = len(want)
		}
	}
	if limit == 0 && !v.Complete {
		// An unbounded rule checked for emptiness: look a few years ahead.
		before = after.AddDate(5, 0, 0)
	}
	got, err = expandVector(v, r, after, before, limit)
	if err != nil {
		return got, want, "expand: " + err.Error()
	}
	if !slices.Equal(got, want) {
		return got, want, "mismatch"
	}
	return got, want, ""
}

func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	var pass, disputed, naParts, fail int
	for _, v := range vs {
		t.Run(v.Source, func(t *testing.T) {
			if d, ok := disputedVectors[v.Source]; ok {
				disputed++
				r, _, err := ParseLenient(v.RRule)
				if err != nil {
					t.Fatalf("ParseLenient(%q) = %v", v.RRule, err)
				}
				limit := len(d.want)
				got, err := expandVector(v, r, time.Time{}, time.Time{}, limit)
				if err != nil || !slices.Equal(got, d.want) {
					t.Errorf("Expand(%q from %s) = %v, %v; want %v (disputed: %s)", v.RRule, v.DTStart, got, err, d.want, d.why)
				}
				return
			}
			got, want, msg := runVector(v)
			if msg != "" && droppedParts(v.RRule) {
				// RFC 5545 §3.3.10: "The term "N/A" means that the
				// corresponding BYxxx rule part MUST NOT be used with the
				// corresponding FREQ value." ParseLenient drops such parts
				// (as sabre/vobject does); python-dateutil applies them as
				// limits. These vectors test dateutil's reading; what we
				// check is that the strict parser refuses the rule and
				// the lenient one says what it dropped.
				naParts++
				if _, err := Parse(v.RRule); err == nil {
					t.Errorf("Parse(%q) accepted parts that RFC 5545 §3.3.10 marks N/A for the FREQ", v.RRule)
				}
				return
			}
			if msg != "" {
				fail++
				t.Errorf("Expand(%q from %s) = %v, want %v: %s", v.RRule, v.DTStart, got, want, msg)
				return
			}
			pass++
		})
	}
	t.Logf("vectors: %d passed, %d disputed (decided from the RFC, checked against our answer), %d with N/A parts (refused by Parse, dropped by ParseLenient), %d failed",
		pass, disputed, naParts, fail)
}

// disputedVector is a vector whose expected value we believe is wrong or
// which libraries disagree on. A nil want skips it.
type disputedVector struct {
	why  string
	want []string
}

// droppedParts reports whether ParseLenient drops parts of rule as invalid
// for its frequency.
func droppedParts(rule string) bool {
	_, warnings, _ := ParseLenient(rule)
	for _, w := range warnings {
		if strings.Contains(w, "dropped") {
			return true
		}
	}
	return false
}

// disputedVectors are the vectors on which libraries disagree
// (rrule_crosscheck_dateutil.tsv) and the source's answer is not ours,
// plus the vectors we believe are wrong. Each is decided from the RFC text
// and checked against our answer.
var disputedVectors = map[string]disputedVector{
	// RFC 5545 §3.3.10 table: BYMONTHDAY is "Expand" for YEARLY. Expanding
	// a year by day of month gives whole dates in every month; nothing is
	// missing that would have to be "derived from DTSTART". libical keeps
	// DTSTART's month (20240229, 20280229, 20320229); python-dateutil
	// expands every month, as we do.
	"libical:src/test/icalrecur_test.txt#L390": {
		why:  "YEARLY;BYMONTHDAY without BYMONTH expands every month (§3.3.10 table)",
		want: []string{"20240229", "20240329", "20240429"},
	},
	"libical:src/test/icalrecur_test.txt#L395": {
		why:  "YEARLY;BYMONTHDAY without BYMONTH expands every month (§3.3.10 table)",
		want: []string{"20240201", "20240229", "20240303", "20240331"},
	},
	// libical answers UNIMPLEMENTED, but the rule is valid: BYMONTH,
	// BYWEEKNO and BYMONTHDAY may all be used with YEARLY (§3.3.10 table).
	// December 30 is in week 1 of the next year when it is a Monday or a
	// Tuesday.
	"libical:src/test/icalrecur_test.txt#L405": {
		why:  "valid rule that libical does not implement",
		want: []string{"20241230", "20251230", "20301230", "20311230"},
	},
	// RFC 5545 §3.3.10: "YEARLY, to specify repeating events based on an
	// interval of a year or more"; INTERVAL counts calendar years from the
	// year of DTSTART, and BYWEEKNO selects the days of that calendar year
	// in the given weeks (a week may start in the year before or end in the
	// year after, RFC 5545 "Week number one of the calendar year is the
	// first week that contains at least four (4) days in that calendar
	// year"). libical counts the intervals in ISO week-numbering years
	// (DTSTART 20100102 is in week-year 2009), dateutil in calendar years,
	// as we do.
	"libical:src/test/icalrecur_test.txt#L725": {
		why:  "INTERVAL counts calendar years: 2010, 2016",
		want: []string{"20100102T000000", "20160102T000000"},
	},
	"libical:src/test/icalrecur_test.txt#L730": {
		why:  "INTERVAL counts calendar years: 2010, 2015 (Tuesday 20151229 is in week 53 of 2015)",
		want: []string{"20100102T000000", "20151229T000000"},
	},
	"libical:src/test/icalrecur_test.txt#L740": {
		why:  "INTERVAL counts calendar years: 2024, 2027, 2030",
		want: []string{"20241231", "20270104", "20270105", "20300101", "20301230", "20301231"},
	},
	// RFC 5545 §3.3.10: UNTIL "bounds the recurrence rule in an inclusive
	// manner". A DATE UNTIL with a DATE-TIME DTSTART breaks "The value of
	// the UNTIL rule part MUST have the same value type as the "DTSTART"
	// property"; we read it leniently as the whole of that day, inclusive.
	// dateutil reads it as midnight at its start.
	"dateutil:tests/test_rrule.py::RRuleTest.testUntilWithDate#L2407": {
		why:  "a DATE UNTIL includes the whole day",
		want: []string{"19970902T090000", "19970903T090000", "19970904T090000", "19970905T090000"},
	},
	// RFC 5545 §3.3.10: "If the computed local start time of a recurrence
	// instance does not exist ... the time of the recurrence instance is
	// interpreted in the same manner as an explicit DATE-TIME value", and
	// §3.3.5 moves a time in a gap forward by the gap. sabre/vobject moves
	// such times forward in its other DST tests but drops 02:00 on
	// 2023-03-26 here.
	"sabre-vobject:tests/VObject/Recur/RRuleIteratorTest.php::testWeeklyByDayByHourOnDstTransition#L462": {
		why: "a nonexistent local time moves forward by the gap (§3.3.5)",
		want: []string{"20230311T020000", "20230311T140000", "20230312T020000", "20230312T140000",
			"20230325T020000", "20230325T140000", "20230326T030000", "20230326T140000",
			"20230408T020000", "20230408T140000", "20230409T020000"},
	},
	// RFC 5545 §3.3.10: day -366 exists only in leap years; "Recurrence
	// rules may generate recurrence instances with an invalid date ... Such
	// recurrence instances MUST be ignored". sabre/vobject moves it to
	// December 31 of the year before.
	"sabre-vobject:tests/VObject/Recur/RRuleIteratorTest.php::testYearlyByYearDayMaxNegative#L1098": {
		why: "BYYEARDAY=-366 is invalid in common years and ignored",
		want: []string{"20010101T145311Z", "20040101T145311Z", "20080101T145311Z", "20120101T145311Z",
			"20160101T145311Z", "20200101T145311Z", "20240101T145311Z", "20280101T145311Z"},
	},
	// RFC 5545 §3.3.10: BYWEEKNO "-20" is the 20th week from the end. 2012
	// has 52 weeks (week 1 starts on Monday 2012-01-02), so it is week 33,
	// 2012-08-13 to 2012-08-19. sabre/vobject is a week early; dateutil
	// agrees with us.
	"sabre-vobject:tests/VObject/Recur/RRuleIteratorTest.php::testNegativeValidByWeekNo#L1289": {
		why:  "week -20 of 2012 is week 33",
		want: []string{"20110902T000000Z", "20120814T000000Z", "20120817T000000Z", "20130813T000000Z"},
	},
	// BYYEARDAY and BYWEEKNO are "N/A" for DAILY and are dropped, but
	// BYSECOND and BYMINUTE "Expand" DAILY (§3.3.10 table), which
	// sabre/vobject ignores: each day at 00:01:01 (the hour from DTSTART).
	"sabre-vobject:tests/VObject/Recur/RRuleIteratorTest.php::testIgnoredStuff#L1535": {
		why:  "BYSECOND and BYMINUTE expand a DAILY rule",
		want: []string{"20140802T001500Z", "20140803T000101Z"},
	},
	// The BYWEEKNO decision (plan.go): the weekday comes from DTSTART, a
	// Tuesday; dateutil expands to all seven days of week 20.
	"dateutil:tests/test_rrule.py::RRuleTest.testYearlyByWeekNo#L225": {
		why:  "BYWEEKNO without BYDAY takes DTSTART's weekday",
		want: []string{"19980512T090000", "19990518T090000", "20000516T090000"},
	},
	// pycalendar disagrees with libical's vector for the same rule
	// (icalrecur_test.txt#L273): YEARLY;BYWEEKNO=1,2 from a Tuesday is the
	// Tuesday of weeks 1 and 2 (see the BYWEEKNO decision in plan.go).
	"pycalendar:src/pycalendar/icalendar/tests/rrule_examples.json[0]": {
		why: "BYWEEKNO without BYDAY takes DTSTART's weekday",
		want: []string{"20130101T000000", "20130108T000000", "20131231T000000", "20140107T000000",
			"20141230T000000", "20150106T000000", "20160105T000000", "20160112T000000"},
	},
}
