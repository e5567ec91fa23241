// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package ical_test

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/almanac-project/almanac/ical"
)

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func mustDecode(t *testing.T, s string) *ical.Calendar {
	t.Helper()
	c, err := ical.Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func TestUnfold(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"crlf space", "SUMMARY:ab\r\n cd\r\n", "abcd"},
		{"crlf tab", "SUMMARY:ab\r\n\tcd\r\n", "abcd"},
		{"bare lf", "SUMMARY:ab\n cd\n", "abcd"},
		{"only one space removed", "SUMMARY:ab\r\n  cd\r\n", "ab cd"},
		{"fold inside utf-8", "SUMMARY:caf\xc3\r\n \xa9\r\n", "café"},
		{"several folds", "SUMMARY:a\r\n b\r\n c\r\n d\r\n", "abcd"},
		{"whitespace-only continuation", "SUMMARY:a\r\n \r\n b\r\n", "ab"},
		{"no final newline", "SUMMARY:abc", "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + tt.in
			if !strings.HasSuffix(in, "\n") {
				in += "\r\n"
			}
			in += "END:VEVENT\r\nEND:VCALENDAR\r\n"
			c := mustDecode(t, in)
			if got := c.Children[0].Value("SUMMARY"); got != tt.want {
				t.Errorf("SUMMARY = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	for _, text := range []string{
		strings.Repeat("a", 200),
		strings.Repeat("é", 100),
		strings.Repeat("日本語", 40),
		strings.Repeat("a😀", 60),
		strings.Repeat("ab", 37) + "€€€",
	} {
		p := ical.NewProperty("DESCRIPTION", "")
		p.SetText(text)
		c := ical.NewComponent("VEVENT")
		c.Add(p)
		out := ical.Marshal(c)
		for i, line := range strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n") {
			if len(line) > 75 {
				t.Errorf("line %d is %d octets: %q", i+1, len(line), line)
			}
			if !utf8.ValidString(line) {
				t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, line)
			}
		}
		if bytes.Contains(bytes.ReplaceAll(out, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("bare LF in output")
		}
		back, err := ical.NewDecoder(bytes.NewReader(out)).DecodeComponent()
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := back.Props[0].Text(); got != text {
			t.Errorf("folded text round trip = %q, want %q", got, text)
		}
	}
}

func TestParams(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		param  string
		values []string
		out    string
	}{
		{"quoted with colon", `ATTENDEE;X-P="a;b:c":mailto:x@example.com`, "X-P", []string{"a;b:c"}, `ATTENDEE;X-P="a;b:c":mailto:x@example.com`},
		{"rfc 6868 quote", `ATTENDEE;CN=George Herman ^'Babe^' Ruth:mailto:babe@example.com`, "CN", []string{`George Herman "Babe" Ruth`}, `ATTENDEE;CN=George Herman ^'Babe^' Ruth:mailto:babe@example.com`},
		{"rfc 6868 newline and caret", `GEO;X-ADDRESS=Pittsburgh Pirates^n115 Federal St^nPittsburgh^^PA:40.446816;-80.00566`, "X-ADDRESS", []string{"Pittsburgh Pirates\n115 Federal St\nPittsburgh^PA"}, `GEO;X-ADDRESS=Pittsburgh Pirates^n115 Federal St^nPittsburgh^^PA:40.446816;-80.00566`},
		{"multi-valued", `ATTENDEE;MEMBER="mailto:a@example.com","mailto:b@example.com":mailto:c@example.com`, "MEMBER", []string{"mailto:a@example.com", "mailto:b@example.com"}, `ATTENDEE;MEMBER="mailto:a@example.com","mailto:b@example.com":mailto:c@example.com`},
		{"uri params always quoted", `ATTENDEE;SENT-BY=mailto:s@example.com:mailto:c@example.com`, "SENT-BY", []string{"mailto:s@example.com"}, `ATTENDEE;SENT-BY="mailto:s@example.com":mailto:c@example.com`},
		{"lower-case names", `attendee;cn=x:mailto:c@example.com`, "CN", []string{"x"}, `ATTENDEE;CN=x:mailto:c@example.com`},
		{"empty value", `X-A;X-B=:v`, "X-B", []string{""}, `X-A;X-B=:v`},
		{"apple backslash escape", `X-APPLE-STRUCTURED-LOCATION;X-TITLE=Main St 1\; Linz:geo:1,2`, "X-TITLE", []string{"Main St 1; Linz"}, `X-APPLE-STRUCTURED-LOCATION;X-TITLE="Main St 1; Linz":geo:1,2`},
		{"backslash at the end", `X-FOO;X-A="a\":v`, "X-A", []string{`a\`}, `X-FOO;X-A="a\":v`},
		{"text after closing quote", `ATTENDEE;CN="a"b:mailto:x@example.com`, "CN", []string{"ab"}, `ATTENDEE;CN=ab:mailto:x@example.com`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustDecode(t, "BEGIN:VCALENDAR\r\n"+tt.line+"\r\nEND:VCALENDAR\r\n")
			p := c.Props[0]
			got, ok := p.Params.Find(tt.param)
			if !ok || strings.Join(got.Values, "|") != strings.Join(tt.values, "|") {
				t.Fatalf("param %s = %v, want %q", tt.param, got, tt.values)
			}
			if line := string(ical.AppendProperty(nil, &p)); line != tt.out {
				t.Errorf("AppendProperty = %s, want %s", line, tt.out)
			}
		})
	}
}

func TestLenientRepairs(t *testing.T) {
	tests := []struct {
		name, in, warning string
	}{
		{"bare LF", "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "bare LF"},
		{"blank line", crlf("BEGIN:VCALENDAR\nVERSION:2.0\n\nEND:VCALENDAR\n"), "blank line"},
		{"lost fold", crlf("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDESCRIPTION:first part\nsecond part, no indent\nEND:VEVENT\nEND:VCALENDAR\n"), "continuation line"},
		{"missing END", crlf("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:1\n"), "missing END"},
		{"unbalanced END", crlf("BEGIN:VCALENDAR\nBEGIN:VEVENT\nBEGIN:VALARM\nEND:VEVENT\nEND:VCALENDAR\n"), "closes unterminated VALARM"},
		{"stray END", crlf("BEGIN:VCALENDAR\nEND:VTODO\nEND:VCALENDAR\n"), "without BEGIN"},
		{"underscore in name", crlf("BEGIN:VCALENDAR\nX_FOO:1\nEND:VCALENDAR\n"), "invalid character in property name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec := ical.NewDecoder(strings.NewReader(tt.in))
			if _, err := dec.Decode(); err != nil {
				t.Fatalf("lenient Decode: %v", err)
			}
			ws := dec.Warnings()
			found := false
			for _, w := range ws {
				found = found || strings.Contains(w.Msg, tt.warning)
			}
			if !found {
				t.Errorf("warnings %v, want one containing %q", ws, tt.warning)
			}
			strict := ical.NewDecoderOptions(strings.NewReader(tt.in), ical.DecodeOptions{Strict: true})
			_, err := strict.Decode()
			var se *ical.SyntaxError
			if !errors.As(err, &se) || se.Line == 0 {
				t.Errorf("strict Decode = %v, want a positioned SyntaxError", err)
			}
		})
	}
}

// TestInvalidCharacters checks that the lenient decoder keeps invalid UTF-8
// and control characters (lossless), Validate reports them, and the strict
// decoder rejects them with their line.
func TestInvalidCharacters(t *testing.T) {
	for _, in := range []string{
		crlf("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nX-A:caf\xe9\nEND:VCALENDAR\n"),
		crlf("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nX-A:a\x01b\nEND:VCALENDAR\n"),
	} {
		c := mustDecode(t, in)
		if v := c.Value("X-A"); !strings.Contains(in, v) {
			t.Errorf("value changed to %q", v)
		}
		probs := ical.Validate(c.Component, ical.ValidateOptions{})
		found := false
		for _, p := range probs {
			found = found || p.Line == 4 && strings.Contains(p.Msg, "X-A value has")
		}
		if !found {
			t.Errorf("Validate = %v, want a problem at line 4", probs)
		}
		_, err := ical.NewDecoderOptions(strings.NewReader(in), ical.DecodeOptions{Strict: true}).Decode()
		var se *ical.SyntaxError
		if !errors.As(err, &se) || se.Line != 4 {
			t.Errorf("strict Decode = %v, want a syntax error at line 4", err)
		}
	}
}

func TestBOMAndConcatenated(t *testing.T) {
	in := "\xef\xbb\xbf" + crlf("BEGIN:VCALENDAR\nX-N:1\nEND:VCALENDAR\nBEGIN:VCALENDAR\nX-N:2\nEND:VCALENDAR\ntrailing text\n")
	dec := ical.NewDecoder(strings.NewReader(in))
	var got []string
	for {
		c, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c.Value("X-N"))
	}
	if strings.Join(got, ",") != "1,2" {
		t.Errorf("decoded %v, want [1 2]", got)
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"missing colon", crlf("BEGIN:VCALENDAR\nSUMMARY;X=1\nEND:VCALENDAR\n"), 2, "missing colon"},
		{"unterminated quote", crlf("BEGIN:VCALENDAR\nATTENDEE;CN=\"abc:mailto:x\nEND:VCALENDAR\n"), 2, "unterminated"},
		{"bad component name", crlf("BEGIN:VCALENDAR\nBEGIN:V EVENT\nEND:VCALENDAR\n"), 2, "invalid component name"},
		{"not a calendar", crlf("BEGIN:VCARD\nEND:VCARD\n"), 1, "expected BEGIN:VCALENDAR"},
		{"empty name", crlf("BEGIN:VCALENDAR\n:value\nEND:VCALENDAR\n"), 2, "empty property name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ical.Parse([]byte(tt.in))
			var se *ical.SyntaxError
			if !errors.As(err, &se) || se.Line != tt.line || !strings.Contains(se.Msg, tt.msg) {
				t.Fatalf("Parse = %v, want line %d: %s", err, tt.line, tt.msg)
			}
		})
	}
}

