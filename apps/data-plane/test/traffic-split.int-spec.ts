import { routeConfigSchema, type ConfigSnapshot } from '@hotswap/config-snapshot';
import { aBackend, aRoute, aSnapshot, send, startTestBackend, type TestBackend } from '@hotswap/testing';
import { startInProcess, type InProcessDataPlane } from './support/data-plane-harness';

describe('traffic split of a route with an in-flight deployment (real proxy, real backends)', () => {
  let stable: TestBackend;
  let canary: TestBackend;
  const started: InProcessDataPlane[] = [];

  beforeAll(async () => {
    stable = await startTestBackend('stable');
    canary = await startTestBackend('canary');
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((dataPlane) => dataPlane.stop()));
  });

  afterAll(async () => {
    await Promise.all([stable.close(), canary.close()]);
  });

  function snapshotWith(trafficSplit: unknown, version = 1): ConfigSnapshot {
    const route = aRoute({ routeId: 'orders', name: 'orders', pathPattern: '/orders/**', backendIds: ['stable'] });
    return aSnapshot(
      {
        // Parsed, so that the hash covers the split's defaults as the data plane will see them.
        routes: [routeConfigSchema.parse({ ...route, trafficSplit })],
        backends: [
          aBackend({ backendId: 'stable', name: 'stable', url: stable.url }),
          aBackend({ backendId: 'canary', name: 'canary', url: canary.url }),
        ],
      },
      { version },
    );
  }

  async function start(snapshot: ConfigSnapshot): Promise<InProcessDataPlane> {
    const dataPlane = await startInProcess();
    started.push(dataPlane);
    const outcome = await dataPlane.dataPlane.apply(snapshot);
    expect(outcome.status).toBe('applied');
    return dataPlane;
  }

  async function canaryShare(proxyUrl: string, requests: number, headers: Record<string, string> = {}) {
    let count = 0;
    for (let i = 0; i < requests; i++) {
      const result = await send(`${proxyUrl}/orders/${i}`, { headers });
      expect(result.status).toBe(200);
      if ((result.json as { backend: string }).backend === 'canary') count++;
    }
    return count / requests;
  }

  it('sends the canary its percentage of 1,000 requests, and the pin header overrides the split', async () => {
    const dataPlane = await start(
      snapshotWith({
        deploymentId: 'dep-1',
        strategy: 'Canary',
        canaryPercentage: 10,
        canary: { backendIds: ['canary'], version: '2.0' },
      }),
    );
    expect(Math.abs((await canaryShare(dataPlane.proxyUrl, 1000)) - 0.1)).toBeLessThanOrEqual(0.01);
    expect(await canaryShare(dataPlane.proxyUrl, 20, { 'X-Canary': 'always' })).toBe(1);
    expect(await canaryShare(dataPlane.proxyUrl, 20, { 'x-canary': 'never' })).toBe(0);
  });

  it('BlueGreen: only requests with the preview header reach the new version until the switch', async () => {
    const dataPlane = await start(
      snapshotWith({ deploymentId: 'dep-2', strategy: 'BlueGreen', canary: { backendIds: ['canary'] } }),
    );
    expect(await canaryShare(dataPlane.proxyUrl, 50)).toBe(0);
    expect(await canaryShare(dataPlane.proxyUrl, 20, { 'X-Preview': 'true' })).toBe(1);
    const switched = await dataPlane.dataPlane.apply(
      snapshotWith(
        { deploymentId: 'dep-2', strategy: 'BlueGreen', canaryPercentage: 100, canary: { backendIds: ['canary'] } },
        2,
      ),
    );
    expect(switched.status).toBe('applied');
    expect(await canaryShare(dataPlane.proxyUrl, 50)).toBe(1);
  });

  it('Rolling: the new version runs on the listed data planes only', async () => {
    const first = await startInProcess();
    const second = await startInProcess();
    started.push(first, second);
    const snapshot = snapshotWith({
      deploymentId: 'dep-3',
      strategy: 'Rolling',
      rolloutDataPlaneIds: [first.id],
      canary: { backendIds: ['canary'] },
    });
    expect((await first.dataPlane.apply(snapshot)).status).toBe('applied');
    expect((await second.dataPlane.apply(snapshot)).status).toBe('applied');
    expect(await canaryShare(first.proxyUrl, 30)).toBe(1);
    expect(await canaryShare(second.proxyUrl, 30)).toBe(0);
    expect(await canaryShare(second.proxyUrl, 10, { 'X-Canary': 'always' })).toBe(1);
  });

  it('NACKs a split whose new version names a backend the snapshot lacks, and keeps serving', async () => {
    const dataPlane = await start(snapshotWith(null));
    const outcome = await dataPlane.dataPlane.apply(
      snapshotWith({ deploymentId: 'dep-4', strategy: 'Canary', canary: { backendIds: ['ghost'] } }, 2),
    );
    expect(outcome).toMatchObject({
      status: 'rejected',
      reasons: ['routes[0].trafficSplit.canary.backendIds[0]: backend "ghost" does not exist'],
    });
    expect(await canaryShare(dataPlane.proxyUrl, 10)).toBe(0);
  });
});
