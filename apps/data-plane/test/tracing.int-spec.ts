import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  expectEventually,
  send,
  startOtlpReceiver,
  startProcess,
  startTestBackend,
  type OtlpReceiver,
  type ReceivedSpan,
  type TestBackend,
  type TestProcess,
} from '@hotswap/testing';
import { makeTempDir, writeJsonFile } from './support/data-plane-harness';

const MAIN = resolve(__dirname, '../dist/main.js');
const LISTENING = /listening proxy=(http:\/\/[^\s"]+) status=/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

/** Spans of a real data-plane process, exported over OTLP/HTTP (JSON) to a real receiver. */
describe('data plane traces', () => {
  const processes: TestProcess[] = [];
  let dir: string;
  let receiver: OtlpReceiver;
  let backend: TestBackend;
  let flakyCalls = 0;
  let flaky: TestBackend;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npm run build -w @hotswap/data-plane)`);
    dir = makeTempDir('tracing');
    receiver = await startOtlpReceiver();
    backend = await startTestBackend('orders');
    // The first call of each pair fails with 503: a retried request makes two attempts.
    flaky = await startTestBackend('flaky', (_req, res) => {
      res.writeHead(++flakyCalls % 2 === 1 ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((child) => child.stop('SIGKILL')));
  });

  afterAll(async () => {
    await Promise.all([receiver?.close(), backend?.close(), flaky?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function startTracedDataPlane(samplerArg: string): Promise<string> {
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
      ],
      backends: [
        { backendId: 'orders', name: 'orders-api', url: backend.url },
        { backendId: 'flaky', name: 'flaky-api', url: flaky.url },
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
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: undefined,
      OTEL_TRACES_SAMPLER_ARG: samplerArg,
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_SERVICE_NAME: undefined,
    });
    processes.push(child);
    const [, proxyUrl] = await child.waitForOutput(LISTENING);
    return proxyUrl as string;
  }

  function spansOf(traceId: string): ReceivedSpan[] {
    return receiver.spans.filter((span) => span.traceId === traceId);
  }

  function lastTraceparent(from: TestBackend): RegExpExecArray {
    const header = from.received.at(-1)?.headers.traceparent;
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

    // A caller's sampled trace is still recorded (parent-based): once its spans arrive, the earlier
    // request's would have been exported with them.
    const sampledTraceId = 'a0000000000000000000000000000001';
    await send(`${proxyUrl}/orders/2`, { headers: { traceparent: `00-${sampledTraceId}-b000000000000001-01` } });
    await expectEventually(() => expect(spansOf(sampledTraceId).length).toBe(4));
    expect(spansOf(unsampledTraceId)).toEqual([]);
  });
});
