// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package icaltool

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
	"github.com/almanac-project/almanac/itip"
)

const itipUsage = `usage: almanac itip check [--strict] [--originator ADDR] FILE...`

// ITIPMain runs "almanac itip ARGS" (DESIGN.md §4) and returns the exit
// status: 0 when every message is valid, 1 when one is invalid, unparsable
// or unreadable, 2 on a usage error.
func ITIPMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, itipUsage)
		return 2
	}
	if args[0] != "check" {
		fmt.Fprintf(stderr, "almanac itip: unknown command %q: use check\n", args[0])
		return 2
	}
	t := &tool{stdin: stdin, stdout: stdout, stderr: stderr}
	err := t.itipCheck(args[1:])
	var ue usageError
	var help helpRequested
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		fmt.Fprintf(stdout, "%s\n%s", itipUsage, help.flags)
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "almanac itip check: %v\n", err)
		return 2
	case errors.Is(err, errReported):
		return 1
	}
	fmt.Fprintf(stderr, "almanac itip check: %v\n", err)
	return 1
}

// itipCheck validates each FILE ("-": standard input) as an iTIP message
// against the restriction tables of RFC 5546 §3 (package itip). Problems
// are printed as "FILE:LINE: error|warning: problem", then one summary line
// per file. The result is errReported when a message is invalid.
func (t *tool) itipCheck(args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	strict := fs.Bool("strict", false, "read the RFC 5546 tables exactly as printed, parse strictly and require a VTIMEZONE for every TZID\n(the CRISP DMZ mode); the default interop mode accepts what real producers send where the RFC is inconsistent")
	originator := fs.String("originator", "", "also check that calendar user `ADDR` may send the message (RFC 5546 §1.4)")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usageError{errors.New("want a FILE, or - for standard input")}
	}
	mode := itip.ModeInterop
	if *strict {
		mode = itip.ModeStrict
	}
	failed := false
	for _, name := range files {
		data, display, err := t.input(name)
		if err != nil {
			fmt.Fprintf(t.stderr, "%v\n", err)
			failed = true
			continue
		}
		if !t.itipCheckOne(data, display, mode, *originator) {
			failed = true
		}
	}
	if failed {
		return errReported
	}
	return nil
}

// itipCheckOne prints the problems of one message and its summary, and
// reports whether it is valid.
func (t *tool) itipCheckOne(data []byte, name string, mode itip.Mode, originator string) bool {
	cal, err := itip.ParseMessage(data, mode)
	if err != nil {
		var se *ical.SyntaxError
		var le *ical.LimitError
		switch {
		case errors.As(err, &se) && se.Line > 0:
			fmt.Fprintf(t.stdout, "%s:%d: error: %s\n", name, se.Line, se.Msg)
		case errors.As(err, &le) && le.Line > 0:
			fmt.Fprintf(t.stdout, "%s:%d: error: %s\n", name, le.Line, le.Msg)
		default:
			fmt.Fprintf(t.stdout, "%s: error: %s\n", name, strings.TrimPrefix(err.Error(), "ical: "))
		}
		fmt.Fprintf(t.stdout, "%s: invalid (unparsable)\n", name)
		return false
	}
	opts := itip.ValidateOptions{Mode: mode}
	if mode == itip.ModeInterop {
		// RFC 7809: a receiver that knows the zone by name needs no
		// VTIMEZONE; plain iSchedule (strict mode) does not negotiate it.
		opts.KnownTZID = tz.NewResolver(cal.Component, tz.ResolverOptions{}).Known
	}
	ps := itip.Validate(cal.Component, opts)
	if originator != "" {
		if p := itip.CheckOriginator(cal.Component, originator); p != nil {
			ps = append(ps, *p)
			slices.SortStableFunc(ps, func(a, b itip.Problem) int { return a.Line - b.Line })
		}
	}
	errs := 0
	for _, p := range ps {
		kind := "warning"
		if !p.Warning {
			kind = "error"
			errs++
		}
		if p.Line > 0 {
			fmt.Fprintf(t.stdout, "%s:%d: %s: %s\n", name, p.Line, kind, p)
		} else {
			fmt.Fprintf(t.stdout, "%s: %s: %s\n", name, kind, p)
		}
	}
	if errs == 0 {
		method, comp := itip.MethodOf(cal.Component)
		fmt.Fprintf(t.stdout, "%s: valid %s %s\n", name, method, comp)
		return true
	}
	plural := "s"
	if errs == 1 {
		plural = ""
	}
	fmt.Fprintf(t.stdout, "%s: invalid (%d error%s) — REQUEST-STATUS %s\n", name, errs, plural, itip.StatusOf(ps))
	return false
}
