// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// Errors a Backend returns; the handler maps each to its status and
// DAV:error precondition.
var (
	ErrNotFound           = errors.New("caldav: not found")             // 404
	ErrForbidden          = errors.New("caldav: forbidden")             // 403 DAV:need-privileges
	ErrExists             = errors.New("caldav: already exists")        // 405 on MKCALENDAR/MKCOL (RFC 4791 §5.3.1), 412 on COPY/MOVE without Overwrite
	ErrPreconditionFailed = errors.New("caldav: precondition failed")   // 412
	ErrInvalidSyncToken   = errors.New("caldav: invalid sync token")    // 403 DAV:valid-sync-token
	ErrQuotaExceeded      = errors.New("caldav: quota exceeded")        // 507 DAV:quota-not-exceeded (RFC 4331 §6)
	ErrNotSupported       = errors.New("caldav: operation not allowed") // 405
)

// UIDConflictError is CALDAV:no-uid-conflict (RFC 4791 §5.3.2.1): Href is
// the path of the resource that already holds the UID.
type UIDConflictError struct{ Href string }

func (e *UIDConflictError) Error() string {
	return fmt.Sprintf("caldav: UID already used by %s", e.Href)
}

// Privileges is a set of RFC 3744 §3 / RFC 4791 §6.1 privileges.
type Privileges uint32

const (
	PrivRead         Privileges = 1 << iota
	PrivReadFreeBusy            // CALDAV:read-free-busy, contained in DAV:read
	PrivWriteProperties
	PrivWriteContent
	PrivBind
	PrivUnbind
	PrivReadACL
	PrivWriteACL
	PrivReadCurrentUserPrivilegeSet

	PrivWrite = PrivWriteProperties | PrivWriteContent | PrivBind | PrivUnbind
	PrivAll   = PrivRead | PrivReadFreeBusy | PrivWrite | PrivReadACL | PrivWriteACL | PrivReadCurrentUserPrivilegeSet
)

// Principal is a calendar user as CalDAV shows it.
type Principal struct {
	Name        string // URL segment under the principals collection
	DisplayName string
	Type        string   // individual, group, room or resource (RFC 6638 §2.4.2, lower case)
	Addresses   []string // calendar-user-address-set, "mailto:" URIs first
}

// ACE is one access control entry (RFC 3744 §5.5). Principal is a
// principal name, or one of "all", "authenticated", "unauthenticated",
// "self" (RFC 3744 §5.5.1).
type ACE struct {
	Principal string
	Grant     Privileges
	Protected bool
	// InheritedFrom is the path the ACE is inherited from, or "".
	InheritedFrom string
}

// Calendar is a calendar collection (or, with Kind, a scheduling inbox or
// outbox) seen by the current user.
type Calendar struct {
	Owner string // principal name
	Name  string // URL segment inside the owner's home
	Kind  string // "calendar", "inbox" or "outbox"

	DisplayName string
	Description string
	Color       string
	Order       int
	Timezone    string   // VCALENDAR text with one VTIMEZONE, or ""
	Components  []string // supported-calendar-component-set; nil = VEVENT, VTODO, VJOURNAL
	Props       []Property

	// SyncToken is the RFC 6578 token (a URI) of the current state; CTag
	// is the CS:getctag value. Both change with every member change.
	SyncToken string
	CTag      string
	Modified  time.Time

	// Privileges of the current user on the collection.
	Privileges Privileges
	ACL        []ACE

	// FeedURL is the absolute path of the subscribable .ics feed, or "".
	FeedURL string
}

// Property is a dead WebDAV property: XML is the element's inner XML.
type Property struct {
	Space, Local, XML string
}

// Object is a calendar object resource.
type Object struct {
	Name     string
	ETag     string // quoted strong ETag
	Data     []byte // nil when not asked for
	Size     int64
	Modified time.Time
}

// Change is a member of a sync-collection answer.
type Change struct {
	Name    string
	Deleted bool
}

