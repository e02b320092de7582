-- Progressive delivery: the guide's deployments table extended for the engine, the history of each deployment's
-- transitions, and the traffic split an in-flight deployment puts on its route (copied into every snapshot).

-- The in-flight deployment's split of this route ({deploymentId, strategy, canaryPercentage, canary, ...}); NULL
-- when none. Snapshots carry it as the route's `trafficSplit`.
ALTER TABLE gateway_routes ADD COLUMN traffic_split JSONB;

ALTER TABLE deployments
    -- The route_versions.version_number rolled out, and the one live when the deployment was created.
    ADD COLUMN target_version_number INT NOT NULL,
    ADD COLUMN stable_version_number INT NOT NULL,
    -- Analysis thresholds: {maxErrorRateDeltaPoints, maxP99Increase, minRequests, maxInconclusive}.
    ADD COLUMN thresholds JSONB NOT NULL,
    ADD COLUMN pin_header VARCHAR(255) NOT NULL DEFAULT 'X-Canary',
    ADD COLUMN preview_header VARCHAR(255) NOT NULL DEFAULT 'X-Preview',
    ADD COLUMN requires_approval BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN approval_comment TEXT,
    ADD COLUMN approval_expires_at TIMESTAMPTZ,
    ADD COLUMN phase_started_at TIMESTAMPTZ,
    -- Bumped by every transition and analysis run: a scheduled job names the tick it expects, so a redelivered
    -- job or one run by another replica finds it moved on and does nothing.
    ADD COLUMN tick INT NOT NULL DEFAULT 0,
    -- Analyses in a row that could not judge the phase (too little traffic) at its end.
    ADD COLUMN inconclusive_count INT NOT NULL DEFAULT 0,
    ADD COLUMN last_analysis JSONB,
    ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();

ALTER TABLE deployments
    ADD CONSTRAINT fk_deployments_route FOREIGN KEY (route_id) REFERENCES gateway_routes(route_id) ON DELETE CASCADE;

-- One active deployment per route.
CREATE UNIQUE INDEX uq_deployments_active_route ON deployments(route_id)
    WHERE status IN ('Pending', 'Approved', 'InProgress', 'Paused');
CREATE INDEX idx_deployments_pending_approval ON deployments(approval_expires_at) WHERE status = 'Pending';

CREATE TABLE deployment_transitions (
    id BIGSERIAL PRIMARY KEY,
    deployment_id VARCHAR(255) NOT NULL REFERENCES deployments(deployment_id) ON DELETE CASCADE,
    event VARCHAR(50) NOT NULL,
    from_status VARCHAR(50),
    to_status VARCHAR(50) NOT NULL,
    from_phase_index INT,
    to_phase_index INT NOT NULL,
    reason TEXT NOT NULL,
    user_id VARCHAR(255),
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX idx_deployment_transitions_deployment ON deployment_transitions(deployment_id, id);
