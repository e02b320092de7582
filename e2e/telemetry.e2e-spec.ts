import { expectEventually, findFreePort, send, startTestBackend, type TestBackend } from '@hotswap/testing';
import { Client } from 'pg';
import {
  createEmptyDatabase,
  GatewayHarness,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from './support/gateway-harness';

/** Reports every 200 ms: what reaches the control plane shows up within a second or two. */
const FAST_TELEMETRY = { TELEMETRY_INTERVAL_MS: '200' };
const MANY_ROUTES = 12;

describe('telemetry from the data planes', () => {
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let backend: TestBackend;
  let ports: { http: number; grpc: number };
  let controlPlane: ControlPlaneProcess;
  let one: DataPlaneProcess;
  let two: DataPlaneProcess;
  const routeIds = new Map<string, string>();

  beforeAll(async () => {
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    // `/fail` answers 500, anything else 200.
    backend = await startTestBackend('telemetry', (req, res) => {
      const status = req.url?.includes('/fail') ? 500 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status }));
    });
    ports = { http: await findFreePort(), grpc: await findFreePort() };
    controlPlane = await harness.startControlPlane(ports);
    const names = ['main', 'restart', 'workers', ...Array.from({ length: MANY_ROUTES }, (_, index) => `many-${index}`)];
    for (const name of names) {
      const { status, body } = await harness.api(controlPlane, 'POST', '/routes', {
        name: `telemetry-${name}`,
        pathPattern: `/${name}/**`,
        backends: [{ name: 'telemetry', url: backend.url }],
      });
      expect(status).toBe(201);
      routeIds.set(name, body.routeId as string);
    }
    one = await harness.startDataPlane({
      id: 'dp-telemetry-1',
      grpcTarget: controlPlane.grpcTarget,
      env: FAST_TELEMETRY,
    });
    two = await harness.startDataPlane({
      id: 'dp-telemetry-2',
      grpcTarget: controlPlane.grpcTarget,
      env: FAST_TELEMETRY,
    });
    await Promise.all([one, two].map((dataPlane) => expectNewestConfig(dataPlane)));
  });

  afterAll(async () => {
    await harness?.stopAll();
    await backend?.close();
    await database?.drop();
  });

  /** Waits until the data plane runs the newest config, without sending traffic (it would be counted). */
  async function expectNewestConfig(dataPlane: DataPlaneProcess): Promise<void> {
    const { body } = await harness.api(controlPlane, 'GET', '/config/versions?limit=1');
    const newest = body.items[0].version as number;
    await expectEventually(async () => expect(await dataPlane.activeVersion()).toBe(newest), { timeoutMs: 20_000 });
  }

  async function sendTraffic(dataPlane: DataPlaneProcess, name: string, ok: number, failing: number): Promise<void> {
    // Failures alternate with successes: consecutive ones would open the backend's circuit breaker (503s).
    for (let index = 0; index < ok + failing; index++) {
      const isFailing = index % 2 === 0 && index / 2 < failing;
      const response = await send(`${dataPlane.proxyUrl}/${name}/${isFailing ? 'fail' : 'ok'}/${index}`);
      expect(response.status).toBe(isFailing ? 500 : 200);
    }
  }

  async function statisticsOf(name: string) {
    const { status, body } = await harness.api(controlPlane, 'GET', `/routes/${routeIds.get(name)}`);
    expect(status).toBe(200);
    return body.statistics;
  }

  it("counts the traffic of two data planes, backend 500s as errors, in GET metrics and the route's statistics", async () => {
    const before = (await harness.api(controlPlane, 'GET', '/metrics')).body;
    await Promise.all([sendTraffic(one, 'main', 20, 10), sendTraffic(two, 'main', 15, 5)]);

    await expectEventually(
      async () => {
        const statistics = await statisticsOf('main');
        expect(statistics).toMatchObject({ requests: 50, errors: 15, errorRate: 0.3 });
        expect(statistics.errorsByClass).toEqual({ serverErrors: 15, connectErrors: 0, timeouts: 0 });
        expect(statistics.latency.p99).toBeGreaterThan(0);
      },
      { timeoutMs: 15_000 },
    );
    const metrics = (await harness.api(controlPlane, 'GET', '/metrics')).body;
    expect(metrics.totals.requests - before.totals.requests).toBe(50);
    expect(metrics.totals.errors - before.totals.errors).toBe(15);
    expect(metrics.totals.requestsPerSecond).toBeGreaterThan(0);
    expect(metrics.latency.p50).toBeGreaterThan(0);
    expect(metrics.dataPlanesReporting).toBeGreaterThanOrEqual(2);
    expect(metrics.backends.total).toBe(1);
    expect(metrics.circuitBreakers.open).toBe(0);
  });

  it("reports the traffic of every worker of a clustered data plane as one data plane's", async () => {
    const clustered = await harness.startDataPlane({
      id: 'dp-telemetry-workers',
      grpcTarget: controlPlane.grpcTarget,
      env: { ...FAST_TELEMETRY, GATEWAY_WORKERS: '2' },
    });
    try {
      await expectNewestConfig(clustered);
      // Separate connections: the kernel spreads them over both workers.
      await Promise.all(Array.from({ length: 4 }, () => sendTraffic(clustered, 'workers', 8, 2)));
      await expectEventually(
        async () => expect(await statisticsOf('workers')).toMatchObject({ requests: 40, errors: 8, errorRate: 0.2 }),
        { timeoutMs: 15_000 },
      );
    } finally {
      await clustered.stop();
    }
  });

  it('keeps the stored windows across a control-plane restart', async () => {
    const reporter = await harness.startDataPlane({
      id: 'dp-telemetry-restart',
      grpcTarget: controlPlane.grpcTarget,
      env: FAST_TELEMETRY,
    });
    await expectNewestConfig(reporter);
    await sendTraffic(reporter, 'restart', 8, 2);
    await expectEventually(async () => expect(await statisticsOf('restart')).toMatchObject({ requests: 10 }), {
      timeoutMs: 15_000,
    });
    // Its last report goes out as it stops; nothing else sends traffic to this route.
    await reporter.stop();
    const stored = await statisticsOf('restart');

    await controlPlane.stop();
    controlPlane = await harness.startControlPlane(ports);
    expect(await statisticsOf('restart')).toEqual(stored);
    expect(stored).toMatchObject({ requests: 10, errors: 2, errorRate: 0.2 });
  });

  it('sends a bounded report however many routes carry traffic, with exact totals', async () => {
    const capped = await harness.startDataPlane({
      id: 'dp-telemetry-capped',
      grpcTarget: controlPlane.grpcTarget,
      // One window for the whole burst; at most 5 series per report (4 itemized and the overflow).
      env: { TELEMETRY_INTERVAL_MS: '3000', TELEMETRY_MAX_SERIES: '5' },
    });
    await expectNewestConfig(capped);
    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    try {
      const overflowBefore = await overflowRequests(sql);
      // Route many-i gets i + 1 requests: the busiest are itemized.
      await Promise.all(
        Array.from({ length: MANY_ROUTES }, (_, index) =>
          Promise.all(Array.from({ length: index + 1 }, () => send(`${capped.proxyUrl}/many-${index}/x`))),
        ),
      );
      const total = (MANY_ROUTES * (MANY_ROUTES + 1)) / 2;
      let itemized = 0;
      await expectEventually(
        async () => {
          const perRoute = await Promise.all(
            Array.from({ length: MANY_ROUTES }, async (_, index) => (await statisticsOf(`many-${index}`)).requests),
          );
          itemized = perRoute.reduce((sum, requests) => sum + requests, 0);
          expect(itemized + (await overflowRequests(sql)) - overflowBefore).toBe(total);
          expect(perRoute.filter((requests) => requests > 0).length).toBeLessThan(MANY_ROUTES);
        },
        { timeoutMs: 20_000 },
      );
      // The busiest route is always itemized.
      expect((await statisticsOf(`many-${MANY_ROUTES - 1}`)).requests).toBe(MANY_ROUTES);
      expect(itemized).toBeLessThan(total);
    } finally {
      await sql.end();
      await capped.stop();
    }
  });
});

/** Requests counted in the overflow series (routes a capped report did not itemize), as stored. */
async function overflowRequests(sql: Client): Promise<number> {
  const { rows } = await sql.query<{ n: string | null }>(
    "SELECT sum(requests)::text AS n FROM telemetry_buckets WHERE route_id = ''",
  );
  return Number(rows[0]?.n ?? 0);
}
