// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package bench

import (
	"bytes"
	"io"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	arran "github.com/arran4/golang-ical"
	emersion "github.com/emersion/go-ical"

	"github.com/almanac-project/almanac/ical"
)

// A codec is one iCalendar library under test.
type codec struct {
	name   string
	decode func([]byte) (any, error)
	encode func(io.Writer, any) error
}

var codecs = []codec{
	{
		name: "almanac",
		decode: func(b []byte) (any, error) {
			return ical.NewDecoder(bytes.NewReader(b)).Decode()
		},
		encode: func(w io.Writer, c any) error {
			return ical.NewEncoder(w).Encode(c.(*ical.Calendar))
		},
	},
	{
		name: "go-ical",
		decode: func(b []byte) (any, error) {
			return emersion.NewDecoder(bytes.NewReader(b)).Decode()
		},
		encode: func(w io.Writer, c any) error {
			return emersion.NewEncoder(w).Encode(c.(*emersion.Calendar))
		},
	},
	{
		name: "golang-ical",
		decode: func(b []byte) (any, error) {
			return arran.ParseCalendar(bytes.NewReader(b))
		},
		encode: func(w io.Writer, c any) error {
			return c.(*arran.Calendar).SerializeTo(w, arran.WithNewLineWindows)
		},
	},
}

// BenchmarkDecode decodes the whole ~30 MB calendar into each library's
// component tree. MB/s is input bytes per second; alloc/input is the
// number of bytes allocated per decode divided by the input size.
func BenchmarkDecode(b *testing.B) {
	data, _ := bigFile(b)
	for _, c := range codecs {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			cpu := startCPU()
			for b.Loop() {
				if _, err := c.decode(data); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			cpu.report(b)
			runtime.ReadMemStats(&after)
			perOp := float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N)
			b.ReportMetric(perOp/float64(len(data)), "alloc/input")
		})
	}
}

// BenchmarkEncode writes a decoded calendar to io.Discard. MB/s counts the
// size of the original input (the same for every library), not the size
// of each library's output; out/input reports that ratio (go-ical never
// folds lines, so its output is smaller).
func BenchmarkEncode(b *testing.B) {
	data, _ := bigFile(b)
	for _, c := range codecs {
		b.Run(c.name, func(b *testing.B) {
			cal, err := c.decode(data)
			if err != nil {
				b.Fatal(err)
			}
			var cw countingWriter
			if err := c.encode(&cw, cal); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			runtime.GC()
			b.ResetTimer()
			cpu := startCPU()
			for b.Loop() {
				if err := c.encode(io.Discard, cal); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			cpu.report(b)
			b.ReportMetric(float64(cw.n)/float64(len(data)), "out/input")
			runtime.KeepAlive(cal)
		})
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// BenchmarkDecodeMemory measures memory while decoding, relative to the
// input size (the input itself is not counted):
//
//   - peak/input: the highest live-plus-unswept heap seen during a decode
//     (runtime/metrics "/memory/classes/heap/objects:bytes", sampled every
//     100 µs by another goroutine; default GOGC=100), minus the heap before
//     the decode. This is what the process needs while decoding.
//   - retained/input: the heap still in use after the decode and a full GC,
//     while the decoded calendar is alive: the size of the tree.
//
// The timings of this benchmark are disturbed by the sampler and the forced
// collections; use BenchmarkDecode for speed.
func BenchmarkDecodeMemory(b *testing.B) {
	data, _ := bigFile(b)
	for _, c := range codecs {
		b.Run(c.name, func(b *testing.B) {
			var peakSum, retainedSum float64
			n := 0
			for b.Loop() {
				peak, retained := decodeMemory(b, c, data)
				peakSum += peak
				retainedSum += retained
				n++
			}
			size := float64(len(data))
			b.ReportMetric(peakSum/float64(n)/size, "peak/input")
			b.ReportMetric(retainedSum/float64(n)/size, "retained/input")
			b.ReportMetric(peakSum/float64(n)/1e6, "peak-MB")
			b.ReportMetric(retainedSum/float64(n)/1e6, "retained-MB")
		})
	}
}

func heapObjects(s []metrics.Sample) float64 {
	metrics.Read(s)
	return float64(s[0].Value.Uint64())
}

func decodeMemory(b *testing.B, c codec, data []byte) (peak, retained float64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	runtime.GC()
	runtime.GC()
	base := heapObjects(sample)

	stop := make(chan struct{})
	done := make(chan float64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		max := 0.0
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			if v := heapObjects(s); v > max {
				max = v
			}
			select {
			case <-stop:
				done <- max
				return
			case <-t.C:
			}
		}
	}()
	cal, err := c.decode(data)
	close(stop)
	max := <-done
	if v := heapObjects(sample); v > max {
		max = v // the sampler may have missed the very end
	}
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	runtime.GC()
	runtime.GC()
	after := heapObjects(sample)
	runtime.KeepAlive(cal)
	b.StartTimer()
	return max - base, after - base
}
