import {
  buildSnapshot,
  deepFreeze,
  globalSettingsSchema,
  SNAPSHOT_SCHEMA_VERSION,
  positionOfId,
  snapshotDeltaBetween,
  SnapshotValidator,
  withChangesById,
  type BackendConfig,
  type ConfigSnapshot,
  type GlobalSettings,
  type RouteConfig,
  type SnapshotContent,
  type SnapshotDelta,
  type SnapshotIdentity,
  type ValidationIssue,
} from '@hotswap/config-snapshot';
import { ADVISORY_LOCK_CLASS, AdvisoryLock } from '../../database/advisory-locks';
import type { SqlQuery } from '../../database/sql-query';

/** PostgreSQL NOTIFY channel carrying the version (as text) of each new snapshot, delivered on commit. */
export const CONFIG_SNAPSHOT_CHANNEL = 'hotswap_config_snapshot';

export type SnapshotWriteResult =
  | { ok: true; snapshot: ConfigSnapshot; isStoredComplete: boolean }
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
 * gets exactly what `validateSnapshotContent` and `hashSnapshotContent` would give.
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

const BACKEND_COLUMNS = [
  'backend_id',
  'name',
  'url',
  'weight',
  'is_enabled',
  'health_status',
  'health_check',
  'connection_pool',
  'timeouts',
];

/** Every route (its live version, enabled or not) and every backend, as the database holds them now. */
export async function loadConfiguration(
  query: SqlQuery,
): Promise<{ routes: RouteConfig[]; backends: BackendConfig[] }> {
  const routes = await query<{ config: RouteConfig }>(
    // An in-flight deployment's split lives on the route row, not in its versions.
    `SELECT v.config || jsonb_build_object('trafficSplit', r.traffic_split) AS config FROM gateway_routes r
       JOIN route_versions v ON v.route_id = r.route_id AND v.version_number = r.live_version_number`,
  );
  const backends = await query<BackendRow>(`SELECT ${BACKEND_COLUMNS.join(', ')} FROM backends`);
  return { routes: routes.map((row) => row.config), backends: backends.map(backendRowToConfig) };
}

/** What changed since a snapshot: each changed id with its entity now, `null` when it no longer exists. */
interface ConfigurationChanges {
  routes: Map<string, RouteConfig | null>;
  backends: Map<string, BackendConfig | null>;
}

/** Beyond this many changed rows (a bulk load), loading everything is faster than loading them by id. */
const MAX_CHANGES_LOADED_BY_ID = 5_000;

/**
 * Consumes the ids that db/migrations/009's triggers recorded and loads those rows, in one statement: the rows are
 * read in the same database snapshot that saw the consumed ids, so an entity not among them has not changed since
 * the previous snapshot was built (a change committed later leaves its id for the next build). `undefined` when
 * everything must be reloaded instead (a table was truncated, or too many rows changed).
 */
async function consumeChanges(query: SqlQuery): Promise<ConfigurationChanges | undefined> {
  const [pending] = await query<{ count: number }>('SELECT count(*)::int AS count FROM config_entity_changes');
  if ((pending?.count ?? 0) > MAX_CHANGES_LOADED_BY_ID) return undefined;
  const rows = await query<{ kind: string; id: string; config: RouteConfig | BackendRow | null }>(
    `WITH consumed AS (DELETE FROM config_entity_changes RETURNING entity_kind, entity_id),
          ids AS (SELECT DISTINCT entity_kind, entity_id FROM consumed)
     SELECT ids.entity_kind AS kind, ids.entity_id AS id,
            CASE ids.entity_kind
              WHEN 'route' THEN (
                SELECT v.config || jsonb_build_object('trafficSplit', r.traffic_split) FROM gateway_routes r
                  JOIN route_versions v ON v.route_id = r.route_id AND v.version_number = r.live_version_number
                 WHERE r.route_id = ids.entity_id)
              WHEN 'backend' THEN (
                SELECT to_jsonb(b) FROM (
                  SELECT ${BACKEND_COLUMNS.join(', ')} FROM backends WHERE backend_id = ids.entity_id) b)
            END AS config
       FROM ids`,
  );
  const changes: ConfigurationChanges = { routes: new Map(), backends: new Map() };
  for (const row of rows) {
    if (row.kind === 'route') changes.routes.set(row.id, row.config as RouteConfig | null);
    else if (row.kind === 'backend') {
      changes.backends.set(row.id, row.config === null ? null : backendRowToConfig(row.config as BackendRow));
    } else return undefined;
  }
  return changes;
}

