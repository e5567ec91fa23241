// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/almanac-project/almanac/internal/config"
)

// exit statuses
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// command is one subcommand's flag set with its usage line.
type command struct {
	name  string // "user add"
	usage string // the arguments after the name
	fs    *flag.FlagSet
	cfg   *config.Loader
}

// newCommand returns a command whose flags include the configuration
// settings named by settings (nil: all of them).
func newCommand(name, usage string, settings []string) *command {
	c := &command{name: name, usage: usage, fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	c.fs.SetOutput(io.Discard)
	c.cfg = config.Bind(c.fs, settings)
	return c
}

// parse parses args, allowing flags after positional arguments
// ("user add ann --admin"). On -h it prints the usage to stdout; on an
// error, one line to stderr. ok false means: return status.
func (c *command) parse(args []string, stdout, stderr io.Writer) (pos []string, status int, ok bool) {
	for {
		err := c.fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stdout, "usage: almanac %s %s\n\nflags:\n", c.name, c.usage)
			c.fs.SetOutput(stdout)
			c.fs.PrintDefaults()
			return nil, exitOK, false
		}
		if err != nil {
			return c.usageError(stderr, "%v", err)
		}
		args = c.fs.Args()
		if len(args) == 0 {
			return pos, 0, true
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), 0, true
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// usageError prints one line and returns the usage exit status.
func (c *command) usageError(stderr io.Writer, format string, args ...any) ([]string, int, bool) {
	fmt.Fprintf(stderr, "almanac %s: %s; usage: almanac %s %s\n", c.name, fmt.Sprintf(format, args...), c.name, c.usage)
	return nil, exitUsage, false
}

// config loads the configuration and builds the logger it asks for, on
// stderr; commands other than serve log warnings and errors only unless
// --log-level says otherwise.
func (c *command) config(stderr io.Writer, quiet bool) (config.Config, *slog.Logger, error) {
	cfg, err := c.cfg.Load(os.Getenv)
	if err != nil {
		return cfg, nil, err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return cfg, nil, err
	}
	if quiet && cfg.LogLevel == config.Default().LogLevel {
		level = slog.LevelWarn
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(stderr, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(stderr, opts)
	}
	return cfg, slog.New(h), nil
}

// fail prints err as one line and returns exitError.
func fail(stderr io.Writer, name string, err error) int {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(stderr, "almanac %s: %s\n", name, msg)
	return exitError
}
