// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical

import (
	"fmt"
	"strings"
)

// EscapeText escapes s as a TEXT value (RFC 5545 §3.3.11): backslash,
// semicolon, comma and newline are written as \\, \;, \, and \n.
func EscapeText(s string) string {
	if !strings.ContainsAny(s, "\\;,\n\r") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			b.WriteString(`\n`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// UnescapeText decodes a TEXT value (RFC 5545 §3.3.11). With strict set, a
// backslash before any character other than \ ; , n N is an error; otherwise
// the backslash is dropped (producers write "\:" for ":").
func UnescapeText(s string, strict bool) (string, error) {
	i := strings.IndexByte(s, '\\')
	if i < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			continue
		}
		if i+1 == len(s) {
			if strict {
				return "", fmt.Errorf("ical: TEXT value ends with a lone backslash")
			}
			b = append(b, '\\')
			break
		}
		i++
		switch e := s[i]; e {
		case '\\', ';', ',':
			b = append(b, e)
		case 'n', 'N':
			b = append(b, '\n')
		default:
			if strict {
				return "", fmt.Errorf("ical: invalid escape %q in TEXT value", "\\"+string(e))
			}
			b = append(b, e)
		}
	}
	return string(b), nil
}

// SplitList splits a raw list value at the commas that are not escaped by
// a backslash (RFC 5545 §3.1.1). The parts keep their escapes.
func SplitList(raw string) []string {
	return splitUnescaped(raw, ',')
}

// SplitStructured splits a raw structured value (REQUEST-STATUS, GEO) at
// unescaped semicolons.
func SplitStructured(raw string) []string {
	return splitUnescaped(raw, ';')
}

func splitUnescaped(raw string, sep byte) []string {
	n := 1
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' {
			i++
		} else if raw[i] == sep {
			n++
		}
	}
	out := make([]string, 0, n)
	start := 0
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' {
			i++
		} else if raw[i] == sep {
			out = append(out, raw[start:i])
			start = i + 1
		}
	}
	return append(out, raw[start:])
}

// decodeParamValue decodes RFC 6868 caret escapes: ^n is a newline, ^^ a
// caret and ^' a double quote. A caret before anything else is kept.
func decodeParamValue(s string) string {
	if strings.IndexByte(s, '^') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '^' && i+1 < len(s) {
			switch s[i+1] {
			case 'n', 'N':
				b = append(b, '\n')
				i++
				continue
			case '^':
				b = append(b, '^')
				i++
				continue
			case '\'':
				b = append(b, '"')
				i++
				continue
			}
		}
		b = append(b, c)
	}
	return string(b)
}

// appendParamValue appends v as a parameter value: RFC 6868 escapes for
// caret, newline and double quote, and double quotes around the value when
// it holds a character not allowed in paramtext (RFC 5545 §3.1) or when
// quoted is set.
func appendParamValue(b []byte, v string, quoted bool) []byte {
	if !quoted {
		for i := 0; i < len(v); i++ {
			// A backslash is quoted too: the lenient decoder reads an
			// unquoted "\;" as Apple's escaped semicolon.
			if c := v[i]; c == ';' || c == ':' || c == ',' || c == '\\' {
				quoted = true
				break
			}
		}
	}
	if quoted {
		b = append(b, '"')
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '^':
			b = append(b, '^', '^')
		case '\n':
			b = append(b, '^', 'n')
		case '\r':
			if i+1 < len(v) && v[i+1] == '\n' {
				continue
			}
			b = append(b, '^', 'n')
		case '"':
			b = append(b, '^', '\'')
		default:
			b = append(b, c)
		}
	}
	if quoted {
		b = append(b, '"')
	}
	return b
}
