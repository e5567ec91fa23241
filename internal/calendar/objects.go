// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
)

// ValidObjectName reports whether name can name a calendar object
// resource: 1 to 255 bytes, no "/", "\\" or control characters, not "." or
// "..".
func ValidObjectName(name string) bool {
	if len(name) == 0 || len(name) > 255 || name == "." || name == ".." {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f || c == '/' || c == '\\' {
			return false
		}
	}
	return true
}

// Collections lists a principal's own collections.
func (s *Service) Collections(ctx context.Context, owner string) ([]*Collection, error) {
	o, err := s.Principal(ctx, owner)
	if err != nil {
		return nil, err
	}
	cs, err := s.st.Collections(ctx, o.ID)
	if err != nil {
		return nil, fmt.Errorf("collections of %q: %w", owner, err)
	}
	return cs, nil
}

// Collection returns owner's collection name (shared names are not
// resolved; see Resolve).
func (s *Service) Collection(ctx context.Context, owner, name string) (*Collection, error) {
	_, c, err := s.ownedCollection(ctx, owner, name)
	return c, err
}

// CreateCollection creates c in owner's home. c.Name must satisfy
// ValidCollectionName; c.Kind "" means a calendar.
func (s *Service) CreateCollection(ctx context.Context, owner string, c *Collection) error {
	if !ValidCollectionName(c.Name) {
		return fmt.Errorf("collection name %q: %w", c.Name, ErrInvalidName)
	}
	switch c.Kind {
	case "":
		c.Kind = KindCalendar
	case KindCalendar, KindInbox, KindOutbox:
	default:
		return fmt.Errorf("collection kind %q: %w", c.Kind, ErrInvalidArgument)
	}
	o, err := s.Principal(ctx, owner)
	if err != nil {
		return err
	}
	c.OwnerID = o.ID
	if err := s.st.CreateCollection(ctx, c); err != nil {
		return fmt.Errorf("create collection %s/%s: %w", owner, c.Name, err)
	}
	return nil
}

// UpdateCollection stores the descriptive fields of c.
func (s *Service) UpdateCollection(ctx context.Context, c *Collection) error {
	if err := s.st.UpdateCollection(ctx, c); err != nil {
		return fmt.Errorf("update collection %q: %w", c.Name, err)
	}
	return nil
}

// DeleteCollection removes c with its objects, changes and shares.
func (s *Service) DeleteCollection(ctx context.Context, c *Collection) error {
	if err := s.st.DeleteCollection(ctx, c.ID); err != nil {
		return fmt.Errorf("delete collection %q: %w", c.Name, err)
	}
	return nil
}

// quota returns the quota of a principal: its own, else the default; 0
// means none.
func (s *Service) quota(p *Principal) int64 {
	if p.QuotaBytes > 0 {
		return p.QuotaBytes
	}
	return s.opt.DefaultQuota
}

// Quota reports a principal's used bytes and the bytes still available;
// available is -1 when there is no limit (RFC 4331 §3–4).
func (s *Service) Quota(ctx context.Context, owner string) (used, available int64, err error) {
	o, err := s.Principal(ctx, owner)
	if err != nil {
		return 0, 0, err
	}
	used, err = s.st.UsedBytes(ctx, o.ID)
	if err != nil {
		return 0, 0, fmt.Errorf("used bytes of %q: %w", owner, err)
	}
	q := s.quota(o)
	if q == 0 {
		return used, -1, nil
	}
	return used, max(q-used, 0), nil
}

// checkQuota returns ErrQuotaExceeded when writing size bytes as the
// object name of collection collID (0: a new object) takes the owner past
// their quota. Without a quota it costs one principal lookup.
func (s *Service) checkQuota(ctx context.Context, ownerID, size, collID int64, name string) error {
	o, err := s.st.Principal(ctx, ownerID)
	if err != nil {
		return fmt.Errorf("owner %d: %w", ownerID, err)
	}
	q := s.quota(o)
	if q == 0 {
		return nil
	}
	delta := size
	if collID != 0 {
		old, err := s.st.Object(ctx, collID, name)
		switch {
		case err == nil:
			delta -= old.Size
		case !errors.Is(err, ErrNotFound):
			return fmt.Errorf("object %q: %w", name, err)
		}
	}
	if delta <= 0 {
		return nil
	}
	used, err := s.st.UsedBytes(ctx, ownerID)
	if err != nil {
		return fmt.Errorf("used bytes of %q: %w", o.Name, err)
	}
	if used+delta > q {
		return fmt.Errorf("%q uses %d of %d bytes, %d more asked: %w", o.Name, used, q, delta, ErrQuotaExceeded)
	}
	return nil
}

