import type { ServerResponse } from 'node:http';
import {
  aBackend,
  aRoute,
  aSnapshot,
  expectEventually,
  findFreePort,
  scrapeMetrics,
  send,
  startTestBackend,
  sumOfSamples,
  type PrometheusSample,
  type TestBackend,
} from '@hotswap/testing';
import { startInProcess, type InProcessDataPlane } from './support/data-plane-harness';

describe('request metrics of the proxy', () => {
  let dataPlane: InProcessDataPlane;
  let ok: TestBackend;
  let broken: TestBackend;
  let held: TestBackend;
  /** Responses `held` has not answered yet, by request path. */
  const waiting = new Map<string, ServerResponse>();

  const metrics = (): Promise<PrometheusSample[]> => scrapeMetrics(`${dataPlane.statusUrl}/metrics`);
  const get = (path: string) => send(`${dataPlane.proxyUrl}${path}`);

  beforeAll(async () => {
    ok = await startTestBackend('ok');
    broken = await startTestBackend('broken', (_req, res) => res.writeHead(500).end('broken'));
    held = await startTestBackend('held', (req, res) => waiting.set(req.url ?? '', res));
    dataPlane = await startInProcess();
    const closedPort = await findFreePort();
    const snapshot = aSnapshot({
      routes: [
        aRoute({ routeId: 'ok', name: 'ok', pathPattern: '/ok/**', backendIds: ['ok'] }),
        aRoute({ routeId: 'broken', name: 'broken', pathPattern: '/broken/**', backendIds: ['broken'] }),
        aRoute({ routeId: 'dead', name: 'dead', pathPattern: '/dead/**', backendIds: ['dead'] }),
        aRoute({ routeId: 'off', name: 'off', pathPattern: '/off/**', backendIds: ['off'] }),
        aRoute({ routeId: 'held', name: 'held', pathPattern: '/held/**', backendIds: ['held'], timeoutSeconds: 1 }),
        aRoute({ routeId: 'slow', name: 'slow', pathPattern: '/slow/**', backendIds: ['held'] }),
      ],
      backends: [
        aBackend({ backendId: 'ok', url: ok.url }),
        aBackend({ backendId: 'broken', url: broken.url }),
        aBackend({ backendId: 'dead', url: `http://127.0.0.1:${closedPort}` }),
        aBackend({ backendId: 'off', url: ok.url, isEnabled: false }),
        aBackend({ backendId: 'held', url: held.url }),
      ],
    });
    expect((await dataPlane.dataPlane.apply(snapshot, 'file')).status).toBe('applied');
  });

  afterAll(async () => {
    for (const res of waiting.values()) res.destroy();
    await dataPlane?.stop();
    await Promise.all([ok?.close(), broken?.close(), held?.close()]);
  });

  it('counts backend answers by backend and status class, and the failures the gateway answered itself by reason', async () => {
    const before = await metrics();
    const statuses = [];
    for (const path of ['/ok/1', '/ok/2', '/ok/3', '/broken/1', '/broken/2', '/dead/1', '/off/1', '/nowhere']) {
      statuses.push((await get(path)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 500, 500, 502, 503, 404]);

    const increase = (samples: PrometheusSample[], name: string, labels: Record<string, string>) =>
      sumOfSamples(samples, name, labels) - sumOfSamples(before, name, labels);
    await expectEventually(async () => {
      const after = await metrics();
      const backendAnswers = (route: string, backend: string, statusClass: string) =>
        increase(after, 'gateway_requests_backend_total', { route, backend, status_class: statusClass });
      const failures = (route: string, reason: string) =>
        increase(after, 'gateway_requests_failed_total', { route, reason });
      expect({
        okBackend2xx: backendAnswers('ok', 'ok', '2xx'),
        brokenBackend5xx: backendAnswers('broken', 'broken', '5xx'),
        brokenBackend2xx: backendAnswers('broken', 'broken', '2xx'),
        okDurations: increase(after, 'gateway_backend_duration_seconds_count', { route: 'ok', backend: 'ok' }),
        // A backend's own 500 is its answer, not a failure of the gateway.
        brokenFailures: increase(after, 'gateway_requests_failed_total', { route: 'broken' }),
        badGateway: failures('dead', 'bad_gateway'),
        noBackend: failures('off', 'no_backend_available'),
        noRoute: failures('(none)', 'route_not_found'),
        overheadObservations: increase(after, 'gateway_proxy_overhead_seconds_count', {}),
      }).toEqual({
        okBackend2xx: 3,
        brokenBackend5xx: 2,
        brokenBackend2xx: 0,
        okDurations: 3,
        brokenFailures: 0,
        badGateway: 1,
        noBackend: 1,
        noRoute: 1,
        overheadObservations: 8,
      });
    });
  });

  it('counts a backend that does not answer within the route timeout as a gateway timeout', async () => {
    const before = sumOfSamples(await metrics(), 'gateway_requests_failed_total', {
      route: 'held',
      reason: 'gateway_timeout',
    });
    expect((await get('/held/timeout')).status).toBe(504);
    await expectEventually(async () =>
      expect(
        sumOfSamples(await metrics(), 'gateway_requests_failed_total', { route: 'held', reason: 'gateway_timeout' }),
      ).toBe(before + 1),
    );
  });

  it('leaves the time spent waiting for the backend out of the proxy overhead', async () => {
    const before = await metrics();
    const answered = get('/slow/answer');
    await expectEventually(() => expect(waiting.has('/answer')).toBe(true));
    const heldFrom = performance.now();
    await scrapeMetrics(`${dataPlane.statusUrl}/metrics`);
    // The backend held the answer at least this long (a scrape's time: no fixed wait), after it had the request.
    const heldSeconds = (performance.now() - heldFrom) / 1000;
    waiting.get('/answer')?.writeHead(200).end('late');
    expect((await answered).status).toBe(200);

    await expectEventually(async () => {
      const after = await metrics();
      const increase = (name: string, labels: Record<string, string> = {}) =>
        sumOfSamples(after, name, labels) - sumOfSamples(before, name, labels);
      expect(increase('gateway_request_duration_seconds_count', { route: 'slow' })).toBe(1);
      const total = increase('gateway_request_duration_seconds_sum', { route: 'slow' });
      const backend = increase('gateway_backend_duration_seconds_sum', { route: 'slow', backend: 'held' });
      const overhead = increase('gateway_proxy_overhead_seconds_sum');
      expect(backend).toBeGreaterThanOrEqual(heldSeconds);
      expect(total - overhead).toBeGreaterThanOrEqual(heldSeconds);
    });
  });

  it('reports the enabled backends the balancers may pick as healthy', async () => {
    const healthy = async () => sumOfSamples(await metrics(), 'gateway_backends_healthy');
    // ok, broken, dead and held; off is disabled.
    expect(await healthy()).toBe(4);
    expect(dataPlane.dataPlane.backendStates.setHealth('broken', 'Unhealthy')).toBe(true);
    expect(await healthy()).toBe(3);
    expect(dataPlane.dataPlane.backendStates.setHealth('broken', 'Healthy')).toBe(true);
    expect(await healthy()).toBe(4);
  });
});
