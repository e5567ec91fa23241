// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/caldav"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/itip"
)

// DAVOptions configure the CalDAV backend adapter.
type DAVOptions struct {
	// SyncTokenPrefix starts every RFC 6578 sync token (a URI); the
	// collection ID and sequence follow, separated by "/". "" means
	// "http://almanac.invalid/sync/".
	SyncTokenPrefix string
	// FeedPrefix is the absolute path under which the .ics feeds are
	// served; "" means "/feeds/".
	FeedPrefix string
	// PageSize is how many objects a listing or query reads from the
	// store at a time; 0 means DefaultPageSize.
	PageSize int
}

// DefaultPageSize is the page size of listings and queries when
// DAVOptions.PageSize is 0: big enough that a page costs little more
// than a row, small enough that a page of objects with data stays a few
// megabytes.
const DefaultPageSize = 500

// davBackend implements caldav.Backend on the calendar service. It maps
// types and errors and checks privileges with the service's rights; the
// rules live in package calendar.
//
// Calendars shared with a principal appear in their own home under
// calendar.SharedName, "<owner>~<name>", which no collection name can
// take; every method resolves those names back (calendar.Service.Resolve).
type davBackend struct {
	svc *calendar.Service
	opt DAVOptions
}

// NewDAVBackend returns the caldav.Backend of svc.
func NewDAVBackend(svc *calendar.Service, opt DAVOptions) caldav.Backend {
	if opt.SyncTokenPrefix == "" {
		opt.SyncTokenPrefix = "http://almanac.invalid/sync/"
	}
	if opt.FeedPrefix == "" {
		opt.FeedPrefix = "/feeds/"
	}
	if opt.PageSize <= 0 {
		opt.PageSize = DefaultPageSize
	}
	return &davBackend{svc: svc, opt: opt}
}

// davError translates a calendar error into the caldav error the handler
// maps to a status, keeping the cause for the log.
func davError(err error) error {
	var dav error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, calendar.ErrNotFound):
		dav = caldav.ErrNotFound
	case errors.Is(err, calendar.ErrExists):
		dav = caldav.ErrExists
	case errors.Is(err, calendar.ErrPreconditionFailed):
		dav = caldav.ErrPreconditionFailed
	case errors.Is(err, calendar.ErrInvalidSyncToken):
		dav = caldav.ErrInvalidSyncToken
	case errors.Is(err, calendar.ErrQuotaExceeded):
		dav = caldav.ErrQuotaExceeded
	case errors.Is(err, calendar.ErrForbidden), errors.Is(err, calendar.ErrInvalidName),
		errors.Is(err, calendar.ErrInvalidArgument), errors.Is(err, calendar.ErrInvalidObject):
		dav = caldav.ErrForbidden
	default:
		return err
	}
	return fmt.Errorf("%w: %w", dav, err)
}

// scheduleError turns a refused scheduling change into the CALDAV:
// precondition the handler reports (RFC 6638 §3.2.4, §5.2).
func scheduleError(err error) error {
	var ce *itip.ChangeError
	if errors.As(err, &ce) {
		return &caldav.ScheduleError{Condition: ce.Condition, Msg: ce.Msg, Err: err}
	}
	return nil
}

// objectError is davError for a write of an object in home/cal: a UID
// conflict names the resource holding the UID.
func objectError(err error, home, cal string) error {
	var uc *calendar.UIDConflictError
	if errors.As(err, &uc) {
		return &caldav.UIDConflictError{Href: "calendars/" + home + "/" + cal + "/" + uc.Name}
	}
	if se := scheduleError(err); se != nil {
		return se
	}
	return davError(err)
}

// toDAVPrincipal shows p with the names of its scheduling inbox and
// outbox (RFC 6638 §2.1.1, §2.2.1).
func (b *davBackend) toDAVPrincipal(ctx context.Context, p *calendar.Principal) (*caldav.Principal, error) {
	dp := &caldav.Principal{Name: p.Name, DisplayName: p.DisplayName, Type: p.Type, Addresses: p.Addresses}
	cs, err := b.svc.Collections(ctx, p.Name)
	if err != nil {
		return nil, davError(err)
	}
	for _, c := range cs {
		switch c.Kind {
		case calendar.KindInbox:
			dp.Inbox = c.Name
		case calendar.KindOutbox:
			dp.Outbox = c.Name
		}
	}
	return dp, nil
}

