import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { expectEventually, findFreePort, startProcess, type TestProcess } from '@hotswap/testing';

const ROOT = resolve(__dirname, '../..');
const CONTROL_PLANE_MAIN = join(ROOT, 'apps/control-plane/dist/main.js');
const DATA_PLANE_MAIN = join(ROOT, 'apps/data-plane/dist/main.js');
const TOKEN_CLI = join(ROOT, 'apps/control-plane/dist/token.js');

export type Role = 'Admin' | 'Operator' | 'Viewer';

// Responses are asserted field by field in tests: a loose body type keeps them short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A database of its own for one test file: created empty, dropped at the end. */
export async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env.DATABASE_URL as string;
  const name = `e2e_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface ControlPlaneProcess {
  httpUrl: string;
  grpcTarget: string;
  process: TestProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface DataPlaneProcess {
  id: string;
  proxyUrl: string;
  statusUrl: string;
  cacheDir: string;
  process: TestProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
  activeVersion(): Promise<number | null>;
}

/** The whole system as real processes: control planes and data planes on free ports, one database. */
export class GatewayHarness {
  readonly jwtSecret = randomBytes(32).toString('hex');
  /** The Redis keys of this harness's control planes (their BullMQ queues): shared by its replicas, removed at the end. */
  readonly redisKeyPrefix = `hotswap-e2e-${randomBytes(6).toString('hex')}`;
  private readonly processes = new Set<TestProcess>();
  private readonly tokens = new Map<Role, string>();
  private readonly workDir = mkdtempSync(join(tmpdir(), 'hotswap-e2e-'));

  /**
   * Without a database it runs only data planes (standalone, from a `--config` file). `dataPlaneToken` is the token
   * its control planes accept and its data planes present on their streams: pass another harness's to let its data
   * planes talk to this one's control planes.
   */
  constructor(
    readonly databaseUrl?: string,
    readonly dataPlaneToken = randomBytes(32).toString('hex'),
  ) {}

  /** `env` adds to or overrides the control plane's environment (REDIS_URL, REDIS_KEY_PREFIX…). */
  async startControlPlane(
    ports?: { http: number; grpc: number },
    env: Record<string, string> = {},
  ): Promise<ControlPlaneProcess> {
    const http = ports?.http ?? (await findFreePort());
    const grpc = ports?.grpc ?? (await findFreePort());
    const child = startProcess(`control-plane:${http}`, process.execPath, [CONTROL_PLANE_MAIN], {
      ...this.controlPlaneEnv(),
      CONTROL_PLANE_HOST: '127.0.0.1',
      CONTROL_PLANE_HTTP_PORT: String(http),
      CONTROL_PLANE_GRPC_PORT: String(grpc),
      CONTROL_PLANE_INSTANCE_ID: `cp-${http}`,
      ...env,
    });
    this.processes.add(child);
    await child.waitForOutput(/control plane listening/, 60_000);
    await child.waitForOutput(/config discovery listening/, 30_000);
    return {
      httpUrl: `http://127.0.0.1:${http}`,
      grpcTarget: `127.0.0.1:${grpc}`,
      process: child,
      stop: async (signal) => {
        await child.stop(signal);
        this.processes.delete(child);
      },
    };
  }

  async startDataPlane(options: {
    id: string;
    grpcTarget?: string;
    configFile?: string;
    cacheDir?: string;
    env?: Record<string, string>;
    waitUntilReady?: boolean;
    /** Fixed ports, such as those of a data plane this one replaces; free ones by default. */
    ports?: { proxy: number; status: number };
  }): Promise<DataPlaneProcess> {
    const proxyPort = options.ports?.proxy ?? (await findFreePort());
    const statusPort = options.ports?.status ?? (await findFreePort());
    const cacheDir = options.cacheDir ?? join(this.workDir, options.id);
    const child = startProcess(
      `data-plane:${options.id}`,
      process.execPath,
      [DATA_PLANE_MAIN, ...(options.configFile ? ['--config', options.configFile] : [])],
      {
        DATA_PLANE_ID: options.id,
        CONTROL_PLANE_GRPC_URL: options.grpcTarget,
        CONTROL_PLANE_TOKEN: options.grpcTarget === undefined ? undefined : this.dataPlaneToken,
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: String(proxyPort),
        GATEWAY_STATUS_PORT: String(statusPort),
        SNAPSHOT_CACHE_DIR: cacheDir,
        // Single-process mode unless a test asks for workers (the default is one per CPU).
        GATEWAY_WORKERS: '1',
        ...options.env,
      },
    );
    this.processes.add(child);
    const statusUrl = `http://127.0.0.1:${statusPort}`;
    await child.waitForOutput(/listening proxy=/, 30_000);
    const dataPlane: DataPlaneProcess = {
      id: options.id,
      proxyUrl: `http://127.0.0.1:${proxyPort}`,
      statusUrl,
      cacheDir,
      process: child,
      stop: async (signal) => {
        await child.stop(signal);
        this.processes.delete(child);
      },
      activeVersion: async () => {
        const response = await fetch(`${statusUrl}/config`);
        const body = (await response.json()) as { version?: number | null };
        return body.version ?? null;
      },
    };
    if (options.waitUntilReady !== false) {
      await expectEventually(async () => expect((await fetch(`${statusUrl}/health/ready`)).status).toBe(200), {
        timeoutMs: 20_000,
      });
    }
    return dataPlane;
  }

  /** A signed token for a role, made by the real token CLI. */
  token(role: Role): string {
    let token = this.tokens.get(role);
    if (!token) {
      token = execFileSync(process.execPath, [TOKEN_CLI, '--role', role, '--sub', `e2e-${role.toLowerCase()}`], {
        env: { ...process.env, ...this.controlPlaneEnv() },
        encoding: 'utf8',
      }).trim();
      this.tokens.set(role, token);
    }
    return token;
  }

  /** Calls the control plane's REST API as a role; returns status and parsed JSON. */
  async api<T = Json>(
    controlPlane: ControlPlaneProcess,
    method: string,
    path: string,
    body?: unknown,
    role: Role | null = 'Admin',
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (role) headers.authorization = `Bearer ${this.token(role)}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${controlPlane.httpUrl}/api/v1/gateway${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.processes].map((child) => child.stop()));
    this.processes.clear();
    rmSync(this.workDir, { recursive: true, force: true });
    await this.removeRedisKeys();
  }

  private async removeRedisKeys(): Promise<void> {
    const redisUrl = process.env.REDIS_URL;
    if (!redisUrl || !this.databaseUrl) return;
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      const keys = await redis.keys(`${this.redisKeyPrefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    } catch {
      // Nothing to remove, or no Redis: the keys are this harness's own and harmless.
    } finally {
      redis.disconnect();
    }
  }

  private controlPlaneEnv(): Record<string, string> {
    if (!this.databaseUrl) throw new Error('this harness has no database: give it one to run a control plane');
    return {
      DATABASE_URL: this.databaseUrl,
      JWT_SECRET: this.jwtSecret,
      DATA_PLANE_TOKENS: this.dataPlaneToken,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      // REDIS_URL comes from the test environment: one gateway (one database), one key prefix.
      REDIS_KEY_PREFIX: this.redisKeyPrefix,
      // Specs write and poll far faster than people: the per-user limits of the management API are raised.
      MANAGEMENT_RATE_LIMIT_ROUTE_WRITES_PER_MINUTE: '1000000',
      MANAGEMENT_RATE_LIMIT_DEPLOYMENTS_PER_MINUTE: '1000000',
      MANAGEMENT_RATE_LIMIT_METRICS_AND_HEALTH_PER_MINUTE: '1000000',
    };
  }
}

/** GETs a URL through the gateway and returns status and parsed JSON (or text). */
export async function getJson(url: string): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(url);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}
