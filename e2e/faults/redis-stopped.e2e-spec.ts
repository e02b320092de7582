import { expectEventually, expectGatewayError, send, startTestBackend, type TestBackend } from '@hotswap/testing';
import {
  createEmptyDatabase,
  GatewayHarness,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from '../support/gateway-harness';
import { startOwnRedis, type OwnServer } from '../support/own-services';

// Each answer while Redis is down must come within this bound: never hang.
const ANSWER_BOUND_MS = 15_000;

type Transition = { event: string; fromPhaseIndex: number | null; toPhaseIndex: number; toStatus: string };

describe('fault: Redis stops under the control plane and the data planes', () => {
  let redis: OwnServer;
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let stable: TestBackend;
  let canary: TestBackend;
  let controlPlane: ControlPlaneProcess;
  let dataPlane: DataPlaneProcess;

  beforeAll(async () => {
    redis = await startOwnRedis();
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    [stable, canary] = await Promise.all([startTestBackend('stable'), startTestBackend('canary')]);
    controlPlane = await harness.startControlPlane(undefined, {
      REDIS_URL: redis.url,
      DEPLOYMENT_ANALYSIS_INTERVAL: '100ms',
    });
    dataPlane = await harness.startDataPlane({
      id: 'dp-redis-fault',
      grpcTarget: controlPlane.grpcTarget,
      env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: harness.redisKeyPrefix, TELEMETRY_INTERVAL_MS: '250' },
    });
  });

  afterAll(async () => {
    await harness?.stopAll();
    await Promise.all([stable?.close(), canary?.close()]);
    await database?.drop();
    await redis?.remove();
  });

  const api = (method: string, path: string, body?: unknown) =>
    expectAnswerInTime(harness.api(controlPlane, method, path, body));

  async function waitForLatestSnapshot(): Promise<void> {
    const { body } = await api('GET', '/config/versions?limit=1');
    const version = body.items[0].version as number;
    await expectEventually(async () => expect(await dataPlane.activeVersion()).toBe(version), { timeoutMs: 20_000 });
  }

  const get = (path: string) => send(`${dataPlane.proxyUrl}${path}`, { timeoutMs: ANSWER_BOUND_MS });

  it('fails rate-limited routes open or closed as configured while Redis is down, and counts in Redis when it is back', async () => {
    for (const [name, failOpen] of [
      ['limited-open', true],
      ['limited-closed', false],
    ] as const) {
      const created = await api('POST', '/routes', {
        name,
        pathPattern: `/${name}/**`,
        backends: [{ name: 'stable', url: stable.url }],
        rateLimit: { limit: 10_000, window: 'minute', policy: 'redis', failOpen },
      });
      expect(created.status).toBe(201);
    }
    await waitForLatestSnapshot();
    for (const name of ['limited-open', 'limited-closed']) {
      const answer = await get(`/${name}/x`);
      expect(answer.status).toBe(200);
      expect(answer.headers['x-ratelimit-remaining']).toBe('9999');
    }

    await redis.stop();
    await expectEventually(async () =>
      expectGatewayError(await get('/limited-closed/x'), 503, 'RATE_LIMIT_UNAVAILABLE'),
    );
    for (let n = 0; n < 5; n++) {
      const open = await get('/limited-open/x');
      expect(open.status).toBe(200);
      expect(open.json.backend).toBe('stable');
      expectGatewayError(await get('/limited-closed/x'), 503, 'RATE_LIMIT_UNAVAILABLE');
    }

    await redis.start();
    // Redis came back empty (it persists nothing): counting starts over, in Redis.
    await expectEventually(
      async () => {
        const answer = await get('/limited-closed/x');
        expect(answer.status).toBe(200);
        expect(answer.headers['x-ratelimit-remaining']).toBe('9999');
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect((await get('/limited-open/x')).headers['x-ratelimit-remaining']).toBe('9999');
  });

  it('resumes a deployment caught mid-phase when Redis returns (empty), each phase advanced once', async () => {
    const route = await api('POST', '/routes', {
      name: 'shop',
      pathPattern: '/shop/**',
      backends: [{ name: 'stable', url: stable.url }],
    });
    expect(route.status).toBe(201);
    const routeId = route.body.routeId as string;
    const backend = await api('POST', '/backends', { name: 'canary', url: canary.url });
    expect(backend.status).toBe(201);
    expect(
      (await api('POST', `/routes/${routeId}/versions`, { backendIds: [backend.body.backendId], version: '2.0' }))
        .status,
    ).toBe(201);
    const created = await api('POST', '/deployments', {
      routeId,
      configVersion: 2,
      strategy: 'Canary',
      environment: 'staging',
      phases: [
        { name: 'canary-10', trafficPercentage: 10, duration: '2s' },
        { name: 'canary-50', trafficPercentage: 50, duration: '2s' },
        { name: 'full', trafficPercentage: 100 },
      ],
      thresholds: { minRequests: 0, maxP99Increase: 100 },
    });
    expect(created.status).toBe(201);
    const deploymentId = created.body.deploymentId as string;

    await redis.stop();
    await controlPlane.process.waitForOutput(/deployment (queue|worker): .*ECONNREFUSED/, 30_000);
    // A write that schedules a job answers while Redis is down; the state it committed is what counts.
    const promoted = await api('POST', `/deployments/${deploymentId}/promote`, {});
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ status: 'InProgress', currentPhaseIndex: 1 });
    // The data plane keeps serving the split it runs.
    expect((await get('/shop/x')).status).toBe(200);

    await redis.start();
    const done = await expectEventually(
      async () => {
        const { body } = await api('GET', `/deployments/${deploymentId}`);
        expect(body.status).toBe('Completed');
        return body as { history: Transition[] };
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const moves = done.history.filter((entry) => entry.event === 'advance' || entry.event === 'promote');
    expect(moves.map((entry) => [entry.event, entry.fromPhaseIndex, entry.toPhaseIndex, entry.toStatus])).toEqual([
      ['promote', 0, 1, 'InProgress'],
      ['advance', 1, 2, 'InProgress'],
      ['advance', 2, 2, 'Completed'],
    ]);
    expect(done.history.filter((entry) => entry.event === 'start')).toHaveLength(1);
    await expectEventually(async () => expect((await get('/shop/x')).json.backend).toBe('canary'));
  });
});

async function expectAnswerInTime<T>(answer: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      answer,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_BOUND_MS} ms`)), ANSWER_BOUND_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
