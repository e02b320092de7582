import type { ServerResponse } from 'node:http';
import { expectEventually, startTestBackend, type TestBackend } from '@hotswap/testing';
import {
  createEmptyDatabase,
  GatewayHarness,
  getJson,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from './support/gateway-harness';

/** Probe interval of every backend here, and how many intervals the counting window lasts. */
const INTERVAL_MS = 200;
const WINDOW_INTERVALS = 20;

interface Setup {
  /** Control-plane replicas. */
  replicas: number;
  /** Extra control-plane environment. REDIS_URL comes from the test environment; '' means none. */
  env: Record<string, string>;
}

/** A real backend: `/health` answers 200 or 503 as `isHealthy` says; other paths answer with its name. */
interface ProbedBackend {
  server: TestBackend;
  isHealthy: boolean;
  healthyAnswers: number;
  failedAnswers: number;
  /** Requests held open on `/hold/...` until released. */
  held: ServerResponse[];
  probes(): number;
  /** Requests other than probes: proxied traffic. */
  traffic(): number;
}

async function startProbedBackend(name: string): Promise<ProbedBackend> {
  const backend: ProbedBackend = {
    server: undefined as unknown as TestBackend,
    isHealthy: true,
    healthyAnswers: 0,
    failedAnswers: 0,
    held: [],
    probes: () => backend.server.received.filter((r) => r.url === '/health').length,
    traffic: () => backend.server.received.filter((r) => r.url !== '/health').length,
  };
  backend.server = await startTestBackend(name, (req, res) => {
    if (req.url === '/health') {
      if (backend.isHealthy) backend.healthyAnswers++;
      else backend.failedAnswers++;
      res.writeHead(backend.isHealthy ? 200 : 503).end(backend.isHealthy ? 'UP' : 'DOWN');
      return;
    }
    if (req.url?.startsWith('/hold')) {
      backend.held.push(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ backend: name, url: req.url }));
  });
  return backend;
}

