// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/server"
)

const calendarUsage = "list|create|delete|share|unshare|publish|unpublish|feed ...; run 'almanac help'"

// calendarFlags are the settings of the calendar commands: those of the
// store, and base-url for the URLs they print.
var calendarFlags = append([]string{"base-url"}, config.StoreFlags...)

func cmdCalendar(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "almanac calendar: missing subcommand; usage: almanac calendar %s\n", calendarUsage)
		return exitUsage
	}
	switch args[0] {
	case "list":
		return calendarList(args[1:], stdout, stderr)
	case "create":
		return calendarCreate(args[1:], stdout, stderr)
	case "delete":
		return calendarDelete(args[1:], stdout, stderr)
	case "share":
		return calendarShare(args[1:], stdout, stderr)
	case "unshare":
		return calendarUnshare(args[1:], stdout, stderr)
	case "publish":
		return calendarPublish(args[1:], stdout, stderr)
	case "unpublish":
		return calendarUnpublish(args[1:], stdout, stderr)
	case "feed":
		return calendarFeed(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "almanac calendar: unknown subcommand %q; usage: almanac calendar %s\n", args[0], calendarUsage)
	return exitUsage
}

// calendarCommand is a calendar subcommand with its --user and, unless
// withCal is false, --calendar flags.
type calendarCommand struct {
	*command
	user, cal *string
}

func newCalendarCommand(name, usage string, withCal bool) *calendarCommand {
	c := &calendarCommand{command: newCommand(name, usage+" [--data DIR | --db DSN]", calendarFlags)}
	c.user = c.fs.String("user", "", "the `name` of the user who owns the calendar")
	if withCal {
		c.cal = c.fs.String("calendar", "", "the calendar `name`")
	}
	return c
}

// parseArgs parses args and checks that --user (and --calendar) were
// given and that there are no positional arguments.
func (c *calendarCommand) parseArgs(args []string, stdout, stderr io.Writer) (int, bool) {
	pos, status, ok := c.parse(args, stdout, stderr)
	if !ok {
		return status, false
	}
	var err string
	switch {
	case *c.user == "":
		err = "missing --user"
	case c.cal != nil && *c.cal == "":
		err = "missing --calendar"
	case len(pos) > 0:
		err = fmt.Sprintf("unexpected argument %q", pos[0])
	}
	if err != "" {
		_, st, _ := c.usageError(stderr, "%s", err)
		return st, false
	}
	return 0, true
}

