// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import "github.com/almanac-project/almanac/internal/config"

type fakeAddr string

func (a fakeAddr) Network() string { return "tcp" }
func (a fakeAddr) String() string  { return string(a) }

func configFor(listen, base string) config.Config {
	c := config.Default()
	c.Listen, c.BaseURL = listen, base
	return c
}
