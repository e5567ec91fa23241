// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package imip

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// genReader serves head, then line repeated up to size bytes in all, then
// tail, without holding the body; it counts the bytes served.
type genReader struct {
	head, line, tail string
	size             int64 // of the repeated part
	pos              int64 // in the whole stream
	served           int64
}

func (g *genReader) Read(b []byte) (int, error) {
	n := 0
	total := int64(len(g.head)) + g.size + int64(len(g.tail))
	for n < len(b) && g.pos < total {
		var c byte
		switch p := g.pos; {
		case p < int64(len(g.head)):
			c = g.head[p]
		case p < int64(len(g.head))+g.size:
			c = g.line[(p-int64(len(g.head)))%int64(len(g.line))]
		default:
			c = g.tail[p-int64(len(g.head))-g.size]
		}
		b[n] = c
		n++
		g.pos++
	}
	g.served += int64(n)
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// allocated returns the bytes allocated while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLimitSize: a message over MaxSize is an error wrapping ErrLimit,
// read with bounded memory and never more than MaxSize+1 bytes.
func TestLimitSize(t *testing.T) {
	const mb = 1 << 20
	head := "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n" + calendarText("x") +
		"--b\r\nContent-Type: %s\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	for _, tc := range []struct {
		name     string
		typ      string
		size     int64 // of the attachment
		lim      Limits
		maxAlloc uint64
	}{
		// A 50 MB attachment against the default 32 MiB: discarded as it
		// is read, so little is allocated.
		{"50 MB attachment", "application/pdf; name=big.pdf", 50_000_000, Limits{}, 1 * mb},
		// A calendar part is held, but never beyond MaxSize (the bound is
		// loose for the race detector's allocations).
		{"50 MB calendar part", "text/calendar", 50_000_000, Limits{MaxSize: 2 * mb}, 16 * mb},
		// The epilogue after the final boundary counts too.
		{"epilogue", "application/pdf", 100, Limits{MaxSize: 1000}, 1 * mb},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &genReader{head: fmt.Sprintf(head, tc.typ), line: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n", size: tc.size,
				tail: "\r\n--b--\r\n" + strings.Repeat("epilogue\r\n", 200)}
			var err error
			alloc := allocated(func() { _, err = Parse(g, tc.lim) })
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("Parse = %v, want ErrLimit", err)
			}
			t.Logf("served %d, allocated %d", g.served, alloc)
			max := tc.lim.withDefaults().MaxSize
			if g.served > max+1 {
				t.Errorf("Parse read %d bytes, limit %d", g.served, max)
			}
			if alloc > tc.maxAlloc {
				t.Errorf("Parse allocated %d bytes, want at most %d", alloc, tc.maxAlloc)
			}
		})
	}

	// The exact size passes, one more byte does not.
	msg := oneCalendar("; method=REQUEST", "", calendarText("x"))
	if _, err := Parse(strings.NewReader(msg), Limits{MaxSize: int64(len(msg))}); err != nil {
		t.Errorf("Parse at MaxSize: %v", err)
	}
	if _, err := Parse(strings.NewReader(msg), Limits{MaxSize: int64(len(msg) - 1)}); !errors.Is(err, ErrLimit) {
		t.Errorf("Parse at MaxSize+1 = %v, want ErrLimit", err)
	}
	// A header larger than the message limit.
	big := "Subject: " + strings.Repeat("x", 5000) + "\r\n\r\n"
	if _, err := Parse(strings.NewReader(big), Limits{MaxSize: 1000}); !errors.Is(err, ErrLimit) {
		t.Errorf("Parse of a large header = %v, want ErrLimit", err)
	}
}

// nested returns a message of depth nested multiparts around a calendar.
func nested(depth int) string {
	var b strings.Builder
	b.WriteString("From: a@example.com\r\n")
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/calendar\r\n\r\n" + calendarText("deep"))
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "\r\n--b%d--\r\n", i)
	}
	return b.String()
}

// manyParts returns a multipart/mixed of n parts of type typ.
func manyParts(n int, typ, body string) string {
	var b strings.Builder
	b.WriteString("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for range n {
		b.WriteString("--b\r\nContent-Type: " + typ + "\r\n\r\n" + body + "\r\n")
	}
	b.WriteString("--b--\r\n")
	return b.String()
}

// TestLimitStructure: the part count, the depth and the number of
// calendar parts are bounded.
func TestLimitStructure(t *testing.T) {
	cal := calendarText("x")
	for _, tc := range []struct {
		name string
		msg  string
		lim  Limits
		ok   bool
	}{
		{"499 parts", manyParts(498, "text/plain", "x"), Limits{}, true}, // with the multipart itself
		{"600 parts", manyParts(600, "text/plain", "x"), Limits{}, false},
		{"600 parts, raised limit", manyParts(600, "text/plain", "x"), Limits{MaxParts: 1000}, true},
		{"depth 20", nested(20), Limits{}, true},
		{"depth 30", nested(30), Limits{}, false},
		{"depth 3, limit 2", nested(3), Limits{MaxDepth: 2}, false},
		{"20 calendar parts", manyParts(20, "text/calendar", cal), Limits{}, true},
		{"21 calendar parts", manyParts(21, "text/calendar", cal), Limits{}, false},
		{"1000 calendar parts", manyParts(1000, "text/calendar", cal), Limits{MaxParts: 2000}, false},
		{"1000 calendar parts by name", manyParts(1000, "application/octet-stream; name=a.ics", cal), Limits{MaxParts: 2000}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(strings.NewReader(tc.msg), tc.lim)
			if !tc.ok {
				if !errors.Is(err, ErrLimit) || m != nil {
					t.Errorf("Parse = %v, want ErrLimit", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if _, err := m.ITIP(); strings.Contains(tc.name, "calendar") || strings.Contains(tc.name, "depth") {
				if err != nil {
					t.Errorf("ITIP: %v", err)
				}
			}
		})
	}
}

// failingReader fails after serving data.
type failingReader struct {
	data string
	err  error
}

func (f *failingReader) Read(b []byte) (int, error) {
	if f.data == "" {
		return 0, f.err
	}
	n := copy(b, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestReadError: an error of the reader ends Parse, wrapped.
func TestReadError(t *testing.T) {
	boom := errors.New("connection reset")
	msg := oneCalendar("; method=REQUEST", "", calendarText("x"))
	for _, cut := range []int{10, 200, len(msg) - 20} {
		_, err := Parse(&failingReader{data: msg[:cut], err: boom}, Limits{})
		if !errors.Is(err, boom) {
			t.Errorf("Parse cut at %d = %v, want the read error", cut, err)
		}
	}
}
