-- SPDX-License-Identifier: MIT
-- Copyright the Almanac authors.
-- Time-range lookups by kind (see sqlstore's package doc). objects.kind,
-- chosen when an object is written, says which index finds it: 0 (span at
-- most sqlstore.LongSpan, not recurring) by span start, 1 (recurring over
-- all time, every instance at most LongSpan) by instance start, 2
-- (anything else, also the default) by span end. long_span goes. Instances
-- get their object's collection and an index by start. Existing rows are
-- converted: LongSpan is 604800000000 microseconds, calendar.MinTime -62135596800000000 and
-- calendar.MaxTime 253402300799000000.

ALTER TABLE objects ADD COLUMN kind SMALLINT NOT NULL DEFAULT 2 CHECK (kind IN (0, 1, 2));
UPDATE objects SET kind = CASE
	WHEN NOT recurring AND span_end - span_start <= 604800000000 THEN 0
	WHEN recurring AND window_from <= -62135596800000000 AND window_until >= 253402300799000000
		AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.object_id = objects.id AND i.inst_end - i.inst_start > 604800000000)
		THEN 1
	ELSE 2
	END;
DROP INDEX objects_short_start;
DROP INDEX objects_long_end;
ALTER TABLE objects DROP COLUMN long_span;
CREATE INDEX objects_span_start ON objects (collection_id, span_start) WHERE kind = 0;
CREATE INDEX objects_span_end ON objects (collection_id, span_end) WHERE kind = 2;

-- Instances go with their object (ON DELETE CASCADE), so collection_id
-- needs no reference of its own.
ALTER TABLE instances ADD COLUMN collection_id BIGINT;
UPDATE instances i SET collection_id = o.collection_id FROM objects o WHERE o.id = i.object_id;
ALTER TABLE instances ALTER COLUMN collection_id SET NOT NULL;
CREATE INDEX instances_collection_start ON instances (collection_id, inst_start, inst_end, object_id);
