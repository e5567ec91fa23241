// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jCal is the JSON form of iCalendar defined in RFC 7265. MarshalJCal and
// UnmarshalJCal convert between it and the Component model:
//
//	["vcalendar", [properties...], [components...]]
//	[name, {params}, type, value...]
//
// The conversion is lossless for values in their RFC 5545 form. A value that
// cannot be converted to the jCal form of its type (a DATE-TIME that is not
// YYYYMMDDTHHMMSS, an INTEGER that is not a number, …) is written as a JSON
// string holding the raw value under that type, and UnmarshalJCal takes
// such strings back unchanged. Values are converted by their form only, so
// that any value of the RFC 5545 form maps to the jCal form and back
// exactly. What jCal itself cannot carry is normalised:
//
//   - TEXT escapes are rewritten canonically (RFC 5545 §3.3.11);
//   - numbers lose a leading "+" and leading zeros, and letters in dates,
//     times and booleans are written in upper case;
//   - the VALUE parameter is dropped when it names the default type and
//     otherwise moves to the end of the parameters (RFC 7265 §3.5.1);
//   - a value without VALUE that has the form of another type of its
//     property gets that type, as RFC 7265 Appendix B.1 does with
//     DTSTART:20081006, and so gains a VALUE parameter on the way back;
//   - ENCODING=BASE64 is dropped from BINARY values and added back last, and
//     a base64 non-BINARY value that decodes to text is decoded (§3.1);
//   - invalid UTF-8 becomes U+FFFD.

// maxJCalDepth bounds the nesting of components in both directions, as
// DecodeOptions.MaxDepth does for iCalendar.
const maxJCalDepth = 32

// MarshalJCal returns the jCal form (RFC 7265) of c and everything below
// it, normally a VCALENDAR. The result is compact JSON. Components nested
// deeper than 32 levels, components or properties without a valid name and
// VALUE parameters that are not a type name are an error.
func MarshalJCal(c *Component) ([]byte, error) {
	e := jcalEncoder{b: make([]byte, 0, 1024)}
	if err := e.component(c, 0); err != nil {
		return nil, err
	}
	return e.b, nil
}

type jcalEncoder struct {
	b []byte
}

// RFC 7265 §3.3: a component is [name, [properties], [components]], the
// name in lower case.
func (e *jcalEncoder) component(c *Component, depth int) error {
	if c == nil {
		return errors.New("ical: jcal: nil component")
	}
	if depth >= maxJCalDepth {
		return fmt.Errorf("ical: jcal: components nested deeper than %d", maxJCalDepth)
	}
	if !isName(c.Name) {
		return fmt.Errorf("ical: jcal: invalid component name %q", c.Name)
	}
	e.b = append(e.b, '[')
	e.b = appendJSONLower(e.b, c.Name)
	e.b = append(e.b, ",["...)
	for i := range c.Props {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		if err := e.property(&c.Props[i]); err != nil {
			return err
		}
	}
	e.b = append(e.b, "],["...)
	for i, ch := range c.Children {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		if err := e.component(ch, depth+1); err != nil {
			return err
		}
	}
	e.b = append(e.b, "]]"...)
	return nil
}

// RFC 7265 §3.4: a property is [name, {params}, type, value, ...].
func (e *jcalEncoder) property(p *Property) error {
	if p.Name == "" {
		return errors.New("ical: jcal: property without a name")
	}
	typ := p.ValueType()
	if !isName(string(typ)) {
		// RFC 5545 §3.2.20: the value type is an iana-token or x-name.
		return fmt.Errorf("ical: jcal: property %s: invalid VALUE parameter %q", p.Name, typ)
	}
	raw := p.Value
	info, known := LookupProp(p.Name)
	if known && !p.Params.Has(ParamValue) {
		typ = inferType(info, raw)
	}
	// RFC 7265 §3.1: for a value type other than BINARY, ENCODING=BASE64 is
	// removed and the value decoded. A value that does not decode to text
	// is left as it is, with its ENCODING parameter.
	// For BINARY the type says the value is base64 (RFC 7265 §3.6.1), so
	// the parameter is dropped too and restored by UnmarshalJCal.
	dropEncoding := false
	if strings.EqualFold(p.Params.Get(ParamEncoding), "BASE64") {
		if typ == TypeBinary {
			dropEncoding = true
		} else if dec, ok := decodeBase64Text(raw); ok {
			raw, dropEncoding = dec, true
		}
	}

	e.b = append(e.b, '[')
	e.b = appendJSONLower(e.b, p.Name)
	e.b = append(e.b, ",{"...)
	n := 0
	for pa := range p.Params.All() {
		// RFC 7265 §3.5.1: VALUE MUST NOT be added to the parameters; the
		// type element carries it.
		if strings.EqualFold(pa.Name, ParamValue) || dropEncoding && strings.EqualFold(pa.Name, ParamEncoding) {
			continue
		}
		if n > 0 {
			e.b = append(e.b, ',')
		}
		n++
		e.b = appendJSONLower(e.b, pa.Name)
		e.b = append(e.b, ':')
		// RFC 7265 §3.5.2: multi-valued parameters are arrays of strings.
		switch len(pa.Values) {
		case 0:
			e.b = append(e.b, `""`...)
		case 1:
			e.b = appendJSONString(e.b, pa.Values[0])
		default:
			e.b = append(e.b, '[')
			for i, v := range pa.Values {
				if i > 0 {
					e.b = append(e.b, ',')
				}
				e.b = appendJSONString(e.b, v)
			}
			e.b = append(e.b, ']')
		}
	}
	e.b = append(e.b, "},"...)
	// RFC 7265 §3.5.1 and §5.1: the VALUE parameter, else the default type
	// (or the alternative type the value has the form of), else "unknown".
	e.b = appendJSONLower(e.b, string(typ))
	e.b = append(e.b, ',')

	switch {
	case typ == TypeFloat && p.Name == PropGeo:
		e.geo(raw)
	case typ == TypeText && p.Name == PropRequestStatus:
		e.requestStatus(raw)
	case known && info.List || !known && listType[typ]:
		// RFC 7265 §3.4: each value of a multi-valued property is its own
		// element. An unknown property may hold a list too; its values are
		// split where a comma cannot be part of a value.
		for i, part := range SplitList(raw) {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.value(typ, part)
		}
	default:
		e.value(typ, raw)
	}
	e.b = append(e.b, ']')
	return nil
}

