import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { rateLimitSchema, type RateLimit, type RouteConfig } from '@hotswap/config-snapshot';
import {
  aBackend,
  aRoute,
  aSnapshot,
  expectEventually,
  expectGatewayError,
  findFreePort,
  send,
  startTestBackend,
  type TestBackend,
} from '@hotswap/testing';
import { Redis } from 'ioredis';
import { DataPlaneStartError } from '../src/data-plane';
import { makeTempDir, startInProcess, writeJsonFile, type InProcessDataPlane } from './support/data-plane-harness';

const REDIS_URL = process.env.REDIS_URL as string;
/** This file's Redis keys: removed at the end. */
const PREFIX = `hotswap-test-dp-rl-${randomBytes(4).toString('hex')}`;

let backend: TestBackend;
const dataPlanes: InProcessDataPlane[] = [];
const tempDirs: string[] = [];
let version = 0;

beforeAll(async () => {
  backend = await startTestBackend('limited');
});

afterAll(async () => {
  await Promise.all(dataPlanes.map((dataPlane) => dataPlane.stop()));
  await backend?.close();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

async function start(env: Record<string, string> = {}): Promise<InProcessDataPlane> {
  const dataPlane = await startInProcess({ env: { REDIS_URL: '', ...env } });
  dataPlanes.push(dataPlane);
  return dataPlane;
}

const limitedRoute = (
  routeId: string,
  rateLimit: Partial<RateLimit> & { limit: number },
  extra: Partial<RouteConfig> = {},
) =>
  aRoute({
    routeId,
    name: routeId,
    pathPattern: `/${routeId}/**`,
    backendIds: ['limited'],
    rateLimit: rateLimitSchema.parse(rateLimit),
    ...extra,
  });

async function apply(dataPlane: InProcessDataPlane, routes: RouteConfig[]): Promise<void> {
  const snapshot = aSnapshot(
    { routes, backends: [aBackend({ backendId: 'limited', url: backend.url })] },
    {
      version: ++version,
    },
  );
  expect((await dataPlane.dataPlane.apply(snapshot, 'file')).status).toBe('applied');
}

const metricsOf = async (dataPlane: InProcessDataPlane) => (await fetch(`${dataPlane.statusUrl}/metrics`)).text();

describe('local rate limits on the proxy', () => {
  let dataPlane: InProcessDataPlane;
  const routes = [
    limitedRoute('by-key', { limit: 3, window: 'minute', keyBy: 'ApiKey', keyHeader: 'X-Client-Key' }),
    aRoute({ routeId: 'free', name: 'free', pathPattern: '/free/**', backendIds: ['limited'] }),
  ];

  beforeAll(async () => {
    dataPlane = await start();
    await apply(dataPlane, routes);
  });

  const get = (path: string, headers: Record<string, string> = {}) => send(`${dataPlane.proxyUrl}${path}`, { headers });

  it('admits the limit with X-RateLimit headers, then answers 429 JSON with Retry-After, per API key', async () => {
    const admitted = [];
    for (let n = 0; n < 3; n++) admitted.push(await get('/by-key/a', { 'x-client-key': 'alpha' }));
    expect(
      admitted.map((result) => [
        result.status,
        result.headers['x-ratelimit-limit'],
        result.headers['x-ratelimit-remaining'],
      ]),
    ).toEqual([
      [200, '3', '2'],
      [200, '3', '1'],
      [200, '3', '0'],
    ]);
    const refused = await get('/by-key/a', { 'x-client-key': 'alpha' });
    expectGatewayError(refused, 429, 'RATE_LIMIT_EXCEEDED');
    expect(refused.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(backend.received.filter((request) => request.url === '/a')).toHaveLength(3);

    // Another key has a budget of its own; a request without a key counts for its address.
    expect((await get('/by-key/b', { 'x-client-key': 'beta' })).headers['x-ratelimit-remaining']).toBe('2');
    expect((await get('/by-key/c')).headers['x-ratelimit-remaining']).toBe('2');
    await expectEventually(async () =>
      expect(await metricsOf(dataPlane)).toMatch(/gateway_rate_limit_rejections_total\{route="by-key"[^}]*\} 1\n/),
    );
  });

  it('sends no rate-limit headers on a route without a rate limit', async () => {
    const result = await get('/free/x');
    expect(result.status).toBe(200);
    expect(result.headers['x-ratelimit-limit']).toBeUndefined();
  });

  it('keeps counting across a snapshot swap that leaves the rate limit as it was', async () => {
    for (let n = 0; n < 3; n++) await get('/by-key/swap', { 'x-client-key': 'gamma' });
    await apply(dataPlane, [
      ...routes,
      aRoute({ routeId: 'new', name: 'new', pathPattern: '/new/**', backendIds: ['limited'] }),
    ]);
    expectGatewayError(await get('/by-key/swap', { 'x-client-key': 'gamma' }), 429, 'RATE_LIMIT_EXCEEDED');
  });
});

describe('rate limits shared through Redis by two data planes', () => {
  it('admits the limit across both data planes, each reporting the shared remainder', async () => {
    // Sharing is under test, not latency: a timeout the busy test machine cannot trip.
    const env = { REDIS_URL, REDIS_KEY_PREFIX: PREFIX, RATE_LIMIT_REDIS_TIMEOUT_MS: '2000' };
    const planes = [await start(env), await start(env)];
    const route = limitedRoute('shared', { limit: 10, window: 'hour', policy: 'redis', failOpen: false });
    for (const plane of planes) await apply(plane, [route]);
    const statuses: number[] = [];
    const remaining: string[] = [];
    for (let n = 0; n < 30; n++) {
      const result = await send(`${planes[n % 2]!.proxyUrl}/shared/x`);
      statuses.push(result.status);
      if (result.status === 200) remaining.push(String(result.headers['x-ratelimit-remaining']));
      else expectGatewayError(result, 429, 'RATE_LIMIT_EXCEEDED');
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(remaining).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
  });
});

describe('a redis-policy route when Redis is unreachable', () => {
  it('fails open or closed as configured, and counts the store errors', async () => {
    const dataPlane = await start({ REDIS_URL: `redis://127.0.0.1:${await findFreePort()}`, REDIS_KEY_PREFIX: PREFIX });
    await apply(dataPlane, [
      limitedRoute('open', { limit: 1, policy: 'redis', failOpen: true }),
      limitedRoute('closed', { limit: 1, policy: 'redis', failOpen: false }),
    ]);
    for (let n = 0; n < 3; n++) {
      const result = await send(`${dataPlane.proxyUrl}/open/x`);
      expect(result.status).toBe(200);
      expect(result.headers['x-ratelimit-remaining']).toBeUndefined();
    }
    const closed = await send(`${dataPlane.proxyUrl}/closed/x`);
    expectGatewayError(closed, 503, 'RATE_LIMIT_UNAVAILABLE');
    expect(closed.headers['retry-after']).toBe('1');
    await expectEventually(async () => {
      const metrics = await metricsOf(dataPlane);
      expect(metrics).toMatch(/gateway_rate_limit_store_errors_total\{route="open"[^}]*\} 3\n/);
      expect(metrics).toMatch(/gateway_rate_limit_store_errors_total\{route="closed"[^}]*\} 1\n/);
    });
    expect(dataPlane.logs.some((line) => line.includes('rate-limit store failed'))).toBe(true);
  });
});

describe('bad rate limits', () => {
  it('are NACKed with the field and the reason, and the active snapshot keeps serving', async () => {
    const dataPlane = await start();
    await apply(dataPlane, [limitedRoute('kept', { limit: 5 })]);
    const good = aSnapshot(
      {
        routes: [limitedRoute('kept', { limit: 5 })],
        backends: [aBackend({ backendId: 'limited', url: backend.url })],
      },
      { version: ++version },
    );
    const bad = {
      ...good,
      routes: [{ ...good.routes[0]!, rateLimit: { limit: 0, algorithm: 'Leaky', window: 'day', keyBy: 'Cookie' } }],
    };
    const outcome = await dataPlane.dataPlane.apply(bad, 'file');
    expect(outcome.status).toBe('rejected');
    expect(outcome.status === 'rejected' && outcome.reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^routes\[0\]\.rateLimit\.limit: /),
        expect.stringMatching(/^routes\[0\]\.rateLimit\.algorithm: /),
        expect.stringMatching(/^routes\[0\]\.rateLimit\.window: /),
        expect.stringMatching(/^routes\[0\]\.rateLimit\.keyBy: /),
      ]),
    );
    expect((await send(`${dataPlane.proxyUrl}/kept/x`)).headers['x-ratelimit-limit']).toBe('5');
  });

  it('in a --config file stop the data plane from starting, with the reason', async () => {
    const dir = makeTempDir('rl');
    tempDirs.push(dir);
    const file = writeJsonFile(dir, 'bad-rate-limit.json', {
      routes: [
        {
          routeId: 'r',
          name: 'r',
          pathPattern: '/r/**',
          backendIds: ['b'],
          rateLimit: { limit: -1, burst: 5 },
        },
      ],
      backends: [{ backendId: 'b', name: 'b', url: backend.url }],
    });
    const attempt = startInProcess({ argv: ['--config', file], env: { REDIS_URL: '' } });
    await expect(attempt).rejects.toBeInstanceOf(DataPlaneStartError);
    const error = (await attempt.catch((caught: unknown) => caught)) as DataPlaneStartError;
    expect(error.reasons).toEqual([
      expect.stringMatching(/^routes\[0\]\.rateLimit\.limit: /),
      'routes[0].rateLimit.burst: applies to the TokenBucket algorithm only',
    ]);
  });
});
