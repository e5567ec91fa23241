// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

// Command almanac is the Almanac calendar server and its tools. The
// commands and flags are the public contract of DESIGN.md §4.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/almanac-project/almanac/internal/icaltool"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

const usage = `usage: almanac <command> [arguments]

server:
  serve [--config FILE] [--listen ADDR] [--data DIR] [--db DSN] [--base-url URL] ...
                          run the server (almanac serve -h lists every flag)
  crisp-proxy --listen ADDR --upstream URL [--config FILE] [flags]
                          the CRISP endpoint alone, for a DMZ: validates every message,
                          forwards only valid iTIP, censors the answers (almanac
                          crisp-proxy -h lists the flags)
  user add NAME [--email ADDR]... [--password-stdin] [--admin] [--type individual|room|resource]
                          create a user; prints a generated password unless --password-stdin
  user list               list the users
  user passwd NAME [--password-stdin]
                          set a user's password (generated and printed without --password-stdin)
  user delete NAME        delete a user with all their calendars
  user app-password NAME [--label LABEL]
                          create an app password for a calendar client and print it
  calendar list --user NAME
                          list a user's calendars with their shares, public URL and feed
  calendar create --user NAME --calendar NAME [--display-name S] [--color #RRGGBB]
                  [--components VEVENT,VTODO]
                          create a calendar
  calendar delete --user NAME --calendar NAME
                          delete a calendar with its events
  calendar share --user NAME --calendar NAME --with OTHER --access read|read-write|free-busy
  calendar unshare --user NAME --calendar NAME --with OTHER
                          give another user access to a calendar, or take it back
  calendar publish|unpublish --user NAME --calendar NAME
                          let anyone read a calendar without logging in (prints its URL), or stop
  calendar feed --user NAME --calendar NAME [--rotate|--disable]
                          print the secret .ics feed URL (created if needed), replace it, or
                          switch the feed off
  import --user NAME [--calendar NAME] FILE.ics
                          add the events of an iCalendar file to a calendar
  export --user NAME [--calendar NAME] [-o FILE.ics]
                          write a calendar as one iCalendar file
  The user, calendar, import and export commands take --data DIR or --db DSN (and
  --config FILE) like serve, and work while the server runs. The calendar commands print
  URLs under --base-url URL, by default the URL serve prints.

tools:
  ical lint FILE...       validate iCalendar files (RFC 5545); exit 1 if any error
  ical fmt [FILE]         re-encode canonically (folded, CRLF) to stdout
  ical expand [--from RFC3339] [--to RFC3339] [--max N] [--json] [FILE]
                          list the instances of every recurring component
  ical json [--to-ical] [FILE]
                          convert iCalendar to jCal (RFC 7265), or back
  itip check [--strict] [--originator ADDR] FILE...
                          validate an iTIP message against RFC 5546 §3 (FILE - reads
                          standard input); exit 1 if invalid. --strict reads the tables
                          as printed (the CRISP DMZ mode)
  version                 print the version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return cmdServe(args[1:], stdout, stderr)
	case "user":
		return cmdUser(args[1:], stdin, stdout, stderr)
	case "calendar":
		return cmdCalendar(args[1:], stdout, stderr)
	case "import":
		return cmdImport(args[1:], stdout, stderr)
	case "export":
		return cmdExport(args[1:], stdout, stderr)
	case "ical":
		return icaltool.Main(args[1:], stdin, stdout, stderr)
	case "itip":
		return icaltool.ITIPMain(args[1:], stdin, stdout, stderr)
	case "crisp-proxy":
		return cmdCRISPProxy(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "almanac: unknown command %q; run 'almanac help' for the list\n", args[0])
	return 2
}

// versionString names the release, or the commit of a development build.
func versionString() string {
	v := version
	info, ok := debug.ReadBuildInfo()
	if v == "" && ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if v == "" {
		v = "devel"
	}
	var extra []string
	if ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if len(s.Value) > 12 {
					s.Value = s.Value[:12]
				}
				extra = append(extra, "commit "+s.Value)
			case "vcs.modified":
				if s.Value == "true" {
					extra = append(extra, "modified")
				}
			}
		}
		extra = append(extra, info.GoVersion)
	}
	return "almanac " + v + " (" + strings.Join(extra, ", ") + ")"
}
