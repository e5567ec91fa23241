// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package tz

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// decodeFile decodes an iCalendar file from testdata.
func decodeFile(t testing.TB, path string) *ical.Calendar {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cal, err := ical.NewDecoder(f).Decode()
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return cal
}

// parseVTZ parses the VTIMEZONE components of an iCalendar text.
func parseVTZ(t testing.TB, text string) []*VTimezone {
	t.Helper()
	text = strings.ReplaceAll(strings.TrimSpace(text), "\n", "\r\n") + "\r\n"
	if !strings.HasPrefix(text, "BEGIN:VCALENDAR") {
		text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + text + "END:VCALENDAR\r\n"
	}
	cal, err := ical.NewDecoder(strings.NewReader(text)).Decode()
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	var out []*VTimezone
	for _, c := range cal.Components(ical.CompTimezone) {
		v, err := ParseVTimezone(c)
		if err != nil {
			t.Fatalf("ParseVTimezone: %v", err)
		}
		out = append(out, v)
	}
	return out
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// offsetChanges returns the transitions of z in [from, to) that change the
// offset, as "instant>offset" strings.
func offsetChanges(z Zone, from, to time.Time) []string {
	var out []string
	for _, tr := range z.Transitions(from, to) {
		if tr.OffsetFrom != tr.OffsetTo {
			out = append(out, fmt.Sprintf("%s>%d", tr.At.Format("2006-01-02T15:04:05Z"), tr.OffsetTo))
		}
	}
	return out
}

// sameOffsets reports the first difference between the UTC offsets of z
// and ref over [from, to), and checks that wall times around each
// transition resolve alike.
func sameOffsets(z, ref Zone, from, to time.Time) error {
	o1, _, _ := z.Offset(from)
	o2, _, _ := ref.Offset(from)
	if o1 != o2 {
		return fmt.Errorf("offset at %v = %d, want %d", from, o1, o2)
	}
	got, want := offsetChanges(z, from, to), offsetChanges(ref, from, to)
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Errorf("transition %d = %q, want %q (%d vs %d transitions)", i, g, w, len(got), len(want))
		}
	}
	for _, tr := range ref.Transitions(from, to) {
		local := tr.At.Add(time.Duration(tr.OffsetFrom) * time.Second)
		for _, d := range []time.Duration{-time.Hour, -time.Second, 0, 30 * time.Minute, time.Hour, 2 * time.Hour} {
			w := local.Add(d)
			if g, r := z.Resolve(w), ref.Resolve(w); !g.Equal(r) {
				return fmt.Errorf("Resolve(%v) = %v, want %v", w, g, r)
			}
		}
	}
	return nil
}

// vtzExpect says over which range a real-world VTIMEZONE must agree with
// an IANA zone. Ranges are limited to the years the definition describes:
// many producers write only the current rule.
type vtzExpect struct {
	tzid     string
	iana     string
	from, to time.Time
	note     string
}

