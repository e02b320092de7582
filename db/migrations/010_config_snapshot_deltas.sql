-- Config snapshots stored in proportion to their change: a version holds its complete snapshot, or only its changes
-- from its previous version (a SnapshotDelta of libs/config-snapshot), or both once the control plane has filled in
-- the complete snapshot of a version in the background. A version is rebuilt from the nearest complete snapshot at
-- or below it and the deltas after that one.
ALTER TABLE config_snapshots
    ALTER COLUMN snapshot DROP NOT NULL,
    -- Its changes from previous_version's snapshot; NULL for a version stored complete from the start.
    ADD COLUMN delta JSONB,
    -- For the history list, without reading the snapshot (NULL in rows written by other means: counted then).
    ADD COLUMN route_count INT,
    ADD COLUMN backend_count INT;

UPDATE config_snapshots
   SET route_count = jsonb_array_length(snapshot -> 'routes'), backend_count = jsonb_array_length(snapshot -> 'backends');

ALTER TABLE config_snapshots
    ADD CONSTRAINT ck_config_snapshots_stored CHECK (snapshot IS NOT NULL OR (delta IS NOT NULL AND previous_version IS NOT NULL));

-- The nearest complete snapshot at or below a version.
CREATE INDEX idx_config_snapshots_complete ON config_snapshots (version) WHERE snapshot IS NOT NULL;
