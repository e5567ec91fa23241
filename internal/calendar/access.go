// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Rights is a set of privileges on a collection, mirroring RFC 3744 §3 and
// RFC 4791 §6.1.1 (CALDAV:read-free-busy) without depending on a protocol.
type Rights uint16

// The privileges of RFC 3744 §3. RightWrite is DAV:write, the aggregate of
// the four write privileges (§3.2).
const (
	RightRead Rights = 1 << iota
	RightReadFreeBusy
	RightWriteProperties
	RightWriteContent
	RightBind
	RightUnbind
	RightReadACL
	RightWriteACL
	RightReadCurrentUserPrivilegeSet

	RightWrite = RightWriteProperties | RightWriteContent | RightBind | RightUnbind
	RightAll   = RightRead | RightReadFreeBusy | RightWrite | RightReadACL | RightWriteACL | RightReadCurrentUserPrivilegeSet
)

// Has reports whether r holds every privilege of need.
func (r Rights) Has(need Rights) bool { return r&need == need }

// Rights granted by each share access. RFC 4791 §6.1.1: DAV:read contains
// CALDAV:read-free-busy. No share grants the ACL privileges.
var shareRights = map[string]Rights{
	AccessRead:     RightRead | RightReadFreeBusy | RightReadCurrentUserPrivilegeSet,
	AccessWrite:    RightRead | RightReadFreeBusy | RightWrite | RightReadCurrentUserPrivilegeSet,
	AccessFreeBusy: RightReadFreeBusy | RightReadCurrentUserPrivilegeSet,
}

// publicRights are what anyone, anonymous included, has on a PublicRead
// collection.
const publicRights = RightRead | RightReadFreeBusy | RightReadCurrentUserPrivilegeSet

// SharedSep separates owner and calendar name in the name under which a
// shared calendar appears in the sharee's home: "<owner>~<name>". Neither
// principal names nor collection names may contain it, so the names never
// collide with the sharee's own calendars.
const SharedSep = "~"

// SharedName is the name of owner's calendar name in a sharee's home.
func SharedName(owner, name string) string { return owner + SharedSep + name }

// ValidCollectionName reports whether name can name a collection: 1 to 255
// bytes, no "/", "\\", "~" or control characters, not "." or "..".
func ValidCollectionName(name string) bool {
	if len(name) == 0 || len(name) > 255 || name == "." || name == ".." {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '~' {
			return false
		}
	}
	return true
}

// Entry is a collection as the current principal sees it in a home: its
// own collections, or, in their own home, the collections shared with
// them under SharedName.
type Entry struct {
	// Home is the principal whose home lists the entry and Name the
	// entry's name there.
	Home, Name string
	// Owner owns the collection.
	Owner      *Principal
	Collection *Collection
	// Rights are the current principal's privileges on the collection.
	Rights Rights
	// Share is the access of the share the entry comes from, or "".
	Share string
}

// Require returns ErrForbidden unless the entry grants need.
func (e *Entry) Require(need Rights) error {
	if !e.Rights.Has(need) {
		return fmt.Errorf("%s/%s: %w", e.Home, e.Name, ErrForbidden)
	}
	return nil
}

// Privileges returns the current principal's rights on coll (RFC 3744):
// the owner has all; a share grants read (with read-free-busy),
// read-write (read and DAV:write, not the ACL privileges) or
// read-free-busy only; a PublicRead collection grants read to anyone,
// anonymous included.
func (s *Service) Privileges(ctx context.Context, coll *Collection) (Rights, error) {
	r, _, err := s.rights(ctx, PrincipalFromContext(ctx), coll)
	return r, err
}

// rights returns cur's rights on coll and the access of cur's share.
func (s *Service) rights(ctx context.Context, cur *Principal, coll *Collection) (Rights, string, error) {
	var r Rights
	if coll.PublicRead {
		r = publicRights
	}
	if cur == nil {
		return r, "", nil
	}
	if cur.ID == coll.OwnerID {
		return RightAll, "", nil
	}
	shares, err := s.st.Shares(ctx, coll.ID)
	if err != nil {
		return 0, "", fmt.Errorf("shares of collection %d: %w", coll.ID, err)
	}
	for _, sh := range shares {
		if sh.PrincipalID == cur.ID {
			return r | shareRights[sh.Access], sh.Access, nil
		}
	}
	return r, "", nil
}

