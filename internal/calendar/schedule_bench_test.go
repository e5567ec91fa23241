// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
)

// countingStore counts the object writes that reach the store.
type countingStore struct {
	calendar.Store
	writes atomic.Int64
}

func (c *countingStore) PutObject(ctx context.Context, o *calendar.Object, cond calendar.Conditions) (bool, error) {
	c.writes.Add(1)
	return c.Store.PutObject(ctx, o, cond)
}

func (c *countingStore) DeleteObject(ctx context.Context, id int64, name string, cond calendar.Conditions) error {
	c.writes.Add(1)
	return c.Store.DeleteObject(ctx, id, name, cond)
}

// BenchmarkReply100 measures the scheduling target: an event with
// 100 attendees, all principals of the service; one attendee's answer is
// applied to the organizer's copy and to every other attendee's copy. Each
// iteration is one PUT of the attendee's copy with a new PARTSTAT; the
// writes/op metric counts the objects written (the attendee's copy, the
// REPLY in the organizer's inbox, the organizer's copy, the other 99
// copies).
func BenchmarkReply100(b *testing.B) {
	base := newService(b, calendar.Options{})
	cs := &countingStore{Store: base.Store()}
	// A clock that moves: a REPLY with the DTSTAMP of the one before is
	// stale (RFC 5546 §2.1.5).
	var tick atomic.Int64
	clock := func() time.Time { return now.Add(time.Duration(tick.Add(1)) * time.Second) }
	s := calendar.New(cs, calendar.Options{Now: clock})
	const n = 100
	attendees := make([]string, n)
	for i := range n {
		attendees[i] = fmt.Sprintf("a%03d", i)
		mustPrincipal(b, s, attendees[i])
	}
	mustPrincipal(b, s, "org")
	const uid = "big@example.org"
	mustPut(b, s, defaultCalendar(b, s, "org"), calendar.ObjectName(uid), meeting(uid, "20260310T090000Z", "org", attendees...), calendar.Conditions{})
	coll := defaultCalendar(b, s, "a042")
	partstats := []string{"ACCEPTED", "TENTATIVE"}
	cs.writes.Store(0)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		cur := copyOf(b, s, "a042", uid)
		line := attendeeLine(cur.Data, "a042@example.org")
		text := strings.Replace(strings.ReplaceAll(string(cur.Data), "\r\n ", ""), line, "ATTENDEE;PARTSTAT="+partstats[i%2]+":mailto:a042@example.org", 1)
		mustPut(b, s, coll, cur.Name, text, calendar.Conditions{IfScheduleTag: cur.ScheduleTag})
	}
	b.ReportMetric(float64(cs.writes.Load())/float64(b.N), "writes/op")
}

// BenchmarkPutPlain is the baseline of BenchmarkReply100 in the same run:
// one PUT of an event without attendees, which writes one object.
func BenchmarkPutPlain(b *testing.B) {
	s := newService(b, calendar.Options{})
	mustPrincipal(b, s, "ann")
	coll := defaultCalendar(b, s, "ann")
	for i := 0; b.Loop(); i++ {
		mustPut(b, s, coll, "plain.ics", event("plain", fmt.Sprintf("202603%02dT090000Z", 1+i%28)), calendar.Conditions{})
	}
}
