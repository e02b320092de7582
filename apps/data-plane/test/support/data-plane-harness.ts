import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectEventually } from '@hotswap/testing';
import { loadDataPlaneConfig } from '../../src/config/data-plane-config';
import { startDataPlane, type DataPlane } from '../../src/data-plane';
import { Logger } from '../../src/observability/logger';

/** A data plane started in this process by `startDataPlane`, with its log lines kept. */
export interface InProcessDataPlane {
  dataPlane: DataPlane;
  id: string;
  dir: string;
  cacheDir: string;
  logs: string[];
  proxyUrl: string;
  statusUrl: string;
  stop(): Promise<void>;
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `hotswap-${prefix}-`));
}

/** Starts a data plane on 127.0.0.1 and free ports; `env` and `argv` as the process would get them. */
export async function startInProcess(
  options: { env?: Record<string, string>; argv?: string[] } = {},
): Promise<InProcessDataPlane> {
  const dir = makeTempDir('dp');
  const id = `dp-${randomBytes(4).toString('hex')}`;
  const cacheDir = join(dir, 'cache');
  const config = loadDataPlaneConfig(
    {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      GATEWAY_STATUS_PORT: '0',
      DATA_PLANE_ID: id,
      SNAPSHOT_CACHE_DIR: cacheDir,
      GATEWAY_DRAIN_SECONDS: '10',
      ...options.env,
    },
    options.argv ?? [],
    dir,
  );
  const logs: string[] = [];
  const logger = new Logger('debug', { dataPlaneId: id }, (line) => logs.push(line));
  const dataPlane = await startDataPlane(config, { logger });
  return {
    dataPlane,
    id,
    dir,
    cacheDir,
    logs,
    proxyUrl: dataPlane.proxyUrl,
    statusUrl: dataPlane.statusUrl,
    async stop() {
      await dataPlane.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes a snapshot (or any JSON) to a file in `dir` and returns its path. */
export function writeJsonFile(dir: string, name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(content, null, 2));
  return file;
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON); specs assert on it loosely. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- specs read arbitrary response shapes
  json: any;
}

/**
 * One HTTP/1.1 request on a fresh connection, with exactly the headers given (fetch forbids hop-by-hop ones).
 * `declaredLength` sends a Content-Length without a body.
 */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; declaredLength?: number } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
    if (options.declaredLength !== undefined) headers['content-length'] = options.declaredLength;
    const req = request(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        if (options.declaredLength !== undefined) req.destroy();
      });
    });
    req.on('error', reject);
    if (options.body !== undefined) req.end(options.body);
    else if (options.declaredLength === undefined) req.end();
    else req.flushHeaders();
  });
}

/** Waits until the data plane's /config shows `version`. */
export async function waitForVersion(statusUrl: string, version: number): Promise<void> {
  await expectEventually(async () => {
    const response = await fetch(`${statusUrl}/config`);
    expect(((await response.json()) as { version: number | null }).version).toBe(version);
  });
}

/** Checks the gateway's error envelope and trace id. */
export function expectGatewayError(result: HttpResult, status: number, code: string): void {
  const error = (result.json as { error?: { code?: string; timestamp?: string } } | undefined)?.error;
  expect({ status: result.status, code: error?.code }).toEqual({ status, code });
  expect(result.headers['content-type']).toMatch(/^application\/json/);
  const traceId = result.headers['x-trace-id'];
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(error).toEqual({
    code,
    message: expect.any(String) as unknown,
    traceId,
    timestamp: expect.any(String) as unknown,
  });
  expect(new Date(error?.timestamp ?? '').toISOString()).toBe(error?.timestamp);
}
