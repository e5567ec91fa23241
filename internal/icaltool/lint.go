// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package icaltool

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
)

// lint validates each file: decoder repairs are warnings, validation
// problems are errors or warnings, a syntax error stops the file. Every
// finding is printed as "FILE:LINE: message". The result is errReported
// when any file has an error.
func (t *tool) lint(args []string) error {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	strict := fs.Bool("strict", false, "report every deviation from the RFCs as an error")
	quiet := fs.Bool("quiet", false, "print errors only")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	failed := false
	for _, name := range files {
		data, display, err := t.input(name)
		if err != nil {
			fmt.Fprintf(t.stderr, "%v\n", err)
			failed = true
			continue
		}
		if t.lintOne(data, display, *strict, *quiet) {
			failed = true
		}
	}
	if failed {
		return errReported
	}
	return nil
}

// lintOne prints the findings for one input and reports whether it has an
// error.
func (t *tool) lintOne(data []byte, name string, strict, quiet bool) bool {
	type finding struct {
		line int
		msg  string
	}
	var found []finding
	dec := ical.NewDecoderOptions(bytes.NewReader(data), ical.DecodeOptions{Strict: strict})
	failed, n := false, 0
	for {
		c, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			found = append(found, finding{0, positioned(name, err).Error()})
			failed = true
			break
		}
		n++
		zones := tz.NewResolver(c.Component, tz.ResolverOptions{})
		for _, p := range ical.Validate(c.Component, ical.ValidateOptions{Strict: strict, KnownTZID: zones.Known}) {
			if p.Severity == ical.SeverityError {
				failed = true
			} else if quiet {
				continue
			}
			found = append(found, finding{p.Line, fmt.Sprintf("%s:%d: %s%s", name, p.Line, severityPrefix(p.Severity), p.Msg)})
		}
		if quiet {
			continue
		}
		// Validate asked the resolver about every TZID: report the ones it
		// had to map (Windows names, vendor prefixes, stray spaces).
		for _, r := range zones.Repairs() {
			line := tzidLine(c.Component, r.TZID)
			found = append(found, finding{line, fmt.Sprintf("%s:%d: warning: %s", name, line, r.String())})
		}
	}
	if !quiet {
		for _, w := range dec.Warnings() {
			found = append(found, finding{w.Line, fmt.Sprintf("%s:%d: warning: %s", name, w.Line, w.Msg)})
		}
	}
	if n == 0 && !failed {
		found = append(found, finding{1, name + ":1: no iCalendar object found"})
		failed = true
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].line < found[j].line })
	for _, f := range found {
		fmt.Fprintln(t.stdout, f.msg)
	}
	return failed
}

func severityPrefix(s ical.Severity) string {
	if s == ical.SeverityError {
		return ""
	}
	return "warning: "
}

// tzidLine returns the line of the first property whose TZID parameter is
// tzid, or the line of the calendar.
func tzidLine(cal *ical.Component, tzid string) int {
	line := cal.Line
	cal.Walk(func(c *ical.Component) bool {
		for _, p := range c.Props {
			if p.Params.Get(ical.ParamTZID) == tzid {
				line = p.Line
				return false
			}
		}
		return true
	})
	return line
}