// listType holds the types whose values never contain a comma, or only an
// escaped one (RFC 5545 §3.1.1, §3.3.11), so that an unescaped comma can
// only separate values.
var listType = map[ValueType]bool{
	TypeBoolean: true, TypeDate: true, TypeDateTime: true, TypeDuration: true,
	TypeFloat: true, TypeInteger: true, TypePeriod: true, TypeText: true,
	TypeTime: true, TypeUTCOffset: true,
}

// inferType returns the type of a value without a VALUE parameter: the
// property's default, or else the first alternative type that every value
// has the form of. RFC 7265 Appendix B.1 converts DTSTART:20081006 to a
// "date"; likewise a TRIGGER holding a date-time and an RDATE holding
// periods get their type.
func inferType(info PropInfo, raw string) ValueType {
	values := []string{raw}
	if info.List {
		values = SplitList(raw)
	}
	if hasShape(info.Default, values) {
		return info.Default
	}
	for _, alt := range info.Alt {
		if hasShape(alt, values) {
			return alt
		}
	}
	return info.Default
}

// hasShape reports whether every value has the RFC 5545 form of typ. Types
// whose form is not checked always match.
func hasShape(typ ValueType, values []string) bool {
	for _, v := range values {
		v = strings.TrimSpace(v)
		var ok bool
		switch typ {
		case TypeDate:
			ok = isICalDate(v)
		case TypeDateTime:
			ok = isICalDateTime(v)
		case TypePeriod:
			start, end, cut := strings.Cut(v, "/")
			ok = cut && isICalDateTime(start) && end != ""
		case TypeDuration:
			_, err := ParseDuration(v)
			ok = err == nil
		case TypeBinary:
			ok = false // never inferred: BINARY needs ENCODING=BASE64
		default:
			ok = true
		}
		if !ok {
			return false
		}
	}
	return true
}

// decodeBase64Text decodes s if it is base64 of UTF-8 text without control
// characters other than HTAB.
func decodeBase64Text(s string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || !utf8.Valid(b) {
		return "", false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return "", false
		}
	}
	return string(b), true
}

// value appends one value element of type typ (RFC 7265 §3.6).
func (e *jcalEncoder) value(typ ValueType, raw string) {
	switch typ {
	case TypeText:
		// RFC 7265 §3.1: iCalendar escaping is undone before JSON escaping.
		s, _ := UnescapeText(raw, false)
		e.b = appendJSONString(e.b, s)
		return
	case TypeDate:
		if v := strings.TrimSpace(raw); isICalDate(v) {
			e.b = appendJCalDate(e.b, v)
			return
		}
	case TypeDateTime:
		if v := strings.TrimSpace(raw); isICalDateTime(v) {
			e.b = appendJCalDateTime(e.b, v)
			return
		}
	case TypeTime:
		if v := strings.TrimSpace(raw); isICalTime(v) {
			e.b = appendJCalTime(e.b, v)
			return
		}
	case TypeUTCOffset:
		if v := strings.TrimSpace(raw); isICalUTCOffset(v) {
			e.b = appendJCalUTCOffset(e.b, v)
			return
		}
	case TypePeriod:
		if e.period(strings.TrimSpace(raw)) {
			return
		}
	case TypeRecur:
		if e.recur(raw) {
			return
		}
	case TypeInteger:
		if v := strings.TrimSpace(raw); isICalInteger(v) {
			e.b = appendCanonNumber(e.b, v)
			return
		}
	case TypeFloat:
		if v := strings.TrimSpace(raw); isICalFloat(v) {
			e.b = appendCanonNumber(e.b, v)
			return
		}
	case TypeBoolean:
		switch v := strings.TrimSpace(raw); {
		case strings.EqualFold(v, "TRUE"):
			e.b = append(e.b, "true"...)
			return
		case strings.EqualFold(v, "FALSE"):
			e.b = append(e.b, "false"...)
			return
		}
	}
	// BINARY, CAL-ADDRESS, DURATION, URI, unknown and extension types, and
	// values that are not valid for their type: the raw value as a string
	// (RFC 7265 §5.1 for "unknown").
	e.b = appendJSONString(e.b, raw)
}

