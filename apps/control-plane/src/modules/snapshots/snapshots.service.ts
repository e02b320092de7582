import {
  applySnapshotDelta,
  diffSnapshots,
  deepFreeze,
  type ConfigSnapshot,
  type SnapshotDelta,
  type SnapshotDiff,
} from '@hotswap/config-snapshot';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError, ServiceUnavailableError } from '../../common/errors/gateway-error';

/** One line of the snapshot history. */
export interface SnapshotSummary {
  version: number;
  hash: string;
  previousVersion: number | null;
  auditId: string | null;
  createdAt: string;
  routes: number;
  backends: number;
}

/** A version stored as its changes is written complete too once this many versions follow the last complete one. */
export const DELTAS_PER_COMPLETE_SNAPSHOT = 50;

/** Versions kept in memory besides the newest: consecutive ones share their unchanged entities. */
const CACHED_VERSIONS = 4;

/**
 * Reads stored config snapshots: the latest (what data planes should run), any version, history and diffs. A
 * version is stored complete or as its changes from the previous one (db/migrations/010); `get` rebuilds it from the
 * nearest complete snapshot, or a cached earlier version, and the changes after it.
 */
@Injectable()
export class SnapshotsService implements OnModuleDestroy {
  private readonly logger = new Logger(SnapshotsService.name);
  private cached: ConfigSnapshot | undefined;
  /** Recently read or written versions, least recently used first. */
  private readonly recent = new Map<number, ConfigSnapshot>();
  private completing: Promise<void> | undefined;

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** The version of the newest snapshot (0 if there is none, which migrations prevent). */
  async latestVersion(): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ version: string | null }>>(
      'SELECT max(version)::text AS version FROM config_snapshots',
    );
    return row?.version ? Number(row.version) : 0;
  }

  /** The newest snapshot, frozen. Re-read from PostgreSQL only when another version has been written since. */
  async getLatest(): Promise<ConfigSnapshot> {
    const version = await this.latestVersion();
    if (version === 0) throw new ServiceUnavailableError('No config snapshot exists yet: run the migrations');
    if (this.cached?.version === version) return this.cached;
    return this.get(version);
  }

  /** The complete snapshot of a version, frozen; NotFoundError when there is none. */
  async get(version: number): Promise<ConfigSnapshot> {
    const known = this.cachedVersion(version);
    if (known) return known;
    const snapshot = await this.rebuild(version);
    this.remember(snapshot);
    return snapshot;
  }

  /** Remembers a snapshot this process wrote or read, so reading it (or building on it) needs no read. */
  remember(snapshot: ConfigSnapshot): void {
    if (!this.cached || snapshot.version > this.cached.version) this.cached = snapshot;
    this.recent.delete(snapshot.version);
    this.recent.set(snapshot.version, snapshot);
    for (const version of this.recent.keys()) {
      if (this.recent.size <= CACHED_VERSIONS) break;
      this.recent.delete(version);
    }
  }

  /** The last snapshot this process has seen, without touching the database. */
  lastKnown(): ConfigSnapshot | undefined {
    return this.cached;
  }

  /**
   * After the commit of `snapshot`, stored as its changes: writes it complete too, in the background, when
   * DELTAS_PER_COMPLETE_SNAPSHOT versions have passed since the last complete one, so that rebuilding a version
   * never applies many more changes than that. A failure is only logged: the next version tries again.
   */
  storeCompleteWhenDue(snapshot: ConfigSnapshot): void {
    if (this.completing) return;
    this.completing = this.storeCompleteIfDue(snapshot)
      .catch((error: unknown) => {
        this.logger.warn(`cannot store config version ${snapshot.version} complete: ${(error as Error).message}`);
      })
      .finally(() => {
        this.completing = undefined;
      });
  }

  async onModuleDestroy(): Promise<void> {
    await this.completing;
  }

  /** Snapshot history, newest first. */
  async list(page: {
    limit: number;
    offset: number;
  }): Promise<{ items: SnapshotSummary[]; total: number; limit: number; offset: number }> {
    // Ordered by the bigint column: the select list's `version::text` would sort "10" before "9".
    const rows = await this.dataSource.query<
      Array<{
        version: string;
        hash: string;
        previous_version: string | null;
        audit_id: string | null;
        created_at: Date;
        routes: number;
        backends: number;
      }>
    >(
      `SELECT version::text, hash, previous_version::text, audit_id::text, created_at,
              coalesce(route_count, jsonb_array_length(snapshot->'routes')) AS routes,
              coalesce(backend_count, jsonb_array_length(snapshot->'backends')) AS backends
         FROM config_snapshots ORDER BY config_snapshots.version DESC LIMIT $1 OFFSET $2`,
      [page.limit, page.offset],
    );
    const [count] = await this.dataSource.query<Array<{ total: string }>>(
      'SELECT count(*)::text AS total FROM config_snapshots',
    );
    return {
      items: rows.map((row) => ({
        version: Number(row.version),
        hash: row.hash,
        previousVersion: row.previous_version === null ? null : Number(row.previous_version),
        auditId: row.audit_id,
        createdAt: row.created_at.toISOString(),
        routes: row.routes,
        backends: row.backends,
      })),
      total: Number(count?.total ?? 0),
      limit: page.limit,
      offset: page.offset,
    };
  }

  /** What changed between two stored versions. */
  async diff(from: number, to: number): Promise<SnapshotDiff> {
    const before = await this.get(from);
    const after = await this.get(to);
    return diffSnapshots(before, after);
  }

  private cachedVersion(version: number): ConfigSnapshot | undefined {
    if (this.cached?.version === version) return this.cached;
    const known = this.recent.get(version);
    if (known) this.remember(known);
    return known;
  }

  /**
   * `version` from the nearest complete snapshot at or below it, or from the newest cached version between that
   * one and `version`, and the changes stored after it.
   */
  private async rebuild(version: number): Promise<ConfigSnapshot> {
    const chain = await this.dataSource.query<Array<{ version: string; is_complete: boolean }>>(
      `SELECT version::text, snapshot IS NOT NULL AS is_complete FROM config_snapshots
        WHERE version <= $1
          AND version >= (SELECT max(version) FROM config_snapshots WHERE version <= $1 AND snapshot IS NOT NULL)
        ORDER BY config_snapshots.version`,
      [version],
    );
    const last = chain[chain.length - 1];
    if (last === undefined || Number(last.version) !== version) throw new NotFoundError('Config version', version);
    const start = [...chain].reverse().find((link) => this.cachedVersion(Number(link.version)) !== undefined);
    let snapshot: ConfigSnapshot;
    if (start !== undefined) {
      snapshot = this.cachedVersion(Number(start.version)) as ConfigSnapshot;
    } else {
      const [complete] = await this.dataSource.query<Array<{ snapshot: ConfigSnapshot }>>(
        'SELECT snapshot FROM config_snapshots WHERE version = $1',
        [chain[0]?.version],
      );
      snapshot = deepFreeze(complete?.snapshot as ConfigSnapshot);
    }
    if (snapshot.version === version) return snapshot;
    const deltas = await this.dataSource.query<Array<{ delta: SnapshotDelta | null }>>(
      'SELECT delta FROM config_snapshots WHERE version > $1 AND version <= $2 ORDER BY version',
      [snapshot.version, version],
    );
    for (const { delta } of deltas) {
      const applied = delta === null ? undefined : applySnapshotDelta(snapshot, delta);
      if (!applied?.ok) {
        const reasons = applied ? applied.issues.map((issue) => `${issue.path} ${issue.message}`).join('; ') : '';
        throw new Error(`Config version ${version} cannot be rebuilt on version ${snapshot.version}: ${reasons}`);
      }
      snapshot = deepFreeze(applied.value) as unknown as ConfigSnapshot;
    }
    return snapshot;
  }

  private async storeCompleteIfDue(snapshot: ConfigSnapshot): Promise<void> {
    const [row] = await this.dataSource.query<Array<{ deltas: number }>>(
      `SELECT count(*)::int AS deltas FROM config_snapshots
        WHERE version <= $1
          AND version > (SELECT coalesce(max(version), 0) FROM config_snapshots
                          WHERE version <= $1 AND snapshot IS NOT NULL)`,
      [snapshot.version],
    );
    if ((row?.deltas ?? 0) < DELTAS_PER_COMPLETE_SNAPSHOT) return;
    await this.dataSource.query('UPDATE config_snapshots SET snapshot = $2 WHERE version = $1 AND snapshot IS NULL', [
      snapshot.version,
      JSON.stringify(snapshot),
    ]);
  }
}
