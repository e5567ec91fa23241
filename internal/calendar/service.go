// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/almanac-project/almanac/ical/recur"
)

// Errors the Service returns, in addition to those of Store.
var (
	// ErrQuotaExceeded: the write would take the owner past their quota
	// (RFC 4331 §6 DAV:quota-not-exceeded).
	ErrQuotaExceeded = errors.New("calendar: quota exceeded")
	// ErrForbidden: the current principal lacks the rights the operation
	// needs (RFC 3744 §7.1.1 DAV:need-privileges).
	ErrForbidden = errors.New("calendar: forbidden")
	// ErrInvalidName: a principal, collection or object name is not
	// acceptable.
	ErrInvalidName = errors.New("calendar: invalid name")
	// ErrInvalidObject: a calendar object cannot be stored: it has no
	// component, mixes component types or UIDs (RFC 4791 §4.1), or lacks a
	// UID.
	ErrInvalidObject = errors.New("calendar: invalid calendar object")
	// ErrInvalidArgument: a value other than a name is not acceptable,
	// such as an unknown principal type or share access.
	ErrInvalidArgument = errors.New("calendar: invalid argument")
)

// Default values of the zero fields of Options.
const (
	DefaultIndexPast         = 365 * 24 * time.Hour
	DefaultIndexFuture       = 2 * 365 * 24 * time.Hour
	DefaultMaxIndexInstances = 5000
)

// ProdID is the PRODID of the calendars the Service writes (exports and
// feeds).
const ProdID = "-//Almanac//Almanac//EN"

// Options configure a Service.
type Options struct {
	// Now returns the current time; nil means time.Now. The instance
	// index window is placed around it.
	Now func() time.Time
	// Logger receives the service's log records; nil means slog.Default().
	Logger *slog.Logger
	// DefaultQuota is the quota in bytes of a principal whose QuotaBytes
	// is 0; 0 means unlimited.
	DefaultQuota int64
	// IndexPast and IndexFuture place the instance-index window of a
	// recurring object at [Now-IndexPast, Now+IndexFuture). Zero means
	// DefaultIndexPast (one year) and DefaultIndexFuture (two years).
	IndexPast, IndexFuture time.Duration
	// MaxIndexInstances caps the instances listed per object; the window
	// then ends where the list stops. Zero means DefaultMaxIndexInstances.
	MaxIndexInstances int
	// Limits bound each recurrence expansion; the zero value means the
	// defaults of package recur.
	Limits recur.Limits
	// Outbound delivers scheduling messages to calendar users outside the
	// service (RunDeliveries). Nil means no transport: such messages are
	// queued, and their SCHEDULE-STATUS says 5.2 (RFC 6638 §3.2.9).
	Outbound Deliverer
	// LocalDomains are the mail domains whose addresses belong to the
	// service: a scheduling message to an address there that no principal
	// has gets status 3.7 (invalid calendar user) instead of the queue.
	LocalDomains []string
}

// Service is the calendar domain service. It is safe for concurrent use.
type Service struct {
	st  Store
	opt Options
	log *slog.Logger
	// bookings holds a *sync.Mutex per room or resource (bookingLock).
	bookings sync.Map
	// wake signals RunDeliveries that a delivery was queued.
	wake chan struct{}
}

// New returns a Service on st.
func New(st Store, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.IndexPast <= 0 {
		opt.IndexPast = DefaultIndexPast
	}
	if opt.IndexFuture <= 0 {
		opt.IndexFuture = DefaultIndexFuture
	}
	if opt.MaxIndexInstances <= 0 {
		opt.MaxIndexInstances = DefaultMaxIndexInstances
	}
	domains := make([]string, len(opt.LocalDomains))
	for i, d := range opt.LocalDomains {
		domains[i] = strings.ToLower(strings.TrimSpace(d))
	}
	opt.LocalDomains = domains
	return &Service{st: st, opt: opt, log: opt.Logger, wake: make(chan struct{}, 1)}
}

// Store returns the Store the Service works on, for callers such as
// authentication that read principals and app passwords directly.
func (s *Service) Store() Store { return s.st }

// ETag returns the strong entity tag of an object's bytes: the quoted hex
// of the first 16 bytes of their SHA-256.
func ETag(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}