// newObject builds the Object to store for data, whose parse is vcal.
// zr, if not nil, resolves the TZIDs (see index).
func (s *Service) newObject(coll *Collection, name string, data []byte, vcal *ical.Component, zr *tz.Resolver) (*Object, error) {
	if !ValidObjectName(name) {
		return nil, fmt.Errorf("object name %q: %w", name, ErrInvalidName)
	}
	uid, comp, idx, err := s.index(vcal, zr)
	if err != nil {
		return nil, err
	}
	if uid == "" {
		// RFC 4791 §4.1: every calendar object resource has a UID.
		return nil, fmt.Errorf("object %q has no UID: %w", name, ErrInvalidObject)
	}
	return &Object{
		CollectionID: coll.ID,
		Name:         name,
		UID:          uid,
		Component:    comp,
		ETag:         ETag(data),
		Data:         data,
		Size:         int64(len(data)),
		Index:        idx,
	}, nil
}

// PutObject stores data, whose parse is vcal (a VCALENDAR already
// validated by the caller), as the object name of coll, with its index and
// ETag. cond are the HTTP preconditions. It checks the owner's quota
// (ErrQuotaExceeded) and, in the store, UID uniqueness (*UIDConflictError).
// created says whether the object is new.
//
// A scheduling object resource (RFC 6638 §3.1) is scheduled implicitly:
// the returned Object holds what was stored, which may differ from data
// (SCHEDULE-STATUS, SEQUENCE …; compare the bytes), with a new
// schedule-tag, and the messages have been delivered or queued. A change
// the author may not make is an *itip.ChangeError.
func (s *Service) PutObject(ctx context.Context, coll *Collection, name string, data []byte, vcal *ical.Component, cond Conditions) (*Object, bool, error) {
	if coll.Kind != KindCalendar {
		// RFC 6638 §2.1, §2.2: clients do not write into the scheduling
		// inbox and outbox.
		return nil, false, fmt.Errorf("collection %q is a scheduling %s: %w", coll.Name, coll.Kind, ErrForbidden)
	}
	o, err := s.newObject(coll, name, data, vcal, nil)
	if err != nil {
		return nil, false, err
	}
	if supported := coll.Components; supported != nil && !slices.Contains(supported, o.Component) {
		// RFC 4791 §5.3.2.1 CALDAV:supported-calendar-component.
		return nil, false, fmt.Errorf("%s is not supported by collection %q: %w", o.Component, coll.Name, ErrInvalidObject)
	}
	if err := s.checkQuota(ctx, coll.OwnerID, o.Size, coll.ID, name); err != nil {
		return nil, false, err
	}
	out, err := s.scheduleWrite(ctx, coll, o, vcal, cond)
	if err != nil {
		return nil, false, fmt.Errorf("schedule %q: %w", name, err)
	}
	created, err := s.st.PutObject(ctx, o, cond)
	if err != nil {
		return nil, false, fmt.Errorf("put object %q: %w", name, err)
	}
	s.send(ctx, out)
	return o, created, nil
}

// DeleteObject removes an object under the conditions cond (IfMatch,
// IfScheduleTag). Deleting a scheduling object resource cancels the event
// for its attendees, or declines it for its organizer (RFC 6638 §3.2.1.3,
// §3.2.2.3) unless cond.NoScheduleReply.
func (s *Service) DeleteObject(ctx context.Context, coll *Collection, name string, cond Conditions) error {
	var out *outgoing
	if coll.Kind == KindCalendar {
		old, err := s.st.Object(ctx, coll.ID, name)
		if err != nil {
			return fmt.Errorf("delete object %q: %w", name, err)
		}
		if out, err = s.scheduleDelete(ctx, coll, old, cond); err != nil {
			return fmt.Errorf("schedule deletion of %q: %w", name, err)
		}
	}
	if err := s.st.DeleteObject(ctx, coll.ID, name, cond); err != nil {
		return fmt.Errorf("delete object %q: %w", name, err)
	}
	s.send(ctx, out)
	return nil
}

