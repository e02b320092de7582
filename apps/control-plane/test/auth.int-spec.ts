import jwt from 'jsonwebtoken';
import { API, startTestApp, type TestApp } from './support/test-app';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

const newRoute = (name: string) => ({
  name,
  pathPattern: `/${name}/*`,
  backends: [{ name: `${name}-backend`, url: `http://127.0.0.1:9/${name}`.replace(/\/[^/]*$/, '') }],
});

describe('authentication and roles', () => {
  it('answers 401 in the envelope without a token', async () => {
    const res = await t.request('GET', `${API}/routes`, { as: null });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'UNAUTHORIZED', details: null });
    expect(res.body.error.traceId).toBe(res.headers.get('x-trace-id'));
    expect(Date.parse(res.body.error.timestamp)).not.toBeNaN();
  });

  it.each([
    ['a token signed with another secret', () => jwt.sign({ role: 'Admin' }, 'x'.repeat(40), claims())],
    [
      'an expired token',
      () => jwt.sign({ role: 'Admin', exp: Math.floor(Date.now() / 1000) - 60 }, secret(), claims(false)),
    ],
    ['a token without expiry', () => jwt.sign({ role: 'Admin' }, secret(), claims(false))],
    ['a token for another audience', () => jwt.sign({ role: 'Admin' }, secret(), { ...claims(), audience: 'other' })],
    ['a token with an unknown role', () => jwt.sign({ role: 'Root' }, secret(), claims())],
    ['an HS512 token', () => jwt.sign({ role: 'Admin' }, secret(), { ...claims(), algorithm: 'HS512' })],
    ['an unsigned token', () => jwt.sign({ role: 'Admin' }, '', { ...claims(), algorithm: 'none' })],
  ])('answers 401 for %s', async (_name, token) => {
    const res = await t.request('GET', `${API}/routes`, { as: { token: token() } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  it('lets a Viewer read but not write (403), and writes nothing', async () => {
    expect((await t.request('GET', `${API}/routes`, { as: 'Viewer' })).status).toBe(200);
    expect((await t.request('GET', `${API}/config/versions`, { as: 'Viewer' })).status).toBe(200);
    const write = await t.request('POST', `${API}/routes`, { as: 'Viewer', body: newRoute('viewer-write') });
    expect(write.status).toBe(403);
    expect(write.body.error).toMatchObject({
      code: 'FORBIDDEN',
      details: { requiredRoles: ['Admin'], role: 'Viewer' },
    });
    const { rows } = await t.sql.query("SELECT 1 FROM gateway_routes WHERE name = 'viewer-write'");
    expect(rows).toHaveLength(0);
  });

  it('keeps writes to Admin by default: an Operator gets 403, an Admin 201', async () => {
    expect((await t.request('POST', `${API}/routes`, { as: 'Operator', body: newRoute('operator') })).status).toBe(403);
    const admin = await t.request('POST', `${API}/routes`, { as: 'Admin', body: newRoute('admin') });
    expect(admin.status).toBe(201);
    expect(admin.body.createdBy).toBe('test-admin');
  });

  it('serves health without a token, and also with an invalid one', async () => {
    const res = await t.request('GET', `${API}/health`, { as: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'Healthy', database: { status: 'Up' } });
    expect((await t.request('GET', `${API}/health`, { as: { token: 'garbage' } })).status).toBe(200);
  });
});

describe('errors and tracing', () => {
  it('answers malformed JSON with 400 VALIDATION_ERROR in the envelope', async () => {
    const res = await t.request('POST', `${API}/routes`, { rawBody: '{"name": ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.message).toMatch(/^Malformed JSON/);
  });

  it('answers a missing body with 400 naming the body', async () => {
    const res = await t.request('POST', `${API}/backends`);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'body' })]);
  });

  it('answers unknown paths with 404 in the envelope', async () => {
    const res = await t.request('GET', `${API}/nothing-here`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('takes the trace id from x-request-id, else makes one, and echoes it', async () => {
    const given = await t.request('GET', `${API}/health`, { as: null, headers: { 'x-request-id': 'req-123' } });
    expect(given.headers.get('x-trace-id')).toBe('req-123');
    const made = await t.request('GET', `${API}/health`, { as: null });
    expect(made.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('metrics and swagger', () => {
  it('serves Prometheus text with process, HTTP and config-version metrics at /metrics', async () => {
    await t.request('GET', `${API}/routes`);
    const res = await t.request('GET', '/metrics', { as: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/v1\/gateway\/routes",status_class="2xx"\} \d+/,
    );
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    const { rows } = await t.sql.query('SELECT max(version)::int AS v FROM config_snapshots');
    expect(res.text).toContain(`gateway_config_version ${rows[0].v}`);
  });

  it('publishes the OpenAPI document with every path, body schemas from zod and bearer auth', async () => {
    const res = await t.request('GET', '/swagger-json', { as: null });
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/gateway/routes',
        '/api/v1/gateway/routes/{routeId}',
        '/api/v1/gateway/routes/{routeId}/versions',
        '/api/v1/gateway/routes/{routeId}/versions/{versionNumber}',
        '/api/v1/gateway/backends',
        '/api/v1/gateway/backends/{backendId}',
        '/api/v1/gateway/config/versions',
        '/api/v1/gateway/config/versions/{version}',
        '/api/v1/gateway/config/diff',
        '/api/v1/gateway/health',
      ]),
    );
    const createRoute = res.body.paths['/api/v1/gateway/routes'].post;
    const body = createRoute.requestBody.content['application/json'];
    expect(body.schema.properties.pathPattern).toMatchObject({ type: 'string' });
    expect(body.schema.properties.timeoutSeconds).toMatchObject({ minimum: 1, maximum: 300 });
    expect(body.schema.additionalProperties).toBe(false);
    expect(body.examples.quickStart.value.pathPattern).toBe('/test/*');
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ui = await t.request('GET', '/swagger', { as: null });
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
  });
});

function secret(): string {
  return t.config.auth.jwtSecret;
}

function claims(withExpiry = true): jwt.SignOptions {
  return {
    subject: 'someone',
    issuer: t.config.auth.issuer,
    audience: t.config.auth.audience,
    ...(withExpiry ? { expiresIn: 600 } : {}),
  };
}
