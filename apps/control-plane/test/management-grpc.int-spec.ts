import * as grpc from '@grpc/grpc-js';
import {
  GRPC_CHANNEL_OPTIONS,
  loadManagementProto,
  type BackendServiceClient,
  type DeploymentEvent__Output,
  type DeploymentServiceClient,
  type RouteServiceClient,
} from '@hotswap/proto';
import type { Role } from '../src/modules/auth/roles';
import { DiscoveryGrpcServer } from '../src/modules/fleet/discovery.grpc';
import { API, latestSnapshotVersion, startTestApp, type TestApp } from './support/test-app';

// Replies are asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let t: TestApp;
let routes: RouteServiceClient;
let backends: BackendServiceClient;
let deployments: DeploymentServiceClient;

beforeAll(async () => {
  t = await startTestApp({ DEPLOYMENT_ANALYSIS_INTERVAL: '50ms' });
  const target = `127.0.0.1:${t.app.get(DiscoveryGrpcServer).port as number}`;
  const proto = loadManagementProto().hotswap.management.v1;
  const credentials = grpc.credentials.createInsecure();
  routes = new proto.RouteService(target, credentials, GRPC_CHANNEL_OPTIONS);
  backends = new proto.BackendService(target, credentials, GRPC_CHANNEL_OPTIONS);
  deployments = new proto.DeploymentService(target, credentials, GRPC_CHANNEL_OPTIONS);
});

afterAll(async () => {
  for (const client of [routes, backends, deployments]) client?.close();
  await t?.close();
});

function metadataFor(as: Role | { sub: string; role: Role } | null): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (as === null) return metadata;
  const claims = typeof as === 'string' ? { sub: `grpc-${as.toLowerCase()}`, role: as } : as;
  metadata.set('authorization', `Bearer ${t.tokens.issue(claims)}`);
  return metadata;
}

/** A unary call: the reply, or the error with its status and trailing metadata. */
function call<Req>(
  client: grpc.Client,
  method: string,
  request: Req,
  as: Role | { sub: string; role: Role } | null = 'Admin',
): Promise<{ ok: true; reply: Json } | { ok: false; error: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const fn = (client as unknown as Record<string, (...args: unknown[]) => void>)[method] as (
      ...args: unknown[]
    ) => void;
    fn.call(client, request, metadataFor(as), (error: grpc.ServiceError | null, reply: Json) =>
      resolve(error ? { ok: false, error } : { ok: true, reply }),
    );
  });
}

