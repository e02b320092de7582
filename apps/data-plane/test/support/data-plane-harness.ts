import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** Waits until the data plane's /config shows `version`. */
export async function waitForVersion(statusUrl: string, version: number): Promise<void> {
  await expectEventually(async () => {
    const response = await fetch(`${statusUrl}/config`);
    expect(((await response.json()) as { version: number | null }).version).toBe(version);
  });
}
