import { existsSync, rmSync } from 'node:fs';
import { Agent, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import {
  aBackend,
  aRoute,
  aSnapshot,
  expectEventually,
  send,
  startProcess,
  startTestBackend,
  type TestBackend,
  type TestProcess,
} from '@hotswap/testing';
import type { WorkerStatus } from '../src/data-plane';
import { makeTempDir, writeJsonFile } from './support/data-plane-harness';
import { ScriptedDiscoveryPeer } from './support/scripted-discovery-peer';

const MAIN = resolve(__dirname, '../dist/main.js');
const LISTENING = /listening proxy=(http:\/\/[^\s"]+) status=(http:\/\/[^\s"]+)/;

interface ClusterConfig {
  ready: boolean;
  version: number | null;
  workers: WorkerStatus[];
}

/** The data plane as a real process with GATEWAY_WORKERS=2 (built dist): a primary and two proxy workers. */
describe('the data plane with two workers', () => {
  const processes: TestProcess[] = [];
  let dir: string;
  let blue: TestBackend;
  let green: TestBackend;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build -w @hotswap/data-plane)`);
    dir = makeTempDir('cluster');
    [blue, green] = await Promise.all([startTestBackend('blue'), startTestBackend('green')]);
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((child) => child.stop('SIGKILL')));
  });

  afterAll(async () => {
    await Promise.all([blue?.close(), green?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function spawnCluster(
    env: Record<string, string>,
    args: string[] = [],
  ): Promise<{ child: TestProcess; proxyUrl: string; statusUrl: string }> {
    const child = startProcess('data-plane-cluster', process.execPath, [MAIN, ...args], {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      GATEWAY_STATUS_PORT: '0',
      GATEWAY_WORKERS: '2',
      DATA_PLANE_ID: `dp-cluster-${processes.length}`,
      SNAPSHOT_CACHE_DIR: join(dir, `cache-${processes.length}`),
      CONTROL_PLANE_GRPC_URL: undefined,
      ...env,
    });
    processes.push(child);
    const [, proxyUrl, statusUrl] = await child.waitForOutput(LISTENING);
    return { child, proxyUrl: proxyUrl as string, statusUrl: statusUrl as string };
  }

  async function configOf(statusUrl: string): Promise<ClusterConfig> {
    return (await (await fetch(`${statusUrl}/config`)).json()) as ClusterConfig;
  }

  /** `patientMs`: route and read timeouts long enough for a request held across a slow, loaded drain. */
  function snapshotOf(version: number, backend: TestBackend, patientMs?: number): ConfigSnapshot {
    const timeouts = patientMs === undefined ? {} : { timeouts: { connectMs: 5_000, readMs: patientMs } };
    const timeoutSeconds = patientMs === undefined ? {} : { timeoutSeconds: Math.ceil(patientMs / 1000) };
    return aSnapshot(
      {
        routes: [aRoute({ routeId: 'app', name: 'app', pathPattern: '/app/**', backendIds: ['b'], ...timeoutSeconds })],
        backends: [aBackend({ backendId: 'b', name: backend.name, url: backend.url, ...timeouts })],
      },
      { version },
    );
  }

  it('serves from both workers, aggregates their metrics, and restarts a killed worker with the active snapshot', async () => {
    const file = writeJsonFile(dir, 'blue.json', snapshotOf(3, blue));
    const { proxyUrl, statusUrl } = await spawnCluster({}, ['--config', file]);

    const initial = await configOf(statusUrl);
    expect(initial).toMatchObject({ ready: true, version: 3 });
    expect(initial.workers).toHaveLength(2);
    for (const worker of initial.workers) expect(worker).toMatchObject({ listening: true, version: 3 });
    const pids = initial.workers.map((worker) => worker.pid);
    expect(new Set(pids).size).toBe(2);

    for (let index = 0; index < 10; index++) {
      const result = await send(`${proxyUrl}/app/${index}`);
      expect({ status: result.status, backend: result.json?.backend }).toEqual({ status: 200, backend: 'blue' });
    }
    // Every worker's count, merged: the 10 requests, whichever worker took each connection.
    const metrics = await (await fetch(`${statusUrl}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_requests_total\{route="app",method="GET",status_class="2xx"[^}]*\} 10$/m);
    expect(metrics).toMatch(/^gateway_request_duration_seconds_count\{[^}]*route="app"[^}]*\} 10$/m);
    expect(metrics).toMatch(/^gateway_requests_backend_total\{[^}]*status_class="2xx"[^}]*\} 10$/m);
    expect(metrics).toMatch(/^gateway_config_version\{[^}]*\} 3$/m);

    process.kill(pids[0] as number, 'SIGKILL');
    await expectEventually(async () => {
      const { workers } = await configOf(statusUrl);
      expect(workers).toHaveLength(2);
      expect(workers.map((worker) => worker.pid)).not.toContain(pids[0]);
      for (const worker of workers) expect(worker).toMatchObject({ listening: true, version: 3 });
    });
    for (let index = 0; index < 4; index++) {
      expect((await send(`${proxyUrl}/app/after-restart`)).json?.backend).toBe('blue');
    }
    expect((await fetch(`${statusUrl}/health/ready`)).status).toBe(200);
  });

  it('ACKs a snapshot from the stream only once every worker applied it; NACKs a bad one, changing nothing', async () => {
    const peer = await ScriptedDiscoveryPeer.start();
    try {
      const { proxyUrl, statusUrl } = await spawnCluster({ CONTROL_PLANE_GRPC_URL: peer.target });
      await expectEventually(() => expect(peer.hellos).toHaveLength(1));

      const first = peer.send(snapshotOf(1, blue));
      await expectEventually(() => expect(peer.acks.map((ack) => ack.nonce)).toContain(first));
      const second = peer.send(snapshotOf(2, green));
      await expectEventually(() => expect(peer.acks.map((ack) => ack.nonce)).toContain(second));
      // Read after the ACK arrived: both workers had swapped before the primary acknowledged.
      const afterAck = await configOf(statusUrl);
      expect(afterAck.version).toBe(2);
      expect(afterAck.workers.map((worker) => worker.version)).toEqual([2, 2]);
      for (let index = 0; index < 4; index++) expect((await send(`${proxyUrl}/app/x`)).json?.backend).toBe('green');

      const valid = snapshotOf(3, blue);
      const nonce = peer.send({ ...valid, routes: [{ ...valid.routes[0], pathPattern: 'no-slash' }] });
      await expectEventually(() => expect(peer.nacks.map((nack) => nack.nonce)).toContain(nonce));
      expect((await configOf(statusUrl)).workers.map((worker) => worker.version)).toEqual([2, 2]);
      expect((await send(`${proxyUrl}/app/x`)).json?.backend).toBe('green');
    } finally {
      await peer.close();
    }
  });

  it('drains on SIGTERM: not ready, the request in flight finishes with Connection: close, then exit 0', async () => {
    const held: ServerResponse[] = [];
    const slow = await startTestBackend('slow', (_req, res) => held.push(res));
    try {
      const file = writeJsonFile(dir, 'slow.json', snapshotOf(1, slow, 300_000));
      const { child, proxyUrl, statusUrl } = await spawnCluster({ GATEWAY_DRAIN_SECONDS: '60' }, ['--config', file]);
      const agent = new Agent({ keepAlive: true });
      // Held by the backend until the test releases it, across the drain.
      const inFlight = send(`${proxyUrl}/app/slow`, { agent, timeoutMs: 300_000 });
      await expectEventually(() => expect(held).toHaveLength(1));

      child.child.kill('SIGTERM');
      await expectEventually(async () => expect((await fetch(`${statusUrl}/health/ready`)).status).toBe(503));
      // The listening socket is the primary's (node:cluster): a connection it accepted while the workers were closing
      // theirs is closed unanswered (reset) instead of refused. Either way no new request is served.
      await expectEventually(async () =>
        expect(['ECONNREFUSED', 'ECONNRESET']).toContain(
          await send(`${proxyUrl}/app/new`, { timeoutMs: 2_000 }).catch((error: { code?: string }) => error.code),
        ),
      );
      expect(child.isRunning()).toBe(true);

      held[0]?.writeHead(200, { 'content-type': 'text/plain' }).end('finished');
      expect(await inFlight).toMatchObject({ status: 200, text: 'finished', headers: { connection: 'close' } });
      await expectEventually(() => expect(child.isRunning()).toBe(false));
      expect(child.child.exitCode).toBe(0);
      expect(child.output()).toContain('"isDrained":true');
      agent.destroy();
    } finally {
      await slow.close();
    }
  });
});
