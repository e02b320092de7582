import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  echo,
  expectEventually,
  findFreePort,
  requestUpgrade,
  send,
  startOtlpGrpcReceiver,
  startOtlpReceiver,
  startProcess,
  startTestBackend,
  startWebSocketEchoBackend,
  type OtlpGrpcReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
  type TestBackend,
  type TestProcess,
  type UpgradeResult,
  type WebSocketEchoBackend,
} from '@hotswap/testing';
import { makeTempDir, writeJsonFile } from './support/data-plane-harness';

const MAIN = resolve(__dirname, '../dist/main.js');
const LISTENING = /listening proxy=(http:\/\/[^\s"]+) status=/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

/** Spans of a real data-plane process, exported over OTLP/HTTP (JSON) or OTLP/gRPC to a real receiver. */
describe('data plane traces', () => {
  const processes: TestProcess[] = [];
  const opened: UpgradeResult[] = [];
  let dir: string;
  let receiver: OtlpReceiver;
  let grpcReceiver: OtlpGrpcReceiver;
  let backend: TestBackend;
  let flakyCalls = 0;
  let flaky: TestBackend;
  let live: WebSocketEchoBackend;
  let closedPort: number;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build -w @hotswap/data-plane)`);
    dir = makeTempDir('tracing');
    receiver = await startOtlpReceiver();
    grpcReceiver = await startOtlpGrpcReceiver();
    backend = await startTestBackend('orders');
    // The first call of each pair fails with 503: a retried request makes two attempts.
    flaky = await startTestBackend('flaky', (_req, res) => {
      res.writeHead(++flakyCalls % 2 === 1 ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
    });
    live = await startWebSocketEchoBackend('live');
    closedPort = await findFreePort();
  });

  afterEach(async () => {
    for (const result of opened.splice(0)) if (result.upgraded) result.socket.destroy();
    await Promise.all(processes.splice(0).map((child) => child.stop('SIGKILL')));
  });

  afterAll(async () => {
    await Promise.all([receiver?.close(), grpcReceiver?.close(), backend?.close(), flaky?.close(), live?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** `exportEnv`: the OTEL_EXPORTER_OTLP_* variables; by default, JSON over HTTP to `receiver`. */
  async function startTracedDataPlane(
    samplerArg: string,
    exportEnv: Record<string, string> = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    },
  ): Promise<string> {
    const file = writeJsonFile(dir, `routes-${processes.length}.json`, {
      routes: [
        { routeId: 'orders-route', name: 'orders', pathPattern: '/orders/**', backendIds: ['orders'] },
        {
          routeId: 'flaky-route',
          name: 'flaky',
          pathPattern: '/flaky/**',
          backendIds: ['flaky'],
          retryPolicy: { maxAttempts: 2, initialDelayMs: 1, retryOnStatus: [503] },
        },
        { routeId: 'live-route', name: 'live', pathPattern: '/live/**', backendIds: ['live'] },
        { routeId: 'down-route', name: 'down', pathPattern: '/down/**', backendIds: ['down'] },
      ],
      backends: [
        { backendId: 'orders', name: 'orders-api', url: backend.url },
        { backendId: 'flaky', name: 'flaky-api', url: flaky.url },
        { backendId: 'live', name: 'live-ws', url: live.url },
        { backendId: 'down', name: 'down-ws', url: `http://127.0.0.1:${closedPort}` },
      ],
    });
    const child = startProcess('data-plane', process.execPath, [MAIN, '--config', file], {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      GATEWAY_STATUS_PORT: '0',
      DATA_PLANE_ID: `dp-tracing-${processes.length}`,
      SNAPSHOT_CACHE_DIR: join(dir, `cache-${processes.length}`),
      CONTROL_PLANE_GRPC_URL: undefined,
      GATEWAY_WORKERS: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      OTEL_EXPORTER_OTLP_PROTOCOL: undefined,
      OTEL_EXPORTER_OTLP_HEADERS: undefined,
      ...exportEnv,
      OTEL_TRACES_SAMPLER: undefined,
      OTEL_TRACES_SAMPLER_ARG: samplerArg,
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_SERVICE_NAME: undefined,
    });
    processes.push(child);
    const [, proxyUrl] = await child.waitForOutput(LISTENING);
    return proxyUrl as string;
  }

  function spansOf(traceId: string, from: OtlpReceiver = receiver): ReceivedSpan[] {
    return from.spans.filter((span) => span.traceId === traceId);
  }

  async function upgrade(url: string, headers: Record<string, string> = {}): Promise<UpgradeResult> {
    const result = await requestUpgrade(url, headers);
    opened.push(result);
    return result;
  }

  function lastTraceparent(from: TestBackend | WebSocketEchoBackend): RegExpExecArray {
    const header =
      'received' in from ? from.received.at(-1)?.headers.traceparent : from.upgrades.at(-1)?.headers.traceparent;
    const parsed = TRACEPARENT.exec(String(header));
    if (parsed === null) throw new Error(`the backend got no valid traceparent: ${String(header)}`);
    return parsed;
  }

  it('exports gateway.request with its route match, backend select and proxy spans, parent of the backend', async () => {
    const proxyUrl = await startTracedDataPlane('1');
    const response = await send(`${proxyUrl}/orders/42`);
    expect(response.status).toBe(200);
    const traceId = String(response.headers['x-trace-id']);

    const spans = await expectEventually(() => {
      const found = spansOf(traceId);
      expect(found.map((span) => span.name).sort()).toEqual([
        'gateway.backend_select',
        'gateway.proxy',
        'gateway.request',
        'gateway.route_match',
      ]);
      return found;
    });
    const byName = (name: string) => spans.find((span) => span.name === name) as ReceivedSpan;
    const request = byName('gateway.request');
    expect(request.parentSpanId).toBe('');
    expect(request.serviceName).toBe('hotswap-data-plane');
    expect(request.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'url.path': '/orders/42',
      'gateway.route': 'orders',
      'gateway.variant': 'stable',
      'gateway.backend': 'orders-api',
      'gateway.config_version': expect.any(Number),
    });
    expect(byName('gateway.route_match')).toMatchObject({
      parentSpanId: request.spanId,
      attributes: expect.objectContaining({ 'gateway.route': 'orders', 'gateway.variant': 'stable' }),
    });
    expect(byName('gateway.backend_select')).toMatchObject({
      parentSpanId: request.spanId,
      attributes: expect.objectContaining({ 'gateway.backend': 'orders-api', 'gateway.backend_id': 'orders' }),
    });
    const proxy = byName('gateway.proxy');
    expect(proxy).toMatchObject({
      parentSpanId: request.spanId,
      attributes: expect.objectContaining({ 'http.response.status_code': 200, 'gateway.attempt': 1 }),
    });

    const [, sentTraceId, sentParentId, sentFlags] = lastTraceparent(backend);
    expect(sentTraceId).toBe(traceId);
    expect(sentParentId).toBe(proxy.spanId);
    expect(sentFlags).toBe('01');
  });

  it("continues the caller's trace, and makes one gateway.proxy span per attempt when it retries", async () => {
    const proxyUrl = await startTracedDataPlane('1');
    const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const response = await send(`${proxyUrl}/flaky/x`, {
      headers: { traceparent: `00-${callerTraceId}-${callerSpanId}-01` },
    });
    expect(response.status).toBe(200);
    expect(response.headers['x-trace-id']).toBe(callerTraceId);

    const spans = await expectEventually(() => {
      const found = spansOf(callerTraceId);
      expect(found.filter((span) => span.name === 'gateway.proxy')).toHaveLength(2);
      expect(found.some((span) => span.name === 'gateway.request')).toBe(true);
      return found;
    });
    const request = spans.find((span) => span.name === 'gateway.request') as ReceivedSpan;
    expect(request.parentSpanId).toBe(callerSpanId);
    const attempts = spans.filter((span) => span.name === 'gateway.proxy');
    expect(attempts.map((span) => [span.parentSpanId, span.attributes['gateway.attempt']]).sort()).toEqual([
      [request.spanId, 1],
      [request.spanId, 2],
    ]);
    expect(attempts.map((span) => span.attributes['http.response.status_code']).sort()).toEqual([200, 503]);
    // The second attempt's backend request names the second attempt's span as its parent.
    const [, sentTraceId, sentParentId] = lastTraceparent(flaky);
    expect(sentTraceId).toBe(callerTraceId);
    expect(sentParentId).toBe(attempts.find((span) => span.attributes['gateway.attempt'] === 2)?.spanId);
  });

  it('exports nothing at sampling ratio 0 but still forwards a traceparent', async () => {
    const proxyUrl = await startTracedDataPlane('0');
    const unsampled = await send(`${proxyUrl}/orders/1`);
    expect(unsampled.status).toBe(200);
    const unsampledTraceId = String(unsampled.headers['x-trace-id']);
    const [, sentTraceId, , sentFlags] = lastTraceparent(backend);
    expect(sentTraceId).toBe(unsampledTraceId);
    expect(sentFlags).toBe('00');
    const unsampledUpgrade = await upgrade(`${proxyUrl}/live/quiet`);
    expect(unsampledUpgrade.upgraded).toBe(true);
    const [, upgradeTraceId, , upgradeFlags] = lastTraceparent(live);
    expect(upgradeFlags).toBe('00');

    // A caller's sampled trace is still recorded (parent-based): once its spans arrive, the earlier
    // request's would have been exported with them.
    const sampledTraceId = 'a0000000000000000000000000000001';
    await send(`${proxyUrl}/orders/2`, { headers: { traceparent: `00-${sampledTraceId}-b000000000000001-01` } });
    await expectEventually(() => expect(spansOf(sampledTraceId).length).toBe(4));
    expect(spansOf(unsampledTraceId)).toEqual([]);
    expect(spansOf(upgradeTraceId as string)).toEqual([]);
  });

  it('exports the same spans over OTLP/gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc), its headers sent as gRPC metadata', async () => {
    const proxyUrl = await startTracedDataPlane('1', {
      OTEL_EXPORTER_OTLP_ENDPOINT: grpcReceiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-tenant=gateway-tests',
    });
    const response = await send(`${proxyUrl}/orders/7`);
    expect(response.status).toBe(200);
    const traceId = String(response.headers['x-trace-id']);

    const spans = await expectEventually(() => {
      const found = spansOf(traceId, grpcReceiver);
      expect(found.map((span) => span.name).sort()).toEqual([
        'gateway.backend_select',
        'gateway.proxy',
        'gateway.request',
        'gateway.route_match',
      ]);
      return found;
    });
    const request = spans.find((span) => span.name === 'gateway.request') as ReceivedSpan;
    expect(request).toMatchObject({
      parentSpanId: '',
      kind: 2,
      serviceName: 'hotswap-data-plane',
      attributes: expect.objectContaining({
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'url.path': '/orders/7',
        'gateway.route': 'orders',
        'gateway.backend': 'orders-api',
        'gateway.config_version': expect.any(Number),
      }),
    });
    const proxy = spans.find((span) => span.name === 'gateway.proxy') as ReceivedSpan;
    expect(proxy).toMatchObject({ parentSpanId: request.spanId, kind: 3 });
    const [, sentTraceId, sentParentId] = lastTraceparent(backend);
    expect([sentTraceId, sentParentId]).toEqual([traceId, proxy.spanId]);
    expect(grpcReceiver.metadata.at(-1)).toMatchObject({ 'x-collector-tenant': 'gateway-tests' });
    expect(spansOf(traceId, receiver)).toEqual([]);
  });

  it("exports a gateway.websocket server span per upgrade once it is answered, child of the caller's traceparent and parent of the backend's", async () => {
    const proxyUrl = await startTracedDataPlane('1');
    const callerTraceId = 'c0000000000000000000000000000001';
    const callerSpanId = 'd000000000000001';
    const result = await upgrade(`${proxyUrl}/live/chat?room=1`, {
      traceparent: `00-${callerTraceId}-${callerSpanId}-01`,
    });
    if (!result.upgraded) throw new Error(`not upgraded: ${result.status} ${JSON.stringify(result.json)}`);

    const span = await expectEventually(() => {
      const found = spansOf(callerTraceId);
      expect(found.map((each) => each.name)).toEqual(['gateway.websocket']);
      return found[0] as ReceivedSpan;
    });
    expect(span).toMatchObject({
      parentSpanId: callerSpanId,
      kind: 2,
      statusCode: 0,
      serviceName: 'hotswap-data-plane',
      attributes: {
        'http.request.method': 'GET',
        'http.response.status_code': 101,
        'url.path': '/live/chat',
        'gateway.route': 'live',
        'gateway.route_id': 'live-route',
        'gateway.variant': 'stable',
        'gateway.backend': 'live-ws',
        'gateway.backend_id': 'live',
        'gateway.config_version': expect.any(Number),
      },
    });
    const [, sentTraceId, sentParentId, sentFlags] = lastTraceparent(live);
    expect([sentTraceId, sentParentId, sentFlags]).toEqual([callerTraceId, span.spanId, '01']);
    // The span ended with the handshake: the tunnel is still open.
    expect(await echo(result.socket, 'still open')).toBe('still open');
  });

  it("ends the gateway.websocket span of a refused upgrade with its answer: 404 unrouted, an HTTP backend's 200, 502 when the backend is down", async () => {
    const proxyUrl = await startTracedDataPlane('1');
    const unroutedTraceId = 'c0000000000000000000000000000002';
    const downTraceId = 'c0000000000000000000000000000003';
    const plainTraceId = 'c0000000000000000000000000000004';
    const unrouted = await upgrade(`${proxyUrl}/nowhere`, { traceparent: `00-${unroutedTraceId}-d000000000000002-01` });
    expect(unrouted).toMatchObject({ upgraded: false, status: 404 });
    const down = await upgrade(`${proxyUrl}/down/room`, { traceparent: `00-${downTraceId}-d000000000000003-01` });
    expect(down).toMatchObject({ upgraded: false, status: 502 });
    // A plain HTTP backend answers the upgrade request as any other: the gateway relays it, nothing is upgraded.
    const plain = await upgrade(`${proxyUrl}/orders/socket`, { traceparent: `00-${plainTraceId}-d000000000000004-01` });
    expect(plain).toMatchObject({ upgraded: false, status: 200 });

    const [unroutedSpan, downSpan, plainSpan] = await expectEventually(() => {
      const found = [spansOf(unroutedTraceId), spansOf(downTraceId), spansOf(plainTraceId)];
      expect(found.map((spans) => spans.map((span) => span.name))).toEqual([
        ['gateway.websocket'],
        ['gateway.websocket'],
        ['gateway.websocket'],
      ]);
      return found.map((spans) => spans[0] as ReceivedSpan);
    });
    expect(unroutedSpan).toMatchObject({
      statusCode: 0,
      attributes: { 'http.response.status_code': 404, 'error.type': 'ROUTE_NOT_FOUND', 'url.path': '/nowhere' },
    });
    expect(unroutedSpan?.attributes['gateway.route']).toBeUndefined();
    expect(downSpan).toMatchObject({
      statusCode: 2,
      attributes: expect.objectContaining({
        'http.response.status_code': 502,
        'error.type': 'ECONNREFUSED',
        'gateway.route': 'down',
        'gateway.backend': 'down-ws',
      }),
    });
    expect(plainSpan).toMatchObject({
      statusCode: 0,
      attributes: expect.objectContaining({
        'http.response.status_code': 200,
        'gateway.route': 'orders',
        'gateway.backend': 'orders-api',
      }),
    });
    expect(plainSpan?.attributes['error.type']).toBeUndefined();
  });
});
