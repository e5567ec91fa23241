// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/server"
)

// defaultCalendar is the calendar every user gets (calendar.DefaultCalendar).
const defaultCalendar = "calendar"

func cmdImport(args []string, stdout, stderr io.Writer) int {
	c := newCommand("import", "--user NAME [--calendar NAME] FILE.ics", config.StoreFlags)
	user := c.fs.String("user", "", "the `name` of the user whose calendar receives the events")
	cal := c.fs.String("calendar", defaultCalendar, "the calendar `name`")
	pos, status, ok := c.parse(args, stdout, stderr)
	if !ok {
		return status
	}
	switch {
	case *user == "":
		_, st, _ := c.usageError(stderr, "missing --user")
		return st
	case len(pos) != 1:
		_, st, _ := c.usageError(stderr, "give exactly one FILE.ics ('-' for stdin)")
		return st
	}
	var in io.Reader = os.Stdin
	name := pos[0]
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fail(stderr, c.name, fmt.Errorf("%v; check the file name", err))
		}
		defer f.Close()
		in = f
	}
	bar := newProgress(stderr)
	return withAdmin(c, stderr, func(ctx context.Context, a *server.Admin) error {
		st, err := a.Import(ctx, *user, *cal, in, bar.update)
		bar.done()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Imported %s into %s/%s: %d created, %d updated, %d failed",
			name, *user, *cal, st.Created, st.Updated, st.Failed)
		if st.Warnings > 0 {
			fmt.Fprintf(stdout, ", %d repaired", st.Warnings)
		}
		fmt.Fprintln(stdout)
		for _, f := range st.Failures {
			fmt.Fprintf(stderr, "%s:%d: %s (UID %q)\n", name, f.Line, f.Reason, f.UID)
		}
		if st.Failed > 0 {
			return fmt.Errorf("%d objects were not imported; fix them and import the file again", st.Failed)
		}
		return nil
	})
}

func cmdExport(args []string, stdout, stderr io.Writer) int {
	c := newCommand("export", "--user NAME [--calendar NAME] [-o FILE.ics]", config.StoreFlags)
	user := c.fs.String("user", "", "the `name` of the user whose calendar is exported")
	cal := c.fs.String("calendar", defaultCalendar, "the calendar `name`")
	out := c.fs.String("o", "", "output `file` (default: stdout)")
	pos, status, ok := c.parse(args, stdout, stderr)
	if !ok {
		return status
	}
	switch {
	case *user == "":
		_, st, _ := c.usageError(stderr, "missing --user")
		return st
	case len(pos) > 0:
		_, st, _ := c.usageError(stderr, "unexpected argument %q", pos[0])
		return st
	}
	return withAdmin(c, stderr, func(ctx context.Context, a *server.Admin) error {
		if *out == "" || *out == "-" {
			return a.Export(ctx, *user, *cal, stdout)
		}
		// Write next to the target and rename, so that a failed export
		// leaves no partial file.
		f, err := os.CreateTemp(filepath.Dir(*out), ".almanac-export-*")
		if err != nil {
			return err
		}
		err = a.Export(ctx, *user, *cal, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), *out)
		}
		if err != nil {
			os.Remove(f.Name())
		}
		return err
	})
}

// progress draws an import progress bar on a terminal; on anything else
// it stays silent.
type progress struct {
	w       io.Writer
	tty     bool
	last    int // last percentage drawn
	started bool
}

func newProgress(stderr io.Writer) *progress {
	p := &progress{w: stderr, last: -1}
	if f, ok := stderr.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(done, total int) {
	if !p.tty || total <= 0 {
		return
	}
	pct := done * 100 / total
	if pct == p.last && done != total {
		return
	}
	p.last, p.started = pct, true
	const width = 30
	n := pct * width / 100
	fmt.Fprintf(p.w, "\rimporting [%s%s] %3d%% %d/%d", strings.Repeat("#", n), strings.Repeat(".", width-n), pct, done, total)
}

func (p *progress) done() {
	if p.started {
		fmt.Fprintln(p.w)
	}
}