var vtzExpects = map[string][]vtzExpect{
	"ics__ical4j__1106817412.ics":                             {{"Asia/Tokyo", "Asia/Tokyo", date(1970, 1, 1), date(2040, 1, 1), "one STANDARD"}},
	"ics__ical4j__2207678.ics":                                {{"Kuala Lumpur, Singapore", "Asia/Singapore", date(1982, 1, 1), date(2040, 1, 1), "Outlook 12, DTSTART 1601, escaped comma in TZID"}},
	"ics__ical4j__Australian32Holidays.ics":                   {{"Asia/Hong_Kong", "Asia/Hong_Kong", date(1980, 1, 1), date(2040, 1, 1), "iCal 1.0, truncated history"}},
	"ics__ical4j__EXDATE.ics":                                 {{"Australia/Brisbane", "Australia/Brisbane", date(1993, 1, 1), date(2040, 1, 1), "one observance per onset"}},
	"ics__ical4j__New_Years_Day.ics":                          {{"Australia/Melbourne", "Australia/Melbourne", date(2009, 1, 1), date(2040, 1, 1), "rule since 2008"}},
	"ics__ical4j__Standup.ics":                                {{"Canberra, Melbourne, Sydney", "Australia/Sydney", date(2008, 4, 7), date(2040, 1, 1), "Outlook 11 display name"}},
	"ics__ical4j__apple-iphone-os-26-structured-location.ics": {{"Europe/Vienna", "Europe/Vienna", date(1997, 1, 1), date(2040, 1, 1), "Apple, current rules only"}},
	"ics__ical4j__blankTzid.ics":                              {{"", "UTC", date(1970, 1, 1), date(2040, 1, 1), "Exchange, empty TZID, zero offsets"}},
	"ics__ical4j__calconnect6.ics":                            {{"Eastern", "America/New_York", date(1987, 1, 1), date(2007, 1, 1), "Lotus Notes, BYHOUR in RRULE"}},
	"ics__ical4j__evolution2.ics":                             {{"Arabian Standard Time", "Asia/Dubai", date(2020, 1, 1), date(2040, 1, 1), "DATE DTSTART"}},
	"ics__ical4j__google_aus_holidays.ics": {
		{"America/Los_Angeles", "America/Los_Angeles", date(1987, 1, 1), date(2007, 1, 1), "Google, pre-2007 rule"},
		{"US/Pacific", "America/Los_Angeles", date(1987, 1, 1), date(2007, 1, 1), "Google, pre-2007 rule"},
	},
	"ics__ical4j__stacksize.ics":                                        {{"America/New_York", "America/New_York", date(2007, 3, 1), date(2008, 3, 1), "single onsets"}},
	"ics__ical4j__tmeher.ics":                                           {{"Pacific Time (US & Canada), Tijuana", "America/Los_Angeles", date(1987, 1, 1), date(2007, 1, 1), "Exchange CDO, DTSTART 1601"}},
	"ics__icalendar__alarm_etar_future.ics":                             {{"Europe/London", "Europe/London", date(1948, 1, 1), date(2040, 1, 1), "tzurl.org full history"}},
	"ics__icalendar__issue_165_missing_event.ics":                       {{"GMT +0100 (Standard) / GMT +0200 (Daylight)", "Europe/Berlin", date(1997, 1, 1), date(2040, 1, 1), "Exchange CDO"}},
	"ics__icalendar__timezoned.ics":                                     {{"Europe/Vienna", "Europe/Vienna", date(1997, 1, 1), date(2040, 1, 1), "Plone"}},
	"ics__icalendar__x_location.ics":                                    {{"Europe/Zurich", "Europe/Zurich", date(1997, 1, 1), date(2040, 1, 1), "Google"}},
	"ics__recurring-ical-events__alarm_15_min_before_event_snoozed.ics": {{"Europe/London", "Europe/London", date(1900, 1, 1), date(2040, 1, 1), "Thunderbird full history with RRULE UNTIL"}},
	"ics__recurring-ical-events__alarm_at_start_of_event.ics":           {{"America/Los_Angeles", "America/Los_Angeles", date(1900, 1, 1), date(2040, 1, 1), "Thunderbird full history"}},
	"ics__recurring-ical-events__daylight_saving_time.ics":              {{"Europe/Berlin", "Europe/Berlin", date(1997, 1, 1), date(2040, 1, 1), "Google"}},
	"ics__recurring-ical-events__duration_edited.ics":                   {{"Europe/Berlin", "Europe/Berlin", date(1997, 1, 1), date(2040, 1, 1), "SabreDAV"}},
	"ics__recurring-ical-events__fablab_cottbus.ics":                    {{"Europe/Berlin", "Europe/Berlin", date(2018, 11, 1), date(2019, 10, 1), "iCalcreator, RDATE only"}},
	"ics__recurring-ical-events__issue_20_exdate_ignored.ics":           {{"Europe/Berlin", "Europe/Berlin", date(1950, 1, 1), date(2040, 1, 1), "ical4j history"}},
	"ics__recurring-ical-events__issue_27_t1.ics":                       {{"W. Europe Standard Time", "Europe/Berlin", date(1997, 1, 1), date(2040, 1, 1), "Exchange 2010"}},
	"ics__recurring-ical-events__issue_28_rrule_with_UTC_endinginZ.ics": {{"GMT Standard Time", "Europe/London", date(1997, 1, 1), date(2040, 1, 1), "Exchange 2010"}},
	"ics__recurring-ical-events__issue_48_daylight_aware_repeats.ics":   {{"Europe/Lisbon", "Europe/Lisbon", date(1997, 1, 1), date(2040, 1, 1), "Google"}},
	"ics__recurring-ical-events__issue_61_time_zone_error.ics":          {{"America/Los_Angeles", "America/Los_Angeles", date(1900, 1, 1), date(2040, 1, 1), "Confluence, full RDATE history"}},
	"imip__apple-ccs__dsn_failure_with_ics.ics":                         {{"US/Pacific", "America/Los_Angeles", date(2007, 1, 1), date(2040, 1, 1), "Apple iCal 3"}},
	"imip__ical4j__outlook-TZ-set-to-utc.ics":                           {{"(no TZ description)", "UTC", date(1970, 1, 1), date(2040, 1, 1), "Outlook 15, TZOFFSETFROM:-0000"}},
	"imip__ical4j__windows-live-outlook1.ics":                           {{"Pacific Standard Time", "America/Los_Angeles", date(2007, 1, 1), date(2040, 1, 1), "Windows Live"}},
	"imip__ical4j__windows-live-outlook2.ics":                           {{"Pacific Standard Time", "America/Los_Angeles", date(2007, 1, 1), date(2040, 1, 1), "Windows Live"}},
	"imip__ical4j__yahoo1.ics":                                          {{"Europe/London", "Europe/London", date(1932, 1, 1), date(2040, 1, 1), "Yahoo, full RDATE history"}},
	"imip__libical__2446.ics": {
		{"America-Chicago", "America/Chicago", date(1987, 1, 1), date(2007, 1, 1), "pre-2007 US rule"},
		{"America-SanJose", "America/Los_Angeles", date(1987, 1, 1), date(2007, 1, 1), "pre-2007 US rule"},
	},
	"imip__linagora__exchange-romance-standard-time.ics":      {{"Romance Standard Time", "Europe/Paris", date(1997, 1, 1), date(2040, 1, 1), "Exchange 2010"}},
	"imip__nextcloud-mail__request_application_ics.ics":       {{"Europe/Berlin", "Europe/Berlin", date(1997, 1, 1), date(2040, 1, 1), "Google"}},
	"imip__nylas__data-invite.ics":                            {{"America/Los_Angeles", "America/Los_Angeles", date(2007, 1, 1), date(2040, 1, 1), "Google"}},
	"imip__nylas__icloud_cancelled1.ics":                      {{"Europe/Paris", "Europe/Paris", date(1912, 1, 1), date(2040, 1, 1), "CalendarServer, BYMONTHDAY with BYDAY, UNTIL"}},
	"imip__nylas__iphone_through_exchange.ics":                {{"Europe/Paris", "Europe/Paris", date(2014, 1, 1), date(2040, 1, 1), "iPhone"}},
	"imip__python-icalendar__issue_836_do_not_quote_tzid.ics": {{"Eastern Standard Time", "America/New_York", date(2007, 1, 1), date(2040, 1, 1), "Exchange 2010"}},
	"imip__python-icalendar__timezone_same_start.ics":         {{"Pacific Standard Time", "America/Los_Angeles", date(2007, 1, 1), date(2040, 1, 1), "STANDARD and DAYLIGHT with the same DTSTART"}},
	"imip__thunderbird__message-non-invite.ics":               {{"Europe/Helsinki", "Europe/Helsinki", date(1983, 1, 1), date(2040, 1, 1), "ical4j"}},
	"imip__zimbra__exchange-cdo-appt2.ics":                    {{"(GMT-08.00) Pacific Time (US & Canada)/Tijuana", "America/Los_Angeles", date(1987, 1, 1), date(2007, 1, 1), "Exchange CDO"}},
	"imip__zimbra__outlook14-reply-bug-69862.ics":             {{"America/Los_Angeles", "America/Los_Angeles", date(2007, 1, 1), date(2040, 1, 1), "Outlook 14, DTSTART 1601 on the rule"}},
	"imip__zimbra__zimbra-calendar-bounce-dsn.ics":            {{"(GMT-08.00) Pacific Time (US & Canada) / Tijuana", "America/Los_Angeles", date(1987, 1, 1), date(2007, 1, 1), "Zimbra"}},
	"imip__zimbra__zimbra-change-request-wo-rsvp.ics":         {{"Asia/Tokyo", "Asia/Tokyo", date(1970, 1, 1), date(2040, 1, 1), "Zimbra"}},
	"imip__zimbra__zimbra-request-bug-69862.ics":              {{"America/Los_Angeles", "America/Los_Angeles", date(2007, 1, 1), date(2040, 1, 1), "Zimbra"}},
}

