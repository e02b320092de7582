import { validateSnapshot } from '@hotswap/config-snapshot';
import { storedSnapshot } from './support/stored-snapshots';
import { API, countRows, latestSnapshotVersion, startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let seq = 0;
const unique = (name: string) => `${name}-${++seq}`;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

async function createRoute(overrides: Record<string, unknown> = {}) {
  const n = ++seq;
  const res = await t.request('POST', `${API}/routes`, {
    body: {
      name: `route-${n}`,
      pathPattern: `/r${n}/**`,
      backends: [{ name: `backend-for-route-${n}`, url: `http://127.0.0.1:${10_000 + n}` }],
      ...overrides,
    },
  });
  expect(res.status).toBe(201);
  return res.body;
}

async function countTables(): Promise<number[]> {
  const counts: number[] = [];
  for (const table of ['gateway_routes', 'route_versions', 'backends', 'audit_logs'])
    counts.push(await countRows(t.sql, table));
  return counts;
}

async function latestSnapshot() {
  return storedSnapshot(t.sql);
}

describe('routes', () => {
  it('creates the guide quick-start route with its backend inline and serves it back', async () => {
    const versionBefore = await latestSnapshotVersion(t.sql);
    const created = await t.request('POST', `${API}/routes`, {
      body: {
        name: 'test-route',
        pathPattern: '/test/*',
        backends: [{ name: 'httpbin', url: 'http://localhost:8080' }],
        strategy: 'RoundRobin',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'test-route',
      pathPattern: '/test/*',
      strategy: 'RoundRobin',
      stripPrefix: true,
      timeoutSeconds: 30,
      isEnabled: true,
      liveVersionNumber: 1,
      createdBy: 'test-admin',
      backends: [{ name: 'httpbin', url: 'http://localhost:8080', isEnabled: true, healthStatus: 'Unknown' }],
    });
    expect(created.body.routeId).toMatch(/^route-[0-9a-f]{8}$/);
    expect(created.body.backendIds).toEqual([created.body.backends[0].backendId]);

    const fetched = await t.request('GET', `${API}/routes/${created.body.routeId}`);
    expect(fetched.status).toBe(200);
    // GET adds the route's traffic statistics (none yet).
    const { statistics, ...route } = fetched.body;
    expect(route).toEqual(created.body);
    expect(statistics).toMatchObject({ windowSeconds: 300, requests: 0, errors: 0, errorRate: 0 });

    expect(await latestSnapshotVersion(t.sql)).toBeGreaterThan(versionBefore);
    const snapshot = await latestSnapshot();
    expect(validateSnapshot(snapshot).ok).toBe(true);
    expect(snapshot.routes.map((r: { routeId: string }) => r.routeId)).toContain(created.body.routeId);
    expect(snapshot.backends.map((b: { url: string }) => b.url)).toContain('http://localhost:8080');
  });

  it('reuses the backend with the same URL when a route names it inline again', async () => {
    const url = 'http://127.0.0.1:19999';
    const first = await createRoute({ backends: [{ name: unique('shared'), url }] });
    const second = await createRoute({ backends: [{ name: unique('other-name'), url: `${url}/` }] });
    expect(second.backendIds).toEqual(first.backendIds);
    const { rows } = await t.sql.query("SELECT count(*)::int AS n FROM backends WHERE rtrim(url, '/') = $1", [url]);
    expect(rows[0].n).toBe(1);
  });

  it('accepts backends by reference and by backendIds', async () => {
    const backend = await t.request('POST', `${API}/backends`, {
      body: { name: unique('ref'), url: 'http://127.0.0.1:18001' },
    });
    const other = await t.request('POST', `${API}/backends`, {
      body: { name: unique('ref'), url: 'http://127.0.0.1:18002' },
    });
    const route = await createRoute({
      backends: [{ backendId: backend.body.backendId }],
      backendIds: [other.body.backendId],
    });
    expect(route.backendIds).toEqual([other.body.backendId, backend.body.backendId]);
    expect(route.backends.map((b: { name: string }) => b.name)).toEqual([other.body.name, backend.body.name]);
  });

  it('writes version 2 on update, applies it, and writes a new snapshot', async () => {
    const route = await createRoute();
    const versionBefore = await latestSnapshotVersion(t.sql);

    const updated = await t.request('PUT', `${API}/routes/${route.routeId}`, {
      body: { timeoutSeconds: 10, methods: ['GET'] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ timeoutSeconds: 10, methods: ['GET'], liveVersionNumber: 2 });
    expect(updated.body.pathPattern).toBe(route.pathPattern);
    expect(updated.body.backendIds).toEqual(route.backendIds);

    expect(await latestSnapshotVersion(t.sql)).toBe(versionBefore + 1);
    const snapshot = await latestSnapshot();
    const inSnapshot = snapshot.routes.find((r: { routeId: string }) => r.routeId === route.routeId);
    expect(inSnapshot).toMatchObject({ timeoutSeconds: 10, methods: ['GET'] });

    const versions = await t.request('GET', `${API}/routes/${route.routeId}/versions`);
    expect(versions.status).toBe(200);
    expect(versions.body.total).toBe(2);
    expect(
      versions.body.items.map((v: { versionNumber: number; isLive: boolean }) => [v.versionNumber, v.isLive]),
    ).toEqual([
      [2, true],
      [1, false],
    ]);
    const v1 = await t.request('GET', `${API}/routes/${route.routeId}/versions/1`);
    expect(v1.status).toBe(200);
    expect(v1.body.config).toMatchObject({ routeId: route.routeId, timeoutSeconds: 30, methods: [] });
    const v3 = await t.request('GET', `${API}/routes/${route.routeId}/versions/3`);
    expect(v3.status).toBe(404);
    expect(v3.body.error.code).toBe('NOT_FOUND');
  });

  it('replaces the backends of a route on update when backends are given, PATCH as PUT', async () => {
    const route = await createRoute();
    const updated = await t.request('PATCH', `${API}/routes/${route.routeId}`, {
      body: { backends: [{ name: unique('replacement'), url: 'http://127.0.0.1:18100' }] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.backends.map((b: { url: string }) => b.url)).toEqual(['http://127.0.0.1:18100']);
    expect(updated.body.liveVersionNumber).toBe(2);
  });

  it('deletes a route: gone from the API, its versions and the next snapshot', async () => {
    const route = await createRoute();
    const versionBefore = await latestSnapshotVersion(t.sql);
    const deleted = await t.request('DELETE', `${API}/routes/${route.routeId}`);
    expect(deleted.status).toBe(204);
    expect((await t.request('GET', `${API}/routes/${route.routeId}`)).status).toBe(404);
    const { rows } = await t.sql.query('SELECT 1 FROM route_versions WHERE route_id = $1', [route.routeId]);
    expect(rows).toHaveLength(0);
    expect(await latestSnapshotVersion(t.sql)).toBe(versionBefore + 1);
    const snapshot = await latestSnapshot();
    expect(snapshot.routes.map((r: { routeId: string }) => r.routeId)).not.toContain(route.routeId);
    expect((await t.request('DELETE', `${API}/routes/${route.routeId}`)).status).toBe(404);
  });

  it('lists routes with isEnabled and strategy filters, limit and offset', async () => {
    const tag = unique('list');
    const a = await createRoute({ name: `${tag}-a`, isEnabled: false, strategy: 'LeastConnections' });
    const b = await createRoute({ name: `${tag}-b`, isEnabled: false, strategy: 'IPHash' });
    await createRoute({ name: `${tag}-c`, isEnabled: true, strategy: 'IPHash' });

    const disabled = await t.request('GET', `${API}/routes?isEnabled=false`);
    expect(disabled.status).toBe(200);
    const disabledIds = disabled.body.items.map((r: { routeId: string }) => r.routeId);
    expect(disabledIds).toEqual(expect.arrayContaining([a.routeId, b.routeId]));
    expect(disabled.body.items.every((r: { isEnabled: boolean }) => !r.isEnabled)).toBe(true);

    const disabledIpHash = await t.request('GET', `${API}/routes?isEnabled=false&strategy=IPHash`);
    expect(disabledIpHash.body.items.map((r: { routeId: string }) => r.routeId)).toEqual([b.routeId]);
    expect(disabledIpHash.body.total).toBe(1);

    const all = await t.request('GET', `${API}/routes`);
    expect(all.body.limit).toBe(50);
    expect(all.body.offset).toBe(0);
    const page = await t.request('GET', `${API}/routes?limit=2&offset=1`);
    expect(page.body).toMatchObject({ limit: 2, offset: 1, total: all.body.total });
    expect(page.body.items.map((r: { routeId: string }) => r.routeId)).toEqual(
      all.body.items.slice(1, 3).map((r: { routeId: string }) => r.routeId),
    );

    const tooMany = await t.request('GET', `${API}/routes?limit=501`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details).toEqual([expect.objectContaining({ field: 'limit' })]);
    const badStrategy = await t.request('GET', `${API}/routes?strategy=Random`);
    expect(badStrategy.status).toBe(400);
  });

  it('rejects an invalid route with 400 naming each field, and writes nothing', async () => {
    const versionBefore = await latestSnapshotVersion(t.sql);
    const counts = await countTables();
    const res = await t.request('POST', `${API}/routes`, {
      body: {
        name: unique('invalid'),
        pathPattern: 'no-slash/*',
        timeoutSeconds: 0,
        colour: 'blue',
        backends: [{ name: unique('inline'), url: 'ftp://example.com' }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['pathPattern', 'timeoutSeconds', 'colour', 'backends[0].url']));
    expect(res.body.error.details.find((d: { field: string }) => d.field === 'colour').message).toBe(
      'is not a known field',
    );
    expect(await latestSnapshotVersion(t.sql)).toBe(versionBefore);
    expect(await countTables()).toEqual(counts);
  });

  it('rejects a change whose snapshot would not validate, naming the field, and rolls back inline backends', async () => {
    const versionBefore = await latestSnapshotVersion(t.sql);
    const backendsBefore = await countRows(t.sql, 'backends');
    const res = await t.request('POST', `${API}/routes`, {
      body: {
        name: unique('header-based'),
        pathPattern: '/hb/*',
        strategy: 'HeaderBased',
        backends: [{ name: unique('hb'), url: 'http://127.0.0.1:18200' }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { field: 'strategyConfig.headerName', message: 'is required by HeaderBased' },
        { field: 'strategyConfig.defaultBackend', message: 'is required by HeaderBased' },
      ]),
    );
    expect(await latestSnapshotVersion(t.sql)).toBe(versionBefore);
    expect(await countRows(t.sql, 'backends')).toBe(backendsBefore);
  });

  it('rejects a route that matches exactly what another route matches', async () => {
    const existing = await createRoute({ pathPattern: '/same/{id}' });
    const res = await t.request('POST', `${API}/routes`, {
      body: { name: unique('clash'), pathPattern: '/same/{other}', backendIds: existing.backendIds },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toHaveLength(1);
    expect(res.body.error.details[0].field).toBe('pathPattern');
    expect(res.body.error.details[0].message).toContain('route "');
  });

  it('rejects references to backends that do not exist and routes with no backend', async () => {
    const missing = await t.request('POST', `${API}/routes`, {
      body: { name: unique('missing'), pathPattern: '/missing/*', backends: [{ backendId: 'backend-nope' }] },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([
      { field: 'backends[0].backendId', message: 'backend "backend-nope" does not exist' },
    ]);
    const none = await t.request('POST', `${API}/routes`, { body: { name: unique('none'), pathPattern: '/none/*' } });
    expect(none.status).toBe(400);
    expect(none.body.error.details.map((d: { field: string }) => d.field)).toEqual(['backends']);
  });

  it('rejects an invalid update with 400 and keeps the live version', async () => {
    const route = await createRoute();
    const versionBefore = await latestSnapshotVersion(t.sql);
    const res = await t.request('PUT', `${API}/routes/${route.routeId}`, {
      body: { timeoutSeconds: 0, routeId: 'another-id' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['routeId', 'timeoutSeconds']);
    const fetched = await t.request('GET', `${API}/routes/${route.routeId}`);
    expect(fetched.body).toMatchObject({ timeoutSeconds: 30, liveVersionNumber: 1 });
    expect(await latestSnapshotVersion(t.sql)).toBe(versionBefore);
  });

  it('answers 404 in the envelope for unknown routes', async () => {
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { timeoutSeconds: 5 }],
      ['DELETE', undefined],
    ] as const) {
      const res = await t.request(method, `${API}/routes/route-missing`, { body });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', details: { entity: 'Route', id: 'route-missing' } });
      expect(res.body.error.traceId).toBe(res.headers.get('x-trace-id'));
    }
    expect((await t.request('GET', `${API}/routes/route-missing/versions`)).status).toBe(404);
  });

  it('answers 409 for a duplicate route name or routeId, writing nothing', async () => {
    const route = await createRoute();
    const versionBefore = await latestSnapshotVersion(t.sql);
    const byName = await t.request('POST', `${API}/routes`, {
      body: { name: route.name, pathPattern: '/dup-name/*', backendIds: route.backendIds },
    });
    expect(byName.status).toBe(409);
    expect(byName.body.error.code).toBe('CONFLICT');
    expect(byName.body.error.message).toBe('A route with this name already exists');
    const byId = await t.request('POST', `${API}/routes`, {
      body: { routeId: route.routeId, name: unique('dup-id'), pathPattern: '/dup-id/*', backendIds: route.backendIds },
    });
    expect(byId.status).toBe(409);
    expect(await latestSnapshotVersion(t.sql)).toBe(versionBefore);
  });

  it('writes one audit row per change, with the token subject and the trace id, referenced by the snapshot', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const created = await t.request('POST', `${API}/routes`, {
      body: {
        name: unique('audited'),
        pathPattern: '/audited/*',
        backends: [{ name: unique('a'), url: 'http://127.0.0.1:18300' }],
      },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(created.headers.get('x-trace-id')).toBe(traceId);
    const routeId = created.body.routeId;
    await t.request('PUT', `${API}/routes/${routeId}`, { body: { priority: 5 } });
    await t.request('DELETE', `${API}/routes/${routeId}`);

    const { rows } = await t.sql.query(
      'SELECT id::text, event_type, entity_type, user_id, trace_id, details FROM audit_logs WHERE entity_id = $1 ORDER BY id',
      [routeId],
    );
    expect(rows.map((r) => r.event_type)).toEqual(['RouteCreated', 'RouteUpdated', 'RouteDeleted']);
    expect(rows.every((r) => r.entity_type === 'Route' && r.user_id === 'test-admin')).toBe(true);
    expect(rows[0].trace_id).toBe(traceId);
    expect(rows[1].details).toMatchObject({ versionNumber: 2, previousVersionNumber: 1, changedFields: ['priority'] });

    const snapshots = await t.sql.query('SELECT audit_id::text FROM config_snapshots ORDER BY version DESC LIMIT 3');
    expect(snapshots.rows.map((r) => r.audit_id).reverse()).toEqual(rows.map((r) => r.id));

    const api = await t.request('GET', `${API}/audit-logs?entityId=${routeId}`);
    expect(api.body.items.map((r: { eventType: string }) => r.eventType)).toEqual([
      'RouteDeleted',
      'RouteUpdated',
      'RouteCreated',
    ]);
  });

  it('serializes concurrent writes into consecutive, valid snapshots', async () => {
    const versionBefore = await latestSnapshotVersion(t.sql);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.request('POST', `${API}/routes`, {
          body: {
            name: unique(`concurrent-${i}`),
            pathPattern: `/concurrent-${seq}-${i}/*`,
            backends: [{ name: unique(`c${i}`), url: `http://127.0.0.1:${18_400 + i}` }],
          },
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    const { rows } = await t.sql.query(
      'SELECT version::int, previous_version::int AS previous FROM config_snapshots WHERE version > $1 ORDER BY version',
      [versionBefore],
    );
    const snapshots = await Promise.all(rows.map((row) => storedSnapshot(t.sql, row.version)));
    expect(rows).toHaveLength(8);
    rows.forEach((row, index) => {
      expect(row.previous).toBe(index === 0 ? versionBefore : rows[index - 1].version);
      expect(validateSnapshot(snapshots[index]).ok).toBe(true);
      // Each snapshot holds one more concurrent route than the one before.
      if (index > 0) expect(snapshots[index]?.routes.length).toBe((snapshots[index - 1]?.routes.length ?? 0) + 1);
    });
  });
});
