// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package recur

import "errors"

// ErrBudget is returned, wrapped with context, when an expansion runs out of
// its Limits. Test for it with errors.Is.
var ErrBudget = errors.New("recur: expansion budget exhausted")

// ErrUnsupported is returned, wrapped, for rules this package can parse but
// not expand: an RFC 7529 RSCALE other than GREGORIAN.
var ErrUnsupported = errors.New("recur: unsupported calendar scale")

// The defaults for the zero fields of Limits.
const (
	DefaultMaxInstances  = 10000
	DefaultMaxIterations = 1000000
)

// Limits bound the work of one expansion, so that no rule can loop or
// allocate without bound. Running out is an error wrapping ErrBudget.
type Limits struct {
	// MaxInstances is the most instances one expansion may produce. Zero
	// means DefaultMaxInstances (10,000); negative means no limit.
	MaxInstances int
	// MaxIterations is the most units of work one expansion may spend:
	// one per period visited, per day examined while building a period's
	// day set and per candidate date-time looked at. Zero means
	// DefaultMaxIterations (1,000,000); negative means no limit.
	MaxIterations int
}

func (l Limits) instances() int {
	switch {
	case l.MaxInstances == 0:
		return DefaultMaxInstances
	case l.MaxInstances < 0:
		return int(^uint(0) >> 1)
	}
	return l.MaxInstances
}

func (l Limits) iterations() int {
	switch {
	case l.MaxIterations == 0:
		return DefaultMaxIterations
	case l.MaxIterations < 0:
		return int(^uint(0) >> 1)
	}
	return l.MaxIterations
}