/** Above this many changed entities, merging them one by one into the sorted arrays costs more than sorting. */
const MAX_CHANGES_MERGED_IN_PLACE = 1_000;

function routeIdOf(route: RouteConfig): string {
  return route.routeId;
}

function backendIdOf(backend: BackendConfig): string {
  return backend.backendId;
}

function entityWithId<T>(entities: readonly T[], id: string, idOf: (entity: T) => string): T | undefined {
  const entity = entities[positionOfId(entities, id, idOf)];
  return entity !== undefined && idOf(entity) === id ? entity : undefined;
}

/**
 * `base`'s entities (sorted by id) with `changes` applied, still sorted when there are few changes: the unchanged
 * entities are `base`'s objects.
 */
function withChanges<T>(base: readonly T[], changes: ReadonlyMap<string, T | null>, idOf: (entity: T) => string): T[] {
  if (changes.size > MAX_CHANGES_MERGED_IN_PLACE) {
    const entities = base.filter((entity) => !changes.has(idOf(entity)));
    for (const entity of changes.values()) if (entity !== null) entities.push(entity);
    return entities;
  }
  const upserts = new Map<string, T>();
  const removed: string[] = [];
  for (const [id, entity] of changes) {
    if (entity !== null) upserts.set(id, entity);
    else removed.push(id);
  }
  return withChangesById(base, upserts, removed, idOf);
}

function isMergedInPlace(changes: ConfigurationChanges): boolean {
  return changes.routes.size <= MAX_CHANGES_MERGED_IN_PLACE && changes.backends.size <= MAX_CHANGES_MERGED_IN_PLACE;
}

/**
 * The entities to build the snapshot from, still sorted by id: `input`'s, except the changed ones, which are
 * replaced by their validated (deep-frozen) form. An entity that validates is its own validated form, so the
 * unchanged ones stay `base`'s objects and the next snapshot shares them.
 */
function withValidatedChanges<T>(
  input: readonly T[],
  validated: readonly T[],
  changes: ReadonlyMap<string, T | null>,
  idOf: (entity: T) => string,
): T[] {
  const entities = input.slice();
  for (const [id, entity] of changes) {
    if (entity === null) continue;
    const position = positionOfId(input, id, idOf);
    entities[position] = validated[position] as T;
  }
  return entities;
}

/**
 * `buildSnapshot` of entities already sorted by id and deep-frozen: neither sorted nor walked again (the same
 * result, in work proportional to the change).
 */
function buildSnapshotOfSorted(
  identity: SnapshotIdentity,
  content: { settings: GlobalSettings; routes: RouteConfig[]; backends: BackendConfig[] },
  hashOf: (content: SnapshotContent) => string,
): ConfigSnapshot {
  const body: SnapshotContent = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    settings: deepFreeze(content.settings),
    routes: Object.freeze(content.routes) as RouteConfig[],
    backends: Object.freeze(content.backends) as BackendConfig[],
  };
  return Object.freeze({ ...identity, ...body, hash: hashOf(body) });
}

/** The entities of `entities` (sorted by id) with one of `ids`, in id order. */
function entitiesWithIds<T>(entities: readonly T[], ids: readonly string[], idOf: (entity: T) => string): T[] {
  return [...ids]
    .sort()
    .map((id) => entityWithId(entities, id, idOf))
    .filter((entity): entity is T => entity !== undefined);
}

/** The changes from `base` to `next` when only the entities in `changes` may differ: work in their number only. */
function deltaOfChanges(base: ConfigSnapshot, next: ConfigSnapshot, changes: ConfigurationChanges): SnapshotDelta {
  const routeIds = [...changes.routes.keys()];
  const backendIds = [...changes.backends.keys()];
  return snapshotDeltaBetween(
    {
      ...base,
      routes: entitiesWithIds(base.routes, routeIds, routeIdOf),
      backends: entitiesWithIds(base.backends, backendIds, backendIdOf),
    },
    {
      ...next,
      routes: entitiesWithIds(next.routes, routeIds, routeIdOf),
      backends: entitiesWithIds(next.backends, backendIds, backendIdOf),
    },
  );
}