// TestBadInputBounded feeds hostile input and checks that the decoder stops
// with a positioned limit error instead of growing without bound.
func TestBadInputBounded(t *testing.T) {
	t.Run("100 MB line", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader("BEGIN:VCALENDAR\r\nX-LONG:"), &repeatReader{b: 'a', n: 100 << 20})
		_, err := ical.NewDecoderOptions(r, ical.DecodeOptions{MaxLineBytes: 1 << 20}).Decode()
		var le *ical.LimitError
		if !errors.As(err, &le) || !errors.Is(err, ical.ErrLimit) || le.Line != 2 {
			t.Fatalf("Decode = %v, want a limit error at line 2", err)
		}
	})
	t.Run("a million nested components", func(t *testing.T) {
		r := streamLines("BEGIN:VCALENDAR\r\n", "BEGIN:X-C\r\n", 1_000_000)
		defer r.Close()
		_, err := ical.NewDecoder(r).Decode()
		var le *ical.LimitError
		if !errors.As(err, &le) || le.Line != 33 {
			t.Fatalf("Decode = %v, want a nesting limit error at line 33", err)
		}
	})
	t.Run("too many components", func(t *testing.T) {
		in := "BEGIN:VCALENDAR\r\n" + strings.Repeat("BEGIN:VEVENT\r\nEND:VEVENT\r\n", 1000) + "END:VCALENDAR\r\n"
		_, err := ical.NewDecoderOptions(strings.NewReader(in), ical.DecodeOptions{MaxComponents: 100}).Decode()
		if !errors.Is(err, ical.ErrLimit) {
			t.Fatalf("Decode = %v, want ErrLimit", err)
		}
	})
	t.Run("a million broken continuation lines", func(t *testing.T) {
		r := streamLines("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDESCRIPTION:x\r\n", "no colon, no fold indentation\r\n", 1_000_000)
		defer r.Close()
		_, err := ical.NewDecoderOptions(r, ical.DecodeOptions{MaxLineBytes: 1 << 20}).Decode()
		if !errors.Is(err, ical.ErrLimit) {
			t.Fatalf("Decode = %v, want ErrLimit", err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		_, err := ical.Parse([]byte("\x00\x01\x02garbage\xff\xfe"))
		if err == nil {
			t.Fatal("Parse(garbage) succeeded")
		}
	})
}

// streamLines streams head and then n copies of line without holding them
// in memory; closing the reader stops the writer.
func streamLines(head, line string, n int) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		if _, err := io.WriteString(pw, head); err != nil {
			return
		}
		for i := 0; i < n; i++ {
			if _, err := io.WriteString(pw, line); err != nil {
				return
			}
		}
		pw.Close()
	}()
	return pr
}

