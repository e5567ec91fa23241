// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/almanac-project/almanac/ical"
	"github.com/almanac-project/almanac/internal/calendar"
	"github.com/almanac-project/almanac/internal/store/sqlite"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newService(t testing.TB, opt calendar.Options) *calendar.Service {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "almanac.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if opt.Now == nil {
		opt.Now = func() time.Time { return now }
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return calendar.New(st, opt)
}

func mustPrincipal(t testing.TB, s *calendar.Service, name string) *calendar.Principal {
	t.Helper()
	p := &calendar.Principal{Name: name, Addresses: []string{name + "@example.org"}}
	if err := s.CreatePrincipal(context.Background(), p); err != nil {
		t.Fatalf("CreatePrincipal(%q): %v", name, err)
	}
	return p
}

func event(uid, start string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
		"\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:" + start + "\r\nDURATION:PT1H\r\nSUMMARY:" + uid +
		"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
}

func put(t testing.TB, s *calendar.Service, coll *calendar.Collection, name, text string) (*calendar.Object, bool, error) {
	t.Helper()
	cal, err := ical.Parse([]byte(text))
	if err != nil {
		t.Fatalf("ical.Parse: %v", err)
	}
	return s.PutObject(context.Background(), coll, name, []byte(text), cal.Component, calendar.Conditions{})
}

