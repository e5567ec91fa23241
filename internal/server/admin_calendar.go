// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/calendar"
)

// CalendarInfo describes one of a user's calendars for `almanac calendar
// list`.
type CalendarInfo struct {
	Name        string
	DisplayName string
	Color       string // "" if none
	// Components are the component types the calendar accepts (RFC 4791
	// §5.2.3 supported-calendar-component-set).
	Components []string
	// Objects is the number of calendar object resources.
	Objects int
	// Public says whether anyone may read the calendar at PublicURL.
	Public    bool
	PublicURL string
	// FeedURL is the secret .ics feed URL; "" when the feed is off.
	FeedURL string
	// Shares are the other principals' grants, by principal.
	Shares []calendar.Grant
}

// NewCalendar describes a calendar to create.
type NewCalendar struct {
	Name        string
	DisplayName string // "" means Name
	Color       string // "#RRGGBB" or "#RRGGBBAA"; "" means none
	// Components are the component types the calendar accepts, from
	// VEVENT, VTODO, VJOURNAL, VFREEBUSY and VAVAILABILITY in any case;
	// empty means VEVENT and VTODO, as in the calendar every user starts
	// with.
	Components []string
}

// FeedAction says what Admin.Feed does with a calendar's feed token.
type FeedAction int

const (
	// FeedShow returns the feed URL, creating a token if the calendar has
	// none.
	FeedShow FeedAction = iota
	// FeedRotate gives the calendar a new token: the old URL stops
	// working.
	FeedRotate
	// FeedDisable removes the token: the feed stops working.
	FeedDisable
)

// calendarComponents are the component types a calendar may be restricted
// to, as the CalDAV handler accepts them in MKCALENDAR.
var calendarComponents = []string{ical.CompEvent, ical.CompToDo, ical.CompJournal, "VFREEBUSY", "VAVAILABILITY"}

// defaultComponents is the supported component set of a collection whose
// Components are nil (see calendar.Collection).
var defaultComponents = []string{ical.CompEvent, ical.CompToDo, ical.CompJournal}

var colorRE = regexp.MustCompile(`^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$`)

// listenAddr is a configured listen address as a net.Addr, for baseURL.
type listenAddr string

func (a listenAddr) Network() string { return "tcp" }
func (a listenAddr) String() string  { return string(a) }

// URL returns the server's base URL, ending in "/": the configured
// base-url, else the URL of the configured listen address (what `almanac
// serve` prints).
func (a *Admin) URL() string { return baseURL(a.cfg, listenAddr(a.cfg.Listen)) }

// PublicURL is where anyone reads user's calendar cal once published.
func (a *Admin) PublicURL(user, cal string) string {
	return a.URL() + "public/calendars/" + url.PathEscape(user) + "/" + url.PathEscape(cal) + "/"
}

// FeedURL is the .ics feed URL of a feed token.
func (a *Admin) FeedURL(token string) string {
	return a.URL() + "feeds/" + url.PathEscape(token) + ".ics"
}

// WebcalURL returns an http(s) URL with the webcal scheme that calendar
// applications open as a subscription.
func WebcalURL(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		return "webcal://" + rest
	}
	return u
}

// ownCalendar returns user's calendar cal, with errors that say which of
// the two does not exist.
func (a *Admin) ownCalendar(ctx context.Context, user, cal string) (*calendar.Collection, error) {
	if _, err := a.svc.Principal(ctx, user); err != nil {
		return nil, userError(user, err)
	}
	c, err := a.svc.Collection(ctx, user, cal)
	if errors.Is(err, calendar.ErrNotFound) {
		return nil, fmt.Errorf("user %q has no calendar %q (see 'almanac calendar list --user %s')", user, cal, user)
	}
	if err != nil {
		return nil, err
	}
	if c.Kind != calendar.KindCalendar {
		return nil, fmt.Errorf("%s/%s is a scheduling %s, not a calendar", user, cal, c.Kind)
	}
	return c, nil
}

// Calendars lists user's calendars (not the scheduling inbox and outbox).
func (a *Admin) Calendars(ctx context.Context, user string) ([]CalendarInfo, error) {
	colls, err := a.svc.Collections(ctx, user)
	if err != nil {
		return nil, userError(user, err)
	}
	var out []CalendarInfo
	for _, c := range colls {
		if c.Kind != calendar.KindCalendar {
			continue
		}
		objs, err := a.svc.ListObjects(ctx, c, false)
		if err != nil {
			return nil, err
		}
		grants, err := a.svc.Grants(ctx, c)
		if err != nil {
			return nil, err
		}
		info := CalendarInfo{
			Name:        c.Name,
			DisplayName: c.DisplayName,
			Color:       c.Color,
			Components:  c.Components,
			Objects:     len(objs),
			Public:      c.PublicRead,
			Shares:      grants,
		}
		if info.Components == nil {
			info.Components = defaultComponents
		}
		if c.PublicRead {
			info.PublicURL = a.PublicURL(user, c.Name)
		}
		if c.FeedToken != "" {
			info.FeedURL = a.FeedURL(c.FeedToken)
		}
		out = append(out, info)
	}
	return out, nil
}

