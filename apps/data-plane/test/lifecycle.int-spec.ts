import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import {
  aBackend,
  aRoute,
  aSnapshot,
  expectEventually,
  expectGatewayError,
  findFreePort,
  send,
  startTestBackend,
  type TestBackend,
} from '@hotswap/testing';
import { DataPlaneStartError } from '../src/data-plane';
import { SnapshotCache } from '../src/snapshot/snapshot-cache';
import { makeTempDir, startInProcess, writeJsonFile, type InProcessDataPlane } from './support/data-plane-harness';

/** A backend that holds each response until the test releases it. */
async function startHoldingBackend(name: string): Promise<TestBackend & { release(): void; held(): number }> {
  const pending: ServerResponse[] = [];
  const backend = await startTestBackend(name, (req, res) => {
    pending.push(res);
    res.on('close', () => pending.splice(pending.indexOf(res), 1));
  });
  return Object.assign(backend, {
    held: () => pending.length,
    release() {
      for (const res of [...pending]) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ backend: name }));
      }
    },
  });
}

function snapshotTo(backend: TestBackend, version: number): ConfigSnapshot {
  return aSnapshot(
    {
      routes: [aRoute({ routeId: 'app', name: 'app', pathPattern: '/app/**', backendIds: [backend.name] })],
      backends: [aBackend({ backendId: backend.name, name: backend.name, url: backend.url })],
    },
    { version },
  );
}

