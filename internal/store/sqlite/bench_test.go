// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlite_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/store/sqlite"
)

// benchStore opens a database with one principal and one calendar.
func benchStore(b *testing.B, opts sqlite.Options) (*sqlite.Store, *calendar.Collection) {
	b.Helper()
	s, err := sqlite.OpenOptions(b.Context(), filepath.Join(b.TempDir(), "bench.db"), opts)
	if err != nil {
		b.Fatalf("Open() = %v", err)
	}
	b.Cleanup(func() { s.Close() })
	p := &calendar.Principal{Name: "bench", Type: calendar.TypeIndividual}
	if err := s.CreatePrincipal(b.Context(), p); err != nil {
		b.Fatalf("CreatePrincipal() = %v", err)
	}
	c := &calendar.Collection{OwnerID: p.ID, Name: "default", Kind: calendar.KindCalendar}
	if err := s.CreateCollection(b.Context(), c); err != nil {
		b.Fatalf("CreateCollection() = %v", err)
	}
	return s, c
}

var benchStart = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// benchObject is the i-th object at 10 a day (every 144 minutes), about
// 1 KB: one in four (i%4 == 0) is a weekly series of ten one-hour
// instances (RRULE COUNT=10, indexed whole as the service does), the
// others are single one-hour events.
func benchObject(collectionID int64, i int) *calendar.Object {
	start := benchStart.Add(time.Duration(i) * 144 * time.Minute)
	uid := fmt.Sprintf("event-%07d@bench.example", i)
	rule := ""
	ix := calendar.Index{Start: start, End: start.Add(time.Hour)}
	if i%4 == 0 {
		rule = "RRULE:FREQ=WEEKLY;COUNT=10\r\n"
		ix = calendar.Index{Start: start, End: start.AddDate(0, 0, 63).Add(time.Hour), Recurring: true, From: calendar.MinTime, Until: calendar.MaxTime}
		for w := range 10 {
			s := start.AddDate(0, 0, 7*w)
			ix.Instances = append(ix.Instances, calendar.Span{Start: s, End: s.Add(time.Hour)})
		}
	}
	data := fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Almanac//bench//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\n"+
		"DTSTART:%s\r\nDTEND:%s\r\n%sSUMMARY:Benchmark event %d\r\nDESCRIPTION:%0700d\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		uid, start.Format("20060102T150405Z"), start.Add(time.Hour).Format("20060102T150405Z"), rule, i, i)
	return &calendar.Object{
		CollectionID: collectionID,
		Name:         uid + ".ics",
		UID:          uid,
		Component:    "VEVENT",
		ETag:         fmt.Sprintf(`"%x"`, i),
		Data:         []byte(data),
		Index:        ix,
	}
}

// BenchmarkPutObject measures creating objects (see benchObject), one transaction each, from
// 1 and from 4 concurrent clients, with each durability level.
func BenchmarkPutObject(b *testing.B) {
	for _, bc := range []struct {
		name    string
		sync    sqlite.Synchronous
		clients int
	}{
		{"normal/clients=1", sqlite.SyncNormal, 1},
		{"normal/clients=4", sqlite.SyncNormal, 4},
		{"full/clients=1", sqlite.SyncFull, 1},
		{"full/clients=4", sqlite.SyncFull, 4},
	} {
		clients := bc.clients
		b.Run(bc.name, func(b *testing.B) {
			s, c := benchStore(b, sqlite.Options{Synchronous: bc.sync})
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range clients {
				wg.Go(func() {
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						if _, err := s.PutObject(b.Context(), benchObject(c.ID, int(i)), calendar.Conditions{IfNoneMatch: true}); err != nil {
							b.Errorf("PutObject() = %v", err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "puts/s")
		})
	}
}

// BenchmarkQueryMonth measures a one-month time-range query in the middle
// of collections of different sizes at the same density (10 objects a day,
// see benchObject), so every query returns about the same objects: the
// target is that 100,000 objects take at most twice as long as 10,000.
func BenchmarkQueryMonth(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			s, c := benchStore(b, sqlite.Options{})
			for i := range n {
				if _, err := s.PutObject(b.Context(), benchObject(c.ID, i), calendar.Conditions{}); err != nil {
					b.Fatalf("PutObject() = %v", err)
				}
			}
			mid := benchStart.Add(time.Duration(n/2) * 144 * time.Minute)
			q := calendar.Query{Component: "VEVENT", Start: mid, End: mid.AddDate(0, 1, 0), WithData: true}
			var got int
			b.ResetTimer()
			for b.Loop() {
				os, err := s.QueryObjects(b.Context(), c.ID, q)
				if err != nil {
					b.Fatalf("QueryObjects() = %v", err)
				}
				got = len(os)
			}
			b.ReportMetric(float64(got), "objects/query")
		})
	}
}