func (b *davBackend) CurrentUser(ctx context.Context) (*caldav.Principal, error) {
	p := calendar.PrincipalFromContext(ctx)
	if p == nil {
		return nil, nil
	}
	return b.toDAVPrincipal(ctx, p)
}

// Principal shows anonymous users (of public calendars) no addresses.
func (b *davBackend) Principal(ctx context.Context, name string) (*caldav.Principal, error) {
	p, err := b.svc.Principal(ctx, name)
	if err != nil {
		return nil, davError(err)
	}
	dp, err := b.toDAVPrincipal(ctx, p)
	if err != nil {
		return nil, err
	}
	if calendar.PrincipalFromContext(ctx) == nil {
		dp.Addresses, dp.Inbox, dp.Outbox = nil, "", ""
	}
	return dp, nil
}

// PrincipalByAddress is for authenticated users only: anonymous lookups
// would reveal who has an account.
func (b *davBackend) PrincipalByAddress(ctx context.Context, addr string) (*caldav.Principal, error) {
	if calendar.PrincipalFromContext(ctx) == nil {
		return nil, caldav.ErrForbidden
	}
	p, err := b.svc.PrincipalByAddress(ctx, addr)
	if err != nil {
		return nil, davError(err)
	}
	return b.toDAVPrincipal(ctx, p)
}

