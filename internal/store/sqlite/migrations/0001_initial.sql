-- SPDX-License-Identifier: MIT
-- Copyright the Almanac authors.
-- The initial schema. Times are Unix microseconds (INTEGER). AUTOINCREMENT
-- keeps the ids of deleted principals, app passwords and collections from
-- being reused, as PostgreSQL identities are not.

CREATE TABLE principals (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	name TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	type TEXT NOT NULL,
	admin BOOLEAN NOT NULL,
	password_hash TEXT NOT NULL,
	quota_bytes INTEGER NOT NULL,
	created INTEGER NOT NULL
);

-- address is the address as given; address_key the form lookups compare
-- (lower-cased scheme, and the whole mailto: address lower-cased).
CREATE TABLE principal_addresses (
	principal_id INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	address TEXT NOT NULL,
	address_key TEXT NOT NULL UNIQUE,
	PRIMARY KEY (principal_id, position)
);

CREATE TABLE app_passwords (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	principal_id INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
	label TEXT NOT NULL,
	hash BLOB NOT NULL UNIQUE,
	created INTEGER NOT NULL
);
CREATE INDEX app_passwords_principal ON app_passwords (principal_id);

-- components: NULL is the default set, otherwise comma-separated names.
-- props: the dead properties as JSON. used_bytes: the sum of object sizes.
CREATE TABLE collections (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	owner_id INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	display_name TEXT NOT NULL,
	description TEXT NOT NULL,
	color TEXT NOT NULL,
	sort_order INTEGER NOT NULL,
	timezone TEXT NOT NULL,
	components TEXT,
	props BLOB,
	transparent BOOLEAN NOT NULL,
	public_read BOOLEAN NOT NULL,
	feed_token TEXT UNIQUE,
	seq INTEGER NOT NULL,
	used_bytes INTEGER NOT NULL,
	created INTEGER NOT NULL,
	modified INTEGER NOT NULL,
	UNIQUE (owner_id, name)
);

-- long_span: span_end - span_start exceeds sqlstore.LongSpan.
CREATE TABLE objects (
	id INTEGER PRIMARY KEY,
	collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	uid TEXT NOT NULL,
	component TEXT NOT NULL,
	etag TEXT NOT NULL,
	data BLOB NOT NULL,
	size INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	modified INTEGER NOT NULL,
	span_start INTEGER NOT NULL,
	span_end INTEGER NOT NULL,
	long_span BOOLEAN NOT NULL,
	recurring BOOLEAN NOT NULL,
	window_from INTEGER NOT NULL,
	window_until INTEGER NOT NULL,
	UNIQUE (collection_id, name),
	UNIQUE (collection_id, uid)
);
CREATE INDEX objects_short_start ON objects (collection_id, long_span, span_start);
CREATE INDEX objects_long_end ON objects (collection_id, long_span, span_end);

CREATE TABLE instances (
	object_id INTEGER NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
	inst_start INTEGER NOT NULL,
	inst_end INTEGER NOT NULL
);
CREATE INDEX instances_object_start ON instances (object_id, inst_start);

-- One row per object name: its latest change.
CREATE TABLE changes (
	collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	seq INTEGER NOT NULL,
	deleted BOOLEAN NOT NULL,
	PRIMARY KEY (collection_id, name)
);
CREATE INDEX changes_seq ON changes (collection_id, seq);

CREATE TABLE shares (
	collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
	principal_id INTEGER NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
	access TEXT NOT NULL,
	PRIMARY KEY (collection_id, principal_id)
);
CREATE INDEX shares_principal ON shares (principal_id);
