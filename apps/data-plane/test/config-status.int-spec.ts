import type { BackendConfig, RouteConfig } from '@hotswap/config-snapshot';
import { aBackend, aRoute, aSnapshot, send, startTestBackend, type TestBackend } from '@hotswap/testing';
import { startInProcess, type InProcessDataPlane } from './support/data-plane-harness';

interface StatusBody {
  version: number;
  backends: number;
  backendStates: Array<{ backendId: string; totalRequests: number; healthStatus: string; breakerOverride: string }>;
}

/**
 * GET /config serialises a backend's entry again only when what it shows changed: the answer must still be exactly
 * `configStatus()` (every backend as requests see it now), however the backends changed in between.
 */
describe('GET /config backend states', () => {
  let dataPlane: InProcessDataPlane;
  let backend: TestBackend;

  beforeAll(async () => {
    backend = await startTestBackend('config-status', (_req, res) => {
      res.writeHead(200);
      res.end('ok');
    });
    dataPlane = await startInProcess();
  });

  afterAll(async () => {
    await dataPlane?.stop();
    await backend?.close();
  });

  /** GET /config, checked against the in-process status and against every live backend state's own view. */
  async function status(): Promise<{ body: StatusBody }> {
    const response = await fetch(`${dataPlane.statusUrl}/config`);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as StatusBody;
    expect(body).toEqual(JSON.parse(JSON.stringify(dataPlane.dataPlane.configStatus())));
    const views = dataPlane.dataPlane.backendStates
      .views()
      .sort((a, b) => (a.backendId < b.backendId ? -1 : 1))
      .map((view) => ({ ...view, controlPlaneState: null }));
    expect(body.backendStates).toEqual(views);
    return { body };
  }

  it('answers what requests see now, after requests, overrides and swaps', async () => {
    // More backends than one block of entries the answer keeps as JSON.
    const backends = Array.from({ length: 1500 }, (_, n) =>
      aBackend({ backendId: `b${String(n).padStart(4, '0')}`, name: `b${n}`, url: backend.url }),
    );
    const routes = [
      aRoute({ routeId: 'called', name: 'called', pathPattern: '/called/**', backendIds: ['b0003'] }),
      ...[0, 1].map((half) =>
        aRoute({
          routeId: `many-${half}`,
          name: `many-${half}`,
          pathPattern: `/many-${half}/**`,
          backendIds: backends.slice(half * 750, half * 750 + 750).map((b) => b.backendId),
        }),
      ),
    ];
    let version = 0;
    const apply = async (nextRoutes: RouteConfig[], nextBackends: BackendConfig[]) => {
      version++;
      const outcome = await dataPlane.dataPlane.apply(
        aSnapshot({ routes: nextRoutes, backends: nextBackends }, { version }),
        'stream',
      );
      expect(outcome.status).toBe('applied');
    };
    await apply(routes, backends);
    const first = await status();
    expect(first.body.backendStates.map((state) => state.backendId)).toEqual(backends.map((b) => b.backendId));

    expect((await send(`${dataPlane.proxyUrl}/called/x`)).status).toBe(200);
    dataPlane.dataPlane.backendStates.setHealth('b0007', 'Unhealthy');
    dataPlane.dataPlane.backendStates.forceBreaker('b0011', 'open');
    const second = await status();
    expect(second.body.backendStates.find((state) => state.backendId === 'b0003')?.totalRequests).toBe(1);
    expect(second.body.backendStates.find((state) => state.backendId === 'b0007')?.healthStatus).toBe('Unhealthy');
    expect(second.body.backendStates.find((state) => state.backendId === 'b0011')?.breakerOverride).toBe('open');

    // A backend that changes its URL gets a new state (counters from zero); the list shows the new one.
    const moved = backends.map((b) => (b.backendId === 'b0003' ? { ...b, url: `${backend.url}/v2` } : b));
    await apply(routes, moved);
    const third = await status();
    expect(third.body.backendStates.find((state) => state.backendId === 'b0003')?.totalRequests).toBe(0);

    // One backend removed, one added (sorting first): the list follows.
    const next = [
      aBackend({ backendId: 'a-new', name: 'a-new', url: backend.url }),
      ...moved.filter((b) => b.backendId !== 'b1020'),
    ];
    await apply(
      [
        routes[0]!,
        routes[1]!,
        { ...routes[2]!, backendIds: ['a-new', ...routes[2]!.backendIds.filter((id) => id !== 'b1020')] },
      ],
      next,
    );
    const fourth = await status();
    expect(fourth.body.version).toBe(version);
    expect(fourth.body.backendStates.map((state) => state.backendId)).toEqual(
      next.map((b) => b.backendId).sort((a, b) => (a < b ? -1 : 1)),
    );

    // Nothing but a counter changed since: the answer still follows.
    expect((await send(`${dataPlane.proxyUrl}/called/x`)).status).toBe(200);
    const fifth = await status();
    expect(fifth.body.backendStates.find((state) => state.backendId === 'b0003')?.totalRequests).toBe(1);
  });
});