describe('data plane boot and lifecycle', () => {
  const started: InProcessDataPlane[] = [];
  const backends: TestBackend[] = [];
  let dir: string;

  beforeAll(() => (dir = makeTempDir('lifecycle')));

  afterEach(async () => {
    await Promise.all(started.splice(0).map((dataPlane) => dataPlane.stop()));
    await Promise.all(backends.splice(0).map((backend) => backend.close()));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function start(options: Parameters<typeof startInProcess>[0] = {}): Promise<InProcessDataPlane> {
    const dataPlane = await startInProcess(options);
    started.push(dataPlane);
    return dataPlane;
  }

  async function backend(name: string): Promise<TestBackend> {
    const started = await startTestBackend(name);
    backends.push(started);
    return started;
  }

  it('is not ready and answers 503 JSON, never 404, until it has a configuration', async () => {
    const dataPlane = await start();
    expect((await fetch(`${dataPlane.statusUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${dataPlane.statusUrl}/health/ready`)).status).toBe(503);
    expectGatewayError(await send(`${dataPlane.proxyUrl}/anything`), 503, 'NO_CONFIGURATION');
    expect(dataPlane.dataPlane.configStatus()).toMatchObject({ ready: false, version: null, source: null });
    expect(dataPlane.logs.some((line) => line.includes('no configuration yet'))).toBe(true);
  });

  it('serves the newest valid cached snapshot when the control plane is unreachable', async () => {
    const old = await backend('old');
    const newer = await backend('newer');
    const cacheDir = join(dir, 'cache-unreachable');
    const cache = new SnapshotCache(cacheDir, 5);
    await cache.write(snapshotTo(old, 1));
    await cache.write(snapshotTo(newer, 2));
    writeFileSync(join(cacheDir, SnapshotCache.fileNameOf({ version: 3, hash: 'f'.repeat(64) })), '{"version":3');
    const closedPort = await findFreePort();

    const dataPlane = await start({
      env: { CONTROL_PLANE_GRPC_URL: `127.0.0.1:${closedPort}`, SNAPSHOT_CACHE_DIR: cacheDir },
    });
    expect(dataPlane.dataPlane.configStatus()).toMatchObject({ version: 2, source: 'cache', ready: true });
    expect((await send(`${dataPlane.proxyUrl}/app/x`)).json.backend).toBe('newer');
    expect(dataPlane.logs.some((line) => line.includes('skipping unreadable cached snapshot'))).toBe(true);
  });

  it('serves the --config file when the control plane is unreachable and nothing is cached', async () => {
    const fallback = await backend('fallback');
    const file = writeJsonFile(dir, 'fallback.json', snapshotTo(fallback, 4));
    const closedPort = await findFreePort();
    const dataPlane = await start({
      env: { CONTROL_PLANE_GRPC_URL: `127.0.0.1:${closedPort}` },
      argv: ['--config', file],
    });
    expect(dataPlane.dataPlane.configStatus()).toMatchObject({ version: 4, source: 'file' });
    expect((await send(`${dataPlane.proxyUrl}/app/x`)).json.backend).toBe('fallback');
  });

  it('writes each snapshot it applies from the stream to its disk cache before answering, keeping the newest SNAPSHOT_CACHE_KEEP', async () => {
    const target = await backend('target');
    const closedPort = await findFreePort();
    const dataPlane = await start({
      env: { CONTROL_PLANE_GRPC_URL: `127.0.0.1:${closedPort}`, SNAPSHOT_CACHE_KEEP: '2' },
    });
    const snapshots = [1, 2, 3].map((version) => snapshotTo(target, version));
    for (const snapshot of snapshots) {
      expect((await dataPlane.dataPlane.apply(snapshot, 'stream')).status).toBe('applied');
      expect(readdirSync(dataPlane.cacheDir)).toContain(SnapshotCache.fileNameOf(snapshot));
    }
    expect(readdirSync(dataPlane.cacheDir).sort()).toEqual(snapshots.slice(1).map(SnapshotCache.fileNameOf));

    expect((await dataPlane.dataPlane.apply(snapshotTo(target, 4), 'file')).status).toBe('applied');
    expect(readdirSync(dataPlane.cacheDir)).toHaveLength(2);
  });

  it('refuses to start on an invalid snapshot file, listing every reason', async () => {
    const file = writeJsonFile(dir, 'invalid.json', {
      routes: [{ routeId: 'r', name: 'r', pathPattern: 'r/**', backendIds: ['b'], priority: 1000 }],
      backends: [{ backendId: 'b', name: 'b', url: 'ftp://example.com' }],
    });
    const attempt = startInProcess({ argv: ['--config', file] });
    await expect(attempt).rejects.toBeInstanceOf(DataPlaneStartError);
    const error = (await attempt.catch((caught: unknown) => caught)) as DataPlaneStartError;
    expect(error.reasons).toEqual([
      'routes[0].pathPattern: must start with "/"',
      expect.stringMatching(/^routes\[0\]\.priority: /),
      'backends[0].url: must use http or https',
    ]);
  });

  it('refuses to start on a snapshot file it cannot apply (over GATEWAY_MAX_ROUTES)', async () => {
    const target = await backend('target');
    const snapshot = aSnapshot({
      routes: [aRoute({ backendIds: ['t'] }), aRoute({ backendIds: ['t'] })],
      backends: [aBackend({ backendId: 't', url: target.url })],
    });
    const file = writeJsonFile(dir, 'too-many.json', snapshot);
    const attempt = startInProcess({ argv: ['--config', file], env: { GATEWAY_MAX_ROUTES: '1' } });
    await expect(attempt).rejects.toThrow(/GATEWAY_MAX_ROUTES/);
  });

  it('finishes an in-flight request on the snapshot it started with while a new snapshot is applied', async () => {
    const before = await startHoldingBackend('before');
    backends.push(before);
    const after = await backend('after');
    const dataPlane = await start({ argv: ['--config', writeJsonFile(dir, 'swap.json', snapshotTo(before, 1))] });

    const inFlight = send(`${dataPlane.proxyUrl}/app/in-flight`);
    await expectEventually(() => expect(before.held()).toBe(1));
    const outcome = await dataPlane.dataPlane.apply(snapshotTo(after, 2));
    expect(outcome.status).toBe('applied');
    expect((await send(`${dataPlane.proxyUrl}/app/next`)).json.backend).toBe('after');

    before.release();
    const finished = await inFlight;
    expect({ status: finished.status, backend: finished.json.backend }).toEqual({ status: 200, backend: 'before' });
  });

  it('drains on stop: not ready, no new connections, in-flight requests finish, then it stops', async () => {
    const holding = await startHoldingBackend('holding');
    backends.push(holding);
    const dataPlane = await startInProcess({
      argv: ['--config', writeJsonFile(dir, 'drain.json', snapshotTo(holding, 1))],
    });
    const inFlight = send(`${dataPlane.proxyUrl}/app/slow`);
    await expectEventually(() => expect(holding.held()).toBe(1));

    let isStopped = false;
    const stopping = dataPlane.stop().then(() => (isStopped = true));
    await expectEventually(async () => expect((await fetch(`${dataPlane.statusUrl}/health/ready`)).status).toBe(503));
    await expect(send(`${dataPlane.proxyUrl}/app/new`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(isStopped).toBe(false);

    holding.release();
    const finished = await inFlight;
    expect({ status: finished.status, backend: finished.json.backend }).toEqual({ status: 200, backend: 'holding' });
    await stopping;
    expect(dataPlane.logs.some((line) => line.includes('"isDrained":true'))).toBe(true);
  });
});
