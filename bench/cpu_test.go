// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package bench

import (
	"syscall"
	"testing"
	"time"
)

// processCPU returns the user plus system CPU time of the process so far,
// all threads included (the garbage collector's too).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter reports cpu-ms/op: the process CPU time spent per iteration.
// On a shared, overloaded machine wall-clock ns/op also counts the time
// the benchmark waited for a CPU; CPU time does not, so ratios of cpu-ms/op
// are steadier. It includes garbage collection on other threads, which
// belongs to the cost of an allocating library.
type cpuMeter struct{ start time.Duration }

func startCPU() cpuMeter { return cpuMeter{processCPU()} }

func (m cpuMeter) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-m.start)/float64(b.N)/1e6, "cpu-ms/op")
	}
}