// period appends a PERIOD value as [start, end-or-duration] (RFC 7265
// §3.6.9) if raw has the RFC 5545 form.
func (e *jcalEncoder) period(raw string) bool {
	start, end, ok := strings.Cut(raw, "/")
	if !ok || !isICalDateTime(start) || end == "" || strings.IndexByte(end, '/') >= 0 {
		return false
	}
	e.b = append(e.b, '[')
	e.b = appendJCalDateTime(e.b, start)
	e.b = append(e.b, ',')
	if isICalDateTime(end) {
		e.b = appendJCalDateTime(e.b, end)
	} else {
		e.b = appendJSONString(e.b, end)
	}
	e.b = append(e.b, ']')
	return true
}

// recurNumeric lists the RECUR parts whose values are numbers (RFC 7265
// §3.6.10).
var recurNumeric = map[string]bool{
	"COUNT": true, "INTERVAL": true,
	"BYSECOND": true, "BYMINUTE": true, "BYHOUR": true, "BYMONTHDAY": true,
	"BYYEARDAY": true, "BYWEEKNO": true, "BYMONTH": true, "BYSETPOS": true,
}

// recur appends a RECUR value as an object with lower-case keys (RFC 7265
// §3.6.10) if raw splits into parts.
func (e *jcalEncoder) recur(raw string) bool {
	parts, err := ParseRecurParts(raw)
	if err != nil {
		return false
	}
	e.b = append(e.b, '{')
	for i, part := range parts {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = appendJSONLower(e.b, part.Name)
		e.b = append(e.b, ':')
		v := part.Value
		switch {
		case part.Name == "UNTIL" && isICalDate(v):
			e.b = appendJCalDate(e.b, v)
		case part.Name == "UNTIL" && isICalDateTime(v):
			e.b = appendJCalDateTime(e.b, v)
		case part.Name == "BYDAY" && strings.IndexByte(v, ',') >= 0:
			e.b = append(e.b, '[')
			for j, d := range strings.Split(v, ",") {
				if j > 0 {
					e.b = append(e.b, ',')
				}
				e.b = appendJSONString(e.b, d)
			}
			e.b = append(e.b, ']')
		case recurNumeric[part.Name] && isICalIntegerList(v):
			if strings.IndexByte(v, ',') < 0 {
				e.b = appendCanonNumber(e.b, v)
				break
			}
			e.b = append(e.b, '[')
			for j, d := range strings.Split(v, ",") {
				if j > 0 {
					e.b = append(e.b, ',')
				}
				e.b = appendCanonNumber(e.b, d)
			}
			e.b = append(e.b, ']')
		default:
			// FREQ, WKST (RFC 7265 §3.6.10: strings, case preserved),
			// extension parts and values that are not numbers.
			e.b = appendJSONString(e.b, v)
		}
	}
	e.b = append(e.b, '}')
	return true
}

// geo appends a GEO value as [latitude, longitude] (RFC 7265 §3.4.1.1), or
// the raw value as a string if it is not two FLOAT values.
func (e *jcalEncoder) geo(raw string) {
	parts := SplitStructured(raw)
	if len(parts) == 2 {
		lat, lon := strings.TrimSpace(parts[0]), strings.TrimSpace(parts[1])
		if isICalFloat(lat) && isICalFloat(lon) {
			e.b = append(e.b, '[')
			e.b = appendCanonNumber(e.b, lat)
			e.b = append(e.b, ',')
			e.b = appendCanonNumber(e.b, lon)
			e.b = append(e.b, ']')
			return
		}
	}
	e.b = appendJSONString(e.b, raw)
}

// requestStatus appends a REQUEST-STATUS value as an array of two or three
// strings (RFC 7265 §3.4.1.2). Semicolons after the second one belong to
// the exception data.
func (e *jcalEncoder) requestStatus(raw string) {
	parts := SplitStructured(raw)
	if len(parts) > 3 {
		parts = append(parts[:2], strings.Join(parts[2:], ";"))
	}
	e.b = append(e.b, '[')
	for i, s := range parts {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		s, _ = UnescapeText(s, false)
		e.b = appendJSONString(e.b, s)
	}
	e.b = append(e.b, ']')
}

