import { rmSync } from 'node:fs';
import { request } from 'node:http';
import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import {
  aBackend,
  aRoute,
  aSnapshot,
  expectEventually,
  findFreePort,
  startTestBackend,
  type TestBackend,
} from '@hotswap/testing';
import {
  expectGatewayError,
  makeTempDir,
  send,
  startInProcess,
  waitForVersion,
  writeJsonFile,
  type HttpResult,
  type InProcessDataPlane,
} from './support/data-plane-harness';
import { StubControlPlane } from './support/stub-control-plane';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** POSTs `size` bytes with chunked encoding (no Content-Length) until done or answered; resolves the answer. */
function sendChunked(url: string, size: number): Promise<Pick<HttpResult, 'status' | 'json'>> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', agent: false, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
      });
      res.on('error', reject);
    });
    // Once answered, the gateway may close the connection under the rest of the upload.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const writeMore = () => {
      while (sent < size && !answered) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', writeMore);
      }
      req.end();
    };
    writeMore();
  });
}

/** Every proxy behaviour that depends on config, run against each snapshot source (STYLE: "Tests"). */
describe.each(['file', 'stream'] as const)('the proxy serving a snapshot from the %s', (source) => {
  let alpha: TestBackend;
  let beta: TestBackend;
  let hopper: TestBackend;
  let slow: TestBackend;
  let resetter: TestBackend;
  let snapshotDir: string | undefined;
  let gateway: InProcessDataPlane;
  let controlPlane: StubControlPlane | undefined;
  let snapshot: ConfigSnapshot;

  beforeAll(async () => {
    alpha = await startTestBackend('alpha');
    beta = await startTestBackend('beta');
    hopper = await startTestBackend('hopper', (_req, res) => {
      res.writeHead(200, {
        connection: 'x-private',
        'x-private': 'backend only',
        'keep-alive': 'timeout=1',
        'x-public': 'yes',
      });
      res.end('ok');
    });
    slow = await startTestBackend('slow', () => {
      // Never answers: the route's timeout must.
    });
    resetter = await startTestBackend('resetter', (req) => req.socket.destroy());
    const closedPort = await findFreePort();
    const backends = [
      aBackend({ backendId: 'alpha', url: alpha.url }),
      aBackend({ backendId: 'beta', url: beta.url }),
      aBackend({ backendId: 'hopper', url: hopper.url }),
      aBackend({ backendId: 'slow', url: slow.url }),
      aBackend({ backendId: 'refused', url: `http://127.0.0.1:${closedPort}` }),
      aBackend({ backendId: 'resetter', url: resetter.url }),
      aBackend({ backendId: 'sick', url: alpha.url, healthStatus: 'Unhealthy' }),
      aBackend({ backendId: 'based', url: `${beta.url}/base/` }),
    ];
    const routes = [
      aRoute({ name: 'test', pathPattern: '/test/*', backendIds: ['alpha'] }),
      aRoute({ name: 'upload', pathPattern: '/upload/**', backendIds: ['alpha'] }),
      aRoute({ name: 'balanced', pathPattern: '/rr/**', backendIds: ['alpha', 'beta'] }),
      aRoute({ name: 'read-only', pathPattern: '/read-only/**', methods: ['GET', 'HEAD'], backendIds: ['alpha'] }),
      aRoute({ name: 'hosted', pathPattern: '/hosted/**', host: 'api.example.com', backendIds: ['beta'] }),
      aRoute({ name: 'unhosted', pathPattern: '/hosted/**', backendIds: ['alpha'] }),
      aRoute({ name: 'hop', pathPattern: '/hop/**', backendIds: ['hopper'] }),
      aRoute({ name: 'slow', pathPattern: '/slow/**', backendIds: ['slow'], timeoutSeconds: 1 }),
      aRoute({ name: 'refused', pathPattern: '/refused/**', backendIds: ['refused'] }),
      aRoute({ name: 'reset', pathPattern: '/reset/**', backendIds: ['resetter'] }),
      aRoute({ name: 'sick', pathPattern: '/sick/**', backendIds: ['sick'] }),
      aRoute({ name: 'verbatim', pathPattern: '/verbatim/**', backendIds: ['based'], stripPrefix: false }),
    ];
    snapshot = aSnapshot({ routes, backends }, { version: 3 });
    const env = { GATEWAY_MAX_BODY_BYTES: String(MAX_BODY_BYTES), LOG_LEVEL: 'error' };
    if (source === 'file') {
      snapshotDir = makeTempDir('snapshot');
      const file = writeJsonFile(snapshotDir, 'snapshot.json', snapshot);
      gateway = await startInProcess({ env, argv: ['--config', file] });
    } else {
      controlPlane = await StubControlPlane.start();
      controlPlane.push(snapshot);
      gateway = await startInProcess({ env: { ...env, CONTROL_PLANE_GRPC_URL: controlPlane.target } });
    }
    await waitForVersion(gateway.statusUrl, 3);
  });

  afterAll(async () => {
    await gateway?.stop();
    await controlPlane?.close();
    await Promise.all([alpha, beta, hopper, slow, resetter].map((backend) => backend?.close()));
    if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
  });

  it('proxies a GET to the route backend, stripping the prefix and keeping the query string', async () => {
    const result = await send(`${gateway.proxyUrl}/test/get?x=1&y=a%20b`);
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ backend: 'alpha', method: 'GET', url: '/get?x=1&y=a%20b' });
    expect(result.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('streams a POST body to the backend unchanged', async () => {
    const body = JSON.stringify({ payload: 'x'.repeat(1024 * 1024) });
    const result = await send(`${gateway.proxyUrl}/upload/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ backend: 'alpha', method: 'POST', url: '/items' });
    expect(result.json.body).toBe(body);
  });

  it('keeps the path when stripPrefix is off, under the backend URL base path', async () => {
    const result = await send(`${gateway.proxyUrl}/verbatim/a?q=1`);
    expect(result.json).toMatchObject({ backend: 'beta', url: '/base/verbatim/a?q=1' });
  });

  it('balances a route round robin over its backends', async () => {
    const seen: string[] = [];
    for (let index = 0; index < 4; index++) seen.push((await send(`${gateway.proxyUrl}/rr/x`)).json.backend);
    expect(new Set(seen)).toEqual(new Set(['alpha', 'beta']));
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen[2]).toBe(seen[0]);
  });

  it('routes by host before falling back to routes for any host', async () => {
    const hosted = await send(`${gateway.proxyUrl}/hosted/x`, { headers: { host: 'API.example.com:8000' } });
    const other = await send(`${gateway.proxyUrl}/hosted/x`, { headers: { host: 'www.example.com' } });
    expect([hosted.json.backend, other.json.backend]).toEqual(['beta', 'alpha']);
  });

  it('sets X-Forwarded-* and the W3C traceparent, and strips hop-by-hop headers both ways', async () => {
    const result = await send(`${gateway.proxyUrl}/test/headers`, {
      headers: {
        host: 'gw.example.com',
        traceparent: TRACEPARENT,
        tracestate: 'vendor=1',
        connection: 'keep-alive, x-hop',
        'x-hop': 'for the next hop only',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        'x-forwarded-for': '10.1.2.3',
        'x-custom': 'kept',
      },
    });
    expect(result.status).toBe(200);
    const seen = result.json.headers as Record<string, string>;
    expect(seen).toMatchObject({
      'x-forwarded-for': '10.1.2.3, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gw.example.com',
      tracestate: 'vendor=1',
      'x-custom': 'kept',
    });
    expect(seen.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(seen.traceparent).not.toBe(TRACEPARENT);
    for (const name of ['x-hop', 'keep-alive', 'proxy-connection']) expect(seen[name]).toBeUndefined();
    expect(result.headers['x-trace-id']).toBe(TRACE_ID);

    const fromBackend = await send(`${gateway.proxyUrl}/hop/x`);
    expect(fromBackend.headers['x-public']).toBe('yes');
    expect(fromBackend.headers['x-private']).toBeUndefined();
    expect(fromBackend.headers['keep-alive']).toBeUndefined();
  });

  it('starts a trace when the request carries none', async () => {
    const result = await send(`${gateway.proxyUrl}/test/trace`, { headers: { traceparent: 'garbage' } });
    const traceId = result.headers['x-trace-id'] as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(result.json.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it('answers 404 JSON with the trace id when no route matches', async () => {
    const result = await send(`${gateway.proxyUrl}/nowhere`, { headers: { traceparent: TRACEPARENT } });
    expectGatewayError(result, 404, 'ROUTE_NOT_FOUND');
    expect(result.json.error.traceId).toBe(TRACE_ID);
  });

  it('answers 405 JSON with an Allow header when the path matches only routes without the method', async () => {
    const result = await send(`${gateway.proxyUrl}/read-only/x`, { method: 'DELETE' });
    expectGatewayError(result, 405, 'METHOD_NOT_ALLOWED');
    expect(result.headers.allow).toBe('GET, HEAD');
  });

  it('answers 502 JSON when the backend refuses the connection or resets it', async () => {
    expectGatewayError(await send(`${gateway.proxyUrl}/refused/x`), 502, 'BAD_GATEWAY');
    expectGatewayError(await send(`${gateway.proxyUrl}/reset/x`), 502, 'BAD_GATEWAY');
  });

  it('answers 504 JSON when the backend does not answer within the route timeout', async () => {
    expectGatewayError(await send(`${gateway.proxyUrl}/slow/x`), 504, 'GATEWAY_TIMEOUT');
  });

  it('answers 503 JSON when no backend of the route is available', async () => {
    expectGatewayError(await send(`${gateway.proxyUrl}/sick/x`), 503, 'NO_BACKEND_AVAILABLE');
  });

  it('answers 413 JSON to a body declared larger than GATEWAY_MAX_BODY_BYTES, before reading it', async () => {
    const result = await send(`${gateway.proxyUrl}/upload/big`, {
      method: 'POST',
      declaredLength: MAX_BODY_BYTES + 1,
    });
    expectGatewayError(result, 413, 'PAYLOAD_TOO_LARGE');
    expect(alpha.received.some((request) => request.url === '/big')).toBe(false);
  });

  it('answers 413 JSON to a chunked body that grows past GATEWAY_MAX_BODY_BYTES, and streams a smaller one', async () => {
    const small = await sendChunked(`${gateway.proxyUrl}/upload/chunked-small`, 256 * 1024);
    expect({ status: small.status, length: (small.json.body as string).length }).toEqual({
      status: 200,
      length: 256 * 1024,
    });
    const large = await sendChunked(`${gateway.proxyUrl}/upload/chunked-large`, MAX_BODY_BYTES + 512 * 1024);
    expect({ status: large.status, code: large.json?.error?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('reports ready, the active config and request metrics on the status port', async () => {
    expect((await fetch(`${gateway.statusUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${gateway.statusUrl}/health/ready`)).status).toBe(200);
    const config = (await (await fetch(`${gateway.statusUrl}/config`)).json()) as Record<string, unknown>;
    expect(config).toMatchObject({
      dataPlaneId: gateway.id,
      ready: true,
      version: 3,
      hash: snapshot.hash,
      source,
      routes: snapshot.routes.length,
      backends: snapshot.backends.length,
      lastRejection: null,
    });
    expect(new Date(config.appliedAt as string).getTime()).toBeLessThanOrEqual(Date.now());
    await send(`${gateway.proxyUrl}/test/metrics`);
    await expectEventually(async () => {
      const metrics = await (await fetch(`${gateway.statusUrl}/metrics`)).text();
      expect(metrics).toMatch(/gateway_requests_total\{route="test",method="GET",status_class="2xx"[^}]*\} [1-9]/);
      expect(metrics).toMatch(/gateway_requests_total\{route="\(none\)",method="GET",status_class="4xx"/);
      expect(metrics).toMatch(/gateway_request_duration_seconds_count\{[^}]*route="test"[^}]*\} [1-9]/);
      expect(metrics).toMatch(/gateway_config_version\{[^}]*\} 3/);
      expect(metrics).toMatch(/gateway_config_apply_duration_seconds_count\{[^}]*\} 1/);
      expect(metrics).toMatch(new RegExp(`gateway_routes_count\\{[^}]*\\} ${snapshot.routes.length}`));
      expect(metrics).toMatch(new RegExp(`gateway_backends_count\\{[^}]*\\} ${snapshot.backends.length}`));
    });
  });
});
