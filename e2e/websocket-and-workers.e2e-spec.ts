import {
  aBackend,
  aRoute,
  echo,
  expectEventually,
  requestUpgrade,
  send,
  startTestBackend,
  startWebSocketEchoBackend,
  type TestBackend,
  type UpgradeResult,
  type WebSocketEchoBackend,
} from '@hotswap/testing';
import { defineGatewayConfig } from './support/gateway-config';
import {
  createEmptyDatabase,
  GatewayHarness,
  type ControlPlaneProcess,
  type DataPlaneProcess,
} from './support/gateway-harness';
import { SNAPSHOT_SOURCES, startGatewayUnderTest, type GatewayUnderTest } from './support/gateway-under-test';

describe.each(SNAPSHOT_SOURCES)('WebSocket upgrades through a gateway serving its config from the %s', (source) => {
  let echoBackend: WebSocketEchoBackend;
  let gateway: GatewayUnderTest;
  const opened: UpgradeResult[] = [];

  beforeAll(async () => {
    echoBackend = await startWebSocketEchoBackend('echo');
    const config = defineGatewayConfig({
      backends: [aBackend({ backendId: 'echo', name: 'echo', url: echoBackend.url })],
      routes: [aRoute({ routeId: 'live', name: 'live', pathPattern: '/live/**', backendIds: ['echo'] })],
    });
    gateway = await startGatewayUnderTest(source, config);
  });

  afterAll(async () => {
    for (const result of opened) if (result.upgraded) result.socket.destroy();
    await gateway?.stop();
    await echoBackend?.close();
  });

  it('tunnels a WebSocket to the route backend, with the prefix stripped', async () => {
    const result = await requestUpgrade(`${gateway.proxyUrl}/live/chat?room=1`);
    opened.push(result);
    if (!result.upgraded) throw new Error(`not upgraded: ${result.status} ${JSON.stringify(result.json)}`);
    expect(result.isAcceptValid).toBe(true);
    expect(await echo(result.socket, 'ping through the gateway')).toBe('ping through the gateway');
    expect(echoBackend.upgrades.at(-1)?.url).toBe('/chat?room=1');
  });

  it('answers an upgrade on no route with the 404 JSON error, then closes', async () => {
    const result = await requestUpgrade(`${gateway.proxyUrl}/nowhere`);
    opened.push(result);
    expect(result).toMatchObject({ upgraded: false, status: 404, json: { error: { code: 'ROUTE_NOT_FOUND' } } });
  });
});

describe('a data plane with two workers behind the real control plane', () => {
  let database: { url: string; drop(): Promise<void> };
  let harness: GatewayHarness;
  let controlPlane: ControlPlaneProcess;
  let dataPlane: DataPlaneProcess;
  let blue: TestBackend;
  let green: TestBackend;

  beforeAll(async () => {
    database = await createEmptyDatabase();
    harness = new GatewayHarness(database.url);
    [blue, green] = await Promise.all([startTestBackend('blue'), startTestBackend('green')]);
    controlPlane = await harness.startControlPlane();
    dataPlane = await harness.startDataPlane({
      id: 'dp-workers',
      grpcTarget: controlPlane.grpcTarget,
      env: { GATEWAY_WORKERS: '2' },
    });
  });

  afterAll(async () => {
    await harness?.stopAll();
    await Promise.all([blue?.close(), green?.close()]);
    await database?.drop();
  });

  async function workerVersions(): Promise<Array<number | null>> {
    const status = (await (await fetch(`${dataPlane.statusUrl}/config`)).json()) as {
      workers: Array<{ version: number | null }>;
    };
    return status.workers.map((worker) => worker.version);
  }

  it('applies each change on both workers before the fleet view shows it acknowledged', async () => {
    const created = await harness.api(controlPlane, 'POST', '/routes', {
      name: 'orders',
      pathPattern: '/orders/**',
      backends: [{ name: 'blue', url: blue.url }],
      strategy: 'RoundRobin',
    });
    expect(created.status).toBe(201);
    const routeId = created.body.routeId as string;
    const updated = await harness.api(controlPlane, 'PUT', `/routes/${routeId}`, {
      name: 'orders',
      pathPattern: '/orders/**',
      backends: [{ name: 'green', url: green.url }],
      strategy: 'RoundRobin',
    });
    expect(updated.status).toBe(200);
    const versions = await harness.api(controlPlane, 'GET', '/config/versions?limit=1');
    const version = versions.body.items[0].version as number;

    await expectEventually(async () => {
      const { body } = await harness.api(controlPlane, 'GET', '/data-planes', undefined, 'Viewer');
      const item = body.items.find((entry: { dataPlaneId: string }) => entry.dataPlaneId === 'dp-workers');
      expect(item).toMatchObject({ connected: true, activeVersion: version, inSync: true });
    });
    // The ACK went out only after both workers swapped: nothing to wait for here.
    expect(await workerVersions()).toEqual([version, version]);
    for (let index = 0; index < 6; index++) {
      const result = await send(`${dataPlane.proxyUrl}/orders/${index}`);
      expect({ status: result.status, backend: result.json?.backend }).toEqual({ status: 200, backend: 'green' });
    }
  });

  it("puts an Admin's forced breaker in effect on both workers", async () => {
    for (const name of ['left', 'right']) {
      const backend = name === 'left' ? blue : green;
      const created = await harness.api(controlPlane, 'POST', '/backends', { backendId: name, name, url: backend.url });
      expect(created.status).toBe(201);
    }
    const route = await harness.api(controlPlane, 'POST', '/routes', {
      name: 'pair',
      pathPattern: '/pair/**',
      backendIds: ['left', 'right'],
      strategy: 'RoundRobin',
    });
    expect(route.status).toBe(201);
    const answeredBy = async (count: number): Promise<Set<string>> => {
      const names = new Set<string>();
      // Each on a connection of its own: the workers take turns accepting them.
      for (let index = 0; index < count; index++) {
        const result = await send(`${dataPlane.proxyUrl}/pair/${index}`);
        expect(result.status).toBe(200);
        names.add(result.json?.backend as string);
      }
      return names;
    };
    await expectEventually(async () => expect(await answeredBy(4)).toEqual(new Set(['blue', 'green'])));

    expect((await harness.api(controlPlane, 'PUT', '/backends/right/circuit-breaker', { state: 'open' })).status).toBe(
      200,
    );
    await expectEventually(async () => expect(await answeredBy(8)).toEqual(new Set(['blue'])));
    expect((await harness.api(controlPlane, 'PUT', '/backends/right/circuit-breaker', { state: 'auto' })).status).toBe(
      200,
    );
    await expectEventually(async () => expect(await answeredBy(8)).toEqual(new Set(['blue', 'green'])));
  });
});