// Principals lists every principal to authenticated users only.
func (b *davBackend) Principals(ctx context.Context) ([]*caldav.Principal, error) {
	if calendar.PrincipalFromContext(ctx) == nil {
		return nil, caldav.ErrForbidden
	}
	ps, err := b.svc.Principals(ctx)
	if err != nil {
		return nil, davError(err)
	}
	out := make([]*caldav.Principal, len(ps))
	for i, p := range ps {
		if out[i], err = b.toDAVPrincipal(ctx, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// privileges maps calendar rights to caldav privileges and back; the bits
// correspond one to one.
var privileges = [...]struct {
	r calendar.Rights
	p caldav.Privileges
}{
	{calendar.RightRead, caldav.PrivRead},
	{calendar.RightReadFreeBusy, caldav.PrivReadFreeBusy},
	{calendar.RightWriteProperties, caldav.PrivWriteProperties},
	{calendar.RightWriteContent, caldav.PrivWriteContent},
	{calendar.RightBind, caldav.PrivBind},
	{calendar.RightUnbind, caldav.PrivUnbind},
	{calendar.RightReadACL, caldav.PrivReadACL},
	{calendar.RightWriteACL, caldav.PrivWriteACL},
	{calendar.RightReadCurrentUserPrivilegeSet, caldav.PrivReadCurrentUserPrivilegeSet},
}

func toPrivileges(r calendar.Rights) caldav.Privileges {
	if r.Has(calendar.RightAll) {
		// DAV:all, the scheduling privileges included (RFC 6638 §6.3);
		// the handler shows each resource the ones it supports.
		return caldav.PrivAll
	}
	var p caldav.Privileges
	for _, m := range privileges {
		if r.Has(m.r) {
			p |= m.p
		}
	}
	return p
}

// syncToken is the RFC 6578 §3.2 token of a collection state: a URI.
func (b *davBackend) syncToken(c *calendar.Collection, seq int64) string {
	return b.opt.SyncTokenPrefix + strconv.FormatInt(c.ID, 10) + "/" + strconv.FormatInt(seq, 10)
}

// parseSyncToken returns the sequence of a token of collection c.
func (b *davBackend) parseSyncToken(c *calendar.Collection, token string) (int64, error) {
	rest, ok := strings.CutPrefix(token, b.opt.SyncTokenPrefix)
	id, seq, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || id != strconv.FormatInt(c.ID, 10) {
		return 0, fmt.Errorf("sync token %q: %w", token, caldav.ErrInvalidSyncToken)
	}
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil || n < 0 || n > c.Seq || strconv.FormatInt(n, 10) != seq {
		return 0, fmt.Errorf("sync token %q: %w", token, caldav.ErrInvalidSyncToken)
	}
	return n, nil
}

// toCalendar shows an entry to the current user.
func (b *davBackend) toCalendar(ctx context.Context, e *calendar.Entry) (*caldav.Calendar, error) {
	c := e.Collection
	out := &caldav.Calendar{
		Owner:       e.Home,
		Name:        e.Name,
		Kind:        c.Kind,
		DisplayName: c.DisplayName,
		Description: c.Description,
		Color:       c.Color,
		Order:       c.Order,
		Timezone:    c.Timezone,
		Components:  c.Components,
		SyncToken:   b.syncToken(c, c.Seq),
		CTag:        strconv.FormatInt(c.ID, 10) + "-" + strconv.FormatInt(c.Seq, 10),
		Modified:    c.Modified,
		Privileges:  toPrivileges(e.Rights),
		Transparent: c.Transparent,
	}
	for _, p := range c.Props {
		if p.Space == calendar.NSCalDAV && (p.Local == calendar.PropDefaultCalendar || p.Local == calendar.PropAvailability) {
			continue // live properties of the inbox, below
		}
		out.Props = append(out.Props, caldav.Property{Space: p.Space, Local: p.Local, XML: p.XML})
	}
	if c.Kind == calendar.KindInbox && e.Owned() {
		// RFC 6638 §9.2 and RFC 7953 §7.2.4.
		out.DefaultCalendar, _ = c.Prop(calendar.NSCalDAV, calendar.PropDefaultCalendar)
		if out.DefaultCalendar == "" {
			out.DefaultCalendar = calendar.DefaultCalendar
		}
		out.Availability, _ = c.Prop(calendar.NSCalDAV, calendar.PropAvailability)
	}
	if e.Owned() && c.FeedToken != "" {
		out.FeedURL = b.opt.FeedPrefix + c.FeedToken + ".ics"
	}
	if e.Rights.Has(calendar.RightReadACL) {
		acl, err := b.acl(ctx, e)
		if err != nil {
			return nil, err
		}
		out.ACL = acl
	}
	return out, nil
}

// acl renders the owner's rights, the shares and public reading as ACEs
// (RFC 3744 §5.5); only the owner's is protected.
func (b *davBackend) acl(ctx context.Context, e *calendar.Entry) ([]caldav.ACE, error) {
	acl := []caldav.ACE{{Principal: e.Owner.Name, Grant: toPrivileges(calendar.RightAll), Protected: true}}
	grants, err := b.svc.Grants(ctx, e.Collection)
	if err != nil {
		return nil, davError(err)
	}
	for _, g := range grants {
		acl = append(acl, caldav.ACE{Principal: g.Principal, Grant: toPrivileges(calendar.AccessRights(g.Access))})
	}
	if e.Collection.PublicRead {
		acl = append(acl, caldav.ACE{Principal: "all", Grant: toPrivileges(calendar.PublicRights)})
	}
	return acl, nil
}

func (b *davBackend) Calendars(ctx context.Context, owner string) ([]*caldav.Calendar, error) {
	entries, err := b.svc.Home(ctx, owner)
	if err != nil {
		return nil, davError(err)
	}
	out := make([]*caldav.Calendar, 0, len(entries))
	for _, e := range entries {
		c, err := b.toCalendar(ctx, e)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// resolve finds a calendar as the current user sees it and checks need.
func (b *davBackend) resolve(ctx context.Context, owner, name string, need calendar.Rights) (*calendar.Entry, error) {
	e, err := b.svc.Resolve(ctx, owner, name)
	if err != nil {
		return nil, davError(err)
	}
	if err := e.Require(need); err != nil {
		return nil, davError(err)
	}
	return e, nil
}

func (b *davBackend) Calendar(ctx context.Context, owner, name string) (*caldav.Calendar, error) {
	e, err := b.resolve(ctx, owner, name, 0)
	if err != nil {
		return nil, err
	}
	return b.toCalendar(ctx, e)
}

// CreateCalendar creates a calendar in the current user's own home
// (RFC 4791 §5.3.1; DAV:bind on the home belongs to its owner only).
func (b *davBackend) CreateCalendar(ctx context.Context, c *caldav.Calendar) error {
	cur := calendar.PrincipalFromContext(ctx)
	if cur == nil || cur.Name != c.Owner {
		return caldav.ErrForbidden
	}
	coll := &calendar.Collection{
		Name:        c.Name,
		Kind:        c.Kind,
		DisplayName: c.DisplayName,
		Description: c.Description,
		Color:       c.Color,
		Order:       c.Order,
		Timezone:    c.Timezone,
		Components:  c.Components,
		Props:       toDeadProps(c.Props),
		Transparent: c.Transparent,
	}
	return davError(b.svc.CreateCollection(ctx, c.Owner, coll))
}

func toDeadProps(ps []caldav.Property) []calendar.DeadProp {
	var out []calendar.DeadProp
	for _, p := range ps {
		out = append(out, calendar.DeadProp{Space: p.Space, Local: p.Local, XML: p.XML})
	}
	return out
}

// UpdateCalendar stores the descriptive properties (DAV:write-properties).
// The supported component set is fixed at creation (RFC 4791 §5.2.3).
func (b *davBackend) UpdateCalendar(ctx context.Context, c *caldav.Calendar) error {
	e, err := b.resolve(ctx, c.Owner, c.Name, calendar.RightWriteProperties)
	if err != nil {
		return err
	}
	coll := e.Collection
	coll.DisplayName, coll.Description, coll.Color = c.DisplayName, c.Description, c.Color
	coll.Order, coll.Timezone, coll.Props = c.Order, c.Timezone, toDeadProps(c.Props)
	coll.Transparent = c.Transparent
	if coll.Kind == calendar.KindInbox {
		coll.SetProp(calendar.NSCalDAV, calendar.PropDefaultCalendar, c.DefaultCalendar)
		coll.SetProp(calendar.NSCalDAV, calendar.PropAvailability, c.Availability)
	}
	return davError(b.svc.UpdateCollection(ctx, coll))
}

// DeleteCalendar deletes one of the current user's calendars; on a shared
// calendar in the sharee's home it removes the share instead.
func (b *davBackend) DeleteCalendar(ctx context.Context, owner, name string) error {
	e, err := b.resolve(ctx, owner, name, 0)
	if err != nil {
		return err
	}
	if e.Home != e.Owner.Name {
		return davError(b.svc.Unshare(ctx, e.Owner.Name, e.Collection.Name, e.Home))
	}
	if !e.Owned() {
		return caldav.ErrForbidden
	}
	return davError(b.svc.DeleteCollection(ctx, e.Collection))
}

// SetACL maps the non-protected ACEs to shares: a principal granted read,
// read and write, or read-free-busy only, and "all" granted read for a
// public calendar. Any other ACE is refused (RFC 3744 §8.1.1
// DAV:no-ace-conflict / not-supported-privilege answer 403).
func (b *davBackend) SetACL(ctx context.Context, owner, name string, acl []caldav.ACE) error {
	e, err := b.resolve(ctx, owner, name, calendar.RightWriteACL)
	if err != nil {
		return err
	}
	if !e.Owned() || e.Collection.Kind != calendar.KindCalendar {
		// The scheduling inbox and outbox are not shared (RFC 6638 §6:
		// their privileges are the scheduling ones).
		return caldav.ErrForbidden
	}
	var grants []calendar.Grant
	public := false
	for _, ace := range acl {
		if ace.Protected || ace.InheritedFrom != "" {
			continue
		}
		g := ace.Grant &^ caldav.PrivReadCurrentUserPrivilegeSet
		access := ""
		switch g {
		case caldav.PrivRead, caldav.PrivRead | caldav.PrivReadFreeBusy:
			access = calendar.AccessRead
		case caldav.PrivRead | caldav.PrivWrite, caldav.PrivRead | caldav.PrivReadFreeBusy | caldav.PrivWrite:
			access = calendar.AccessWrite
		case caldav.PrivReadFreeBusy:
			access = calendar.AccessFreeBusy
		}
		switch {
		case ace.Principal == e.Owner.Name && ace.Grant == caldav.PrivAll:
			// The owner's protected ACE sent back.
		case ace.Principal == "all" && access == calendar.AccessRead:
			public = true
		case access == "" || ace.Principal == "all" || ace.Principal == "authenticated" ||
			ace.Principal == "unauthenticated" || ace.Principal == "self" || ace.Principal == e.Owner.Name:
			return fmt.Errorf("ACE for %q: %w", ace.Principal, caldav.ErrForbidden)
		default:
			grants = append(grants, calendar.Grant{Principal: ace.Principal, Access: access})
		}
	}
	return davError(b.svc.SetGrants(ctx, e.Collection, grants, public))
}

func toDAVObject(o *calendar.Object) *caldav.Object {
	return &caldav.Object{Name: o.Name, ETag: o.ETag, ScheduleTag: o.ScheduleTag, Data: o.Data, Size: o.Size, Modified: o.Modified}
}

func toDAVObjects(os []*calendar.Object) []*caldav.Object {
	out := make([]*caldav.Object, len(os))
	for i, o := range os {
		out[i] = toDAVObject(o)
	}
	return out
}

func (b *davBackend) Object(ctx context.Context, owner, cal, name string) (*caldav.Object, error) {
	e, err := b.resolve(ctx, owner, cal, calendar.RightRead)
	if err != nil {
		return nil, err
	}
	o, err := b.svc.Object(ctx, e.Collection, name)
	if err != nil {
		return nil, davError(err)
	}
	return toDAVObject(o), nil
}

func (b *davBackend) Objects(ctx context.Context, owner, cal string, names []string) ([]*caldav.Object, error) {
	e, err := b.resolve(ctx, owner, cal, calendar.RightRead)
	if err != nil {
		return nil, err
	}
	os, err := b.svc.Objects(ctx, e.Collection, names)
	if err != nil {
		return nil, davError(err)
	}
	return toDAVObjects(os), nil
}

func (b *davBackend) ListObjects(ctx context.Context, owner, cal string, withData bool) iter.Seq2[*caldav.Object, error] {
	return b.objects(ctx, owner, cal, calendar.RightRead, calendar.Query{WithData: withData})
}

// QueryObjects needs DAV:read, or CALDAV:read-free-busy (RFC 4791 §6.1.1)
// for the free-busy report: such a principal gets each object reduced to
// calendar.FreeBusyData.
func (b *davBackend) QueryObjects(ctx context.Context, owner, cal, comp string, start, end time.Time, withData bool) iter.Seq2[*caldav.Object, error] {
	return b.objects(ctx, owner, cal, calendar.RightReadFreeBusy,
		calendar.Query{Component: comp, Start: start, End: end, WithData: withData})
}

// objects yields the candidates of q in owner's calendar cal, reading
// them opt.PageSize at a time (keyset pagination by name): at most one
// page is in memory, and no database connection is held between pages,
// while the handler writes. The privilege need is checked once, before
// the first page.
func (b *davBackend) objects(ctx context.Context, owner, cal string, need calendar.Rights, q calendar.Query) iter.Seq2[*caldav.Object, error] {
	return func(yield func(*caldav.Object, error) bool) {
		e, err := b.resolve(ctx, owner, cal, need)
		if err != nil {
			yield(nil, err)
			return
		}
		freeBusy := q.WithData && !e.Rights.Has(calendar.RightRead)
		q.Limit = b.opt.PageSize
		for {
			page, err := b.svc.QueryObjects(ctx, e.Collection, q)
			if err != nil {
				yield(nil, davError(err))
				return
			}
			if len(page) == 0 {
				return
			}
			q.After = page[len(page)-1].Name
			for i, o := range page {
				page[i] = nil // collectable once the handler is done with it
				if freeBusy {
					if o.Data, err = calendar.FreeBusyData(o.Data); err != nil {
						yield(nil, err)
						return
					}
					o.Size = int64(len(o.Data))
				}
				if !yield(toDAVObject(o), nil) {
					return
				}
			}
			if len(page) < q.Limit {
				return
			}
		}
	}
}

func (b *davBackend) PutObject(ctx context.Context, owner, cal, name string, data []byte, vcal *ical.Component, cond caldav.Conditions) (caldav.PutResult, error) {
	e, err := b.resolve(ctx, owner, cal, calendar.RightWriteContent|calendar.RightBind)
	if err != nil {
		return caldav.PutResult{}, err
	}
	o, created, err := b.svc.PutObject(ctx, e.Collection, name, data, vcal, calendarConditions(cond))
	if err != nil {
		return caldav.PutResult{}, objectError(err, e.Home, e.Name)
	}
	return caldav.PutResult{ETag: o.ETag, ScheduleTag: o.ScheduleTag, Created: created, Changed: !bytes.Equal(o.Data, data)}, nil
}

// calendarConditions are the service's conditions for a write of the
// Request-URI.
func calendarConditions(c caldav.Conditions) calendar.Conditions {
	return calendar.Conditions{IfMatch: c.IfMatch, IfNoneMatch: c.IfNoneMatch, IfScheduleTag: c.IfScheduleTag, NoScheduleReply: c.NoScheduleReply}
}

func (b *davBackend) DeleteObject(ctx context.Context, owner, cal, name string, cond caldav.Conditions) error {
	e, err := b.resolve(ctx, owner, cal, calendar.RightUnbind)
	if err != nil {
		return err
	}
	if err := b.svc.DeleteObject(ctx, e.Collection, name, calendarConditions(cond)); err != nil {
		return objectError(err, e.Home, e.Name)
	}
	return nil
}

func (b *davBackend) MoveObject(ctx context.Context, owner, cal, name, toOwner, toCal, toName string, cond caldav.Conditions) (bool, error) {
	from, err := b.resolve(ctx, owner, cal, calendar.RightRead|calendar.RightUnbind)
	if err != nil {
		return false, err
	}
	to, err := b.resolve(ctx, toOwner, toCal, calendar.RightBind|calendar.RightWriteContent)
	if err != nil {
		return false, err
	}
	created, err := b.svc.MoveObject(ctx, from.Collection, name, to.Collection, toName, calendar.Conditions{IfMatch: cond.IfMatch, IfNoneMatch: cond.IfNoneMatch})
	if err != nil {
		return false, objectError(err, to.Home, to.Name)
	}
	return created, nil
}

// Changes answers sync-collection (RFC 6578 §3): token "" lists every
// member without deletions; otherwise the changes after the token's
// sequence. With a limit, the answer stops at the limit-th change and its
// token is that change's sequence.
func (b *davBackend) Changes(ctx context.Context, owner, cal, token string, limit int) ([]caldav.Change, string, bool, error) {
	e, err := b.resolve(ctx, owner, cal, calendar.RightRead)
	if err != nil {
		return nil, "", false, err
	}
	coll := e.Collection
	var since int64
	if token != "" {
		if since, err = b.parseSyncToken(coll, token); err != nil {
			return nil, "", false, err
		}
	}
	ask := limit
	if limit > 0 {
		ask = limit + 1
	}
	cs, err := b.svc.Changes(ctx, coll, since, ask)
	if err != nil {
		return nil, "", false, davError(err)
	}
	truncated := limit > 0 && len(cs) > limit
	if truncated {
		cs = cs[:limit]
	}
	seq := coll.Seq
	if len(cs) > 0 && (truncated || cs[len(cs)-1].Seq > seq) {
		seq = cs[len(cs)-1].Seq
	}
	out := make([]caldav.Change, 0, len(cs))
	for _, c := range cs {
		if token == "" && c.Deleted {
			continue
		}
		out = append(out, caldav.Change{Name: c.Name, Deleted: c.Deleted})
	}
	return out, b.syncToken(coll, seq), truncated, nil
}

// Quota answers for the current user's own home, or an administrator.
func (b *davBackend) Quota(ctx context.Context, owner string) (int64, int64, error) {
	cur := calendar.PrincipalFromContext(ctx)
	if cur == nil || cur.Name != owner && !cur.Admin {
		return 0, 0, caldav.ErrForbidden
	}
	used, avail, err := b.svc.Quota(ctx, owner)
	if err != nil {
		return 0, 0, davError(err)
	}
	return used, avail, nil
}

// ScheduleFreeBusy answers a free-busy request the current user POSTs to
// their outbox (RFC 6638 §5): each recipient's busy time, never their
// events.
func (b *davBackend) ScheduleFreeBusy(ctx context.Context, owner string, msg *ical.Component) ([]caldav.ScheduleResponse, error) {
	cur := calendar.PrincipalFromContext(ctx)
	if cur == nil || cur.Name != owner {
		return nil, caldav.ErrForbidden
	}
	as, err := b.svc.ScheduleFreeBusy(ctx, owner, msg)
	if err != nil {
		if se := scheduleError(err); se != nil {
			return nil, se
		}
		return nil, davError(err)
	}
	out := make([]caldav.ScheduleResponse, len(as))
	for i, a := range as {
		out[i] = caldav.ScheduleResponse{Recipient: a.Recipient, Status: a.Status, Data: a.Reply}
	}
	return out, nil
}