func calendarList(args []string, stdout, stderr io.Writer) int {
	c := newCalendarCommand("calendar list", "--user NAME", false)
	if st, ok := c.parseArgs(args, stdout, stderr); !ok {
		return st
	}
	return withAdmin(c.command, stderr, func(ctx context.Context, a *server.Admin) error {
		cals, err := a.Calendars(ctx, *c.user)
		if err != nil {
			return err
		}
		dash := func(s string) string {
			if s == "" {
				return "-"
			}
			return s
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tDISPLAY NAME\tCOMPONENTS\tOBJECTS\tPUBLIC\tFEED\tSHARES")
		for _, cal := range cals {
			public := "no"
			if cal.Public {
				public = "yes"
			}
			var shares []string
			for _, g := range cal.Shares {
				shares = append(shares, g.Principal+":"+g.Access)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", cal.Name, dash(cal.DisplayName), strings.Join(cal.Components, ","),
				cal.Objects, public, dash(cal.FeedURL), dash(strings.Join(shares, " ")))
		}
		return tw.Flush()
	})
}

func calendarCreate(args []string, stdout, stderr io.Writer) int {
	c := newCalendarCommand("calendar create", "--user NAME --calendar NAME [--display-name S] [--color #RRGGBB] [--components VEVENT,VTODO]", true)
	display := c.fs.String("display-name", "", "the `name` calendar applications show (default: --calendar)")
	color := c.fs.String("color", "", "the calendar's colour, `#RRGGBB`")
	comps := c.fs.String("components", "VEVENT,VTODO", "the component `types` the calendar accepts, comma-separated: VEVENT, VTODO, VJOURNAL, VFREEBUSY, VAVAILABILITY")
	if st, ok := c.parseArgs(args, stdout, stderr); !ok {
		return st
	}
	nc := server.NewCalendar{Name: *c.cal, DisplayName: *display, Color: *color}
	for _, s := range strings.Split(*comps, ",") {
		if s = strings.TrimSpace(s); s != "" {
			nc.Components = append(nc.Components, s)
		}
	}
	return withAdmin(c.command, stderr, func(ctx context.Context, a *server.Admin) error {
		if err := a.CreateCalendar(ctx, *c.user, nc); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Created calendar %s/%s\n", *c.user, *c.cal)
		return nil
	})
}

func calendarDelete(args []string, stdout, stderr io.Writer) int {
	c := newCalendarCommand("calendar delete", "--user NAME --calendar NAME", true)
	if st, ok := c.parseArgs(args, stdout, stderr); !ok {
		return st
	}
	return withAdmin(c.command, stderr, func(ctx context.Context, a *server.Admin) error {
		if err := a.DeleteCalendar(ctx, *c.user, *c.cal); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Deleted calendar %s/%s with its events\n", *c.user, *c.cal)
		return nil
	})
}

func calendarShare(args []string, stdout, stderr io.Writer) int {
	c := newCalendarCommand("calendar share", "--user NAME --calendar NAME --with OTHER --access read|read-write|free-busy", true)
	with := c.fs.String("with", "", "the `name` of the user to share the calendar with")
	access := c.fs.String("access", "", "`access`: read, read-write or free-busy")
	if st, ok := c.parseArgs(args, stdout, stderr); !ok {
		return st
	}
	switch {
	case *with == "":
		_, st, _ := c.usageError(stderr, "missing --with")
		return st
	case *access == "":
		_, st, _ := c.usageError(stderr, "missing --access")
		return st
	}
	return withAdmin(c.command, stderr, func(ctx context.Context, a *server.Admin) error {
		if err := a.Share(ctx, *c.user, *c.cal, *with, *access); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Shared %s/%s with %s (%s)\n", *c.user, *c.cal, *with, *access)
		return nil
	})
}

func calendarUnshare(args []string, stdout, stderr io.Writer) int {
	c := newCalendarCommand("calendar unshare", "--user NAME --calendar NAME --with OTHER", true)
	with := c.fs.String("with", "", "the `name` of the user who loses access")
	if st, ok := c.parseArgs(args, stdout, stderr); !ok {
		return st
	}
	if *with == "" {
		_, st, _ := c.usageError(stderr, "missing --with")
		return st
	}
	return withAdmin(c.command, stderr, func(ctx context.Context, a *server.Admin) error {
		if err := a.Unshare(ctx, *c.user, *c.cal, *with); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Stopped sharing %s/%s with %s\n", *c.user, *c.cal, *with)
		return nil
	})
}

func calendarPublish(args []string, stdout, stderr io.Writer) int {
	c := newCalendarCommand("calendar publish", "--user NAME --calendar NAME [--base-url URL]", true)
	if st, ok := c.parseArgs(args, stdout, stderr); !ok {
		return st
	}
	return withAdmin(c.command, stderr, func(ctx context.Context, a *server.Admin) error {
		u, err := a.Publish(ctx, *c.user, *c.cal)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, u)
		return nil
	})
}

func calendarUnpublish(args []string, stdout, stderr io.Writer) int {
	c := newCalendarCommand("calendar unpublish", "--user NAME --calendar NAME", true)
	if st, ok := c.parseArgs(args, stdout, stderr); !ok {
		return st
	}
	return withAdmin(c.command, stderr, func(ctx context.Context, a *server.Admin) error {
		if err := a.Unpublish(ctx, *c.user, *c.cal); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s/%s is no longer public\n", *c.user, *c.cal)
		return nil
	})
}

func calendarFeed(args []string, stdout, stderr io.Writer) int {
	c := newCalendarCommand("calendar feed", "--user NAME --calendar NAME [--rotate|--disable] [--base-url URL]", true)
	rotate := c.fs.Bool("rotate", false, "replace the feed URL with a new one; the old one stops working")
	disable := c.fs.Bool("disable", false, "switch the feed off; its URL stops working")
	if st, ok := c.parseArgs(args, stdout, stderr); !ok {
		return st
	}
	action := server.FeedShow
	switch {
	case *rotate && *disable:
		_, st, _ := c.usageError(stderr, "give --rotate or --disable, not both")
		return st
	case *rotate:
		action = server.FeedRotate
	case *disable:
		action = server.FeedDisable
	}
	return withAdmin(c.command, stderr, func(ctx context.Context, a *server.Admin) error {
		u, err := a.Feed(ctx, *c.user, *c.cal, action)
		if err != nil {
			return err
		}
		if action == server.FeedDisable {
			fmt.Fprintf(stdout, "Disabled the feed of %s/%s\n", *c.user, *c.cal)
			return nil
		}
		fmt.Fprintln(stdout, u)
		fmt.Fprintln(stdout, server.WebcalURL(u))
		return nil
	})
}
