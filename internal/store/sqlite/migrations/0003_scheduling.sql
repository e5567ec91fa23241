-- SPDX-License-Identifier: MIT
-- Copyright the Almanac authors.
-- CalDAV scheduling (RFC 6638): the schedule tag of scheduling object
-- resources, the queue of scheduling messages to recipients outside the
-- service, and a scheduling inbox and outbox for every principal.

-- schedule_tag: the quoted CALDAV:schedule-tag (RFC 6638 §3.2.10) of a
-- scheduling object resource, '' for any other object (and every object
-- written before this migration).
ALTER TABLE objects ADD COLUMN schedule_tag TEXT NOT NULL DEFAULT '';

-- The delivery queue (calendar.Delivery): one iTIP message (RFC 5546) to
-- one recipient, kept until a transport is done with it and deleted.
-- owner_id is the principal whose object records the outcome in
-- SCHEDULE-STATUS; its deliveries go with it. collection_id and
-- object_name name that object (0 and '' when there is none); they are no
-- reference, so that the messages of a deleted object or collection (such
-- as its CANCELs) are still sent. AUTOINCREMENT keeps ids, which
-- transports hold on to, from being reused. transport: 'imip', 'crisp' or
-- '' while none is chosen. status: the last REQUEST-STATUS code recorded.
-- Times (next_attempt, created) are Unix microseconds.
CREATE TABLE deliveries (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	owner_id INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
	collection_id INTEGER NOT NULL,
	object_name TEXT NOT NULL,
	uid TEXT NOT NULL,
	method TEXT NOT NULL,
	originator TEXT NOT NULL,
	recipient TEXT NOT NULL,
	transport TEXT NOT NULL,
	message BLOB NOT NULL,
	status TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	next_attempt INTEGER NOT NULL,
	last_error TEXT NOT NULL,
	created INTEGER NOT NULL
);
-- DueDeliveries: a transport's deliveries in the order they fall due.
CREATE INDEX deliveries_due ON deliveries (transport, next_attempt, id);
-- Deliveries, and the cascade from principals.
CREATE INDEX deliveries_owner ON deliveries (owner_id, id);

-- Every principal gets a scheduling inbox and outbox (RFC 6638 §2.2, §2.1)
-- unless it has one of that kind, with the values CreateCollection gives a
-- collection created without descriptive fields. A principal that already
-- has a collection named 'inbox' or 'outbox' gets none of that kind here:
-- the service finds inboxes and outboxes by kind, not by name. New
-- principals get theirs from the service.
INSERT INTO collections (owner_id, name, kind, display_name, description, color, sort_order, timezone,
	components, props, transparent, public_read, feed_token, seq, used_bytes, created, modified)
SELECT p.id, b.kind, b.kind, '', '', '', 0, '', NULL, NULL, FALSE, FALSE, NULL, 0, 0,
	CAST(unixepoch('subsec') * 1000000 AS INTEGER), CAST(unixepoch('subsec') * 1000000 AS INTEGER)
FROM principals p CROSS JOIN (SELECT 'inbox' AS kind UNION ALL SELECT 'outbox') b
WHERE NOT EXISTS (SELECT 1 FROM collections c WHERE c.owner_id = p.id AND (c.kind = b.kind OR c.name = b.kind))
ORDER BY p.id, b.kind;
