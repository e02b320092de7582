import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SNAPSHOT_SCHEMA_VERSION, snapshotDeltaBetween, type ConfigSnapshot } from '@hotswap/config-snapshot';
import { SNAPSHOT_DELTA_ENCODING, SNAPSHOT_DELTA_FEATURE } from '@hotswap/proto';
import {
  aBackend,
  aRoute,
  aSnapshot,
  expectEventually,
  send,
  startTestBackend,
  type TestBackend,
} from '@hotswap/testing';
import { makeTempDir, startInProcess, waitForVersion, type InProcessDataPlane } from './support/data-plane-harness';
import { ScriptedDiscoveryPeer } from './support/scripted-discovery-peer';

/**
 * The data plane's stream client against input the real control plane never sends. The normal flow (Hello, ACK,
 * NACK of a snapshot over GATEWAY_MAX_ROUTES, reconnect and resume) runs against the real control plane in e2e/.
 */
describe('the config stream fed malformed or out-of-order snapshots', () => {
  let blue: TestBackend;
  let green: TestBackend;
  let peer: ScriptedDiscoveryPeer;
  let gateway: InProcessDataPlane | undefined;

  beforeAll(async () => {
    [blue, green] = await Promise.all([startTestBackend('blue'), startTestBackend('green')]);
  });

  beforeEach(async () => {
    peer = await ScriptedDiscoveryPeer.start();
  });

  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
    await peer.close();
  });

  afterAll(async () => {
    await Promise.all([blue?.close(), green?.close()]);
  });

  function snapshotOf(version: number, backend: TestBackend): ConfigSnapshot {
    return aSnapshot(
      {
        routes: [aRoute({ routeId: 'app', name: 'app', pathPattern: '/app/**', backendIds: ['b'] })],
        backends: [aBackend({ backendId: 'b', name: backend.name, url: backend.url })],
      },
      { version },
    );
  }

  /** A data plane connected to the peer (its Hello received), serving `snapshot` when one is given. */
  async function startConnected(snapshot?: ConfigSnapshot): Promise<InProcessDataPlane> {
    gateway = await startInProcess({ env: { CONTROL_PLANE_GRPC_URL: peer.target } });
    await expectEventually(() => expect(peer.hellos).toHaveLength(1));
    if (snapshot) {
      peer.send(snapshot);
      await waitForVersion(gateway.statusUrl, snapshot.version);
    }
    return gateway;
  }

  async function expectServedBy(dataPlane: InProcessDataPlane, backend: TestBackend): Promise<void> {
    const result = await send(`${dataPlane.proxyUrl}/app/x`);
    expect({ status: result.status, backend: result.json?.backend }).toEqual({ status: 200, backend: backend.name });
  }

  it('NACKs an invalid snapshot with every reason and keeps serving the previous one', async () => {
    const dataPlane = await startConnected(snapshotOf(1, blue));
    const valid = snapshotOf(2, green);
    const invalid = {
      ...valid,
      routes: [{ ...valid.routes[0], pathPattern: 'no-leading-slash', timeoutSeconds: 0 }],
    };
    const nonce = peer.send(invalid);
    await expectEventually(() => expect(peer.nacks).toHaveLength(1));
    const nack = peer.nacks[0]!;
    expect(nack).toMatchObject({ version: 2, hash: valid.hash, nonce });
    expect(nack.reasons).toEqual(
      expect.arrayContaining([
        'routes[0].pathPattern: must start with "/"',
        expect.stringMatching(/^routes\[0\]\.timeoutSeconds: /),
      ]),
    );
    await expectServedBy(dataPlane, blue);
    expect(dataPlane.dataPlane.configStatus()).toMatchObject({
      version: 1,
      lastRejection: { version: 2, source: 'stream', reasons: nack.reasons },
    });
    expect(dataPlane.logs.some((line) => line.includes('rejected snapshot version=2'))).toBe(true);
  });

  it('NACKs a payload it cannot decode, a schema newer than it understands and a payload that is not what was announced', async () => {
    const dataPlane = await startConnected();
    const snapshot = snapshotOf(1, blue);
    const scripts = [
      { encoding: 'zstd+json' },
      { payload: Buffer.from('not gzip at all') },
      { payload: gzipSync('{"version": 1, "routes": [') },
      { schemaVersion: SNAPSHOT_SCHEMA_VERSION + 1 },
      { version: 7 },
    ];
    for (const [index, overrides] of scripts.entries()) {
      peer.send(snapshot, overrides);
      await expectEventually(() => expect(peer.nacks).toHaveLength(index + 1));
    }
    expect(peer.nacks.map((nack) => nack.reasons[0])).toEqual([
      'payload: unknown snapshot encoding "zstd+json"',
      expect.stringMatching(/^payload: /),
      expect.stringMatching(/^payload: /),
      expect.stringMatching(/^schemaVersion: schema 2 is newer than this data plane understands \(1\)/),
      expect.stringMatching(/^version: the payload holds version 1 .* but was announced as version 7/),
    ]);
    expect(peer.acks).toHaveLength(0);
    expect(dataPlane.dataPlane.configStatus()).toMatchObject({ ready: false, version: null });
  });

  it('applies a delta on the snapshot it runs, and NACKs one made for another base or whose content is not its hash', async () => {
    const first = snapshotOf(1, blue);
    const dataPlane = await startConnected(first);
    expect(peer.hellos[0]?.features).toContain(SNAPSHOT_DELTA_FEATURE);
    const second = snapshotOf(2, green);
    const nonce = peer.send(snapshotDeltaBetween(first, second), { encoding: SNAPSHOT_DELTA_ENCODING });
    await expectEventually(() => expect(peer.acks.map((ack) => ack.nonce)).toContain(nonce));
    expect(peer.acks.find((ack) => ack.nonce === nonce)).toMatchObject({ version: 2, hash: second.hash });
    await expectServedBy(dataPlane, green);

    const third = snapshotOf(3, blue);
    peer.send(snapshotDeltaBetween(first, third), { encoding: SNAPSHOT_DELTA_ENCODING });
    await expectEventually(() => expect(peer.nacks).toHaveLength(1));
    expect(peer.nacks[0]!.reasons).toEqual([
      `delta.base: is version 1 (hash ${first.hash}); this data plane runs version 2 (hash ${second.hash})`,
    ]);
    const tampered = { ...snapshotDeltaBetween(second, third), hash: 'a'.repeat(64) };
    peer.send(tampered, { encoding: SNAPSHOT_DELTA_ENCODING });
    await expectEventually(() => expect(peer.nacks).toHaveLength(2));
    expect(peer.nacks[1]!.reasons).toEqual([`hash: does not match the content (expected ${third.hash})`]);

    await expectServedBy(dataPlane, green);
    expect(dataPlane.dataPlane.configStatus()).toMatchObject({ version: 2, hash: second.hash });
  });

  it('ACKs a snapshot that serves even when its disk-cache write fails, and logs the failure', async () => {
    const blocker = join(makeTempDir('dp-cache-blocker'), 'a-file');
    writeFileSync(blocker, 'not a directory');
    gateway = await startInProcess({
      env: { CONTROL_PLANE_GRPC_URL: peer.target, SNAPSHOT_CACHE_DIR: join(blocker, 'cache') },
    });
    await expectEventually(() => expect(peer.hellos).toHaveLength(1));
    const nonce = peer.send(snapshotOf(1, blue));
    await expectEventually(() => expect(peer.acks.map((ack) => ack.nonce)).toContain(nonce));
    await expectServedBy(gateway, blue);
    await gateway.dataPlane.applier.cacheWritten();
    expect(gateway.logs.some((line) => line.includes('could not write the snapshot cache'))).toBe(true);
  });

  it('ACKs a repeat of the active version without reapplying it, and NACKs an older version after a newer one', async () => {
    const dataPlane = await startConnected(snapshotOf(2, blue));
    const again = peer.send(snapshotOf(2, blue));
    await expectEventually(() => expect(peer.acks.map((ack) => ack.nonce)).toContain(again));
    expect(dataPlane.logs.filter((line) => line.includes('applied snapshot version=2'))).toHaveLength(1);

    peer.send(snapshotOf(1, green));
    await expectEventually(() => expect(peer.nacks).toHaveLength(1));
    expect(peer.nacks[0]!.reasons).toEqual(['version: 1 is older than the active version 2']);
    await expectServedBy(dataPlane, blue);
  });
});
