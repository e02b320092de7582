import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ConfigSnapshot } from '@hotswap/config-snapshot';

const FILE = /^snapshot-(\d{12})-([0-9a-f]{16})\.json$/;

/**
 * The last few snapshots received from the control plane, on local disk, so that a data plane restarted while the
 * control plane is unreachable serves its last good configuration. Each file is written whole (temporary file,
 * fsync, rename): a crash never leaves a half-written snapshot under a snapshot's name.
 */
export class SnapshotCache {
  private writing: Promise<unknown> = Promise.resolve();
  /** The write waiting behind the one in progress, if any: a newer snapshot takes its place. */
  private queued: { snapshot: ConfigSnapshot; done: Promise<string> } | undefined;

  constructor(
    readonly dir: string,
    private readonly keep: number,
  ) {}

  /** File name of a snapshot: version first, so that names sort by version. */
  static fileNameOf(snapshot: Pick<ConfigSnapshot, 'version' | 'hash'>): string {
    return `snapshot-${String(snapshot.version).padStart(12, '0')}-${snapshot.hash.slice(0, 16)}.json`;
  }

  /**
   * Writes a snapshot and removes all but the newest `keep` ones. Writes are serialized, and coalesce: a snapshot
   * that is still waiting for the write in progress is replaced by a newer one (a burst of changes writes the first
   * and the last, not each in between). Resolves with the path written, that of the newer one when replaced.
   */
  write(snapshot: ConfigSnapshot): Promise<string> {
    if (this.queued !== undefined) {
      this.queued.snapshot = snapshot;
      return this.queued.done;
    }
    const entry = { snapshot } as { snapshot: ConfigSnapshot; done: Promise<string> };
    entry.done = this.writing.then(() => {
      if (this.queued === entry) this.queued = undefined;
      return this.writeNow(entry.snapshot);
    });
    this.queued = entry;
    this.writing = entry.done.catch(() => undefined);
    return entry.done;
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
      for await (const chunk of jsonInSlices(snapshot)) await handle.write(chunk);
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

/** Routes or backends serialized per slice: a slice takes a few milliseconds, the proxy is served in between. */
const ENTITIES_PER_SLICE = 2_000;

/**
 * The snapshot as JSON (the value `JSON.stringify` gives, routes and backends last) in slices, yielding to the event
 * loop between them: a 24 MB snapshot serialized in one go would stall every request for a few hundred milliseconds.
 */
async function* jsonInSlices(snapshot: ConfigSnapshot): AsyncGenerator<string> {
  const { routes, backends, ...head } = snapshot;
  const opening = JSON.stringify(head);
  yield `${opening.slice(0, -1)}${opening.length > 2 ? ',' : ''}"routes":[`;
  yield* arrayInSlices(routes);
  yield '],"backends":[';
  yield* arrayInSlices(backends);
  yield ']}';
}

async function* arrayInSlices(entities: readonly unknown[]): AsyncGenerator<string> {
  for (let start = 0; start < entities.length; start += ENTITIES_PER_SLICE) {
    const slice = entities.slice(start, start + ENTITIES_PER_SLICE);
    const text = JSON.stringify(slice).slice(1, -1);
    yield start === 0 ? text : `,${text}`;
    await nextTurn();
  }
}
