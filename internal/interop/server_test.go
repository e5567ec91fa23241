// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package interop

import (
	"testing"

	"github.com/almanac-project/almanac/internal/servertest"
)

// server is an Almanac server started for one test.
type server struct {
	*servertest.Instance
	base string
}

// startServer starts the real server on 127.0.0.1:0 with a fresh store;
// it stops when the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	in := servertest.Start(t)
	return &server{Instance: in, base: in.BaseURL}
}

// addUser creates a principal with its default calendar ("calendar") and
// the address name@example.org.
func (s *server) addUser(t *testing.T, name string) {
	t.Helper()
	s.AddUser(t, name, name+"-interop-password", name+"@example.org")
}

// password is the password of a user added with addUser.
func (s *server) password(user string) string { return s.Password(user) }

// principalPath is the path of a user's principal.
func principalPath(user string) string { return "/dav/principals/" + user + "/" }

// calendarPath is the path of one of a user's calendars.
func calendarPath(user, name string) string { return "/dav/calendars/" + user + "/" + name + "/" }
