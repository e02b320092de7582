import {
  buildSnapshot,
  globalSettingsSchema,
  SnapshotValidator,
  type BackendConfig,
  type ConfigSnapshot,
  type RouteConfig,
  type ValidationIssue,
} from '@hotswap/config-snapshot';
import { ADVISORY_LOCK_CLASS, AdvisoryLock } from '../../database/advisory-locks';
import type { SqlQuery } from '../../database/sql-query';

/** PostgreSQL NOTIFY channel carrying the version (as text) of each new snapshot, delivered on commit. */
export const CONFIG_SNAPSHOT_CHANNEL = 'hotswap_config_snapshot';

export type SnapshotWriteResult =
  | { ok: true; snapshot: ConfigSnapshot }
  | { ok: false; issues: ValidationIssue[]; routes: RouteConfig[]; backends: BackendConfig[] };

interface BackendRow {
  backend_id: string;
  name: string;
  url: string;
  weight: number;
  is_enabled: boolean;
  health_status: string;
  health_check: unknown;
  connection_pool: unknown;
  timeouts: unknown;
}

/**
 * Remembers the routes and backends of the last snapshot this process built, so that the next build after a
 * one-route change parses and serializes (for the hash) only what differs. A cache of results only: every build
 * still loads the whole configuration from the database under the snapshots lock, whichever replica wrote last,
 * and gets exactly what `validateSnapshotContent` and `hashSnapshotContent` would give.
 */
const contentValidator = new SnapshotValidator();

/** Serializes snapshot building until the current transaction ends. Take it before changing configuration. */
export async function lockSnapshots(query: SqlQuery): Promise<void> {
  await query('SELECT pg_advisory_xact_lock($1, $2)', [ADVISORY_LOCK_CLASS, AdvisoryLock.snapshots]);
}

/** The backend row as it travels in a snapshot. */
export function backendRowToConfig(row: BackendRow): BackendConfig {
  return {
    backendId: row.backend_id,
    name: row.name,
    url: row.url,
    weight: row.weight,
    isEnabled: row.is_enabled,
    healthStatus: row.health_status as BackendConfig['healthStatus'],
    healthCheck: (row.health_check ?? null) as BackendConfig['healthCheck'],
    connectionPool: (row.connection_pool ?? null) as BackendConfig['connectionPool'],
    timeouts: (row.timeouts ?? null) as BackendConfig['timeouts'],
  };
}

/** Every route (its live version, enabled or not) and every backend, as the database holds them now. */
export async function loadConfiguration(
  query: SqlQuery,
): Promise<{ routes: RouteConfig[]; backends: BackendConfig[] }> {
  const routes = await query<{ config: RouteConfig }>(
    // An in-flight deployment's split lives on the route row, not in its versions.
    `SELECT v.config || jsonb_build_object('trafficSplit', r.traffic_split) AS config FROM gateway_routes r
       JOIN route_versions v ON v.route_id = r.route_id AND v.version_number = r.live_version_number`,
  );
  const backends = await query<BackendRow>(
    `SELECT backend_id, name, url, weight, is_enabled, health_status, health_check, connection_pool, timeouts
       FROM backends`,
  );
  return { routes: routes.map((row) => row.config), backends: backends.map(backendRowToConfig) };
}

/**
 * Builds the snapshot of the current database state and, when it validates, stores it under the next version
 * and notifies listeners (on commit). Call inside a transaction, after `lockSnapshots`. When the content does
 * not validate nothing is written and every issue is returned: the caller rolls back.
 */
export async function writeSnapshot(
  query: SqlQuery,
  identity: { auditId: string | null; now: Date },
): Promise<SnapshotWriteResult> {
  const { routes, backends } = await loadConfiguration(query);
  const settings = globalSettingsSchema.parse({});
  const validation = contentValidator.validateContent({ schemaVersion: 1, settings, routes, backends });
  if (!validation.ok) return { ok: false, issues: validation.issues, routes, backends };
  const [previous] = await query<{ version: string }>('SELECT max(version)::text AS version FROM config_snapshots');
  const [next] = await query<{ version: string }>("SELECT nextval('config_version_seq')::text AS version");
  const snapshot = buildSnapshot(
    {
      version: Number(next?.version),
      previousVersion: previous?.version ? Number(previous.version) : null,
      auditId: identity.auditId,
      createdAt: identity.now.toISOString(),
    },
    { settings, routes: validation.value.routes, backends: validation.value.backends },
    (content) => contentValidator.hashOf(content),
  );
  await query(
    `INSERT INTO config_snapshots (version, hash, previous_version, audit_id, snapshot, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      snapshot.version,
      snapshot.hash,
      snapshot.previousVersion,
      snapshot.auditId,
      JSON.stringify(snapshot),
      snapshot.createdAt,
    ],
  );
  await query('SELECT pg_notify($1, $2)', [CONFIG_SNAPSHOT_CHANNEL, String(snapshot.version)]);
  return { ok: true, snapshot };
}

/**
 * Writes a first snapshot when there is none, so a data plane always has something to run. Returns its version,
 * or `undefined` when a snapshot already existed. Call inside a transaction.
 */
export async function ensureInitialSnapshot(query: SqlQuery, now: Date): Promise<number | undefined> {
  await lockSnapshots(query);
  const existing = await query('SELECT 1 FROM config_snapshots LIMIT 1');
  if (existing.length > 0) return undefined;
  const written = await writeSnapshot(query, { auditId: null, now });
  if (!written.ok) {
    const reasons = written.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
    throw new Error(`The stored configuration does not validate, no initial snapshot written: ${reasons}`);
  }
  return written.snapshot.version;
}
