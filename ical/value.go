// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// Typed accessors for the value types of RFC 5545 §3.3. Each decodes the
// raw value on demand and returns an error, never panics, on a malformed
// value. Lenient accessors accept what real producers write; Strict
// variants are used by validation.

// Text returns the value as unescaped TEXT (RFC 5545 §3.3.11). Invalid
// escapes such as "\:" are accepted (the backslash is dropped).
func (p *Property) Text() (string, error) {
	return UnescapeText(p.Value, false)
}

// SetText sets the value to s escaped as TEXT.
func (p *Property) SetText(s string) { p.Value = EscapeText(s) }

// TextList returns a comma-separated list of TEXT values (CATEGORIES,
// RESOURCES), each unescaped.
func (p *Property) TextList() ([]string, error) {
	parts := SplitList(p.Value)
	for i, s := range parts {
		t, err := UnescapeText(s, false)
		if err != nil {
			return nil, err
		}
		parts[i] = t
	}
	return parts, nil
}

// SetTextList sets the value to the escaped, comma-separated list.
func (p *Property) SetTextList(list []string) {
	esc := make([]string, len(list))
	for i, s := range list {
		esc[i] = EscapeText(s)
	}
	p.Value = strings.Join(esc, ",")
}

// Int returns an INTEGER value (RFC 5545 §3.3.8). Values outside int64
// are an error; callers that store SEQUENCE should keep int64.
func (p *Property) Int() (int64, error) {
	v := strings.TrimSpace(p.Value)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("ical: %s: invalid INTEGER %q", p.Name, p.Value)
	}
	return n, nil
}

// Float returns a FLOAT value (RFC 5545 §3.3.7).
func (p *Property) Float() (float64, error) {
	return parseFloat(p.Name, p.Value)
}

func parseFloat(name, v string) (float64, error) {
	v = strings.TrimSpace(v)
	for i := 0; i < len(v); i++ {
		// RFC 5545 §3.3.7: digits with an optional sign and decimal point;
		// no exponent, Inf or NaN.
		if c := v[i]; !(c >= '0' && c <= '9' || c == '.' || (c == '+' || c == '-') && i == 0) {
			return 0, fmt.Errorf("ical: %s: invalid FLOAT %q", name, v)
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, fmt.Errorf("ical: %s: invalid FLOAT %q", name, v)
	}
	return f, nil
}

// Bool returns a BOOLEAN value (RFC 5545 §3.3.2), case-insensitively.
func (p *Property) Bool() (bool, error) {
	switch asciiUpper(strings.TrimSpace(p.Value)) {
	case "TRUE":
		return true, nil
	case "FALSE":
		return false, nil
	}
	return false, fmt.Errorf("ical: %s: invalid BOOLEAN %q", p.Name, p.Value)
}

// Binary returns the decoded value of a BINARY property (RFC 5545 §3.3.1,
// ENCODING=BASE64).
func (p *Property) Binary() ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(p.Value))
	if err != nil {
		return nil, fmt.Errorf("ical: %s: invalid BASE64 value: %w", p.Name, err)
	}
	return b, nil
}

// URI returns a URI value (RFC 5545 §3.3.13) parsed by net/url.
func (p *Property) URI() (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(p.Value))
	if err != nil {
		return nil, fmt.Errorf("ical: %s: invalid URI %q", p.Name, p.Value)
	}
	return u, nil
}

// CalAddress returns a CAL-ADDRESS value (RFC 5545 §3.3.3) in a form fit
// for comparison: a "mailto:" scheme in lower case (producers write MAILTO:
// and MailTo:) and the address after it in lower case; a bare e-mail
// address gets "mailto:". Other URIs are returned trimmed.
func (p *Property) CalAddress() string {
	return NormalizeAddress(p.Value)
}

// NormalizeAddress normalises a calendar user address for comparison; see
// Property.CalAddress.
func NormalizeAddress(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		return "mailto:" + strings.ToLower(strings.TrimSpace(v[7:]))
	}
	if !strings.Contains(v, ":") && strings.Contains(v, "@") {
		return "mailto:" + strings.ToLower(v)
	}
	return v
}

