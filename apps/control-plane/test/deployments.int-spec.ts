import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { expectEventually } from '@hotswap/testing';
import { Redis } from 'ioredis';
import { createApp } from '../src/app';
import { storedSnapshot } from './support/stored-snapshots';
import { API, countRows, latestSnapshotVersion, startTestApp, type TestApp } from './support/test-app';

const REDIS_URL = process.env.REDIS_URL as string;
const REDIS_PREFIX = `hotswap-test-deployments-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const keys = await redis.keys(`${REDIS_PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const FAST = { DEPLOYMENT_ANALYSIS_INTERVAL: '50ms' };
// No traffic flows in these tests: without a minimum, an empty phase is not inconclusive and advances on time.
const NO_MINIMUM = { minRequests: 0 };
const QUICK_PHASES = [
  { name: 'canary-10', trafficPercentage: 10, duration: '300ms' },
  { name: 'canary-50', trafficPercentage: 50, duration: '300ms' },
  { name: 'full', trafficPercentage: 100 },
];

describe.each([
  ['in-process', {}],
  ['bullmq', { REDIS_URL, REDIS_KEY_PREFIX: REDIS_PREFIX }],
])('deployments on the %s scheduler', (_kind, schedulerEnv) => {
  let t: TestApp;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApp({ ...FAST, ...schedulerEnv });
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A route on backend `stable-n`, and version 2 of it on backend `canary-n` (created without applying it). */
  async function routeWithNewVersion() {
    const n = ++seq;
    const route = await t.request('POST', `${API}/routes`, {
      body: {
        name: `orders-${n}`,
        pathPattern: `/orders-${n}/**`,
        backends: [{ name: `stable-${n}`, url: `http://127.0.0.1:${11_000 + n}` }],
      },
    });
    expect(route.status).toBe(201);
    const canary = await t.request('POST', `${API}/backends`, {
      body: { name: `canary-${n}`, url: `http://127.0.0.1:${12_000 + n}` },
    });
    expect(canary.status).toBe(201);
    const version = await t.request('POST', `${API}/routes/${route.body.routeId}/versions`, {
      body: { backendIds: [canary.body.backendId], version: '2.0' },
      as: 'Operator',
    });
    expect(version.status).toBe(201);
    expect(version.body).toMatchObject({ versionNumber: 2, isLive: false });
    return {
      routeId: route.body.routeId as string,
      stableId: route.body.backendIds[0] as string,
      canaryId: canary.body.backendId as string,
    };
  }

  interface SnapshotRoute {
    routeId: string;
    backendIds: string[];
    trafficSplit: null | { canaryPercentage: number; canary: { backendIds: string[] } };
  }

  async function snapshotRoute(routeId: string): Promise<SnapshotRoute> {
    const snapshot = await storedSnapshot(t.sql);
    return (snapshot.routes as unknown as SnapshotRoute[]).find((route) => route.routeId === routeId) as SnapshotRoute;
  }

  it('creating a version does not change what is served', async () => {
    const before = await latestSnapshotVersion(t.sql);
    const { routeId, stableId } = await routeWithNewVersion();
    const route = await t.request('GET', `${API}/routes/${routeId}`);
    expect(route.body).toMatchObject({ liveVersionNumber: 1, latestVersionNumber: 2, backendIds: [stableId] });
    // The route and the canary backend wrote snapshots; the version did not.
    expect(await latestSnapshotVersion(t.sql)).toBe(before + 2);
  });

  it('runs a canary 10% → 50% → 100% with the split in each snapshot, and ends on the new version', async () => {
    const { routeId, canaryId } = await routeWithNewVersion();
    const created = await t.request('POST', `${API}/deployments`, {
      body: {
        routeId,
        configVersion: '2.0',
        strategy: 'Canary',
        environment: 'staging',
        phases: QUICK_PHASES,
        thresholds: NO_MINIMUM,
      },
      as: 'Operator',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      routeId,
      targetVersionNumber: 2,
      stableVersionNumber: 1,
      status: 'InProgress',
      currentPhaseIndex: 0,
      approval: { required: false, status: 'NotRequired' },
    });
    const deploymentId = created.body.deploymentId as string;
    const first = await snapshotRoute(routeId);
    // The first snapshot may already be past phase 0 on a slow machine; the split is there until completion.
    expect(first.trafficSplit === null || first.trafficSplit.canary.backendIds[0] === canaryId).toBe(true);

    const done = await expectEventually(async () => {
      const res = await t.request('GET', `${API}/deployments/${deploymentId}`, { as: 'Viewer' });
      expect(res.body.status).toBe('Completed');
      return res.body;
    });
    expect(done.history.map((h: { event: string; toPhaseIndex: number }) => [h.event, h.toPhaseIndex])).toEqual([
      ['create', 0],
      ['start', 0],
      ['advance', 1],
      ['advance', 2],
      ['advance', 2],
    ]);
    const { rows: versions } = await t.sql.query<{ version: number }>(
      'SELECT version::int FROM config_snapshots ORDER BY config_snapshots.version',
    );
    const snapshots = await Promise.all(versions.map((row) => storedSnapshot(t.sql, row.version)));
    const percentages = snapshots
      .filter((snapshot) => JSON.stringify(snapshot).includes(deploymentId))
      .map((snapshot) => snapshot.routes.find((route) => route.routeId === routeId)?.trafficSplit?.canaryPercentage);
    expect(percentages).toEqual([10, 50, 100]);
    const live = await snapshotRoute(routeId);
    expect(live).toMatchObject({ backendIds: [canaryId], trafficSplit: null });
    const route = await t.request('GET', `${API}/routes/${routeId}`);
    expect(route.body).toMatchObject({ liveVersionNumber: 2, version: '2.0' });
    const audit = await t.request('GET', `${API}/audit-logs?entityType=Deployment&entityId=${deploymentId}`);
    expect(audit.body.items.map((item: { eventType: string }) => item.eventType).reverse()).toEqual([
      'DeploymentCreated',
      'DeploymentAdvance',
      'DeploymentAdvance',
      'DeploymentAdvance',
    ]);
  });

  it('rolls back on request: the old version takes all traffic in the very next snapshot', async () => {
    const { routeId, stableId } = await routeWithNewVersion();
    const created = await t.request('POST', `${API}/deployments`, {
      body: {
        routeId,
        configVersion: 2,
        environment: 'staging',
        phases: [
          { trafficPercentage: 10, duration: '1h' },
          { trafficPercentage: 100, duration: '1h' },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect((await snapshotRoute(routeId)).trafficSplit).toMatchObject({ canaryPercentage: 10 });
    const deploymentId = created.body.deploymentId as string;

    const promoted = await t.request('POST', `${API}/deployments/${deploymentId}/promote`, {
      body: { targetPercentage: 100 },
      as: 'Operator',
    });
    expect(promoted.body).toMatchObject({ status: 'InProgress', currentPhaseIndex: 1 });
    expect((await snapshotRoute(routeId)).trafficSplit).toMatchObject({ canaryPercentage: 100 });

    const rolledBack = await t.request('POST', `${API}/deployments/${deploymentId}/rollback`, {
      body: { reason: 'latency' },
      as: 'Operator',
    });
    expect(rolledBack.status).toBe(200);
    expect(rolledBack.body).toMatchObject({ status: 'RolledBack', rollbackReason: 'latency', trafficSplit: null });
    expect(await snapshotRoute(routeId)).toMatchObject({ backendIds: [stableId], trafficSplit: null });

    const version = await latestSnapshotVersion(t.sql);
    for (const action of ['promote', 'pause', 'resume', 'rollback']) {
      const res = await t.request('POST', `${API}/deployments/${deploymentId}/${action}`);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('CONFLICT');
    }
    expect(await latestSnapshotVersion(t.sql)).toBe(version);
  });

  it('holds a phase without enough traffic to judge, then pauses for a person', async () => {
    const { routeId } = await routeWithNewVersion();
    const created = await t.request('POST', `${API}/deployments`, {
      body: {
        routeId,
        configVersion: 2,
        environment: 'staging',
        phases: QUICK_PHASES,
        thresholds: { minRequests: 50, maxInconclusive: 3 },
      },
    });
    const deploymentId = created.body.deploymentId as string;
    const paused = await expectEventually(async () => {
      const res = await t.request('GET', `${API}/deployments/${deploymentId}`);
      expect(res.body.status).toBe('Paused');
      return res.body;
    });
    expect(paused).toMatchObject({
      currentPhaseIndex: 0,
      lastAnalysis: { verdict: 'inconclusive', shouldRollback: false },
    });
    expect(paused.history.at(-1)).toMatchObject({ event: 'pause', userId: null });
    expect(paused.history.at(-1).reason).toContain('fewer than the 50 needed to judge, 3 times');
    expect(paused.history.map((h: { event: string }) => h.event)).not.toContain('advance');
    expect((await snapshotRoute(routeId)).trafficSplit).toMatchObject({ canaryPercentage: 10 });
  });

  it('pauses with the split held, and resumes to completion', async () => {
    const { routeId } = await routeWithNewVersion();
    // A phase long enough that the pause always lands in it, however slow the machine; promote ends it after resume.
    const created = await t.request('POST', `${API}/deployments`, {
      body: {
        routeId,
        configVersion: 2,
        environment: 'staging',
        phases: [
          { trafficPercentage: 30, duration: '1h' },
          { trafficPercentage: 100, duration: 0 },
        ],
        thresholds: NO_MINIMUM,
      },
    });
    const deploymentId = created.body.deploymentId as string;
    const paused = await t.request('POST', `${API}/deployments/${deploymentId}/pause`, { as: 'Operator' });
    expect(paused.body).toMatchObject({ status: 'Paused', currentPhaseIndex: 0 });
    expect((await snapshotRoute(routeId)).trafficSplit).toMatchObject({ canaryPercentage: 30 });
    const resumed = await t.request('POST', `${API}/deployments/${deploymentId}/resume`, { as: 'Operator' });
    expect(resumed.body).toMatchObject({ status: 'InProgress', currentPhaseIndex: 0 });
    expect((await snapshotRoute(routeId)).trafficSplit).toMatchObject({ canaryPercentage: 30 });
    const promoted = await t.request('POST', `${API}/deployments/${deploymentId}/promote`, { as: 'Operator' });
    expect(promoted.status).toBe(200);
    await expectEventually(async () => {
      const res = await t.request('GET', `${API}/deployments/${deploymentId}`);
      expect(res.body.status).toBe('Completed');
    });
  });

  it('needs an Admin other than its creator to approve a production deployment', async () => {
    const { routeId } = await routeWithNewVersion();
    const created = await t.request('POST', `${API}/deployments`, {
      body: { routeId, configVersion: 2, environment: 'production', phases: QUICK_PHASES, thresholds: NO_MINIMUM },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'Pending', approval: { required: true, status: 'Pending' } });
    expect((await snapshotRoute(routeId)).trafficSplit).toBeNull();
    const deploymentId = created.body.deploymentId as string;

    const pending = await t.request('GET', `${API}/approvals/pending`, { as: 'Viewer' });
    expect(pending.body.items.map((item: { deploymentId: string }) => item.deploymentId)).toContain(deploymentId);

    const own = await t.request('POST', `${API}/deployments/${deploymentId}/approve`, { body: { comment: 'mine' } });
    expect(own.status).toBe(403);
    const operator = await t.request('POST', `${API}/deployments/${deploymentId}/approve`, { as: 'Operator' });
    expect(operator.status).toBe(403);
    expect((await t.request('GET', `${API}/deployments/${deploymentId}`)).body.status).toBe('Pending');

    const otherAdmin = { token: t.tokens.issue({ sub: 'second-admin', role: 'Admin' }) };
    const approved = await t.request('POST', `${API}/deployments/${deploymentId}/approve`, {
      body: { comment: 'looks good' },
      as: otherAdmin,
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      approval: { status: 'Approved', approvedBy: 'second-admin', comment: 'looks good' },
    });
    expect(['InProgress', 'Completed']).toContain(approved.body.status);
    await expectEventually(async () => {
      const res = await t.request('GET', `${API}/deployments/${deploymentId}`);
      expect(res.body.status).toBe('Completed');
    });
  });

  it('refuses bad input with 400/404/409 in the envelope, and changes nothing', async () => {
    const { routeId } = await routeWithNewVersion();
    const counts = async () => [
      await latestSnapshotVersion(t.sql),
      await countRows(t.sql, 'deployments'),
      await countRows(t.sql, 'route_versions'),
    ];
    const before = await counts();
    const create = (body: Record<string, unknown>, as: 'Admin' | 'Viewer' = 'Admin') =>
      t.request('POST', `${API}/deployments`, { body: { environment: 'staging', ...body }, as });

    const unknownRoute = await create({ routeId: 'no-such-route', configVersion: 2 });
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.error.code).toBe('NOT_FOUND');
    const unknownVersion = await create({ routeId, configVersion: 9 });
    expect(unknownVersion.status).toBe(404);
    const unknownLabel = await create({ routeId, configVersion: '9.9' });
    expect(unknownLabel.status).toBe(404);

    const bad = await create({
      routeId,
      configVersion: 2,
      phases: [
        { trafficPercentage: -5, duration: 'soon' },
        { trafficPercentage: 150 },
        { trafficPercentage: 50, duration: 'PT5M' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).toEqual([
      'phases[0].trafficPercentage',
      'phases[0].duration',
      'phases[1].trafficPercentage',
      'phases[2].trafficPercentage',
    ]);
    const matching = await create({ routeId, config: { pathPattern: '/elsewhere/**', timeoutSeconds: 5 } });
    expect(matching.status).toBe(400);
    expect(matching.body.error.details).toEqual([
      { field: 'config.pathPattern', message: 'a deployment may not change how the route matches' },
    ]);
    const live = await create({ routeId, configVersion: 1 });
    expect(live.status).toBe(400);
    const strategy = await create({ routeId, configVersion: 2, strategy: 'Sideways' });
    expect(strategy.status).toBe(400);
    expect(strategy.body.error.details[0].field).toBe('strategy');
    const viewer = await create({ routeId, configVersion: 2 }, 'Viewer');
    expect(viewer.status).toBe(403);
    expect(await counts()).toEqual(before);

    const first = await create({ routeId, configVersion: 2, phases: [{ trafficPercentage: 100, duration: '1h' }] });
    expect(first.status).toBe(201);
    const second = await create({ routeId, config: { timeoutSeconds: 7 } });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('CONFLICT');
    const unknown = await t.request('POST', `${API}/deployments/deploy-nothere/promote`);
    expect(unknown.status).toBe(404);
  });
});

describe('approval expiry', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ ...FAST, DEPLOYMENT_APPROVAL_TTL: '200ms' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('rejects a deployment whose approval is still pending when it expires', async () => {
    const route = await t.request('POST', `${API}/routes`, {
      body: {
        name: 'expiring',
        pathPattern: '/expiring/**',
        backends: [{ name: 'e1', url: 'http://127.0.0.1:13001' }],
      },
    });
    await t.request('POST', `${API}/routes/${route.body.routeId}/versions`, { body: { timeoutSeconds: 9 } });
    const created = await t.request('POST', `${API}/deployments`, {
      body: { routeId: route.body.routeId, configVersion: 2, environment: 'production' },
    });
    expect(created.body.status).toBe('Pending');
    const rejected = await expectEventually(async () => {
      const res = await t.request('GET', `${API}/deployments/${created.body.deploymentId}`);
      expect(res.body.status).toBe('Rejected');
      return res.body;
    });
    expect(rejected.approval.status).toBe('Rejected');
    expect(rejected.history.at(-1)).toMatchObject({ event: 'expire', reason: 'approval expired', userId: null });
  });
});

describe('two control-plane replicas on one database', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(FAST);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('never advance a phase twice, and the survivor finishes what the stopped one drove', async () => {
    const route = await t.request('POST', `${API}/routes`, {
      body: { name: 'shared', pathPattern: '/shared/**', backends: [{ name: 's1', url: 'http://127.0.0.1:13002' }] },
    });
    await t.request('POST', `${API}/routes/${route.body.routeId}/versions`, { body: { timeoutSeconds: 9 } });
    const created = await t.request('POST', `${API}/deployments`, {
      body: {
        routeId: route.body.routeId,
        configVersion: 2,
        environment: 'staging',
        phases: [
          { trafficPercentage: 10, duration: '400ms' },
          { trafficPercentage: 50, duration: '400ms' },
          { trafficPercentage: 100 },
        ],
        thresholds: NO_MINIMUM,
      },
    });
    expect(created.body.status).toBe('InProgress');
    const deploymentId = created.body.deploymentId as string;

    // The second replica resumes the deployment on boot: both now run its jobs until the first one stops.
    const replica = await createApp({ ...t.config, grpc: { host: '127.0.0.1', port: 0 } });
    await replica.listen(0, '127.0.0.1');
    try {
      await expectEventually(async () => {
        const res = await t.request('GET', `${API}/deployments/${deploymentId}`);
        expect(res.body.currentPhaseIndex).toBeGreaterThanOrEqual(1);
      });
      await t.app.close();
      const { port } = replica.getHttpServer().address() as AddressInfo;
      const token = t.tokens.issue({ sub: 'viewer', role: 'Viewer' });
      const done = await expectEventually(async () => {
        const res = await fetch(`http://127.0.0.1:${port}${API}/deployments/${deploymentId}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await res.json()) as { status: string; history: Array<{ event: string; toPhaseIndex: number }> };
        expect(body.status).toBe('Completed');
        return body;
      });
      expect(done.history.map((h) => [h.event, h.toPhaseIndex])).toEqual([
        ['create', 0],
        ['start', 0],
        ['advance', 1],
        ['advance', 2],
        ['advance', 2],
      ]);
    } finally {
      await replica.close();
    }
  });
});