// MoveObject moves the object fromName of from to toName in to (which may
// be from) in one step; cond applies to the destination. A scheduling
// object keeps its schedule only among its owner's calendars: moving one
// to another principal's calendar is ErrForbidden (RFC 6638 §3.2.4.1 lets
// a server refuse). The moved object gets a new schedule-tag (§3.2.10).
func (s *Service) MoveObject(ctx context.Context, from *Collection, fromName string, to *Collection, toName string, cond Conditions) (bool, error) {
	if from.Kind != KindCalendar || to.Kind != KindCalendar {
		return false, fmt.Errorf("move between scheduling collections: %w", ErrForbidden)
	}
	src, err := s.st.Object(ctx, from.ID, fromName)
	if err != nil {
		return false, fmt.Errorf("object %q: %w", fromName, err)
	}
	cal, err := ical.Parse(src.Data)
	if err != nil {
		return false, fmt.Errorf("object %q: %w", fromName, err)
	}
	o, err := s.newObject(to, toName, src.Data, cal.Component, nil)
	if err != nil {
		return false, err
	}
	if src.ScheduleTag != "" {
		if to.OwnerID != from.OwnerID {
			return false, fmt.Errorf("move scheduling object %q to another owner: %w", fromName, ErrForbidden)
		}
		o.ScheduleTag = newScheduleTag()
	}
	if to.OwnerID != from.OwnerID {
		if err := s.checkQuota(ctx, to.OwnerID, o.Size, to.ID, toName); err != nil {
			return false, err
		}
	}
	created, err := s.st.MoveObject(ctx, from.ID, fromName, o, cond)
	if err != nil {
		return false, fmt.Errorf("move object %q to %q: %w", fromName, toName, err)
	}
	return created, nil
}

// Object returns one object with its data.
func (s *Service) Object(ctx context.Context, coll *Collection, name string) (*Object, error) {
	o, err := s.st.Object(ctx, coll.ID, name)
	if err != nil {
		return nil, fmt.Errorf("object %q: %w", name, err)
	}
	return o, nil
}

// Objects returns the named objects that exist, with data.
func (s *Service) Objects(ctx context.Context, coll *Collection, names []string) ([]*Object, error) {
	os, err := s.st.Objects(ctx, coll.ID, names)
	if err != nil {
		return nil, fmt.Errorf("objects of %q: %w", coll.Name, err)
	}
	return os, nil
}

// ListObjects returns every object of coll, with data when withData.
func (s *Service) ListObjects(ctx context.Context, coll *Collection, withData bool) ([]*Object, error) {
	os, err := s.st.ListObjects(ctx, coll.ID, withData)
	if err != nil {
		return nil, fmt.Errorf("objects of %q: %w", coll.Name, err)
	}
	return os, nil
}

// QueryObjects returns the candidates of q in coll: a superset of the
// objects that match, which the caller filters exactly.
func (s *Service) QueryObjects(ctx context.Context, coll *Collection, q Query) ([]*Object, error) {
	os, err := s.st.QueryObjects(ctx, coll.ID, q)
	if err != nil {
		return nil, fmt.Errorf("query objects of %q: %w", coll.Name, err)
	}
	return os, nil
}

// Changes returns the latest change of every object changed after since,
// at most limit (<= 0: all); see Store.Changes.
func (s *Service) Changes(ctx context.Context, coll *Collection, since int64, limit int) ([]Change, error) {
	cs, err := s.st.Changes(ctx, coll.ID, since, limit)
	if err != nil {
		return nil, fmt.Errorf("changes of %q: %w", coll.Name, err)
	}
	return cs, nil
}
