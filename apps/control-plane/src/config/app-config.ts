import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDurationMs } from '@hotswap/config-snapshot';
import { describeTracingConfig, parseTracingConfig, type TracingConfig } from '@hotswap/observability';
import { z } from 'zod';

/** The control plane's configuration: parsed from the environment once, at start, then frozen. */
export interface AppConfig {
  readonly environment: 'development' | 'test' | 'production';
  readonly http: { readonly host: string; readonly port: number };
  readonly grpc: { readonly host: string; readonly port: number };
  /** Who may open the data-plane streams (config discovery, telemetry) on the gRPC port. */
  readonly dataPlaneAuth: {
    /**
     * DATA_PLANE_TOKENS (comma-separated, so a token can be rotated): a stream must present one of them. Empty only
     * when NODE_ENV is explicitly development or test: then any stream is accepted (and a warning says so).
     */
    readonly tokens: readonly string[];
  };
  /** TLS of the gRPC port (GRPC_TLS_*); absent: plaintext. */
  readonly grpcTls: GrpcTlsConfig | undefined;
  readonly databaseUrl: string;
  /** Absent: jobs run in process and nothing is shared through Redis. */
  readonly redisUrl: string | undefined;
  /** Prepended to every Redis key this control plane writes (BullMQ queues): replicas of one gateway share it. */
  readonly redisKeyPrefix: string;
  readonly auth: {
    readonly jwtSecret: string;
    readonly issuer: string;
    readonly audience: string;
    readonly tokenTtlSeconds: number;
  };
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Identifies this replica in logs and in the fleet view. */
  readonly instanceId: string;
  readonly deployments: {
    /** Environments whose deployments need an Admin's approval (DEPLOYMENT_APPROVAL_ENVIRONMENTS). */
    readonly approvalEnvironments: readonly string[];
    /** A pending approval older than this rejects its deployment (DEPLOYMENT_APPROVAL_TTL, default 24 h). */
    readonly approvalTtlMs: number;
    /** How often an in-progress deployment is analysed and its phase checked (DEPLOYMENT_ANALYSIS_INTERVAL). */
    readonly analysisIntervalMs: number;
  };
  /**
   * Calls per user (JWT subject) and minute of the management API's limited classes, counted in fixed windows
   * (MANAGEMENT_RATE_LIMIT_*_PER_MINUTE; the guide's defaults 10, 5 and 60).
   */
  readonly managementRateLimits: {
    readonly routeWrites: number;
    readonly deployments: number;
    readonly metricsAndHealth: number;
  };
  /** The standard OTEL_* variables: span export (off unless an OTLP endpoint is set) and sampling. */
  readonly tracing: TracingConfig;
}

/** PEM contents, read at start. With `clientCa`, every gRPC client must present a certificate it signed (mTLS). */
export interface GrpcTlsConfig {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa: Buffer | undefined;
}

/** The shortest data-plane token accepted: long enough that guessing it is hopeless. */
export const MIN_DATA_PLANE_TOKEN_LENGTH = 32;

/** Nest injection token of the frozen AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Where a development JWT secret is kept when JWT_SECRET is not set (never in production). */
export const DEV_SECRET_FILE = resolve(process.cwd(), '.hotswap/jwt-secret');

