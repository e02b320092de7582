import { API, latestSnapshotVersion, startTestApp, type TestApp } from './support/test-app';

// Items are asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let t: TestApp;
let seq = 0;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

const alice = () => ({ token: t.tokens.issue({ sub: 'alice', role: 'Admin' }) });
const bob = () => ({ token: t.tokens.issue({ sub: 'bob', role: 'Admin' }) });

/** A production deployment of a fresh route, requested by alice: it waits for another Admin. */
async function pendingDeployment(): Promise<Json> {
  const n = ++seq;
  const route = await t.request('POST', `${API}/routes`, {
    body: {
      name: `wait-${n}`,
      pathPattern: `/wait-${n}/**`,
      backends: [{ name: `wait-${n}`, url: `http://127.0.0.1:${15_000 + n}` }],
    },
  });
  expect(route.status).toBe(201);
  const created = await t.request('POST', `${API}/deployments`, {
    body: { routeId: route.body.routeId, config: { timeoutSeconds: 9 }, environment: 'production' },
    as: alice(),
  });
  expect(created.status).toBe(201);
  expect(created.body.status).toBe('Pending');
  return created.body;
}

/** A production rollback, requested by alice, of a fresh route's update: it waits for another Admin. */
async function pendingRollback(): Promise<Json> {
  const n = ++seq;
  const route = await t.request('POST', `${API}/routes`, {
    body: {
      name: `undo-${n}`,
      pathPattern: `/undo-${n}/**`,
      backends: [{ name: `undo-${n}`, url: `http://127.0.0.1:${15_000 + n}` }],
    },
  });
  expect(route.status).toBe(201);
  const version = await latestSnapshotVersion(t.sql);
  expect((await t.request('PUT', `${API}/routes/${route.body.routeId}`, { body: { timeoutSeconds: 11 } })).status).toBe(
    200,
  );
  const requested = await t.request('POST', `${API}/config/rollback`, {
    body: { version, environment: 'production', reason: 'undo' },
    as: alice(),
  });
  expect(requested.status).toBe(201);
  expect(requested.body.status).toBe('Pending');
  return requested.body;
}

async function pendingIds(): Promise<string[]> {
  const res = await t.request('GET', `${API}/approvals/pending`, { as: 'Viewer' });
  expect(res.status).toBe(200);
  return res.body.items.map((item: Json) => item.id);
}