// UnmarshalJCal parses a jCal object (RFC 7265), normally a "vcalendar"
// component, into the Component model: names in upper case, values
// converted back to their RFC 5545 text (TEXT escaped, dates without
// separators, …), a VALUE parameter added when the type is not the
// property's default (RFC 7265 §4, §5.2), and values of type "unknown" kept
// as they are. Malformed jCal is an error; the input is never trusted to be
// well formed, and components may nest at most 32 levels.
func UnmarshalJCal(data []byte) (*Component, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	d := jcalDecoder{dec: dec}
	c, err := d.component(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return nil, d.errorf("data after the jCal object")
		}
		return nil, d.jsonError(err)
	}
	return c, nil
}

type jcalDecoder struct {
	dec *json.Decoder
}

func (d *jcalDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("ical: jcal: offset %d: %s", d.dec.InputOffset(), fmt.Sprintf(format, args...))
}

func (d *jcalDecoder) jsonError(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return d.errorf("unexpected end of input")
	}
	return fmt.Errorf("ical: jcal: %w", err)
}

func (d *jcalDecoder) token() (json.Token, error) {
	t, err := d.dec.Token()
	if err != nil {
		return nil, d.jsonError(err)
	}
	return t, nil
}

func (d *jcalDecoder) open(delim json.Delim, what string) error {
	t, err := d.token()
	if err != nil {
		return err
	}
	if t != delim {
		return d.errorf("%s: want %q, found %s", what, string(delim), describeToken(t))
	}
	return nil
}

// closeArray reads the end of an array that must hold no more elements.
func (d *jcalDecoder) closeArray(what string) error {
	if d.dec.More() {
		return d.errorf("%s: too many elements", what)
	}
	_, err := d.token()
	return err
}

func (d *jcalDecoder) str(what string) (string, error) {
	t, err := d.token()
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", d.errorf("%s: want a string, found %s", what, describeToken(t))
	}
	return s, nil
}

func describeToken(t json.Token) string {
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '[':
			return "an array"
		case '{':
			return "an object"
		}
		return fmt.Sprintf("%q", string(t))
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", t)
}

func (d *jcalDecoder) component(depth int) (*Component, error) {
	if depth >= maxJCalDepth {
		return nil, d.errorf("components nested deeper than %d", maxJCalDepth)
	}
	if err := d.open('[', "component"); err != nil {
		return nil, err
	}
	name, err := d.str("component name")
	if err != nil {
		return nil, err
	}
	if !isName(name) {
		return nil, d.errorf("invalid component name %q", name)
	}
	c := &Component{Name: asciiUpper(name)}
	what := "component " + c.Name
	if err := d.open('[', what+": properties"); err != nil {
		return nil, err
	}
	for d.dec.More() {
		p, err := d.property(what)
		if err != nil {
			return nil, err
		}
		c.Props = append(c.Props, p)
	}
	if _, err := d.token(); err != nil {
		return nil, err
	}
	if err := d.open('[', what+": sub-components"); err != nil {
		return nil, err
	}
	for d.dec.More() {
		ch, err := d.component(depth + 1)
		if err != nil {
			return nil, err
		}
		c.Children = append(c.Children, ch)
	}
	if _, err := d.token(); err != nil {
		return nil, err
	}
	if err := d.closeArray(what); err != nil {
		return nil, err
	}
	return c, nil
}

// jvalue is a property value element: a primitive, an array of primitives
// (PERIOD, GEO, REQUEST-STATUS) or an object (RECUR).
type jvalue struct {
	tok json.Token // string, json.Number, bool; nil for arrays and objects
	arr []json.Token
	obj []jmember
	// kind is 'p' (primitive), '[' or '{'.
	kind byte
}

type jmember struct {
	key string
	val jvalue // a primitive or an array of primitives
}

