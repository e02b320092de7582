import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import type { SnapshotHead } from './data-plane';
import type { SnapshotSource } from './snapshot-feed';

/** The part of the snapshots module's SnapshotsService the fleet reads through. */
export interface StoredSnapshots {
  latestVersion(): Promise<number>;
  get(version: number): Promise<ConfigSnapshot>;
}

/** The newest stored snapshot, through the snapshots module (which caches the latest one it read). */
export class StoredSnapshotSource implements SnapshotSource {
  constructor(private readonly snapshots: StoredSnapshots) {}

  async findNewestAbove(version: number): Promise<ConfigSnapshot | null> {
    const latest = await this.snapshots.latestVersion();
    return latest > version ? this.snapshots.get(latest) : null;
  }

  /** The newest stored snapshot's version and hash, or null when there is none. */
  async findHead(): Promise<SnapshotHead | null> {
    const latest = await this.snapshots.latestVersion();
    if (latest === 0) return null;
    const { version, hash } = await this.snapshots.get(latest);
    return { version, hash };
  }
}
