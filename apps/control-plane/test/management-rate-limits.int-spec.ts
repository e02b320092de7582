import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import {
  GRPC_CHANNEL_OPTIONS,
  loadManagementProto,
  type DeploymentServiceClient,
  type RouteServiceClient,
} from '@hotswap/proto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Redis } from 'ioredis';
import { createApp } from '../src/app';
import { ConfigError, loadAppConfig } from '../src/config/app-config';
import { DiscoveryGrpcServer } from '../src/modules/fleet/discovery.grpc';
import { API, startTestApp, type ApiResponse, type TestApp } from './support/test-app';

const REDIS_URL = process.env.REDIS_URL as string;
const REDIS_PREFIX = `hotswap-test-mgmt-rl-${randomBytes(4).toString('hex')}`;

/** The guide's defaults: test apps raise them, these specs put them back. */
const GUIDE_LIMITS = {
  MANAGEMENT_RATE_LIMIT_ROUTE_WRITES_PER_MINUTE: '10',
  MANAGEMENT_RATE_LIMIT_DEPLOYMENTS_PER_MINUTE: '5',
  MANAGEMENT_RATE_LIMIT_METRICS_AND_HEALTH_PER_MINUTE: '60',
};

afterAll(async () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const keys = await redis.keys(`${REDIS_PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function expectRateLimited(res: ApiResponse, limit: number): void {
  expect(res.status).toBe(429);
  expect(res.body.error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', details: { limit, windowSeconds: 60 } });
  expect(res.body.error.traceId).toBe(res.headers.get('x-trace-id'));
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.body.error.details.retryAfterSeconds).toBe(retryAfter);
  expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
}

/** A unary gRPC call with a bearer token: its status (OK = 0) and the trailing metadata of a failure. */
function grpcCall(
  client: grpc.Client,
  method: string,
  request: object,
  token: string,
): Promise<grpc.ServiceError | null> {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method] as (
    ...args: unknown[]
  ) => void;
  return new Promise((resolve) =>
    fn.call(client, request, metadata, (error: grpc.ServiceError | null) => resolve(error)),
  );
}

function expectGrpcRateLimited(error: grpc.ServiceError | null, limit: number): void {
  expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  expect(error?.metadata.get('x-error-code')).toEqual(['RATE_LIMIT_EXCEEDED']);
  const [retryAfterText] = error?.metadata.get('retry-after') ?? [];
  const retryAfter = Number(retryAfterText);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(JSON.parse(error?.metadata.get('x-error-details')[0] as string)).toEqual({
    class: expect.any(String),
    limit,
    windowSeconds: 60,
    retryAfterSeconds: retryAfter,
  });
}

describe.each([
  ['in memory', {}],
  ['in Redis', { REDIS_URL, REDIS_KEY_PREFIX: `${REDIS_PREFIX}-single` }],
])('management API rate limits per user, counted %s', (_where, env) => {
  let t: TestApp;
  let routes: RouteServiceClient;
  let deployments: DeploymentServiceClient;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApp({ ...GUIDE_LIMITS, ...env });
    const target = `127.0.0.1:${t.app.get(DiscoveryGrpcServer).port as number}`;
    const proto = loadManagementProto().hotswap.management.v1;
    routes = new proto.RouteService(target, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS);
    deployments = new proto.DeploymentService(target, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS);
  });

  afterAll(async () => {
    routes?.close();
    deployments?.close();
    await t?.close();
  });

  const as = (sub: string, role: 'Admin' | 'Operator' | 'Viewer' = 'Admin') => ({
    token: t.tokens.issue({ sub, role }),
  });
  const newRoute = () => {
    const n = ++seq;
    return {
      name: `r${n}`,
      pathPattern: `/r${n}/*`,
      backends: [{ name: `b${n}`, url: `http://127.0.0.1:${20_000 + n}` }],
    };
  };

  it('answers the 11th route write of a user in a minute 429 with Retry-After, while another user still writes', async () => {
    const alice = as(`alice-${randomBytes(3).toString('hex')}`);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await t.request('POST', `${API}/routes`, { as: alice, body: newRoute() })).status);
    }
    expect(statuses).toEqual(Array(10).fill(201));

    const eleventh = await t.request('POST', `${API}/routes`, { as: alice, body: newRoute() });
    expectRateLimited(eleventh, 10);
    // Every write method of the class counts against the same limit, and a refused write writes nothing.
    const { rows } = await t.sql.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM gateway_routes WHERE name = $1',
      [`r${seq}`],
    );
    expect(rows[0]?.n).toBe('0');
    expectRateLimited(await t.request('DELETE', `${API}/routes/route-00000000`, { as: alice }), 10);

    const bob = await t.request('POST', `${API}/routes`, { as: as('bob'), body: newRoute() });
    expect(bob.status).toBe(201);
    expect(bob.headers.get('x-ratelimit-limit')).toBe('10');
    expect(bob.headers.get('x-ratelimit-remaining')).toBe('9');
  });

  it('does not limit reads or other writes by the route-write class', async () => {
    const carol = as('carol');
    const writes: number[] = [];
    for (let i = 0; i < 11; i++) {
      writes.push((await t.request('POST', `${API}/routes`, { as: carol, body: newRoute() })).status);
    }
    expect(writes).toEqual([...Array(10).fill(201), 429]);
    const reads = await Promise.all(Array.from({ length: 20 }, () => t.request('GET', `${API}/routes`, { as: carol })));
    expect(reads.map((res) => res.status)).toEqual(Array(20).fill(200));
    expect(reads[0]?.headers.get('x-ratelimit-limit')).toBeNull();
    const backend = await t.request('POST', `${API}/backends`, {
      as: carol,
      body: { name: 'carol-backend', url: 'http://127.0.0.1:21999' },
    });
    expect(backend.status).toBe(201);
  });

  it('allows 5 deployment operations a minute, valid or not', async () => {
    const dave = as('dave', 'Operator');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await t.request('POST', `${API}/deployments/deploy-00000000/pause`, { as: dave })).status);
    }
    expect(statuses).toEqual(Array(5).fill(404));
    expectRateLimited(await t.request('POST', `${API}/deployments`, { as: dave, body: { routeId: 'x' } }), 5);
    // Listing deployments is a read: not in the class.
    expect((await t.request('GET', `${API}/deployments`, { as: dave })).status).toBe(200);
  });

  it('answers the 11th gRPC route write of a user RESOURCE_EXHAUSTED with retry-after, while another user still writes', async () => {
    const grace = t.tokens.issue({ sub: `grace-${randomBytes(3).toString('hex')}`, role: 'Admin' });
    const createRoute = (token: string) =>
      grpcCall(routes, 'CreateRoute', { configJson: JSON.stringify(newRoute()) }, token);
    const errors = [];
    for (let i = 0; i < 10; i++) errors.push(await createRoute(grace));
    expect(errors).toEqual(Array(10).fill(null));

    expectGrpcRateLimited(await createRoute(grace), 10);
    expectGrpcRateLimited(await grpcCall(routes, 'DeleteRoute', { routeId: 'route-00000000' }, grace), 10);
    // Reads are not in the class.
    expect(await grpcCall(routes, 'ListRoutes', {}, grace)).toBeNull();
    expect(await createRoute(t.tokens.issue({ sub: 'heidi', role: 'Admin' }))).toBeNull();
  });

  it('counts the REST and gRPC calls of one user against the same window', async () => {
    const sub = `ivan-${randomBytes(3).toString('hex')}`;
    const token = t.tokens.issue({ sub, role: 'Admin' });
    for (let i = 0; i < 5; i++) {
      expect((await t.request('POST', `${API}/routes`, { as: { token }, body: newRoute() })).status).toBe(201);
      expect(await grpcCall(routes, 'CreateRoute', { configJson: JSON.stringify(newRoute()) }, token)).toBeNull();
    }
    expectRateLimited(await t.request('POST', `${API}/routes`, { as: { token }, body: newRoute() }), 10);
    expectGrpcRateLimited(await grpcCall(routes, 'CreateRoute', { configJson: JSON.stringify(newRoute()) }, token), 10);

    // Deployment operations, alternating REST and gRPC, valid or not: five in all, then both refuse.
    const pause = (via: 'rest' | 'grpc') =>
      via === 'rest'
        ? t.request('POST', `${API}/deployments/deploy-00000000/pause`, { as: { token } }).then((res) => res.status)
        : grpcCall(deployments, 'PauseDeployment', { deploymentId: 'deploy-00000000' }, token).then((e) => e?.code);
    const outcomes = [];
    for (const via of ['rest', 'grpc', 'rest', 'grpc', 'rest'] as const) outcomes.push(await pause(via));
    expect(outcomes).toEqual([404, grpc.status.NOT_FOUND, 404, grpc.status.NOT_FOUND, 404]);
    expectGrpcRateLimited(
      await grpcCall(deployments, 'ResumeDeployment', { deploymentId: 'deploy-00000000' }, token),
      5,
    );
    expectRateLimited(await t.request('POST', `${API}/deployments`, { as: { token }, body: { routeId: 'x' } }), 5);
  });

  it('documents the 429 with Retry-After on limited operations only', async () => {
    const document = (await (await fetch(`${t.baseUrl}/swagger-json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
    };
    expect(document.paths[`${API}/routes`]?.['post']?.responses['429']?.headers).toHaveProperty('Retry-After');
    expect(document.paths[`${API}/deployments/{deploymentId}/promote`]?.['post']?.responses['429']).toBeDefined();
    expect(document.paths[`${API}/routes`]?.['get']?.responses['429']).toBeUndefined();
  });

  it('allows 60 metrics and health reads a minute, and never limits anonymous health probes', async () => {
    const erin = as('erin', 'Viewer');
    const first = await Promise.all(Array.from({ length: 60 }, () => t.request('GET', `${API}/metrics`, { as: erin })));
    expect(first.map((res) => res.status)).toEqual(Array(60).fill(200));
    expectRateLimited(await t.request('GET', `${API}/health`, { as: erin }), 60);
    const probes = await Promise.all(Array.from({ length: 70 }, () => t.request('GET', `${API}/health`, { as: null })));
    expect(probes.every((res) => res.status === 200)).toBe(true);
  });
});

describe('rate limits shared by replicas through Redis', () => {
  let t: TestApp;
  let replica: NestExpressApplication;
  let replicaUrl: string;

  beforeAll(async () => {
    t = await startTestApp({ ...GUIDE_LIMITS, REDIS_URL, REDIS_KEY_PREFIX: `${REDIS_PREFIX}-shared` });
    replica = await createApp({ ...t.config, grpc: { host: '127.0.0.1', port: 0 } });
    await replica.listen(0, '127.0.0.1');
    replicaUrl = `http://127.0.0.1:${(replica.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await replica?.close();
    await t?.close();
  });

  it('counts one user on every replica together', async () => {
    const token = t.tokens.issue({ sub: 'frank', role: 'Operator' });
    const pause = (baseUrl: string) =>
      fetch(`${baseUrl}${API}/deployments/deploy-00000000/pause`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
    const statuses = [];
    for (const baseUrl of [t.baseUrl, replicaUrl, t.baseUrl, replicaUrl, t.baseUrl]) {
      statuses.push((await pause(baseUrl)).status);
    }
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    const sixth = await pause(replicaUrl);
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('rate limit configuration', () => {
  const base = { NODE_ENV: 'test', DATABASE_URL: 'postgres://127.0.0.1/x', JWT_SECRET: 's'.repeat(40) };

  it("defaults to the guide's limits", () => {
    expect(loadAppConfig(base).managementRateLimits).toEqual({ routeWrites: 10, deployments: 5, metricsAndHealth: 60 });
  });

  it('reads each limit from the environment and rejects every bad one at once', () => {
    expect(
      loadAppConfig({ ...base, MANAGEMENT_RATE_LIMIT_DEPLOYMENTS_PER_MINUTE: '7' }).managementRateLimits.deployments,
    ).toBe(7);
    let error: unknown;
    try {
      loadAppConfig({
        ...base,
        MANAGEMENT_RATE_LIMIT_ROUTE_WRITES_PER_MINUTE: '0',
        MANAGEMENT_RATE_LIMIT_METRICS_AND_HEALTH_PER_MINUTE: 'many',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.split(':')[0])).toEqual([
      'MANAGEMENT_RATE_LIMIT_ROUTE_WRITES_PER_MINUTE',
      'MANAGEMENT_RATE_LIMIT_METRICS_AND_HEALTH_PER_MINUTE',
    ]);
  });
});
