-- HotSwap Gateway: initial schema. The deployment guide's four tables (gateway_routes, backends, deployments,
-- audit_logs) with TIMESTAMPTZ, plus route versions and versioned config snapshots.

-- Gateway routes: one row per route, holding its live version's configuration.
CREATE TABLE gateway_routes (
    route_id VARCHAR(255) PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    path_pattern VARCHAR(500) NOT NULL,
    methods TEXT[],
    -- Ids of the route's backends, in order: ["backend-1", "backend-2"].
    backends JSONB NOT NULL,
    strategy VARCHAR(50) NOT NULL,
    strategy_config JSONB,
    timeout_seconds INT NOT NULL DEFAULT 30,
    is_enabled BOOLEAN NOT NULL DEFAULT true,
    priority INT NOT NULL DEFAULT 0,
    transformations JSONB,
    rate_limit JSONB,
    circuit_breaker JSONB,
    retry_policy JSONB,
    version VARCHAR(50) NOT NULL DEFAULT '1.0',
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    -- Additions to the guide's table.
    host VARCHAR(253),
    strip_prefix BOOLEAN NOT NULL DEFAULT true,
    -- The route_versions.version_number this row reflects, and the highest one written.
    live_version_number INT NOT NULL DEFAULT 1,
    latest_version_number INT NOT NULL DEFAULT 1,
    created_by VARCHAR(255),
    updated_by VARCHAR(255),
    CONSTRAINT uq_gateway_routes_name UNIQUE (name)
);

CREATE INDEX idx_routes_path_pattern ON gateway_routes(path_pattern);
CREATE INDEX idx_routes_enabled ON gateway_routes(is_enabled);
CREATE INDEX idx_routes_backends ON gateway_routes USING GIN (backends jsonb_path_ops);

-- Backends table
CREATE TABLE backends (
    backend_id VARCHAR(255) PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    url VARCHAR(500) NOT NULL,
    weight INT NOT NULL DEFAULT 100,
    is_enabled BOOLEAN NOT NULL DEFAULT true,
    health_status VARCHAR(50) NOT NULL DEFAULT 'Unknown',
    health_check JSONB,
    connection_pool JSONB,
    timeouts JSONB,
    last_health_check TIMESTAMPTZ,
    active_connections INT NOT NULL DEFAULT 0,
    total_requests BIGINT NOT NULL DEFAULT 0,
    failed_requests BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    -- Additions to the guide's table.
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    CONSTRAINT uq_backends_name UNIQUE (name)
);

CREATE INDEX idx_backends_health_status ON backends(health_status);
CREATE INDEX idx_backends_url ON backends(url);

-- Deployments table
CREATE TABLE deployments (
    deployment_id VARCHAR(255) PRIMARY KEY,
    route_id VARCHAR(255) NOT NULL,
    config_version VARCHAR(50) NOT NULL,
    strategy VARCHAR(50) NOT NULL,
    environment VARCHAR(50) NOT NULL,
    status VARCHAR(50) NOT NULL DEFAULT 'Pending',
    traffic_split JSONB,
    phases JSONB,
    current_phase_index INT NOT NULL DEFAULT 0,
    started_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    metrics JSONB,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_by VARCHAR(255),
    approval_status VARCHAR(50) NOT NULL DEFAULT 'Pending',
    approved_by VARCHAR(255),
    approved_at TIMESTAMPTZ,
    rolled_back_at TIMESTAMPTZ,
    rollback_reason TEXT
);

CREATE INDEX idx_deployments_route_id ON deployments(route_id);
CREATE INDEX idx_deployments_status ON deployments(status);

-- Audit logs table
CREATE TABLE audit_logs (
    id BIGSERIAL PRIMARY KEY,
    event_type VARCHAR(100) NOT NULL,
    entity_type VARCHAR(100),
    entity_id VARCHAR(255),
    user_id VARCHAR(255),
    details JSONB,
    trace_id VARCHAR(255),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_audit_logs_created_at ON audit_logs(created_at DESC);
CREATE INDEX idx_audit_logs_entity ON audit_logs(entity_type, entity_id);

-- Every version of every route: the complete RouteConfig (as in a snapshot) of that version.
CREATE TABLE route_versions (
    route_id VARCHAR(255) NOT NULL REFERENCES gateway_routes(route_id) ON DELETE CASCADE,
    version_number INT NOT NULL,
    config JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    created_by VARCHAR(255),
    PRIMARY KEY (route_id, version_number)
);

-- Versions of config snapshots: monotonic, shared by every control-plane replica.
CREATE SEQUENCE config_version_seq AS BIGINT START WITH 1;

-- Every config snapshot ever built: immutable rows, newest version = what data planes should run.
CREATE TABLE config_snapshots (
    version BIGINT PRIMARY KEY,
    hash CHAR(64) NOT NULL,
    previous_version BIGINT,
    audit_id BIGINT REFERENCES audit_logs(id),
    snapshot JSONB NOT NULL, -- the complete ConfigSnapshot
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
