// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package main

import (
	"context"
	"io"
	"os/signal"
	"syscall"

	"github.com/almanac-project/almanac/internal/server"
)

// cmdServe runs the server until SIGINT or SIGTERM, then shuts down
// gracefully.
func cmdServe(args []string, stdout, stderr io.Writer) int {
	c := newCommand("serve", "[flags]", nil)
	pos, status, ok := c.parse(args, stdout, stderr)
	if !ok {
		return status
	}
	if len(pos) > 0 {
		_, status, _ := c.usageError(stderr, "unexpected argument %q", pos[0])
		return status
	}
	cfg, logger, err := c.config(stderr, false)
	if err != nil {
		return fail(stderr, c.name, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	srv, err := server.New(cfg, server.Options{Logger: logger, Out: stdout})
	if err != nil {
		return fail(stderr, c.name, err)
	}
	if err := srv.Run(ctx); err != nil {
		return fail(stderr, c.name, err)
	}
	return exitOK
}