// Files left out of vtzExpects, because the producer wrote onsets that
// disagree with the IANA data (they still parse and are evaluated):
//   - ics__ical4j__Dryway.ics, ics__ical4j__OZMovies.ics, ics__ical4j__EXDATE.ics
//     (before 1993), ics__ical4j__evolution.ics: DAYLIGHT onsets written in
//     the new offset (03:00 instead of 02:00 in TZOFFSETFROM);
//   - ics__recurring-ical-events__discourse_no_dtend.ics: STANDARD at 02:00
//     instead of 03:00;
//   - ics__icalendar__issue_156_RDATE_with_PERIOD_TZID_khal_2.ics: the same;
//   - tzurl.org's, Yahoo's and CalendarServer's histories differ from IANA
//     before 1947, 1932 and 1912 (CalendarServer writes Paris Mean Time,
//     +00:09:21, as +0921), so their ranges start there.

// TestVTimezoneVectors evaluates the real-world VTIMEZONEs of
// testdata/vtimezone against the IANA zones they describe.
func TestVTimezoneVectors(t *testing.T) {
	files, err := filepath.Glob("testdata/vtimezone/*.ics")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	checked := 0
	matched := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			cal := decodeFile(t, path)
			vtzs := cal.Components(ical.CompTimezone)
			if len(vtzs) == 0 {
				t.Fatal("no VTIMEZONE")
			}
			for _, c := range vtzs {
				v, err := ParseVTimezone(c)
				if err != nil {
					t.Errorf("ParseVTimezone: %v", err)
					continue
				}
				// Every zone must round-trip wall times it has.
				for y := 1990; y < 2040; y += 7 {
					w := wallT(y, 7, 1, 12, 0, 0)
					if got := v.Wall(v.Resolve(w)); !got.Equal(w) {
						t.Errorf("%q: Wall(Resolve(%v)) = %v", v.TZID(), w, got)
					}
				}
				for _, e := range vtzExpects[name] {
					if e.tzid != v.TZID() {
						continue
					}
					if err := sameOffsets(v, mustIANA(t, e.iana), e.from, e.to); err != nil {
						t.Errorf("%q (%s) vs %s over [%s, %s): %v", v.TZID(), e.note, e.iana,
							e.from.Format("2006-01-02"), e.to.Format("2006-01-02"), err)
					}
					checked++
					matched[name+"|"+e.tzid] = true
				}
			}
		})
	}
	for name, es := range vtzExpects {
		for _, e := range es {
			if !matched[name+"|"+e.tzid] {
				t.Errorf("vtzExpects[%q]: no VTIMEZONE with TZID %q", name, e.tzid)
			}
		}
	}
}