// Home lists the collections of home's home that the current principal may
// see: all of them for the owner, followed by the collections shared with
// the owner (named by SharedName); for anyone else those they hold a
// share of or that are PublicRead.
func (s *Service) Home(ctx context.Context, home string) ([]*Entry, error) {
	owner, err := s.Principal(ctx, home)
	if err != nil {
		return nil, err
	}
	cur := PrincipalFromContext(ctx)
	colls, err := s.st.Collections(ctx, owner.ID)
	if err != nil {
		return nil, fmt.Errorf("collections of %q: %w", home, err)
	}
	var out []*Entry
	for _, c := range colls {
		r, share, err := s.rights(ctx, cur, c)
		if err != nil {
			return nil, err
		}
		if r == 0 {
			continue
		}
		out = append(out, &Entry{Home: home, Name: c.Name, Owner: owner, Collection: c, Rights: r, Share: share})
	}
	if cur == nil || cur.ID != owner.ID {
		return out, nil
	}
	shares, err := s.st.SharedWith(ctx, owner.ID)
	if err != nil {
		return nil, fmt.Errorf("calendars shared with %q: %w", home, err)
	}
	for _, sh := range shares {
		e, err := s.sharedEntry(ctx, owner, sh)
		if errors.Is(err, ErrNotFound) {
			continue // deleted concurrently
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (s *Service) sharedEntry(ctx context.Context, sharee *Principal, sh Share) (*Entry, error) {
	c, err := s.st.Collection(ctx, sh.CollectionID)
	if err != nil {
		return nil, fmt.Errorf("shared collection %d: %w", sh.CollectionID, err)
	}
	o, err := s.st.Principal(ctx, c.OwnerID)
	if err != nil {
		return nil, fmt.Errorf("owner of collection %d: %w", c.ID, err)
	}
	r := shareRights[sh.Access]
	if c.PublicRead {
		r |= publicRights
	}
	return &Entry{Home: sharee.Name, Name: SharedName(o.Name, c.Name), Owner: o, Collection: c, Rights: r, Share: sh.Access}, nil
}

// Resolve finds the collection name in home's home as the current
// principal sees it, shared names included. It gives ErrNotFound when
// there is no such collection and ErrForbidden when the current principal
// has no right at all on it.
func (s *Service) Resolve(ctx context.Context, home, name string) (*Entry, error) {
	cur := PrincipalFromContext(ctx)
	if owner, cal, ok := strings.Cut(name, SharedSep); ok {
		if cur == nil || cur.Name != home {
			return nil, fmt.Errorf("%s/%s: %w", home, name, ErrNotFound)
		}
		o, err := s.Principal(ctx, owner)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", home, name, ErrNotFound)
		}
		c, err := s.st.CollectionByName(ctx, o.ID, cal)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", home, name, err)
		}
		shares, err := s.st.Shares(ctx, c.ID)
		if err != nil {
			return nil, fmt.Errorf("shares of %s/%s: %w", owner, cal, err)
		}
		for _, sh := range shares {
			if sh.PrincipalID == cur.ID {
				return s.sharedEntry(ctx, cur, sh)
			}
		}
		return nil, fmt.Errorf("%s/%s: %w", home, name, ErrNotFound)
	}
	// The authenticated principal was read for this request: its own
	// home needs no second look-up.
	o := cur
	if o == nil || o.Name != home {
		var err error
		if o, err = s.Principal(ctx, home); err != nil {
			return nil, err
		}
	}
	c, err := s.st.CollectionByName(ctx, o.ID, name)
	if err != nil {
		return nil, fmt.Errorf("collection %s/%s: %w", home, name, err)
	}
	r, share, err := s.rights(ctx, cur, c)
	if err != nil {
		return nil, err
	}
	if r == 0 {
		return nil, fmt.Errorf("%s/%s: %w", home, name, ErrForbidden)
	}
	return &Entry{Home: home, Name: name, Owner: o, Collection: c, Rights: r, Share: share}, nil
}

// ownedCollection returns owner's collection name.
func (s *Service) ownedCollection(ctx context.Context, owner, name string) (*Principal, *Collection, error) {
	o, err := s.Principal(ctx, owner)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.st.CollectionByName(ctx, o.ID, name)
	if err != nil {
		return nil, nil, fmt.Errorf("collection %s/%s: %w", owner, name, err)
	}
	return o, c, nil
}

// Share grants grantee access ("read", "read-write" or "free-busy") to
// owner's calendar, replacing an earlier grant. The caller is trusted (CLI,
// web UI after its own check, or SetACL after write-acl was checked).
func (s *Service) Share(ctx context.Context, owner, calendar, grantee, access string) error {
	if _, ok := shareRights[access]; !ok {
		return fmt.Errorf("share access %q: %w", access, ErrInvalidArgument)
	}
	o, c, err := s.ownedCollection(ctx, owner, calendar)
	if err != nil {
		return err
	}
	if c.Kind != KindCalendar {
		return fmt.Errorf("share %s/%s: not a calendar: %w", owner, calendar, ErrInvalidArgument)
	}
	g, err := s.Principal(ctx, grantee)
	if err != nil {
		return err
	}
	if g.ID == o.ID {
		return fmt.Errorf("share %s/%s with its owner: %w", owner, calendar, ErrInvalidArgument)
	}
	if err := s.st.SetShare(ctx, Share{CollectionID: c.ID, PrincipalID: g.ID, Access: access}); err != nil {
		return fmt.Errorf("share %s/%s with %q: %w", owner, calendar, grantee, err)
	}
	return nil
}

// Unshare removes grantee's access to owner's calendar.
func (s *Service) Unshare(ctx context.Context, owner, calendar, grantee string) error {
	_, c, err := s.ownedCollection(ctx, owner, calendar)
	if err != nil {
		return err
	}
	g, err := s.Principal(ctx, grantee)
	if err != nil {
		return err
	}
	if err := s.st.DeleteShare(ctx, c.ID, g.ID); err != nil {
		return fmt.Errorf("unshare %s/%s from %q: %w", owner, calendar, grantee, err)
	}
	return nil
}

// Grant is one share of a collection, with the grantee's name.
type Grant struct {
	Principal string
	Access    string
}

// Grants lists the shares of a collection.
func (s *Service) Grants(ctx context.Context, coll *Collection) ([]Grant, error) {
	shares, err := s.st.Shares(ctx, coll.ID)
	if err != nil {
		return nil, fmt.Errorf("shares of collection %d: %w", coll.ID, err)
	}
	out := make([]Grant, 0, len(shares))
	for _, sh := range shares {
		p, err := s.st.Principal(ctx, sh.PrincipalID)
		if err != nil {
			return nil, fmt.Errorf("grantee %d: %w", sh.PrincipalID, err)
		}
		out = append(out, Grant{Principal: p.Name, Access: sh.Access})
	}
	return out, nil
}

// SetGrants replaces the shares of coll with grants and sets PublicRead:
// what an RFC 3744 ACL method maps to.
func (s *Service) SetGrants(ctx context.Context, coll *Collection, grants []Grant, publicRead bool) error {
	want := map[int64]string{}
	for _, g := range grants {
		if _, ok := shareRights[g.Access]; !ok {
			return fmt.Errorf("share access %q: %w", g.Access, ErrInvalidArgument)
		}
		p, err := s.Principal(ctx, g.Principal)
		if err != nil {
			return err
		}
		if p.ID == coll.OwnerID {
			return fmt.Errorf("grant to the owner: %w", ErrInvalidArgument)
		}
		want[p.ID] = g.Access
	}
	old, err := s.st.Shares(ctx, coll.ID)
	if err != nil {
		return fmt.Errorf("shares of collection %d: %w", coll.ID, err)
	}
	for _, sh := range old {
		if _, ok := want[sh.PrincipalID]; !ok {
			if err := s.st.DeleteShare(ctx, coll.ID, sh.PrincipalID); err != nil {
				return fmt.Errorf("unshare collection %d: %w", coll.ID, err)
			}
		}
	}
	for id, access := range want {
		if err := s.st.SetShare(ctx, Share{CollectionID: coll.ID, PrincipalID: id, Access: access}); err != nil {
			return fmt.Errorf("share collection %d: %w", coll.ID, err)
		}
	}
	if coll.PublicRead != publicRead {
		coll.PublicRead = publicRead
		if err := s.st.UpdateCollection(ctx, coll); err != nil {
			return fmt.Errorf("update collection %d: %w", coll.ID, err)
		}
	}
	return nil
}

// SetPublicRead makes owner's calendar readable by anyone, or not.
func (s *Service) SetPublicRead(ctx context.Context, owner, calendar string, public bool) error {
	_, c, err := s.ownedCollection(ctx, owner, calendar)
	if err != nil {
		return err
	}
	c.PublicRead = public
	if err := s.st.UpdateCollection(ctx, c); err != nil {
		return fmt.Errorf("update %s/%s: %w", owner, calendar, err)
	}
	return nil
}

// SetFeedToken gives owner's calendar a new secret feed token (enable) or
// removes it, and returns the token ("" when disabled). A new token
// revokes the old feed URL.
func (s *Service) SetFeedToken(ctx context.Context, owner, calendar string, enable bool) (string, error) {
	_, c, err := s.ownedCollection(ctx, owner, calendar)
	if err != nil {
		return "", err
	}
	c.FeedToken = ""
	if enable {
		c.FeedToken = newToken()
	}
	if err := s.st.UpdateCollection(ctx, c); err != nil {
		return "", fmt.Errorf("update %s/%s: %w", owner, calendar, err)
	}
	return c.FeedToken, nil
}

// Feed returns the collection with the feed token and its objects with
// their data: the subscribable .ics feed.
func (s *Service) Feed(ctx context.Context, token string) (*Collection, []*Object, error) {
	if token == "" {
		return nil, nil, fmt.Errorf("feed: %w", ErrNotFound)
	}
	c, err := s.st.CollectionByFeedToken(ctx, token)
	if err != nil {
		return nil, nil, fmt.Errorf("feed: %w", err)
	}
	objs, err := s.st.ListObjects(ctx, c.ID, true)
	if err != nil {
		return nil, nil, fmt.Errorf("feed objects: %w", err)
	}
	return c, objs, nil
}

// AccessRights returns the rights a share access grants, or 0 for an
// unknown access.
func AccessRights(access string) Rights { return shareRights[access] }

// PublicRights are the rights anyone, anonymous included, has on a
// PublicRead collection.
const PublicRights = publicRights

// Owned reports whether the entry is one of the current principal's own
// collections (only owners hold the ACL privileges).
func (e *Entry) Owned() bool { return e.Rights.Has(RightWriteACL) && e.Home == e.Owner.Name }
