// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/almanac-project/almanac/ical"
)

// fakeTime is the modification time of every fixture.
var fakeTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// tokenPrefix starts the sync tokens of the fake backend.
const tokenPrefix = "http://almanac.example/sync/"

type fakeChange struct {
	name    string
	deleted bool
	seq     int
}

type fakeCalendar struct {
	cal     Calendar
	objects map[string]*Object
	log     []fakeChange
	public  bool
}

// fakeBackend is an in-memory Backend and Scheduler. The owner of a
// calendar has every privilege; other users see it only if it is public
// or its ACL names them, with the privileges granted there. Its
// scheduling is described in fake_schedule_test.go.
type fakeBackend struct {
	mu         sync.Mutex
	user       string // "" = anonymous
	principals []*Principal
	cals       map[string]*fakeCalendar // owner/name
	seq        int
	// conds records the Conditions of every PutObject, DeleteObject and
	// MoveObject call, in order.
	conds []Conditions
}

func newFake() *fakeBackend {
	b := &fakeBackend{
		user: "alice",
		principals: []*Principal{
			{Name: "alice", DisplayName: "Alice Liddell", Type: "individual", Addresses: []string{"mailto:alice@example.com", "mailto:al@example.org"},
				Inbox: "inbox", Outbox: "outbox"},
			{Name: "bob", DisplayName: "Bob Builder", Type: "individual", Addresses: []string{"mailto:bob@example.com"},
				Inbox: "inbox", Outbox: "outbox"},
			{Name: "room1", DisplayName: "Board Room", Type: "room", Addresses: []string{"mailto:room1@example.com"}},
		},
		cals: map[string]*fakeCalendar{},
	}
	b.addCal(Calendar{Owner: "alice", Name: "work", Kind: "calendar", DisplayName: "Work", Color: "#FF0000FF", Order: 1,
		Description: "Work things", Props: []Property{{Space: "urn:x-example", Local: "note", XML: "hello"}}})
	b.addCal(Calendar{Owner: "alice", Name: "tasks", Kind: "calendar", DisplayName: "Tasks", Components: []string{"VTODO"}})
	b.addCal(Calendar{Owner: "bob", Name: "shared", Kind: "calendar", DisplayName: "Bob's",
		ACL: []ACE{{Principal: "bob", Grant: PrivAll, Protected: true}, {Principal: "alice", Grant: PrivRead | PrivReadFreeBusy}}})
	b.cals["bob/shared"].public = true
	b.put("alice", "work", "event1.ics", event1)
	b.put("alice", "work", "weekly.ics", weekly)
	b.put("alice", "tasks", "todo1.ics", todo1)
	b.put("bob", "shared", "bob1.ics", bobEvent)
	b.addBoxes("alice", "work")
	b.addBoxes("bob", "shared")
	return b
}

const event1 = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:event1@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260110T100000\r\nDTEND;TZID=Europe/Berlin:20260110T110000\r\nSUMMARY:Planning meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

const weekly = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:weekly@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260105T090000\r\nDURATION:PT30M\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

const todo1 = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VTODO\r\nUID:todo1@example.com\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Buy milk\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"

const bobEvent = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nBEGIN:VEVENT\r\nUID:bob1@example.com\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260112T140000Z\r\nDTEND:20260112T150000Z\r\nSUMMARY:Bob busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func (b *fakeBackend) addCal(c Calendar) {
	c.Modified = fakeTime
	fc := &fakeCalendar{cal: c, objects: map[string]*Object{}}
	b.cals[c.Owner+"/"+c.Name] = fc
	b.touch(fc)
}

func (b *fakeBackend) touch(fc *fakeCalendar) {
	b.seq++
	fc.cal.SyncToken = tokenPrefix + strconv.Itoa(b.seq)
	fc.cal.CTag = "ctag-" + strconv.Itoa(b.seq)
}

