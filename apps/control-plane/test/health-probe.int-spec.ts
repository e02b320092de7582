import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { healthCheckSchema, type HealthCheck } from '@hotswap/config-snapshot';
import { findFreePort, startTestBackend, type TestBackend } from '@hotswap/testing';
import { probeBackend } from '../src/modules/health-checks/health-probe';

function aCheck(overrides: Partial<HealthCheck> = {}): HealthCheck {
  return { ...healthCheckSchema.parse({}), ...overrides };
}

describe('probing a backend', () => {
  const backends: TestBackend[] = [];
  afterAll(async () => {
    await Promise.all(backends.map((backend) => backend.close()));
  });

  async function backend(handler?: Parameters<typeof startTestBackend>[1]): Promise<TestBackend> {
    const started = await startTestBackend('probed', handler);
    backends.push(started);
    return started;
  }

  it('GETs the endpoint under the backend URL path with the configured headers and passes on the expected status', async () => {
    const target = await backend((_req, res) => res.writeHead(204).end());
    const result = await probeBackend(
      `${target.url}/api/`,
      aCheck({ endpoint: '/ready', expectedStatus: 204, headers: { 'X-Probe': 'yes' } }),
    );

    expect(result).toMatchObject({ isHealthy: true, statusCode: 204, detail: 'HTTP 204' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(target.received.at(-1)).toMatchObject({ method: 'GET', url: '/api/ready' });
    expect(target.received.at(-1)!.headers['x-probe']).toBe('yes');
  });

  it('fails on another status than the expected one', async () => {
    const target = await backend((_req, res) => res.writeHead(503).end('down'));
    expect(await probeBackend(target.url, aCheck())).toMatchObject({
      isHealthy: false,
      statusCode: 503,
      detail: 'HTTP 503, expected 200',
    });
  });

  it('passes only when the body contains the expected text', async () => {
    let body = '{"status":"UP"}';
    const target = await backend((_req, res) => res.writeHead(200).end(body));
    expect((await probeBackend(target.url, aCheck({ expectedBody: '"UP"' }))).isHealthy).toBe(true);

    body = '{"status":"DOWN"}';
    const failed = await probeBackend(target.url, aCheck({ expectedBody: '"UP"' }));
    expect(failed).toMatchObject({ isHealthy: false, statusCode: 200 });
    expect(failed.detail).toContain('does not contain');
  });

  it('fails when the backend does not answer within the timeout', async () => {
    const target = await backend(() => undefined);
    const result = await probeBackend(target.url, aCheck({ timeoutMs: 100 }));
    expect(result).toMatchObject({ isHealthy: false, statusCode: null, detail: 'no answer within 100 ms' });
  });

  it('fails when nothing listens, naming the error', async () => {
    const port = await findFreePort();
    const result = await probeBackend(`http://127.0.0.1:${port}`, aCheck());
    expect(result.isHealthy).toBe(false);
    expect(result.detail).toContain('ECONNREFUSED');
  });

  it('TCP: passes when a connection opens and fails when it is refused', async () => {
    const server: Server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await probeBackend(`http://127.0.0.1:${port}`, aCheck({ type: 'TCP' }))).toMatchObject({
        isHealthy: true,
        statusCode: null,
        detail: 'TCP connect',
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const refused = await probeBackend(`http://127.0.0.1:${port}`, aCheck({ type: 'TCP' }));
    expect(refused.isHealthy).toBe(false);
    expect(refused.detail).toContain('ECONNREFUSED');
  });
});
