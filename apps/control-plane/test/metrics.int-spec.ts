import { randomBytes } from 'node:crypto';
import { expectEventually, scrapeMetrics, sumOfSamples, type PrometheusSample } from '@hotswap/testing';
import { Redis } from 'ioredis';
import { startInProcess, type InProcessDataPlane } from '../../data-plane/test/support/data-plane-harness';
import { DiscoveryGrpcServer } from '../src/modules/fleet/discovery.grpc';
import { API, TEST_DATA_PLANE_TOKEN, startTestApp, type TestApp } from './support/test-app';

async function createRoute(t: TestApp, name: string): Promise<string> {
  const route = await t.request('POST', `${API}/routes`, {
    body: { name, pathPattern: `/${name}/**`, backends: [{ name: `${name}-stable`, url: 'http://127.0.0.1:9' }] },
  });
  expect(route.status).toBe(201);
  return route.body.routeId as string;
}

/** A route `name` with a version 2 on another backend, being deployed as a canary at 25% for an hour. */
async function startCanary(t: TestApp, name: string): Promise<string> {
  const routeId = await createRoute(t, name);
  const canary = await t.request('POST', `${API}/backends`, {
    body: { name: `${name}-canary`, url: 'http://127.0.0.1:9' },
  });
  expect(canary.status).toBe(201);
  const version = await t.request('POST', `${API}/routes/${routeId}/versions`, {
    body: { backendIds: [canary.body.backendId], version: '2.0' },
    as: 'Operator',
  });
  expect(version.status).toBe(201);
  const created = await t.request('POST', `${API}/deployments`, {
    body: {
      routeId,
      configVersion: '2.0',
      strategy: 'Canary',
      environment: 'staging',
      phases: [
        { name: 'canary-25', trafficPercentage: 25, duration: '1h' },
        { name: 'full', trafficPercentage: 100 },
      ],
    },
    as: 'Operator',
  });
  expect(created.status).toBe(201);
  expect(created.body.status).toBe('InProgress');
  return created.body.deploymentId as string;
}

const valueIn = async (t: TestApp, name: string, labels: Record<string, string> = {}) =>
  sumOfSamples(await scrapeMetrics(`${t.baseUrl}/metrics`), name, labels);

describe('control-plane metrics', () => {
  let t: TestApp;
  let seq = 0;
  const metrics = (): Promise<PrometheusSample[]> => scrapeMetrics(`${t.baseUrl}/metrics`);
  const value = (name: string, labels: Record<string, string> = {}) => valueIn(t, name, labels);

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('observes config propagation from commit to each data plane Ack, and counts the data planes by state', async () => {
    await createRoute(t, `propagated-${++seq}`);
    expect(await value('gateway_config_propagation_seconds_count')).toBe(0);
    let dataPlane: InProcessDataPlane | undefined;
    try {
      dataPlane = await startInProcess({
        env: {
          CONTROL_PLANE_GRPC_URL: `127.0.0.1:${t.app.get(DiscoveryGrpcServer).port}`,
          CONTROL_PLANE_TOKEN: TEST_DATA_PLANE_TOKEN,
        },
      });
      // Its Hello brings the newest snapshot, which it acknowledges.
      await expectEventually(async () => {
        const samples = await metrics();
        expect(sumOfSamples(samples, 'gateway_config_propagation_seconds_count')).toBe(1);
        expect(sumOfSamples(samples, 'gateway_data_planes', { state: 'in_sync' })).toBe(1);
        expect(sumOfSamples(samples, 'gateway_data_planes', { state: 'lagging' })).toBe(0);
      });
      // A change committed now reaches it and is acknowledged again.
      await createRoute(t, `propagated-${++seq}`);
      await expectEventually(async () => expect(await value('gateway_config_propagation_seconds_count')).toBe(2));
      const sum = await value('gateway_config_propagation_seconds_sum');
      expect(sum).toBeGreaterThan(0);
    } finally {
      await dataPlane?.stop();
    }
    await expectEventually(async () => expect(await value('gateway_data_planes', { state: 'in_sync' })).toBe(0));
  });

  it('reports deployments by state, the traffic share of one in flight, its waiting job, and rollbacks by route', async () => {
    const name = `deployed-${++seq}`;
    const inProgressBefore = await value('gateway_deployments', { state: 'InProgress' });
    const rolledBackBefore = await value('gateway_deployments', { state: 'RolledBack' });
    const deploymentId = await startCanary(t, name);
    let samples = await metrics();
    expect(sumOfSamples(samples, 'gateway_deployments', { state: 'InProgress' })).toBe(inProgressBefore + 1);
    expect(sumOfSamples(samples, 'gateway_deployment_traffic_percent', { route: name, strategy: 'Canary' })).toBe(25);
    // The phase's next step waits on the in-process scheduler; the health checks run on timers, with no queue.
    expect(sumOfSamples(samples, 'gateway_jobs_waiting', { queue: 'deployments' })).toBeGreaterThanOrEqual(1);
    expect(samples.filter((s) => s.name === 'gateway_jobs_waiting').map((s) => s.labels.queue)).toContain(
      'health-checks',
    );
    expect(sumOfSamples(samples, 'gateway_deployment_rollbacks_total', { route: name })).toBe(0);

    const rolledBack = await t.request('POST', `${API}/deployments/${deploymentId}/rollback`, {
      body: { reason: 'metrics test' },
      as: 'Operator',
    });
    expect(rolledBack.status).toBe(200);
    samples = await metrics();
    expect(sumOfSamples(samples, 'gateway_deployments', { state: 'InProgress' })).toBe(inProgressBefore);
    expect(sumOfSamples(samples, 'gateway_deployments', { state: 'RolledBack' })).toBe(rolledBackBefore + 1);
    expect(samples.filter((s) => s.name === 'gateway_deployment_traffic_percent' && s.labels.route === name)).toEqual(
      [],
    );
    expect(sumOfSamples(samples, 'gateway_deployment_rollbacks_total', { route: name })).toBe(1);
  });

  it('counts API requests by method, route template and status class', async () => {
    const labels = { method: 'GET', route: `${API}/routes/:routeId`, status_class: '4xx' };
    const before = await value('http_requests_total', labels);
    expect((await t.request('GET', `${API}/routes/no-such-route`)).status).toBe(404);
    await expectEventually(async () => expect(await value('http_requests_total', labels)).toBe(before + 1));
    expect(await value('http_request_duration_seconds_count', labels)).toBe(before + 1);
  });
});

describe('job-queue metrics on BullMQ', () => {
  const prefix = `hotswap-test-metrics-${randomBytes(4).toString('hex')}`;
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: process.env.REDIS_URL as string, REDIS_KEY_PREFIX: prefix });
  });

  afterAll(async () => {
    await t?.close();
    const redis = new Redis(process.env.REDIS_URL as string);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('counts the delayed job of a deployment in flight as waiting in the deployments queue', async () => {
    const before = await valueIn(t, 'gateway_jobs_waiting', { queue: 'deployments' });
    await startCanary(t, 'queued');
    await expectEventually(async () =>
      expect(await valueIn(t, 'gateway_jobs_waiting', { queue: 'deployments' })).toBe(before + 1),
    );
    expect(await valueIn(t, 'gateway_jobs_failed_total', { queue: 'deployments' })).toBe(0);
  });
});