/**
 * Builds the snapshot of the current database state and, when it validates, stores it under the next version
 * and notifies listeners (on commit). Call inside a transaction, after `lockSnapshots`. When the content does
 * not validate nothing is written and every issue is returned: the caller rolls back.
 *
 * `base`: the newest snapshot this process knows. When it is the newest stored version, only the rows changed
 * since are loaded and only the changes are stored (`isStoredComplete: false`); otherwise everything is loaded and
 * the complete snapshot stored. Either way the snapshot is the one a complete load would give.
 */
export async function writeSnapshot(
  query: SqlQuery,
  identity: { auditId: string | null; now: Date },
  base?: ConfigSnapshot,
): Promise<SnapshotWriteResult> {
  const [previous] = await query<{ version: string }>('SELECT max(version)::text AS version FROM config_snapshots');
  const previousVersion = previous?.version ? Number(previous.version) : null;
  const changes = base !== undefined && base.version === previousVersion ? await consumeChanges(query) : undefined;
  let routes: RouteConfig[];
  let backends: BackendConfig[];
  if (base !== undefined && changes !== undefined) {
    routes = withChanges(base.routes, changes.routes, routeIdOf);
    backends = withChanges(base.backends, changes.backends, backendIdOf);
  } else {
    // Rows changed from here on keep their ids for the next build; the ones before are in this load.
    await query('DELETE FROM config_entity_changes');
    ({ routes, backends } = await loadConfiguration(query));
  }
  const settings = globalSettingsSchema.parse({});
  const validation = contentValidator.validateContent({ schemaVersion: 1, settings, routes, backends });
  if (!validation.ok) return { ok: false, issues: validation.issues, routes, backends };
  const [next] = await query<{ version: string }>("SELECT nextval('config_version_seq')::text AS version");
  const isIncremental = base !== undefined && changes !== undefined;
  const snapshotIdentity = {
    version: Number(next?.version),
    previousVersion,
    auditId: identity.auditId,
    createdAt: identity.now.toISOString(),
  };
  const hashOf = (content: SnapshotContent) => contentValidator.hashOf(content);
  const snapshot =
    isIncremental && isMergedInPlace(changes)
      ? buildSnapshotOfSorted(
          snapshotIdentity,
          {
            settings,
            routes: withValidatedChanges(routes, validation.value.routes, changes.routes, routeIdOf),
            backends: withValidatedChanges(backends, validation.value.backends, changes.backends, backendIdOf),
          },
          hashOf,
        )
      : buildSnapshot(
          snapshotIdentity,
          { settings, routes: validation.value.routes, backends: validation.value.backends },
          hashOf,
        );
  let delta = isIncremental ? deltaOfChanges(base, snapshot, changes) : null;
  if (delta !== null && isMostOf(delta, snapshot)) delta = null;
  await query(
    `INSERT INTO config_snapshots
       (version, hash, previous_version, audit_id, snapshot, delta, route_count, backend_count, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      snapshot.version,
      snapshot.hash,
      snapshot.previousVersion,
      snapshot.auditId,
      delta === null ? JSON.stringify(snapshot) : null,
      delta === null ? null : JSON.stringify(delta),
      snapshot.routes.length,
      snapshot.backends.length,
      snapshot.createdAt,
    ],
  );
  await query('SELECT pg_notify($1, $2)', [CONFIG_SNAPSHOT_CHANNEL, String(snapshot.version)]);
  return { ok: true, snapshot, isStoredComplete: delta === null };
}

/** Whether a delta changes most of the snapshot's entities (after a bulk load): then it is stored complete. */
function isMostOf(delta: SnapshotDelta, snapshot: ConfigSnapshot): boolean {
  const changed =
    delta.routes.upserted.length +
    delta.routes.removed.length +
    delta.backends.upserted.length +
    delta.backends.removed.length;
  return changed > (snapshot.routes.length + snapshot.backends.length) / 2;
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
