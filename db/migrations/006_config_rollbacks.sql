-- Config rollbacks: a request to make the configuration equal to a stored snapshot version again. Applied at once,
-- or (in an environment under the approval policy) kept Pending until another Admin approves or rejects it.
CREATE TABLE config_rollbacks (
    rollback_id VARCHAR(255) PRIMARY KEY,
    -- The snapshot version whose content is restored.
    target_version BIGINT NOT NULL REFERENCES config_snapshots(version),
    environment VARCHAR(100) NOT NULL,
    reason TEXT,
    -- Pending | Applied | Rejected
    status VARCHAR(50) NOT NULL,
    requires_approval BOOLEAN NOT NULL,
    approval_expires_at TIMESTAMPTZ,
    requested_by VARCHAR(255),
    decided_by VARCHAR(255),
    decision_comment TEXT,
    decided_at TIMESTAMPTZ,
    -- The snapshot version that was newest when the rollback was applied (the version it wrote is the snapshot of
    -- its ConfigRolledBack audit row).
    from_version BIGINT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_config_rollbacks_pending ON config_rollbacks(created_at) WHERE status = 'Pending';