// DateTime returns a DATE or DATE-TIME value (RFC 5545 §3.3.4, §3.3.5),
// honouring VALUE=DATE and the TZID parameter. Lenient: a date written
// where a DATE-TIME is expected and a UTC time with a TZID (Yahoo; UTC
// wins) are accepted.
func (p *Property) DateTime() (DateTime, error) {
	return parseDateTimeValue(p.Name, strings.TrimSpace(p.Value), p.ValueType(), p.Params.Get(ParamTZID))
}

func parseDateTimeValue(name, v string, typ ValueType, tzid string) (DateTime, error) {
	tzid = strings.TrimSpace(tzid)
	if typ == TypeDate || len(v) == 8 {
		d, err := ParseDate(v)
		if err != nil {
			return DateTime{}, fmt.Errorf("ical: %s: %w", name, unwrapPrefix(err))
		}
		return d, nil
	}
	if len(v) == 16 {
		tzid = "" // UTC wins over a TZID.
	}
	d, err := ParseDateTime(v, tzid)
	if err != nil {
		return DateTime{}, fmt.Errorf("ical: %s: %w", name, unwrapPrefix(err))
	}
	return d, nil
}

// DateTimes returns the comma-separated DATE or DATE-TIME values of an
// EXDATE or RDATE property. An RDATE with VALUE=PERIOD is an error; use
// Periods.
func (p *Property) DateTimes() ([]DateTime, error) {
	typ := p.ValueType()
	if typ == TypePeriod {
		return nil, fmt.Errorf("ical: %s: value is a PERIOD list", p.Name)
	}
	tzid := p.Params.Get(ParamTZID)
	parts := strings.Split(p.Value, ",")
	out := make([]DateTime, 0, len(parts))
	for _, s := range parts {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		d, err := parseDateTimeValue(p.Name, s, typ, tzid)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Period is a PERIOD value (RFC 5545 §3.3.9): a start and either an explicit
// end or a duration.
type Period struct {
	Start DateTime
	// End is set for the explicit form; it is zero when Duration is used.
	End      DateTime
	Duration Duration
	// HasDuration says the period was written as start/duration.
	HasDuration bool
}

// String returns the RFC 5545 text form of the period.
func (pe Period) String() string {
	if pe.HasDuration {
		return pe.Start.String() + "/" + pe.Duration.String()
	}
	return pe.Start.String() + "/" + pe.End.String()
}

// ParsePeriod parses a PERIOD value. tzid applies to the local times in it.
func ParsePeriod(s, tzid string) (Period, error) {
	slash := strings.IndexByte(s, '/')
	if slash < 0 {
		return Period{}, fmt.Errorf("ical: invalid PERIOD %q: missing \"/\"", s)
	}
	start, err := parseDateTimeValue("PERIOD", s[:slash], TypeDateTime, tzid)
	if err != nil || start.Kind == KindDate {
		return Period{}, fmt.Errorf("ical: invalid PERIOD %q: bad start", s)
	}
	rest := s[slash+1:]
	if rest != "" && (rest[0] == 'P' || rest[0] == 'p' || rest[0] == '+' || rest[0] == '-') {
		d, err := ParseDuration(rest)
		if err != nil || d.Negative {
			return Period{}, fmt.Errorf("ical: invalid PERIOD %q: bad duration", s)
		}
		return Period{Start: start, Duration: d, HasDuration: true}, nil
	}
	end, err := parseDateTimeValue("PERIOD", rest, TypeDateTime, tzid)
	if err != nil || end.Kind == KindDate {
		return Period{}, fmt.Errorf("ical: invalid PERIOD %q: bad end", s)
	}
	return Period{Start: start, End: end}, nil
}

// Periods returns the comma-separated PERIOD values of a FREEBUSY or
// RDATE;VALUE=PERIOD property.
func (p *Property) Periods() ([]Period, error) {
	tzid := p.Params.Get(ParamTZID)
	parts := strings.Split(p.Value, ",")
	out := make([]Period, 0, len(parts))
	for _, s := range parts {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		pe, err := ParsePeriod(s, tzid)
		if err != nil {
			return nil, fmt.Errorf("ical: %s: %w", p.Name, unwrapPrefix(err))
		}
		out = append(out, pe)
	}
	return out, nil
}

// Duration returns a DURATION value (RFC 5545 §3.3.6).
func (p *Property) Duration() (Duration, error) {
	d, err := ParseDuration(strings.TrimSpace(p.Value))
	if err != nil {
		return Duration{}, fmt.Errorf("ical: %s: %w", p.Name, unwrapPrefix(err))
	}
	return d, nil
}

// UTCOffset is a UTC-OFFSET value (RFC 5545 §3.3.14) in seconds east of UTC.
type UTCOffset int

// String returns the RFC 5545 text form, "+HHMM" or "+HHMMSS".
func (o UTCOffset) String() string {
	b := make([]byte, 0, 7)
	s := int(o)
	if s < 0 {
		b = append(b, '-')
		s = -s
	} else {
		b = append(b, '+')
	}
	b = appendInt(b, s/3600, 2)
	b = appendInt(b, s%3600/60, 2)
	if s%60 != 0 {
		b = appendInt(b, s%60, 2)
	}
	return string(b)
}

// ParseUTCOffset parses "+HHMM" or "+HHMMSS". "-0000" is accepted (RFC
// 5545 forbids it, Outlook writes it) as zero.
func ParseUTCOffset(s string) (UTCOffset, error) {
	s = strings.TrimSpace(s)
	if (len(s) != 5 && len(s) != 7) || s[0] != '+' && s[0] != '-' {
		return 0, fmt.Errorf("ical: invalid UTC-OFFSET %q", s)
	}
	h, ok1 := digits(s[1:3])
	m, ok2 := digits(s[3:5])
	sec, ok3 := 0, true
	if len(s) == 7 {
		sec, ok3 = digits(s[5:7])
	}
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 59 {
		return 0, fmt.Errorf("ical: invalid UTC-OFFSET %q", s)
	}
	o := UTCOffset(h*3600 + m*60 + sec)
	if s[0] == '-' {
		o = -o
	}
	return o, nil
}

// UTCOffset returns a UTC-OFFSET value (TZOFFSETFROM, TZOFFSETTO).
func (p *Property) UTCOffset() (UTCOffset, error) {
	o, err := ParseUTCOffset(p.Value)
	if err != nil {
		return 0, fmt.Errorf("ical: %s: %w", p.Name, unwrapPrefix(err))
	}
	return o, nil
}

// Time is a TIME value (RFC 5545 §3.3.12): a time of day, local or UTC.
type Time struct {
	Hour, Minute, Second int
	UTC                  bool
}

// String returns the RFC 5545 text form.
func (t Time) String() string {
	b := appendInt(nil, t.Hour, 2)
	b = appendInt(b, t.Minute, 2)
	b = appendInt(b, t.Second, 2)
	if t.UTC {
		b = append(b, 'Z')
	}
	return string(b)
}

// ParseTime parses "HHMMSS" or "HHMMSSZ".
func ParseTime(s string) (Time, error) {
	var t Time
	if len(s) == 7 && (s[6] == 'Z' || s[6] == 'z') {
		t.UTC = true
		s = s[:6]
	}
	if len(s) != 6 {
		return Time{}, fmt.Errorf("ical: invalid TIME %q", s)
	}
	h, ok1 := digits(s[0:2])
	m, ok2 := digits(s[2:4])
	sec, ok3 := digits(s[4:6])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 60 {
		return Time{}, fmt.Errorf("ical: invalid TIME %q", s)
	}
	t.Hour, t.Minute, t.Second = h, m, sec
	return t, nil
}

// Time returns a TIME value.
func (p *Property) Time() (Time, error) {
	t, err := ParseTime(strings.TrimSpace(p.Value))
	if err != nil {
		return Time{}, fmt.Errorf("ical: %s: %w", p.Name, unwrapPrefix(err))
	}
	return t, nil
}

// RecurPart is one NAME=VALUE part of a RECUR value.
type RecurPart struct {
	Name, Value string
}

// RecurParts splits a RECUR value (RFC 5545 §3.3.10) into its parts, names
// in upper case, checking only the NAME=VALUE syntax. Package ical/recur
// gives them meaning.
func (p *Property) RecurParts() ([]RecurPart, error) {
	return ParseRecurParts(p.Value)
}

// ParseRecurParts splits a RECUR value into its parts.
func ParseRecurParts(v string) ([]RecurPart, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, fmt.Errorf("ical: empty RECUR value")
	}
	var out []RecurPart
	for _, part := range strings.Split(strings.TrimSuffix(v, ";"), ";") {
		name, val, ok := strings.Cut(part, "=")
		name = asciiUpper(strings.TrimSpace(name))
		if !ok || name == "" || !isName(name) {
			return nil, fmt.Errorf("ical: invalid RECUR part %q", part)
		}
		out = append(out, RecurPart{Name: name, Value: strings.TrimSpace(val)})
	}
	return out, nil
}

// RequestStatus is a REQUEST-STATUS value (RFC 5545 §3.8.8.3).
type RequestStatus struct {
	// Code is the hierarchical status code, such as "2.0" or "3.7".
	Code string
	// Description is the status description, unescaped.
	Description string
	// Data is the optional exception data, unescaped; "" when absent.
	Data string
}

// RequestStatus returns the value of a REQUEST-STATUS property.
func (p *Property) RequestStatus() (RequestStatus, error) {
	parts := SplitStructured(p.Value)
	if len(parts) < 2 {
		return RequestStatus{}, fmt.Errorf("ical: %s: invalid REQUEST-STATUS %q: want code;description", p.Name, p.Value)
	}
	code := strings.TrimSpace(parts[0])
	if !validStatusCode(code) {
		return RequestStatus{}, fmt.Errorf("ical: %s: invalid status code %q", p.Name, code)
	}
	rs := RequestStatus{Code: code}
	rs.Description, _ = UnescapeText(parts[1], false)
	if len(parts) > 2 {
		// The exception data may itself hold semicolons.
		rs.Data, _ = UnescapeText(strings.Join(parts[2:], ";"), false)
	}
	return rs, nil
}

// String returns the raw value form of rs.
func (rs RequestStatus) String() string {
	s := rs.Code + ";" + EscapeText(rs.Description)
	if rs.Data != "" {
		s += ";" + EscapeText(rs.Data)
	}
	return s
}

// validStatusCode checks statcode = 1*DIGIT 1*2("." 1*DIGIT).
func validStatusCode(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if _, ok := digits(p); !ok {
			return false
		}
	}
	return true
}

