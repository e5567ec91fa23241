// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Package icaltool implements the "almanac ical" commands of DESIGN.md §4:
// lint (RFC 5545 validation), fmt (canonical re-encoding), expand
// (recurrence instances) and json (jCal, RFC 7265).
package icaltool

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/almanac-project/almanac/ical"
)

// maxInput bounds what one command reads from a file or standard input.
const maxInput = 256 << 20

const usage = `usage: almanac ical <lint|fmt|expand|json> [flags] [FILE]`

// Main runs "almanac ical ARGS" and returns the exit status: 0 on success,
// 1 when the input is invalid or a command fails, 2 on a usage error.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	t := &tool{stdin: stdin, stdout: stdout, stderr: stderr}
	var err error
	switch args[0] {
	case "lint":
		err = t.lint(args[1:])
	case "fmt":
		err = t.fmt(args[1:])
	case "expand":
		err = t.expand(args[1:])
	case "json":
		err = t.json(args[1:])
	default:
		fmt.Fprintf(stderr, "almanac ical: unknown command %q: use lint, fmt, expand or json\n", args[0])
		return 2
	}
	var ue usageError
	var help helpRequested
	switch {
	case err == nil:
		return 0
	case errors.As(err, &help):
		fmt.Fprintf(stdout, "usage: almanac ical %s\n%s", help.synopsis, help.flags)
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "almanac ical %s: %v\n", args[0], err)
		return 2
	case errors.Is(err, errReported):
		return 1
	}
	fmt.Fprintf(stderr, "almanac ical %s: %v\n", args[0], err)
	return 1
}

type tool struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// errReported means the problems were already printed.
var errReported = errors.New("problems reported")

type usageError struct{ error }

// helpRequested carries the usage of a command asked for with -h.
type helpRequested struct {
	synopsis, flags string
}

func (h helpRequested) Error() string { return "help requested" }

// synopses are the argument summaries of the commands.
var synopses = map[string]string{
	"lint":   "lint [--strict] [--quiet] FILE...",
	"fmt":    "fmt [FILE]",
	"expand": "expand [--from RFC3339] [--to RFC3339] [--max N] [--json] [FILE]",
	"json":   "json [--to-ical] [FILE]",
}

// parseFlags parses flags that may come before or after the file names.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var files []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			var b strings.Builder
			fs.SetOutput(&b)
			fs.PrintDefaults()
			return nil, helpRequested{synopsis: synopses[fs.Name()], flags: b.String()}
		} else if err != nil {
			return nil, usageError{err}
		}
		args = fs.Args()
		if len(args) == 0 {
			return files, nil
		}
		files = append(files, args[0])
		args = args[1:]
	}
}

// input reads the named file, or standard input for "" and "-".
func (t *tool) input(name string) ([]byte, string, error) {
	var r io.Reader = t.stdin
	display := "<stdin>"
	if name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, name, err
		}
		defer f.Close()
		r, display = f, name
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, display, fmt.Errorf("%s: %w", display, err)
	}
	if len(data) > maxInput {
		return nil, display, fmt.Errorf("%s: larger than %d MiB", display, maxInput>>20)
	}
	return data, display, nil
}

// readOne reads the single optional FILE argument, or standard input.
func (t *tool) readOne(files []string) ([]byte, string, error) {
	if len(files) > 1 {
		return nil, "", usageError{fmt.Errorf("want at most one FILE, got %d", len(files))}
	}
	name := ""
	if len(files) == 1 {
		name = files[0]
	}
	return t.input(name)
}

// readCalendars reads the single optional FILE argument, or standard input,
// and decodes every VCALENDAR object in it. It also returns the name to
// show in messages.
func (t *tool) readCalendars(files []string) ([]*ical.Calendar, string, error) {
	data, display, err := t.readOne(files)
	if err != nil {
		return nil, display, err
	}
	cals, err := decodeAll(data, display)
	return cals, display, err
}

// decodeAll decodes every VCALENDAR object of data leniently.
func decodeAll(data []byte, name string) ([]*ical.Calendar, error) {
	dec := ical.NewDecoder(bytes.NewReader(data))
	var cals []*ical.Calendar
	for {
		c, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, positioned(name, err)
		}
		cals = append(cals, c)
	}
	if len(cals) == 0 {
		return nil, fmt.Errorf("%s: no iCalendar object found", name)
	}
	return cals, nil
}

// positioned turns a decoder error into "FILE:LINE: message".
func positioned(name string, err error) error {
	var se *ical.SyntaxError
	var le *ical.LimitError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%s:%d: %s", name, se.Line, se.Msg)
	case errors.As(err, &le):
		return fmt.Errorf("%s:%d: %s", name, le.Line, le.Msg)
	}
	return fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "ical: "))
}

func (t *tool) fmt(args []string) error {
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	cals, _, err := t.readCalendars(files)
	if err != nil {
		return err
	}
	enc := ical.NewEncoder(t.stdout)
	for _, c := range cals {
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	return nil
}
