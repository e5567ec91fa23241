// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/almanac-project/almanac/internal/auth"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/config"
)

// Admin runs the administration commands (almanac user, calendar, import,
// export) on the store a configuration selects, with or without a server
// running on it. Its errors are sentences for the person at the terminal.
type Admin struct {
	cfg   config.Config
	store calendar.Store
	svc   *calendar.Service
}

// OpenAdmin opens the store of cfg. The caller must Close the Admin.
func OpenAdmin(ctx context.Context, cfg config.Config, logger *slog.Logger) (*Admin, error) {
	st, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Admin{cfg: cfg, store: st, svc: calendar.New(st, calendar.Options{Logger: logger})}, nil
}

// Close closes the store.
func (a *Admin) Close() error { return a.store.Close() }

// NewUser describes a principal to create.
type NewUser struct {
	Name     string
	Emails   []string // calendar user addresses; "ann@example.org" or a URI
	Password string   // "" means no password login (app passwords only)
	Admin    bool
	Type     string // individual (""), room or resource
}

// AddUser creates a principal with its default calendar.
func (a *Admin) AddUser(ctx context.Context, u NewUser) error {
	if !calendar.ValidPrincipalName(u.Name) {
		return fmt.Errorf("invalid user name %q: use 1 to 64 of a-z 0-9 . _ - (and not a reserved word such as %q)", u.Name, "public")
	}
	switch u.Type {
	case "":
		u.Type = calendar.TypeIndividual
	case calendar.TypeIndividual, calendar.TypeRoom, calendar.TypeResource:
	default:
		return fmt.Errorf("invalid --type %q: use individual, room or resource", u.Type)
	}
	p := &calendar.Principal{Name: u.Name, Type: u.Type, Admin: u.Admin}
	for _, e := range u.Emails {
		if !strings.Contains(e, ":") {
			e = "mailto:" + e
		}
		p.Addresses = append(p.Addresses, e)
	}
	if u.Password != "" {
		h, err := auth.HashPassword(u.Password)
		if err != nil {
			return err
		}
		p.PasswordHash = h
	}
	err := a.svc.CreatePrincipal(ctx, p)
	switch {
	case errors.Is(err, calendar.ErrExists):
		return fmt.Errorf("user %q or one of its addresses already exists (see 'almanac user list')", u.Name)
	case errors.Is(err, calendar.ErrInvalidArgument), errors.Is(err, calendar.ErrInvalidName):
		return fmt.Errorf("cannot create user %q: %v", u.Name, err)
	}
	return err
}

// Users lists the principals by name.
func (a *Admin) Users(ctx context.Context) ([]*calendar.Principal, error) {
	return a.svc.Principals(ctx)
}

// SetPassword sets a principal's password. A running server notices the
// change at the principal's next request.
func (a *Admin) SetPassword(ctx context.Context, name, password string) error {
	h, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return userError(name, a.svc.SetPassword(ctx, name, h))
}

// DeleteUser removes a principal with everything it owns.
func (a *Admin) DeleteUser(ctx context.Context, name string) error {
	return userError(name, a.svc.DeletePrincipal(ctx, name))
}

// AppPassword creates an app password and returns its token.
func (a *Admin) AppPassword(ctx context.Context, name, label string) (string, error) {
	tok, err := a.svc.CreateAppPassword(ctx, name, label)
	return tok, userError(name, err)
}

// Import adds the objects of an iCalendar stream to a user's calendar.
func (a *Admin) Import(ctx context.Context, user, cal string, r io.Reader, progress func(done, total int)) (calendar.ImportStats, error) {
	st, err := a.svc.Import(ctx, user, cal, r, progress)
	return st, calendarError(user, cal, err)
}

// Export writes a user's calendar as one iCalendar object.
func (a *Admin) Export(ctx context.Context, user, cal string, w io.Writer) error {
	return calendarError(user, cal, a.svc.Export(ctx, user, cal, w))
}

func userError(name string, err error) error {
	if errors.Is(err, calendar.ErrNotFound) {
		return fmt.Errorf("user %q does not exist (see 'almanac user list')", name)
	}
	return err
}

func calendarError(user, cal string, err error) error {
	if errors.Is(err, calendar.ErrNotFound) {
		return fmt.Errorf("user %q has no calendar %q (check --user and --calendar; see 'almanac user list')", user, cal)
	}
	return err
}