func TestVTimezoneCases(t *testing.T) {
	tests := []struct {
		name string
		text string
		iana string
		from time.Time
		to   time.Time
	}{
		{
			name: "RDATE only",
			text: `BEGIN:VTIMEZONE
TZID:rdates
BEGIN:DAYLIGHT
DTSTART:20240331T020000
RDATE:20240331T020000,20250330T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20241027T030000
RDATE:20241027T030000
RDATE:20251026T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE`,
			iana: "Europe/Berlin", from: date(2024, 1, 1), to: date(2026, 3, 1),
		},
		{
			name: "UNTIL in UTC ends a rule on an onset east of Greenwich",
			text: `BEGIN:VTIMEZONE
TZID:Australia/Sydney
BEGIN:STANDARD
DTSTART:20010325T030000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;UNTIL=20050326T160000Z
TZOFFSETFROM:+1100
TZOFFSETTO:+1000
END:STANDARD
BEGIN:STANDARD
DTSTART:20060402T030000
RDATE:20060402T030000
TZOFFSETFROM:+1100
TZOFFSETTO:+1000
END:STANDARD
BEGIN:STANDARD
DTSTART:20070325T030000
RDATE:20070325T030000
TZOFFSETFROM:+1100
TZOFFSETTO:+1000
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20011028T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20071027T160000Z
TZOFFSETFROM:+1000
TZOFFSETTO:+1100
END:DAYLIGHT
END:VTIMEZONE`,
			iana: "Australia/Sydney", from: date(2002, 1, 1), to: date(2008, 1, 1),
		},
		{
			name: "COUNT counts DTSTART",
			text: `BEGIN:VTIMEZONE
TZID:count
BEGIN:STANDARD
DTSTART:19671029T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;COUNT=40
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19870405T020000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;COUNT=20
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
BEGIN:DAYLIGHT
DTSTART:20070311T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20071104T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
END:VTIMEZONE`,
			iana: "America/New_York", from: date(1987, 1, 1), to: date(2040, 1, 1),
		},
		{
			name: "lenient offsets and missing TZOFFSETFROM",
			text: `BEGIN:VTIMEZONE
TZID:lenient
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETTO:+05:30
END:STANDARD
END:VTIMEZONE`,
			iana: "Asia/Kolkata", from: date(1970, 1, 1), to: date(2040, 1, 1),
		},
		{
			name: "Lord Howe half-hour DST",
			text: `BEGIN:VTIMEZONE
TZID:Australia/Lord_Howe
BEGIN:STANDARD
DTSTART:20080406T020000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU
TZOFFSETFROM:+1100
TZOFFSETTO:+1030
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20081005T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU
TZOFFSETFROM:+1030
TZOFFSETTO:+1100
END:DAYLIGHT
END:VTIMEZONE`,
			iana: "Australia/Lord_Howe", from: date(2008, 5, 1), to: date(2040, 1, 1),
		},
		{
			name: "Apia skips a day",
			text: `BEGIN:VTIMEZONE
TZID:Pacific/Apia
BEGIN:DAYLIGHT
DTSTART:20110924T030000
RDATE:20110924T030000
TZOFFSETFROM:-1100
TZOFFSETTO:-1000
END:DAYLIGHT
BEGIN:DAYLIGHT
DTSTART:20111230T000000
RDATE:20111230T000000
TZOFFSETFROM:-1000
TZOFFSETTO:+1400
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20120401T040000
RDATE:20120401T040000
TZOFFSETFROM:+1400
TZOFFSETTO:+1300
END:STANDARD
END:VTIMEZONE`,
			iana: "Pacific/Apia", from: date(2011, 6, 1), to: date(2012, 9, 1),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := parseVTZ(t, tt.text)[0]
			if err := sameOffsets(v, mustIANA(t, tt.iana), tt.from, tt.to); err != nil {
				t.Errorf("%s vs %s: %v", v.TZID(), tt.iana, err)
			}
		})
	}
}

