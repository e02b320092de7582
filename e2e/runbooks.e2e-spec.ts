import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expectEventually, send, startTestBackend, type TestBackend, parsePrometheusText } from '@hotswap/testing';
import {
  createEmptyDatabase,
  GatewayHarness,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from './support/gateway-harness';
import { readBashBlocks, ShellSession, type DocBlock } from './support/runbook-doc';

// The runbook's output is asserted field by field: a loose type keeps that short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ROOT = resolve(__dirname, '..');
const RUNBOOKS = resolve(ROOT, 'docs/runbooks.md');
const RUNBOOK_1 = 'Runbook 1: Deploy a new route configuration';
const RUNBOOK_2 = 'Runbook 2: Handle a backend failure';
const TROUBLESHOOTING = 'Troubleshooting';

/**
 * docs/runbooks.md, executed: every fenced bash block, command by command, in a bash session of its own per runbook,
 * against a real control plane, data plane and backends. The doc's localhost addresses are mapped to them; nothing
 * else in the commands is changed. Each step's output is checked against what the doc says you should see.
 */
describe('docs/runbooks.md, run as written', () => {
  const blocks = readBashBlocks(RUNBOOKS);
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let controlPlane: ControlPlaneProcess;
  let dataPlane: DataPlaneProcess;
  let ordersV1: TestBackend;
  let ordersV2: TestBackend;
  let payments1: TestBackend;
  let payments2: TestBackend;
  let isPayments2Broken = false;
  const sessions: ShellSession[] = [];

  beforeAll(async () => {
    for (const tool of ['curl', 'jq']) {
      try {
        execFileSync(tool, ['--version'], { stdio: 'ignore' });
      } catch {
        throw new Error(`docs/runbooks.md needs ${tool}: install it to run this test`);
      }
    }
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    [ordersV1, ordersV2, payments1] = await Promise.all([
      startTestBackend('orders-v1'),
      startTestBackend('orders-v2'),
      startTestBackend('payments-1'),
    ]);
    payments2 = await startTestBackend('payments-2', (_req, res) => {
      res.writeHead(isPayments2Broken ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ backend: 'payments-2' }));
    });
    controlPlane = await harness.startControlPlane(undefined, { DEPLOYMENT_ANALYSIS_INTERVAL: '200ms' });
    dataPlane = await harness.startDataPlane({
      id: 'dp-runbooks',
      grpcTarget: controlPlane.grpcTarget,
      env: { TELEMETRY_INTERVAL_MS: '250' },
    });

    // What the runbooks start from: the routes `orders` and `payments`, as an operator would have made them.
    const orders = await harness.api(controlPlane, 'POST', '/routes', {
      name: 'orders',
      pathPattern: '/orders/**',
      backends: [{ name: 'orders-v1', url: ordersV1.url }],
    });
    expect(orders.status).toBe(201);
    const healthCheck = {
      endpoint: '/health',
      intervalMs: '500ms',
      timeoutMs: '400ms',
      unhealthyThreshold: 2,
      healthyThreshold: 2,
    };
    const backendIds: string[] = [];
    for (const [name, backend] of [
      ['payments-1', payments1],
      ['payments-2', payments2],
    ] as const) {
      const created = await harness.api(controlPlane, 'POST', '/backends', { name, url: backend.url, healthCheck });
      expect(created.status).toBe(201);
      backendIds.push(created.body.backendId);
    }
    const payments = await harness.api(controlPlane, 'POST', '/routes', {
      name: 'payments',
      pathPattern: '/payments/**',
      backendIds,
    });
    expect(payments.status).toBe(201);
    await waitUntilDataPlaneRunsNewest();
  });

  afterAll(async () => {
    for (const session of sessions) session.close();
    await harness?.stopAll();
    await Promise.all([ordersV1, ordersV2, payments1, payments2].map((backend) => backend?.close()));
    await database?.drop();
  });

  async function waitUntilDataPlaneRunsNewest(): Promise<void> {
    const { body } = await harness.api(controlPlane, 'GET', '/config/versions?limit=1');
    await expectEventually(async () => expect(await dataPlane.activeVersion()).toBe(body.items[0].version), {
      timeoutMs: 20_000,
    });
  }

  /** The doc's addresses, mapped to this test's processes; any other localhost address is a doc the test cannot run. */
  function mapAddresses(command: string): string {
    const mapped = command
      .replaceAll('http://localhost:5000', controlPlane.httpUrl)
      .replaceAll('http://localhost:8000', dataPlane.proxyUrl)
      .replaceAll('http://localhost:8100', dataPlane.statusUrl)
      .replaceAll('http://localhost:8081', ordersV1.url)
      .replaceAll('http://localhost:8082', ordersV2.url);
    if (mapped.includes('localhost')) throw new Error(`the test does not know this address:\n${command}`);
    return mapped;
  }

  /** A shell in the repository, as the doc's setup block leaves it. */
  async function startSession(): Promise<ShellSession> {
    const session = new ShellSession(ROOT, {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      JWT_SECRET: harness.jwtSecret,
    });
    sessions.push(session);
    const [setup] = blocksOf('');
    await runBlock(session, setup as DocBlock);
    return session;
  }

  function blocksOf(section: string): DocBlock[] {
    return blocks.filter((block) => block.section === section);
  }

  /** Runs a block's commands in order; each must exit 0. Returns what each printed. */
  async function runBlock(session: ShellSession, block: DocBlock): Promise<string[]> {
    const outputs: string[] = [];
    for (const command of block.commands) outputs.push(await runCommand(session, command));
    return outputs;
  }

  async function runCommand(session: ShellSession, command: string): Promise<string> {
    const result = await session.run(mapAddresses(command));
    if (result.status !== 0) {
      throw new Error(`exit ${result.status}:\n${command}\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
  }

  async function runJson(session: ShellSession, command: string): Promise<Json> {
    return JSON.parse(await runCommand(session, command));
  }

  /** `gateway_requests_backend_total` summed per backend id. */
  function requestsPerBackend(prometheus: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const sample of parsePrometheusText(prometheus)) {
      const backend = sample.labels.backend;
      if (sample.name !== 'gateway_requests_backend_total' || backend === undefined) continue;
      counts.set(backend, (counts.get(backend) ?? 0) + sample.value);
    }
    return counts;
  }

  async function sendMany(path: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) statuses.push((await send(`${dataPlane.proxyUrl}${path}/${i}`)).status);
    return statuses;
  }

  it('has the setup, the two runbooks and the troubleshooting entries, step by step', () => {
    expect(blocks.map((block) => [block.section, block.step])).toEqual([
      ['', ''],
      [RUNBOOK_1, '1. Store the new configuration as a version of the route'],
      [RUNBOOK_1, '2. Create a canary deployment'],
      [RUNBOOK_1, '2. Create a canary deployment'],
      [RUNBOOK_1, '3. Monitor the deployment'],
      [RUNBOOK_1, '4. Promote when the metrics are good'],
      [RUNBOOK_1, '5. Or roll back'],
      [RUNBOOK_2, "1. Check the backend's health"],
      [RUNBOOK_2, '2. Disable the unhealthy backend'],
      [RUNBOOK_2, '3. Verify traffic shifted to the healthy backends'],
      [RUNBOOK_2, '4. Fix the backend and re-enable it'],
      [RUNBOOK_2, '5. Confirm it is healthy and serving again'],
      [TROUBLESHOOTING, 'High latency'],
      [TROUBLESHOOTING, 'Dropped requests during a config update'],
    ]);
  });

  it('runbook 1: a new version goes out as a canary, is monitored, promoted, then rolled back', async () => {
    const shell = await startSession();
    const [store, create, tryCanary, monitor, promote, rollback] = blocksOf(RUNBOOK_1) as [
      DocBlock,
      DocBlock,
      DocBlock,
      DocBlock,
      DocBlock,
      DocBlock,
    ];

    const [, version] = await runBlock(shell, store);
    expect(JSON.parse(version as string)).toEqual({ versionNumber: 2, version: '2.0', isLive: false });

    const [, deployment] = await runBlock(shell, create);
    expect(JSON.parse(deployment as string)).toMatchObject({ status: 'InProgress', trafficPercentage: 10 });

    // Within moments the data plane splits the route: the pinned request reaches the new version's backend.
    await expectEventually(async () => {
      const before = ordersV2.received.length;
      expect(await runBlock(shell, tryCanary)).toEqual(['200\n']);
      expect(ordersV2.received.length).toBe(before + 1);
    });

    expect(new Set(await sendMany('/orders/items', 200))).toEqual(new Set([200]));
    await expectEventually(
      async () => {
        const [metrics] = await runBlock(shell, monitor);
        const view = JSON.parse(metrics as string);
        expect(view).toMatchObject({ shouldRollback: false, errorRateDelta: 0 });
        expect(view.canary).toBeGreaterThan(0);
        expect(view.stable).toBeGreaterThan(view.canary);
      },
      { timeoutMs: 20_000 },
    );

    const [promoted] = await runBlock(shell, promote);
    expect(JSON.parse(promoted as string)).toEqual({ status: 'InProgress', trafficPercentage: 50 });

    const [rolledBack, route] = await runBlock(shell, rollback);
    expect(JSON.parse(rolledBack as string)).toEqual({ status: 'RolledBack', rollbackReason: 'canary errors' });
    expect(JSON.parse(route as string)).toEqual({ version: '1.0', trafficSplit: null });
    await waitUntilDataPlaneRunsNewest();
    const fromV2 = ordersV2.received.length;
    expect(new Set(await sendMany('/orders/items', 20))).toEqual(new Set([200]));
    expect(ordersV2.received.length).toBe(fromV2);
  });

  it('runbook 2: a failing backend is found, disabled, traffic moves off it, and it comes back once fixed', async () => {
    const shell = await startSession();
    const [check, disable, verify, reenable, confirm] = blocksOf(RUNBOOK_2) as [
      DocBlock,
      DocBlock,
      DocBlock,
      DocBlock,
      DocBlock,
    ];
    const backends = await harness.api(controlPlane, 'GET', '/backends?limit=100');
    const failingId = backends.body.items.find((backend: Json) => backend.name === 'payments-2').backendId as string;
    const healthyId = backends.body.items.find((backend: Json) => backend.name === 'payments-1').backendId as string;

    // The failure the runbook handles: payments-2 answers 503, and its checks have noticed.
    isPayments2Broken = true;
    await expectEventually(async () => {
      const { body } = await harness.api(controlPlane, 'GET', `/backends/${failingId}/health`);
      expect(body.healthStatus).toBe('Unhealthy');
    });

    const [, health, checkNow] = await runBlock(shell, check);
    expect(JSON.parse(health as string)).toMatchObject({ healthStatus: 'Unhealthy' });
    expect(JSON.parse(health as string).consecutiveFailures).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(checkNow as string)).toEqual({ isHealthy: false, statusCode: 503 });

    const [disabled] = await runBlock(shell, disable);
    expect(JSON.parse(disabled as string)).toEqual({ name: 'payments-2', isEnabled: false });
    await expectEventually(async () => {
      const fleet = await runJson(shell, disable.commands[1] as string);
      expect(fleet.dataPlanes).toEqual([
        { dataPlaneId: 'dp-runbooks', activeVersion: fleet.configVersion, inSync: true },
      ]);
    });

    expect(new Set(await sendMany('/payments/charge', 20))).toEqual(new Set([200]));
    const [, countersBefore] = await runBlock(shell, verify);
    const before = requestsPerBackend(countersBefore as string);
    expect(new Set(await sendMany('/payments/charge', 40))).toEqual(new Set([200]));
    await expectEventually(async () => {
      const summary = await runJson(shell, verify.commands[0] as string);
      expect(summary.requests).toBeGreaterThanOrEqual(60);
      expect(summary.errorRate).toEqual(expect.any(Number));
      expect(summary.backends).toEqual(expect.any(Object));
    });
    const after = requestsPerBackend(await runCommand(shell, verify.commands[1] as string));
    expect(after.get(failingId) ?? 0).toBe(before.get(failingId) ?? 0);
    expect(after.get(healthyId)).toBe((before.get(healthyId) ?? 0) + 40);

    isPayments2Broken = false;
    const [enabled] = await runBlock(shell, reenable);
    expect(JSON.parse(enabled as string)).toEqual({ name: 'payments-2', isEnabled: true });

    await expectEventually(async () => {
      const [checked, healthNow] = await runBlock(shell, confirm);
      expect(JSON.parse(checked as string)).toEqual({ isHealthy: true, statusCode: 200 });
      expect(JSON.parse(healthNow as string)).toEqual({ healthStatus: 'Healthy' });
    });
    await expectEventually(async () => {
      const served = payments2.received.filter((request) => request.url.startsWith('/charge')).length;
      await sendMany('/payments/charge', 10);
      expect(payments2.received.filter((request) => request.url.startsWith('/charge')).length).toBeGreaterThan(served);
    });
  });

  it('troubleshooting: the diagnostics answer with the figures the entries name', async () => {
    const shell = await startSession();
    const [latency, drops] = blocksOf(TROUBLESHOOTING) as [DocBlock, DocBlock];
    expect(new Set(await sendMany('/orders/slow', 10))).toEqual(new Set([200]));
    expect((await send(`${dataPlane.proxyUrl}/no-such-route`)).status).toBe(404);

    await expectEventually(async () => {
      const [percentiles] = await runBlock(shell, latency);
      expect(JSON.parse(percentiles as string).p99).toBeGreaterThan(0);
    });
    const [percentiles, connections, breakers, split] = await runBlock(shell, latency);
    expect(JSON.parse(percentiles as string)).toEqual({
      p50: expect.any(Number),
      p95: expect.any(Number),
      p99: expect.any(Number),
      mean: expect.any(Number),
    });
    expect(Number(connections)).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(breakers as string)).toEqual({
      closed: expect.any(Number),
      open: expect.any(Number),
      halfOpen: expect.any(Number),
      openBackendIds: expect.any(Array),
    });
    for (const series of [
      'gateway_backend_duration_seconds_sum',
      'gateway_backend_duration_seconds_count',
      'gateway_proxy_overhead_seconds_sum',
      'gateway_proxy_overhead_seconds_count',
    ]) {
      expect(split).toContain(series);
    }

    const [failures, ready] = await runBlock(shell, drops);
    expect(failures).toMatch(/^gateway_requests_failed_total\{.*reason="route_not_found".*\} [1-9]/m);
    expect(JSON.parse(ready as string)).toEqual({ status: 'ready' });
  });
});
