// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/vectors"
)

// decodeJCalTestComponent decodes one iCalendar component of any name.
func decodeJCalTestComponent(t testing.TB, s string) *ical.Component {
	t.Helper()
	c, err := ical.NewDecoder(strings.NewReader(s)).DecodeComponent()
	if err != nil {
		t.Fatalf("DecodeComponent(%q): %v", s, err)
	}
	stripLines(c)
	return c
}

// jsonEqual compares two JSON texts semantically.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func indentJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("json.Indent: %v", err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// TestJCalGolden converts the RFC 7265 examples (Appendix B, and the
// examples of §3 and §5 gathered in one object) both ways: the .ics file to
// jCal, compared semantically with the .json file, and the .json file to
// iCalendar, compared byte for byte with the canonical encoding of the .ics
// file (or the .back.ics file, where the conversion normalises the
// iCalendar). The printed Appendix B.2 jCal disagrees with its own iCalendar in
// four places (BYDAY of STANDARD, the RDATE period as one string, the
// second VEVENT's DTSTART and SUMMARY); the golden follows the iCalendar.
func TestJCalGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "jcal", "*.ics"))
	if err != nil {
		t.Fatal(err)
	}
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, ".back.ics") })
	if len(files) < 3 {
		t.Fatalf("found %d golden files, want at least 3", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".ics")
		t.Run(name, func(t *testing.T) {
			ics, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c := decodeJCalTestComponent(t, string(ics))
			got, err := ical.MarshalJCal(c)
			if err != nil {
				t.Fatalf("MarshalJCal(%s): %v", name, err)
			}
			golden := strings.TrimSuffix(file, ".ics") + ".json"
			if *update {
				if err := os.WriteFile(golden, indentJSON(t, got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, got, want) {
				t.Errorf("MarshalJCal(%s) =\n%s\nwant\n%s", name, indentJSON(t, got), want)
			}

			back, err := ical.UnmarshalJCal(want)
			if err != nil {
				t.Fatalf("UnmarshalJCal(%s): %v", golden, err)
			}
			// The iCalendar is the .ics file, or the .back.ics file where
			// jCal normalises it (B.1 gains VALUE=DATE).
			backFile := strings.TrimSuffix(file, ".ics") + ".back.ics"
			g, w := ical.Marshal(back), ical.Marshal(c)
			if *update {
				if bytes.Equal(g, w) {
					os.Remove(backFile)
				} else if err := os.WriteFile(backFile, g, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if b, err := os.ReadFile(backFile); err == nil {
				w = ical.Marshal(decodeJCalTestComponent(t, string(b)))
			}
			if !bytes.Equal(g, w) {
				t.Errorf("UnmarshalJCal(%s) encodes as\n%s\nwant\n%s", golden, g, w)
			}
			// Idempotence: the jCal of the result is the golden again.
			again, err := ical.MarshalJCal(back)
			if err != nil {
				t.Fatalf("MarshalJCal(UnmarshalJCal(%s)): %v", golden, err)
			}
			if !jsonEqual(t, again, want) {
				t.Errorf("MarshalJCal(UnmarshalJCal(%s)) =\n%s\nwant\n%s", golden, indentJSON(t, again), want)
			}
		})
	}
}

// TestJCalProperties converts single properties both ways. back is the
// content line UnmarshalJCal gives, when it differs from line.
func TestJCalProperties(t *testing.T) {
	tests := []struct {
		name string
		line string
		jcal string
		back string
	}{
		{"text", `SUMMARY:a\, b\; c\\d\ne`, `["summary",{},"text","a, b; c\\d\ne"]`, ""},
		{"text bare comma", `LOCATION:Room 1, Floor 2`, `["location",{},"text","Room 1, Floor 2"]`, `LOCATION:Room 1\, Floor 2`},
		{"text bad escape", `SUMMARY:a\:b`, `["summary",{},"text","a:b"]`, `SUMMARY:a:b`},
		{"categories", `CATEGORIES:a,b\,c,d`, `["categories",{},"text","a","b,c","d"]`, ""},
		{"date", `DTSTART;VALUE=DATE:20260102`, `["dtstart",{},"date","2026-01-02"]`, ""},
		{"date value first", `DTSTART;VALUE=DATE;X-A=1:20260102`, `["dtstart",{"x-a":"1"},"date","2026-01-02"]`, `DTSTART;X-A=1;VALUE=DATE:20260102`},
		{"date-time utc", `DTSTAMP:20260102T100000Z`, `["dtstamp",{},"date-time","2026-01-02T10:00:00Z"]`, ""},
		{"date-time zoned", `DTSTART;TZID=Europe/Paris:20260102T100000`, `["dtstart",{"tzid":"Europe/Paris"},"date-time","2026-01-02T10:00:00"]`, ""},
		{"date-time redundant value", `DTSTART;VALUE=DATE-TIME:20260102T100000`, `["dtstart",{},"date-time","2026-01-02T10:00:00"]`, `DTSTART:20260102T100000`},
		{"date-time lower case", `DTSTART:20260102t100000z`, `["dtstart",{},"date-time","2026-01-02T10:00:00Z"]`, `DTSTART:20260102T100000Z`},
		{"date without VALUE", `DTSTART:20260102`, `["dtstart",{},"date","2026-01-02"]`, `DTSTART;VALUE=DATE:20260102`},
		{"date-time invalid kept", `DTSTART:2026010`, `["dtstart",{},"date-time","2026010"]`, ""},
		{"date invalid kept", `DTSTART;VALUE=DATE:20260102T100000`, `["dtstart",{},"date","20260102T100000"]`, ""},
		{"trigger date-time without VALUE", `TRIGGER:20260102T100000Z`, `["trigger",{},"date-time","2026-01-02T10:00:00Z"]`, `TRIGGER;VALUE=DATE-TIME:20260102T100000Z`},
		{"rdate periods without VALUE", `RDATE:20260102T100000Z/PT1H`, `["rdate",{},"period",["2026-01-02T10:00:00Z","PT1H"]]`, `RDATE;VALUE=PERIOD:20260102T100000Z/PT1H`},
		{"exdate mixed kept", `EXDATE:20260102,20260103T100000`, `["exdate",{},"date-time","20260102","2026-01-03T10:00:00"]`, ""},
		{"date-time garbage kept", `DTSTART:tomorrow`, `["dtstart",{},"date-time","tomorrow"]`, ""},
		{"date-time leap second", `DTSTART:20161231T235960Z`, `["dtstart",{},"date-time","2016-12-31T23:59:60Z"]`, ""},
		{"exdate list", `EXDATE:20260102T100000Z,20260103T100000Z`, `["exdate",{},"date-time","2026-01-02T10:00:00Z","2026-01-03T10:00:00Z"]`, ""},
		{"rdate dates", `RDATE;VALUE=DATE:20260102,20260104`, `["rdate",{},"date","2026-01-02","2026-01-04"]`, ""},
		{"rdate periods", `RDATE;VALUE=PERIOD:20260102T100000Z/20260102T110000Z,20260103T100000Z/PT1H`, `["rdate",{},"period",["2026-01-02T10:00:00Z","2026-01-02T11:00:00Z"],["2026-01-03T10:00:00Z","PT1H"]]`, ""},
		{"freebusy", `FREEBUSY;FBTYPE=BUSY:19970308T160000Z/PT8H30M`, `["freebusy",{"fbtype":"BUSY"},"period",["1997-03-08T16:00:00Z","PT8H30M"]]`, ""},
		{"period invalid kept", `FREEBUSY:19970308/P1D`, `["freebusy",{},"period","19970308/P1D"]`, ""},
		{"time", `X-T;VALUE=TIME:123000Z`, `["x-t",{},"time","12:30:00Z"]`, ""},
		{"utc-offset", `TZOFFSETTO:+1245`, `["tzoffsetto",{},"utc-offset","+12:45"]`, ""},
		{"utc-offset seconds", `TZOFFSETFROM:-001730`, `["tzoffsetfrom",{},"utc-offset","-00:17:30"]`, ""},
		{"duration", `DURATION:-P1DT2H`, `["duration",{},"duration","-P1DT2H"]`, ""},
		{"trigger date-time", `TRIGGER;VALUE=DATE-TIME:20260102T100000Z`, `["trigger",{},"date-time","2026-01-02T10:00:00Z"]`, ""},
		{"integer", `PRIORITY:5`, `["priority",{},"integer",5]`, ""},
		{"integer plus", `SEQUENCE:+007`, `["sequence",{},"integer",7]`, `SEQUENCE:7`},
		{"integer negative", `X-N;VALUE=INTEGER:-12`, `["x-n",{},"integer",-12]`, ""},
		{"integer invalid kept", `PRIORITY:high`, `["priority",{},"integer","high"]`, ""},
		{"float", `X-GRADE;VALUE=FLOAT:1.30`, `["x-grade",{},"float",1.30]`, ""},
		{"boolean", `X-B;VALUE=BOOLEAN:false`, `["x-b",{},"boolean",false]`, `X-B;VALUE=BOOLEAN:FALSE`},
		{"boolean invalid kept", `X-B;VALUE=BOOLEAN:maybe`, `["x-b",{},"boolean","maybe"]`, ""},
		{"geo", `GEO:37.386013;-122.082932`, `["geo",{},"float",[37.386013,-122.082932]]`, ""},
		{"geo invalid kept", `GEO:37.386013,-122.082932`, `["geo",{},"float","37.386013,-122.082932"]`, ""},
		{"request-status", `REQUEST-STATUS:2.0;Success`, `["request-status",{},"text",["2.0","Success"]]`, ""},
		{"request-status data", `REQUEST-STATUS:3.1;Invalid property value;DTSTART:96-Apr-01`, `["request-status",{},"text",["3.1","Invalid property value","DTSTART:96-Apr-01"]]`, ""},
		{"request-status escapes", `REQUEST-STATUS:3.7;Bad\, really;a\;b`, `["request-status",{},"text",["3.7","Bad, really","a;b"]]`, ""},
		{"rrule", `RRULE:FREQ=WEEKLY;UNTIL=20260102T100000Z;BYDAY=MO,WE;WKST=SU`, `["rrule",{},"recur",{"freq":"WEEKLY","until":"2026-01-02T10:00:00Z","byday":["MO","WE"],"wkst":"SU"}]`, ""},
		{"rrule until date", `RRULE:FREQ=DAILY;UNTIL=20260102;BYHOUR=9,17;BYSETPOS=-1`, `["rrule",{},"recur",{"freq":"DAILY","until":"2026-01-02","byhour":[9,17],"bysetpos":-1}]`, ""},
		{"rrule rscale", `RRULE:RSCALE=CHINESE;FREQ=YEARLY;BYMONTH=5L;SKIP=FORWARD`, `["rrule",{},"recur",{"rscale":"CHINESE","freq":"YEARLY","bymonth":"5L","skip":"FORWARD"}]`, ""},
		{"rrule invalid kept", `RRULE:garbage`, `["rrule",{},"recur","garbage"]`, ""},
		{"attendee params", `ATTENDEE;CN="Doe, J";DELEGATED-FROM="mailto:a@x","mailto:b@x":mailto:j@x`, `["attendee",{"cn":"Doe, J","delegated-from":["mailto:a@x","mailto:b@x"]},"cal-address","mailto:j@x"]`, ""},
		{"param caret", `ATTENDEE;CN="A ^'B^' ^^ ^nC":mailto:j@x`, `["attendee",{"cn":"A \"B\" ^ \nC"},"cal-address","mailto:j@x"]`, `ATTENDEE;CN=A ^'B^' ^^ ^nC:mailto:j@x`},
		{"binary", `ATTACH;FMTTYPE=text/plain;ENCODING=BASE64;VALUE=BINARY:SGVsbG8=`, `["attach",{"fmttype":"text/plain"},"binary","SGVsbG8="]`, ""},
		{"base64 text decoded", `DESCRIPTION;ENCODING=BASE64:SGVsbG8sIHdvcmxk`, `["description",{},"text","Hello, world"]`, `DESCRIPTION:Hello\, world`},
		{"base64 binary kept", `ATTACH;ENCODING=BASE64:/9j/4AAQ`, `["attach",{"encoding":"BASE64"},"uri","/9j/4AAQ"]`, ""},
		{"uri", `URL:http://example.com/a;b,c`, `["url",{},"uri","http://example.com/a;b,c"]`, ""},
		{"unknown", `X-COFFEE-DATA:Stenophylla;Guinea\,Africa`, `["x-coffee-data",{},"unknown","Stenophylla;Guinea\\,Africa"]`, ""},
		{"x-prop with value", `X-LIC-ERROR;VALUE=TEXT:a\,b`, `["x-lic-error",{},"text","a,b"]`, ""},
		{"x-prop text list", `X-LIST;VALUE=TEXT:a,b\,c`, `["x-list",{},"text","a","b,c"]`, ""},
		{"x-prop date list", `X-DATES;VALUE=DATE:20260101,20260102`, `["x-dates",{},"date","2026-01-01","2026-01-02"]`, ""},
		{"x-prop uri not split", `X-U;VALUE=URI:http://x/a,b`, `["x-u",{},"uri","http://x/a,b"]`, ""},
		{"extension type", `X-E;VALUE=X-THING:1;2`, `["x-e",{},"x-thing","1;2"]`, ""},
		{"empty value", `SUMMARY:`, `["summary",{},"text",""]`, ""},
		{"param no value", `SUMMARY;X-A=:x`, `["summary",{"x-a":""},"text","x"]`, ""},
		{"underscore name kept", `X_FOO:v`, `["x_foo",{},"unknown","v"]`, ""},
		{"property named END", `END;X-A=1:VEVENT`, `["end",{"x-a":"1"},"unknown","VEVENT"]`, ""},
		{"lower-case names", `x-foo;x-bar=1:v`, `["x-foo",{"x-bar":"1"},"unknown","v"]`, `X-FOO;X-BAR=1:v`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := decodeJCalTestComponent(t, "BEGIN:VEVENT\r\n"+tt.line+"\r\nEND:VEVENT\r\n")
			got, err := ical.MarshalJCal(c)
			if err != nil {
				t.Fatalf("MarshalJCal(%q): %v", tt.line, err)
			}
			want := `["vevent",[` + tt.jcal + `],[]]`
			if !jsonEqual(t, got, []byte(want)) {
				t.Errorf("MarshalJCal(%q) =\n%s\nwant\n%s", tt.line, got, want)
			}
			back, err := ical.UnmarshalJCal([]byte(want))
			if err != nil {
				t.Fatalf("UnmarshalJCal(%s): %v", want, err)
			}
			wantLine := tt.line
			if tt.back != "" {
				wantLine = tt.back
			}
			wantICS := ical.Marshal(decodeJCalTestComponent(t, "BEGIN:VEVENT\r\n"+wantLine+"\r\nEND:VEVENT\r\n"))
			if g := ical.Marshal(back); !bytes.Equal(g, wantICS) {
				t.Errorf("UnmarshalJCal(%s) =\n%s\nwant\n%s", want, g, wantICS)
			}
		})
	}
}

// TestUnmarshalJCalLenient checks jCal forms that other producers write and
// that UnmarshalJCal accepts.
func TestUnmarshalJCalLenient(t *testing.T) {
	tests := []struct {
		name, jcal, want string
	}{
		{"period as one string (RFC 7265 B.2)", `["rdate",{"tzid":"US/Eastern"},"period","2006-01-02T15:00:00/PT2H"]`, `RDATE;TZID=US/Eastern;VALUE=PERIOD:20060102T150000/PT2H`},
		{"single-element parameter array", `["attendee",{"member":["mailto:g@x"]},"cal-address","mailto:j@x"]`, `ATTENDEE;MEMBER="mailto:g@x":mailto:j@x`},
		{"empty parameter array", `["summary",{"x-a":[]},"text","x"]`, `SUMMARY;X-A=:x`},
		{"single-element recur arrays", `["rrule",{},"recur",{"freq":"DAILY","byday":["MO"],"bymonth":[4]}]`, `RRULE:FREQ=DAILY;BYDAY=MO;BYMONTH=4`},
		{"upper-case names", `["SUMMARY",{"LANGUAGE":"en"},"TEXT","x"]`, `SUMMARY;LANGUAGE=en:x`},
		{"value parameter ignored", `["dtstart",{"value":"DATE-TIME"},"date","2026-01-02"]`, `DTSTART;VALUE=DATE:20260102`},
		{"binary with lower-case encoding", `["attach",{"encoding":"base64","fmttype":"image/png"},"binary","SGVsbG8="]`, `ATTACH;FMTTYPE=image/png;ENCODING=BASE64;VALUE=BINARY:SGVsbG8=`},
		{"base64 text decoded", `["summary",{"encoding":"BASE64"},"text","SGVsbG8="]`, `SUMMARY:Hello`},
		{"base64 data kept", `["x-a",{"encoding":"BASE64"},"unknown","/9j/4AAQ"]`, `X-A;ENCODING=BASE64:/9j/4AAQ`},
		{"binary without encoding", `["attach",{},"binary","SGVsbG8="]`, `ATTACH;ENCODING=BASE64;VALUE=BINARY:SGVsbG8=`},
		{"integer as float", `["priority",{},"integer",1e0]`, `PRIORITY:1`},
		{"float exponent", `["x-f",{},"float",1.5e-3]`, `X-F;VALUE=FLOAT:0.0015`},
		{"number for unknown", `["x-n",{},"unknown",12.5]`, `X-N:12.5`},
		{"line break in raw value", "[\"x-n\",{},\"unknown\",\"a\\nb\"]", `X-N:a\nb`},
		{"multiple values of an unknown property", `["x-n",{},"unknown","a","b"]`, `X-N:a,b`},
		{"multiple values of an x-type", `["x-n",{},"x-t","a","b"]`, `X-N;VALUE=X-T:a,b`},
		{"text CRLF", "[\"description\",{},\"text\",\"a\\r\\nb\"]", `DESCRIPTION:a\nb`},
		{"date-time holding a date", `["dtstart",{},"date-time","20260102"]`, `DTSTART;VALUE=DATE-TIME:20260102`},
		{"date-time with offset kept raw", `["dtstart",{},"date-time","2026-01-02T10:00:00+01:00"]`, `DTSTART:2026-01-02T10:00:00+01:00`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `["vevent",[` + tt.jcal + `],[]]`
			c, err := ical.UnmarshalJCal([]byte(in))
			if err != nil {
				t.Fatalf("UnmarshalJCal(%s): %v", in, err)
			}
			want := ical.Marshal(decodeJCalTestComponent(t, "BEGIN:VEVENT\r\n"+tt.want+"\r\nEND:VEVENT\r\n"))
			if got := ical.Marshal(c); !bytes.Equal(got, want) {
				t.Errorf("UnmarshalJCal(%s) =\n%s\nwant\n%s", in, got, want)
			}
		})
	}
}

// TestUnmarshalJCalErrors checks that malformed jCal is rejected with an
// error naming the problem.
func TestUnmarshalJCalErrors(t *testing.T) {
	deep := strings.Repeat(`["x",[],[`, 40) + strings.Repeat(`]]`, 40)
	tests := []struct {
		name, in, want string
	}{
		{"empty", ``, "unexpected end of input"},
		{"not json", `vcalendar`, "invalid character"},
		{"object", `{"vcalendar":[]}`, `component: want "[", found an object`},
		{"stream of objects", `[["vcalendar",[],[]]]`, "component name: want a string, found an array"},
		{"truncated", `["vcalendar",[],[`, "unexpected end of input"},
		{"trailing data", `["vcalendar",[],[]] []`, "data after the jCal object"},
		{"extra element", `["vcalendar",[],[],[]]`, "too many elements"},
		{"missing components", `["vcalendar",[]]`, `sub-components: want "[", found "]"`},
		{"bad component name", `["v cal",[],[]]`, `invalid component name "v cal"`},
		{"empty component name", `["",[],[]]`, `invalid component name ""`},
		{"too deep", deep, "nested deeper than 32"},
		{"property not array", `["vevent",[{}],[]]`, `property: want "[", found an object`},
		{"property name", `["vevent",[["sum:mary",{},"text","x"]],[]]`, `invalid property name "sum:mary"`},
		{"property name space", `["vevent",[[" x",{},"text","x"]],[]]`, `invalid property name " x"`},
		{"property END", `["vevent",[["end",{},"unknown","VEVENT"]],[]]`, "a property named END needs a parameter"},
		{"params not object", `["vevent",[["summary",[],"text","x"]],[]]`, `parameters: want "{", found an array`},
		{"param name", `["vevent",[["summary",{"a b":"x"},"text","x"]],[]]`, `invalid parameter name "a b"`},
		{"param number", `["vevent",[["summary",{"x-a":1},"text","x"]],[]]`, "want a string or an array of strings, found a number"},
		{"param nested array", `["vevent",[["summary",{"x-a":[["x"]]},"text","x"]],[]]`, "want a string, found an array"},
		{"type not string", `["vevent",[["summary",{},1,"x"]],[]]`, "type: want a string, found a number"},
		{"empty type", `["vevent",[["summary",{},"","x"]],[]]`, `invalid type ""`},
		{"bad type", `["vevent",[["summary",{},"te xt","x"]],[]]`, `invalid type "te xt"`},
		{"no value", `["vevent",[["summary",{},"text"]],[]]`, "no value"},
		{"multiple values", `["vevent",[["summary",{},"text","a","b"]],[]]`, "2 values for a single-valued property"},
		{"null value", `["vevent",[["summary",{},"text",null]],[]]`, "null value"},
		{"number for text", `["vevent",[["summary",{},"text",1]],[]]`, `number value for type "text"`},
		{"boolean for date", `["vevent",[["dtstart",{},"date",true]],[]]`, `boolean value for type "date"`},
		{"array for text", `["vevent",[["summary",{},"text",["a"]]],[]]`, `array value for type "text"`},
		{"object for text", `["vevent",[["summary",{},"text",{"a":1}]],[]]`, `object value for type "text"`},
		{"nested array", `["vevent",[["geo",{},"float",[[1],2]]],[]]`, "array element is an array"},
		{"geo length", `["vevent",[["geo",{},"float",[1,2,3]]],[]]`, "GEO value has 3 elements, want 2"},
		{"period length", `["vevent",[["freebusy",{},"period",["2026-01-02T10:00:00Z"]]],[]]`, "PERIOD value has 1 elements, want 2"},
		{"request-status number", `["vevent",[["request-status",{},"text",[2.0,"x"]]],[]]`, "REQUEST-STATUS element is a number"},
		{"recur nested object", `["vevent",[["rrule",{},"recur",{"freq":{"a":1}}]],[]]`, "freq: nested object"},
		{"recur key", `["vevent",[["rrule",{},"recur",{"fr eq":"DAILY"}]],[]]`, `invalid RECUR part name "fr eq"`},
		{"recur semicolon", `["vevent",[["rrule",{},"recur",{"freq":"DAILY;COUNT=2"}]],[]]`, `RECUR part FREQ: invalid value`},
		{"recur white space", `["vevent",[["rrule",{},"recur",{"freq":"DAILY","byday":[" MO","TU "]}]],[]]`, `RECUR part BYDAY: white space around value " MO,TU "`},
		{"recur boolean", `["vevent",[["rrule",{},"recur",{"freq":true}]],[]]`, "RECUR part FREQ: a boolean value"},
		{"integer fraction", `["vevent",[["priority",{},"integer",1.5]],[]]`, "INTEGER value 1.5 is not an integer"},
		{"float overflow", `["vevent",[["x-f",{},"float",1e999]],[]]`, "FLOAT value 1e999 is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ical.UnmarshalJCal([]byte(tt.in))
			if err == nil {
				t.Fatalf("UnmarshalJCal(%s) = %v, want an error containing %q", tt.in, c, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "ical: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("UnmarshalJCal(%s) error = %q, want one containing %q", tt.in, err, tt.want)
			}
		})
	}
}

// TestMarshalJCalErrors checks the models MarshalJCal refuses.
func TestMarshalJCalErrors(t *testing.T) {
	deep := ical.NewComponent("X-A")
	for i := 0; i < 40; i++ {
		deep = &ical.Component{Name: "X-A", Children: []*ical.Component{deep}}
	}
	tests := []struct {
		name string
		c    *ical.Component
		want string
	}{
		{"nil", nil, "nil component"},
		{"nil child", &ical.Component{Name: "VCALENDAR", Children: []*ical.Component{nil}}, "nil component"},
		{"component name", &ical.Component{Name: "V EVENT"}, `invalid component name "V EVENT"`},
		{"property name", &ical.Component{Name: "VEVENT", Props: []ical.Property{{Value: "x"}}}, "property without a name"},
		{"too deep", deep, "nested deeper than 32"},
		{"value parameter", &ical.Component{Name: "VEVENT", Props: []ical.Property{{Name: "DTSTART", Params: ical.NewParams(ical.Param{Name: "VALUE", Values: []string{"DATE TIME"}})}}}, `invalid VALUE parameter "DATE TIME"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ical.MarshalJCal(tt.c)
			if err == nil || !strings.HasPrefix(err.Error(), "ical: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("MarshalJCal() error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestJCalVectors converts every iCalendar object of the shared vectors to
// jCal and back. The jCal must be stable (jCal → model → jCal gives the same
// bytes, also through the iCalendar text), and the model must come back
// exactly, except for the normalisations jCal cannot avoid, each of which
// must be explained by jcalExplain. The inexact objects are logged.
func TestJCalVectors(t *testing.T) {
	objs, err := vectors.Calendars("ics", "imip", "rfc-examples")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) < 300 {
		t.Fatalf("found %d objects in the vectors, want at least 300", len(objs))
	}
	reasons := map[string][]string{}
	exact, total := 0, 0
	for _, o := range objs {
		if _, broken := brokenVectors[o.Name]; broken {
			continue
		}
		t.Run(o.Name, func(t *testing.T) {
			cals := decodeAll(t, o.Data)
			for i, cal := range cals {
				total++
				c0 := cal.Component
				j1, err := ical.MarshalJCal(c0)
				if err != nil {
					t.Fatalf("object %d: MarshalJCal: %v", i, err)
				}
				if !json.Valid(j1) {
					t.Fatalf("object %d: MarshalJCal gave invalid JSON:\n%s", i, j1)
				}
				c1, err := ical.UnmarshalJCal(j1)
				if err != nil {
					t.Fatalf("object %d: UnmarshalJCal(MarshalJCal(x)): %v\n%s", i, err, j1)
				}
				j2, err := ical.MarshalJCal(c1)
				if err != nil {
					t.Fatalf("object %d: MarshalJCal(UnmarshalJCal(j)): %v", i, err)
				}
				if !bytes.Equal(j1, j2) {
					t.Fatalf("object %d: jCal not stable:\n%s\n----\n%s", i, j1, j2)
				}
				// Through the iCalendar text as well.
				text := ical.Marshal(c1)
				c2, err := ical.NewDecoder(bytes.NewReader(text)).DecodeComponent()
				if err != nil {
					t.Fatalf("object %d: decoding the iCalendar of the jCal: %v", i, err)
				}
				if j3, err := ical.MarshalJCal(c2); err != nil || !bytes.Equal(j1, j3) {
					t.Fatalf("object %d: jCal → iCalendar → jCal not stable (%v):\n%s\n----\n%s", i, err, j1, j3)
				}
				if bytes.Equal(ical.Marshal(c0), text) {
					exact++
					continue
				}
				why, err := jcalExplain(c0, c1)
				if err != nil {
					t.Errorf("object %d: unexplained difference after the jCal round trip: %v", i, err)
					continue
				}
				for _, r := range why {
					reasons[r] = append(reasons[r], o.Name)
				}
			}
		})
	}
	t.Logf("%d of %d objects came back exactly", exact, total)
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		names := reasons[k]
		sort.Strings(names)
		names = compactStrings(names)
		t.Logf("%s: %d objects: %s", k, len(names), strings.Join(names, " "))
	}
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// jcalExplain compares a model with its jCal round trip and returns the
// normalisations that explain each difference, or an error for one that is
// not explained.
func jcalExplain(a, b *ical.Component) ([]string, error) {
	if a.Name != b.Name || len(a.Props) != len(b.Props) || len(a.Children) != len(b.Children) {
		return nil, fmt.Errorf("component %s: structure differs", a.Name)
	}
	var out []string
	for i := range a.Props {
		p, q := &a.Props[i], &b.Props[i]
		if bytes.Equal(ical.AppendProperty(nil, p), ical.AppendProperty(nil, q)) {
			continue
		}
		why, err := jcalExplainProp(p, q)
		if err != nil {
			return nil, fmt.Errorf("component %s: %s\n  was: %s\n  now: %s", a.Name, err, ical.AppendProperty(nil, p), ical.AppendProperty(nil, q))
		}
		out = append(out, why...)
	}
	for i := range a.Children {
		why, err := jcalExplain(a.Children[i], b.Children[i])
		if err != nil {
			return nil, err
		}
		out = append(out, why...)
	}
	return out, nil
}

func jcalExplainProp(p, q *ical.Property) ([]string, error) {
	if p.Name != q.Name {
		return nil, fmt.Errorf("name differs")
	}
	var why []string
	// Parameters other than VALUE and ENCODING must be the same, in order.
	strip := func(ps ical.Params) []ical.Param {
		var out []ical.Param
		for pa := range ps.All() {
			if pa.Name != ical.ParamValue && pa.Name != ical.ParamEncoding {
				out = append(out, pa)
			}
		}
		return out
	}
	if !reflect.DeepEqual(strip(p.Params), strip(q.Params)) {
		return nil, fmt.Errorf("parameters differ")
	}
	typ := p.ValueType()
	find := func(ps ical.Params, name string) *ical.Param {
		if pa, ok := ps.Find(name); ok {
			return &pa
		}
		return nil
	}
	pv, qv := find(p.Params, ical.ParamValue), find(q.Params, ical.ParamValue)
	if !strings.EqualFold(string(typ), string(q.ValueType())) {
		info, _ := ical.LookupProp(p.Name)
		if pv != nil || !slices.Contains(info.Alt, q.ValueType()) {
			return nil, fmt.Errorf("value type differs")
		}
		typ = q.ValueType()
		why = append(why, "VALUE parameter added for a value of an alternative type (as RFC 7265 B.1)")
	} else if pv != nil || qv != nil {
		switch {
		case qv == nil:
			why = append(why, "VALUE parameter naming the default type dropped")
		case pv != nil && pv.Value() != qv.Value():
			why = append(why, "VALUE parameter in upper case")
		case pv != nil && !reflect.DeepEqual(p.Params.List(), q.Params.List()):
			why = append(why, "VALUE parameter moved to the end")
		}
	}
	pe, qe := find(p.Params, ical.ParamEncoding), find(q.Params, ical.ParamEncoding)
	switch {
	case pe == nil && qe == nil:
	case pe == nil && typ == ical.TypeBinary:
		why = append(why, "ENCODING=BASE64 added to a BINARY value")
	case qe == nil && strings.EqualFold(pe.Value(), "BASE64"):
		why = append(why, "base64 of a non-BINARY value decoded (RFC 7265 §3.1)")
		return why, nil
	case pe != nil && qe != nil && pe.Value() == qe.Value():
	default:
		return nil, fmt.Errorf("ENCODING parameter differs")
	}
	if p.Value == q.Value {
		return why, nil
	}
	r, ok := jcalSameValue(p, q, typ)
	if !ok {
		return nil, fmt.Errorf("value differs")
	}
	return append(why, r), nil
}

// jcalSameValue reports whether two raw values of type typ mean the same,
// and the normalisation between them.
func jcalSameValue(p, q *ical.Property, typ ical.ValueType) (string, bool) {
	a, b := p.Value, q.Value
	if strings.TrimSpace(a) == b {
		return "white space around a typed value trimmed", true
	}
	if !utf8.ValidString(a) {
		if r, ok := jcalSameValue(&ical.Property{Name: p.Name, Value: string([]rune(a))}, q, typ); ok || r == "" {
			return "invalid UTF-8 replaced by U+FFFD", ok
		}
	}
	switch {
	case p.Name == ical.PropRequestStatus && typ == ical.TypeText:
		x, y := ical.SplitStructured(a), ical.SplitStructured(b)
		if len(x) > 3 {
			x = append(x[:2], strings.Join(x[2:], ";"))
		}
		if len(x) != len(y) {
			return "", false
		}
		for i := range x {
			if !sameText(x[i], y[i]) {
				return "", false
			}
		}
		return "TEXT escapes rewritten", true
	case p.Name == ical.PropGeo && typ == ical.TypeFloat:
		x, y := ical.SplitStructured(a), ical.SplitStructured(b)
		if len(x) != 2 || len(y) != 2 || !sameNumber(x[0], y[0]) || !sameNumber(x[1], y[1]) {
			return "", false
		}
		return "number written in JSON form", true
	}
	info, _ := ical.LookupProp(p.Name)
	x, y := []string{a}, []string{b}
	if info.List {
		x, y = ical.SplitList(a), ical.SplitList(b)
	}
	if len(x) != len(y) {
		return "", false
	}
	reason := ""
	for i := range x {
		r, ok := jcalSameScalar(x[i], y[i], typ)
		if !ok {
			return "", false
		}
		if r != "" {
			reason = r
		}
	}
	return reason, true
}

func jcalSameScalar(a, b string, typ ical.ValueType) (string, bool) {
	if a == b {
		return "", true
	}
	switch typ {
	case ical.TypeText:
		if sameText(a, b) {
			return "TEXT escapes rewritten", true
		}
	case ical.TypeInteger, ical.TypeFloat:
		if sameNumber(a, b) {
			return "number written in JSON form", true
		}
	case ical.TypeDate, ical.TypeDateTime, ical.TypeTime, ical.TypeBoolean, ical.TypePeriod:
		if strings.EqualFold(strings.TrimSpace(a), b) {
			return "letters of a typed value in upper case", true
		}
	case ical.TypeRecur:
		x, err1 := ical.ParseRecurParts(a)
		y, err2 := ical.ParseRecurParts(b)
		if err1 != nil || err2 != nil || len(x) != len(y) {
			return "", false
		}
		for i := range x {
			if x[i].Name != y[i].Name {
				return "", false
			}
			if x[i].Value == y[i].Value || strings.EqualFold(x[i].Value, y[i].Value) && x[i].Name == "UNTIL" {
				continue
			}
			xs, ys := strings.Split(x[i].Value, ","), strings.Split(y[i].Value, ",")
			if len(xs) != len(ys) {
				return "", false
			}
			for k := range xs {
				if !sameNumber(xs[k], ys[k]) {
					return "", false
				}
			}
		}
		return "RECUR written in canonical form", true
	}
	return "", false
}

func sameText(a, b string) bool {
	x, _ := ical.UnescapeText(a, false)
	y, _ := ical.UnescapeText(b, false)
	return x == y
}

func sameNumber(a, b string) bool {
	x, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	return err1 == nil && err2 == nil && x == y
}

// FuzzJCal checks that UnmarshalJCal never panics and that whatever it
// accepts is stable: jCal → model → jCal → model gives the same jCal and the
// same iCalendar encoding, also when the model goes through iCalendar text.
func FuzzJCal(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "jcal", "*.json"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data) // An RFC 7265 example.
	}
	for _, s := range []string{
		// A value invalid for its type, kept as a string.
		`["vevent",[["dtstart",{},"date-time","tomorrow"]],[]]`,
		// A period written as one string (RFC 7265 Appendix B.2).
		`["vevent",[["rdate",{},"period","2006-01-02T15:00:00/PT2H"]],[]]`,
		// Multi-valued parameter and recur parts.
		`["vevent",[["attendee",{"member":["a","b"]},"cal-address","x"],["rrule",{},"recur",{"freq":"DAILY","byday":["MO","TU"],"until":"2026-01-02"}]],[]]`,
		// Escapes in unknown and text values.
		`["vevent",[["x-a",{},"unknown","a\\,b;c\n"],["summary",{},"text","a,b;c\\\r\n"]],[]]`,
		// Fuzz finds: a property name starting with a space (a fold), and a
		// RECUR value with white space.
		`["0",[],[["0",[[" 000000",{},"000000000","0"],["0",{"0000":""},"0",""]],[]]]]`,
		`["0",[["00",{},"reCur",{"000":" 0"}]],[]]`,
		// Fuzz find: two TEXT values of an unknown property.
		`["0",[],[["0",[["0000",{},"teXt","",""]],[]]]]`,
		// Fuzz find: a property named END, with a parameter.
		`["0",[["end",{"00":""},"unknown","0"]],[]]`,
		// Fuzz find: a DATE-TIME property holding a date.
		`["0",[],[["0",[["dtstArt",{},"dAte-time","00000000"]],[]]]]`,
		// ENCODING=BASE64 on binary and text values.
		`["vevent",[["attach",{"encoding":"base64","fmttype":"x"},"binary","SGVsbG8="],["summary",{"encoding":"BASE64"},"text","SGVsbG8="]],[]]`,
		// Numbers, booleans, GEO and REQUEST-STATUS.
		`["vevent",[["x-i",{},"integer",1e2],["x-f",{},"float",-0.5],["x-b",{},"boolean",true],["geo",{},"float",[1,2]],["request-status",{},"text",["2.0","a;b","c"]]],[]]`,
	} {
		f.Add([]byte(s))
	}
	ics, _ := filepath.Glob(filepath.Join("testdata", "jcal", "*.ics"))
	for _, file := range ics {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data) // An RFC 7265 example in iCalendar.
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The input as iCalendar: its jCal must be accepted and stable.
		if c0, err := ical.NewDecoder(bytes.NewReader(data)).DecodeComponent(); err == nil {
			fuzzJCalFromICal(t, c0)
		}
		// The input as jCal.
		c1, err := ical.UnmarshalJCal(data)
		if err != nil {
			return
		}
		j1, err := ical.MarshalJCal(c1)
		if err != nil {
			t.Fatalf("MarshalJCal(UnmarshalJCal(%q)): %v", data, err)
		}
		c2, err := ical.UnmarshalJCal(j1)
		if err != nil {
			t.Fatalf("UnmarshalJCal(%s): %v", j1, err)
		}
		j2, err := ical.MarshalJCal(c2)
		if err != nil {
			t.Fatalf("MarshalJCal: %v", err)
		}
		if !bytes.Equal(j1, j2) {
			t.Fatalf("jCal not stable:\n%s\n----\n%s", j1, j2)
		}
		if a, b := ical.Marshal(c1), ical.Marshal(c2); !bytes.Equal(a, b) {
			t.Fatalf("iCalendar not stable:\n%s\n----\n%s", a, b)
		}
		// Through the iCalendar text.
		c3, err := ical.NewDecoder(bytes.NewReader(ical.Marshal(c2))).DecodeComponent()
		if err != nil {
			t.Fatalf("decoding the iCalendar of %s: %v", j1, err)
		}
		j3, err := ical.MarshalJCal(c3)
		if err != nil {
			t.Fatalf("MarshalJCal: %v", err)
		}
		if !bytes.Equal(j1, j3) {
			t.Fatalf("jCal → iCalendar → jCal not stable:\n%s\n----\n%s", j1, j3)
		}
	})
}

// fuzzJCalFromICal checks that the jCal of a decoded iCalendar object is
// accepted back and stable. Property names that are not RFC 5545 names
// (the lenient Decoder keeps "FOO BAR" as the first property of a
// component) are written by MarshalJCal but refused by UnmarshalJCal.
func fuzzJCalFromICal(t *testing.T, c0 *ical.Component) {
	ok := true
	c0.Walk(func(c *ical.Component) bool {
		for _, p := range c.Props {
			for i := 0; i < len(p.Name); i++ {
				if ch := p.Name[i]; !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '-') {
					ok = false
				}
			}
		}
		return ok
	})
	if !ok {
		return
	}
	j1, err := ical.MarshalJCal(c0)
	if err != nil {
		return // an invalid VALUE parameter
	}
	c1, err := ical.UnmarshalJCal(j1)
	if err != nil {
		t.Fatalf("UnmarshalJCal(MarshalJCal(x)): %v\n%s", err, j1)
	}
	j2, err := ical.MarshalJCal(c1)
	if err != nil {
		t.Fatalf("MarshalJCal: %v", err)
	}
	if !bytes.Equal(j1, j2) {
		t.Fatalf("jCal of a decoded object not stable:\n%s\n----\n%s", j1, j2)
	}
}
