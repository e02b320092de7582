-- Which routes and backends changed since the newest config snapshot was built, so that the next snapshot reloads
-- only those rows (apps/control-plane/src/modules/snapshots/snapshot-store.ts). Every change to a row a snapshot is
-- built from records its id here, in the changing transaction: health updates and direct SQL included.
--
-- The snapshot writer deletes (consumes) the rows its statement sees and reloads those entities in that same
-- statement. The key holds the writing transaction's id: a key of (kind, id) alone would let a transaction still
-- in progress find another's committed row, insert nothing, and have that row consumed before its own change is
-- visible; with its own id in the key, each transaction's rows stay until a writer can see its change.
CREATE TABLE config_entity_changes (
    -- 'route', 'backend', or 'all' (entity_id ''): the snapshot writer reloads everything.
    entity_kind VARCHAR(10) NOT NULL,
    entity_id VARCHAR(255) NOT NULL,
    xact_id XID8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (entity_kind, entity_id, xact_id)
);

CREATE FUNCTION record_config_entity_changes() RETURNS trigger AS $$
DECLARE
    kind CONSTANT VARCHAR := TG_ARGV[0];
    id_column CONSTANT TEXT := TG_ARGV[1];
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        -- An update: the row's snapshot columns changed (the trigger's WHEN says which).
        INSERT INTO config_entity_changes (entity_kind, entity_id)
        SELECT kind, id FROM (VALUES (to_jsonb(OLD) ->> id_column), (to_jsonb(NEW) ->> id_column)) AS ids(id)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO config_entity_changes (entity_kind, entity_id) VALUES ('all', '') ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO config_entity_changes (entity_kind, entity_id)
                        SELECT DISTINCT $1, %I FROM inserted_rows ON CONFLICT DO NOTHING', id_column)
            USING kind;
    ELSE
        EXECUTE format('INSERT INTO config_entity_changes (entity_kind, entity_id)
                        SELECT DISTINCT $1, %I FROM deleted_rows ON CONFLICT DO NOTHING', id_column)
            USING kind;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- Inserts and deletes per statement (the bench seeds 110,000 rows in three statements); updates per row, filtered
-- by the columns a snapshot reads (loadConfiguration's), so telemetry counters and health-check bookkeeping do not
-- count as changes. Keep these lists equal to what loadConfiguration selects.
CREATE TRIGGER trg_gateway_routes_insert_changes AFTER INSERT ON gateway_routes
    REFERENCING NEW TABLE AS inserted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_config_entity_changes('route', 'route_id');
CREATE TRIGGER trg_gateway_routes_delete_changes AFTER DELETE ON gateway_routes
    REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_config_entity_changes('route', 'route_id');
CREATE TRIGGER trg_gateway_routes_update_changes AFTER UPDATE ON gateway_routes
    FOR EACH ROW
    WHEN ((OLD.route_id, OLD.live_version_number, OLD.traffic_split)
          IS DISTINCT FROM (NEW.route_id, NEW.live_version_number, NEW.traffic_split))
    EXECUTE FUNCTION record_config_entity_changes('route', 'route_id');
CREATE TRIGGER trg_gateway_routes_truncate_changes AFTER TRUNCATE ON gateway_routes
    FOR EACH STATEMENT EXECUTE FUNCTION record_config_entity_changes('route', 'route_id');

CREATE TRIGGER trg_route_versions_insert_changes AFTER INSERT ON route_versions
    REFERENCING NEW TABLE AS inserted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_config_entity_changes('route', 'route_id');
CREATE TRIGGER trg_route_versions_delete_changes AFTER DELETE ON route_versions
    REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_config_entity_changes('route', 'route_id');
CREATE TRIGGER trg_route_versions_update_changes AFTER UPDATE ON route_versions
    FOR EACH ROW
    WHEN ((OLD.route_id, OLD.version_number, OLD.config) IS DISTINCT FROM (NEW.route_id, NEW.version_number, NEW.config))
    EXECUTE FUNCTION record_config_entity_changes('route', 'route_id');
CREATE TRIGGER trg_route_versions_truncate_changes AFTER TRUNCATE ON route_versions
    FOR EACH STATEMENT EXECUTE FUNCTION record_config_entity_changes('route', 'route_id');

CREATE TRIGGER trg_backends_insert_changes AFTER INSERT ON backends
    REFERENCING NEW TABLE AS inserted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_config_entity_changes('backend', 'backend_id');
CREATE TRIGGER trg_backends_delete_changes AFTER DELETE ON backends
    REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION record_config_entity_changes('backend', 'backend_id');
CREATE TRIGGER trg_backends_update_changes AFTER UPDATE ON backends
    FOR EACH ROW
    WHEN ((OLD.backend_id, OLD.name, OLD.url, OLD.weight, OLD.is_enabled, OLD.health_status, OLD.health_check,
           OLD.connection_pool, OLD.timeouts)
          IS DISTINCT FROM (NEW.backend_id, NEW.name, NEW.url, NEW.weight, NEW.is_enabled, NEW.health_status,
           NEW.health_check, NEW.connection_pool, NEW.timeouts))
    EXECUTE FUNCTION record_config_entity_changes('backend', 'backend_id');
CREATE TRIGGER trg_backends_truncate_changes AFTER TRUNCATE ON backends
    FOR EACH STATEMENT EXECUTE FUNCTION record_config_entity_changes('backend', 'backend_id');

-- Changes made before this migration were not recorded: the first snapshot built after it loads everything.
INSERT INTO config_entity_changes (entity_kind, entity_id) VALUES ('all', '');
