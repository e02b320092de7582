import {
  API,
  countRows,
  latestSnapshotVersion,
  startTestApp,
  type ApiResponse,
  type TestApp,
} from './support/test-app';

let t: TestApp;
let seq = 0;

beforeAll(async () => {
  t = await startTestApp();
  const res = await t.request('POST', `${API}/backends`, {
    body: { backendId: 'rl-backend', name: 'rl-backend', url: 'http://127.0.0.1:12101' },
  });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await t?.close();
});

/** POSTs a route with the given rateLimit. */
function postRoute(rateLimit: unknown) {
  const n = ++seq;
  return t.request('POST', `${API}/routes`, {
    body: { name: `limited-${n}`, pathPattern: `/limited${n}/**`, backendIds: ['rl-backend'], rateLimit },
  });
}

/** Asserts a 400 VALIDATION_ERROR naming exactly `fields` (with `messages` where given), and that nothing changed. */
async function expectRejected(call: () => Promise<ApiResponse>, fields: Record<string, string | null>): Promise<void> {
  const versionBefore = await latestSnapshotVersion(t.sql);
  const routesBefore = await countRows(t.sql, 'gateway_routes');
  const res = await call();
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  const details = res.body.error.details as Array<{ field: string; message: string }>;
  expect(details.map((detail) => detail.field).sort()).toEqual(Object.keys(fields).sort());
  for (const [field, message] of Object.entries(fields)) {
    if (message !== null) expect(details.find((detail) => detail.field === field)?.message).toBe(message);
  }
  expect(await latestSnapshotVersion(t.sql)).toBe(versionBefore);
  expect(await countRows(t.sql, 'gateway_routes')).toBe(routesBefore);
}

describe('route rateLimit through the REST API', () => {
  it('accepts each algorithm, fills in the defaults, and puts the rate limit in the snapshot', async () => {
    const res = await postRoute({ algorithm: 'TokenBucket', limit: 100, window: 'second', burst: 250 });
    expect(res.status).toBe(201);
    expect(res.body.rateLimit).toEqual({
      algorithm: 'TokenBucket',
      limit: 100,
      window: 'second',
      burst: 250,
      keyBy: 'ClientIP',
      keyHeader: 'X-API-Key',
      policy: 'local',
      failOpen: true,
    });
    const shared = await postRoute({
      algorithm: 'SlidingWindow',
      limit: 1000,
      window: 'hour',
      keyBy: 'UserId',
      keyHeader: 'X-User-Id',
      policy: 'redis',
      failOpen: false,
    });
    expect(shared.status).toBe(201);
    const snapshot = await t.request('GET', `${API}/config/versions/${await latestSnapshotVersion(t.sql)}`);
    const routes = snapshot.body.routes as Array<{ name: string; rateLimit: unknown }>;
    expect(routes.find((route) => route.name === shared.body.name)?.rateLimit).toMatchObject({
      algorithm: 'SlidingWindow',
      policy: 'redis',
      failOpen: false,
    });
  });

  it('rejects a limit of 0 or below, naming rateLimit.limit', async () => {
    await expectRejected(() => postRoute({ limit: 0 }), { 'rateLimit.limit': null });
    await expectRejected(() => postRoute({ limit: -5, window: 'minute' }), { 'rateLimit.limit': null });
  });

  it('rejects an unknown algorithm, window, keyBy or policy, naming each field', async () => {
    await expectRejected(
      () => postRoute({ limit: 10, algorithm: 'LeakyBucket', window: 'day', keyBy: 'Cookie', policy: 'memcached' }),
      {
        'rateLimit.algorithm': null,
        'rateLimit.window': null,
        'rateLimit.keyBy': null,
        'rateLimit.policy': null,
      },
    );
  });

  it('rejects a burst on an algorithm other than TokenBucket, a zero burst, and unknown fields', async () => {
    await expectRejected(() => postRoute({ limit: 10, algorithm: 'FixedWindow', burst: 20 }), {
      'rateLimit.burst': 'applies to the TokenBucket algorithm only',
    });
    await expectRejected(() => postRoute({ limit: 10, algorithm: 'TokenBucket', burst: 0 }), {
      'rateLimit.burst': null,
    });
    await expectRejected(() => postRoute({ limit: 10, perIp: true, keyHeader: 'bad header' }), {
      'rateLimit.perIp': 'is not a known field',
      'rateLimit.keyHeader': null,
    });
  });

  it('rejects a bad rateLimit in an update and keeps the route as it was', async () => {
    const created = await postRoute({ limit: 10 });
    expect(created.status).toBe(201);
    await expectRejected(
      () => t.request('PATCH', `${API}/routes/${created.body.routeId}`, { body: { rateLimit: { limit: 0 } } }),
      { 'rateLimit.limit': null },
    );
    const route = await t.request('GET', `${API}/routes/${created.body.routeId}`);
    expect(route.body.rateLimit).toMatchObject({ limit: 10 });
  });
});
