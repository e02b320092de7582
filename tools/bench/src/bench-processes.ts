import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { expectEventually, findFreePort, startProcess, type TestProcess } from '@hotswap/testing';

export const ROOT = resolve(__dirname, '../../..');
export const DATA_PLANE_MAIN = join(ROOT, 'apps/data-plane/dist/main.js');
export const CONTROL_PLANE_MAIN = join(ROOT, 'apps/control-plane/dist/main.js');
const TOKEN_CLI = join(ROOT, 'apps/control-plane/dist/token.js');
/** The stream credential the bench's control plane accepts and its data planes present. */
const BENCH_DATA_PLANE_TOKEN = randomBytes(32).toString('hex');
export const RESULTS_DIR = join(ROOT, '.hotswap/bench');
export const STARTUP_TIMEOUT_MS = 60_000;

/** Every child process a run started; stopped at the end, on a signal and on any error. */
export class ChildProcesses {
  private readonly processes = new Set<TestProcess>();
  private readonly loadGenerators = new Set<ChildProcess>();

  start(name: string, args: string[], env: Record<string, string | undefined> = {}): TestProcess {
    const started = startProcess(name, process.execPath, args, env);
    this.processes.add(started);
    return started;
  }

  fork(script: string): ChildProcess {
    const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.loadGenerators.add(child);
    child.once('exit', () => this.loadGenerators.delete(child));
    return child;
  }

  async stop(started: TestProcess): Promise<void> {
    await started.stop('SIGTERM');
    this.processes.delete(started);
  }

  async stopAll(): Promise<void> {
    for (const child of this.loadGenerators) child.kill('SIGKILL');
    await Promise.all([...this.processes].map((started) => this.stop(started)));
  }

  /** Last resort when the run ends abruptly: nothing started here outlives it. */
  killAllNow(): void {
    for (const child of this.loadGenerators) child.kill('SIGKILL');
    for (const started of this.processes) if (started.isRunning()) started.child.kill('SIGKILL');
  }

  /** Stops everything on exit, Ctrl-C and SIGTERM. */
  stopOnExit(): void {
    process.once('exit', () => this.killAllNow());
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        console.error(`\nbench: ${signal}, stopping every process it started`);
        void this.stopAll().finally(() => process.exit(130));
      });
    }
  }
}

export interface BenchDataPlane {
  id: string;
  process: TestProcess;
  /** The proxy's base URL, without a path. */
  baseUrl: string;
  statusUrl: string;
}

/**
 * Starts a data plane on free ports and waits until it reports ready: standalone from `configFile`, or streaming
 * from the control plane at `grpcTarget`.
 */
export async function startDataPlane(
  children: ChildProcesses,
  options: {
    id: string;
    cacheDir: string;
    configFile?: string;
    grpcTarget?: string;
    workers?: number;
    env?: Record<string, string>;
    /** Extra `node` flags (--cpu-prof…), before the script. */
    nodeArgs?: string[];
    startupTimeoutMs?: number;
  },
): Promise<BenchDataPlane> {
  const [proxyPort, statusPort] = [await findFreePort(), await findFreePort()];
  const dataPlane = children.start(
    `data-plane:${options.id}`,
    [...(options.nodeArgs ?? []), DATA_PLANE_MAIN, ...(options.configFile ? ['--config', options.configFile] : [])],
    {
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(proxyPort),
      GATEWAY_STATUS_PORT: String(statusPort),
      GATEWAY_DRAIN_SECONDS: '1',
      DATA_PLANE_ID: options.id,
      SNAPSHOT_CACHE_DIR: options.cacheDir,
      GATEWAY_WORKERS: String(options.workers ?? 1),
      // Standalone unless told otherwise: whatever control plane runs on this machine is not the bench's.
      CONTROL_PLANE_GRPC_URL: options.grpcTarget,
      CONTROL_PLANE_TOKEN: options.grpcTarget === undefined ? undefined : BENCH_DATA_PLANE_TOKEN,
      ...options.env,
    },
  );
  const statusUrl = `http://127.0.0.1:${statusPort}`;
  await expectEventually(
    async () => {
      if (!dataPlane.isRunning()) throw new Error(`the data plane exited:\n${dataPlane.output().slice(-3000)}`);
      const response = await fetch(`${statusUrl}/health/ready`);
      if (response.status !== 200)
        throw new Error(`not ready (${response.status}):\n${dataPlane.output().slice(-3000)}`);
    },
    { timeoutMs: options.startupTimeoutMs ?? STARTUP_TIMEOUT_MS, intervalMs: 100 },
  ).catch((error: unknown) => {
    throw error instanceof Error && /fetch failed/.test(error.message)
      ? new Error(`the data plane did not listen on ${statusPort}:\n${dataPlane.output().slice(-3000)}`)
      : error;
  });
  return { id: options.id, process: dataPlane, baseUrl: `http://127.0.0.1:${proxyPort}`, statusUrl };
}

export interface BenchControlPlane {
  process: TestProcess;
  httpUrl: string;
  grpcTarget: string;
  /** An Admin bearer token for the REST API. */
  token: string;
  /** Calls the REST API (`/api/v1/gateway` + path) as Admin; throws unless the status is `expected`. */
  api<T = unknown>(method: string, path: string, body?: unknown, expected?: number): Promise<T>;
}

/** Starts a control plane on free ports against `databaseUrl` (it migrates it), without Redis. */
export async function startControlPlane(
  children: ChildProcesses,
  databaseUrl: string,
  options: { nodeArgs?: string[] } = {},
): Promise<BenchControlPlane> {
  const [http, grpc] = [await findFreePort(), await findFreePort()];
  const env = {
    DATABASE_URL: databaseUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_PLANE_TOKENS: BENCH_DATA_PLANE_TOKEN,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    // In-process schedulers: the bench leaves the shared Redis alone.
    REDIS_URL: '',
    CONTROL_PLANE_HOST: '127.0.0.1',
    CONTROL_PLANE_HTTP_PORT: String(http),
    CONTROL_PLANE_GRPC_PORT: String(grpc),
    CONTROL_PLANE_INSTANCE_ID: `bench-cp-${http}`,
    // The benches swap routes many times a second: the per-user limits of the management API are raised.
    MANAGEMENT_RATE_LIMIT_ROUTE_WRITES_PER_MINUTE: '1000000',
    MANAGEMENT_RATE_LIMIT_DEPLOYMENTS_PER_MINUTE: '1000000',
    MANAGEMENT_RATE_LIMIT_METRICS_AND_HEALTH_PER_MINUTE: '1000000',
  };
  const controlPlane = children.start('control-plane', [...(options.nodeArgs ?? []), CONTROL_PLANE_MAIN], env);
  await controlPlane.waitForOutput(/control plane listening/, STARTUP_TIMEOUT_MS);
  await controlPlane.waitForOutput(/config discovery listening/, 30_000);
  const token = execFileSync(process.execPath, [TOKEN_CLI, '--role', 'Admin', '--sub', 'bench'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  }).trim();
  const httpUrl = `http://127.0.0.1:${http}`;
  return {
    process: controlPlane,
    httpUrl,
    grpcTarget: `127.0.0.1:${grpc}`,
    token,
    async api<T>(method: string, path: string, body?: unknown, expected?: number): Promise<T> {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${httpUrl}/api/v1/gateway${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (expected !== undefined && response.status !== expected) {
        throw new Error(`${method} ${path} answered ${response.status} (expected ${expected}): ${text.slice(0, 500)}`);
      }
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}
