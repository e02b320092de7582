import { randomBytes } from 'node:crypto';
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  circuitBreakerSchema,
  rateLimitSchema,
  retryPolicySchema,
  type BackendConfig,
  type RouteConfig,
} from '@hotswap/config-snapshot';
import {
  aBackend,
  aRoute,
  expectEventually,
  expectGatewayError,
  findFreePort,
  send,
  sendChunked,
  startTestBackend,
  type TestBackend,
} from '@hotswap/testing';
import { ConsistentHashRing, hashClientAddress } from '../apps/data-plane/src/proxy/consistent-hash';
import { defineGatewayConfig, type GatewayConfig } from './support/gateway-config';
import { SNAPSHOT_SOURCES, startGatewayUnderTest, type GatewayUnderTest } from './support/gateway-under-test';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Every proxy behaviour that depends on config, run against each snapshot source (STYLE "Tests"): the same routes and
 * backends served from a `--config` file and from the control plane's stream. A new behaviour adds its routes and
 * backends to the config and one `it`; both sources run it.
 */
describe.each(SNAPSHOT_SOURCES)('the proxy serving its config from the %s', (source) => {
  let alpha: TestBackend;
  let beta: TestBackend;
  let hopper: TestBackend;
  let slow: TestBackend;
  let resetter: TestBackend;
  let config: GatewayConfig;
  let gateway: GatewayUnderTest;
  /** Before the gateway started: its snapshot cannot have been applied earlier. */
  let gatewayStartedAt: number;

  beforeAll(async () => {
    [alpha, beta, resetter, slow, hopper] = await Promise.all([
      startTestBackend('alpha'),
      startTestBackend('beta'),
      startTestBackend('resetter', (req) => req.socket.destroy()),
      startTestBackend('slow', () => {
        // Never answers: the route's timeout must.
      }),
      startTestBackend('hopper', (_req, res) => {
        res.writeHead(200, {
          connection: 'x-private',
          'x-private': 'backend only',
          'keep-alive': 'timeout=1',
          'x-public': 'yes',
        });
        res.end('ok');
      }),
    ]);
    const closedPort = await findFreePort();
    config = defineGatewayConfig({
      backends: [
        aBackend({ backendId: 'alpha', name: 'alpha', url: alpha.url }),
        aBackend({ backendId: 'beta', name: 'beta', url: beta.url }),
        aBackend({ backendId: 'hopper', name: 'hopper', url: hopper.url }),
        aBackend({ backendId: 'slow', name: 'slow', url: slow.url }),
        aBackend({ backendId: 'refused', name: 'refused', url: `http://127.0.0.1:${closedPort}` }),
        aBackend({ backendId: 'resetter', name: 'resetter', url: resetter.url }),
        aBackend({ backendId: 'drained', name: 'drained', url: beta.url, isEnabled: false }),
        aBackend({ backendId: 'based', name: 'based', url: `${beta.url}/base/` }),
      ],
      routes: [
        aRoute({ routeId: 'test', name: 'test', pathPattern: '/test/*', backendIds: ['alpha'] }),
        aRoute({ routeId: 'upload', name: 'upload', pathPattern: '/upload/**', backendIds: ['alpha'] }),
        aRoute({ routeId: 'balanced', name: 'balanced', pathPattern: '/rr/**', backendIds: ['alpha', 'beta'] }),
        aRoute({
          routeId: 'read-only',
          name: 'read-only',
          pathPattern: '/read-only/**',
          methods: ['GET', 'HEAD'],
          backendIds: ['alpha'],
        }),
        aRoute({
          routeId: 'hosted',
          name: 'hosted',
          pathPattern: '/hosted/**',
          host: 'api.example.com',
          backendIds: ['beta'],
        }),
        aRoute({ routeId: 'unhosted', name: 'unhosted', pathPattern: '/hosted/**', backendIds: ['alpha'] }),
        aRoute({ routeId: 'hop', name: 'hop', pathPattern: '/hop/**', backendIds: ['hopper'] }),
        aRoute({ routeId: 'slow', name: 'slow', pathPattern: '/slow/**', backendIds: ['slow'], timeoutSeconds: 1 }),
        aRoute({ routeId: 'refused', name: 'refused', pathPattern: '/refused/**', backendIds: ['refused'] }),
        aRoute({ routeId: 'reset', name: 'reset', pathPattern: '/reset/**', backendIds: ['resetter'] }),
        aRoute({ routeId: 'drained', name: 'drained', pathPattern: '/drained/**', backendIds: ['drained'] }),
        aRoute({ routeId: 'partly', name: 'partly', pathPattern: '/partly/**', backendIds: ['drained', 'alpha'] }),
        aRoute({
          routeId: 'verbatim',
          name: 'verbatim',
          pathPattern: '/verbatim/**',
          backendIds: ['based'],
          stripPrefix: false,
        }),
      ],
    });
    gatewayStartedAt = Date.now();
    gateway = await startGatewayUnderTest(source, config, { env: { GATEWAY_MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([alpha, beta, hopper, slow, resetter].map((backend) => backend?.close()));
  });

  it('proxies a GET to the route backend, stripping the prefix and keeping the query string', async () => {
    const result = await send(`${gateway.proxyUrl}/test/get?x=1&y=a%20b`);
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ backend: 'alpha', method: 'GET', url: '/get?x=1&y=a%20b' });
    expect(result.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('streams a POST body to the backend unchanged', async () => {
    const body = JSON.stringify({ payload: 'x'.repeat(1024 * 1024) });
    const result = await send(`${gateway.proxyUrl}/upload/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ backend: 'alpha', method: 'POST', url: '/items' });
    expect(result.json.body).toBe(body);
  });

  it('keeps the path when stripPrefix is off, under the backend URL base path', async () => {
    const result = await send(`${gateway.proxyUrl}/verbatim/a?q=1`);
    expect(result.json).toMatchObject({ backend: 'beta', url: '/base/verbatim/a?q=1' });
  });

  it('balances a route round robin over its backends', async () => {
    const seen: string[] = [];
    for (let index = 0; index < 4; index++) seen.push((await send(`${gateway.proxyUrl}/rr/x`)).json.backend);
    expect(new Set(seen)).toEqual(new Set(['alpha', 'beta']));
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[2]).toBe(seen[0]);
  });

  it('skips a drained backend (isEnabled false) of a route', async () => {
    const seen: string[] = [];
    for (let index = 0; index < 4; index++) seen.push((await send(`${gateway.proxyUrl}/partly/x`)).json.backend);
    expect(seen).toEqual(['alpha', 'alpha', 'alpha', 'alpha']);
  });

  it('routes by host before falling back to routes for any host', async () => {
    const hosted = await send(`${gateway.proxyUrl}/hosted/x`, { headers: { host: 'API.example.com:8000' } });
    const other = await send(`${gateway.proxyUrl}/hosted/x`, { headers: { host: 'www.example.com' } });
    expect([hosted.json.backend, other.json.backend]).toEqual(['beta', 'alpha']);
  });

  it('sets X-Forwarded-* and the W3C traceparent, and strips hop-by-hop headers both ways', async () => {
    const result = await send(`${gateway.proxyUrl}/test/headers`, {
      headers: {
        host: 'gw.example.com',
        traceparent: TRACEPARENT,
        tracestate: 'vendor=1',
        connection: 'keep-alive, x-hop',
        'x-hop': 'for the next hop only',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        'x-forwarded-for': '10.1.2.3',
        'x-custom': 'kept',
      },
    });
    expect(result.status).toBe(200);
    const seen = result.json.headers as Record<string, string>;
    expect(seen).toMatchObject({
      // The backend is addressed by its own host; the client's travels as X-Forwarded-Host.
      host: new URL(alpha.url).host,
      'x-forwarded-for': '10.1.2.3, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gw.example.com',
      tracestate: 'vendor=1',
      'x-custom': 'kept',
    });
    expect(seen.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(seen.traceparent).not.toBe(TRACEPARENT);
    for (const name of ['x-hop', 'keep-alive', 'proxy-connection']) expect(seen[name]).toBeUndefined();
    expect(result.headers['x-trace-id']).toBe(TRACE_ID);

    const fromBackend = await send(`${gateway.proxyUrl}/hop/x`);
    expect(fromBackend.headers['x-public']).toBe('yes');
    expect(fromBackend.headers['x-private']).toBeUndefined();
    expect(fromBackend.headers['keep-alive']).toBeUndefined();
  });

  it('starts a trace when the request carries none', async () => {
    const result = await send(`${gateway.proxyUrl}/test/trace`, { headers: { traceparent: 'garbage' } });
    const traceId = result.headers['x-trace-id'] as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(result.json.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it('answers 404 JSON with the trace id when no route matches', async () => {
    const result = await send(`${gateway.proxyUrl}/nowhere`, { headers: { traceparent: TRACEPARENT } });
    expectGatewayError(result, 404, 'ROUTE_NOT_FOUND');
    expect(result.json.error.traceId).toBe(TRACE_ID);
  });

  it('answers 405 JSON with an Allow header when the path matches only routes without the method', async () => {
    const result = await send(`${gateway.proxyUrl}/read-only/x`, { method: 'DELETE' });
    expectGatewayError(result, 405, 'METHOD_NOT_ALLOWED');
    expect(result.headers.allow).toBe('GET, HEAD');
  });

  it('answers 502 JSON when the backend refuses the connection or resets it', async () => {
    expectGatewayError(await send(`${gateway.proxyUrl}/refused/x`), 502, 'BAD_GATEWAY');
    expectGatewayError(await send(`${gateway.proxyUrl}/reset/x`), 502, 'BAD_GATEWAY');
  });

  it('answers 504 JSON when the backend does not answer within the route timeout', async () => {
    expectGatewayError(await send(`${gateway.proxyUrl}/slow/x`), 504, 'GATEWAY_TIMEOUT');
  });

  it('answers 503 JSON when no backend of the route is available', async () => {
    expectGatewayError(await send(`${gateway.proxyUrl}/drained/x`), 503, 'NO_BACKEND_AVAILABLE');
  });

  it('answers 413 JSON to a body declared larger than GATEWAY_MAX_BODY_BYTES, before reading it', async () => {
    const result = await send(`${gateway.proxyUrl}/upload/big`, { method: 'POST', declaredLength: MAX_BODY_BYTES + 1 });
    expectGatewayError(result, 413, 'PAYLOAD_TOO_LARGE');
    expect(alpha.received.some((request) => request.url === '/big')).toBe(false);
  });

  it('answers 413 JSON to a chunked body that grows past GATEWAY_MAX_BODY_BYTES, and streams a smaller one', async () => {
    const small = await sendChunked(`${gateway.proxyUrl}/upload/chunked-small`, 256 * 1024);
    expect({ status: small.status, length: (small.json.body as string).length }).toEqual({
      status: 200,
      length: 256 * 1024,
    });
    const large = await sendChunked(`${gateway.proxyUrl}/upload/chunked-large`, MAX_BODY_BYTES + 512 * 1024);
    expect({ status: large.status, code: large.json?.error?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('reports ready, the active config and request metrics on the status port', async () => {
    expect((await fetch(`${gateway.statusUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${gateway.statusUrl}/health/ready`)).status).toBe(200);
    const status = (await (await fetch(`${gateway.statusUrl}/config`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      dataPlaneId: gateway.dataPlaneId,
      ready: true,
      version: gateway.active.version,
      hash: gateway.active.hash,
      source,
      routes: config.routes.length,
      backends: config.backends.length,
      lastRejection: null,
    });
    const appliedAt = new Date(status.appliedAt as string).getTime();
    expect(appliedAt).toBeGreaterThanOrEqual(gatewayStartedAt);
    expect(appliedAt).toBeLessThanOrEqual(Date.now());
    await send(`${gateway.proxyUrl}/test/metrics`);
    await expectEventually(async () => {
      const metrics = await (await fetch(`${gateway.statusUrl}/metrics`)).text();
      expect(metrics).toMatch(/gateway_requests_total\{route="test",method="GET",status_class="2xx"[^}]*\} [1-9]/);
      expect(metrics).toMatch(/gateway_requests_total\{route="\(none\)",method="GET",status_class="4xx"/);
      expect(metrics).toMatch(/gateway_request_duration_seconds_count\{[^}]*route="test"[^}]*\} [1-9]/);
      expect(metrics).toMatch(new RegExp(`gateway_config_version\\{[^}]*\\} ${gateway.active.version}\\n`));
      expect(metrics).toMatch(/gateway_config_apply_duration_seconds_count\{[^}]*\} 1\n/);
      expect(metrics).toMatch(new RegExp(`gateway_routes_count\\{[^}]*\\} ${config.routes.length}\\n`));
      expect(metrics).toMatch(new RegExp(`gateway_backends_count\\{[^}]*\\} ${config.backends.length}\\n`));
    });
  });
});

describe.each(SNAPSHOT_SOURCES)('a changed config served from the %s', (source) => {
  let blue: TestBackend;
  let green: TestBackend;
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    [blue, green] = await Promise.all([startTestBackend('blue'), startTestBackend('green')]);
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([blue?.close(), green?.close()]);
  });

  it('serves the new routes and backends once applied, and no longer the removed ones', async () => {
    const app = aRoute({ routeId: 'app', name: 'app', pathPattern: '/app/**', backendIds: ['svc'] });
    gateway = await startGatewayUnderTest(
      source,
      defineGatewayConfig({
        backends: [aBackend({ backendId: 'svc', name: 'svc', url: blue.url })],
        routes: [app, aRoute({ routeId: 'old', name: 'old', pathPattern: '/old/**', backendIds: ['svc'] })],
      }),
    );
    expect((await send(`${gateway.proxyUrl}/app/x`)).json.backend).toBe('blue');
    expect((await send(`${gateway.proxyUrl}/old/x`)).status).toBe(200);
    const first = gateway.active;

    const changed = defineGatewayConfig({
      backends: [
        aBackend({ backendId: 'svc', name: 'svc', url: green.url }),
        aBackend({ backendId: 'extra', name: 'extra', url: blue.url }),
      ],
      routes: [app, aRoute({ routeId: 'new', name: 'new', pathPattern: '/new/**', backendIds: ['extra'] })],
    });
    await gateway.apply(changed);
    expect(gateway.active.version).toBeGreaterThan(first.version);
    expect(gateway.active.hash).not.toBe(first.hash);
    expect((await send(`${gateway.proxyUrl}/app/x`)).json.backend).toBe('green');
    expect((await send(`${gateway.proxyUrl}/new/x`)).json).toMatchObject({ backend: 'blue', url: '/x' });
    expectGatewayError(await send(`${gateway.proxyUrl}/old/x`), 404, 'ROUTE_NOT_FOUND');
  });
});

/**
 * Traffic management (issue 3): balancing strategies, breakers, retries, timeouts and transformations, against
 * backends that fail, hang, reset connections and lag. Each case uses backends of its own (breakers and counters
 * are per backend).
 */
describe.each(SNAPSHOT_SOURCES)('traffic management from the %s', (source) => {
  const backends: TestBackend[] = [];
  let alpha: TestBackend;
  let beta: TestBackend;
  let broken: TestBackend;
  let flaky: TestBackend & { isFailing: boolean };
  let held: TestBackend & { held(): number; release(): void };
  let hanging: TestBackend;
  let resetter: TestBackend;
  let lagging: TestBackend;
  let gateway: GatewayUnderTest;

  /** Answers 503 (a backend's own, not the gateway's JSON) to everything. */
  const answer503 = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('backend unavailable');
  };
  const noRetries = { ...retryPolicySchema.parse({}), maxAttempts: 1 };
  const noBreaker = { ...circuitBreakerSchema.parse({}), enabled: false };

  beforeAll(async () => {
    const pending: ServerResponse[] = [];
    const started = await Promise.all([
      startTestBackend('alpha'),
      startTestBackend('beta'),
      startTestBackend('broken', answer503),
      startTestBackend('flaky', (req, res) => {
        if (!flaky.isFailing) return res.end('ok');
        answer503(req, res);
      }),
      startTestBackend('held', (_req, res) => {
        pending.push(res);
        res.on('close', () => pending.splice(pending.indexOf(res), 1));
      }),
      startTestBackend('hanging', () => {
        // Never answers.
      }),
      startTestBackend('resetter', (req) => req.socket.destroy()),
      startTestBackend('lagging', (_req, res) => {
        setTimeout(() => res.end('late'), 300);
      }),
    ]);
    backends.push(...started);
    let flakyServer: TestBackend;
    let heldServer: TestBackend;
    [alpha, beta, broken, flakyServer, heldServer, hanging, resetter, lagging] = started;
    flaky = Object.assign(flakyServer, { isFailing: true });
    held = Object.assign(heldServer, {
      held: () => pending.length,
      release: () => {
        for (const res of [...pending]) res.end(JSON.stringify({ backend: 'held' }));
      },
    });

    const backend = (backendId: string, server: TestBackend, extra: Partial<BackendConfig> = {}) =>
      aBackend({ backendId, name: backendId, url: server.url, ...extra });
    const route = (routeId: string, backendIds: string[], extra: Partial<RouteConfig> = {}) =>
      aRoute({ routeId, name: routeId, pathPattern: `/${routeId}/**`, backendIds, ...extra });
    gateway = await startGatewayUnderTest(
      source,
      defineGatewayConfig({
        backends: [
          backend('alpha', alpha),
          backend('beta', beta),
          backend('heavy', alpha, { weight: 90 }),
          backend('light', beta, { weight: 10 }),
          backend('held', held),
          backend('broken', broken),
          backend('broken-for-retry', broken),
          backend('broken-for-post', broken),
          backend('flaky', flaky),
          backend('hanging', hanging, { timeouts: { connectMs: 5000, readMs: 300 } }),
          backend('resetter', resetter),
          backend('lagging', lagging, { timeouts: { connectMs: 5000, readMs: 2000 } }),
          backend('lagging-strict', lagging, { timeouts: { connectMs: 5000, readMs: 100 } }),
        ],
        routes: [
          route('weighted', ['heavy', 'light'], { strategy: 'WeightedRoundRobin' }),
          route('by-header', ['alpha', 'beta'], {
            strategy: 'HeaderBased',
            strategyConfig: { headerName: 'X-Tenant', routingRules: { gold: 'beta' }, defaultBackend: 'alpha' },
          }),
          route('sticky', ['alpha', 'beta'], { strategy: 'IPHash' }),
          route('direct', ['alpha', 'beta'], { strategy: 'Direct' }),
          route('least', ['held', 'beta'], { strategy: 'LeastConnections' }),
          route('breaker', ['broken', 'alpha'], {
            retryPolicy: noRetries,
            circuitBreaker: { ...circuitBreakerSchema.parse({}), openDurationMs: 600_000 },
          }),
          route('recovering', ['flaky'], {
            retryPolicy: noRetries,
            circuitBreaker: { enabled: true, failureThreshold: 2, openDurationMs: 1000, successThreshold: 2 },
          }),
          route('retried', ['broken-for-retry', 'alpha'], { circuitBreaker: noBreaker }),
          route('post-only-once', ['broken-for-post'], { circuitBreaker: noBreaker }),
          route('reset-over', ['resetter', 'beta'], { circuitBreaker: noBreaker }),
          route('hang', ['hanging'], { circuitBreaker: noBreaker, timeoutSeconds: 10 }),
          route('lag', ['lagging']),
          route('lag-strict', ['lagging-strict'], { retryPolicy: noRetries }),
          route('rewrite', ['alpha'], {
            pathPattern: '/api/v1/**',
            transformations: {
              request: {
                addHeaders: { 'X-Request-Id': '${requestId}', 'X-Gateway': 'hotswap' },
                removeHeaders: ['X-Secret'],
                rewritePath: { pattern: '^/api/v1/(.*)', replacement: '/v1/$1' },
              },
              response: {
                addHeaders: { 'X-Latency-Ms': '${latencyMs}', 'X-Request-Id': 'req-${requestId}' },
                removeHeaders: ['X-Backend'],
              },
            },
          }),
        ],
      }),
    );
  });

  afterAll(async () => {
    held?.release();
    await gateway?.stop();
    await Promise.all(backends.map((backend) => backend.close()));
  });

  const get = (path: string, headers: Record<string, string> = {}) => send(`${gateway.proxyUrl}${path}`, { headers });
  const backendsOf = async (path: string, count: number, headers: Record<string, string> = {}) => {
    const seen: string[] = [];
    for (let index = 0; index < count; index++) seen.push((await get(path, headers)).json?.backend ?? '-');
    return seen;
  };
  const metricsText = async () => (await fetch(`${gateway.statusUrl}/metrics`)).text();
  const tally = (ids: string[]) =>
    ids.reduce<Record<string, number>>((t, id) => ({ ...t, [id]: (t[id] ?? 0) + 1 }), {});

  it('splits a WeightedRoundRobin route 90/10', async () => {
    expect(tally(await backendsOf('/weighted/x', 20))).toEqual({ alpha: 18, beta: 2 });
  });

  it('routes a HeaderBased route by the header, and an unknown or missing value to the default backend', async () => {
    expect(await backendsOf('/by-header/x', 2, { 'x-tenant': 'gold' })).toEqual(['beta', 'beta']);
    expect(await backendsOf('/by-header/x', 1, { 'x-tenant': 'tin' })).toEqual(['alpha']);
    expect(await backendsOf('/by-header/x', 1)).toEqual(['alpha']);
  });

  it('keeps a client on one backend with IPHash, and sends a Direct route to its first backend', async () => {
    // Each client connects from its own loopback address (the key IPHash hashes); the data plane's own ring says
    // where each belongs.
    const stickyBackendIds = ['alpha', 'beta'];
    const ring = ConsistentHashRing.of(stickyBackendIds.map((backendId) => ({ backendId })));
    const clientAddresses = Array.from({ length: 8 }, (_, n) => `127.0.0.${n + 1}`);
    const backendOf = (address: string) =>
      stickyBackendIds[ring.ownerAt(ring.firstAtOrAfter(hashClientAddress(address)))] as string;
    const expected = Object.fromEntries(clientAddresses.map((address) => [address, Array(3).fill(backendOf(address))]));
    // Neither "always the first backend" nor "always one backend" could pass.
    expect(new Set(clientAddresses.map(backendOf))).toEqual(new Set(stickyBackendIds));
    const seen: Record<string, string[]> = {};
    for (const address of clientAddresses) {
      const agent = new Agent({ keepAlive: false, localAddress: address });
      seen[address] = [];
      for (let index = 0; index < 3; index++) {
        seen[address].push((await send(`${gateway.proxyUrl}/sticky/x`, { agent })).json?.backend ?? '-');
      }
      agent.destroy();
    }
    expect(seen).toEqual(expected);
    expect(await backendsOf('/direct/x', 3)).toEqual(['alpha', 'alpha', 'alpha']);
  });

  it('sends LeastConnections traffic away from a backend busy with a request', async () => {
    const pending: Array<Promise<unknown>> = [];
    await expectEventually(async () => {
      if (held.held() === 0) pending.push(get('/least/x'));
      await expectEventually(() => expect(held.held()).toBe(1), { timeoutMs: 500 });
    });
    expect(await backendsOf('/least/x', 4)).toEqual(['beta', 'beta', 'beta', 'beta']);
    held.release();
    await Promise.all(pending);
  });

  it('opens the breaker of a backend after 5 consecutive failures and fails over to the others', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 10; index++) statuses.push((await get('/breaker/x')).status);
    expect(tally(statuses.map(String))).toEqual({ 200: 5, 503: 5 });
    expect(broken.received.filter((request) => request.url === '/x')).toHaveLength(5);
    expect(await backendsOf('/breaker/x', 6)).toEqual(Array(6).fill('alpha'));
    expect(broken.received.filter((request) => request.url === '/x')).toHaveLength(5);
    expect(await metricsText()).toMatch(/gateway_circuit_breaker_state\{backend="broken"[^}]*\} 1\n/);
  });

  it('fails fast with 503 while the only breaker is open, then half-opens and closes after successes', async () => {
    for (let index = 0; index < 2; index++) expect((await get('/recovering/x')).text).toBe('backend unavailable');
    expectGatewayError(await get('/recovering/x'), 503, 'NO_BACKEND_AVAILABLE');
    expect(flaky.received).toHaveLength(2);
    flaky.isFailing = false;
    await expectEventually(async () => expect((await get('/recovering/x')).status).toBe(200));
    expect((await get('/recovering/x')).status).toBe(200);
    expect(await metricsText()).toMatch(/gateway_circuit_breaker_state\{backend="flaky"[^}]*\} 0\n/);
  });

  it('retries a GET or PUT that got a 503 on another backend, replaying the body, and the client sees 200', async () => {
    for (let index = 0; index < 4; index++) expect((await get('/retried/x')).json?.backend).toBe('alpha');
    const put = await send(`${gateway.proxyUrl}/retried/item`, { method: 'PUT', body: '{"n":1}' });
    const put2 = await send(`${gateway.proxyUrl}/retried/item`, { method: 'PUT', body: '{"n":2}' });
    expect([put.json, put2.json]).toMatchObject([
      { backend: 'alpha', body: '{"n":1}' },
      { backend: 'alpha', body: '{"n":2}' },
    ]);
    const failed = broken.received.filter((request) => request.url === '/x' || request.url === '/item');
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(await metricsText()).toMatch(/gateway_retries_total\{route="retried"[^}]*\} [1-9]/);
  });

  it('does not retry a POST, and retries a GET on the same backend when it is the only one', async () => {
    const before = broken.received.length;
    const post = await send(`${gateway.proxyUrl}/post-only-once/p`, { method: 'POST', body: 'once' });
    expect({ status: post.status, text: post.text }).toEqual({ status: 503, text: 'backend unavailable' });
    expect(broken.received.slice(before).map((request) => request.method)).toEqual(['POST']);
    expect((await get('/post-only-once/g')).status).toBe(503);
    expect(broken.received.slice(before + 1).map((request) => request.url)).toEqual(['/g', '/g', '/g']);
  });

  it('retries a connection the backend reset on another backend', async () => {
    expect(await backendsOf('/reset-over/x', 4)).toEqual(['beta', 'beta', 'beta', 'beta']);
  });

  it('answers 504 when a backend hangs past its read timeout on every attempt', async () => {
    expectGatewayError(await get('/hang/x'), 504, 'GATEWAY_TIMEOUT');
    expect(hanging.received.filter((request) => request.url === '/x')).toHaveLength(3);
  });

  it('waits for a slow backend within its read timeout, and answers 504 past it', async () => {
    expect((await get('/lag/x')).text).toBe('late');
    expectGatewayError(await get('/lag-strict/x'), 504, 'GATEWAY_TIMEOUT');
  });

  it('rewrites the path and transforms headers both ways, with ${requestId} and ${latencyMs}', async () => {
    const result = await get('/api/v1/users/7?q=1', { 'x-secret': 'no', traceparent: TRACEPARENT });
    expect(result.json).toMatchObject({ backend: 'alpha', url: '/v1/users/7?q=1' });
    expect(result.json.headers).toMatchObject({ 'x-request-id': TRACE_ID, 'x-gateway': 'hotswap' });
    expect(result.json.headers['x-secret']).toBeUndefined();
    expect(result.headers['x-request-id']).toBe(`req-${TRACE_ID}`);
    expect(result.headers['x-latency-ms']).toMatch(/^\d+$/);
    expect(result.headers['x-backend']).toBeUndefined();
    expect(result.headers['x-trace-id']).toBe(TRACE_ID);
  });
});

/**
 * Rate limits (issue 3): a local limit per API key, and a limit shared through Redis (REDIS_URL from the test
 * environment, a key prefix of this block's own).
 */
describe.each(SNAPSHOT_SOURCES)('rate limits from the %s', (source) => {
  let backend: TestBackend;
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    backend = await startTestBackend('limited');
    const route = (routeId: string, rateLimit: Record<string, unknown>) =>
      aRoute({
        routeId,
        name: routeId,
        pathPattern: `/${routeId}/**`,
        backendIds: ['limited'],
        rateLimit: rateLimitSchema.parse(rateLimit),
      });
    gateway = await startGatewayUnderTest(
      source,
      defineGatewayConfig({
        backends: [aBackend({ backendId: 'limited', name: 'limited', url: backend.url })],
        routes: [
          route('per-key', { limit: 3, window: 'minute', keyBy: 'ApiKey', keyHeader: 'X-Client-Key' }),
          route('shared', { algorithm: 'TokenBucket', limit: 2, burst: 2, window: 'minute', policy: 'redis' }),
        ],
      }),
      // Counting is under test, not latency: a Redis timeout the busy test machine cannot trip.
      {
        env: {
          REDIS_KEY_PREFIX: `hotswap-e2e-rl-${randomBytes(6).toString('hex')}`,
          RATE_LIMIT_REDIS_TIMEOUT_MS: '2000',
        },
      },
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await backend?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => send(`${gateway.proxyUrl}${path}`, { headers });

  it('admits the limit per API key with X-RateLimit headers, then answers 429 JSON with Retry-After', async () => {
    const answers = [];
    for (let n = 0; n < 4; n++) answers.push(await get('/per-key/x', { 'x-client-key': 'alpha' }));
    expect(answers.map((a) => [a.status, a.headers['x-ratelimit-limit'], a.headers['x-ratelimit-remaining']])).toEqual([
      [200, '3', '2'],
      [200, '3', '1'],
      [200, '3', '0'],
      [429, '3', '0'],
    ]);
    expectGatewayError(answers[3]!, 429, 'RATE_LIMIT_EXCEEDED');
    expect(Number(answers[3]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(answers[3]!.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(backend.received.filter((request) => request.headers['x-client-key'] === 'alpha')).toHaveLength(3);
    const other = await get('/per-key/x', { 'x-client-key': 'beta' });
    expect([other.status, other.headers['x-ratelimit-remaining']]).toEqual([200, '2']);
  });

  it('counts a redis-policy route in Redis: a burst of 2, then 429 until a token comes back', async () => {
    expect((await get('/shared/x')).headers['x-ratelimit-remaining']).toBe('1');
    expect((await get('/shared/x')).headers['x-ratelimit-remaining']).toBe('0');
    const refused = await get('/shared/x');
    expectGatewayError(refused, 429, 'RATE_LIMIT_EXCEEDED');
    expect(refused.headers['x-ratelimit-limit']).toBe('2');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(30);
    await expectEventually(async () => {
      const metrics = await (await fetch(`${gateway.statusUrl}/metrics`)).text();
      expect(metrics).toMatch(/gateway_rate_limit_rejections_total\{route="per-key"[^}]*\} 1\n/);
      expect(metrics).toMatch(/gateway_rate_limit_rejections_total\{route="shared"[^}]*\} 1\n/);
    });
  });
});
