import { API, countRows, latestSnapshotVersion, startTestApp, type TestApp } from './support/test-app';

let t: TestApp;
let seq = 0;

beforeAll(async () => {
  t = await startTestApp();
  for (const [backendId, port] of [
    ['pa', 12_001],
    ['pb', 12_002],
  ] as const) {
    const res = await t.request('POST', `${API}/backends`, {
      body: { backendId, name: backendId, url: `http://127.0.0.1:${port}` },
    });
    expect(res.status).toBe(201);
  }
});

afterAll(async () => {
  await t?.close();
});

/** POSTs a route over backends `pa` and `pb` with the given traffic-policy fields. */
async function postRoute(fields: Record<string, unknown>) {
  const n = ++seq;
  return t.request('POST', `${API}/routes`, {
    body: { name: `policy-${n}`, pathPattern: `/policy${n}/**`, backendIds: ['pa', 'pb'], ...fields },
  });
}

/** Asserts a 400 VALIDATION_ERROR naming exactly `fields`, and that nothing was written. */
async function expectRejected(fields: Record<string, unknown>, expected: Array<{ field: string; message?: string }>) {
  const versionBefore = await latestSnapshotVersion(t.sql);
  const routesBefore = await countRows(t.sql, 'gateway_routes');
  const res = await postRoute(fields);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  const details = res.body.error.details as Array<{ field: string; message: string }>;
  expect(details.map((detail) => detail.field).sort()).toEqual(expected.map((e) => e.field).sort());
  for (const { field, message } of expected) {
    if (message) expect(details.find((detail) => detail.field === field)?.message).toBe(message);
  }
  expect(await latestSnapshotVersion(t.sql)).toBe(versionBefore);
  expect(await countRows(t.sql, 'gateway_routes')).toBe(routesBefore);
}

describe('route traffic policies through the REST API', () => {
  it('accepts every policy with valid values, durations as text, and serves them back', async () => {
    const res = await postRoute({
      strategy: 'WeightedRoundRobin',
      circuitBreaker: { failureThreshold: 5, openDurationMs: '30s', successThreshold: 3 },
      retryPolicy: { maxAttempts: 3, initialDelayMs: '100ms', maxDelayMs: '2s' },
      transformations: {
        request: {
          addHeaders: { 'X-Request-Id': '${requestId}' },
          rewritePath: { pattern: '^/api/v1/(.*)', replacement: '/v1/$1' },
        },
        response: { addHeaders: { 'X-Latency-Ms': '${latencyMs}' } },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      strategy: 'WeightedRoundRobin',
      circuitBreaker: { enabled: true, failureThreshold: 5, openDurationMs: 30_000, successThreshold: 3 },
      retryPolicy: {
        maxAttempts: 3,
        initialDelayMs: 100,
        maxDelayMs: 2000,
        methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'],
      },
    });
  });

  it('rejects an unknown strategy with 400 naming strategy', async () => {
    await expectRejected({ strategy: 'Random' }, [{ field: 'strategy' }]);
  });

  it('rejects a HeaderBased default backend that does not exist, naming strategyConfig.defaultBackend', async () => {
    await expectRejected(
      { strategy: 'HeaderBased', strategyConfig: { headerName: 'X-Tenant', defaultBackend: 'nobody' } },
      [{ field: 'strategyConfig.defaultBackend', message: 'backend "nobody" is not one of the route\'s backends' }],
    );
  });

  it('rejects unknown strategyConfig fields and routing rules to backends the route does not have', async () => {
    await expectRejected(
      {
        strategy: 'HeaderBased',
        strategyConfig: {
          headerName: 'X-Tenant',
          defaultBackend: 'pa',
          routingRules: { gold: 'elsewhere' },
          sticky: true,
        },
      },
      [{ field: 'strategyConfig.sticky', message: 'is not a known field' }],
    );
    await expectRejected(
      {
        strategy: 'HeaderBased',
        strategyConfig: { headerName: 'X-Tenant', defaultBackend: 'pa', routingRules: { gold: 'elsewhere' } },
      },
      [
        {
          field: 'strategyConfig.routingRules.gold',
          message: 'backend "elsewhere" is not one of the route\'s backends',
        },
      ],
    );
  });

  it('rejects negative and zero numbers in circuitBreaker, naming each field', async () => {
    await expectRejected({ circuitBreaker: { failureThreshold: -1, openDurationMs: -5, successThreshold: 0 } }, [
      { field: 'circuitBreaker.failureThreshold' },
      { field: 'circuitBreaker.openDurationMs' },
      { field: 'circuitBreaker.successThreshold' },
    ]);
  });

  it('rejects bad retryPolicy values: negative numbers, a non-5xx status, an unknown method, delays out of order', async () => {
    await expectRejected(
      { retryPolicy: { maxAttempts: 0, initialDelayMs: -1, retryOnStatus: [404], methods: ['FETCH'] } },
      [
        { field: 'retryPolicy.maxAttempts' },
        { field: 'retryPolicy.initialDelayMs' },
        { field: 'retryPolicy.retryOnStatus[0]' },
        { field: 'retryPolicy.methods[0]' },
      ],
    );
    await expectRejected({ retryPolicy: { initialDelayMs: '5s', maxDelayMs: '1s' } }, [
      { field: 'retryPolicy.initialDelayMs', message: 'must not exceed maxDelayMs' },
    ]);
  });

  it('rejects a rewritePath regex that does not compile, or a replacement naming a missing group', async () => {
    await expectRejected(
      { transformations: { request: { rewritePath: { pattern: '^/api/(.*', replacement: '/$1' } } } },
      [{ field: 'transformations.request.rewritePath.pattern' }],
    );
    await expectRejected(
      { transformations: { request: { rewritePath: { pattern: '^/api/(.*)', replacement: '/$2' } } } },
      [
        {
          field: 'transformations.request.rewritePath.replacement',
          message: 'refers to group $2, which the pattern does not have',
        },
      ],
    );
  });

  it('rejects unknown transformation variables and ${latencyMs} on requests, naming each header', async () => {
    await expectRejected(
      {
        transformations: {
          request: { addHeaders: { 'X-Took': '${latencyMs}' } },
          response: { addHeaders: { 'X-Who': '${user}' } },
        },
      },
      [
        { field: 'transformations.request.addHeaders.X-Took', message: '${latencyMs} is only known for responses' },
        { field: 'transformations.response.addHeaders.X-Who' },
      ],
    );
  });

  it('rejects a negative backend weight, naming the field', async () => {
    const res = await t.request('POST', `${API}/backends`, {
      body: { backendId: `w-${++seq}`, name: `w-${seq}`, url: 'http://127.0.0.1:12999', weight: -1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((detail: { field: string }) => detail.field)).toEqual(['weight']);
  });
});
