import { rmSync } from 'node:fs';
import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import {
  aBackend,
  aRoute,
  aSnapshot,
  echo,
  expectGatewayError,
  findFreePort,
  requestUpgrade,
  send,
  startWebSocketEchoBackend,
  type UpgradeResult,
  type WebSocketEchoBackend,
} from '@hotswap/testing';
import { makeTempDir, startInProcess, writeJsonFile, type InProcessDataPlane } from './support/data-plane-harness';

describe('WebSocket upgrades and request limits', () => {
  const started: InProcessDataPlane[] = [];
  const backends: WebSocketEchoBackend[] = [];
  const opened: UpgradeResult[] = [];
  let dir: string;

  beforeAll(() => (dir = makeTempDir('upgrades')));

  afterEach(async () => {
    for (const result of opened.splice(0)) if (result.upgraded) result.socket.destroy();
    await Promise.all(started.splice(0).map((dataPlane) => dataPlane.stop()));
    await Promise.all(backends.splice(0).map((backend) => backend.close()));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function start(snapshot: ConfigSnapshot, env: Record<string, string> = {}): Promise<InProcessDataPlane> {
    const dataPlane = await startInProcess({
      env,
      argv: ['--config', writeJsonFile(dir, `snapshot-${started.length}.json`, snapshot)],
    });
    started.push(dataPlane);
    return dataPlane;
  }

  async function upgrade(url: string): Promise<UpgradeResult> {
    const result = await requestUpgrade(url);
    opened.push(result);
    return result;
  }

  function wsSnapshot(urls: Record<string, string>): ConfigSnapshot {
    const names = Object.keys(urls);
    return aSnapshot({
      routes: [
        aRoute({
          routeId: 'ws',
          name: 'ws',
          pathPattern: '/ws/**',
          methods: ['GET'],
          backendIds: names,
          transformations: {
            request: {
              addHeaders: {},
              removeHeaders: [],
              rewritePath: { pattern: '^/ws/(.*)$', replacement: '/echo/$1' },
            },
            response: { addHeaders: {}, removeHeaders: [] },
          },
        }),
        aRoute({ routeId: 'posts', name: 'posts', pathPattern: '/posts/**', methods: ['POST'], backendIds: names }),
      ],
      backends: names.map((name) => aBackend({ backendId: name, name, url: urls[name] as string })),
    });
  }

  it('tunnels a WebSocket through the route: its balancer picks the backend, its path rewrite applies', async () => {
    const first = await startWebSocketEchoBackend('ws-a');
    const second = await startWebSocketEchoBackend('ws-b');
    backends.push(first, second);
    const dataPlane = await start(wsSnapshot({ 'ws-a': first.url, 'ws-b': second.url }));

    const seen: string[] = [];
    for (const room of ['one', 'two']) {
      const result = await upgrade(`${dataPlane.proxyUrl}/ws/${room}?token=t`);
      if (!result.upgraded) throw new Error(`not upgraded: ${result.status} ${JSON.stringify(result.json)}`);
      expect(result.isAcceptValid).toBe(true);
      seen.push(String(result.headers['x-backend']));
      expect(await echo(result.socket, `hello ${room}`)).toBe(`hello ${room}`);
    }
    expect(seen.sort()).toEqual(['ws-a', 'ws-b']);
    const forwarded = [...first.upgrades, ...second.upgrades];
    expect(forwarded.map((request) => request.url).sort()).toEqual(['/echo/one?token=t', '/echo/two?token=t']);
    expect(forwarded[0]?.headers).toMatchObject({ upgrade: 'websocket', traceparent: expect.any(String) });
  });

  it('answers a refused upgrade with the gateway error response, then closes', async () => {
    const live = await startWebSocketEchoBackend('ws-live');
    backends.push(live);
    const closedPort = await findFreePort();
    const dataPlane = await start(wsSnapshot({ 'ws-down': `http://127.0.0.1:${closedPort}` }));

    const unknown = await upgrade(`${dataPlane.proxyUrl}/nowhere`);
    expect(unknown).toMatchObject({ upgraded: false, status: 404, json: { error: { code: 'ROUTE_NOT_FOUND' } } });
    const wrongMethod = await upgrade(`${dataPlane.proxyUrl}/posts/1`);
    expect(wrongMethod).toMatchObject({
      upgraded: false,
      status: 405,
      json: { error: { code: 'METHOD_NOT_ALLOWED' } },
    });
    const down = await upgrade(`${dataPlane.proxyUrl}/ws/room`);
    expect(down).toMatchObject({ upgraded: false, status: 502, json: { error: { code: 'BAD_GATEWAY' } } });
    expect(live.upgrades).toHaveLength(0);
  });

  it('answers 431 to a request whose headers exceed GATEWAY_MAX_HEADER_BYTES', async () => {
    const closedPort = await findFreePort();
    const dataPlane = await start(wsSnapshot({ 'ws-down': `http://127.0.0.1:${closedPort}` }), {
      GATEWAY_MAX_HEADER_BYTES: '2048',
    });
    expect((await send(`${dataPlane.proxyUrl}/nowhere`, { headers: { 'x-big': 'a'.repeat(4096) } })).status).toBe(431);
    // Within the limit, the request reaches the router.
    expectGatewayError(
      await send(`${dataPlane.proxyUrl}/nowhere`, { headers: { 'x-big': 'a'.repeat(1024) } }),
      404,
      'ROUTE_NOT_FOUND',
    );
  });
});
