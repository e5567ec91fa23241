// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Errors every Store returns for the conditions its callers check.
var (
	// ErrNotFound: no principal, collection, object or app password
	// matches. Stores translate sql.ErrNoRows into it.
	ErrNotFound = errors.New("calendar: not found")
	// ErrExists: a principal name or address, or a collection name, is
	// already taken.
	ErrExists = errors.New("calendar: already exists")
	// ErrPreconditionFailed: If-Match or If-None-Match (RFC 9110
	// §13.1.1–13.1.2) or If-Schedule-Tag-Match (RFC 6638 §8.3) did not
	// hold; a WebDAV server answers 412.
	ErrPreconditionFailed = errors.New("calendar: precondition failed")
	// ErrInvalidSyncToken: the sync token is unknown, from another
	// collection or newer than the collection (RFC 6578 §3.2).
	ErrInvalidSyncToken = errors.New("calendar: invalid sync token")
)

// UIDConflictError reports that another object of the collection already
// has the UID (RFC 4791 §5.3.2.1 CALDAV:no-uid-conflict).
type UIDConflictError struct {
	UID  string
	Name string // the resource name that holds the UID
}

func (e *UIDConflictError) Error() string {
	return fmt.Sprintf("calendar: UID %q is already used by %q", e.UID, e.Name)
}

// Conditions are the HTTP preconditions of a write.
type Conditions struct {
	// IfMatch is "" (no condition), "*" (the object must exist) or one
	// quoted strong ETag the current object must have.
	IfMatch string
	// IfNoneMatch means "If-None-Match: *": the object must not exist.
	IfNoneMatch bool
	// IfScheduleTag is "" (no condition) or the quoted schedule tag of
	// If-Schedule-Tag-Match (RFC 6638 §8.3): the object must exist and
	// its ScheduleTag must equal it.
	IfScheduleTag string
	// NoScheduleReply is the request header "Schedule-Reply: F" (RFC 6638
	// §8.1): an attendee's change or deletion sends no REPLY. Stores
	// ignore it.
	NoScheduleReply bool
}

// Query selects candidate objects of one collection by the index, ordered
// by name. After and Limit page through the candidates by name (keyset
// pagination): the next page starts after the last name of the previous
// one.
type Query struct {
	// Component limits the result to one component type ("VEVENT");
	// "" means any.
	Component string
	// Start and End bound the time range [Start, End). Zero values mean
	// MinTime and MaxTime. A stored object is a candidate when its span
	// overlaps the range by the rule of Overlaps; for a recurring object
	// whose Index window covers the range, one of its Instances must
	// overlap it. Candidates are a superset: callers apply the exact
	// RFC 4791 §9.9 rules to them.
	//
	// A query without a time range (Start zero or at most MinTime, End
	// zero or at least MaxTime) lists every object of Component: a
	// listing in pages is such a query.
	Start, End time.Time
	// WithData fills Object.Data.
	WithData bool
	// After limits the result to the names greater than After; "" means
	// from the first.
	After string
	// Limit is the most objects returned; 0 means no limit.
	Limit int
}

// Unbounded reports whether q has no time range.
func (q Query) Unbounded() bool {
	return !q.Start.After(MinTime) && (q.End.IsZero() || !q.End.Before(MaxTime))
}

