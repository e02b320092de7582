import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SNAPSHOT_SCHEMA_VERSION, type ConfigSnapshot } from '@hotswap/config-snapshot';
import { aBackend, aRoute, aSnapshot, expectEventually, startTestBackend, type TestBackend } from '@hotswap/testing';
import { SnapshotCache } from '../src/snapshot/snapshot-cache';
import {
  makeTempDir,
  send,
  startInProcess,
  waitForVersion,
  type InProcessDataPlane,
} from './support/data-plane-harness';
import { StubControlPlane } from './support/stub-control-plane';

describe('the config stream from the control plane', () => {
  let blue: TestBackend;
  let green: TestBackend;
  let controlPlane: StubControlPlane;
  let gateway: InProcessDataPlane | undefined;

  beforeAll(async () => {
    [blue, green] = await Promise.all([startTestBackend('blue'), startTestBackend('green')]);
  });

  beforeEach(async () => {
    controlPlane = await StubControlPlane.start();
  });

  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
    await controlPlane.close();
  });

  afterAll(async () => {
    await Promise.all([blue?.close(), green?.close()]);
  });

  /** A snapshot with one route per name, each to `backend`. */
  function snapshotOf(version: number, backend: TestBackend, names: string[] = ['app']): ConfigSnapshot {
    return aSnapshot(
      {
        routes: names.map((name) => aRoute({ routeId: name, name, pathPattern: `/${name}/**`, backendIds: ['b'] })),
        backends: [aBackend({ backendId: 'b', name: backend.name, url: backend.url })],
      },
      { version },
    );
  }

  async function start(env: Record<string, string> = {}): Promise<InProcessDataPlane> {
    gateway = await startInProcess({ env: { CONTROL_PLANE_GRPC_URL: controlPlane.target, ...env } });
    return gateway;
  }

  async function expectServedBy(dataPlane: InProcessDataPlane, path: string, backend: TestBackend): Promise<void> {
    const result = await send(`${dataPlane.proxyUrl}${path}`);
    expect({ status: result.status, backend: result.json?.backend }).toEqual({ status: 200, backend: backend.name });
  }

  it('says Hello with its identity and schema version, applies a pushed snapshot and ACKs it with the nonce', async () => {
    const dataPlane = await start();
    await expectEventually(() => expect(controlPlane.hellos).toHaveLength(1));
    expect(controlPlane.hellos[0]).toMatchObject({
      dataPlaneId: dataPlane.id,
      hostname: expect.any(String),
      buildVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      activeVersion: 0,
      activeHash: '',
    });
    expect((await fetch(`${dataPlane.statusUrl}/health/ready`)).status).toBe(503);

    const snapshot = snapshotOf(1, blue);
    const nonce = controlPlane.push(snapshot);
    await expectEventually(() => expect(controlPlane.acks).toHaveLength(1));
    expect(controlPlane.acks[0]).toEqual({ version: 1, hash: snapshot.hash, nonce, applyMs: expect.any(Number) });
    expect(controlPlane.acks[0]!.applyMs).toBeGreaterThan(0);
    await expectServedBy(dataPlane, '/app/x', blue);
    expect((await fetch(`${dataPlane.statusUrl}/health/ready`)).status).toBe(200);
    expect(dataPlane.dataPlane.configStatus()).toMatchObject({
      version: 1,
      source: 'stream',
      controlPlane: { url: controlPlane.target, connected: true },
    });
    expect(dataPlane.logs.some((line) => line.includes('applied snapshot version=1'))).toBe(true);
    expect(dataPlane.logs.some((line) => line.includes(`connected to control plane ${controlPlane.target}`))).toBe(
      true,
    );
  });

  it('writes each applied snapshot to the disk cache before ACKing it, keeping the newest SNAPSHOT_CACHE_KEEP', async () => {
    const dataPlane = await start({ SNAPSHOT_CACHE_KEEP: '2' });
    for (const version of [1, 2, 3]) {
      const snapshot = snapshotOf(version, version === 3 ? green : blue);
      controlPlane.push(snapshot);
      await expectEventually(() => expect(controlPlane.acks.map((ack) => ack.version)).toContain(version));
      expect(existsSync(join(dataPlane.cacheDir, SnapshotCache.fileNameOf(snapshot)))).toBe(true);
    }
    expect(readdirSync(dataPlane.cacheDir).sort()).toEqual([
      SnapshotCache.fileNameOf(snapshotOf(2, blue)),
      SnapshotCache.fileNameOf(snapshotOf(3, green)),
    ]);
    await expectServedBy(dataPlane, '/app/x', green);
  });

  it('NACKs an invalid snapshot with every reason and keeps serving the previous one', async () => {
    const dataPlane = await start();
    controlPlane.push(snapshotOf(1, blue));
    await waitForVersion(dataPlane.statusUrl, 1);

    const valid = snapshotOf(2, green);
    const invalid = {
      ...valid,
      routes: [{ ...valid.routes[0], pathPattern: 'no-leading-slash', timeoutSeconds: 0 }],
    };
    const nonce = controlPlane.push(invalid);
    await expectEventually(() => expect(controlPlane.nacks).toHaveLength(1));
    const nack = controlPlane.nacks[0]!;
    expect(nack).toMatchObject({ version: 2, hash: valid.hash, nonce });
    expect(nack.reasons).toEqual(
      expect.arrayContaining([
        'routes[0].pathPattern: must start with "/"',
        expect.stringMatching(/^routes\[0\]\.timeoutSeconds: /),
      ]),
    );
    await expectServedBy(dataPlane, '/app/x', blue);
    expect(dataPlane.dataPlane.configStatus()).toMatchObject({
      version: 1,
      lastRejection: { version: 2, source: 'stream', reasons: nack.reasons },
    });
    expect(dataPlane.logs.some((line) => line.includes('rejected snapshot version=2'))).toBe(true);
  });

  it(`NACKs a snapshot with more routes than GATEWAY_MAX_ROUTES and keeps serving`, async () => {
    const dataPlane = await start({ GATEWAY_MAX_ROUTES: '1' });
    controlPlane.push(snapshotOf(1, blue, ['first']));
    await waitForVersion(dataPlane.statusUrl, 1);
    controlPlane.push(snapshotOf(2, green, ['first', 'second']));
    await expectEventually(() => expect(controlPlane.nacks).toHaveLength(1));
    expect(controlPlane.nacks[0]!.reasons).toEqual([
      "routes: 2 routes exceed this data plane's limit of 1 (GATEWAY_MAX_ROUTES)",
    ]);
    await expectServedBy(dataPlane, '/first/x', blue);
    expect((await send(`${dataPlane.proxyUrl}/second/x`)).status).toBe(404);
  });

  it('NACKs a payload it cannot decode and a schema newer than it understands', async () => {
    await start();
    const snapshot = snapshotOf(1, blue);
    controlPlane.push(snapshot, { message: { encoding: 'zstd+json' } });
    await expectEventually(() => expect(controlPlane.nacks).toHaveLength(1));
    controlPlane.push(snapshot, { message: { schemaVersion: SNAPSHOT_SCHEMA_VERSION + 1 } });
    await expectEventually(() => expect(controlPlane.nacks).toHaveLength(2));
    controlPlane.push(snapshot, { message: { version: 7 } });
    await expectEventually(() => expect(controlPlane.nacks).toHaveLength(3));
    expect(controlPlane.nacks.map((nack) => nack.reasons[0])).toEqual([
      'payload: unknown snapshot encoding "zstd+json"',
      expect.stringMatching(/^schemaVersion: schema 2 is newer than this data plane understands \(1\)/),
      expect.stringMatching(/^version: the payload holds version 1 .* but was announced as version 7/),
    ]);
    expect(controlPlane.acks).toHaveLength(0);
  });

  it('ACKs the active version again without reapplying it, and NACKs an older version', async () => {
    const dataPlane = await start();
    controlPlane.push(snapshotOf(2, blue));
    await waitForVersion(dataPlane.statusUrl, 2);
    const again = controlPlane.push(snapshotOf(2, blue));
    await expectEventually(() => expect(controlPlane.acks.map((ack) => ack.nonce)).toContain(again));
    expect(dataPlane.logs.filter((line) => line.includes('applied snapshot version=2'))).toHaveLength(1);

    controlPlane.push(snapshotOf(1, green));
    await expectEventually(() => expect(controlPlane.nacks).toHaveLength(1));
    expect(controlPlane.nacks[0]!.reasons).toEqual(['version: 1 is older than the active version 2']);
    await expectServedBy(dataPlane, '/app/x', blue);
  });

  it('reopens a dropped stream, resumes with its active version in Hello, and serves throughout', async () => {
    const dataPlane = await start();
    const snapshot = snapshotOf(1, blue);
    controlPlane.push(snapshot);
    await expectEventually(() => expect(controlPlane.acks).toHaveLength(1));

    controlPlane.dropStreams();
    await expectServedBy(dataPlane, '/app/x', blue);
    await expectEventually(() => expect(controlPlane.hellos).toHaveLength(2));
    expect(controlPlane.hellos[1]).toMatchObject({ activeVersion: 1, activeHash: snapshot.hash });
    expect(controlPlane.acks).toHaveLength(1);

    controlPlane.push(snapshotOf(2, green));
    await waitForVersion(dataPlane.statusUrl, 2);
    await expectServedBy(dataPlane, '/app/x', green);
  });

  it('keeps serving while the control plane is down and catches up when it returns on the same port', async () => {
    const dataPlane = await start();
    controlPlane.push(snapshotOf(1, blue));
    await waitForVersion(dataPlane.statusUrl, 1);
    const port = controlPlane.port;

    await controlPlane.close();
    await expectEventually(() =>
      expect(dataPlane.logs.filter((line) => line.includes('disconnected from control plane'))).toHaveLength(1),
    );
    await expectServedBy(dataPlane, '/app/x', blue);
    expect(dataPlane.dataPlane.configStatus().controlPlane).toEqual({ url: controlPlane.target, connected: false });

    controlPlane = await StubControlPlane.start(port);
    controlPlane.push(snapshotOf(2, green));
    await waitForVersion(dataPlane.statusUrl, 2);
    await expectServedBy(dataPlane, '/app/x', green);
    expect(controlPlane.hellos[0]).toMatchObject({ activeVersion: 1 });
    expect(dataPlane.logs.filter((line) => line.includes('disconnected from control plane'))).toHaveLength(1);
  }, 30_000);

  it('lets the stream replace a cached snapshot, even one with a higher version', async () => {
    const cached = snapshotOf(5, blue);
    const cacheDir = join(makeTempDir('stream-cache'), 'cache');
    await new SnapshotCache(cacheDir, 3).write(cached);
    gateway = await startInProcess({
      env: { CONTROL_PLANE_GRPC_URL: controlPlane.target, SNAPSHOT_CACHE_DIR: cacheDir },
    });
    expect(gateway.dataPlane.configStatus()).toMatchObject({ version: 5, source: 'cache' });
    await expectServedBy(gateway, '/app/x', blue);

    controlPlane.push(snapshotOf(1, green));
    await waitForVersion(gateway.statusUrl, 1);
    expect(gateway.dataPlane.configStatus().source).toBe('stream');
    await expectServedBy(gateway, '/app/x', green);
    rmSync(join(cacheDir, '..'), { recursive: true, force: true });
  });
});