async function ok<Req>(client: grpc.Client, method: string, request: Req, as?: Role | { sub: string; role: Role }) {
  const result = await call(client, method, request, as);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code} ${result.error.details}`);
  return result.reply;
}

async function failed<Req>(client: grpc.Client, method: string, request: Req, as: Role | null = 'Admin') {
  const result = await call(client, method, request, as);
  if (result.ok) throw new Error(`${method} unexpectedly succeeded`);
  return result.error;
}

describe('gRPC management API', () => {
  it('creates a route over gRPC that REST reads the same, audited with the caller', async () => {
    const created = await ok(routes, 'CreateRoute', {
      configJson: JSON.stringify({
        name: 'grpc-orders',
        pathPattern: '/grpc-orders/**',
        backends: [{ name: 'grpc-orders-a', url: 'http://127.0.0.1:41001' }],
      }),
    });
    expect(created).toMatchObject({ name: 'grpc-orders', liveVersionNumber: 1, isEnabled: true });
    const rest = await t.request('GET', `${API}/routes/${created.routeId}`);
    expect(rest.status).toBe(200);
    const { statistics: _restStats, ...restView } = rest.body;
    const { statistics: _grpcStats, ...grpcView } = JSON.parse(created.routeJson);
    expect(grpcView).toEqual(restView);

    const got = await ok(routes, 'GetRoute', { routeId: created.routeId }, 'Viewer');
    expect(got.routeId).toBe(created.routeId);
    const list = await ok(routes, 'ListRoutes', { limit: 10 }, 'Viewer');
    expect(list).toMatchObject({ total: 1, limit: 10, offset: 0 });
    expect(list.items.map((item: Json) => item.routeId)).toEqual([created.routeId]);

    const updated = await ok(routes, 'UpdateRoute', {
      routeId: created.routeId,
      configJson: JSON.stringify({ timeoutSeconds: 7 }),
    });
    expect(updated.liveVersionNumber).toBe(2);
    expect((await t.request('GET', `${API}/routes/${created.routeId}`)).body.timeoutSeconds).toBe(7);

    const { rows } = await t.sql.query(
      "SELECT event_type, user_id FROM audit_logs WHERE entity_type = 'Route' AND entity_id = $1 ORDER BY id",
      [created.routeId],
    );
    expect(rows).toEqual([
      { event_type: 'RouteCreated', user_id: 'grpc-admin' },
      { event_type: 'RouteUpdated', user_id: 'grpc-admin' },
    ]);
  });

  it('manages backends: create, get, list, update, delete', async () => {
    const created = await ok(backends, 'CreateBackend', {
      configJson: JSON.stringify({ name: 'grpc-b', url: 'http://127.0.0.1:41002' }),
    });
    expect(created).toMatchObject({ name: 'grpc-b', healthStatus: 'Unknown', isEnabled: true });
    expect((await ok(backends, 'GetBackend', { backendId: created.backendId }, 'Viewer')).url).toBe(
      'http://127.0.0.1:41002',
    );
    const disabled = await ok(backends, 'UpdateBackend', {
      backendId: created.backendId,
      configJson: JSON.stringify({ isEnabled: false }),
    });
    expect(disabled.isEnabled).toBe(false);
    const list = await ok(backends, 'ListBackends', { isEnabled: false }, 'Operator');
    expect(list.items.map((item: Json) => item.backendId)).toEqual([created.backendId]);
    await ok(backends, 'DeleteBackend', { backendId: created.backendId });
    const gone = await failed(backends, 'GetBackend', { backendId: created.backendId });
    expect(gone.code).toBe(grpc.status.NOT_FOUND);
    expect(gone.metadata.get('x-error-code')).toEqual(['NOT_FOUND']);
  });

  it('refuses invalid input with INVALID_ARGUMENT, VALIDATION_ERROR and the fields in metadata; nothing changes', async () => {
    const before = await latestSnapshotVersion(t.sql);
    const error = await failed(routes, 'CreateRoute', {
      configJson: JSON.stringify({ name: 'bad', pathPattern: 'no-slash', timeoutSeconds: 0, backendIds: ['x'] }),
    });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.metadata.get('x-error-code')).toEqual(['VALIDATION_ERROR']);
    const details = JSON.parse(error.metadata.get('x-error-details')[0] as string) as Array<{ field: string }>;
    expect(details.map((detail) => detail.field)).toEqual(expect.arrayContaining(['pathPattern', 'timeoutSeconds']));

    const notJson = await failed(backends, 'CreateBackend', { configJson: '{nope' });
    expect(notJson.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(JSON.parse(notJson.metadata.get('x-error-details')[0] as string)).toEqual([
      { field: 'configJson', message: expect.stringContaining('is not valid JSON') },
    ]);
    const badQuery = await failed(deployments, 'ListDeployments', { status: 'Sleeping' }, 'Viewer');
    expect(badQuery.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await latestSnapshotVersion(t.sql)).toBe(before);
  });

  it('maps a duplicate name to ALREADY_EXISTS', async () => {
    const body = { configJson: JSON.stringify({ name: 'dup', url: 'http://127.0.0.1:41003' }) };
    await ok(backends, 'CreateBackend', body);
    const error = await failed(backends, 'CreateBackend', body);
    expect(error.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(error.metadata.get('x-error-code')).toEqual(['CONFLICT']);
  });

  it('answers UNAUTHENTICATED without a valid token and PERMISSION_DENIED to a role the REST API refuses', async () => {
    const none = await failed(routes, 'ListRoutes', {}, null);
    expect(none.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(none.metadata.get('x-error-code')).toEqual(['UNAUTHORIZED']);
    const metadata = new grpc.Metadata();
    metadata.set('authorization', 'Bearer not-a-token');
    const forged = await new Promise<grpc.ServiceError>((resolve) =>
      routes.ListRoutes({}, metadata, (error) => resolve(error as grpc.ServiceError)),
    );
    expect(forged.code).toBe(grpc.status.UNAUTHENTICATED);

    const viewer = await failed(routes, 'CreateRoute', { configJson: '{}' }, 'Viewer');
    expect(viewer.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(viewer.metadata.get('x-error-code')).toEqual(['FORBIDDEN']);
    const operator = await failed(backends, 'DeleteBackend', { backendId: 'whatever' }, 'Operator');
    expect(operator.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('runs a deployment over gRPC while WatchDeployment streams its transitions to Completed', async () => {
    const route = await ok(routes, 'CreateRoute', {
      configJson: JSON.stringify({
        name: 'grpc-deploy',
        pathPattern: '/grpc-deploy/**',
        backends: [{ name: 'grpc-stable', url: 'http://127.0.0.1:41010' }],
      }),
    });
    const canary = await ok(backends, 'CreateBackend', {
      configJson: JSON.stringify({ name: 'grpc-canary', url: 'http://127.0.0.1:41011' }),
    });
    const created = await ok(
      deployments,
      'CreateDeployment',
      {
        requestJson: JSON.stringify({
          routeId: route.routeId,
          config: { backendIds: [canary.backendId] },
          strategy: 'Canary',
          environment: 'production',
          phases: [
            { name: 'canary-10', trafficPercentage: 10, duration: '200ms' },
            { name: 'full', trafficPercentage: 100 },
          ],
          thresholds: { minRequests: 0 },
        }),
      },
      { sub: 'alice', role: 'Admin' },
    );
    expect(created).toMatchObject({ status: 'Pending', routeId: route.routeId, strategy: 'Canary' });

    const events: DeploymentEvent__Output[] = [];
    const stream = deployments.WatchDeployment(
      { deploymentId: created.deploymentId, metricsIntervalMs: 100 },
      metadataFor('Viewer'),
    );
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('data', (event: DeploymentEvent__Output) => events.push(event));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));

    const viewer = await failed(deployments, 'ApproveDeployment', { deploymentId: created.deploymentId }, 'Viewer');
    expect(viewer.code).toBe(grpc.status.PERMISSION_DENIED);
    const self = await call(
      deployments,
      'ApproveDeployment',
      { deploymentId: created.deploymentId },
      {
        sub: 'alice',
        role: 'Admin',
      },
    );
    expect(!self.ok && self.error.code).toBe(grpc.status.PERMISSION_DENIED);
    const approved = await ok(
      deployments,
      'ApproveDeployment',
      { deploymentId: created.deploymentId, comment: 'go' },
      { sub: 'bob', role: 'Admin' },
    );
    expect(approved.status).toBe('InProgress');
    await ended;

    expect(events[0]).toMatchObject({ event: 'state', state: { status: 'Pending' } });
    const transitions = events.filter((event) => event.event === 'transition').map((event) => event.transition);
    expect(transitions.map((transition) => transition?.toStatus)).toEqual(
      expect.arrayContaining(['Approved', 'InProgress', 'Completed']),
    );
    expect(transitions.at(-1)).toMatchObject({ toStatus: 'Completed' });
    const last = events.at(-1);
    expect(last).toMatchObject({ event: 'state', state: { status: 'Completed' } });
    const rest = await t.request('GET', `${API}/deployments/${created.deploymentId}`);
    expect(rest.body.status).toBe('Completed');
    // The creation (Pending) was part of the first state; every later transition came on the stream.
    expect(rest.body.history.slice(1).map((entry: Json) => entry.toStatus)).toEqual(
      transitions.map((transition) => transition?.toStatus),
    );
    const finished = await ok(deployments, 'GetDeployment', { deploymentId: created.deploymentId }, 'Viewer');
    expect(finished.status).toBe('Completed');
    expect(JSON.parse(finished.deploymentJson).history).toHaveLength(transitions.length + 1);

    const promoteDone = await failed(deployments, 'PromoteDeployment', { deploymentId: created.deploymentId });
    expect(promoteDone.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(promoteDone.metadata.get('x-error-code')).toEqual(['CONFLICT']);
    const list = await ok(deployments, 'ListDeployments', { routeId: route.routeId, status: 'Completed' }, 'Viewer');
    expect(list.items.map((item: Json) => item.deploymentId)).toEqual([created.deploymentId]);
  });

  it('streams metrics while a deployment runs, and ends the watch when it is rolled back', async () => {
    const route = await ok(routes, 'CreateRoute', {
      configJson: JSON.stringify({
        name: 'grpc-watch',
        pathPattern: '/grpc-watch/**',
        backends: [{ name: 'grpc-watch-a', url: 'http://127.0.0.1:41020' }],
      }),
    });
    const created = await ok(deployments, 'CreateDeployment', {
      requestJson: JSON.stringify({
        routeId: route.routeId,
        config: { timeoutSeconds: 9 },
        strategy: 'Canary',
        environment: 'staging',
        phases: [
          { name: 'canary-10', trafficPercentage: 10, duration: '1h' },
          { name: 'full', trafficPercentage: 100 },
        ],
      }),
    });
    expect(created.status).toBe('InProgress');
    const events: DeploymentEvent__Output[] = [];
    const stream = deployments.WatchDeployment(
      { deploymentId: created.deploymentId, metricsIntervalMs: 100 },
      metadataFor('Operator'),
    );
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('end', resolve);
    });
    await new Promise<void>((resolve) =>
      stream.on('data', (event: DeploymentEvent__Output) => {
        events.push(event);
        if (event.event === 'metrics') resolve();
      }),
    );
    const metrics = events.find((event) => event.event === 'metrics')?.metrics;
    expect(JSON.parse(metrics?.metricsJson as string)).toMatchObject({ deploymentId: created.deploymentId });

    const paused = await ok(deployments, 'PauseDeployment', { deploymentId: created.deploymentId, reason: 'look' });
    expect(paused.status).toBe('Paused');
    expect((await ok(deployments, 'ResumeDeployment', { deploymentId: created.deploymentId })).status).toBe(
      'InProgress',
    );
    const rolledBack = await ok(deployments, 'RollbackDeployment', {
      deploymentId: created.deploymentId,
      reason: 'enough',
    });
    expect(rolledBack.status).toBe('RolledBack');
    await ended;
    const statuses = events.filter((event) => event.event === 'transition').map((event) => event.transition?.toStatus);
    expect(statuses.slice(-3)).toEqual(['Paused', 'InProgress', 'RolledBack']);
    expect(events.at(-1)).toMatchObject({ event: 'state', state: { status: 'RolledBack' } });

    const unknown = deployments.WatchDeployment({ deploymentId: 'deploy-nope' }, metadataFor('Viewer'));
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      unknown.on('error', resolve);
      unknown.on('data', () => undefined);
    });
    expect(error.code).toBe(grpc.status.NOT_FOUND);
  });

  it('refuses UpdateRoute and DeleteRoute with FAILED_PRECONDITION while a deployment holds the route', async () => {
    const route = await ok(routes, 'CreateRoute', {
      configJson: JSON.stringify({
        name: 'grpc-held',
        pathPattern: '/grpc-held/**',
        backends: [{ name: 'grpc-held-a', url: 'http://127.0.0.1:41030' }],
      }),
    });
    const created = await ok(deployments, 'CreateDeployment', {
      requestJson: JSON.stringify({ routeId: route.routeId, config: { timeoutSeconds: 9 }, environment: 'production' }),
    });
    expect(created.status).toBe('Pending');
    const before = await latestSnapshotVersion(t.sql);

    const update = await failed(routes, 'UpdateRoute', {
      routeId: route.routeId,
      configJson: JSON.stringify({ timeoutSeconds: 7 }),
    });
    const remove = await failed(routes, 'DeleteRoute', { routeId: route.routeId });
    for (const error of [update, remove]) {
      expect(error.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(error.metadata.get('x-error-code')).toEqual(['ROUTE_IN_DEPLOYMENT']);
      expect(JSON.parse(error.metadata.get('x-error-details')[0] as string)).toEqual({
        routeId: route.routeId,
        deploymentId: created.deploymentId,
        status: 'Pending',
      });
    }
    expect(await latestSnapshotVersion(t.sql)).toBe(before);
    expect(await ok(routes, 'GetRoute', { routeId: route.routeId }, 'Viewer')).toMatchObject({ liveVersionNumber: 1 });
  });
});