// Geo is a GEO value (RFC 5545 §3.8.1.6): latitude and longitude in degrees.
type Geo struct {
	Lat, Lon float64
}

// Geo returns the value of a GEO property.
func (p *Property) Geo() (Geo, error) {
	parts := SplitStructured(p.Value)
	if len(parts) != 2 {
		// Some producers separate with a comma.
		parts = strings.Split(p.Value, ",")
	}
	if len(parts) != 2 {
		return Geo{}, fmt.Errorf("ical: %s: invalid GEO %q: want latitude;longitude", p.Name, p.Value)
	}
	lat, err1 := parseFloat(p.Name, parts[0])
	lon, err2 := parseFloat(p.Name, parts[1])
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return Geo{}, fmt.Errorf("ical: %s: invalid GEO %q", p.Name, p.Value)
	}
	return Geo{Lat: lat, Lon: lon}, nil
}

// String returns the raw value form of g.
func (g Geo) String() string {
	return strconv.FormatFloat(g.Lat, 'f', -1, 64) + ";" + strconv.FormatFloat(g.Lon, 'f', -1, 64)
}

// SetDateTime sets the value and the VALUE and TZID parameters from d.
func (p *Property) SetDateTime(d DateTime) {
	p.Value = d.String()
	p.Params.Del(ParamTZID)
	if d.Kind == KindZoned {
		p.Params.Set(ParamTZID, d.TZID)
	}
	if d.Kind == KindDate {
		p.Params.Set(ParamValue, string(TypeDate))
	} else {
		p.Params.Del(ParamValue)
	}
}

// unwrapPrefix drops the "ical: " prefix of an error from this package so
// that wrapped messages do not repeat it.
func unwrapPrefix(err error) error {
	return prefixless{err}
}

type prefixless struct{ err error }

func (e prefixless) Error() string { return strings.TrimPrefix(e.err.Error(), "ical: ") }
func (e prefixless) Unwrap() error { return e.err }
