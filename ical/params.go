// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import (
	"iter"
	"strings"
)

// Params holds the parameters of a property (RFC 5545 §3.2), in order, as
// their content-line text: ";NAME=value" for each, names in upper case, and
// values quoted where RFC 5545 §3.1 requires it (a value the producer
// quoted without need keeps its quotes). Keeping the text, rather than a
// list, lets the decoder take it from the input without copying and the
// encoder write it back as it is; the accessors parse it on demand and
// decode RFC 6868 escapes.
//
// The zero value has no parameters. Params values are immutable: Set, Add
// and Del build a new text, so copies of a Property never share changes and
// concurrent readers need no locking.
type Params struct {
	text string
}

// NewParams returns the parameters in list, in order. A parameter without
// values is written with one empty value ("NAME=").
func NewParams(list ...Param) Params {
	var b []byte
	for _, p := range list {
		b = appendParam(b, asciiUpper(p.Name), p.Values)
	}
	return Params{text: string(b)}
}

// String returns the parameters as they are written in a content line,
// starting with ";", or "" when there are none.
func (ps Params) String() string { return ps.text }

// Len returns the number of parameters.
func (ps Params) Len() int {
	n := 0
	for i := 0; i < len(ps.text); {
		_, _, i = nextParam(ps.text, i)
		n++
	}
	return n
}

// All iterates over the parameters in order. Each Param has its own Values
// slice, decoded.
func (ps Params) All() iter.Seq[Param] {
	return func(yield func(Param) bool) {
		for i := 0; i < len(ps.text); {
			var name, raw string
			name, raw, i = nextParam(ps.text, i)
			if !yield(Param{Name: name, Values: splitParamValues(raw)}) {
				return
			}
		}
	}
}

// List returns the parameters as a new slice.
func (ps Params) List() []Param {
	var out []Param
	for p := range ps.All() {
		out = append(out, p)
	}
	return out
}

// Get returns the first value of the named parameter, or "" if it is absent.
// Names compare case-insensitively.
func (ps Params) Get(name string) string {
	for i := 0; i < len(ps.text); {
		var n, raw string
		n, raw, i = nextParam(ps.text, i)
		if strings.EqualFold(n, name) {
			v, _ := firstParamValue(raw)
			return v
		}
	}
	return ""
}

// Has reports whether the named parameter is present.
func (ps Params) Has(name string) bool {
	_, ok := ps.Find(name)
	return ok
}

// Find returns the first parameter with the given name.
func (ps Params) Find(name string) (Param, bool) {
	for i := 0; i < len(ps.text); {
		var n, raw string
		n, raw, i = nextParam(ps.text, i)
		if strings.EqualFold(n, name) {
			return Param{Name: n, Values: splitParamValues(raw)}, true
		}
	}
	return Param{}, false
}

// Set replaces the values of the first parameter with the given name and
// removes any later one, or appends the parameter if it is absent.
func (ps *Params) Set(name string, values ...string) {
	name = asciiUpper(name)
	var b []byte
	done := false
	for i := 0; i < len(ps.text); {
		start := i
		var n string
		n, _, i = nextParam(ps.text, i)
		if !strings.EqualFold(n, name) {
			b = append(b, ps.text[start:i]...)
			continue
		}
		if !done {
			b = appendParam(b, name, values)
			done = true
		}
	}
	if !done {
		b = appendParam(b, name, values)
	}
	ps.text = string(b)
}

// Add appends a parameter, even if one with that name is present.
func (ps *Params) Add(name string, values ...string) {
	ps.text = string(appendParam([]byte(ps.text), asciiUpper(name), values))
}

// Del removes every parameter with the given name.
func (ps *Params) Del(name string) {
	var b []byte
	found := false
	for i := 0; i < len(ps.text); {
		start := i
		var n string
		n, _, i = nextParam(ps.text, i)
		if strings.EqualFold(n, name) {
			found = true
			continue
		}
		b = append(b, ps.text[start:i]...)
	}
	if found {
		ps.text = string(b)
	}
}

// appendParam appends ";NAME=v1,v2" with the values quoted where needed and
// RFC 6868-escaped.
func appendParam(b []byte, name string, values []string) []byte {
	b = append(b, ';')
	b = append(b, name...)
	b = append(b, '=')
	q := isQuotedParam(name)
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendParamValue(b, v, q)
	}
	return b
}

// nextParam reads the parameter that starts at text[i] (at its ";") and
// returns its name, its raw values (quotes and escapes as written) and the
// index of the next parameter. The text is well formed by construction; on
// anything else it still ends, without panicking.
func nextParam(text string, i int) (name, raw string, next int) {
	i++ // the ';'
	eq := strings.IndexByte(text[i:], '=')
	if eq < 0 {
		return text[i:], "", len(text)
	}
	name = text[i : i+eq]
	j := i + eq + 1
	k := j
	for k < len(text) && text[k] != ';' {
		if text[k] == '"' {
			q := strings.IndexByte(text[k+1:], '"')
			if q < 0 {
				k = len(text)
				break
			}
			k += q + 2
			continue
		}
		k++
	}
	return name, text[j:k], k
}

// firstParamValue returns the first of the raw values, decoded, and the rest.
func firstParamValue(raw string) (v, rest string) {
	if raw != "" && raw[0] == '"' {
		q := strings.IndexByte(raw[1:], '"')
		if q < 0 {
			return decodeParamValue(raw[1:]), ""
		}
		v, rest = raw[1:1+q], raw[2+q:]
	} else if c := strings.IndexByte(raw, ','); c >= 0 {
		v, rest = raw[:c], raw[c:]
	} else {
		v = raw
	}
	if rest != "" && rest[0] == ',' {
		rest = rest[1:]
	} else {
		rest = ""
	}
	return decodeParamValue(v), rest
}

// splitParamValues decodes a comma-separated list of raw values.
func splitParamValues(raw string) []string {
	out := make([]string, 0, 1)
	for {
		v, rest := firstParamValue(raw)
		out = append(out, v)
		if rest == "" && !strings.HasSuffix(raw, ",") {
			return out
		}
		raw = rest
	}
}

// isQuotedParam reports whether RFC 5545 §3.2 defines the parameter's
// values as DQUOTE-enclosed URIs or calendar addresses, so that they are
// always quoted.
func isQuotedParam(name string) bool {
	switch name {
	case ParamAltRep, ParamDelegatedFrom, ParamDelegatedTo, ParamDir, ParamMember, ParamSentBy:
		return true
	}
	return false
}
