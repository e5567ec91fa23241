// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/itip"
)

// meeting returns an organizer's scheduling object: ann invites the
// attendees at start for an hour.
func meeting(uid, start, organizer string, attendees ...string) string {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + start + "\r\nDURATION:PT1H\r\nSUMMARY:Meeting " + uid +
		"\r\nORGANIZER:mailto:" + organizer + "@example.org\r\n")
	b.WriteString("ATTENDEE;PARTSTAT=ACCEPTED:mailto:" + organizer + "@example.org\r\n")
	for _, a := range attendees {
		addr := a
		if !strings.Contains(a, "@") {
			addr = a + "@example.org"
		}
		b.WriteString("ATTENDEE;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:" + addr + "\r\n")
	}
	b.WriteString("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:soon\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\n")
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return b.String()
}

func defaultCalendar(t testing.TB, s *calendar.Service, owner string) *calendar.Collection {
	t.Helper()
	c, err := s.Collection(context.Background(), owner, calendar.DefaultCalendar)
	if err != nil {
		t.Fatalf("Collection(%s, calendar): %v", owner, err)
	}
	return c
}

func scheduling(t testing.TB, s *calendar.Service, owner, kind string) *calendar.Collection {
	t.Helper()
	cs, err := s.Collections(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Kind == kind {
			return c
		}
	}
	t.Fatalf("%s has no %s", owner, kind)
	return nil
}

// copyOf returns owner's stored copy of uid in their default calendar.
func copyOf(t testing.TB, s *calendar.Service, owner, uid string) *calendar.Object {
	t.Helper()
	o, err := s.Object(context.Background(), defaultCalendar(t, s, owner), calendar.ObjectName(uid))
	if err != nil {
		t.Fatalf("%s's copy of %s: %v", owner, uid, err)
	}
	return o
}

func inboxItems(t testing.TB, s *calendar.Service, owner string) []string {
	t.Helper()
	os, err := s.ListObjects(context.Background(), scheduling(t, s, owner, calendar.KindInbox), true)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range os {
		out = append(out, string(o.Data))
	}
	return out
}

// attendeeLine returns the ATTENDEE line of addr in data, unfolded.
func attendeeLine(data []byte, addr string) string {
	for l := range strings.SplitSeq(strings.ReplaceAll(string(data), "\r\n ", ""), "\r\n") {
		if strings.HasPrefix(l, "ATTENDEE") && strings.HasSuffix(strings.ToLower(l), ":mailto:"+addr) {
			return l
		}
	}
	return ""
}

func mustPut(t testing.TB, s *calendar.Service, coll *calendar.Collection, name, text string, cond calendar.Conditions) *calendar.Object {
	t.Helper()
	cal, err := ical.Parse([]byte(text))
	if err != nil {
		t.Fatalf("ical.Parse: %v", err)
	}
	o, _, err := s.PutObject(context.Background(), coll, name, []byte(text), cal.Component, cond)
	if err != nil {
		t.Fatalf("PutObject(%s/%s): %v", coll.Name, name, err)
	}
	return o
}