// Conditions are the HTTP preconditions of a write.
type Conditions struct {
	IfMatch     string // "", "*" or one quoted ETag
	IfNoneMatch bool   // If-None-Match: *
}

// Backend is what the CalDAV handler needs from the calendar service. The
// authenticated principal travels in the context; the handler never sees
// credentials. Every method checks the current user's privileges and
// returns ErrForbidden when they are missing. Paths name a calendar by its
// owner and name; the backend decides what the names mean (shared
// calendars may appear in the sharee's home under a name of the backend's
// choosing).
type Backend interface {
	// CurrentUser is the authenticated principal, or nil for an anonymous
	// request (only public calendars are then visible).
	CurrentUser(ctx context.Context) (*Principal, error)
	Principal(ctx context.Context, name string) (*Principal, error)
	// PrincipalByAddress finds a principal by calendar user address.
	PrincipalByAddress(ctx context.Context, addr string) (*Principal, error)
	Principals(ctx context.Context) ([]*Principal, error)

	// Calendars lists the collections of owner's home that the current
	// user may see.
	Calendars(ctx context.Context, owner string) ([]*Calendar, error)
	Calendar(ctx context.Context, owner, name string) (*Calendar, error)
	// CreateCalendar creates c in c.Owner's home (ErrExists if taken).
	CreateCalendar(ctx context.Context, c *Calendar) error
	// UpdateCalendar stores the descriptive fields and Props of c.
	UpdateCalendar(ctx context.Context, c *Calendar) error
	DeleteCalendar(ctx context.Context, owner, name string) error
	// SetACL replaces the non-protected ACEs of a calendar (RFC 3744 §8.1).
	SetACL(ctx context.Context, owner, name string, acl []ACE) error

	Object(ctx context.Context, owner, cal, name string) (*Object, error)
	// Objects returns the named objects that exist, with Data.
	Objects(ctx context.Context, owner, cal string, names []string) ([]*Object, error)
	// ListObjects yields every object of a calendar, with Data when
	// withData. See QueryObjects for how the sequence ends.
	ListObjects(ctx context.Context, owner, cal string, withData bool) iter.Seq2[*Object, error]
	// QueryObjects yields, with Data when withData, a superset of the
	// objects whose component comp ("" = any) may overlap [start, end)
	// (zero times = unbounded); the handler applies the exact filter.
	// Without a time range (both times zero) every object it yields has
	// the main component comp, so that a filter on the component name
	// alone needs no data.
	//
	// ListObjects and QueryObjects yield the objects as the backend reads
	// them, page by page, rather than the whole calendar at once. An
	// error, such as ErrForbidden before the first object, ends the
	// sequence as its last pair (nil, err).
	QueryObjects(ctx context.Context, owner, cal, comp string, start, end time.Time, withData bool) iter.Seq2[*Object, error]
	// PutObject stores data, already checked by the handler, whose parsed
	// form is vcal (a VCALENDAR).
	PutObject(ctx context.Context, owner, cal, name string, data []byte, vcal *ical.Component, cond Conditions) (etag string, created bool, err error)
	DeleteObject(ctx context.Context, owner, cal, name, ifMatch string) error
	// MoveObject moves an object, possibly to another calendar, in one
	// step; cond applies to the destination.
	MoveObject(ctx context.Context, owner, cal, name, toOwner, toCal, toName string, cond Conditions) (created bool, err error)
	// Changes lists the members changed since token ("" = all members, no
	// deletions), at most limit (<= 0: no limit), and the token of the
	// state the answer reaches. truncated says more changes remain.
	Changes(ctx context.Context, owner, cal, token string, limit int) (changes []Change, newToken string, truncated bool, err error)

	// Quota reports a principal's used and available bytes (RFC 4331);
	// available < 0 means no limit.
	Quota(ctx context.Context, owner string) (used, available int64, err error)
}