describe('GET approvals/pending', () => {
  it('lists deployments and config rollbacks, oldest first, each with its kind, requester, expiry and where to decide', async () => {
    const deployment = await pendingDeployment();
    const rollback = await pendingRollback();

    const res = await t.request('GET', `${API}/approvals/pending`, { as: 'Viewer' });
    expect(res.status).toBe(200);
    const items = res.body.items.filter((item: Json) =>
      [deployment.deploymentId, rollback.rollbackId].includes(item.id),
    );
    expect(items).toEqual([
      {
        ...deployment,
        kind: 'Deployment',
        id: deployment.deploymentId,
        requestedBy: 'alice',
        requestedAt: deployment.createdAt,
        environment: 'production',
        expiresAt: deployment.approval.expiresAt,
        approveUrl: `${API}/deployments/${deployment.deploymentId}/approve`,
        rejectUrl: `${API}/deployments/${deployment.deploymentId}/reject`,
        history: undefined,
      },
      {
        ...rollback,
        kind: 'ConfigRollback',
        id: rollback.rollbackId,
        requestedBy: 'alice',
        requestedAt: rollback.createdAt,
        environment: 'production',
        expiresAt: rollback.approvalExpiresAt,
        approveUrl: `${API}/config/rollbacks/${rollback.rollbackId}/approve`,
        rejectUrl: `${API}/config/rollbacks/${rollback.rollbackId}/reject`,
      },
    ]);
    expect(Date.parse(items[0].expiresAt)).toBeGreaterThan(Date.parse(items[0].requestedAt));
    expect(Date.parse(items[1].expiresAt)).toBeGreaterThan(Date.parse(items[1].requestedAt));
  });

  it('drops an item once another Admin approves or rejects it at its URL', async () => {
    const [approvedDeployment, rejectedDeployment] = [await pendingDeployment(), await pendingDeployment()];
    const [approvedRollback, rejectedRollback] = [await pendingRollback(), await pendingRollback()];
    const ids = [approvedDeployment.deploymentId, rejectedDeployment.deploymentId];
    ids.push(approvedRollback.rollbackId, rejectedRollback.rollbackId);
    expect(await pendingIds()).toEqual(expect.arrayContaining(ids));
    const items: Json[] = (await t.request('GET', `${API}/approvals/pending`)).body.items;
    const urlOf = (id: string, decision: 'approveUrl' | 'rejectUrl'): string =>
      items.find((item) => item.id === id)[decision];

    const own = await t.request('POST', urlOf(approvedDeployment.deploymentId, 'approveUrl'), {
      body: {},
      as: alice(),
    });
    expect(own.status).toBe(403);
    expect(await pendingIds()).toContain(approvedDeployment.deploymentId);

    const decisions: Array<[string, 'approveUrl' | 'rejectUrl', string]> = [
      // Rollbacks first: once running, a deployment's split holds its route against a rollback.
      [approvedRollback.rollbackId, 'approveUrl', 'Applied'],
      [rejectedRollback.rollbackId, 'rejectUrl', 'Rejected'],
      [approvedDeployment.deploymentId, 'approveUrl', 'InProgress'],
      [rejectedDeployment.deploymentId, 'rejectUrl', 'Rejected'],
    ];
    for (const [id, decision, status] of decisions) {
      const res = await t.request('POST', urlOf(id, decision), { body: { comment: 'decided' }, as: bob() });
      expect({ id, status: res.status, state: res.body.status }).toEqual({ id, status: 200, state: status });
    }
    const left = await pendingIds();
    for (const id of ids) expect(left).not.toContain(id);
  });

  it('drops an item once its approval has expired, and a late decision finds it rejected', async () => {
    const deployment = await pendingDeployment();
    const rollback = await pendingRollback();
    expect(await pendingIds()).toEqual(expect.arrayContaining([deployment.deploymentId, rollback.rollbackId]));

    // The clock passes the expiry (the approval TTL is a day here): what a day of waiting leaves in the database.
    await t.sql.query(
      "UPDATE deployments SET approval_expires_at = now() - interval '1 second' WHERE deployment_id = $1",
      [deployment.deploymentId],
    );
    await t.sql.query(
      "UPDATE config_rollbacks SET approval_expires_at = now() - interval '1 second' WHERE rollback_id = $1",
      [rollback.rollbackId],
    );
    const left = await pendingIds();
    expect(left).not.toContain(deployment.deploymentId);
    expect(left).not.toContain(rollback.rollbackId);

    const lateDeployment = await t.request('POST', `${API}/deployments/${deployment.deploymentId}/approve`, {
      body: {},
      as: bob(),
    });
    expect(lateDeployment.status).toBe(409);
    const expired = await t.request('GET', `${API}/deployments/${deployment.deploymentId}`);
    expect(expired.body).toMatchObject({ status: 'Rejected', approval: { status: 'Rejected' } });
    expect(expired.body.history.at(-1)).toMatchObject({ event: 'expire', reason: 'approval expired' });
    const lateRollback = await t.request('POST', `${API}/config/rollbacks/${rollback.rollbackId}/approve`, {
      body: {},
      as: bob(),
    });
    expect(lateRollback.status).toBe(409);
    expect((await t.request('GET', `${API}/config/rollbacks/${rollback.rollbackId}`)).body.status).toBe('Rejected');
  });

  it('is documented in the OpenAPI document with the kind of each item', async () => {
    const doc = await t.request('GET', '/swagger-json', { as: null });
    expect(doc.status).toBe(200);
    const operation = doc.body.paths[`${API}/approvals/pending`].get;
    const schema = operation.responses['200'].content['application/json'].schema;
    expect(schema.properties.items.items.properties.kind).toEqual({
      type: 'string',
      enum: ['Deployment', 'ConfigRollback'],
    });
    expect(schema.properties.items.items.required).toEqual(
      expect.arrayContaining(['kind', 'id', 'requestedBy', 'requestedAt', 'environment', 'expiresAt', 'approveUrl']),
    );
  });
});
