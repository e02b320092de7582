import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSnapshot } from '@hotswap/config-snapshot';
import { aBackend, aRoute, aSnapshot } from '@hotswap/testing';
import { readSnapshotFile } from './snapshot-file';

describe('readSnapshotFile', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'dp-file-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, content: unknown): string {
    const file = join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  const defaults = { defaultTimeoutSeconds: 12 };

  it('reads a complete snapshot as it is', async () => {
    const backend = aBackend();
    const snapshot = aSnapshot(
      { routes: [aRoute({ backendIds: [backend.backendId] })], backends: [backend] },
      { version: 9 },
    );
    const result = await readSnapshotFile(write('full.json', snapshot), defaults);
    expect(result).toEqual({ ok: true, snapshot: { ...snapshot } });
  });

  it('completes a hand-written file of routes and backends and stamps it as version 1', async () => {
    const file = write('hand.json', {
      routes: [{ routeId: 'test', name: 'test', pathPattern: '/test/*', backendIds: ['httpbin'] }],
      backends: [{ backendId: 'httpbin', name: 'httpbin', url: 'http://127.0.0.1:8080' }],
    });
    const result = await readSnapshotFile(file, defaults);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.snapshot).toMatchObject({
      version: 1,
      previousVersion: null,
      settings: { defaultTimeoutSeconds: 12 },
    });
    expect(result.snapshot.routes[0]).toMatchObject({ stripPrefix: true, timeoutSeconds: 12, strategy: 'RoundRobin' });
    expect(validateSnapshot(JSON.parse(JSON.stringify(result.snapshot))).ok).toBe(true);
  });

  it('lists every problem of an invalid file', async () => {
    const file = write('bad.json', {
      routes: [{ routeId: 'r', name: 'r', pathPattern: 'no-slash', backendIds: ['missing'] }],
      backends: [{ backendId: 'b', name: 'b', url: 'ftp://x' }],
      extra: true,
    });
    const result = await readSnapshotFile(file, defaults);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toEqual(
      expect.arrayContaining([
        'extra: is not a known field (expected routes, backends, settings)',
        'routes[0].pathPattern: must start with "/"',
        'backends[0].url: must use http or https',
      ]),
    );
  });

  it('reports a file that is not JSON, and one that is missing', async () => {
    const notJson = await readSnapshotFile(write('text.json', 'routes: []'), defaults);
    expect(notJson.ok).toBe(false);
    const missing = await readSnapshotFile(join(dir, 'nope.json'), defaults);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.reasons[0]).toContain('ENOENT');
  });
});
