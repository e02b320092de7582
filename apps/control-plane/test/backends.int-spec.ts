import { storedSnapshot } from './support/stored-snapshots';
import { API, latestSnapshotVersion, startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let seq = 0;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

async function createBackend(overrides: Record<string, unknown> = {}) {
  const n = ++seq;
  const res = await t.request('POST', `${API}/backends`, {
    body: { name: `backend-${n}`, url: `http://127.0.0.1:${20_000 + n}`, ...overrides },
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function backendInLatestSnapshot(backendId: string) {
  return (await storedSnapshot(t.sql)).backends.find((b) => b.backendId === backendId);
}

describe('backends', () => {
  it('creates a backend with defaults filled in, durations parsed, and puts it in the next snapshot', async () => {
    const created = await createBackend({ healthCheck: { endpoint: '/status', intervalMs: '10s', timeoutMs: 'PT2S' } });
    expect(created).toMatchObject({
      weight: 100,
      isEnabled: true,
      healthStatus: 'Unknown',
      healthCheck: { type: 'HTTP', endpoint: '/status', intervalMs: 10_000, timeoutMs: 2_000, expectedStatus: 200 },
    });
    expect(created.backendId).toMatch(/^backend-[0-9a-f]{8}$/);
    expect((await t.request('GET', `${API}/backends/${created.backendId}`)).body).toEqual(created);
    expect(await backendInLatestSnapshot(created.backendId)).toMatchObject({ name: created.name, url: created.url });
  });

  it('drains a backend with PUT {"isEnabled": false} and re-enables it with PATCH, keeping other fields', async () => {
    const backend = await createBackend({ weight: 30 });
    const versionBefore = await latestSnapshotVersion(t.sql);
    const drained = await t.request('PUT', `${API}/backends/${backend.backendId}`, { body: { isEnabled: false } });
    expect(drained.status).toBe(200);
    expect(drained.body).toMatchObject({ isEnabled: false, weight: 30, name: backend.name, url: backend.url });
    expect(await latestSnapshotVersion(t.sql)).toBe(versionBefore + 1);
    expect(await backendInLatestSnapshot(backend.backendId)).toMatchObject({ isEnabled: false, weight: 30 });

    const enabled = await t.request('PATCH', `${API}/backends/${backend.backendId}`, { body: { isEnabled: true } });
    expect(enabled.body).toMatchObject({ isEnabled: true, weight: 30 });
    const { rows } = await t.sql.query(
      "SELECT details FROM audit_logs WHERE entity_id = $1 AND event_type = 'BackendUpdated' ORDER BY id",
      [backend.backendId],
    );
    expect(rows.map((r) => r.details)).toEqual([
      { changedFields: ['isEnabled'], isEnabled: false },
      { changedFields: ['isEnabled'], isEnabled: true },
    ]);
  });

  it('rejects invalid backend fields and read-only ones with 400', async () => {
    const backend = await createBackend();
    const res = await t.request('PUT', `${API}/backends/${backend.backendId}`, {
      body: { weight: 101, healthStatus: 'Healthy', url: 'http://user:pw@host' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'healthStatus',
      'url',
      'weight',
    ]);
  });

  it('refuses to delete a backend a route uses (409), deletes it once unused', async () => {
    const backend = await createBackend();
    const route = await t.request('POST', `${API}/routes`, {
      body: { name: `uses-${backend.name}`, pathPattern: `/uses-${seq}/*`, backendIds: [backend.backendId] },
    });
    expect(route.status).toBe(201);
    const versionBefore = await latestSnapshotVersion(t.sql);

    const refused = await t.request('DELETE', `${API}/backends/${backend.backendId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'CONFLICT', details: { routeIds: [route.body.routeId] } });
    expect(await latestSnapshotVersion(t.sql)).toBe(versionBefore);

    await t.request('DELETE', `${API}/routes/${route.body.routeId}`);
    const deleted = await t.request('DELETE', `${API}/backends/${backend.backendId}`);
    expect(deleted.status).toBe(204);
    expect((await t.request('GET', `${API}/backends/${backend.backendId}`)).status).toBe(404);
    expect(await backendInLatestSnapshot(backend.backendId)).toBeUndefined();
  });

  it('answers 409 for a duplicate backend name', async () => {
    const backend = await createBackend();
    const res = await t.request('POST', `${API}/backends`, { body: { name: backend.name, url: 'http://127.0.0.1:1' } });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('A backend with this name already exists');
  });

  it('lists backends filtered by isEnabled', async () => {
    const disabled = await createBackend({ isEnabled: false });
    const list = await t.request('GET', `${API}/backends?isEnabled=false&limit=500`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((b: { backendId: string }) => b.backendId)).toContain(disabled.backendId);
    expect(list.body.items.every((b: { isEnabled: boolean }) => b.isEnabled === false)).toBe(true);
  });

  it('answers 404 for unknown backends', async () => {
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const res = await t.request(method, `${API}/backends/backend-missing`, {
        body: method.startsWith('P') ? { weight: 1 } : undefined,
      });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
  });
});
