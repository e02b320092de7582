import type { BackendConfig, RouteConfig } from '@hotswap/config-snapshot';
import {
  aBackend,
  aRoute,
  aSnapshot,
  expectEventually,
  expectGatewayError,
  send,
  startTestBackend,
  type TestBackend,
} from '@hotswap/testing';
import { startInProcess, type InProcessDataPlane } from './support/data-plane-harness';

/** A breaker that opens after 2 failures and stays open for the whole test; no retries to blur the counts. */
const STRICT = {
  circuitBreaker: { enabled: true, failureThreshold: 2, openDurationMs: 600_000, successThreshold: 1 },
  retryPolicy: {
    maxAttempts: 1,
    initialDelayMs: 100,
    maxDelayMs: 2000,
    retryOnStatus: [502, 503, 504],
    retryOnConnectError: true,
    methods: ['GET' as const],
  },
} satisfies Partial<RouteConfig>;

/**
 * What must outlive a snapshot swap (DESIGN §6): the keep-alive connections, breaker and counters of a backend whose
 * URL, pool and timeouts did not change, and the overrides the control plane sent. Hot swaps are in-process here;
 * the file source cannot hot-swap (a new file means a new process), so these run against the in-process apply.
 */
describe('backend state across snapshot swaps', () => {
  let dataPlane: InProcessDataPlane;
  let failing: TestBackend;
  let healthy: TestBackend;
  /** Remote ports of the connections `healthy` saw, one per request. */
  const healthyPorts: number[] = [];
  let version = 0;

  beforeAll(async () => {
    [failing, healthy] = await Promise.all([
      startTestBackend('failing', (_req, res) => {
        res.writeHead(500);
        res.end('down');
      }),
      startTestBackend('healthy', (req, res) => {
        healthyPorts.push(req.socket.remotePort ?? 0);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ backend: 'healthy' }));
      }),
    ]);
    dataPlane = await startInProcess();
  });

  afterAll(async () => {
    await dataPlane?.stop();
    await Promise.all([failing?.close(), healthy?.close()]);
  });

  async function apply(backends: BackendConfig[], routes: RouteConfig[]): Promise<void> {
    const outcome = await dataPlane.dataPlane.apply(aSnapshot({ backends, routes }, { version: ++version }), 'stream');
    expect(outcome.status).toBe('applied');
  }

  const failingBackend = (overrides: Partial<BackendConfig> = {}) =>
    aBackend({ backendId: 'failing', name: 'failing', url: failing.url, ...overrides });
  const healthyBackend = (overrides: Partial<BackendConfig> = {}) =>
    aBackend({ backendId: 'healthy', name: 'healthy', url: healthy.url, ...overrides });
  const route = (routeId: string, backendIds: string[], extra: Partial<RouteConfig> = {}) =>
    aRoute({ routeId, name: routeId, pathPattern: `/${routeId}/**`, backendIds, ...STRICT, ...extra });

  it('keeps an open breaker, the counters and the connections of an unchanged backend, and resets a changed one', async () => {
    await apply([failingBackend(), healthyBackend()], [route('pair', ['failing', 'healthy'])]);
    const states = dataPlane.dataPlane.backendStates;
    // Round robin: failing, healthy, failing (opens), then healthy only.
    const answers = [];
    for (let index = 0; index < 6; index++) answers.push((await send(`${dataPlane.proxyUrl}/pair/x`)).status);
    expect(answers).toEqual([500, 200, 500, 200, 200, 200]);
    expect(failing.received).toHaveLength(2);
    expect(states.get('failing')!.view()).toMatchObject({ breakerState: 'open', totalRequests: 2, failedRequests: 2 });
    const connections = new Set(healthyPorts);

    // A new snapshot that changes neither backend (a new route, a weight): everything stays.
    await apply(
      [failingBackend({ weight: 50 }), healthyBackend()],
      [route('pair', ['failing', 'healthy']), route('other', ['healthy'])],
    );
    for (let index = 0; index < 4; index++) expect((await send(`${dataPlane.proxyUrl}/pair/x`)).status).toBe(200);
    expect(failing.received).toHaveLength(2);
    expect(states.get('failing')!.view()).toMatchObject({ breakerState: 'open', totalRequests: 2 });
    expect(states.get('healthy')!.view().totalRequests).toBe(8);
    // The requests after the swap reused the keep-alive connections opened before it.
    expect(new Set(healthyPorts).size).toBe(connections.size);

    // The failing backend's URL changes (same server, other path): a new backend as far as state goes.
    await apply(
      [failingBackend({ url: `${failing.url}/v2` }), healthyBackend()],
      [route('pair', ['failing', 'healthy'])],
    );
    expect(states.get('failing')!.view()).toMatchObject({
      breakerState: 'closed',
      totalRequests: 0,
      failedRequests: 0,
    });
    const afterChange = [];
    for (let index = 0; index < 2; index++) afterChange.push((await send(`${dataPlane.proxyUrl}/pair/x`)).status);
    expect(afterChange.sort()).toEqual([200, 500]);
    expect(failing.received.at(-1)?.url).toBe('/v2/x');
  });

  it('honours health overrides and forced breakers from the control plane until a snapshot changes the backend', async () => {
    await apply([healthyBackend()], [route('solo', ['healthy'])]);
    const states = dataPlane.dataPlane.backendStates;
    expect((await send(`${dataPlane.proxyUrl}/solo/x`)).status).toBe(200);

    expect(states.setHealth('healthy', 'Unhealthy')).toBe(true);
    expectGatewayError(await send(`${dataPlane.proxyUrl}/solo/x`), 503, 'NO_BACKEND_AVAILABLE');
    // An unrelated snapshot keeps the override.
    await apply([healthyBackend()], [route('solo', ['healthy']), route('more', ['healthy'])]);
    expectGatewayError(await send(`${dataPlane.proxyUrl}/solo/x`), 503, 'NO_BACKEND_AVAILABLE');
    // A snapshot that changes the backend is authoritative again.
    await apply([healthyBackend({ healthStatus: 'Healthy' })], [route('solo', ['healthy'])]);
    expect((await send(`${dataPlane.proxyUrl}/solo/x`)).status).toBe(200);

    states.forceBreaker('healthy', 'open');
    expectGatewayError(await send(`${dataPlane.proxyUrl}/solo/x`), 503, 'NO_BACKEND_AVAILABLE');
    states.forceBreaker('healthy', null);
    expect((await send(`${dataPlane.proxyUrl}/solo/x`)).status).toBe(200);
  });

  it('exports breaker states and openings per backend on /metrics', async () => {
    await apply([failingBackend({ backendId: 'metered', name: 'metered' })], [route('metered', ['metered'])]);
    for (let index = 0; index < 2; index++) await send(`${dataPlane.proxyUrl}/metered/x`);
    await expectEventually(async () => {
      const metrics = await (await fetch(`${dataPlane.statusUrl}/metrics`)).text();
      expect(metrics).toMatch(/gateway_circuit_breaker_state\{backend="metered"[^}]*\} 1\n/);
      expect(metrics).toMatch(/gateway_circuit_breaker_open_total\{backend="metered"[^}]*\} 1\n/);
    });
  });
});
