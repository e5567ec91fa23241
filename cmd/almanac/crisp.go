// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"context"
	"io"
	"os/signal"
	"syscall"

	"github.com/almanac-project/almanac/internal/config"
	"github.com/almanac-project/almanac/internal/server"
)

// cmdCRISPProxy runs the CRISP endpoint alone, for a DMZ (DESIGN.md §4),
// until SIGINT or SIGTERM.
func cmdCRISPProxy(args []string, stdout, stderr io.Writer) int {
	c := newCommand("crisp-proxy", "--listen ADDR --upstream URL [--config FILE] [flags]", config.ProxyFlags)
	upstream := c.fs.String("upstream", "", "`URL` of the internal server's iSchedule endpoint, e.g. https://cal.internal/.well-known/ischedule")
	pos, status, ok := c.parse(args, stdout, stderr)
	if !ok {
		return status
	}
	if len(pos) > 0 {
		_, status, _ := c.usageError(stderr, "unexpected argument %q", pos[0])
		return status
	}
	if *upstream == "" {
		_, status, _ := c.usageError(stderr, "--upstream is required")
		return status
	}
	cfg, logger, err := c.config(stderr, false)
	if err != nil {
		return fail(stderr, c.name, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := server.RunCRISPProxy(ctx, cfg, *upstream, server.ProxyOptions{Logger: logger, Out: stdout}); err != nil {
		return fail(stderr, c.name, err)
	}
	return exitOK
}
