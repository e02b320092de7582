import { existsSync, rmSync } from 'node:fs';
import { Agent, type ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import {
  aBackend,
  aRoute,
  aSnapshot,
  expectEventually,
  expectGatewayError,
  findFreePort,
  send,
  startProcess,
  startTestBackend,
  type TestBackend,
  type TestProcess,
} from '@hotswap/testing';
import { SnapshotCache } from '../src/snapshot/snapshot-cache';
import { makeTempDir, writeJsonFile } from './support/data-plane-harness';

const MAIN = resolve(__dirname, '../dist/main.js');
const LISTENING = /listening proxy=(http:\/\/[^\s"]+) status=(http:\/\/[^\s"]+)/;

/** The data plane as a real process: `node apps/data-plane/dist/main.js` (built by `npm run build`). */
describe('the data plane as a process', () => {
  const processes: TestProcess[] = [];
  let dir: string;
  let backend: TestBackend;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build -w @hotswap/data-plane)`);
    dir = makeTempDir('process');
    backend = await startTestBackend('httpbin');
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((child) => child.stop('SIGKILL')));
  });

  afterAll(async () => {
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function spawnDataPlane(env: Record<string, string>, args: string[] = []): TestProcess {
    const child = startProcess('data-plane', process.execPath, [MAIN, ...args], {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      GATEWAY_STATUS_PORT: '0',
      DATA_PLANE_ID: `dp-process-${processes.length}`,
      SNAPSHOT_CACHE_DIR: join(dir, `cache-${processes.length}`),
      CONTROL_PLANE_GRPC_URL: undefined,
      GATEWAY_WORKERS: '1',
      ...env,
    });
    processes.push(child);
    return child;
  }

  async function listening(child: TestProcess): Promise<{ proxyUrl: string; statusUrl: string }> {
    const [, proxyUrl, statusUrl] = await child.waitForOutput(LISTENING);
    return { proxyUrl: proxyUrl as string, statusUrl: statusUrl as string };
  }

  function guideSnapshot(version: number): ConfigSnapshot {
    return aSnapshot(
      {
        routes: [
          aRoute({ routeId: 'test-route', name: 'test-route', pathPattern: '/test/*', backendIds: ['httpbin'] }),
        ],
        backends: [aBackend({ backendId: 'httpbin', name: 'httpbin', url: backend.url })],
      },
      { version },
    );
  }

  it('serves a hand-written --config file and exits 0 on SIGTERM', async () => {
    const file = writeJsonFile(dir, 'guide.json', {
      routes: [{ routeId: 'test-route', name: 'test-route', pathPattern: '/test/*', backendIds: ['httpbin'] }],
      backends: [{ backendId: 'httpbin', name: 'httpbin', url: backend.url }],
    });
    const child = spawnDataPlane({}, ['--config', file]);
    const { proxyUrl, statusUrl } = await listening(child);
    expect(child.output()).toContain('applied snapshot version=1');

    const result = await send(`${proxyUrl}/test/get?show_env=1`);
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ backend: 'httpbin', url: '/get?show_env=1' });
    expectGatewayError(await send(`${proxyUrl}/elsewhere`), 404, 'ROUTE_NOT_FOUND');
    expect((await fetch(`${statusUrl}/health/ready`)).status).toBe(200);
    expect(await (await fetch(`${statusUrl}/config`)).json()).toMatchObject({ version: 1, source: 'file' });

    expect(await child.stop('SIGTERM')).toBe(0);
    expect(child.output()).toContain('stopped');
  });

  it('drains on SIGTERM: not ready at once, refuses new connections, finishes the request in flight, exits 0', async () => {
    const held: ServerResponse[] = [];
    const slow = await startTestBackend('slow', (_req, res) => held.push(res));
    try {
      const file = writeJsonFile(dir, 'drain.json', {
        // Timeouts long enough that a loaded machine cannot turn the held request into a 504.
        routes: [{ routeId: 'slow', name: 'slow', pathPattern: '/slow/**', backendIds: ['slow'], timeoutSeconds: 300 }],
        backends: [{ backendId: 'slow', name: 'slow', url: slow.url, timeouts: { readMs: 300_000 } }],
      });
      const child = spawnDataPlane({ GATEWAY_DRAIN_SECONDS: '60' }, ['--config', file]);
      const { proxyUrl, statusUrl } = await listening(child);
      const agent = new Agent({ keepAlive: true });
      // Held by the backend until the test releases it, across the drain.
      const inFlight = send(`${proxyUrl}/slow/request`, { agent, timeoutMs: 300_000 });
      await expectEventually(() => expect(held).toHaveLength(1));

      child.child.kill('SIGTERM');
      await expectEventually(async () => expect((await fetch(`${statusUrl}/health/ready`)).status).toBe(503));
      await expectEventually(async () =>
        expect(await send(`${proxyUrl}/slow/new`).catch((error: { code?: string }) => error.code)).toBe('ECONNREFUSED'),
      );
      expect(child.isRunning()).toBe(true);

      held[0]?.writeHead(200, { 'content-type': 'text/plain' }).end('finished');
      const finished = await inFlight;
      // The client's keep-alive connection is told to close: the process is going away.
      expect(finished).toMatchObject({ status: 200, text: 'finished', headers: { connection: 'close' } });
      await expectEventually(() => expect(child.isRunning()).toBe(false));
      expect(child.child.exitCode).toBe(0);
      expect(child.output()).toContain('"isDrained":true');
      agent.destroy();
    } finally {
      await slow.close();
    }
  });

  it('refuses to start on an invalid snapshot file, printing every reason', async () => {
    const file = writeJsonFile(dir, 'broken.json', {
      routes: [{ routeId: 'r', name: 'r', pathPattern: '/a/**/b', backendIds: ['x'], timeoutSeconds: 0 }],
      backends: [{ backendId: 'x', name: 'x', url: 'not a url' }],
    });
    const child = spawnDataPlane({}, ['--config', file]);
    await expectEventually(() => expect(child.isRunning()).toBe(false));
    expect(child.child.exitCode).toBe(1);
    const output = child.output();
    expect(output).toContain('routes[0].pathPattern: "**" is allowed only as the last segment');
    expect(output).toMatch(/routes\[0\]\.timeoutSeconds: /);
    expect(output).toContain('backends[0].url: is not a valid absolute URL');
    expect(output).not.toMatch(LISTENING);
  });

  it('refuses a file with bad traffic policies, printing a reason for each field', async () => {
    const file = writeJsonFile(dir, 'bad-policies.json', {
      routes: [
        { routeId: 'unknown', name: 'unknown', pathPattern: '/u/**', backendIds: ['x'], strategy: 'Random' },
        {
          routeId: 'header',
          name: 'header',
          pathPattern: '/h/**',
          backendIds: ['x'],
          strategy: 'HeaderBased',
          strategyConfig: { headerName: 'X-Tenant', defaultBackend: 'ghost' },
        },
        {
          routeId: 'numbers',
          name: 'numbers',
          pathPattern: '/n/**',
          backendIds: ['x'],
          circuitBreaker: { failureThreshold: -1 },
          retryPolicy: { maxAttempts: 0 },
        },
        {
          routeId: 'regex',
          name: 'regex',
          pathPattern: '/r/**',
          backendIds: ['x'],
          transformations: { request: { rewritePath: { pattern: '^/r/(.*', replacement: '/$1' } } },
        },
      ],
      backends: [{ backendId: 'x', name: 'x', url: backend.url }],
    });
    const child = spawnDataPlane({}, ['--config', file]);
    await expectEventually(() => expect(child.isRunning()).toBe(false));
    expect(child.child.exitCode).toBe(1);
    const output = child.output();
    expect(output).toMatch(/routes\[0\]\.strategy: /);
    expect(output).toMatch(/routes\[2\]\.circuitBreaker\.failureThreshold: /);
    expect(output).toMatch(/routes\[2\]\.retryPolicy\.maxAttempts: /);
    expect(output).toMatch(
      /routes\[3\]\.transformations\.request\.rewritePath\.pattern: is not a valid regular expression/,
    );
    expect(output).not.toMatch(LISTENING);

    // Cross-field rules are checked once the shapes are valid: the default backend must be one of the route's.
    const shaped = writeJsonFile(dir, 'bad-default.json', {
      routes: [
        {
          routeId: 'header',
          name: 'header',
          pathPattern: '/h/**',
          backendIds: ['x'],
          strategy: 'HeaderBased',
          strategyConfig: { headerName: 'X-Tenant', defaultBackend: 'ghost' },
        },
      ],
      backends: [{ backendId: 'x', name: 'x', url: backend.url }],
    });
    const second = spawnDataPlane({}, ['--config', shaped]);
    await expectEventually(() => expect(second.isRunning()).toBe(false));
    expect(second.child.exitCode).toBe(1);
    expect(second.output()).toContain(
      `routes[0].strategyConfig.defaultBackend: backend "ghost" is not one of the route's backends`,
    );
  });

  it('reports every bad variable at once and exits 1', async () => {
    const child = spawnDataPlane({ GATEWAY_PORT: 'http', SNAPSHOT_CACHE_KEEP: '0', LOG_LEVEL: 'chatty' });
    await expectEventually(() => expect(child.isRunning()).toBe(false));
    expect(child.child.exitCode).toBe(1);
    for (const name of ['GATEWAY_PORT', 'SNAPSHOT_CACHE_KEEP', 'LOG_LEVEL']) expect(child.output()).toContain(name);
  });

  it('boots from its disk cache when the control plane is unreachable, and exits 0 on SIGINT', async () => {
    const cacheDir = join(dir, 'prefilled-cache');
    await new SnapshotCache(cacheDir, 3).write(guideSnapshot(7));
    const closedPort = await findFreePort();
    const child = spawnDataPlane({ CONTROL_PLANE_GRPC_URL: `127.0.0.1:${closedPort}`, SNAPSHOT_CACHE_DIR: cacheDir });
    const { proxyUrl, statusUrl } = await listening(child);
    expect(await (await fetch(`${statusUrl}/config`)).json()).toMatchObject({
      version: 7,
      source: 'cache',
      controlPlane: { url: `127.0.0.1:${closedPort}`, connected: false },
    });
    expect((await send(`${proxyUrl}/test/cached`)).json).toMatchObject({ backend: 'httpbin', url: '/cached' });
    expect(await child.stop('SIGINT')).toBe(0);
  });
});