// Store is the persistence contract of the calendar service. Every method
// is safe for concurrent use. A write and its change-log entry commit in
// one transaction. Reads return ErrNotFound rather than nil values.
// internal/store/storetest is the conformance suite.
type Store interface {
	// CreatePrincipal stores p, setting p.ID and p.Created. A taken name or
	// address gives ErrExists.
	CreatePrincipal(ctx context.Context, p *Principal) error
	Principal(ctx context.Context, id int64) (*Principal, error)
	PrincipalByName(ctx context.Context, name string) (*Principal, error)
	// PrincipalByAddress finds the principal with the calendar user
	// address; the match ignores the case of the scheme and of the whole
	// mailto: address.
	PrincipalByAddress(ctx context.Context, addr string) (*Principal, error)
	// Principals lists every principal, ordered by name.
	Principals(ctx context.Context) ([]*Principal, error)
	// UpdatePrincipal replaces everything but ID, Name and Created.
	UpdatePrincipal(ctx context.Context, p *Principal) error
	// DeletePrincipal removes the principal with its collections, objects,
	// shares, app passwords and deliveries.
	DeletePrincipal(ctx context.Context, id int64) error

	// CreateAppPassword stores a, setting a.ID and a.Created.
	CreateAppPassword(ctx context.Context, a *AppPassword) error
	// AppPasswordByHash finds an app password by the SHA-256 of its token.
	AppPasswordByHash(ctx context.Context, hash []byte) (*AppPassword, error)
	AppPasswords(ctx context.Context, principalID int64) ([]*AppPassword, error)
	DeleteAppPassword(ctx context.Context, id int64) error

	// CreateCollection stores c, setting c.ID, c.Created and c.Modified;
	// c.Seq starts at 0. A taken (OwnerID, Name) gives ErrExists.
	CreateCollection(ctx context.Context, c *Collection) error
	Collection(ctx context.Context, id int64) (*Collection, error)
	CollectionByName(ctx context.Context, ownerID int64, name string) (*Collection, error)
	CollectionByFeedToken(ctx context.Context, token string) (*Collection, error)
	// Collections lists a principal's collections ordered by Order, then
	// Name.
	Collections(ctx context.Context, ownerID int64) ([]*Collection, error)
	// UpdateCollection replaces the descriptive fields (DisplayName …
	// FeedToken, Props, Components) and Modified; it does not change Seq.
	UpdateCollection(ctx context.Context, c *Collection) error
	// DeleteCollection removes the collection with its objects, changes
	// and shares.
	DeleteCollection(ctx context.Context, id int64) error

	// PutObject creates or replaces the object named o.Name in
	// o.CollectionID, with its index and o.ScheduleTag, checking cond and
	// UID uniqueness (*UIDConflictError) in the same transaction. It
	// increments the collection's Seq, sets o.Seq to the new value, sets
	// o.Modified and records the change. created is true when no object
	// had the name. A failed condition gives ErrPreconditionFailed and
	// changes nothing.
	PutObject(ctx context.Context, o *Object, cond Conditions) (created bool, err error)
	// DeleteObject removes an object and records the change (a tombstone),
	// checking cond.IfMatch and cond.IfScheduleTag in the same
	// transaction; cond.IfNoneMatch is ignored. A missing object gives
	// ErrNotFound whatever cond says (RFC 9110 §13.2.1).
	DeleteObject(ctx context.Context, collectionID int64, name string, cond Conditions) error
	// MoveObject stores o (as PutObject with cond) and deletes the object
	// fromName of fromCollection (which may be o's collection) in one
	// transaction, recording both changes.
	MoveObject(ctx context.Context, fromCollection int64, fromName string, o *Object, cond Conditions) (created bool, err error)
	// Object returns one object with its Data and its Index without
	// Instances.
	Object(ctx context.Context, collectionID int64, name string) (*Object, error)
	ObjectByUID(ctx context.Context, collectionID int64, uid string) (*Object, error)
	// Objects returns the named objects that exist, with Data, in the
	// order of names.
	Objects(ctx context.Context, collectionID int64, names []string) ([]*Object, error)
	// ListObjects returns every object of the collection ordered by name,
	// with Data when withData is true. QueryObjects with a Query without
	// a time range lists the same objects in pages.
	ListObjects(ctx context.Context, collectionID int64, withData bool) ([]*Object, error)
	// QueryObjects returns the candidates of q ordered by name, from
	// q.After on and at most q.Limit of them.
	QueryObjects(ctx context.Context, collectionID int64, q Query) ([]*Object, error)
	// Changes returns the latest change of every object name changed after
	// sequence since, ordered by Seq, at most limit of them (limit <= 0:
	// all). A since greater than the collection's Seq, or below 0, gives
	// ErrInvalidSyncToken.
	Changes(ctx context.Context, collectionID int64, since int64, limit int) ([]Change, error)

	// SetShare creates or replaces the grant of s.CollectionID to
	// s.PrincipalID.
	SetShare(ctx context.Context, s Share) error
	DeleteShare(ctx context.Context, collectionID, principalID int64) error
	// Shares lists the grants on a collection.
	Shares(ctx context.Context, collectionID int64) ([]Share, error)
	// SharedWith lists the grants to a principal.
	SharedWith(ctx context.Context, principalID int64) ([]Share, error)

	// UsedBytes is the sum of the sizes of a principal's objects.
	UsedBytes(ctx context.Context, ownerID int64) (int64, error)

	// The delivery queue holds scheduling messages for recipients outside
	// the service (RFC 6638 §3.2.9) until a transport is done with them;
	// it survives restarts. Deleting the owner deletes its deliveries;
	// deleting the collection or object they refer to does not.

	// EnqueueDelivery stores d, setting d.ID and d.Created. An unknown
	// d.OwnerID gives ErrNotFound.
	EnqueueDelivery(ctx context.Context, d *Delivery) error
	// DueDeliveries returns the deliveries whose Transport is transport
	// ("" selects those without one) and whose NextAttempt is at or
	// before now, ordered by NextAttempt, then ID, at most limit of them
	// (limit <= 0: all).
	DueDeliveries(ctx context.Context, transport string, now time.Time, limit int) ([]*Delivery, error)
	// UpdateDelivery replaces d's Transport, Status, Attempts, NextAttempt
	// and LastError.
	UpdateDelivery(ctx context.Context, d *Delivery) error
	DeleteDelivery(ctx context.Context, id int64) error
	// Deliveries lists a principal's deliveries ordered by ID.
	Deliveries(ctx context.Context, ownerID int64) ([]*Delivery, error)
	Delivery(ctx context.Context, id int64) (*Delivery, error)

	Close() error
}