func TestImplicitScheduling(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	for _, n := range []string{"ann", "bob", "cat"} {
		mustPrincipal(t, s, n)
	}
	const uid = "m1@example.org"
	org := mustPut(t, s, defaultCalendar(t, s, "ann"), calendar.ObjectName(uid),
		meeting(uid, "20260310T090000Z", "ann", "bob", "cat", "ext@elsewhere.example"), calendar.Conditions{})
	if org.ScheduleTag == "" {
		t.Errorf("organizer's copy has no schedule-tag")
	}
	for addr, want := range map[string]string{"bob@example.org": "SCHEDULE-STATUS=1.2", "cat@example.org": "SCHEDULE-STATUS=1.2", "ext@elsewhere.example": "SCHEDULE-STATUS=5.2"} {
		if l := attendeeLine(org.Data, addr); !strings.Contains(l, want) {
			t.Errorf("organizer's ATTENDEE %s = %q, want %s", addr, l, want)
		}
	}
	// Each local attendee has the invitation in the inbox and a copy in
	// the default calendar, without the organizer's alarm.
	for _, who := range []string{"bob", "cat"} {
		items := inboxItems(t, s, who)
		if len(items) != 1 || !strings.Contains(items[0], "METHOD:REQUEST") {
			t.Fatalf("%s's inbox = %q, want one REQUEST", who, items)
		}
		c := copyOf(t, s, who, uid)
		if strings.Contains(string(c.Data), "VALARM") || strings.Contains(string(c.Data), "METHOD") {
			t.Errorf("%s's copy holds the organizer's alarm or a METHOD:\n%s", who, c.Data)
		}
		if c.ScheduleTag == "" {
			t.Errorf("%s's copy has no schedule-tag", who)
		}
	}
	// The external recipient is queued, waiting for a transport.
	ann, _ := s.Principal(ctx, "ann")
	ds, err := s.Store().Deliveries(ctx, ann.ID)
	if err != nil || len(ds) != 1 || ds[0].Recipient != "mailto:ext@elsewhere.example" || ds[0].Status != itip.StatusInvalidService {
		t.Fatalf("Deliveries = %+v, %v; want one to ext with 5.2", ds, err)
	}

	// Bob accepts in his client.
	bobCopy := copyOf(t, s, "bob", uid)
	catTag := copyOf(t, s, "cat", uid).ScheduleTag
	accepted := strings.Replace(string(bobCopy.Data), "PARTSTAT=NEEDS-ACTION", "PARTSTAT=ACCEPTED", 1)
	accepted = strings.Replace(accepted, "RSVP=TRUE;", "", 1)
	if attendeeLine([]byte(accepted), "bob@example.org") == attendeeLine(bobCopy.Data, "bob@example.org") {
		t.Fatalf("test bug: bob's line unchanged in\n%s", accepted)
	}
	mustPut(t, s, defaultCalendar(t, s, "bob"), bobCopy.Name, accepted, calendar.Conditions{IfScheduleTag: bobCopy.ScheduleTag})

	org2 := copyOf(t, s, "ann", uid)
	if l := attendeeLine(org2.Data, "bob@example.org"); !strings.Contains(l, "PARTSTAT=ACCEPTED") {
		t.Errorf("organizer's copy after bob's REPLY: %q, want ACCEPTED", l)
	}
	if org2.ScheduleTag != org.ScheduleTag {
		t.Errorf("organizer's schedule-tag changed on a reply: %s → %s (RFC 6638 §3.2.10)", org.ScheduleTag, org2.ScheduleTag)
	}
	if items := inboxItems(t, s, "ann"); len(items) != 1 || !strings.Contains(items[0], "METHOD:REPLY") {
		t.Errorf("ann's inbox = %q, want bob's REPLY", items)
	}
	cat2 := copyOf(t, s, "cat", uid)
	if l := attendeeLine(cat2.Data, "bob@example.org"); !strings.Contains(l, "PARTSTAT=ACCEPTED") {
		t.Errorf("cat's copy does not show bob's answer: %q", l)
	}
	if cat2.ScheduleTag != catTag {
		t.Errorf("cat's schedule-tag changed for bob's answer: %s → %s", catTag, cat2.ScheduleTag)
	}

	// An attendee may not rewrite the organizer or someone else's answer.
	bobCopy = copyOf(t, s, "bob", uid)
	for name, edit := range map[string]func(string) string{
		"organizer": func(d string) string {
			return strings.Replace(d, ":mailto:ann@example.org\r\nATTENDEE", ":mailto:bob@example.org\r\nATTENDEE", 1)
		},
		"other's partstat": func(d string) string {
			return strings.Replace(d, "PARTSTAT=NEEDS-ACTION:mailto:cat@", "PARTSTAT=DECLINED:mailto:cat@", 1)
		},
	} {
		text := edit(string(bobCopy.Data))
		if text == string(bobCopy.Data) {
			t.Fatalf("%s: test bug, nothing changed in\n%s", name, text)
		}
		cal, _ := ical.Parse([]byte(text))
		_, _, err := s.PutObject(ctx, defaultCalendar(t, s, "bob"), bobCopy.Name, []byte(text), cal.Component, calendar.Conditions{})
		var ce *itip.ChangeError
		if !errors.As(err, &ce) || ce.Condition != "allowed-attendee-scheduling-object-change" {
			t.Errorf("%s: PutObject = %v, want allowed-attendee-scheduling-object-change", name, err)
		}
	}

	// The organizer cancels by deleting: the attendees' copies say so.
	if err := s.DeleteObject(ctx, defaultCalendar(t, s, "ann"), calendar.ObjectName(uid), calendar.Conditions{}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	for _, who := range []string{"bob", "cat"} {
		o, err := s.Object(ctx, defaultCalendar(t, s, who), calendar.ObjectName(uid))
		if err == nil && !strings.Contains(string(o.Data), "STATUS:CANCELLED") {
			t.Errorf("%s's copy after the cancel is neither gone nor CANCELLED:\n%s", who, o.Data)
		}
	}
}

func TestScheduleTagMerge(t *testing.T) {
	s := newService(t, calendar.Options{})
	for _, n := range []string{"ann", "bob", "cat"} {
		mustPrincipal(t, s, n)
	}
	const uid = "m2@example.org"
	text := meeting(uid, "20260311T090000Z", "ann", "bob", "cat")
	org := mustPut(t, s, defaultCalendar(t, s, "ann"), calendar.ObjectName(uid), text, calendar.Conditions{})
	// Bob accepts while ann's client still holds the first version.
	b := copyOf(t, s, "bob", uid)
	mustPut(t, s, defaultCalendar(t, s, "bob"), b.Name, strings.Replace(string(b.Data), "PARTSTAT=NEEDS-ACTION", "PARTSTAT=ACCEPTED", 1), calendar.Conditions{})
	// Ann's client edits the summary with If-Schedule-Tag-Match: bob's
	// answer survives (RFC 6638 §3.2.10.1).
	edited := strings.Replace(string(org.Data), "SUMMARY:Meeting", "SUMMARY:Renamed meeting", 1)
	got := mustPut(t, s, defaultCalendar(t, s, "ann"), calendar.ObjectName(uid), edited, calendar.Conditions{IfScheduleTag: org.ScheduleTag})
	if l := attendeeLine(got.Data, "bob@example.org"); !strings.Contains(l, "PARTSTAT=ACCEPTED") {
		t.Errorf("after the merge bob's line is %q, want ACCEPTED", l)
	}
	// With a stale tag the write fails.
	cal, _ := ical.Parse([]byte(edited))
	_, _, err := s.PutObject(context.Background(), defaultCalendar(t, s, "ann"), calendar.ObjectName(uid), []byte(edited), cal.Component, calendar.Conditions{IfScheduleTag: org.ScheduleTag})
	if !errors.Is(err, calendar.ErrPreconditionFailed) {
		t.Errorf("PutObject with a stale schedule-tag = %v, want ErrPreconditionFailed", err)
	}
}

func newRoom(t testing.TB, s *calendar.Service, name string) {
	t.Helper()
	p := &calendar.Principal{Name: name, Type: calendar.TypeRoom, Addresses: []string{name + "@example.org"}}
	if err := s.CreatePrincipal(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

func TestRoomAutoAccept(t *testing.T) {
	s := newService(t, calendar.Options{})
	for _, n := range []string{"ann", "bob"} {
		mustPrincipal(t, s, n)
	}
	newRoom(t, s, "room1")
	// A weekly booking, then a one-off that collides with its third week,
	// then one that does not.
	weekly := strings.Replace(meeting("w1", "20260302T100000Z", "ann", "room1"), "DURATION:PT1H", "DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=10", 1)
	mustPut(t, s, defaultCalendar(t, s, "ann"), "w1.ics", weekly, calendar.Conditions{})
	mustPut(t, s, defaultCalendar(t, s, "bob"), "b1.ics", meeting("b1", "20260316T103000Z", "bob", "room1"), calendar.Conditions{})
	mustPut(t, s, defaultCalendar(t, s, "bob"), "b2.ics", meeting("b2", "20260316T120000Z", "bob", "room1"), calendar.Conditions{})

	for _, c := range []struct{ owner, uid, want string }{
		{"ann", "w1", "PARTSTAT=ACCEPTED"},
		{"bob", "b1", "PARTSTAT=DECLINED"},
		{"bob", "b2", "PARTSTAT=ACCEPTED"},
	} {
		o := copyOf(t, s, c.owner, c.uid)
		if l := attendeeLine(o.Data, "room1@example.org"); !strings.Contains(l, c.want) {
			t.Errorf("%s: room's line %q, want %s", c.uid, l, c.want)
		}
	}
	// The declined booking is not in the room's calendar; bob's inbox has
	// the 4.0 answer.
	if _, err := s.Object(context.Background(), defaultCalendar(t, s, "room1"), "b1.ics"); !errors.Is(err, calendar.ErrNotFound) {
		t.Errorf("declined booking in the room's calendar: %v", err)
	}
	found := false
	for _, it := range inboxItems(t, s, "bob") {
		if strings.Contains(it, "UID:b1") && strings.Contains(it, "REQUEST-STATUS:4.0") {
			found = true
		}
	}
	if !found {
		t.Errorf("bob's inbox has no REPLY with REQUEST-STATUS 4.0: %q", inboxItems(t, s, "bob"))
	}
}

func TestRoomConcurrentBookings(t *testing.T) {
	s := newService(t, calendar.Options{})
	const n = 8
	for i := range n {
		mustPrincipal(t, s, fmt.Sprintf("u%d", i))
	}
	newRoom(t, s, "room2")
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			owner := fmt.Sprintf("u%d", i)
			uid := fmt.Sprintf("c%d", i)
			mustPut(t, s, defaultCalendar(t, s, owner), uid+".ics", meeting(uid, "20260320T090000Z", owner, "room2"), calendar.Conditions{})
		})
	}
	wg.Wait()
	accepted := 0
	for i := range n {
		o := copyOf(t, s, fmt.Sprintf("u%d", i), fmt.Sprintf("c%d", i))
		if strings.Contains(attendeeLine(o.Data, "room2@example.org"), "PARTSTAT=ACCEPTED") {
			accepted++
		}
	}
	os, err := s.ListObjects(context.Background(), defaultCalendar(t, s, "room2"), false)
	if err != nil {
		t.Fatal(err)
	}
	if accepted != 1 || len(os) != 1 {
		t.Errorf("%d organizers booked one slot at once: %d accepted, %d in the room's calendar; want 1 and 1", n, accepted, len(os))
	}
}