// TestVTimezoneApiaResolve repeats the Apia table of TestLocationResolve on
// a VTIMEZONE.
func TestVTimezoneApiaResolve(t *testing.T) {
	l := mustIANA(t, "Pacific/Apia")
	v, err := Generate(l, date(2011, 1, 1), date(2013, 1, 1), GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	z, err := ParseVTimezone(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range resolveCases["Pacific/Apia"] {
		if got := z.Resolve(c.wall).Format(time.RFC3339); got != c.want {
			t.Errorf("%s: Resolve(%v) = %s, want %s", c.name, c.wall, got, c.want)
		}
	}
}

func TestParseVTimezoneErrors(t *testing.T) {
	tests := []struct {
		name, text string
	}{
		{"no TZID", "BEGIN:VTIMEZONE\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0000\nEND:STANDARD\nEND:VTIMEZONE"},
		{"no observance", "BEGIN:VTIMEZONE\nTZID:x\nEND:VTIMEZONE"},
		{"no DTSTART", "BEGIN:VTIMEZONE\nTZID:x\nBEGIN:STANDARD\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0000\nEND:STANDARD\nEND:VTIMEZONE"},
		{"no TZOFFSETTO", "BEGIN:VTIMEZONE\nTZID:x\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0000\nEND:STANDARD\nEND:VTIMEZONE"},
		{"bad offset", "BEGIN:VTIMEZONE\nTZID:x\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0000\nTZOFFSETTO:east\nEND:STANDARD\nEND:VTIMEZONE"},
		{"bad RRULE", "BEGIN:VTIMEZONE\nTZID:x\nBEGIN:STANDARD\nDTSTART:19700101T000000\nRRULE:FREQ=SOMETIMES\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0000\nEND:STANDARD\nEND:VTIMEZONE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + strings.ReplaceAll(tt.text, "\n", "\r\n") + "\r\nEND:VCALENDAR\r\n"
			cal, err := ical.NewDecoder(strings.NewReader(text)).Decode()
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseVTimezone(cal.Components(ical.CompTimezone)[0])
			if err == nil || !strings.HasPrefix(err.Error(), "tz: ") {
				t.Errorf("ParseVTimezone(%s) error = %v, want a tz: error", tt.name, err)
			}
		})
	}
	if _, err := ParseVTimezone(ical.NewComponent("VEVENT")); err == nil {
		t.Error("ParseVTimezone(VEVENT) succeeded")
	}
}

// TestVTimezoneHostile checks that expansion stays bounded.
func TestVTimezoneHostile(t *testing.T) {
	v := parseVTZ(t, `BEGIN:VTIMEZONE
TZID:hostile
BEGIN:STANDARD
DTSTART:16010101T000000
RRULE:FREQ=SECONDLY
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T000001
RRULE:FREQ=SECONDLY;INTERVAL=2
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
END:DAYLIGHT
END:VTIMEZONE`)[0]
	start := time.Now()
	for _, y := range []int{1601, 2024, 2399, 3000, 9999} {
		w := wallT(y, 6, 1, 12, 0, 0)
		_ = v.Resolve(w)
		_ = v.Wall(w)
	}
	if n := len(v.Transitions(date(1600, 1, 1), date(9999, 1, 1))); n > MaxTransitions {
		t.Errorf("hostile VTIMEZONE has %d transitions, want at most %d", n, MaxTransitions)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("hostile VTIMEZONE took %v", d)
	}
}

func BenchmarkVTimezoneResolve(b *testing.B) {
	v := parseVTZ(b, `BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE`)[0]
	w := wallT(2024, 6, 1, 12, 0, 0)
	v.Resolve(w)
	b.ReportAllocs()
	for b.Loop() {
		_ = v.Resolve(w)
	}
}

// TestVTimezoneConcurrent extends the transition table from several
// goroutines at once (run with -race).
func TestVTimezoneConcurrent(t *testing.T) {
	v, err := ParseVTimezone(decodeText(t, outlookCalendar).Components(ical.CompTimezone)[0])
	if err != nil {
		t.Fatal(err)
	}
	ref := mustIANA(t, "Europe/Berlin")
	done := make(chan string)
	for g := range 4 {
		go func() {
			msg := ""
			for y := 2000 + g; y < MaxYear; y += 37 {
				w := wallT(y, 7, 1, 12, 0, 0)
				if got, want := v.Resolve(w), ref.Resolve(w); !got.Equal(want) {
					msg = fmt.Sprintf("Resolve(%v) = %v, want %v", w, got, want)
					break
				}
			}
			done <- msg
		}()
	}
	for range 4 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}
