import { API, countRows, latestSnapshotVersion, startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let seq = 0;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

const otherAdmin = () => ({ token: t.tokens.issue({ sub: 'second-admin', role: 'Admin' }) });

/** A fresh route (version 1, live) on one backend of its own. */
async function aRoute(): Promise<{ routeId: string; backendId: string }> {
  const n = ++seq;
  const route = await t.request('POST', `${API}/routes`, {
    body: {
      name: `held-${n}`,
      pathPattern: `/held-${n}/**`,
      backends: [{ name: `held-${n}`, url: `http://127.0.0.1:${14_000 + n}` }],
    },
  });
  expect(route.status).toBe(201);
  return { routeId: route.body.routeId, backendId: route.body.backendIds[0] };
}

type HeldState = 'Pending' | 'InProgress' | 'Paused';

/** A deployment of `routeId` left in `state`: production waits for approval, staging runs a one-hour phase. */
async function deploymentIn(routeId: string, state: HeldState): Promise<string> {
  const created = await t.request('POST', `${API}/deployments`, {
    body: {
      routeId,
      config: { timeoutSeconds: 9 },
      strategy: 'Canary',
      environment: state === 'Pending' ? 'production' : 'staging',
      phases: [
        { name: 'canary-10', trafficPercentage: 10, duration: '1h' },
        { name: 'full', trafficPercentage: 100 },
      ],
    },
  });
  expect(created.status).toBe(201);
  const deploymentId = created.body.deploymentId as string;
  if (state === 'Paused') {
    const paused = await t.request('POST', `${API}/deployments/${deploymentId}/pause`, { body: {} });
    expect(paused.status).toBe(200);
  }
  expect((await t.request('GET', `${API}/deployments/${deploymentId}`)).body.status).toBe(state);
  return deploymentId;
}

/** What a refused change must leave as it was. */
async function stateOf(routeId: string) {
  const route = await t.request('GET', `${API}/routes/${routeId}`);
  const { statistics: _statistics, ...view } = route.body;
  return {
    route: view,
    snapshotVersion: await latestSnapshotVersion(t.sql),
    auditRows: await countRows(t.sql, 'audit_logs'),
    routeVersions: await countRows(t.sql, 'route_versions'),
  };
}

describe('a route held by an active deployment', () => {
  it.each<HeldState>(['Pending', 'InProgress', 'Paused'])(
    'answers 409 ROUTE_IN_DEPLOYMENT to PUT, PATCH and DELETE while its deployment is %s, and changes nothing',
    async (state) => {
      const { routeId } = await aRoute();
      const deploymentId = await deploymentIn(routeId, state);
      const before = await stateOf(routeId);

      for (const [method, body] of [
        ['PUT', { timeoutSeconds: 20 }],
        ['PATCH', { isEnabled: false }],
        ['DELETE', undefined],
      ] as const) {
        const res = await t.request(method, `${API}/routes/${routeId}`, { body });
        expect({ method, status: res.status }).toEqual({ method, status: 409 });
        expect(res.body.error).toMatchObject({
          code: 'ROUTE_IN_DEPLOYMENT',
          message: expect.stringContaining(deploymentId),
          details: { routeId, deploymentId, status: state },
          traceId: expect.any(String),
        });
      }
      expect(await stateOf(routeId)).toEqual(before);
    },
  );

  it('still takes new versions of the route, and changes to its backends', async () => {
    const { routeId, backendId } = await aRoute();
    await deploymentIn(routeId, 'InProgress');
    const snapshotBefore = await latestSnapshotVersion(t.sql);

    const version = await t.request('POST', `${API}/routes/${routeId}/versions`, {
      body: { timeoutSeconds: 12 },
      as: 'Operator',
    });
    expect(version.status).toBe(201);
    expect(version.body).toMatchObject({ versionNumber: 3, isLive: false, config: { timeoutSeconds: 12 } });
    // A version changes nothing served; the backend's change is applied.
    expect(await latestSnapshotVersion(t.sql)).toBe(snapshotBefore);
    const backend = await t.request('PUT', `${API}/backends/${backendId}`, { body: { weight: 50 } });
    expect(backend.status).toBe(200);
    expect(backend.body.weight).toBe(50);
    expect(await latestSnapshotVersion(t.sql)).toBe(snapshotBefore + 1);
  });

  it('takes updates and deletes again once the deployment has ended (rolled back or rejected)', async () => {
    const rolledBack = await aRoute();
    const running = await deploymentIn(rolledBack.routeId, 'InProgress');
    const rollback = await t.request('POST', `${API}/deployments/${running}/rollback`, { body: { reason: 'done' } });
    expect(rollback.body.status).toBe('RolledBack');
    const updated = await t.request('PUT', `${API}/routes/${rolledBack.routeId}`, { body: { timeoutSeconds: 21 } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ timeoutSeconds: 21, liveVersionNumber: 3, trafficSplit: null });

    const rejected = await aRoute();
    const pending = await deploymentIn(rejected.routeId, 'Pending');
    const decision = await t.request('POST', `${API}/deployments/${pending}/reject`, { body: {}, as: otherAdmin() });
    expect(decision.body.status).toBe('Rejected');
    expect((await t.request('DELETE', `${API}/routes/${rejected.routeId}`)).status).toBe(204);
    expect((await t.request('GET', `${API}/routes/${rejected.routeId}`)).status).toBe(404);
  });

  /**
   * The invariant, whichever commits first: a deployment's stable version is the route's live version when it was
   * created. So either the deployment came first and the update was refused (the route unchanged, no RouteUpdated
   * row), or the update came first and the deployment rolls out from the updated route (its stable version is the
   * update's, and its new version carries the update). Never an updated route under a deployment of the old one.
   */
  it('serializes an update racing the creation of a deployment: never an updated route under a stale deployment', async () => {
    for (let round = 0; round < 10; round++) {
      const { routeId } = await aRoute();
      const update = () => t.request('PUT', `${API}/routes/${routeId}`, { body: { stripPrefix: false } });
      const create = () =>
        t.request('POST', `${API}/deployments`, {
          body: { routeId, config: { timeoutSeconds: 43 }, environment: 'production' },
        });
      // Each round sends the other one first, so that both orders of commit come up.
      const [updated, deployment] =
        round % 2 === 0
          ? await Promise.all([update(), create()])
          : await Promise.all([create(), update()]).then(([created, put]) => [put, created] as const);
      expect(deployment.status).toBe(201);
      const deploymentId = deployment.body.deploymentId as string;
      const route = await t.request('GET', `${API}/routes/${routeId}`);
      const { rows: audits } = await t.sql.query<{ event_type: string }>(
        "SELECT event_type FROM audit_logs WHERE entity_type = 'Route' AND entity_id = $1 ORDER BY id",
        [routeId],
      );
      const target = await t.request('GET', `${API}/routes/${routeId}/versions/${deployment.body.targetVersionNumber}`);

      if (updated.status === 409) {
        expect(updated.body.error).toMatchObject({ code: 'ROUTE_IN_DEPLOYMENT', details: { deploymentId } });
        expect(route.body).toMatchObject({ liveVersionNumber: 1, stripPrefix: true });
        expect(deployment.body.stableVersionNumber).toBe(1);
        expect(audits.map((row) => row.event_type)).toEqual(['RouteCreated']);
        expect(target.body.config).toMatchObject({ stripPrefix: true, timeoutSeconds: 43 });
      } else {
        expect(updated.status).toBe(200);
        expect(route.body).toMatchObject({ liveVersionNumber: updated.body.liveVersionNumber, stripPrefix: false });
        expect(deployment.body.stableVersionNumber).toBe(updated.body.liveVersionNumber);
        expect(audits.map((row) => row.event_type)).toEqual(['RouteCreated', 'RouteUpdated']);
        expect(target.body.config).toMatchObject({ stripPrefix: false, timeoutSeconds: 43 });
      }
    }
  });
});
