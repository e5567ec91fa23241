// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/almanac-project/almanac/internal/calendar"
)

// The statements of the delivery queue. The queue's writes are prepared
// with the object writes (see hotWrites): a transport updates a delivery
// after every attempt.
const (
	deliveryCols       = `id, owner_id, collection_id, object_name, uid, method, originator, recipient, transport, message, status, attempts, next_attempt, last_error, created`
	enqueueDeliverySQL = `INSERT INTO deliveries
(owner_id, collection_id, object_name, uid, method, originator, recipient, transport, message, status, attempts, next_attempt, last_error, created)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`
	updateDeliverySQL = `UPDATE deliveries SET transport = $1, status = $2, attempts = $3, next_attempt = $4, last_error = $5 WHERE id = $6`
	deleteDeliverySQL = `DELETE FROM deliveries WHERE id = $1`
	// dueDeliveriesSQL runs on the deliveries_due index: $1 the
	// transport, $2 now, $3 the limit.
	dueDeliveriesSQL = `SELECT ` + deliveryCols + ` FROM deliveries
WHERE transport = $1 AND next_attempt <= $2 ORDER BY next_attempt, id LIMIT $3`
)

// deliveryWrites are the delivery queue's statements among hotWrites.
func deliveryWrites() []string {
	return []string{enqueueDeliverySQL, updateDeliverySQL, deleteDeliverySQL}
}

func scanDelivery(row rowScanner) (*calendar.Delivery, error) {
	var (
		d             calendar.Delivery
		next, created int64
	)
	err := row.Scan(&d.ID, &d.OwnerID, &d.CollectionID, &d.ObjectName, &d.UID, &d.Method, &d.Originator, &d.Recipient,
		&d.Transport, &d.Message, &d.Status, &d.Attempts, &next, &d.LastError, &created)
	if err != nil {
		return nil, notFound(err)
	}
	d.NextAttempt, d.Created = fromMicros(next), fromMicros(created)
	return &d, nil
}

// deliveries runs a delivery query and scans every row.
func (s *Store) deliveries(ctx context.Context, query string, args ...any) ([]*calendar.Delivery, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*calendar.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// EnqueueDelivery implements calendar.Store. d.NextAttempt is stored to
// the microsecond.
func (s *Store) EnqueueDelivery(ctx context.Context, d *calendar.Delivery) error {
	created := now()
	msg := d.Message
	if msg == nil {
		msg = []byte{}
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		return s.constraint(s.queryRowTx(ctx, tx, enqueueDeliverySQL,
			d.OwnerID, d.CollectionID, d.ObjectName, d.UID, d.Method, d.Originator, d.Recipient, d.Transport, msg,
			d.Status, d.Attempts, micros(d.NextAttempt), d.LastError, micros(created)).Scan(&id))
	})
	if err != nil {
		return fmt.Errorf("enqueue delivery of %q to %q: %w", d.UID, d.Recipient, err)
	}
	d.ID, d.Created = id, created
	return nil
}

// DueDeliveries implements calendar.Store.
func (s *Store) DueDeliveries(ctx context.Context, transport string, at time.Time, limit int) ([]*calendar.Delivery, error) {
	n := int64(noLimit)
	if limit > 0 {
		n = int64(limit)
	}
	ds, err := s.deliveries(ctx, dueDeliveriesSQL, transport, micros(at), n)
	if err != nil {
		return nil, fmt.Errorf("due deliveries by %q: %w", transport, err)
	}
	return ds, nil
}

// UpdateDelivery implements calendar.Store.
func (s *Store) UpdateDelivery(ctx context.Context, d *calendar.Delivery) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return mustAffect(s.exec(ctx, tx, updateDeliverySQL, d.Transport, d.Status, d.Attempts, micros(d.NextAttempt), d.LastError, d.ID))
	})
	if err != nil {
		return fmt.Errorf("update delivery %d: %w", d.ID, err)
	}
	return nil
}

// DeleteDelivery implements calendar.Store.
func (s *Store) DeleteDelivery(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		return mustAffect(s.exec(ctx, tx, deleteDeliverySQL, id))
	})
	if err != nil {
		return fmt.Errorf("delete delivery %d: %w", id, err)
	}
	return nil
}

// Deliveries implements calendar.Store.
func (s *Store) Deliveries(ctx context.Context, ownerID int64) ([]*calendar.Delivery, error) {
	ds, err := s.deliveries(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE owner_id = $1 ORDER BY id`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("deliveries of principal %d: %w", ownerID, err)
	}
	return ds, nil
}

// Delivery implements calendar.Store.
func (s *Store) Delivery(ctx context.Context, id int64) (*calendar.Delivery, error) {
	d, err := scanDelivery(s.queryRow(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("delivery %d: %w", id, err)
	}
	return d, nil
}
