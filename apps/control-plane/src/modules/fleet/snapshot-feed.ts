import { snapshotDeltaBetween, type ConfigSnapshot } from '@hotswap/config-snapshot';
import { encodeSnapshotPayload } from '@hotswap/proto';

/** A snapshot ready for the wire: each payload encoded once, on first use, and shared by every stream. */
export interface PreparedSnapshot {
  readonly version: number;
  readonly hash: string;
  readonly schemaVersion: number;
  /** The whole snapshot (SNAPSHOT_ENCODING); never mutated. */
  fullPayload(): Buffer;
  /**
   * Its changes from the snapshot `base` names (SNAPSHOT_DELTA_ENCODING), when this feed still holds that snapshot;
   * else undefined. Never mutated.
   */
  deltaPayloadFrom(base: { version: number; hash: string }): Buffer | undefined;
}

/** Snapshots kept to compute deltas from: the data planes run one of the last few versions. */
export const DELTA_BASE_VERSIONS = 16;

/** Where the feed reads snapshots from (the config_snapshots table). */
export interface SnapshotSource {
  /** The newest stored snapshot if its version is above `version`, else null. */
  findNewestAbove(version: number): Promise<ConfigSnapshot | null>;
}

export type SnapshotListener = (snapshot: PreparedSnapshot) => void;

export interface SnapshotFeedLogger {
  warn(message: string): void;
}

/**
 * This replica's view of the newest snapshot. It loads from the database when told that something changed
 * (a NOTIFY, startup, a listener reconnect), encodes each new version once and hands it to the subscribed
 * streams. Versions only move forward; a burst of notifications costs at most one extra load.
 */
export class SnapshotFeed {
  private newest: PreparedSnapshot | undefined;
  /**
   * The last DELTA_BASE_VERSIONS snapshots loaded, oldest first. SnapshotsService hands over consecutive versions
   * that share the routes and backends they have in common, so holding them costs little.
   */
  private history: ConfigSnapshot[] = [];
  private readonly listeners = new Set<SnapshotListener>();
  private loading: Promise<void> | undefined;
  private isReloadRequested = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private isStopped = false;

  constructor(
    private readonly source: SnapshotSource,
    private readonly logger: SnapshotFeedLogger,
    private readonly retryDelayMs = 1_000,
  ) {}

  /** The newest snapshot loaded so far, if any. */
  current(): PreparedSnapshot | undefined {
    return this.newest;
  }

  /** Calls `listener` with every newer snapshot from now on; returns the unsubscribe function. */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A change was announced: reload unless the announced version is already here. */
  notify(announcedVersion?: number): void {
    if (announcedVersion !== undefined && this.newest && announcedVersion <= this.newest.version) return;
    void this.refresh();
  }

  /** Loads the newest snapshot if it is newer than the current one. Never rejects: failures retry later. */
  refresh(): Promise<void> {
    if (this.isStopped) return Promise.resolve();
    if (this.loading) {
      this.isReloadRequested = true;
      return this.loading;
    }
    this.loading = this.loadUntilSettled().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  stop(): void {
    this.isStopped = true;
    clearTimeout(this.retryTimer);
    this.listeners.clear();
  }

  private async loadUntilSettled(): Promise<void> {
    do {
      this.isReloadRequested = false;
      try {
        await this.loadOnce();
      } catch (error) {
        this.logger.warn(`loading the newest config snapshot failed, retrying: ${(error as Error).message}`);
        this.scheduleRetry();
        return;
      }
    } while (this.isReloadRequested && !this.isStopped);
  }

  private async loadOnce(): Promise<void> {
    const snapshot = await this.source.findNewestAbove(this.newest?.version ?? 0);
    if (!snapshot || this.isStopped || (this.newest && snapshot.version <= this.newest.version)) return;
    const prepared = prepareSnapshot(snapshot, [...this.history]);
    this.history = [...this.history.slice(1 - DELTA_BASE_VERSIONS), snapshot];
    this.newest = prepared;
    for (const listener of [...this.listeners]) {
      try {
        listener(prepared);
      } catch (error) {
        this.logger.warn(`a stream failed to take snapshot ${prepared.version}: ${(error as Error).message}`);
      }
    }
  }

  private scheduleRetry(): void {
    if (this.isStopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.refresh();
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }
}

/** A snapshot's payloads, made lazily: most changes reach every data plane as a delta, never in full. */
function prepareSnapshot(snapshot: ConfigSnapshot, bases: readonly ConfigSnapshot[]): PreparedSnapshot {
  let full: Buffer | undefined;
  const deltas = new Map<number, Buffer | undefined>();
  return Object.freeze({
    version: snapshot.version,
    hash: snapshot.hash,
    schemaVersion: snapshot.schemaVersion,
    fullPayload(): Buffer {
      full ??= encodeSnapshotPayload(snapshot);
      return full;
    },
    deltaPayloadFrom(base: { version: number; hash: string }): Buffer | undefined {
      if (deltas.has(base.version)) return deltas.get(base.version);
      const from = bases.find((candidate) => candidate.version === base.version);
      const payload =
        from !== undefined && from.hash === base.hash
          ? encodeSnapshotPayload(snapshotDeltaBetween(from, snapshot))
          : undefined;
      deltas.set(base.version, payload);
      return payload;
    },
  });
}