func (d *jcalDecoder) property(comp string) (Property, error) {
	if err := d.open('[', comp+": property"); err != nil {
		return Property{}, err
	}
	name, err := d.str(comp + ": property name")
	if err != nil {
		return Property{}, err
	}
	if !validJCalPropName(name) {
		return Property{}, d.errorf("%s: invalid property name %q", comp, name)
	}
	p := Property{Name: asciiUpper(name)}
	what := comp + ": property " + p.Name
	var params []Param
	if err := d.open('{', what+": parameters"); err != nil {
		return Property{}, err
	}
	for d.dec.More() {
		key, err := d.str(what + ": parameter name")
		if err != nil {
			return Property{}, err
		}
		if !isName(key) {
			return Property{}, d.errorf("%s: invalid parameter name %q", what, key)
		}
		pa := Param{Name: asciiUpper(key)}
		t, err := d.token()
		if err != nil {
			return Property{}, err
		}
		switch t := t.(type) {
		case string:
			pa.Values = []string{t}
		case json.Delim:
			if t != '[' {
				return Property{}, d.errorf("%s: parameter %s: want a string or an array of strings, found %s", what, pa.Name, describeToken(t))
			}
			// RFC 7265 §3.5.2: a multi-valued parameter is an array of
			// strings.
			for d.dec.More() {
				s, err := d.str(what + ": parameter " + pa.Name)
				if err != nil {
					return Property{}, err
				}
				pa.Values = append(pa.Values, s)
			}
			if _, err := d.token(); err != nil {
				return Property{}, err
			}
			if len(pa.Values) == 0 {
				pa.Values = []string{""}
			}
		default:
			return Property{}, d.errorf("%s: parameter %s: want a string or an array of strings, found %s", what, pa.Name, describeToken(t))
		}
		// RFC 7265 §3.5.1: VALUE is carried by the type element; a VALUE
		// parameter in the object is ignored.
		if pa.Name == ParamValue {
			continue
		}
		params = append(params, pa)
	}
	if _, err := d.token(); err != nil {
		return Property{}, err
	}
	typ, err := d.str(what + ": type")
	if err != nil {
		return Property{}, err
	}
	if !isName(typ) {
		// RFC 7265 Appendix A: type-name = lowercase-name.
		return Property{}, d.errorf("%s: invalid type %q", what, typ)
	}
	typ = asciiLower(typ)
	if !d.dec.More() {
		return Property{}, d.errorf("%s: no value", what)
	}
	var vals []string
	for d.dec.More() {
		v, err := d.value(what)
		if err != nil {
			return Property{}, err
		}
		s, err := jcalRaw(p.Name, typ, v)
		if err != nil {
			return Property{}, d.errorf("%s: %v", what, err)
		}
		vals = append(vals, s)
	}
	if _, err := d.token(); err != nil {
		return Property{}, err
	}
	info, known := LookupProp(p.Name)
	if len(vals) > 1 && known && !info.List {
		// RFC 7265 §3.4: only multi-valued properties have more than one
		// value element.
		return Property{}, d.errorf("%s: %d values for a single-valued property", what, len(vals))
	}
	p.Value = strings.Join(vals, ",")

	isBase64 := func(pa Param) bool {
		return pa.Name == ParamEncoding && strings.EqualFold(pa.Value(), "BASE64")
	}
	if typ == "binary" {
		// RFC 5545 §3.3.1 wants ENCODING=BASE64 with BINARY; jCal carries
		// the base64 text without the parameter (RFC 7265 §3.6.1). It goes
		// last, before VALUE, where MarshalJCal's output puts it back.
		params = slices.DeleteFunc(params, isBase64)
		params = append(params, Param{Name: ParamEncoding, Values: []string{"BASE64"}})
	} else if i := slices.IndexFunc(params, func(pa Param) bool { return pa.Name == ParamEncoding }); i >= 0 && isBase64(params[i]) {
		// RFC 7265 §4: non-binary values MUST NOT be base64 encoded. Text
		// is decoded, as MarshalJCal does (§3.1); anything else is kept.
		if dec, ok := decodeBase64Text(p.Value); ok {
			p.Value = dec
			params = slices.DeleteFunc(params, func(pa Param) bool { return pa.Name == ParamEncoding })
		}
	}
	// RFC 7265 §3.5.1, §5.2: no VALUE for "unknown" or the default type,
	// unless the value has the form of another type of the property, which
	// MarshalJCal would take it for (DTSTART:20260102 is a date).
	if typ != "unknown" {
		if !known || !strings.EqualFold(string(info.Default), typ) || inferType(info, p.Value) != info.Default {
			params = append(params, Param{Name: ParamValue, Values: []string{asciiUpper(typ)}})
		}
	}
	p.Params = NewParams(params...)
	if len(params) == 0 {
		if p.Name == "BEGIN" || p.Name == "END" {
			// "END:VEVENT" would close a component; with a parameter it is
			// a property, which the Decoder keeps.
			return Property{}, d.errorf("%s: a property named %s needs a parameter", what, p.Name)
		}
	}
	return p, nil
}