const port = z.coerce.number().int().min(1).max(65_535);
const perMinute = z.coerce.number().int().min(1).max(1_000_000);
const durationMs = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDurationMs(value);
      if (ms === undefined || ms < 1) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration such as "5s", "24h" or "PT5M"` });
        return z.NEVER;
      }
      return ms;
    });
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  CONTROL_PLANE_HOST: z.string().min(1).default('0.0.0.0'),
  CONTROL_PLANE_HTTP_PORT: port.default(5000),
  CONTROL_PLANE_GRPC_PORT: port.default(5001),
  DATABASE_URL: z
    .string({ error: 'is required (a PostgreSQL URL such as postgres://user:pass@127.0.0.1:5432/gateway)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  // Set but empty counts as unset (a child process cannot unset what it inherits).
  REDIS_URL: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
  ),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, "_", "." or "-"')
    .default('hotswap'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('hotswap-gateway'),
  JWT_AUDIENCE: z.string().min(1).default('hotswap-gateway-api'),
  JWT_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(31_536_000).default(86_400),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  CONTROL_PLANE_INSTANCE_ID: z.string().min(1).optional(),
  DEPLOYMENT_APPROVAL_ENVIRONMENTS: z
    .string()
    .default('production')
    .transform((value) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    ),
  DEPLOYMENT_APPROVAL_TTL: durationMs('24h'),
  DEPLOYMENT_ANALYSIS_INTERVAL: durationMs('5s'),
  MANAGEMENT_RATE_LIMIT_ROUTE_WRITES_PER_MINUTE: perMinute.default(10),
  MANAGEMENT_RATE_LIMIT_DEPLOYMENTS_PER_MINUTE: perMinute.default(5),
  MANAGEMENT_RATE_LIMIT_METRICS_AND_HEALTH_PER_MINUTE: perMinute.default(60),
  DATA_PLANE_TOKENS: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((token) => token.trim())
          .filter((token) => token !== ''),
      )
      .refine((tokens) => tokens.every((token) => token.length >= MIN_DATA_PLANE_TOKEN_LENGTH && !/\s/.test(token)), {
        message: `every token must be at least ${MIN_DATA_PLANE_TOKEN_LENGTH} characters without spaces`,
      })
      .optional(),
  ),
  GRPC_TLS_CERT_FILE: z.string().min(1).optional(),
  GRPC_TLS_KEY_FILE: z.string().min(1).optional(),
  GRPC_TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the environment, reporting every bad variable at once. Without JWT_SECRET, outside
 * production, a random secret is kept in `.hotswap/jwt-secret` so that `npm run token` and the server agree.
 */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  const tracing = parseTracingConfig(env, { serviceName: 'hotswap-control-plane' });
  const tracingProblems = tracing.ok ? [] : tracing.problems;
  if (!parsed.success) {
    throw new ConfigError([
      ...parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
      ...tracingProblems,
    ]);
  }
  const e = parsed.data;
  const problems: string[] = [...tracingProblems];
  if (!e.JWT_SECRET && e.NODE_ENV === 'production') {
    problems.push('JWT_SECRET: is required in production (at least 32 characters)');
  }
  const dataPlaneTokens = e.DATA_PLANE_TOKENS ?? [];
  // Only an explicit development or test environment may leave the data-plane streams open.
  if (dataPlaneTokens.length === 0 && env.NODE_ENV !== 'development' && env.NODE_ENV !== 'test') {
    problems.push(
      'DATA_PLANE_TOKENS: is required (the token data planes present; at least 32 characters, e.g. openssl rand ' +
        '-hex 32) unless NODE_ENV is development or test',
    );
  }
  const grpcTls = readGrpcTls(e, problems);
  if (problems.length > 0 || !tracing.ok) throw new ConfigError(problems);
  const instanceId = e.CONTROL_PLANE_INSTANCE_ID ?? `control-plane-${process.pid}`;
  return Object.freeze({
    environment: e.NODE_ENV,
    http: Object.freeze({ host: e.CONTROL_PLANE_HOST, port: e.CONTROL_PLANE_HTTP_PORT }),
    grpc: Object.freeze({ host: e.CONTROL_PLANE_HOST, port: e.CONTROL_PLANE_GRPC_PORT }),
    dataPlaneAuth: Object.freeze({ tokens: Object.freeze(dataPlaneTokens) }),
    grpcTls,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    auth: Object.freeze({
      jwtSecret: e.JWT_SECRET ?? readOrCreateDevSecret(),
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      tokenTtlSeconds: e.JWT_TOKEN_TTL_SECONDS,
    }),
    logLevel: e.LOG_LEVEL,
    instanceId,
    deployments: Object.freeze({
      approvalEnvironments: Object.freeze(e.DEPLOYMENT_APPROVAL_ENVIRONMENTS),
      approvalTtlMs: e.DEPLOYMENT_APPROVAL_TTL,
      analysisIntervalMs: e.DEPLOYMENT_ANALYSIS_INTERVAL,
    }),
    managementRateLimits: Object.freeze({
      routeWrites: e.MANAGEMENT_RATE_LIMIT_ROUTE_WRITES_PER_MINUTE,
      deployments: e.MANAGEMENT_RATE_LIMIT_DEPLOYMENTS_PER_MINUTE,
      metricsAndHealth: e.MANAGEMENT_RATE_LIMIT_METRICS_AND_HEALTH_PER_MINUTE,
    }),
    tracing: Object.freeze({ ...tracing.config, serviceInstanceId: instanceId }),
  });
}

/** The config as printable text: secrets and passwords masked. */
export function describeAppConfig(config: AppConfig): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: maskUrl(config.databaseUrl),
    redisUrl: config.redisUrl && maskUrl(config.redisUrl),
    auth: { ...config.auth, jwtSecret: '***' },
    tracing: describeTracingConfig(config.tracing),
    dataPlaneAuth: { tokens: config.dataPlaneAuth.tokens.map(() => '***') },
    grpcTls: config.grpcTls && {
      cert: 'PEM',
      key: '***',
      clientCa: config.grpcTls.clientCa ? 'PEM' : undefined,
    },
  };
}

/** The PEM files of GRPC_TLS_*: a certificate needs its key; a client CA needs both. */
function readGrpcTls(
  e: { GRPC_TLS_CERT_FILE?: string; GRPC_TLS_KEY_FILE?: string; GRPC_TLS_CLIENT_CA_FILE?: string },
  problems: string[],
): GrpcTlsConfig | undefined {
  const { GRPC_TLS_CERT_FILE: certFile, GRPC_TLS_KEY_FILE: keyFile, GRPC_TLS_CLIENT_CA_FILE: clientCaFile } = e;
  if (certFile === undefined && keyFile === undefined && clientCaFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    problems.push('GRPC_TLS_CERT_FILE, GRPC_TLS_KEY_FILE: both are required for TLS (and for GRPC_TLS_CLIENT_CA_FILE)');
    return undefined;
  }
  const read = (name: string, file: string): Buffer | undefined => {
    try {
      return readFileSync(resolve(file));
    } catch (error) {
      problems.push(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const cert = read('GRPC_TLS_CERT_FILE', certFile);
  const key = read('GRPC_TLS_KEY_FILE', keyFile);
  const clientCa = clientCaFile === undefined ? undefined : read('GRPC_TLS_CLIENT_CA_FILE', clientCaFile);
  if (!cert || !key || (clientCaFile !== undefined && !clientCa)) return undefined;
  return Object.freeze({ cert, key, clientCa });
}

function maskUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}

function readOrCreateDevSecret(): string {
  if (existsSync(DEV_SECRET_FILE)) return readFileSync(DEV_SECRET_FILE, 'utf8').trim();
  mkdirSync(dirname(DEV_SECRET_FILE), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(DEV_SECRET_FILE, secret + '\n', { mode: 0o600 });
  return secret;
}

/**
 * Only the JWT settings, for tools that must agree with the server but need no database (the token CLI). Same
 * variables, same rules and the same development secret file as loadAppConfig.
 */
export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AppConfig['auth'] {
  const parsed = envSchema
    .pick({ NODE_ENV: true, JWT_SECRET: true, JWT_ISSUER: true, JWT_AUDIENCE: true, JWT_TOKEN_TTL_SECONDS: true })
    .safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  if (!e.JWT_SECRET && e.NODE_ENV === 'production') {
    throw new ConfigError(['JWT_SECRET: is required in production (at least 32 characters)']);
  }
  return Object.freeze({
    jwtSecret: e.JWT_SECRET ?? readOrCreateDevSecret(),
    issuer: e.JWT_ISSUER,
    audience: e.JWT_AUDIENCE,
    tokenTtlSeconds: e.JWT_TOKEN_TTL_SECONDS,
  });
}