func etagOf(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

func (b *fakeBackend) put(owner, cal, name, data string) {
	fc := b.cals[owner+"/"+cal]
	fc.objects[name] = &Object{Name: name, ETag: etagOf([]byte(data)), Data: []byte(data), Size: int64(len(data)), Modified: fakeTime}
	b.touch(fc)
	fc.log = append(fc.log, fakeChange{name: name, seq: b.seq})
}

func (b *fakeBackend) privs(fc *fakeCalendar) (Privileges, bool) {
	if b.user == fc.cal.Owner {
		return PrivAll, true
	}
	for _, a := range fc.cal.ACL {
		if a.Principal == b.user || a.Principal == "all" || a.Principal == "authenticated" && b.user != "" {
			return a.Grant | PrivReadCurrentUserPrivilegeSet, true
		}
	}
	if fc.public {
		return PrivRead | PrivReadFreeBusy, true
	}
	return 0, false
}

func (b *fakeBackend) calendar(owner, name string, need Privileges) (*fakeCalendar, error) {
	fc, ok := b.cals[owner+"/"+name]
	if !ok {
		return nil, ErrNotFound
	}
	p, ok := b.privs(fc)
	if !ok {
		return nil, ErrNotFound
	}
	if p&need != need {
		return nil, ErrForbidden
	}
	return fc, nil
}

func (b *fakeBackend) view(fc *fakeCalendar) *Calendar {
	c := fc.cal
	c.Privileges, _ = b.privs(fc)
	c.Props = slices.Clone(c.Props)
	c.ACL = slices.Clone(c.ACL)
	return &c
}

func copyObject(o *Object, data bool) *Object {
	c := *o
	if !data {
		c.Data = nil
	}
	return &c
}

func (b *fakeBackend) CurrentUser(ctx context.Context) (*Principal, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.user == "" {
		return nil, nil
	}
	return b.principal(b.user)
}

func (b *fakeBackend) principal(name string) (*Principal, error) {
	for _, p := range b.principals {
		if p.Name == name {
			return p, nil
		}
	}
	return nil, ErrNotFound
}

func (b *fakeBackend) Principal(ctx context.Context, name string) (*Principal, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.principal(name)
}

func (b *fakeBackend) PrincipalByAddress(ctx context.Context, addr string) (*Principal, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.principals {
		for _, a := range p.Addresses {
			if strings.EqualFold(a, addr) {
				return p, nil
			}
		}
	}
	return nil, ErrNotFound
}

func (b *fakeBackend) Principals(ctx context.Context) ([]*Principal, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.principals), nil
}

func (b *fakeBackend) Calendars(ctx context.Context, owner string) ([]*Calendar, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := b.principal(owner); err != nil {
		return nil, err
	}
	var out []*Calendar
	for _, k := range b.sortedCals() {
		fc := b.cals[k]
		if _, ok := b.privs(fc); ok && fc.cal.Owner == owner {
			out = append(out, b.view(fc))
		}
	}
	return out, nil
}

func (b *fakeBackend) sortedCals() []string {
	var keys []string
	for k := range b.cals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (b *fakeBackend) Calendar(ctx context.Context, owner, name string) (*Calendar, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fc, err := b.calendar(owner, name, 0)
	if err != nil {
		return nil, err
	}
	return b.view(fc), nil
}

func (b *fakeBackend) CreateCalendar(ctx context.Context, c *Calendar) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := b.principal(c.Owner); err != nil {
		return err
	}
	if c.Owner != b.user {
		return ErrForbidden
	}
	if _, ok := b.cals[c.Owner+"/"+c.Name]; ok {
		return ErrExists
	}
	b.addCal(*c)
	return nil
}

func (b *fakeBackend) UpdateCalendar(ctx context.Context, c *Calendar) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	fc, err := b.calendar(c.Owner, c.Name, PrivWriteProperties)
	if err != nil {
		return err
	}
	if c.DefaultCalendar != "" {
		// As a scheduling backend would: the default calendar must be
		// a calendar of the same home (RFC 6638 §4.3).
		d, ok := b.cals[c.Owner+"/"+c.DefaultCalendar]
		if !ok || d.cal.Kind != "calendar" {
			return &ScheduleError{Condition: "valid-schedule-default-calendar-URL"}
		}
	}
	fc.cal.DisplayName, fc.cal.Description, fc.cal.Color = c.DisplayName, c.Description, c.Color
	fc.cal.Order, fc.cal.Timezone, fc.cal.Props = c.Order, c.Timezone, slices.Clone(c.Props)
	fc.cal.Transparent, fc.cal.DefaultCalendar, fc.cal.Availability = c.Transparent, c.DefaultCalendar, c.Availability
	return nil
}

func (b *fakeBackend) DeleteCalendar(ctx context.Context, owner, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, err := b.calendar(owner, name, PrivUnbind); err != nil {
		return err
	}
	delete(b.cals, owner+"/"+name)
	return nil
}

