-- Traffic telemetry from the data planes (proto/hotswap/telemetry/v1), aggregated across data planes and
-- control-plane replicas: what deployments are judged on must survive a control-plane restart.

-- Per route, traffic variant and 10-second bucket: requests, errors by class and the latency histogram (the fixed
-- bounds of libs/config-snapshot LATENCY_BUCKET_BOUNDS_MS). Every replica adds its data planes' reports into the same
-- rows; rows older than the retention are deleted.
CREATE TABLE telemetry_buckets (
  bucket_start    TIMESTAMPTZ NOT NULL,
  -- '': requests a data plane summed into its overflow series (routes not itemized in a capped report).
  route_id        TEXT NOT NULL,
  variant         VARCHAR(16) NOT NULL CONSTRAINT ck_telemetry_buckets_variant
                    CHECK (variant IN ('stable', 'canary', 'preview')),
  requests        BIGINT NOT NULL DEFAULT 0,
  server_errors   BIGINT NOT NULL DEFAULT 0,
  connect_errors  BIGINT NOT NULL DEFAULT 0,
  timeouts        BIGINT NOT NULL DEFAULT 0,
  rate_limited    BIGINT NOT NULL DEFAULT 0,
  latency_sum_ms  DOUBLE PRECISION NOT NULL DEFAULT 0,
  latency_counts  BIGINT[] NOT NULL DEFAULT '{}',
  -- When a replica last added to the row: replicas re-read the rows changed since their last read.
  updated_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (route_id, variant, bucket_start)
);

CREATE INDEX telemetry_buckets_updated_at_idx ON telemetry_buckets (updated_at);
CREATE INDEX telemetry_buckets_bucket_start_idx ON telemetry_buckets (bucket_start);

-- Adds two latency histograms bucket by bucket (the shorter one padded with zeros).
CREATE FUNCTION telemetry_add_counts(a BIGINT[], b BIGINT[]) RETURNS BIGINT[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}')
    FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i)
  $$;

-- The newest report of each data plane: its state at the end of the window (breakers, connections) and how far its
-- reports are stored (a report of the same boot with a sequence not above last_sequence is a duplicate).
CREATE TABLE telemetry_data_planes (
  data_plane_id      TEXT PRIMARY KEY,
  boot_id            TEXT NOT NULL,
  last_sequence      BIGINT NOT NULL,
  -- The control plane's clock when the report arrived.
  reported_at        TIMESTAMPTZ NOT NULL,
  window_ms          INTEGER NOT NULL,
  config_version     BIGINT NOT NULL,
  active_connections INTEGER NOT NULL,
  in_flight_requests INTEGER NOT NULL,
  breakers_closed    INTEGER NOT NULL,
  breakers_open      INTEGER NOT NULL,
  breakers_half_open INTEGER NOT NULL,
  -- [{backendId, breakerState, inFlight}]: backends whose breaker is not closed or with requests in flight.
  backends           JSONB NOT NULL DEFAULT '[]'
);

-- The backends whose active_connections telemetry set above 0: the ones to reset when their requests end.
CREATE INDEX backends_active_connections_idx ON backends (backend_id) WHERE active_connections <> 0;
