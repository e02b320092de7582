-- The registry of data planes: who is connected to which control-plane replica, which snapshot each runs, and
-- why it is not running the newest one (a NACK from the data plane, or a snapshot the control plane withheld
-- because the data plane cannot understand its schema).
CREATE TABLE data_planes (
  data_plane_id          TEXT PRIMARY KEY,
  hostname               TEXT NOT NULL DEFAULT '',
  build_version          TEXT NOT NULL DEFAULT '',
  -- Highest snapshot schema version the data plane understands (from its Hello).
  schema_version         INTEGER NOT NULL DEFAULT 0,
  -- The control-plane replica holding its stream, and that stream's id: a replica only marks a data plane
  -- disconnected when the row still belongs to its own stream (the data plane may have reconnected elsewhere).
  control_plane_instance TEXT,
  connection_id          UUID,
  is_connected           BOOLEAN NOT NULL DEFAULT FALSE,
  active_version         BIGINT,
  active_hash            TEXT,
  last_applied_ms        DOUBLE PRECISION,
  last_seen_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_ack_at            TIMESTAMPTZ,
  last_nack_version      BIGINT,
  last_nack_reasons      JSONB,
  last_nack_at           TIMESTAMPTZ,
  withheld_version       BIGINT,
  withheld_reason        TEXT,
  withheld_at            TIMESTAMPTZ,
  connected_at           TIMESTAMPTZ,
  first_seen_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX data_planes_connected_idx ON data_planes (is_connected) WHERE is_connected;