func (b *fakeBackend) SetACL(ctx context.Context, owner, name string, acl []ACE) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	fc, err := b.calendar(owner, name, PrivWriteACL)
	if err != nil {
		return err
	}
	var keep []ACE
	for _, a := range fc.cal.ACL {
		if a.Protected {
			keep = append(keep, a)
		}
	}
	fc.cal.ACL = append(keep, acl...)
	return nil
}

func (b *fakeBackend) Object(ctx context.Context, owner, cal, name string) (*Object, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fc, err := b.calendar(owner, cal, PrivRead)
	if err != nil {
		return nil, err
	}
	o, ok := fc.objects[name]
	if !ok {
		return nil, ErrNotFound
	}
	return copyObject(o, true), nil
}

func (b *fakeBackend) Objects(ctx context.Context, owner, cal string, names []string) ([]*Object, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fc, err := b.calendar(owner, cal, PrivRead)
	if err != nil {
		return nil, err
	}
	var out []*Object
	for _, n := range names {
		if o, ok := fc.objects[n]; ok {
			out = append(out, copyObject(o, true))
		}
	}
	return out, nil
}

func (b *fakeBackend) list(fc *fakeCalendar, data bool) []*Object {
	var names []string
	for n := range fc.objects {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []*Object
	for _, n := range names {
		out = append(out, copyObject(fc.objects[n], data))
	}
	return out
}

func (b *fakeBackend) ListObjects(ctx context.Context, owner, cal string, withData bool) iter.Seq2[*Object, error] {
	return b.objects(owner, cal, PrivRead, "", withData)
}

func (b *fakeBackend) QueryObjects(ctx context.Context, owner, cal, comp string, start, end time.Time, withData bool) iter.Seq2[*Object, error] {
	return b.objects(owner, cal, PrivReadFreeBusy, comp, withData)
}

// objects yields the objects of a calendar whose main component is comp
// ("" = any), taken under the lock and yielded without it, as a backend
// reading pages does: the handler may call the backend in between.
func (b *fakeBackend) objects(owner, cal string, need Privileges, comp string, withData bool) iter.Seq2[*Object, error] {
	return func(yield func(*Object, error) bool) {
		b.mu.Lock()
		fc, err := b.calendar(owner, cal, need)
		var objs []*Object
		if err == nil {
			objs = b.list(fc, true)
		}
		b.mu.Unlock()
		if err != nil {
			yield(nil, err)
			return
		}
		for _, o := range objs {
			if comp != "" && mainComponent(o.Data) != comp {
				continue
			}
			if !yield(copyObject(o, withData), nil) {
				return
			}
		}
	}
}

// mainComponent is the name of the first component of data other than
// VTIMEZONE, or "" when data does not parse.
func mainComponent(data []byte) string {
	cal, err := ical.Parse(data)
	if err != nil || cal.Component == nil {
		return ""
	}
	for _, c := range cal.Children {
		if c.Name != "VTIMEZONE" {
			return c.Name
		}
	}
	return ""
}

func uidOf(vcal *ical.Component) string {
	for _, c := range vcal.Children {
		if u := c.Value("UID"); u != "" {
			return u
		}
	}
	return ""
}

func (b *fakeBackend) PutObject(ctx context.Context, owner, cal, name string, data []byte, vcal *ical.Component, cond Conditions) (PutResult, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.conds = append(b.conds, cond)
	fc, err := b.calendar(owner, cal, PrivWriteContent)
	if err != nil {
		return PutResult{}, err
	}
	return b.store(fc, name, data, vcal, cond, true)
}

// store writes an object; deliver runs the scheduling operations of RFC
// 6638 §3.2.3.1 (a MOVE between calendars runs none, §3.2.3.4).
func (b *fakeBackend) store(fc *fakeCalendar, name string, data []byte, vcal *ical.Component, cond Conditions, deliver bool) (PutResult, error) {
	old, exists := fc.objects[name]
	switch {
	case cond.IfNoneMatch && exists,
		cond.IfMatch == "*" && !exists,
		cond.IfMatch != "" && cond.IfMatch != "*" && (!exists || old.ETag != cond.IfMatch),
		cond.IfScheduleTag != "" && (!exists || old.ScheduleTag != cond.IfScheduleTag):
		return PutResult{}, ErrPreconditionFailed
	}
	uid := uidOf(vcal)
	for n, o := range fc.objects {
		if n == name {
			continue
		}
		if c, err := ical.Parse(o.Data); err == nil && uidOf(c.Component) == uid {
			return PutResult{}, &UIDConflictError{Href: fmt.Sprintf("calendars/%s/%s/%s", fc.cal.Owner, fc.cal.Name, n)}
		}
	}
	if len(data) > 100000 {
		return PutResult{}, ErrQuotaExceeded
	}
	sent := data
	data, sched, err := b.schedulePut(fc, vcal, data, cond, deliver)
	if err != nil {
		return PutResult{}, err
	}
	etag := etagOf(data)
	o := &Object{Name: name, ETag: etag, Data: data, Size: int64(len(data)), Modified: fakeTime}
	fc.objects[name] = o
	b.touch(fc)
	if sched {
		// RFC 6638 §3.2.10: a direct change gives a new tag.
		o.ScheduleTag = `"st-` + strconv.Itoa(b.seq) + `"`
	}
	fc.log = append(fc.log, fakeChange{name: name, seq: b.seq})
	return PutResult{ETag: etag, ScheduleTag: o.ScheduleTag, Created: !exists, Changed: string(sent) != string(data)}, nil
}

func (b *fakeBackend) DeleteObject(ctx context.Context, owner, cal, name string, cond Conditions) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.conds = append(b.conds, cond)
	fc, err := b.calendar(owner, cal, PrivUnbind)
	if err != nil {
		return err
	}
	o, ok := fc.objects[name]
	if !ok {
		return ErrNotFound
	}
	if cond.IfMatch != "" && cond.IfMatch != "*" && cond.IfMatch != o.ETag ||
		cond.IfScheduleTag != "" && cond.IfScheduleTag != o.ScheduleTag {
		return ErrPreconditionFailed
	}
	b.scheduleDelete(fc, o, cond)
	delete(fc.objects, name)
	b.touch(fc)
	fc.log = append(fc.log, fakeChange{name: name, deleted: true, seq: b.seq})
	return nil
}