// value reads one value element.
func (d *jcalDecoder) value(what string) (jvalue, error) {
	t, err := d.token()
	if err != nil {
		return jvalue{}, err
	}
	delim, ok := t.(json.Delim)
	if !ok {
		if t == nil {
			return jvalue{}, d.errorf("%s: null value", what)
		}
		return jvalue{tok: t, kind: 'p'}, nil
	}
	switch delim {
	case '[':
		arr, err := d.primitives(what)
		return jvalue{arr: arr, kind: '['}, err
	case '{':
		v := jvalue{kind: '{'}
		for d.dec.More() {
			key, err := d.str(what + ": key")
			if err != nil {
				return jvalue{}, err
			}
			m := jmember{key: key}
			t, err := d.token()
			if err != nil {
				return jvalue{}, err
			}
			switch {
			case t == json.Delim('['):
				m.val.kind = '['
				if m.val.arr, err = d.primitives(what); err != nil {
					return jvalue{}, err
				}
			case t == nil:
				return jvalue{}, d.errorf("%s: %s: null value", what, key)
			default:
				if _, ok := t.(json.Delim); ok {
					return jvalue{}, d.errorf("%s: %s: nested object", what, key)
				}
				m.val = jvalue{tok: t, kind: 'p'}
			}
			v.obj = append(v.obj, m)
		}
		_, err := d.token()
		return v, err
	}
	return jvalue{}, d.errorf("%s: unexpected %s", what, describeToken(t))
}

// primitives reads the rest of an array whose elements must be strings,
// numbers or booleans.
func (d *jcalDecoder) primitives(what string) ([]json.Token, error) {
	var out []json.Token
	for d.dec.More() {
		t, err := d.token()
		if err != nil {
			return nil, err
		}
		switch t.(type) {
		case string, json.Number, bool:
			out = append(out, t)
		default:
			return nil, d.errorf("%s: array element is %s, want a string, number or boolean", what, describeToken(t))
		}
	}
	_, err := d.token()
	return out, err
}

// jcalRaw converts one jCal value element of property name and jCal type
// typ to its RFC 5545 raw form (RFC 7265 §4).
func jcalRaw(name, typ string, v jvalue) (string, error) {
	switch v.kind {
	case '[':
		switch {
		case typ == "float" && name == PropGeo:
			// RFC 7265 §3.4.1.1: [latitude, longitude], joined with ";".
			if len(v.arr) != 2 {
				return "", fmt.Errorf("GEO value has %d elements, want 2", len(v.arr))
			}
			var parts [2]string
			for i, t := range v.arr {
				s, err := primitiveRaw("float", t)
				if err != nil {
					return "", err
				}
				parts[i] = s
			}
			return parts[0] + ";" + parts[1], nil
		case typ == "text" && name == PropRequestStatus:
			// RFC 7265 §3.4.1.2: code, description and optional data,
			// joined with ";".
			if len(v.arr) == 0 {
				return "", errors.New("empty REQUEST-STATUS value")
			}
			parts := make([]string, len(v.arr))
			for i, t := range v.arr {
				s, ok := t.(string)
				if !ok {
					return "", fmt.Errorf("REQUEST-STATUS element is %s, want a string", describeToken(t))
				}
				parts[i] = EscapeText(s)
			}
			return strings.Join(parts, ";"), nil
		case typ == "period":
			// RFC 7265 §3.6.9: [start, end or duration].
			if len(v.arr) != 2 {
				return "", fmt.Errorf("PERIOD value has %d elements, want 2", len(v.arr))
			}
			var parts [2]string
			for i, t := range v.arr {
				s, ok := t.(string)
				if !ok {
					return "", fmt.Errorf("PERIOD element is %s, want a string", describeToken(t))
				}
				if isJCalDateTime(s) {
					s = icalDateTime(s)
				}
				parts[i] = rawLine(s)
			}
			return parts[0] + "/" + parts[1], nil
		}
		return "", fmt.Errorf("array value for type %q", typ)
	case '{':
		if typ != "recur" {
			return "", fmt.Errorf("object value for type %q", typ)
		}
		return recurRaw(v.obj)
	}
	return primitiveRaw(typ, v.tok)
}

// primitiveRaw converts a string, number or boolean value.
func primitiveRaw(typ string, t json.Token) (string, error) {
	switch t := t.(type) {
	case string:
		switch typ {
		case "text":
			return EscapeText(t), nil
		case "date":
			if isJCalDate(t) {
				return icalDate(t), nil
			}
		case "date-time":
			if isJCalDateTime(t) {
				return icalDateTime(t), nil
			}
		case "time":
			if isJCalTime(t) {
				return strings.ReplaceAll(asciiUpper(t), ":", ""), nil
			}
		case "utc-offset":
			if isJCalUTCOffset(t) {
				return strings.ReplaceAll(t, ":", ""), nil
			}
		case "period":
			// RFC 7265 Appendix B.2 writes a period as one string
			// "start/end"; accept it.
			if start, end, ok := strings.Cut(t, "/"); ok && isJCalDateTime(start) {
				if isJCalDateTime(end) {
					end = icalDateTime(end)
				}
				return icalDateTime(start) + "/" + rawLine(end), nil
			}
		}
		// Other types, "unknown" (RFC 7265 §5.2: taken over without
		// processing) and values that are not in the jCal form of their
		// type.
		return rawLine(t), nil
	case json.Number:
		switch typ {
		case "integer":
			return jcalInteger(t)
		case "float":
			return jcalFloat(t)
		case "boolean", "text", "date", "date-time", "time", "utc-offset", "period",
			"recur", "binary", "cal-address", "uri", "duration":
			return "", fmt.Errorf("number value for type %q", typ)
		}
		return t.String(), nil
	case bool:
		switch typ {
		case "boolean", "unknown":
		default:
			if _, std := jcalStdTypes[typ]; std {
				return "", fmt.Errorf("boolean value for type %q", typ)
			}
		}
		if t {
			return "TRUE", nil
		}
		return "FALSE", nil
	}
	return "", fmt.Errorf("unexpected %s", describeToken(t))
}

