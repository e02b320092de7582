import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import { createApp } from '../../src/app';
import { loadAppConfig, type AppConfig } from '../../src/config/app-config';
import type { Role } from '../../src/modules/auth/roles';
import { TokenService } from '../../src/modules/auth/token.service';
import { DiscoveryGrpcServer } from '../../src/modules/fleet/discovery.grpc';
import { createTestDatabase, type TestDatabase } from './test-database';

// Responses are asserted field by field in tests: a loose body type keeps them short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  /** Sent as JSON, unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  /** A role (a token is issued for it), a literal token, or null for no Authorization header. */
  as?: Role | { token: string } | null;
  headers?: Record<string, string>;
}

/** The real control plane on 127.0.0.1 and a free port, over its own migrated database. */
export interface TestApp {
  app: NestExpressApplication;
  baseUrl: string;
  /** `host:port` of its gRPC server (data-plane streams, management API). */
  grpcTarget: string;
  config: AppConfig;
  db: TestDatabase;
  /** A direct connection to the test database, for assertions. */
  sql: Client;
  tokens: TokenService;
  request<T = Json>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  /** Stops the app and drops its database unless it was given one; a second call does nothing more. */
  close(): Promise<void>;
}

export interface TestAppOptions {
  /**
   * A database the caller created and drops: several test apps on one database are replicas of one gateway.
   * Without it, the app gets a database of its own.
   */
  database?: TestDatabase;
}

export const API = '/api/v1/gateway';

/** The token test apps accept on their data-plane streams (DATA_PLANE_TOKENS; `env` may replace it). */
export const TEST_DATA_PLANE_TOKEN = 'test-data-plane-token-0123456789abcdef';

/**
 * Per-user limits of the management API raised for tests, which write and poll far faster than people do (the
 * limits themselves are tested with their defaults: management-rate-limits.int-spec.ts). `env` may replace them.
 */
export const RAISED_RATE_LIMITS_ENV = {
  MANAGEMENT_RATE_LIMIT_ROUTE_WRITES_PER_MINUTE: '1000000',
  MANAGEMENT_RATE_LIMIT_DEPLOYMENTS_PER_MINUTE: '1000000',
  MANAGEMENT_RATE_LIMIT_METRICS_AND_HEALTH_PER_MINUTE: '1000000',
};

/** `env`: further environment variables of the control plane (REDIS_URL, DEPLOYMENT_* ...). */
export async function startTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const ownsDatabase = options.database === undefined;
  const db = options.database ?? (await createTestDatabase());
  const config: AppConfig = {
    ...loadAppConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
      DATA_PLANE_TOKENS: TEST_DATA_PLANE_TOKEN,
      LOG_LEVEL: 'error',
      ...RAISED_RATE_LIMITS_ENV,
      ...env,
    }),
    // Port 0: every test app gets its own gRPC port.
    grpc: { host: '127.0.0.1', port: 0 },
  };
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const sql = new Client({ connectionString: db.url });
  // A test may cut the database off (health): the connection's end is expected then, not a crash.
  sql.on('error', () => undefined);
  await sql.connect();
  const tokens = new TokenService(config.auth);
  let closed: Promise<void> | undefined;

  async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const as = options.as === undefined ? 'Admin' : options.as;
    if (as !== null) {
      headers['authorization'] =
        `Bearer ${typeof as === 'string' ? tokens.issue({ sub: `test-${as.toLowerCase()}`, role: as }) : as.token}`;
    }
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    if (response.headers.get('content-type')?.includes('application/json') && text !== '') parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  return {
    app,
    baseUrl,
    grpcTarget: `127.0.0.1:${app.get(DiscoveryGrpcServer).port as number}`,
    config,
    db,
    sql,
    tokens,
    request,
    close() {
      closed ??= (async () => {
        await sql.end().catch(() => undefined);
        await app.close();
        if (ownsDatabase) await db.drop();
      })();
      return closed;
    },
  };
}

/** The newest snapshot version, read straight from the database. */
export async function latestSnapshotVersion(sql: Client): Promise<number> {
  const { rows } = await sql.query<{ version: string }>('SELECT max(version)::text AS version FROM config_snapshots');
  return Number(rows[0]?.version);
}

/** How many rows a table holds. */
export async function countRows(sql: Client, table: string): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
  return Number(rows[0]?.n);
}
