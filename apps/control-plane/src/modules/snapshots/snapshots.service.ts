import { diffSnapshots, deepFreeze, type ConfigSnapshot, type SnapshotDiff } from '@hotswap/config-snapshot';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFoundError, ServiceUnavailableError } from '../../common/errors/gateway-error';
import { ConfigSnapshotEntity } from './config-snapshot.entity';

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

/** Reads stored config snapshots: the latest (what data planes should run), any version, history and diffs. */
@Injectable()
export class SnapshotsService {
  private cached: ConfigSnapshot | undefined;

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

  /** The snapshot of a version, frozen; NotFoundError when there is none. */
  async get(version: number): Promise<ConfigSnapshot> {
    if (this.cached?.version === version) return this.cached;
    const row = await this.dataSource
      .getRepository(ConfigSnapshotEntity)
      .findOne({ where: { version: String(version) }, select: { version: true, snapshot: true } });
    if (!row) throw new NotFoundError('Config version', version);
    const snapshot = deepFreeze(row.snapshot);
    if (!this.cached || snapshot.version > this.cached.version) this.cached = snapshot;
    return snapshot;
  }

  /** Remembers a snapshot this process just wrote, so the next getLatest() needs no read. */
  remember(snapshot: ConfigSnapshot): void {
    if (!this.cached || snapshot.version > this.cached.version) this.cached = snapshot;
  }

  /** The last snapshot this process has seen, without touching the database. */
  lastKnown(): ConfigSnapshot | undefined {
    return this.cached;
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
              jsonb_array_length(snapshot->'routes') AS routes, jsonb_array_length(snapshot->'backends') AS backends
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
    const [before, after] = await Promise.all([this.get(from), this.get(to)]);
    return diffSnapshots(before, after);
  }
}
