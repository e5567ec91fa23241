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

	// The scheduling privileges of RFC 6638 §6. The deliver privileges
	// apply to a scheduling inbox only (§6.1), the send privileges to a
	// scheduling outbox only (§6.2); elsewhere they are ignored and not
	// shown.
	PrivScheduleDeliverInvite // CALDAV:schedule-deliver-invite (§6.1.2)
	PrivScheduleDeliverReply  // CALDAV:schedule-deliver-reply (§6.1.3)
	PrivScheduleQueryFreeBusy // CALDAV:schedule-query-freebusy (§6.1.4)
	PrivScheduleSendInvite    // CALDAV:schedule-send-invite (§6.2.2)
	PrivScheduleSendReply     // CALDAV:schedule-send-reply (§6.2.3)
	PrivScheduleSendFreeBusy  // CALDAV:schedule-send-freebusy (§6.2.4)

	PrivWrite = PrivWriteProperties | PrivWriteContent | PrivBind | PrivUnbind
	// PrivScheduleDeliver and PrivScheduleSend are the aggregates
	// CALDAV:schedule-deliver and CALDAV:schedule-send (RFC 6638 §6.3).
	PrivScheduleDeliver = PrivScheduleDeliverInvite | PrivScheduleDeliverReply | PrivScheduleQueryFreeBusy
	PrivScheduleSend    = PrivScheduleSendInvite | PrivScheduleSendReply | PrivScheduleSendFreeBusy
	// PrivAll is DAV:all, which contains the scheduling aggregates (RFC
	// 6638 §6.3). A resource shows DAV:all when the privileges it
	// supports are all granted: a calendar needs no scheduling
	// privilege for it.
	PrivAll = PrivRead | PrivReadFreeBusy | PrivWrite | PrivReadACL | PrivWriteACL | PrivReadCurrentUserPrivilegeSet |
		PrivScheduleDeliver | PrivScheduleSend
)

// Principal is a calendar user as CalDAV shows it.
type Principal struct {
	Name        string // URL segment under the principals collection
	DisplayName string
	Type        string   // individual, group, room or resource (RFC 6638 §2.4.2, lower case)
	Addresses   []string // calendar-user-address-set, "mailto:" URIs first
	// Inbox and Outbox are the names, in the principal's home, of its
	// scheduling inbox and outbox (RFC 6638 §2.2.1, §2.1.1), or "" when
	// the principal has none: it then does not receive, or does not
	// send, scheduling messages.
	Inbox, Outbox string
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

	// Privileges of the current user on the collection; on an inbox or
	// outbox including the scheduling privileges of RFC 6638 §6.
	Privileges Privileges
	ACL        []ACE

	// FeedURL is the absolute path of the subscribable .ics feed, or "".
	FeedURL string

	// Transparent is CALDAV:schedule-calendar-transp (RFC 6638 §9.1) of
	// a calendar: its objects do not count as busy time. false is
	// CALDAV:opaque, the default.
	Transparent bool
	// DefaultCalendar is, on an inbox, the name in the same home of the
	// calendar that CALDAV:schedule-default-calendar-URL names (RFC 6638
	// §9.2), where the server files new scheduling object resources; ""
	// means none.
	DefaultCalendar string
	// Availability is, on an inbox, CALDAV:calendar-availability (RFC
	// 7953 §7.2.4): a VCALENDAR with one VAVAILABILITY and possibly
	// VTIMEZONEs, or "". The handler checks it before UpdateCalendar.
	Availability string
}

// Property is a dead WebDAV property: XML is the element's inner XML.
type Property struct {
	Space, Local, XML string
}

// Object is a calendar object resource.
type Object struct {
	Name string
	ETag string // quoted strong ETag
	// ScheduleTag is the quoted opaque-tag CALDAV:schedule-tag (RFC 6638
	// §3.2.10, §9.3) of a scheduling object resource, "" for any other.
	ScheduleTag string
	Data        []byte // nil when not asked for
	Size        int64
	Modified    time.Time
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
	// IfScheduleTag is "" or the quoted opaque-tag of
	// If-Schedule-Tag-Match (RFC 6638 §8.3): the object must exist and
	// have this ScheduleTag, else ErrPreconditionFailed. The handler
	// checks it first; the backend checks it again in the write.
	IfScheduleTag string
	// NoScheduleReply is "Schedule-Reply: F" (RFC 6638 §8.1): when an
	// attendee's write or removal of a scheduling object resource would
	// send a reply to the organizer, none is sent.
	NoScheduleReply bool
}

// PutResult is what Backend.PutObject stored.
type PutResult struct {
	ETag        string // of the stored data
	ScheduleTag string // "" unless a scheduling object resource
	Created     bool
	// Changed: the server stored different bytes than the client sent
	// (it added SCHEDULE-STATUS, bumped SEQUENCE, merged attendee
	// changes …). The response then has no ETag header (RFC 4791
	// §5.3.4; RFC 6638 §3.2.10 clients re-fetch).
	Changed bool
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
	// user may see, the scheduling inbox and outbox among them.
	Calendars(ctx context.Context, owner string) ([]*Calendar, error)
	Calendar(ctx context.Context, owner, name string) (*Calendar, error)
	// CreateCalendar creates c in c.Owner's home (ErrExists if taken);
	// c is of Kind "calendar".
	CreateCalendar(ctx context.Context, c *Calendar) error
	// UpdateCalendar stores the descriptive fields and Props of c, and
	// Transparent, DefaultCalendar and Availability (which the handler
	// has checked; a backend that finds DefaultCalendar unfit returns
	// *ScheduleError valid-schedule-default-calendar-URL).
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
	// form is vcal (a VCALENDAR), in a calendar collection (never in an
	// inbox or outbox: the handler refuses those). A scheduling backend
	// runs the RFC 6638 §3.2 operations here and reports failed
	// scheduling preconditions as *ScheduleError.
	PutObject(ctx context.Context, owner, cal, name string, data []byte, vcal *ical.Component, cond Conditions) (PutResult, error)
	// DeleteObject removes an object, checking cond.IfMatch and
	// cond.IfScheduleTag (cond.IfNoneMatch is the handler's).
	DeleteObject(ctx context.Context, owner, cal, name string, cond Conditions) error
	// MoveObject moves an object, possibly to another calendar, in one
	// step; cond applies to the destination, except NoScheduleReply,
	// which applies to the move.
	MoveObject(ctx context.Context, owner, cal, name, toOwner, toCal, toName string, cond Conditions) (created bool, err error)
	// Changes lists the members changed since token ("" = all members, no
	// deletions), at most limit (<= 0: no limit), and the token of the
	// state the answer reaches. truncated says more changes remain.
	Changes(ctx context.Context, owner, cal, token string, limit int) (changes []Change, newToken string, truncated bool, err error)

	// Quota reports a principal's used and available bytes (RFC 4331);
	// available < 0 means no limit.
	Quota(ctx context.Context, owner string) (used, available int64, err error)
}
