// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import "time"

// Principal kinds, as RFC 6638 §2.4.2 calendar-user-type values in lower
// case.
const (
	TypeIndividual = "individual"
	TypeGroup      = "group"
	TypeRoom       = "room"
	TypeResource   = "resource"
)

// Principal is a user, room or resource: something that logs in, owns
// collections or is scheduled.
type Principal struct {
	ID          int64
	Name        string // login name and URL segment
	DisplayName string
	Type        string // TypeIndividual, TypeRoom …
	Admin       bool
	// Addresses are the calendar user addresses (RFC 6638 §2.4.1), each a
	// URI such as "mailto:ann@example.org"; the first is preferred.
	Addresses []string
	// PasswordHash is an argon2id PHC string; "" means no password login.
	PasswordHash string
	// QuotaBytes limits the sum of the principal's object sizes; 0 means
	// no limit.
	QuotaBytes int64
	Created    time.Time
}

// AppPassword is a random token a DAV client uses instead of the password;
// only the SHA-256 of the token is stored.
type AppPassword struct {
	ID          int64
	PrincipalID int64
	Label       string
	Hash        []byte
	Created     time.Time
}

// Collection kinds.
const (
	KindCalendar = "calendar" // RFC 4791 calendar collection
	KindInbox    = "inbox"    // RFC 6638 scheduling inbox
	KindOutbox   = "outbox"   // RFC 6638 scheduling outbox
)

// Collection is a calendar or a scheduling inbox/outbox of a principal.
type Collection struct {
	ID      int64
	OwnerID int64
	Name    string // URL segment inside the owner's home
	Kind    string

	DisplayName string
	Description string
	Color       string // "#RRGGBB" or "#RRGGBBAA" (Apple calendar-color)
	Order       int
	// Timezone is a VCALENDAR holding one VTIMEZONE (RFC 4791 §5.2.2), or "".
	Timezone string
	// Components is the supported-calendar-component-set; nil means
	// VEVENT, VTODO and VJOURNAL.
	Components []string
	// Props are the dead properties set by PROPPATCH.
	Props []DeadProp
	// Transparent is RFC 6638 §9.1 schedule-calendar-transp: the
	// collection's events do not count as busy.
	Transparent bool
	// PublicRead lets anyone read the collection.
	PublicRead bool
	// FeedToken is the secret of the subscribable feed URL; "" means none.
	FeedToken string

	// Seq is the last change sequence number: the CTag and sync token
	// come from it. It only grows.
	Seq      int64
	Created  time.Time
	Modified time.Time
}

// DeadProp is a WebDAV property stored as given (RFC 4918 §4.2).
type DeadProp struct {
	Space string // XML namespace
	Local string // local name
	XML   string // the element's inner XML, verbatim
}

// Object is a calendar object resource.
type Object struct {
	ID           int64
	CollectionID int64
	Name         string // resource name, e.g. "<uid>.ics"
	UID          string
	Component    string // the main component type: VEVENT, VTODO …
	ETag         string // quoted strong ETag
	ScheduleTag  string // quoted CALDAV:schedule-tag (RFC 6638 §3.2.10, §8.2); "" if not a scheduling object resource
	Data         []byte // the bytes as stored, returned on GET
	Size         int64
	Seq          int64 // the collection change that last wrote it
	Modified     time.Time
	Index        Index
}

// MinTime and MaxTime stand for an unbounded start or end in an Index.
var (
	MinTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// Index is what a time-range query needs to know about an object without
// parsing it. All times are UTC; floating times are indexed as if UTC and
// the span is widened by 14 hours on each side.
type Index struct {
	// Start and End bound every instance: MinTime/MaxTime when unbounded.
	Start, End time.Time
	// Recurring objects list their Instances over the window [From, Until).
	// A query inside the window consults Instances; outside it the span.
	Recurring   bool
	From, Until time.Time
	Instances   []Span
}

// Span is one occurrence's time range in UTC.
type Span struct{ Start, End time.Time }

// Overlaps reports whether a span [start, end) overlaps the query range
// [qs, qe) by RFC 4791 §9.9: start < qe and end > qs, where a zero-length
// span at t overlaps when qs <= t < qe.
func Overlaps(start, end, qs, qe time.Time) bool {
	if !start.Before(qe) {
		return false
	}
	if end.Equal(start) {
		return !start.Before(qs)
	}
	return end.After(qs)
}

// Change is the latest change of one object name in a collection.
type Change struct {
	Name    string
	Seq     int64
	Deleted bool
}

// Delivery is a scheduling message (RFC 5546 iTIP) waiting for, or done
// with, a transport to a recipient outside the service. Deliveries are
// persistent: a queued one survives restarts until it is deleted.
type Delivery struct {
	ID int64
	// OwnerID is the principal whose object records the outcome in
	// SCHEDULE-STATUS (RFC 6638 §7.3).
	OwnerID int64
	// CollectionID and ObjectName name that object: 0 and "" when there
	// is none, as for a free-busy reply.
	CollectionID int64
	ObjectName   string
	UID          string
	Method       string // iTIP METHOD (RFC 5546 §1.4)
	Originator   string // calendar user address of the sender
	Recipient    string // calendar user address of the recipient
	// Transport is "imip" (RFC 6047), "crisp" (the iSchedule-compatible
	// real-time endpoint), or "" while no transport is chosen.
	Transport string
	Message   []byte // the iTIP message: a VCALENDAR with METHOD
	// Status is the last REQUEST-STATUS code recorded for it, as in
	// SCHEDULE-STATUS (RFC 6638 §3.2.9: "1.0" pending, "1.1" sent, "1.2"
	// delivered, "5.1" could not deliver …); "" before any.
	Status   string
	Attempts int
	// NextAttempt is when a transport should try it next; the zero time
	// means at once.
	NextAttempt time.Time
	LastError   string // the cause of the last failed attempt, for the log
	Created     time.Time
}

// Access rights of a share.
const (
	AccessRead     = "read" // read everything
	AccessWrite    = "read-write"
	AccessFreeBusy = "free-busy" // CALDAV:read-free-busy only
)

// Share grants a principal access to another principal's collection.
type Share struct {
	CollectionID int64
	PrincipalID  int64
	Access       string
}
