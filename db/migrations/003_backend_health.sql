-- Active health checks and runtime backend state. The guide's backends.health_status stays the effective status
-- (what snapshots and the backends list show); the columns below hold what it is derived from, the counters of the
-- threshold state machine, an Admin's forced breaker state, and the sequence that orders state updates on the
-- discovery streams.

-- One sequence for every backend state change of the whole control plane: data planes ignore a state whose
-- sequence is not above the one they hold for that backend.
CREATE SEQUENCE backend_state_seq AS BIGINT START WITH 1;

ALTER TABLE backends
    -- The verdict of the active checks alone: Unknown, Healthy or Unhealthy (kept while the backend drains).
    ADD COLUMN checked_status VARCHAR(50) NOT NULL DEFAULT 'Unknown',
    -- An operator's drain: health_status shows Draining, new requests stop, requests in flight finish.
    ADD COLUMN is_draining BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN consecutive_successes INT NOT NULL DEFAULT 0,
    ADD COLUMN consecutive_failures INT NOT NULL DEFAULT 0,
    -- The last check: {isHealthy, statusCode, detail, latencyMs, checkedAt}.
    ADD COLUMN last_check_result JSONB,
    -- An Admin's forced circuit-breaker state on every data plane; NULL: each data plane's breaker decides.
    ADD COLUMN breaker_override VARCHAR(10) CONSTRAINT ck_backends_breaker_override
        CHECK (breaker_override IN ('open', 'closed')),
    -- Taken from backend_state_seq when the row is created and whenever health_status or breaker_override changes.
    ADD COLUMN state_sequence BIGINT NOT NULL DEFAULT nextval('backend_state_seq'),
    ADD COLUMN state_updated_at TIMESTAMPTZ NOT NULL DEFAULT now();

UPDATE backends SET checked_status = health_status WHERE health_status IN ('Healthy', 'Unhealthy');
UPDATE backends SET is_draining = true WHERE health_status = 'Draining';
