-- The last time a data plane reported running a snapshot version with another hash than the control plane's snapshot
-- of that version: what it reported, what was expected, when, and when an Ack of the right content (after the
-- control plane re-sent its snapshot) or a new stream resolved it. Kept after resolution, for the operator.
ALTER TABLE data_planes
  ADD COLUMN diverged_version       BIGINT,
  ADD COLUMN diverged_expected_hash TEXT,
  ADD COLUMN diverged_reported_hash TEXT,
  ADD COLUMN diverged_at            TIMESTAMPTZ,
  ADD COLUMN diverged_resolved_at   TIMESTAMPTZ;