var jcalStdTypes = map[string]struct{}{
	"binary": {}, "boolean": {}, "cal-address": {}, "date": {}, "date-time": {},
	"duration": {}, "float": {}, "integer": {}, "period": {}, "recur": {},
	"text": {}, "time": {}, "uri": {}, "utc-offset": {},
}

// jcalInteger converts a JSON number that resolves to an integer (RFC 7265
// §3.6.8).
func jcalInteger(n json.Number) (string, error) {
	s := n.String()
	if isICalInteger(s) {
		return s, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return "", fmt.Errorf("INTEGER value %s is not an integer", s)
	}
	return strconv.FormatInt(int64(f), 10), nil
}

// jcalFloat converts a JSON number to the FLOAT form of RFC 5545 §3.3.7,
// which has no exponent.
func jcalFloat(n json.Number) (string, error) {
	s := n.String()
	if isICalFloat(s) {
		return s, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return "", fmt.Errorf("FLOAT value %s is out of range", s)
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// recurRaw converts a RECUR object (RFC 7265 §3.6.10) to NAME=VALUE parts.
func recurRaw(obj []jmember) (string, error) {
	var b strings.Builder
	for i, m := range obj {
		if !isName(m.key) {
			return "", fmt.Errorf("invalid RECUR part name %q", m.key)
		}
		name := asciiUpper(m.key)
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(name)
		b.WriteByte('=')
		start := b.Len()
		elems := m.val.arr
		if m.val.kind == 'p' {
			elems = []json.Token{m.val.tok}
		}
		for j, t := range elems {
			if j > 0 {
				b.WriteByte(',')
			}
			var s string
			switch t := t.(type) {
			case string:
				s = t
				if name == "UNTIL" {
					if isJCalDate(s) {
						s = icalDate(s)
					} else if isJCalDateTime(s) {
						s = icalDateTime(s)
					}
				}
				if strings.ContainsAny(s, ";\r\n") {
					return "", fmt.Errorf("RECUR part %s: invalid value %q", name, s)
				}
			case json.Number:
				s = t.String()
			default:
				return "", fmt.Errorf("RECUR part %s: %s value", name, describeToken(t))
			}
			b.WriteString(s)
		}
		if v := b.String()[start:]; strings.TrimSpace(v) != v {
			// ParseRecurParts trims values: so does this, to stay stable.
			return "", fmt.Errorf("RECUR part %s: white space around value %q", name, v)
		}
	}
	return b.String(), nil
}

// rawLine makes s fit in a content line the way the Encoder does: a line
// break becomes the TEXT escape \n.
func rawLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// validJCalPropName accepts the property names of RFC 5545 §3.1
// (iana-token, x-name: letters, digits and "-"; RFC 7265 Appendix A has the
// same rule) and the slightly wrong ones the lenient Decoder keeps (such as
// "X_FOO").
func validJCalPropName(s string) bool {
	return isName(s) || isPlausibleName(s)
}

// Value forms. The RFC 5545 forms (§3.3) are compact; the jCal forms (RFC
// 7265 §3.6) are the ISO 8601 extended ones. Both are checked by shape
// only, so that any value of one shape maps to the other and back exactly.

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isICalDate matches YYYYMMDD.
func isICalDate(s string) bool { return len(s) == 8 && allDigits(s) }

// isICalDateTime matches YYYYMMDDTHHMMSS with an optional Z.
func isICalDateTime(s string) bool {
	if len(s) == 16 && (s[15] == 'Z' || s[15] == 'z') {
		s = s[:15]
	}
	return len(s) == 15 && (s[8] == 'T' || s[8] == 't') && allDigits(s[:8]) && allDigits(s[9:])
}

// isICalTime matches HHMMSS with an optional Z.
func isICalTime(s string) bool {
	if len(s) == 7 && (s[6] == 'Z' || s[6] == 'z') {
		s = s[:6]
	}
	return len(s) == 6 && allDigits(s)
}

// isICalUTCOffset matches +HHMM or +HHMMSS (or -).
func isICalUTCOffset(s string) bool {
	return (len(s) == 5 || len(s) == 7) && (s[0] == '+' || s[0] == '-') && allDigits(s[1:])
}

// isICalInteger matches an RFC 5545 §3.3.8 INTEGER.
func isICalInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return allDigits(s)
}

func isICalIntegerList(s string) bool {
	for _, p := range strings.Split(s, ",") {
		if !isICalInteger(p) {
			return false
		}
	}
	return true
}

// isICalFloat matches an RFC 5545 §3.3.7 FLOAT.
func isICalFloat(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	i, f, dot := strings.Cut(s, ".")
	return allDigits(i) && (!dot || allDigits(f))
}

// appendCanonNumber appends an RFC 5545 INTEGER or FLOAT as a JSON number:
// no leading "+", no leading zeros (RFC 7265 §3.1).
func appendCanonNumber(b []byte, s string) []byte {
	switch s[0] {
	case '-':
		b = append(b, '-')
		s = s[1:]
	case '+':
		s = s[1:]
	}
	for len(s) > 1 && s[0] == '0' && s[1] != '.' {
		s = s[1:]
	}
	return append(b, s...)
}

// appendJCalDate appends YYYYMMDD as the JSON string "YYYY-MM-DD".
func appendJCalDate(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendDatePart(b, s)
	return append(b, '"')
}

// appendJCalDateTime appends YYYYMMDDTHHMMSS[Z] as the JSON string
// "YYYY-MM-DDTHH:MM:SS[Z]".
func appendJCalDateTime(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendDatePart(b, s[:8])
	b = append(b, 'T')
	b = appendTimePart(b, s[9:])
	return append(b, '"')
}

// appendJCalTime appends HHMMSS[Z] as the JSON string "HH:MM:SS[Z]".
func appendJCalTime(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendTimePart(b, s)
	return append(b, '"')
}

func appendDatePart(b []byte, s string) []byte {
	b = append(b, s[0:4]...)
	b = append(b, '-')
	b = append(b, s[4:6]...)
	b = append(b, '-')
	return append(b, s[6:8]...)
}

// appendTimePart appends HHMMSS[Z] as HH:MM:SS[Z], the Z in upper case.
func appendTimePart(b []byte, s string) []byte {
	b = append(b, s[0:2]...)
	b = append(b, ':')
	b = append(b, s[2:4]...)
	b = append(b, ':')
	b = append(b, s[4:6]...)
	if len(s) == 7 {
		b = append(b, 'Z')
	}
	return b
}

// appendJCalUTCOffset appends +HHMM[SS] as the JSON string "+HH:MM[:SS]".
func appendJCalUTCOffset(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, s[0:3]...)
	b = append(b, ':')
	b = append(b, s[3:5]...)
	if len(s) == 7 {
		b = append(b, ':')
		b = append(b, s[5:7]...)
	}
	return append(b, '"')
}

