// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package calendar

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/almanac-project/almanac/itip"
)

// Retry schedule of the delivery queue: the wait doubles from
// queueFirstRetry up to queueMaxRetry between attempts, and a delivery
// that has failed for queueGiveUp is abandoned with status 5.1 (RFC 6638
// §3.2.9: could not be delivered).
const (
	queueFirstRetry = time.Minute
	queueMaxRetry   = 6 * time.Hour
	queueGiveUp     = 72 * time.Hour
	queuePoll       = 30 * time.Second
	queueBatch      = 100
)

// wakeQueue tells RunDeliveries that a delivery was queued.
func (s *Service) wakeQueue() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// RunDeliveries hands the queued deliveries to Options.Outbound until ctx
// ends: each when it is due, retried with backoff after a failure, and
// recorded in the SCHEDULE-STATUS of the object that sent it. Without a
// transport it returns at once and the queue keeps the deliveries.
func (s *Service) RunDeliveries(ctx context.Context) {
	if s.opt.Outbound == nil {
		return
	}
	t := time.NewTicker(queuePoll)
	defer t.Stop()
	for {
		s.DeliverDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// DeliverDue makes one pass over the deliveries that are due and returns
// how many it attempted.
func (s *Service) DeliverDue(ctx context.Context) int {
	if s.opt.Outbound == nil {
		return 0
	}
	n := 0
	for {
		ds, err := s.st.DueDeliveries(ctx, "", s.opt.Now(), queueBatch)
		if err != nil {
			if ctx.Err() == nil {
				s.log.ErrorContext(ctx, "scheduling queue", "err", err)
			}
			return n
		}
		for _, d := range ds {
			s.attempt(ctx, d)
		}
		n += len(ds)
		if len(ds) < queueBatch || ctx.Err() != nil {
			return n
		}
	}
}

// attempt delivers d once, protecting the queue from a transport that
// panics.
func (s *Service) attempt(ctx context.Context, d *Delivery) {
	status, err := func() (status string, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("transport panic: %v", r)
			}
		}()
		return s.opt.Outbound.Deliver(ctx, d)
	}()
	now := s.opt.Now()
	if err != nil {
		d.Attempts++
		d.LastError = err.Error()
		wait := queueFirstRetry << min(d.Attempts-1, 16)
		if wait > queueMaxRetry || wait <= 0 {
			wait = queueMaxRetry
		}
		if now.Sub(d.Created) < queueGiveUp {
			d.NextAttempt = now.Add(wait)
			d.Status = itip.StatusPending
			if uerr := s.st.UpdateDelivery(ctx, d); uerr != nil {
				s.log.ErrorContext(ctx, "scheduling queue: update", "delivery", d.ID, "err", uerr)
			}
			s.log.WarnContext(ctx, "scheduling delivery failed; will retry", "delivery", d.ID, "recipient", d.Recipient, "attempts", d.Attempts, "err", err)
			return
		}
		status = itip.StatusUnavailable
	}
	if err := s.st.DeleteDelivery(ctx, d.ID); err != nil {
		s.log.ErrorContext(ctx, "scheduling queue: delete", "delivery", d.ID, "err", err)
	}
	if d.CollectionID == 0 || d.ObjectName == "" {
		return
	}
	coll, err := s.st.Collection(ctx, d.CollectionID)
	if err != nil {
		return // the calendar is gone, and the status with it
	}
	s.recordStatus(ctx, coll, d.ObjectName, map[string]string{d.Recipient: statusCode(status)})
}

// statusCode returns the code of a REQUEST-STATUS value ("2.0;Success" →
// "2.0").
func statusCode(v string) string {
	code, _, _ := strings.Cut(v, ";")
	return strings.TrimSpace(code)
}
