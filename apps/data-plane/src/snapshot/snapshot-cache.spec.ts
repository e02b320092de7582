import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { aSnapshot } from '@hotswap/testing';
import { SnapshotCache } from './snapshot-cache';

describe('SnapshotCache', () => {
  let dir: string;
  beforeEach(() => (dir = join(mkdtempSync(join(tmpdir(), 'dp-cache-')), 'nested', 'cache')));
  afterEach(() => rmSync(join(dir, '../..'), { recursive: true, force: true }));

  it('writes whole files, keeps the newest ones and lists them newest first', async () => {
    const cache = new SnapshotCache(dir, 2);
    for (const version of [1, 2, 10, 3]) await cache.write(aSnapshot({}, { version }));
    writeFileSync(join(dir, '.snapshot-1-abc.tmp'), '{');
    await cache.write(aSnapshot({}, { version: 11 }));
    const files = await cache.listNewestFirst();
    expect(files.map((file) => basename(file))).toEqual([
      SnapshotCache.fileNameOf(aSnapshot({}, { version: 11 })),
      SnapshotCache.fileNameOf(aSnapshot({}, { version: 10 })),
    ]);
    expect(readdirSync(dir).sort()).toHaveLength(2);
    expect(await cache.read(files[0]!)).toMatchObject({ version: 11 });
  });

  it('coalesces a burst: a snapshot still waiting to be written is replaced by the newer one', async () => {
    const cache = new SnapshotCache(dir, 3);
    await cache.write(aSnapshot({}, { version: 1 }));
    const paths = await Promise.all([2, 3, 4].map((version) => cache.write(aSnapshot({}, { version }))));
    const newest = join(dir, SnapshotCache.fileNameOf(aSnapshot({}, { version: 4 })));
    expect(paths).toEqual([newest, newest, newest]);
    expect(readdirSync(dir).sort()).toEqual(
      [1, 4].map((version) => SnapshotCache.fileNameOf(aSnapshot({}, { version }))).sort(),
    );
  });

  it('lists nothing when the folder does not exist', async () => {
    expect(await new SnapshotCache(join(dir, 'missing'), 3).listNewestFirst()).toEqual([]);
  });
});
