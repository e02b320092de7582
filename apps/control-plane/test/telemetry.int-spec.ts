import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  emptyLatencyHistogram,
  LATENCY_BUCKET_BOUNDS_VERSION,
  latencyBucketIndex,
  trimLatencyCounts,
} from '@hotswap/config-snapshot';
import {
  GRPC_CHANNEL_OPTIONS,
  loadTelemetryProto,
  type TelemetryAck__Output,
  type TelemetryClient,
  type TelemetryReport,
  type TrafficSeries,
} from '@hotswap/proto';
import { expectEventually } from '@hotswap/testing';
import { Client } from 'pg';
import { TelemetryService } from '../src/modules/telemetry/telemetry.service';
import { API, startTestApp, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

let db: TestDatabase;
let sql: Client;
let replica: TestApp;

beforeAll(async () => {
  db = await createTestDatabase('hotswap_telemetry');
  sql = new Client({ connectionString: db.url });
  await sql.connect();
  replica = await startReplica('telemetry-a');
});

afterAll(async () => {
  await replica?.close();
  await sql?.end();
  await db?.drop();
});

describe('telemetry from data planes', () => {
  it("sums two data planes' reports into GET metrics and the route's statistics", async () => {
    const { routeId, backendId } = await createRoute(replica);
    const before = (await replica.request('GET', `${API}/metrics`)).body;
    const [one, two] = [connectReporter(replica), connectReporter(replica)];

    // One: 100 requests to the route, 90 at 10 ms and 10 at 100 ms, 5 of them 5xx; two: 50 at 10 ms, 5 timeouts.
    one.send(
      aReport(one, 1, {
        series: [aSeries(routeId, backendId, { at10: 90, at100: 10, serverErrors: 5 })],
        breakers: { closed: 3, open: 1, halfOpen: 0 },
        backends: [{ backendId, breakerState: 'BREAKER_STATE_OPEN', inFlight: 2 }],
        activeConnections: 7,
      }),
    );
    two.send(
      aReport(two, 1, {
        series: [aSeries(routeId, backendId, { at10: 50, timeouts: 5 })],
        breakers: { closed: 4, open: 0, halfOpen: 1 },
        activeConnections: 5,
      }),
    );
    await Promise.all([one.acknowledged(1), two.acknowledged(1)]);

    const metrics = (await replica.request('GET', `${API}/metrics`)).body;
    expect(metrics.totals.requests - before.totals.requests).toBe(150);
    expect(metrics.totals.errors - before.totals.errors).toBe(10);
    expect(metrics.totals.errorsByClass.timeouts - before.totals.errorsByClass.timeouts).toBe(5);
    expect(metrics.windowSeconds).toBe(300);
    expect(metrics.circuitBreakers).toMatchObject({ closed: 7, open: 1, halfOpen: 1, openBackendIds: [backendId] });
    expect(metrics.activeConnections).toBe(12);
    expect(metrics.dataPlanesReporting).toBe(2);
    expect(metrics.backends.total).toBeGreaterThanOrEqual(1);
    expect(Object.values(metrics.backends.byHealth as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(
      metrics.backends.total,
    );

    const route = (await replica.request('GET', `${API}/routes/${routeId}`)).body;
    expect(route.statistics).toMatchObject({ windowSeconds: 300, requests: 150, errors: 10, errorRate: 0.066667 });
    expect(route.statistics.requestsPerSecond).toBeCloseTo(150 / 300, 3);
    // 140 of 150 in (8, 10] ms, 10 in (80, 100] ms.
    expect(route.statistics.latency.p50).toBeGreaterThan(8);
    expect(route.statistics.latency.p50).toBeLessThanOrEqual(10);
    expect(route.statistics.latency.p99).toBeGreaterThan(80);
    expect(route.statistics.latency.p99).toBeLessThanOrEqual(100);

    const backendRow = await sql.query<{ total_requests: string; failed_requests: string; active_connections: number }>(
      'SELECT total_requests, failed_requests, active_connections FROM backends WHERE backend_id = $1',
      [backendId],
    );
    expect(backendRow.rows[0]).toEqual({ total_requests: '150', failed_requests: '10', active_connections: 2 });
    const health = (await replica.request('GET', `${API}/health`, { as: null })).body;
    expect(health.activeConnections).toBe(12);
    expect(health.requestsPerSecond).toBeGreaterThan(0);
    one.close();
    two.close();
  });

  it('acknowledges a report once stored and counts a report sent again only once', async () => {
    const { routeId, backendId } = await createRoute(replica);
    const first = connectReporter(replica);
    first.send(aReport(first, 1, { series: [aSeries(routeId, backendId, { at10: 10 })] }));
    await first.acknowledged(1);
    first.close();

    // The same boot on a new stream (as after a broken one): report 1 again, then report 2.
    const again = connectReporter(replica, { dataPlaneId: first.dataPlaneId, bootId: first.bootId });
    again.send(aReport(again, 1, { series: [aSeries(routeId, backendId, { at10: 10 })] }));
    await again.acknowledged(1);
    again.send(aReport(again, 2, { series: [aSeries(routeId, backendId, { at10: 3 })] }));
    await again.acknowledged(2);
    expect(replica.app.get(TelemetryService).routeStatistics(routeId).requests).toBe(13);

    // A new boot starts its sequences again.
    const rebooted = connectReporter(replica, { dataPlaneId: first.dataPlaneId });
    rebooted.send(aReport(rebooted, 1, { series: [aSeries(routeId, backendId, { at10: 1 })] }));
    await rebooted.acknowledged(1);
    expect(replica.app.get(TelemetryService).routeStatistics(routeId).requests).toBe(14);
    again.close();
    rebooted.close();
  });

  it('compares the stable and canary variants of a route for the deployment engine', async () => {
    const { routeId, backendId } = await createRoute(replica);
    const since = Date.now() - 1_000;
    const reporter = connectReporter(replica);
    reporter.send(
      aReport(reporter, 1, {
        series: [
          aSeries(routeId, backendId, { at10: 95, serverErrors: 1 }),
          aSeries(routeId, 'canary-backend', { at100: 20, serverErrors: 4, variant: 'TRAFFIC_VARIANT_CANARY' }),
        ],
      }),
    );
    await reporter.acknowledged(1);

    const comparison = await replica.app.get(TelemetryService).compareVariants(routeId, since);
    expect(comparison.stable).toMatchObject({ requestCount: 95, errorCount: 1, errorRate: 0.010526 });
    expect(comparison.canary).toMatchObject({ requestCount: 20, errorCount: 4, errorRate: 0.2 });
    expect(comparison.preview).toMatchObject({ requestCount: 0, errorRate: 0, p99: 0 });
    expect(comparison.stable.p99).toBeLessThanOrEqual(10);
    expect(comparison.canary.p99).toBeGreaterThan(80);
    // An older start than the in-memory horizon reads PostgreSQL: the same figures.
    const fromDatabase = await replica.app.get(TelemetryService).compareVariants(routeId, Date.now() - 30 * 60_000);
    expect(fromDatabase.canary).toMatchObject({ requestCount: 20, errorCount: 4 });
    expect(fromDatabase.stable).toMatchObject({ requestCount: 95, errorCount: 1 });
    reporter.close();
  });

  it('keeps the stored windows across a control-plane restart', async () => {
    const { routeId, backendId } = await createRoute(replica);
    const reporter = connectReporter(replica);
    reporter.send(aReport(reporter, 1, { series: [aSeries(routeId, backendId, { at10: 40, serverErrors: 4 })] }));
    await reporter.acknowledged(1);
    reporter.close();

    await replica.close();
    replica = await startReplica('telemetry-a-restarted');
    const route = (await replica.request('GET', `${API}/routes/${routeId}`)).body;
    expect(route.statistics).toMatchObject({ requests: 40, errors: 4, errorRate: 0.1 });
  });

  it('shows each replica the reports the other one received', async () => {
    const other = await startReplica('telemetry-b');
    try {
      const { routeId, backendId } = await createRoute(replica);
      const [onA, onB] = [connectReporter(replica), connectReporter(other)];
      onA.send(aReport(onA, 1, { series: [aSeries(routeId, backendId, { at10: 30 })] }));
      onB.send(aReport(onB, 1, { series: [aSeries(routeId, backendId, { at10: 12, serverErrors: 3 })] }));
      await Promise.all([onA.acknowledged(1), onB.acknowledged(1)]);
      for (const target of [replica, other]) {
        await expectEventually(() =>
          expect(target.app.get(TelemetryService).routeStatistics(routeId)).toMatchObject({ requests: 42, errors: 3 }),
        );
      }
      onA.close();
      onB.close();
    } finally {
      await other.close();
    }
  });

  it('ends a stream whose report has no identity with INVALID_ARGUMENT', async () => {
    const reporter = connectReporter(replica, { dataPlaneId: '' });
    reporter.send(aReport(reporter, 0, { series: [] }));
    const status = await reporter.ended();
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toContain('dataPlaneId');
    expect(status.details).toContain('sequence');
  });

  it('answers 400 naming window for a window that does not parse, and honours a valid one', async () => {
    const bad = await replica.request('GET', `${API}/metrics?window=soon`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'window' })]);
    const ok = await replica.request('GET', `${API}/metrics?window=60s`);
    expect(ok.status).toBe(200);
    expect(ok.body.windowSeconds).toBe(60);
    expect((await replica.request('GET', `${API}/metrics`, { as: null })).status).toBe(401);
    expect((await replica.request('GET', `${API}/metrics`, { as: 'Viewer' })).status).toBe(200);
  });

  it('still serves Prometheus text at /metrics', async () => {
    const response = await fetch(`${replica.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('gateway_telemetry_streams');
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** A control plane of the gateway on the shared database; its data-plane streams need no token. */
function startReplica(instanceId: string): Promise<TestApp> {
  return startTestApp({ CONTROL_PLANE_INSTANCE_ID: instanceId, DATA_PLANE_TOKENS: '' }, { database: db });
}

async function createRoute(target: TestApp): Promise<{ routeId: string; backendId: string }> {
  const name = `telemetry-${randomUUID().slice(0, 8)}`;
  const created = await target.request('POST', `${API}/routes`, {
    body: { name, pathPattern: `/${name}/**`, backends: [{ name, url: `http://127.0.0.1:9/${name}` }] },
  });
  expect(created.status).toBe(201);
  return { routeId: created.body.routeId, backendId: created.body.backends[0].backendId };
}

/** A data plane's side of the telemetry stream: a real grpc-js client of `proto/`. */
interface TestReporter {
  readonly dataPlaneId: string;
  readonly bootId: string;
  send(report: TelemetryReport): void;
  /** Resolves once the control plane acknowledged `sequence`. */
  acknowledged(sequence: number): Promise<void>;
  ended(): Promise<grpc.StatusObject>;
  close(): void;
}

function connectReporter(target: TestApp, identity: { dataPlaneId?: string; bootId?: string } = {}): TestReporter {
  const { Telemetry } = loadTelemetryProto().hotswap.telemetry.v1;
  const client: TelemetryClient = new Telemetry(target.grpcTarget, grpc.credentials.createInsecure(), {
    ...GRPC_CHANNEL_OPTIONS,
  });
  const call = client.ReportTelemetry();
  let highestAck = 0;
  let status: grpc.StatusObject | undefined;
  call.on('data', (ack: TelemetryAck__Output) => {
    highestAck = Math.max(highestAck, ack.sequence);
  });
  call.on('error', () => undefined);
  call.on('status', (s: grpc.StatusObject) => {
    status = s;
  });
  return {
    dataPlaneId: identity.dataPlaneId ?? `dp-${randomUUID().slice(0, 8)}`,
    bootId: identity.bootId ?? randomUUID(),
    send: (report) => call.write(report),
    acknowledged: (sequence) => expectEventually(() => expect(highestAck).toBeGreaterThanOrEqual(sequence)),
    async ended() {
      await expectEventually(() => expect(status).toBeDefined());
      return status as grpc.StatusObject;
    },
    close() {
      call.end();
      client.close();
    },
  };
}

function aReport(
  reporter: TestReporter,
  sequence: number,
  fields: Partial<TelemetryReport> & { series: TrafficSeries[] },
): TelemetryReport {
  const end = Date.now();
  return {
    dataPlaneId: reporter.dataPlaneId,
    bootId: reporter.bootId,
    sequence,
    windowStartMs: end - 5_000,
    windowEndMs: end,
    configVersion: 1,
    latencyBoundsVersion: LATENCY_BUCKET_BOUNDS_VERSION,
    breakers: { closed: 0, open: 0, halfOpen: 0 },
    ...fields,
  };
}

function aSeries(
  routeId: string,
  backendId: string,
  counts: {
    at10?: number;
    at100?: number;
    serverErrors?: number;
    timeouts?: number;
    variant?: TrafficSeries['variant'];
  },
): TrafficSeries {
  const latencyCounts = emptyLatencyHistogram();
  latencyCounts[latencyBucketIndex(10)] = counts.at10 ?? 0;
  latencyCounts[latencyBucketIndex(100)] = counts.at100 ?? 0;
  const requests = (counts.at10 ?? 0) + (counts.at100 ?? 0);
  return {
    routeId,
    backendId,
    variant: counts.variant ?? 'TRAFFIC_VARIANT_STABLE',
    requests,
    serverErrors: counts.serverErrors ?? 0,
    timeouts: counts.timeouts ?? 0,
    latencyCounts: trimLatencyCounts(latencyCounts),
    latencySumMs: (counts.at10 ?? 0) * 10 + (counts.at100 ?? 0) * 100,
  };
}