// fakeTransport is an outbound transport that records what it is given.
type fakeTransport struct {
	mu   sync.Mutex
	got  []string
	fail bool
}

func (f *fakeTransport) Deliver(_ context.Context, d *calendar.Delivery) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return "", errors.New("relay down")
	}
	f.got = append(f.got, d.Recipient+" "+d.Method)
	return itip.StatusSent, nil
}

func TestDeliveryQueue(t *testing.T) {
	ctx := context.Background()
	tr := &fakeTransport{fail: true}
	s := newService(t, calendar.Options{Outbound: tr, LocalDomains: []string{"example.org"}})
	mustPrincipal(t, s, "ann")
	org := mustPut(t, s, defaultCalendar(t, s, "ann"), "q1.ics", meeting("q1", "20260312T090000Z", "ann", "ext@elsewhere.example", "nobody"), calendar.Conditions{})
	if l := attendeeLine(org.Data, "ext@elsewhere.example"); !strings.Contains(l, "SCHEDULE-STATUS=1.0") {
		t.Errorf("queued recipient: %q, want SCHEDULE-STATUS=1.0", l)
	}
	if l := attendeeLine(org.Data, "nobody@example.org"); !strings.Contains(l, "SCHEDULE-STATUS=3.7") {
		t.Errorf("unknown local recipient: %q, want SCHEDULE-STATUS=3.7", l)
	}
	if n := s.DeliverDue(ctx); n != 1 {
		t.Fatalf("DeliverDue = %d, want 1", n)
	}
	ann, _ := s.Principal(ctx, "ann")
	ds, _ := s.Store().Deliveries(ctx, ann.ID)
	if len(ds) != 1 || ds[0].Attempts != 1 || ds[0].LastError == "" || !ds[0].NextAttempt.After(now) {
		t.Fatalf("after a failed attempt: %+v, want one delivery to retry later", ds)
	}
	// Not due yet: nothing happens.
	tr.fail = false
	if n := s.DeliverDue(ctx); n != 0 {
		t.Errorf("DeliverDue before the retry time = %d, want 0", n)
	}
	ds[0].NextAttempt = now
	if err := s.Store().UpdateDelivery(ctx, ds[0]); err != nil {
		t.Fatal(err)
	}
	if n := s.DeliverDue(ctx); n != 1 || len(tr.got) != 1 || tr.got[0] != "mailto:ext@elsewhere.example REQUEST" {
		t.Fatalf("DeliverDue = %d, transport got %q", n, tr.got)
	}
	if ds, _ := s.Store().Deliveries(ctx, ann.ID); len(ds) != 0 {
		t.Errorf("deliveries left after success: %+v", ds)
	}
	if l := attendeeLine(copyOf(t, s, "ann", "q1").Data, "ext@elsewhere.example"); !strings.Contains(l, "SCHEDULE-STATUS=1.1") {
		t.Errorf("after sending: %q, want SCHEDULE-STATUS=1.1", l)
	}
}