// isJCalDate matches YYYY-MM-DD.
func isJCalDate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-' &&
		allDigits(s[0:4]) && allDigits(s[5:7]) && allDigits(s[8:10])
}

// isJCalTime matches HH:MM:SS with an optional Z.
func isJCalTime(s string) bool {
	if len(s) == 9 && (s[8] == 'Z' || s[8] == 'z') {
		s = s[:8]
	}
	return len(s) == 8 && s[2] == ':' && s[5] == ':' &&
		allDigits(s[0:2]) && allDigits(s[3:5]) && allDigits(s[6:8])
}

// isJCalDateTime matches YYYY-MM-DDTHH:MM:SS with an optional Z.
func isJCalDateTime(s string) bool {
	return len(s) >= 19 && isJCalDate(s[:10]) && (s[10] == 'T' || s[10] == 't') && isJCalTime(s[11:])
}

// isJCalUTCOffset matches +HH:MM or +HH:MM:SS (or -).
func isJCalUTCOffset(s string) bool {
	if len(s) == 9 {
		if s[6] != ':' || !allDigits(s[7:9]) {
			return false
		}
		s = s[:6]
	}
	return len(s) == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' &&
		allDigits(s[1:3]) && allDigits(s[4:6])
}

func icalDate(s string) string { return s[0:4] + s[5:7] + s[8:10] }

func icalDateTime(s string) string {
	return icalDate(s[:10]) + "T" + strings.ReplaceAll(asciiUpper(s[11:]), ":", "")
}

// asciiLower returns s with ASCII letters in lower case.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// appendJSONLower appends s with ASCII letters in lower case as a JSON
// string. Escapes use lower-case letters only, so lowering after escaping
// changes only letters of s.
func appendJSONLower(b []byte, s string) []byte {
	start := len(b)
	b = appendJSONString(b, s)
	for i := start; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

// appendJSONString appends s as a JSON string (RFC 8259 §7). Each byte of
// invalid UTF-8 becomes U+FFFD, as with encoding/json, but written as the
// character itself so that converting again gives the same bytes.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			// Valid JSON, but not valid JavaScript before ES2019.
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