// CreateCalendar creates a calendar in user's home.
func (a *Admin) CreateCalendar(ctx context.Context, user string, nc NewCalendar) error {
	if !calendar.ValidCollectionName(nc.Name) {
		return fmt.Errorf(`invalid calendar name %q: use 1 to 255 bytes without "/", "\", "~" or control characters`, nc.Name)
	}
	if nc.Color != "" && !colorRE.MatchString(nc.Color) {
		return fmt.Errorf("invalid --color %q: use #RRGGBB, e.g. #3A87AD", nc.Color)
	}
	comps := []string{ical.CompEvent, ical.CompToDo}
	if len(nc.Components) > 0 {
		comps = nil
		for _, c := range nc.Components {
			c = strings.ToUpper(strings.TrimSpace(c))
			if !slices.Contains(calendarComponents, c) {
				return fmt.Errorf("invalid component %q in --components: use %s", c, strings.Join(calendarComponents, ", "))
			}
			if !slices.Contains(comps, c) {
				comps = append(comps, c)
			}
		}
	}
	if _, err := a.svc.Principal(ctx, user); err != nil {
		return userError(user, err)
	}
	c := &calendar.Collection{Name: nc.Name, Kind: calendar.KindCalendar, DisplayName: nc.DisplayName, Color: nc.Color, Components: comps}
	if c.DisplayName == "" {
		c.DisplayName = nc.Name
	}
	err := a.svc.CreateCollection(ctx, user, c)
	if errors.Is(err, calendar.ErrExists) {
		return fmt.Errorf("user %q already has a calendar %q (see 'almanac calendar list --user %s')", user, nc.Name, user)
	}
	return userError(user, err)
}

// DeleteCalendar deletes one of user's calendars with its objects and
// shares.
func (a *Admin) DeleteCalendar(ctx context.Context, user, cal string) error {
	c, err := a.ownCalendar(ctx, user, cal)
	if err != nil {
		return err
	}
	return a.svc.DeleteCollection(ctx, c)
}

// Share grants the principal with access ("read", "read-write" or
// "free-busy") to user's calendar cal, replacing an earlier grant.
func (a *Admin) Share(ctx context.Context, user, cal, with, access string) error {
	if calendar.AccessRights(access) == 0 {
		return fmt.Errorf("invalid --access %q: use read, read-write or free-busy", access)
	}
	if _, err := a.ownCalendar(ctx, user, cal); err != nil {
		return err
	}
	if with == user {
		return fmt.Errorf("%s owns %s/%s already; share it with someone else", user, user, cal)
	}
	if _, err := a.svc.Principal(ctx, with); err != nil {
		return userError(with, err)
	}
	return a.svc.Share(ctx, user, cal, with, access)
}

// Unshare removes the grant of user's calendar cal to with.
func (a *Admin) Unshare(ctx context.Context, user, cal, with string) error {
	if _, err := a.ownCalendar(ctx, user, cal); err != nil {
		return err
	}
	if _, err := a.svc.Principal(ctx, with); err != nil {
		return userError(with, err)
	}
	err := a.svc.Unshare(ctx, user, cal, with)
	if errors.Is(err, calendar.ErrNotFound) {
		return fmt.Errorf("%s/%s is not shared with %s (see 'almanac calendar list --user %s')", user, cal, with, user)
	}
	return err
}

// Publish lets anyone read user's calendar cal without logging in, and
// returns the URL where they can.
func (a *Admin) Publish(ctx context.Context, user, cal string) (string, error) {
	if _, err := a.ownCalendar(ctx, user, cal); err != nil {
		return "", err
	}
	if err := a.svc.SetPublicRead(ctx, user, cal, true); err != nil {
		return "", err
	}
	return a.PublicURL(user, cal), nil
}

// Unpublish ends anonymous reading of user's calendar cal.
func (a *Admin) Unpublish(ctx context.Context, user, cal string) error {
	if _, err := a.ownCalendar(ctx, user, cal); err != nil {
		return err
	}
	return a.svc.SetPublicRead(ctx, user, cal, false)
}

// Feed shows, rotates or disables the secret .ics feed of user's calendar
// cal, and returns the feed URL ("" once disabled).
func (a *Admin) Feed(ctx context.Context, user, cal string, action FeedAction) (string, error) {
	c, err := a.ownCalendar(ctx, user, cal)
	if err != nil {
		return "", err
	}
	if action == FeedShow && c.FeedToken != "" {
		return a.FeedURL(c.FeedToken), nil
	}
	tok, err := a.svc.SetFeedToken(ctx, user, cal, action != FeedDisable)
	if err != nil || tok == "" {
		return "", err
	}
	return a.FeedURL(tok), nil
}
