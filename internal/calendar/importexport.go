// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/ical/tz"
)

// maxImportFailures bounds the failures ImportStats lists; later ones are
// only counted.
const maxImportFailures = 100

// ImportStats reports what an Import did.
type ImportStats struct {
	Created, Updated, Failed int
	// Failures describe the first failed objects.
	Failures []ImportFailure
	// Warnings counts the repairs the lenient decoder made.
	Warnings int
}

// ImportFailure is an object Import could not store.
type ImportFailure struct {
	UID    string
	Line   int // line of the object's first component in the input
	Reason string
}

// ObjectName is the resource name Import gives an object: "<uid>.ics" when
// the UID uses only [A-Za-z0-9_.@+-] (and is at most 200 bytes), else the
// hex of the first 16 bytes of its SHA-256 with ".ics".
func ObjectName(uid string) string {
	safe := uid != "" && len(uid) <= 200 && uid != "." && uid != ".."
	for i := 0; safe && i < len(uid); i++ {
		c := uid[i]
		safe = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '.' || c == '@' || c == '+' || c == '-'
	}
	if safe {
		return uid + ".ics"
	}
	sum := sha256.Sum256([]byte(uid))
	return hex.EncodeToString(sum[:16]) + ".ics"
}

// Import reads iCalendar data (leniently, one or more VCALENDARs), splits
// it into calendar objects by UID (ical.Split) and stores each in owner's
// calendar, replacing the object that has the same UID. Components
// without a UID get one derived from their content. Each object is
// parsed once. A failed object is counted with its reason and does not
// stop the import; quota exhaustion, a decoding error or a store failure
// does. progress, if not nil, is called after each object with the
// number done and the total.
func (s *Service) Import(ctx context.Context, owner, calendar string, r io.Reader, progress func(done, total int)) (ImportStats, error) {
	var st ImportStats
	o, coll, err := s.ownedCollection(ctx, owner, calendar)
	if err != nil {
		return st, err
	}
	dec := ical.NewDecoder(r)
	var objs []*ical.Component
	var zones []*tz.Resolver // the zones of each object's source calendar
	for {
		cal, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return st, fmt.Errorf("import into %s/%s: %w", owner, calendar, err)
		}
		split := ical.Split(cal.Component)
		zr := tz.NewResolver(cal.Component, tz.ResolverOptions{})
		objs = append(objs, split...)
		for range split {
			zones = append(zones, zr)
		}
	}
	st.Warnings = len(dec.Warnings())
	existing, err := s.st.ListObjects(ctx, coll.ID, false)
	if err != nil {
		return st, fmt.Errorf("objects of %s/%s: %w", owner, calendar, err)
	}
	names := make(map[string]*Object, len(existing)) // by UID
	taken := make(map[string]string, len(existing))  // UID by name
	for _, e := range existing {
		names[e.UID] = e
		taken[e.Name] = e.UID
	}
	quota := s.quota(o)
	var used int64
	if quota > 0 {
		if used, err = s.st.UsedBytes(ctx, o.ID); err != nil {
			return st, fmt.Errorf("used bytes of %q: %w", owner, err)
		}
	}
	fail := func(c *ical.Component, uid string, err error) {
		st.Failed++
		if len(st.Failures) < maxImportFailures {
			line := 0
			for _, ch := range c.Children {
				if ch.Name != ical.CompTimezone {
					line = ch.Line
					break
				}
			}
			st.Failures = append(st.Failures, ImportFailure{UID: uid, Line: line, Reason: err.Error()})
		}
	}
	for i, c := range objs {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		uid := ""
		for _, ch := range c.Children {
			if ch.Name != ical.CompTimezone {
				uid = textValue(ch.Prop(ical.PropUID))
				break
			}
		}
		if uid == "" {
			uid = addUID(c)
		}
		name := ObjectName(uid)
		if other, ok := taken[name]; ok && other != uid {
			// Another object (named by a client) holds the name: never
			// replace it.
			sum := sha256.Sum256([]byte(uid))
			name = hex.EncodeToString(sum[:16]) + ".ics"
		}
		var oldSize int64
		if old := names[uid]; old != nil {
			name, oldSize = old.Name, old.Size
		} else if other, ok := taken[name]; ok && other != uid {
			fail(c, uid, fmt.Errorf("the name %q is taken by UID %q: %w", name, other, ErrExists))
			if progress != nil {
				progress(i+1, len(objs))
			}
			continue
		}
		data := ical.Marshal(c)
		obj, err := s.newObject(coll, name, data, c, zones[i])
		if err == nil && coll.Components != nil && !slices.Contains(coll.Components, obj.Component) {
			// RFC 4791 §5.3.2.1 CALDAV:supported-calendar-component.
			err = fmt.Errorf("%s is not supported by calendar %q: %w", obj.Component, calendar, ErrInvalidObject)
		}
		if err != nil {
			fail(c, uid, err)
			if progress != nil {
				progress(i+1, len(objs))
			}
			continue
		}
		if quota > 0 && used+obj.Size-oldSize > quota {
			return st, fmt.Errorf("import into %s/%s: object %q: %w", owner, calendar, name, ErrQuotaExceeded)
		}
		created, err := s.st.PutObject(ctx, obj, Conditions{})
		var conflict *UIDConflictError
		switch {
		case errors.As(err, &conflict), errors.Is(err, ErrPreconditionFailed):
			fail(c, uid, err)
		case err != nil:
			return st, fmt.Errorf("import into %s/%s: object %q: %w", owner, calendar, name, err)
		case created:
			st.Created++
		default:
			st.Updated++
		}
		if err == nil {
			used += obj.Size - oldSize
			obj.Data = nil
			names[uid] = obj
			taken[name] = uid
		}
		if progress != nil {
			progress(i+1, len(objs))
		}
	}
	return st, nil
}

// addUID gives the components of an object without UID one derived from
// their content, so that importing the same file again updates the object
// rather than duplicating it (RFC 4791 §4.1 requires a UID).
func addUID(c *ical.Component) string {
	sum := sha256.Sum256(ical.Marshal(c))
	uid := hex.EncodeToString(sum[:16]) + "@import.almanac.invalid"
	for _, ch := range c.Children {
		if ch.Name != ical.CompTimezone && ch.Prop(ical.PropUID) == nil {
			ch.Add(ical.NewProperty(ical.PropUID, uid))
		}
	}
	return uid
}

// Export writes owner's calendar as one VCALENDAR (ical.Merge of its
// objects: each VTIMEZONE once, then every component) in the canonical
// encoding.
func (s *Service) Export(ctx context.Context, owner, calendar string, w io.Writer) error {
	_, coll, err := s.ownedCollection(ctx, owner, calendar)
	if err != nil {
		return err
	}
	objs, err := s.st.ListObjects(ctx, coll.ID, true)
	if err != nil {
		return fmt.Errorf("objects of %s/%s: %w", owner, calendar, err)
	}
	return WriteCalendar(w, coll.DisplayName, objs)
}

// WriteCalendar writes objects as one VCALENDAR named name (ical.Merge) in
// the canonical encoding, as Export and the .ics feed do.
func WriteCalendar(w io.Writer, name string, objs []*Object) error {
	comps := make([]*ical.Component, 0, len(objs))
	for _, o := range objs {
		cal, err := ical.Parse(o.Data)
		if err != nil {
			return fmt.Errorf("object %q: %w", o.Name, err)
		}
		comps = append(comps, cal.Component)
	}
	if err := ical.NewEncoder(w).Encode(ical.Merge(ProdID, name, comps)); err != nil {
		return fmt.Errorf("write calendar: %w", err)
	}
	return nil
}
