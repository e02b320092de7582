import { applySnapshotDelta, type ConfigSnapshot, type SnapshotDelta } from '@hotswap/config-snapshot';
import type { Client } from 'pg';

/**
 * The complete snapshot of a stored version (the newest without `version`), read straight from the database: the
 * nearest complete snapshot at or below it with the stored changes after it applied (db/migrations/010).
 */
export async function storedSnapshot(sql: Client, version?: number): Promise<ConfigSnapshot> {
  const { rows: target } = await sql.query<{ version: string }>(
    'SELECT coalesce($1::bigint, max(version))::text AS version FROM config_snapshots',
    [version ?? null],
  );
  const wanted = target[0]?.version;
  const { rows: complete } = await sql.query<{ snapshot: ConfigSnapshot }>(
    `SELECT snapshot FROM config_snapshots WHERE version <= $1 AND snapshot IS NOT NULL ORDER BY version DESC LIMIT 1`,
    [wanted],
  );
  let snapshot = complete[0]?.snapshot;
  if (!snapshot) throw new Error(`no complete snapshot at or below version ${wanted}`);
  const { rows: deltas } = await sql.query<{ delta: SnapshotDelta }>(
    'SELECT delta FROM config_snapshots WHERE version > $1 AND version <= $2 ORDER BY version',
    [snapshot.version, wanted],
  );
  for (const { delta } of deltas) {
    const applied = applySnapshotDelta(snapshot, delta);
    if (!applied.ok) throw new Error(`version ${delta.version} does not apply: ${JSON.stringify(applied.issues)}`);
    snapshot = applied.value as unknown as ConfigSnapshot;
  }
  if (String(snapshot.version) !== wanted) throw new Error(`no stored version ${wanted}`);
  return snapshot;
}