func TestCreatePrincipal(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	p := &calendar.Principal{Name: "ann", Addresses: []string{"Ann@Example.ORG", "MAILTO:ann@example.org", "mailto:a2@Example.org"}}
	if err := s.CreatePrincipal(ctx, p); err != nil {
		t.Fatalf("CreatePrincipal() = %v", err)
	}
	got, err := s.Principal(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"mailto:ann@example.org", "mailto:a2@example.org"}; !slices.Equal(got.Addresses, want) {
		t.Errorf("Principal().Addresses = %q, want %q", got.Addresses, want)
	}
	if got.Type != calendar.TypeIndividual {
		t.Errorf("Principal().Type = %q, want individual", got.Type)
	}
	colls, err := s.Collections(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, c := range colls {
		kinds = append(kinds, c.Name+":"+c.Kind)
	}
	if want := []string{"calendar:calendar", "inbox:inbox", "outbox:outbox"}; !slices.Equal(kinds, want) {
		t.Errorf("Collections(ann) = %q, want %q", kinds, want)
	}
	if colls[0].DisplayName != "Calendar" || !slices.Equal(colls[0].Components, []string{"VEVENT", "VTODO"}) {
		t.Errorf("Collections(ann)[0] = %+v, want the default calendar", colls[0])
	}
	if p, err := s.PrincipalByAddress(ctx, "mailto:ANN@example.org"); err != nil || p.Name != "ann" {
		t.Errorf("PrincipalByAddress() = %v, %v", p, err)
	}
	if err := s.CreatePrincipal(ctx, &calendar.Principal{Name: "ann"}); !errors.Is(err, calendar.ErrExists) {
		t.Errorf("CreatePrincipal(ann again) = %v, want ErrExists", err)
	}
	noAddr := &calendar.Principal{Name: "bob"}
	if err := s.CreatePrincipal(ctx, noAddr); err != nil || len(noAddr.Addresses) != 0 {
		t.Errorf("CreatePrincipal(bob) = %v, addresses %q", err, noAddr.Addresses)
	}
	for _, bad := range []string{"", "Ann", "a/b", "all", "..", strings.Repeat("a", 65), "é"} {
		if err := s.CreatePrincipal(ctx, &calendar.Principal{Name: bad}); !errors.Is(err, calendar.ErrInvalidName) {
			t.Errorf("CreatePrincipal(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
	if err := s.CreatePrincipal(ctx, &calendar.Principal{Name: "x", Type: "robot"}); !errors.Is(err, calendar.ErrInvalidArgument) {
		t.Errorf("CreatePrincipal(type robot) = %v, want ErrInvalidArgument", err)
	}
	if err := s.SetPassword(ctx, "ann", "$argon2id$x"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Principal(ctx, "ann"); p.PasswordHash != "$argon2id$x" {
		t.Errorf("SetPassword did not store the hash")
	}
	if err := s.DeletePrincipal(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Principal(ctx, "bob"); !errors.Is(err, calendar.ErrNotFound) {
		t.Errorf("Principal(deleted) = %v, want ErrNotFound", err)
	}
}

func TestAppPassword(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	mustPrincipal(t, s, "ann")
	token, err := s.CreateAppPassword(ctx, "ann", "phone")
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 26 {
		t.Errorf("CreateAppPassword() token %q has %d characters, want 26 (128 bits)", token, len(token))
	}
	p, err := s.PrincipalByAppPassword(ctx, token)
	if err != nil || p.Name != "ann" {
		t.Errorf("PrincipalByAppPassword() = %v, %v", p, err)
	}
	if _, err := s.PrincipalByAppPassword(ctx, token+"x"); !errors.Is(err, calendar.ErrNotFound) {
		t.Errorf("PrincipalByAppPassword(wrong) = %v, want ErrNotFound", err)
	}
}

func TestPutObjectAndQuota(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	p := &calendar.Principal{Name: "ann", QuotaBytes: 1000}
	if err := s.CreatePrincipal(ctx, p); err != nil {
		t.Fatal(err)
	}
	coll, err := s.Collection(ctx, "ann", "calendar")
	if err != nil {
		t.Fatal(err)
	}
	text := event("e1", "20260310T100000Z")
	o, created, err := put(t, s, coll, "e1.ics", text)
	if err != nil || !created {
		t.Fatalf("PutObject() = %v, %v", created, err)
	}
	if o.ETag != calendar.ETag([]byte(text)) || !strings.HasPrefix(o.ETag, `"`) || len(o.ETag) != 34 {
		t.Errorf("PutObject() ETag = %s", o.ETag)
	}
	if _, created, err := put(t, s, coll, "e1.ics", text); err != nil || created {
		t.Errorf("PutObject(replace) = %v, %v; want updated", created, err)
	}
	var uc *calendar.UIDConflictError
	if _, _, err := put(t, s, coll, "other.ics", text); !errors.As(err, &uc) || uc.Name != "e1.ics" {
		t.Errorf("PutObject(same UID) = %v, want UIDConflictError naming e1.ics", err)
	}
	used, avail, err := s.Quota(ctx, "ann")
	if err != nil || used != int64(len(text)) || avail != 1000-used {
		t.Errorf("Quota() = %d, %d, %v", used, avail, err)
	}
	big := event("e2", "20260311T100000Z")
	big = strings.Replace(big, "SUMMARY:e2", "SUMMARY:"+strings.Repeat("x", 900), 1)
	if _, _, err := put(t, s, coll, "e2.ics", big); !errors.Is(err, calendar.ErrQuotaExceeded) {
		t.Errorf("PutObject(over quota) = %v, want ErrQuotaExceeded", err)
	}
	todo := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VJOURNAL\r\nUID:j\r\nDTSTART;VALUE=DATE:20260310\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n"
	if _, _, err := put(t, s, coll, "j.ics", todo); !errors.Is(err, calendar.ErrInvalidObject) {
		t.Errorf("PutObject(VJOURNAL into VEVENT/VTODO calendar) = %v, want ErrInvalidObject", err)
	}
}

// TestQueryMovedInstance runs the client-quirks rule through the store: a
// time-range query does not match the original slot of a moved instance.
func TestQueryMovedInstance(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	mustPrincipal(t, s, "ann")
	coll, _ := s.Collection(ctx, "ann", "calendar")
	text := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" +
		"BEGIN:VEVENT\r\nUID:m\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260302T100000Z\r\nDTEND:20260302T110000Z\r\nRRULE:FREQ=DAILY;COUNT=5\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:m\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20260304T100000Z\r\nDTSTART:20260304T150000Z\r\nDTEND:20260304T160000Z\r\nEND:VEVENT\r\n" +
		"END:VCALENDAR\r\n"
	if _, _, err := put(t, s, coll, "m.ics", text); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		start, end string
		want       int
	}{
		{"20260304T093000Z", "20260304T113000Z", 0}, // the replaced slot
		{"20260304T143000Z", "20260304T153000Z", 1}, // the moved instance
		{"20260306T100000Z", "20260306T110000Z", 1},
		{"20260310T000000Z", "20260311T000000Z", 0}, // after the series
	} {
		objs, err := s.QueryObjects(ctx, coll, calendar.Query{Component: "VEVENT", Start: utc(tc.start), End: utc(tc.end)})
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) != tc.want {
			t.Errorf("QueryObjects(%s, %s) = %d objects, want %d", tc.start, tc.end, len(objs), tc.want)
		}
	}
}

func utc(s string) time.Time {
	t, err := time.Parse("20060102T150405Z", s)
	if err != nil {
		panic(err)
	}
	return t
}

// vectorFiles are the real-world iCalendar files of testdata/vectors/ics.
func vectorFiles(t *testing.T) []string {
	files, err := filepath.Glob("../../testdata/vectors/ics/*.ics")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors: %v", err)
	}
	return files
}

// splitCount is the number of objects a file splits into.
func splitCount(t *testing.T, data []byte) int {
	dec := ical.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		cal, err := dec.Decode()
		if err != nil {
			return n
		}
		n += len(ical.Split(cal.Component))
	}
}

func TestImportVectors(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	mustPrincipal(t, s, "ann")
	for i, file := range vectorFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("c%d", i)
			if err := s.CreateCollection(ctx, "ann", &calendar.Collection{Name: name}); err != nil {
				t.Fatal(err)
			}
			want := splitCount(t, data)
			calls := 0
			st, err := s.Import(ctx, "ann", name, bytes.NewReader(data), func(done, total int) {
				calls++
				if total != want || done != calls {
					t.Errorf("progress(%d, %d) at call %d, want total %d", done, total, calls, want)
				}
			})
			if err != nil {
				t.Fatalf("Import() = %v", err)
			}
			if st.Created != want || st.Failed != 0 || st.Updated != 0 {
				t.Errorf("Import() = %+v, want %d objects created", st, want)
			}
			for _, f := range st.Failures {
				t.Logf("failed: %+v", f)
			}
			coll, _ := s.Collection(ctx, "ann", name)
			objs, _ := s.ListObjects(ctx, coll, false)
			if len(objs) != st.Created {
				t.Errorf("ListObjects() = %d objects, want %d", len(objs), st.Created)
			}
			again, err := s.Import(ctx, "ann", name, bytes.NewReader(data), nil)
			if err != nil || again.Updated != st.Created || again.Created != 0 || again.Failed != st.Failed {
				t.Errorf("Import(again) = %+v, %v; want %d updated", again, err, st.Created)
			}
		})
	}
}

func TestExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	mustPrincipal(t, s, "ann")
	for _, n := range []string{"a", "b"} {
		if err := s.CreateCollection(ctx, "ann", &calendar.Collection{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile("../../testdata/vectors/ics/recurring-ical-events__daylight_saving_time.ics")
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Import(ctx, "ann", "a", bytes.NewReader(data), nil)
	if err != nil || st.Failed != 0 {
		t.Fatalf("Import() = %+v, %v", st, err)
	}
	var first, second bytes.Buffer
	if err := s.Export(ctx, "ann", "a", &first); err != nil {
		t.Fatal(err)
	}
	st2, err := s.Import(ctx, "ann", "b", bytes.NewReader(first.Bytes()), nil)
	if err != nil || st2.Created != st.Created {
		t.Fatalf("Import(export) = %+v, %v; want %d created", st2, err, st.Created)
	}
	if err := s.Export(ctx, "ann", "b", &second); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("Export(Import(Export())) differs from Export()")
	}
	cal, err := ical.Parse(first.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := ical.Parse(data)
	count := func(c *ical.Component) (n int) {
		for _, ch := range c.Children {
			if ch.Name == ical.CompEvent {
				n++
			}
		}
		return n
	}
	if count(cal.Component) != count(orig.Component) {
		t.Errorf("Export() has %d VEVENTs, the input %d", count(cal.Component), count(orig.Component))
	}
}

func TestFeed(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	mustPrincipal(t, s, "ann")
	coll, _ := s.Collection(ctx, "ann", "calendar")
	if _, _, err := put(t, s, coll, "e1.ics", event("e1", "20260310T100000Z")); err != nil {
		t.Fatal(err)
	}
	token, err := s.SetFeedToken(ctx, "ann", "calendar", true)
	if err != nil || token == "" {
		t.Fatalf("SetFeedToken() = %q, %v", token, err)
	}
	c, objs, err := s.Feed(ctx, token)
	if err != nil || c.ID != coll.ID || len(objs) != 1 || objs[0].Data == nil {
		t.Fatalf("Feed() = %v, %d objects, %v", c, len(objs), err)
	}
	if _, err := s.SetFeedToken(ctx, "ann", "calendar", false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Feed(ctx, token); !errors.Is(err, calendar.ErrNotFound) {
		t.Errorf("Feed(revoked) = %v, want ErrNotFound", err)
	}
}

// genCalendar writes n events, every tenth weekly recurring, in one
// VCALENDAR with a VTIMEZONE.
func genCalendar(n int) []byte {
	var b bytes.Buffer
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n")
	b.WriteString("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n")
	start := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		t := start.Add(time.Duration(i) * 3 * time.Hour)
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:event-%d@bench.example\r\nDTSTAMP:20250101T000000Z\r\n", i)
		fmt.Fprintf(&b, "DTSTART;TZID=Europe/Berlin:%s\r\nDURATION:PT45M\r\nSUMMARY:Event %d\r\n", t.Format("20060102T150405"), i)
		if i%10 == 0 {
			b.WriteString("RRULE:FREQ=WEEKLY;COUNT=52\r\n")
		}
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.Bytes()
}

func TestImportGenerated(t *testing.T) {
	s := newService(t, calendar.Options{})
	mustPrincipal(t, s, "ann")
	st, err := s.Import(context.Background(), "ann", "calendar", bytes.NewReader(genCalendar(200)), nil)
	if err != nil || st.Created != 200 || st.Failed != 0 {
		t.Fatalf("Import() = %+v, %v; want 200 created", st, err)
	}
}

func BenchmarkImport10k(b *testing.B) {
	data := genCalendar(10000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		b.StopTimer()
		s := newService(b, calendar.Options{})
		mustPrincipal(b, s, "ann")
		b.StartTimer()
		st, err := s.Import(context.Background(), "ann", "calendar", bytes.NewReader(data), nil)
		if err != nil || st.Created != 10000 {
			b.Fatalf("Import() = %+v, %v", st, err)
		}
	}
}

// TestImportKeepsClientObjects: an object a client named "<uid>.ics" for
// another UID is never replaced by an import.
func TestImportKeepsClientObjects(t *testing.T) {
	ctx := context.Background()
	s := newService(t, calendar.Options{})
	mustPrincipal(t, s, "ann")
	coll, _ := s.Collection(ctx, "ann", "calendar")
	if _, _, err := put(t, s, coll, "x.ics", event("y", "20260310T100000Z")); err != nil {
		t.Fatal(err)
	}
	st, err := s.Import(ctx, "ann", "calendar", strings.NewReader(event("x", "20260311T100000Z")), nil)
	if err != nil || st.Created != 1 {
		t.Fatalf("Import() = %+v, %v", st, err)
	}
	o, err := s.Object(ctx, coll, "x.ics")
	if err != nil || o.UID != "y" {
		t.Errorf("Object(x.ics) = %v, %v; want UID y kept", o, err)
	}
}
