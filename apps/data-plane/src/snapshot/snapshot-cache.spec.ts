import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { aBackend, aRoute, aSnapshot } from '@hotswap/testing';
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

  it('writes a snapshot of many routes and backends, in slices, as JSON that parses back to the same snapshot', async () => {
    const backends = Array.from({ length: 4_500 }, (_, n) =>
      aBackend({ backendId: `b${n}`, name: `b${n}`, url: `http://127.0.0.1:9/${n}` }),
    );
    const routes = Array.from({ length: 2_001 }, (_, n) =>
      aRoute({ routeId: `r${n}`, name: `r${n}`, pathPattern: `/r${n}`, backendIds: [`b${n}`] }),
    );
    const snapshot = aSnapshot({ routes, backends }, { version: 7 });
    const file = await new SnapshotCache(dir, 3).write(snapshot);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(snapshot);
    const empty = aSnapshot({}, { version: 8 });
    expect(JSON.parse(readFileSync(await new SnapshotCache(dir, 3).write(empty), 'utf8'))).toEqual(empty);
  });

  it('lists nothing when the folder does not exist', async () => {
    expect(await new SnapshotCache(join(dir, 'missing'), 3).listNewestFirst()).toEqual([]);
  });
});