func TestScheduleFreeBusy(t *testing.T) {
	s := newService(t, calendar.Options{})
	for _, n := range []string{"ann", "bob"} {
		mustPrincipal(t, s, n)
	}
	mustPut(t, s, defaultCalendar(t, s, "bob"), "secret.ics", event("secret", "20260313T090000Z"), calendar.Conditions{})
	req := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\nUID:fb1\r\nDTSTAMP:20260301T000000Z\r\n" +
		"DTSTART:20260313T000000Z\r\nDTEND:20260314T000000Z\r\nORGANIZER:mailto:ann@example.org\r\n" +
		"ATTENDEE:mailto:bob@example.org\r\nATTENDEE:mailto:who@elsewhere.example\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n"
	cal, _ := ical.Parse([]byte(req))
	got, err := s.ScheduleFreeBusy(context.Background(), "ann", cal.Component)
	if err != nil {
		t.Fatalf("ScheduleFreeBusy: %v", err)
	}
	if len(got) != 2 || !strings.HasPrefix(got[0].Status, "2.0") || !strings.HasPrefix(got[1].Status, "5.3") {
		t.Fatalf("ScheduleFreeBusy = %+v", got)
	}
	reply := string(got[0].Reply)
	if !strings.Contains(reply, "FREEBUSY") || !strings.Contains(reply, "20260313T090000Z/") || strings.Contains(reply, "secret") {
		t.Errorf("free-busy reply shows no busy time or the event itself:\n%s", reply)
	}
	// Bob cannot ask in ann's name.
	if _, err := s.ScheduleFreeBusy(context.Background(), "bob", cal.Component); err == nil {
		t.Errorf("ScheduleFreeBusy as someone else's organizer succeeded")
	}
}