describe.each<[string, Setup]>([
  ['BullMQ schedulers on two control-plane replicas sharing Redis', { replicas: 2, env: {} }],
  ['the in-process scheduler (no Redis)', { replicas: 1, env: { REDIS_URL: '' } }],
])('active health checks with %s', (_name, setup) => {
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let controlPlanes: ControlPlaneProcess[];
  let dataPlanes: DataPlaneProcess[];
  let steady: ProbedBackend;
  let flaky: ProbedBackend;
  let drainee: ProbedBackend;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    [steady, flaky, drainee] = (await Promise.all(['steady', 'flaky', 'drainee'].map(startProbedBackend))) as [
      ProbedBackend,
      ProbedBackend,
      ProbedBackend,
    ];
    controlPlanes = [];
    for (let i = 0; i < setup.replicas; i++) controlPlanes.push(await harness.startControlPlane(undefined, setup.env));
    const healthCheck = { intervalMs: INTERVAL_MS, timeoutMs: 1_000 };
    for (const backend of [steady, flaky, drainee]) {
      const name = backend.server.name;
      const created = await api('POST', '/backends', { backendId: name, name, url: backend.server.url, healthCheck });
      expect(created.status).toBe(201);
    }
    for (const [name, backendIds] of [
      ['pair', ['steady', 'flaky']],
      ['alone', ['drainee']],
    ] as const) {
      const created = await api('POST', '/routes', {
        name,
        pathPattern: `/${name}/**`,
        backendIds,
        strategy: 'RoundRobin',
      });
      expect(created.status).toBe(201);
    }
    dataPlanes = await Promise.all(
      controlPlanes.map((controlPlane, i) =>
        harness.startDataPlane({ id: `dp-health-${i}`, grpcTarget: controlPlane.grpcTarget }),
      ),
    );
    for (const id of ['steady', 'flaky', 'drainee']) await expectStatusEverywhere(id, 'Healthy');
  });

  afterAll(async () => {
    await harness?.stopAll();
    await Promise.all([steady, flaky, drainee].map((backend) => backend?.server.close()));
    await database?.drop();
  });

  function api(method: string, path: string, body?: unknown, role: 'Admin' | 'Operator' | 'Viewer' = 'Admin') {
    return harness.api(controlPlanes[0]!, method, path, body, role);
  }

  /** The backend as a data plane's /config shows it. */
  async function stateOn(dataPlane: DataPlaneProcess, backendId: string) {
    const { body } = await getJson(`${dataPlane.statusUrl}/config`);
    return (body.backendStates as Array<{ backendId: string }>).find((state) => state.backendId === backendId) as
      Record<string, unknown> | undefined;
  }

  async function expectStatusEverywhere(backendId: string, healthStatus: string): Promise<void> {
    await expectEventually(
      async () => {
        for (const dataPlane of dataPlanes) expect(await stateOn(dataPlane, backendId)).toMatchObject({ healthStatus });
      },
      { timeoutMs: 20_000 },
    );
  }

  /** Which backends answered `count` requests through each data plane. */
  async function answeredBy(path: string, count: number): Promise<string[]> {
    const names: string[] = [];
    for (const dataPlane of dataPlanes) {
      for (let i = 0; i < count; i++) {
        const { status, body } = await getJson(`${dataPlane.proxyUrl}${path}`);
        expect(status).toBe(200);
        names.push(body.backend as string);
      }
    }
    return names;
  }

  async function latestVersion(): Promise<number> {
    const { body } = await api('GET', '/config/versions?limit=1');
    return body.items[0].version as number;
  }

  it('probes each backend once per interval', async () => {
    const start = steady.probes();
    // A measurement window, not a wait for a condition.
    await new Promise((resolve) => setTimeout(resolve, WINDOW_INTERVALS * INTERVAL_MS));
    const counted = steady.probes() - start;
    expect(counted).toBeGreaterThanOrEqual(WINDOW_INTERVALS * 0.5);
    expect(counted).toBeLessThanOrEqual(WINDOW_INTERVALS * 1.5);
  });

  it('stops sending traffic to a backend that failed 3 checks, on every data plane, and resumes after 2 passing ones, with no new config version', async () => {
    expect(new Set(await answeredBy('/pair/x', 4))).toEqual(new Set(['steady', 'flaky']));
    const version = await latestVersion();

    flaky.isHealthy = false;
    await expectStatusEverywhere('flaky', 'Unhealthy');
    expect(flaky.failedAnswers).toBeGreaterThanOrEqual(3);
    const trafficWhenUnhealthy = flaky.traffic();
    expect(new Set(await answeredBy('/pair/x', 6))).toEqual(new Set(['steady']));
    expect(flaky.traffic()).toBe(trafficWhenUnhealthy);
    const health = await api('GET', '/backends/flaky/health', undefined, 'Viewer');
    expect(health.body).toMatchObject({ healthStatus: 'Unhealthy', consecutiveSuccesses: 0 });
    expect(health.body.consecutiveFailures).toBeGreaterThanOrEqual(3);

    const healthyBefore = flaky.healthyAnswers;
    flaky.isHealthy = true;
    await expectStatusEverywhere('flaky', 'Healthy');
    expect(flaky.healthyAnswers - healthyBefore).toBeGreaterThanOrEqual(2);
    expect(new Set(await answeredBy('/pair/x', 4))).toEqual(new Set(['steady', 'flaky']));
    expect(await latestVersion()).toBe(version);
    for (const dataPlane of dataPlanes) expect(await dataPlane.activeVersion()).toBe(version);
  });

  it('sends a backend whose breaker an Admin forced open nothing, on every data plane, until the override ends (audited)', async () => {
    const opened = await api('PUT', '/backends/flaky/circuit-breaker', { state: 'open' });
    expect(opened.status).toBe(200);
    await expectEventually(async () => {
      for (const dataPlane of dataPlanes) {
        expect(await stateOn(dataPlane, 'flaky')).toMatchObject({ breakerOverride: 'open', isAvailable: false });
      }
    });
    const before = flaky.traffic();
    expect(new Set(await answeredBy('/pair/x', 6))).toEqual(new Set(['steady']));
    expect(flaky.traffic()).toBe(before);

    expect((await api('PUT', '/backends/flaky/circuit-breaker', { state: 'open' }, 'Operator')).status).toBe(403);
    const audit = await api('GET', '/audit-logs?entityId=flaky&eventType=CircuitBreakerOverridden');
    expect(audit.body.items[0]).toMatchObject({ userId: 'e2e-admin', details: { state: 'open', previous: 'auto' } });

    expect((await api('PUT', '/backends/flaky/circuit-breaker', { state: 'auto' })).status).toBe(200);
    await expectEventually(async () => {
      for (const dataPlane of dataPlanes)
        expect(await stateOn(dataPlane, 'flaky')).toMatchObject({ breakerOverride: null });
    });
    expect(new Set(await answeredBy('/pair/x', 4))).toEqual(new Set(['steady', 'flaky']));
  });

  it('gives a Draining backend no new requests and lets the one in flight finish', async () => {
    const inFlight = getJson(`${dataPlanes[0]!.proxyUrl}/alone/hold`);
    await expectEventually(() => expect(drainee.held).toHaveLength(1));

    const drained = await api('PUT', '/backends/drainee/draining', { draining: true });
    expect(drained.body).toMatchObject({ healthStatus: 'Draining', isDraining: true });
    await expectStatusEverywhere('drainee', 'Draining');
    const before = drainee.traffic();
    for (const dataPlane of dataPlanes) {
      const refused = await getJson(`${dataPlane.proxyUrl}/alone/x`);
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('NO_BACKEND_AVAILABLE');
    }
    expect(drainee.traffic()).toBe(before);

    drainee.held[0]!.writeHead(200, { 'content-type': 'application/json' }).end('{"backend":"drainee","held":true}');
    expect(await inFlight).toMatchObject({ status: 200, body: { backend: 'drainee', held: true } });

    await api('PUT', '/backends/drainee/draining', { draining: false });
    await expectStatusEverywhere('drainee', 'Healthy');
    expect(await answeredBy('/alone/x', 1)).toEqual(dataPlanes.map(() => 'drainee'));
  });

  it('answers unknown backends with 404 and bad bodies with 400 naming the field', async () => {
    const unknown = await api('POST', '/health-checks', { backendId: 'nope' });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    const bad = await api('PUT', '/backends/flaky/circuit-breaker', { state: 'sideways' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual(['state']);
    const now = await api('POST', '/health-checks', { backendId: 'steady' }, 'Operator');
    expect(now.body).toMatchObject({ backendId: 'steady', isHealthy: true, statusCode: 200, recorded: true });
  });

  it('keeps backend states across a restart of every control-plane replica', async () => {
    flaky.isHealthy = false;
    await expectStatusEverywhere('flaky', 'Unhealthy');
    const before = (await api('GET', '/backends/flaky/health')).body;

    const ports = controlPlanes.map((controlPlane) => ({
      http: Number(new URL(controlPlane.httpUrl).port),
      grpc: Number(controlPlane.grpcTarget.split(':')[1]),
    }));
    for (const controlPlane of controlPlanes) await controlPlane.stop();
    controlPlanes = [];
    for (const port of ports) controlPlanes.push(await harness.startControlPlane(port, setup.env));

    const after = (await api('GET', '/backends/flaky/health')).body;
    expect(after).toMatchObject({ healthStatus: 'Unhealthy', stateSequence: before.stateSequence });
    await expectStatusEverywhere('flaky', 'Unhealthy');
    expect(new Set(await answeredBy('/pair/x', 4))).toEqual(new Set(['steady']));

    flaky.isHealthy = true;
    await expectStatusEverywhere('flaky', 'Healthy');
  });
});