// repeatReader yields n copies of b.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	if len(p) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.b
	}
	r.n -= len(p)
	return len(p), nil
}

// TestReviewRegressions pins down bugs a review found in the codec.
func TestReviewRegressions(t *testing.T) {
	t.Run("fold at the very end of the input", func(t *testing.T) {
		c := mustDecode(t, "BEGIN:VCALENDAR\r\nX-A:1\r\n ")
		if c.Value("X-A") != "1" {
			t.Errorf("X-A = %q, want 1", c.Value("X-A"))
		}
		strict := ical.NewDecoderOptions(strings.NewReader("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n "), ical.DecodeOptions{Strict: true})
		if _, err := strict.Decode(); err != nil {
			t.Errorf("strict Decode = %v", err)
		}
	})
	t.Run("extra CR before the line ending", func(t *testing.T) {
		c := mustDecode(t, "BEGIN:VCALENDAR\r\r\nX-A:1\r\r\n\r\r\nEND:VCALENDAR\r\r\n")
		if c.Value("X-A") != "1" {
			t.Errorf("X-A = %q, want 1", c.Value("X-A"))
		}
	})
	t.Run("byte order mark before a later object", func(t *testing.T) {
		in := "BEGIN:VCALENDAR\r\nX-N:1\r\nEND:VCALENDAR\r\n\xef\xbb\xbfBEGIN:VCALENDAR\r\nX-N:2\r\nEND:VCALENDAR\r\n"
		dec := ical.NewDecoder(strings.NewReader(in))
		n := 0
		for {
			c, err := dec.Decode()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
			if c.Value("X-N") != strconv.Itoa(n) {
				t.Errorf("object %d has X-N %q", n, c.Value("X-N"))
			}
		}
		if n != 2 {
			t.Errorf("decoded %d objects, want 2", n)
		}
	})
	t.Run("many lower-case parameters", func(t *testing.T) {
		line := "X-A" + strings.Repeat(";x=1", 20000) + ":v"
		c := mustDecode(t, "BEGIN:VCALENDAR\r\n"+line+"\r\nEND:VCALENDAR\r\n")
		if n := c.Props[0].Params.Len(); n != 20000 {
			t.Errorf("Params.Len = %d, want 20000", n)
		}
	})
	t.Run("folding invalid UTF-8", func(t *testing.T) {
		p := ical.NewProperty("X-A", strings.Repeat("\x80", 300))
		c := ical.NewComponent("X")
		c.Add(p)
		lines := strings.Split(strings.TrimSuffix(string(ical.Marshal(c)), "\r\n"), "\r\n")
		if len(lines) > 8 {
			t.Errorf("%d lines for 300 bytes, want at most 8", len(lines))
		}
	})
	t.Run("duration too long for time.Duration", func(t *testing.T) {
		if _, err := ical.ParseDuration("PT3000000H"); err == nil {
			t.Error("ParseDuration(PT3000000H) succeeded")
		}
		d, err := ical.ParseDuration("PT1000000H")
		if err != nil || d.Exact() != 1000000*time.Hour {
			t.Errorf("ParseDuration(PT1000000H) = %v, %v", d.Exact(), err)
		}
	})
	t.Run("year 1 is a value", func(t *testing.T) {
		d, err := ical.ParseDateTime("00010101T000000Z", "")
		if err != nil || d.IsZero() {
			t.Errorf("ParseDateTime(00010101T000000Z).IsZero() = true, %v", err)
		}
	})
}