func (b *fakeBackend) MoveObject(ctx context.Context, owner, cal, name, toOwner, toCal, toName string, cond Conditions) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.conds = append(b.conds, cond)
	src, err := b.calendar(owner, cal, PrivUnbind)
	if err != nil {
		return false, err
	}
	dst, err := b.calendar(toOwner, toCal, PrivBind)
	if err != nil {
		return false, err
	}
	o, ok := src.objects[name]
	if !ok {
		return false, ErrNotFound
	}
	c, err := ical.Parse(o.Data)
	if err != nil {
		return false, err
	}
	if src == dst {
		delete(src.objects, name)
	}
	pr, err := b.store(dst, toName, o.Data, c.Component, cond, false)
	if err != nil {
		if src == dst {
			src.objects[name] = o
		}
		return false, err
	}
	created := pr.Created
	if src != dst {
		delete(src.objects, name)
	}
	b.touch(src)
	src.log = append(src.log, fakeChange{name: name, deleted: true, seq: b.seq})
	return created, nil
}

func (b *fakeBackend) Changes(ctx context.Context, owner, cal, token string, limit int) ([]Change, string, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fc, err := b.calendar(owner, cal, PrivRead)
	if err != nil {
		return nil, "", false, err
	}
	var changes []Change
	since := 0
	if token != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(token, tokenPrefix))
		if !strings.HasPrefix(token, tokenPrefix) || err != nil || n < 0 || n > b.seq {
			return nil, "", false, ErrInvalidSyncToken
		}
		since = n
	}
	latest := map[string]fakeChange{}
	var order []string
	for _, c := range fc.log {
		if c.seq <= since {
			continue
		}
		if _, ok := latest[c.name]; !ok {
			order = append(order, c.name)
		}
		latest[c.name] = c
	}
	slices.SortFunc(order, func(x, y string) int { return latest[x].seq - latest[y].seq })
	reached := fc.cal.SyncToken
	truncated := false
	for _, n := range order {
		c := latest[n]
		if since == 0 && c.deleted {
			continue
		}
		if limit > 0 && len(changes) == limit {
			truncated = true
			break
		}
		changes = append(changes, Change{Name: n, Deleted: c.deleted})
		reached = tokenPrefix + strconv.Itoa(c.seq)
	}
	if !truncated {
		reached = fc.cal.SyncToken
	}
	return changes, reached, truncated, nil
}

func (b *fakeBackend) Quota(ctx context.Context, owner string) (int64, int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var used int64
	for _, fc := range b.cals {
		if fc.cal.Owner == owner {
			for _, o := range fc.objects {
				used += o.Size
			}
		}
	}
	return used, 1000000 - used, nil
}
