// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/almanac-project/almanac/internal/auth"
	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/server"
)

const userUsage = "add|list|passwd|delete|app-password ...; run 'almanac help'"

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func cmdUser(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "almanac user: missing subcommand; usage: almanac user %s\n", userUsage)
		return exitUsage
	}
	switch args[0] {
	case "add":
		return userAdd(args[1:], stdin, stdout, stderr)
	case "list":
		return userList(args[1:], stdout, stderr)
	case "passwd":
		return userPasswd(args[1:], stdin, stdout, stderr)
	case "delete":
		return userDelete(args[1:], stdout, stderr)
	case "app-password":
		return userAppPassword(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "almanac user: unknown subcommand %q; usage: almanac user %s\n", args[0], userUsage)
	return exitUsage
}

// withAdmin loads the configuration, opens the store and runs fn.
func withAdmin(c *command, stderr io.Writer, fn func(ctx context.Context, a *server.Admin) error) int {
	cfg, logger, err := c.config(stderr, true)
	if err != nil {
		return fail(stderr, c.name, err)
	}
	ctx := context.Background()
	a, err := server.OpenAdmin(ctx, cfg, logger)
	if err != nil {
		return fail(stderr, c.name, err)
	}
	err = fn(ctx, a)
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(stderr, c.name, err)
	}
	return exitOK
}

// readPassword reads one line from stdin, without its line ending.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New(`--password-stdin: stdin held no password; pipe one line, e.g. echo "$PW" | almanac user`)
	}
	return pw, nil
}

// oneName checks that exactly one positional argument was given.
func oneName(c *command, pos []string, stderr io.Writer) (string, int, bool) {
	switch {
	case len(pos) == 0:
		_, st, _ := c.usageError(stderr, "missing NAME")
		return "", st, false
	case len(pos) > 1:
		_, st, _ := c.usageError(stderr, "unexpected argument %q", pos[1])
		return "", st, false
	}
	return pos[0], 0, true
}

func userAdd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := newCommand("user add", "NAME [--email ADDR]... [--password-stdin] [--admin] [--type individual|room|resource] [--data DIR | --db DSN]", config.StoreFlags)
	var emails listFlag
	c.fs.Var(&emails, "email", "calendar user `address` (repeatable)")
	fromStdin := c.fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	admin := c.fs.Bool("admin", false, "make the user an administrator")
	typ := c.fs.String("type", "individual", "principal `type`: individual, room or resource")
	pos, status, ok := c.parse(args, stdout, stderr)
	if !ok {
		return status
	}
	name, status, ok := oneName(c, pos, stderr)
	if !ok {
		return status
	}
	u := server.NewUser{Name: name, Emails: emails, Admin: *admin, Type: *typ}
	generated := !*fromStdin
	if *fromStdin {
		pw, err := readPassword(stdin)
		if err != nil {
			return fail(stderr, c.name, err)
		}
		u.Password = pw
	} else {
		u.Password = auth.GeneratePassword()
	}
	return withAdmin(c, stderr, func(ctx context.Context, a *server.Admin) error {
		if err := a.AddUser(ctx, u); err != nil {
			return err
		}
		if generated {
			fmt.Fprintf(stdout, "Created user %s with password: %s\n", name, u.Password)
		} else {
			fmt.Fprintf(stdout, "Created user %s\n", name)
		}
		return nil
	})
}

func userList(args []string, stdout, stderr io.Writer) int {
	c := newCommand("user list", "[--data DIR | --db DSN]", config.StoreFlags)
	pos, status, ok := c.parse(args, stdout, stderr)
	if !ok {
		return status
	}
	if len(pos) > 0 {
		_, st, _ := c.usageError(stderr, "unexpected argument %q", pos[0])
		return st
	}
	return withAdmin(c, stderr, func(ctx context.Context, a *server.Admin) error {
		users, err := a.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tTYPE\tADMIN\tADDRESSES")
		for _, u := range users {
			adm := "no"
			if u.Admin {
				adm = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Name, u.Type, adm, strings.Join(u.Addresses, " "))
		}
		return tw.Flush()
	})
}

func userPasswd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := newCommand("user passwd", "NAME [--password-stdin] [--data DIR | --db DSN]", config.StoreFlags)
	fromStdin := c.fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	pos, status, ok := c.parse(args, stdout, stderr)
	if !ok {
		return status
	}
	name, status, ok := oneName(c, pos, stderr)
	if !ok {
		return status
	}
	var pw string
	if *fromStdin {
		var err error
		if pw, err = readPassword(stdin); err != nil {
			return fail(stderr, c.name, err)
		}
	} else {
		pw = auth.GeneratePassword()
	}
	return withAdmin(c, stderr, func(ctx context.Context, a *server.Admin) error {
		if err := a.SetPassword(ctx, name, pw); err != nil {
			return err
		}
		if *fromStdin {
			fmt.Fprintf(stdout, "Changed the password of %s\n", name)
		} else {
			fmt.Fprintf(stdout, "New password of %s: %s\n", name, pw)
		}
		return nil
	})
}

func userDelete(args []string, stdout, stderr io.Writer) int {
	c := newCommand("user delete", "NAME [--data DIR | --db DSN]", config.StoreFlags)
	pos, status, ok := c.parse(args, stdout, stderr)
	if !ok {
		return status
	}
	name, status, ok := oneName(c, pos, stderr)
	if !ok {
		return status
	}
	return withAdmin(c, stderr, func(ctx context.Context, a *server.Admin) error {
		if err := a.DeleteUser(ctx, name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Deleted user %s\n", name)
		return nil
	})
}

func userAppPassword(args []string, stdout, stderr io.Writer) int {
	c := newCommand("user app-password", "NAME [--label LABEL] [--data DIR | --db DSN]", config.StoreFlags)
	label := c.fs.String("label", "", "what the app password is for, e.g. `phone`")
	pos, status, ok := c.parse(args, stdout, stderr)
	if !ok {
		return status
	}
	name, status, ok := oneName(c, pos, stderr)
	if !ok {
		return status
	}
	return withAdmin(c, stderr, func(ctx context.Context, a *server.Admin) error {
		tok, err := a.AppPassword(ctx, name, *label)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, tok)
		return nil
	})
}
