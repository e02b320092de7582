import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigSnapshot } from '@hotswap/config-snapshot';

const FILE = /^snapshot-(\d{12})-([0-9a-f]{16})\.json$/;

/**
 * The last few snapshots received from the control plane, on local disk, so that a data plane restarted while the
 * control plane is unreachable serves its last good configuration. Each file is written whole (temporary file,
 * fsync, rename): a crash never leaves a half-written snapshot under a snapshot's name.
 */
export class SnapshotCache {
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly keep: number,
  ) {}

  /** File name of a snapshot: version first, so that names sort by version. */
  static fileNameOf(snapshot: Pick<ConfigSnapshot, 'version' | 'hash'>): string {
    return `snapshot-${String(snapshot.version).padStart(12, '0')}-${snapshot.hash.slice(0, 16)}.json`;
  }

  /** Writes a snapshot and removes all but the newest `keep` ones. Writes are serialized. Returns the file path. */
  write(snapshot: ConfigSnapshot): Promise<string> {
    const done = this.writing.then(() => this.writeNow(snapshot));
    this.writing = done.catch(() => undefined);
    return done;
  }

  /** Snapshot files, newest version first. */
  async listNewestFirst(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((name) => FILE.test(name))
      .sort()
      .reverse()
      .map((name) => join(this.dir, name));
  }

  /** Reads one cached file as untrusted JSON; the caller validates it. */
  async read(file: string): Promise<unknown> {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  }

  private async writeNow(snapshot: ConfigSnapshot): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, SnapshotCache.fileNameOf(snapshot));
    const tmp = join(this.dir, `.snapshot-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(JSON.stringify(snapshot));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    await this.prune();
    return file;
  }

  private async prune(): Promise<void> {
    const names = await readdir(this.dir);
    const snapshots = names
      .filter((name) => FILE.test(name))
      .sort()
      .reverse();
    const stale = [
      ...snapshots.slice(this.keep),
      // Leftovers of writes interrupted by a crash (writes in this process are serialized, so none is in progress).
      ...names.filter((name) => name.startsWith('.snapshot-') && name.endsWith('.tmp')),
    ];
    await Promise.all(stale.map((name) => rm(join(this.dir, name), { force: true })));
  }
}
