import { storedSnapshot } from './support/stored-snapshots';
import { API, latestSnapshotVersion, startTestApp, type TestApp } from './support/test-app';

interface SnapshotRow {
  version: string;
  hash: string;
  snapshot: { routes: Array<{ routeId: string; timeoutSeconds: number; backendIds: string[] }>; backends: unknown[] };
}

async function snapshotRow(t: TestApp, version: number): Promise<SnapshotRow> {
  const { rows } = await t.sql.query<Omit<SnapshotRow, 'snapshot'>>(
    'SELECT version::text, hash FROM config_snapshots WHERE version = $1',
    [version],
  );
  const snapshot = (await storedSnapshot(t.sql, version)) as unknown as SnapshotRow['snapshot'];
  return { ...(rows[0] as Omit<SnapshotRow, 'snapshot'>), snapshot };
}

describe('config rollback without approval (environment staging)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('writes a new version with the content of the target, audited, and the next change builds on it', async () => {
    const route = await t.request('POST', `${API}/routes`, {
      body: {
        name: 'orders',
        pathPattern: '/orders/**',
        timeoutSeconds: 10,
        backends: [{ name: 'orders-a', url: 'http://127.0.0.1:31001' }],
      },
    });
    expect(route.status).toBe(201);
    const routeId = route.body.routeId as string;
    const target = await latestSnapshotVersion(t.sql);

    // After the target: the route changes, a backend is renamed, a route and a backend are added.
    const backendId = route.body.backendIds[0] as string;
    expect((await t.request('PUT', `${API}/routes/${routeId}`, { body: { timeoutSeconds: 20 } })).status).toBe(200);
    expect(
      (await t.request('PATCH', `${API}/backends/${backendId}`, { body: { name: 'orders-renamed', weight: 7 } }))
        .status,
    ).toBe(200);
    const extra = await t.request('POST', `${API}/routes`, {
      body: { name: 'extra', pathPattern: '/extra/*', backends: [{ name: 'extra-b', url: 'http://127.0.0.1:31002' }] },
    });
    expect(extra.status).toBe(201);
    const before = await latestSnapshotVersion(t.sql);
    expect((await snapshotRow(t, before)).hash).not.toBe((await snapshotRow(t, target)).hash);

    const rollback = await t.request('POST', `${API}/config/rollback`, {
      body: { version: target, reason: 'bad release', environment: 'staging' },
      as: 'Operator',
    });
    expect(rollback.status).toBe(201);
    expect(rollback.body).toMatchObject({
      status: 'Applied',
      targetVersion: target,
      fromVersion: before,
      appliedVersion: before + 1,
      requiresApproval: false,
      requestedBy: 'test-operator',
    });
    const applied = await snapshotRow(t, before + 1);
    expect(applied.hash).toBe((await snapshotRow(t, target)).hash);
    expect(rollback.body.appliedHash).toBe(applied.hash);
    expect(applied.snapshot.routes.map((r) => r.routeId)).toEqual([routeId]);

    const { rows: audit } = await t.sql.query(
      "SELECT user_id, details FROM audit_logs WHERE event_type = 'ConfigRolledBack' AND entity_id = $1",
      [rollback.body.rollbackId],
    );
    expect(audit).toEqual([
      {
        user_id: 'test-operator',
        details: expect.objectContaining({ fromVersion: before, toVersion: target, reason: 'bad release' }),
      },
    ]);
    const { rows: linked } = await t.sql.query(
      'SELECT s.version::text FROM config_snapshots s JOIN audit_logs a ON a.id = s.audit_id WHERE a.entity_id = $1',
      [rollback.body.rollbackId],
    );
    expect(linked).toEqual([{ version: String(before + 1) }]);

    // The database holds the rolled-back content: the route's new live version has timeout 10, the extras are gone.
    const restored = await t.request('GET', `${API}/routes/${routeId}`);
    expect(restored.body).toMatchObject({ timeoutSeconds: 10, liveVersionNumber: 3, latestVersionNumber: 3 });
    expect((await t.request('GET', `${API}/routes/${extra.body.routeId}`)).status).toBe(404);
    expect((await t.request('GET', `${API}/backends/${extra.body.backendIds[0]}`)).status).toBe(404);
    expect((await t.request('GET', `${API}/backends/${backendId}`)).body).toMatchObject({
      name: 'orders-a',
      weight: 100,
    });

    // The next ordinary change builds on the rolled-back state.
    const next = await t.request('PATCH', `${API}/routes/${routeId}`, { body: { priority: 5 } });
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ timeoutSeconds: 10, priority: 5, liveVersionNumber: 4 });
    const latest = await snapshotRow(t, await latestSnapshotVersion(t.sql));
    expect(latest.snapshot.routes).toEqual([expect.objectContaining({ routeId, timeoutSeconds: 10 })]);
    expect(latest.snapshot.backends).toHaveLength(1);
  });

  it('brings back a deleted route and backend', async () => {
    const route = await t.request('POST', `${API}/routes`, {
      body: { name: 'gone', pathPattern: '/gone/*', backends: [{ name: 'gone-b', url: 'http://127.0.0.1:31003' }] },
    });
    const target = await latestSnapshotVersion(t.sql);
    expect((await t.request('DELETE', `${API}/routes/${route.body.routeId}`)).status).toBe(204);
    expect((await t.request('DELETE', `${API}/backends/${route.body.backendIds[0]}`)).status).toBe(204);

    const rollback = await t.request('POST', `${API}/config/rollback`, {
      body: { version: target, environment: 'staging' },
    });
    expect(rollback.status).toBe(201);
    expect((await snapshotRow(t, rollback.body.appliedVersion)).hash).toBe((await snapshotRow(t, target)).hash);
    const back = await t.request('GET', `${API}/routes/${route.body.routeId}`);
    expect(back.status).toBe(200);
    expect(back.body.backends).toEqual([expect.objectContaining({ backendId: route.body.backendIds[0] })]);
  });

  it('answers 404 for an unknown version and 400 for a bad one, and writes nothing', async () => {
    const before = await latestSnapshotVersion(t.sql);
    const unknown = await t.request('POST', `${API}/config/rollback`, {
      body: { version: 99_999, environment: 'staging' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    const bad = await t.request('POST', `${API}/config/rollback`, { body: { version: 0, colour: 'red' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['colour', 'version']);
    expect(await latestSnapshotVersion(t.sql)).toBe(before);
  });

  it('lets a Viewer read rollbacks but not request one', async () => {
    const denied = await t.request('POST', `${API}/config/rollback`, { body: { version: 1 }, as: 'Viewer' });
    expect(denied.status).toBe(403);
    const list = await t.request('GET', `${API}/config/rollbacks?status=Applied`, { as: 'Viewer' });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThanOrEqual(2);
  });

  it('answers 409 while a deployment is in flight on a route the rollback would change', async () => {
    const route = await t.request('POST', `${API}/routes`, {
      body: { name: 'held', pathPattern: '/held/*', backends: [{ name: 'held-a', url: 'http://127.0.0.1:31004' }] },
    });
    const routeId = route.body.routeId as string;
    const target = await latestSnapshotVersion(t.sql);
    await t.request('PUT', `${API}/routes/${routeId}`, { body: { timeoutSeconds: 42 } });
    const deployment = await t.request('POST', `${API}/deployments`, {
      body: { routeId, config: { timeoutSeconds: 43 }, strategy: 'Canary', environment: 'production' },
    });
    expect(deployment.status).toBe(201);
    expect(deployment.body.status).toBe('Pending');
    const before = await latestSnapshotVersion(t.sql);

    const blocked = await t.request('POST', `${API}/config/rollback`, {
      body: { version: target, environment: 'staging' },
    });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.details).toEqual({ routeIds: [routeId] });
    expect(await latestSnapshotVersion(t.sql)).toBe(before);
    expect((await t.request('GET', `${API}/routes/${routeId}`)).body.timeoutSeconds).toBe(42);
  });
});

describe('config rollback in an environment that requires approval', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ DEPLOYMENT_APPROVAL_TTL: '1h' });
  });

  afterAll(async () => {
    await t?.close();
  });

  let seq = 0;
  const alice = () => ({ token: t.tokens.issue({ sub: 'alice', role: 'Admin' }) });
  const bob = () => ({ token: t.tokens.issue({ sub: 'bob', role: 'Admin' }) });

  async function changedAfterTarget(): Promise<{ target: number; routeId: string }> {
    const n = ++seq;
    const route = await t.request('POST', `${API}/routes`, {
      body: {
        name: `r-${n}`,
        pathPattern: `/r-${n}/*`,
        backends: [{ name: `b-${n}`, url: `http://127.0.0.1:${32_000 + n}` }],
      },
    });
    expect(route.status).toBe(201);
    const target = await latestSnapshotVersion(t.sql);
    await t.request('PUT', `${API}/routes/${route.body.routeId}`, { body: { timeoutSeconds: 11 } });
    return { target, routeId: route.body.routeId };
  }

  it('is pending until another Admin approves it, then applied; self-approval is 403', async () => {
    const { target, routeId } = await changedAfterTarget();
    const before = await latestSnapshotVersion(t.sql);
    const pending = await t.request('POST', `${API}/config/rollback`, {
      body: { version: target, reason: 'revert' },
      as: alice(),
    });
    expect(pending.status).toBe(201);
    expect(pending.body).toMatchObject({ status: 'Pending', requiresApproval: true, environment: 'production' });
    expect(pending.body.approvalExpiresAt).not.toBeNull();
    expect(await latestSnapshotVersion(t.sql)).toBe(before);
    const listed = await t.request('GET', `${API}/config/rollbacks?status=Pending`, { as: 'Viewer' });
    expect(listed.body.items.map((r: { rollbackId: string }) => r.rollbackId)).toContain(pending.body.rollbackId);

    const own = await t.request('POST', `${API}/config/rollbacks/${pending.body.rollbackId}/approve`, { as: alice() });
    expect(own.status).toBe(403);
    const operator = await t.request('POST', `${API}/config/rollbacks/${pending.body.rollbackId}/approve`, {
      as: 'Operator',
    });
    expect(operator.status).toBe(403);
    expect(await latestSnapshotVersion(t.sql)).toBe(before);

    const approved = await t.request('POST', `${API}/config/rollbacks/${pending.body.rollbackId}/approve`, {
      body: { comment: 'ok' },
      as: bob(),
    });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'Applied',
      decidedBy: 'bob',
      decisionComment: 'ok',
      appliedVersion: before + 1,
    });
    expect((await snapshotRow(t, before + 1)).hash).toBe((await snapshotRow(t, target)).hash);
    expect((await t.request('GET', `${API}/routes/${routeId}`)).body.timeoutSeconds).toBe(30);
    const { rows } = await t.sql.query(
      "SELECT event_type, user_id FROM audit_logs WHERE entity_id = $1 AND event_type LIKE 'ConfigRoll%' ORDER BY id",
      [pending.body.rollbackId],
    );
    expect(rows).toEqual([
      { event_type: 'ConfigRollbackRequested', user_id: 'alice' },
      { event_type: 'ConfigRolledBack', user_id: 'bob' },
    ]);
    const again = await t.request('POST', `${API}/config/rollbacks/${pending.body.rollbackId}/approve`, { as: bob() });
    expect(again.status).toBe(409);
  });

  it('is rejected by another Admin or when its approval has expired, and nothing changes', async () => {
    const { target } = await changedAfterTarget();
    const before = await latestSnapshotVersion(t.sql);
    const first = await t.request('POST', `${API}/config/rollback`, { body: { version: target }, as: alice() });
    const rejected = await t.request('POST', `${API}/config/rollbacks/${first.body.rollbackId}/reject`, {
      body: { comment: 'no' },
      as: bob(),
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'Rejected', decidedBy: 'bob', appliedVersion: null });

    const second = await t.request('POST', `${API}/config/rollback`, { body: { version: target }, as: alice() });
    await t.sql.query(
      "UPDATE config_rollbacks SET approval_expires_at = now() - interval '1 second' WHERE rollback_id = $1",
      [second.body.rollbackId],
    );
    const late = await t.request('POST', `${API}/config/rollbacks/${second.body.rollbackId}/approve`, { as: bob() });
    expect(late.status).toBe(409);
    expect((await t.request('GET', `${API}/config/rollbacks/${second.body.rollbackId}`)).body).toMatchObject({
      status: 'Rejected',
      decisionComment: 'approval expired',
    });
    expect(await latestSnapshotVersion(t.sql)).toBe(before);
  });
});
