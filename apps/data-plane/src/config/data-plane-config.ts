import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseTracingConfig, type TracingConfig } from '@hotswap/observability';
import { z } from 'zod';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The data plane's configuration: parsed from the environment and command line once, at start, then frozen. */
export interface DataPlaneConfig {
  readonly dataPlaneId: string;
  readonly hostname: string;
  /** `host:port` of the control plane's gRPC discovery service; absent: no stream. */
  readonly controlPlaneUrl: string | undefined;
  /** How this data plane proves itself to the control plane on its streams (discovery, telemetry). */
  readonly controlPlaneAuth: ControlPlaneAuth;
  /** CONFIG_HEARTBEAT_INTERVAL_MS: how often the stream reports the version and hash this data plane runs. */
  readonly configHeartbeatMs: number;
  /**
   * DATA_PLANE_TEST_FAULT, for tests only: `corrupt-applied-hash-once` makes the first snapshot applied from the
   * stream run under a wrong hash after its Ack (a divergence the control plane must detect and repair).
   */
  readonly testFault: 'corrupt-applied-hash-once' | undefined;
  /** `--config FILE`: a snapshot file served in standalone mode (or when nothing better is available). */
  readonly configFile: string | undefined;
  readonly proxy: {
    readonly host: string;
    readonly port: number;
    readonly maxConcurrentConnections: number;
    readonly defaultTimeoutSeconds: number;
    readonly maxBodyBytes: number;
    /** Request line plus headers, at most (node's `maxHeaderSize`); a larger request is answered 431. */
    readonly maxHeaderBytes: number;
    readonly maxRoutes: number;
  };
  readonly status: { readonly host: string; readonly port: number };
  readonly cache: { readonly dir: string; readonly keep: number };
  readonly drainSeconds: number;
  /** GATEWAY_WORKERS: proxy processes (node:cluster); 1 runs everything in this one process. */
  readonly workers: number;
  readonly logLevel: LogLevel;
  /** GATEWAY_ACCESS_LOG: one JSON line per proxied request (route, backend, method, path, status, latency, trace id). */
  readonly accessLog: boolean;
  /** Traffic reports to the control plane (on CONTROL_PLANE_GRPC_URL): window length and series cap per report. */
  readonly telemetry: { readonly intervalMs: number; readonly maxSeries: number };
  readonly rateLimits: {
    /** REDIS_URL: where `redis`-policy rate limits are counted; absent: they are counted per data plane. */
    readonly redisUrl: string | undefined;
    /** REDIS_KEY_PREFIX: first part of every Redis key this data plane writes. */
    readonly redisKeyPrefix: string;
    /** RATE_LIMIT_REDIS_TIMEOUT_MS: a Redis call unanswered for this long counts as Redis unreachable. */
    readonly redisTimeoutMs: number;
    /** RATE_LIMIT_LOCAL_MAX_KEYS: clients a `local` rate limit of one route keeps counts for, at most. */
    readonly localMaxKeys: number;
  };
  /** The standard OTEL_* variables: span export (off unless an OTLP endpoint is set) and sampling. */
  readonly tracing: TracingConfig;
}

/** The credential and TLS settings of the streams to the control plane. */
export interface ControlPlaneAuth {
  /** CONTROL_PLANE_TOKEN: sent as `authorization: Bearer <token>` on every stream; absent: none sent. */
  readonly token: string | undefined;
  /**
   * CONTROL_PLANE_TLS_CA_FILE (and, for mTLS, CONTROL_PLANE_TLS_CERT_FILE + CONTROL_PLANE_TLS_KEY_FILE): PEM
   * contents read at start; absent: plaintext.
   */
  readonly tls:
    { readonly ca: Buffer; readonly cert: Buffer | undefined; readonly key: Buffer | undefined } | undefined;
}

export class DataPlaneConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'DataPlaneConfigError';
  }
}

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

const envSchema = z.object({
  CONTROL_PLANE_GRPC_URL: z
    .string()
    .regex(/^(dns:|ipv4:|ipv6:|unix:)?[^\s/]+(:\d+)?$/, 'must be a gRPC target such as 127.0.0.1:5001')
    .optional(),
  CONTROL_PLANE_TOKEN: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z
      .string()
      .regex(/^\S{32,}$/, 'must be at least 32 characters without spaces')
      .optional(),
  ),
  CONTROL_PLANE_TLS_CA_FILE: z.string().min(1).optional(),
  CONTROL_PLANE_TLS_CERT_FILE: z.string().min(1).optional(),
  CONTROL_PLANE_TLS_KEY_FILE: z.string().min(1).optional(),
  CONFIG_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(15_000),
  DATA_PLANE_TEST_FAULT: z.enum(['corrupt-applied-hash-once']).optional(),
  GATEWAY_HOST: z.string().min(1).default('0.0.0.0'),
  GATEWAY_PORT: port.default(8000),
  GATEWAY_STATUS_PORT: port.default(8100),
  DATA_PLANE_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, 'must be 1-255 letters, digits, ".", "_" or "-"')
    .optional(),
  SNAPSHOT_CACHE_DIR: z.string().min(1).optional(),
  SNAPSHOT_CACHE_KEEP: positiveInt(1000).default(3),
  GATEWAY_MAX_CONCURRENT_CONNECTIONS: positiveInt(10_000_000).default(10_000),
  GATEWAY_DEFAULT_TIMEOUT_SECONDS: positiveInt(300).default(30),
  GATEWAY_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 40)
    .default(10 * 1024 * 1024),
  GATEWAY_MAX_HEADER_BYTES: z.coerce.number().int().min(1024).max(1_048_576).default(16_384),
  GATEWAY_MAX_ROUTES: positiveInt(10_000_000).default(10_000),
  GATEWAY_DRAIN_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  GATEWAY_WORKERS: positiveInt(1024).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  GATEWAY_ACCESS_LOG: z
    .enum(['on', 'off', 'true', 'false', '1', '0'], { error: 'must be on or off' })
    .default('off')
    .transform((value) => value === 'on' || value === 'true' || value === '1'),
  TELEMETRY_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(5_000),
  TELEMETRY_MAX_SERIES: z.coerce.number().int().min(2).max(100_000).default(1_000),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9:._-]{0,99}$/, 'must be 1-100 letters, digits, ":", ".", "_" or "-"')
    .default('hotswap'),
  RATE_LIMIT_REDIS_TIMEOUT_MS: positiveInt(10_000).default(50),
  RATE_LIMIT_LOCAL_MAX_KEYS: positiveInt(100_000_000).default(100_000),
});

/** Reads `--config FILE` (or `--config=FILE`); every other argument is a problem. */
function parseArgs(argv: readonly string[], problems: string[]): { configFile: string | undefined } {
  let configFile: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === '--config') {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) problems.push('--config: needs a file name');
      else configFile = value;
      index++;
    } else if (arg.startsWith('--config=')) {
      const value = arg.slice('--config='.length);
      if (value === '') problems.push('--config: needs a file name');
      else configFile = value;
    } else {
      problems.push(`${arg}: unknown argument (usage: main.js [--config FILE])`);
    }
  }
  return { configFile };
}

/**
 * Reads and validates the environment and the command line (`argv` without node and the script), reporting every
 * problem at once.
 */
export function loadDataPlaneConfig(
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv.slice(2),
  cwd: string = process.cwd(),
): DataPlaneConfig {
  const problems: string[] = [];
  const { configFile } = parseArgs(argv, problems);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const tls = parsed.success ? readControlPlaneTls(parsed.data, cwd, problems) : undefined;
  const tracing = parseTracingConfig(env, { serviceName: 'hotswap-data-plane' });
  if (!tracing.ok) problems.push(...tracing.problems);
  if (problems.length > 0 || !parsed.success || !tracing.ok) throw new DataPlaneConfigError(problems);
  const e = parsed.data;
  const host = hostname();
  const dataPlaneId = e.DATA_PLANE_ID ?? `${host}-${process.pid}`;
  return Object.freeze({
    dataPlaneId,
    hostname: host,
    controlPlaneUrl: e.CONTROL_PLANE_GRPC_URL,
    controlPlaneAuth: Object.freeze({ token: e.CONTROL_PLANE_TOKEN, tls }),
    configHeartbeatMs: e.CONFIG_HEARTBEAT_INTERVAL_MS,
    testFault: e.DATA_PLANE_TEST_FAULT,
    configFile: configFile === undefined ? undefined : resolve(cwd, configFile),
    proxy: Object.freeze({
      host: e.GATEWAY_HOST,
      port: e.GATEWAY_PORT,
      maxConcurrentConnections: e.GATEWAY_MAX_CONCURRENT_CONNECTIONS,
      defaultTimeoutSeconds: e.GATEWAY_DEFAULT_TIMEOUT_SECONDS,
      maxBodyBytes: e.GATEWAY_MAX_BODY_BYTES,
      maxHeaderBytes: e.GATEWAY_MAX_HEADER_BYTES,
      maxRoutes: e.GATEWAY_MAX_ROUTES,
    }),
    status: Object.freeze({ host: e.GATEWAY_HOST, port: e.GATEWAY_STATUS_PORT }),
    cache: Object.freeze({
      dir: resolve(cwd, e.SNAPSHOT_CACHE_DIR ?? join('.hotswap', 'data-plane', dataPlaneId)),
      keep: e.SNAPSHOT_CACHE_KEEP,
    }),
    drainSeconds: e.GATEWAY_DRAIN_SECONDS,
    workers: e.GATEWAY_WORKERS ?? availableParallelism(),
    logLevel: e.LOG_LEVEL,
    accessLog: e.GATEWAY_ACCESS_LOG,
    telemetry: Object.freeze({ intervalMs: e.TELEMETRY_INTERVAL_MS, maxSeries: e.TELEMETRY_MAX_SERIES }),
    rateLimits: Object.freeze({
      redisUrl: e.REDIS_URL,
      redisKeyPrefix: e.REDIS_KEY_PREFIX,
      redisTimeoutMs: e.RATE_LIMIT_REDIS_TIMEOUT_MS,
      localMaxKeys: e.RATE_LIMIT_LOCAL_MAX_KEYS,
    }),
    tracing: Object.freeze({ ...tracing.config, serviceInstanceId: dataPlaneId }),
  });
}

/** The configuration as printable fields: the Redis password, the control-plane token and TLS key masked. */
export function describeDataPlaneConfig(config: DataPlaneConfig): Record<string, unknown> {
  const redisUrl = config.rateLimits.redisUrl;
  const { token, tls } = config.controlPlaneAuth;
  return {
    ...config,
    controlPlaneAuth: {
      token: token && '***',
      tls: tls && { ca: 'PEM', cert: tls.cert && 'PEM', key: tls.key && '***' },
    },
    rateLimits: { ...config.rateLimits, redisUrl: redisUrl && maskRedisUrl(redisUrl) },
  };
}

/** The PEM files of CONTROL_PLANE_TLS_*: TLS needs the CA; a client certificate needs its key. */
function readControlPlaneTls(
  e: { CONTROL_PLANE_TLS_CA_FILE?: string; CONTROL_PLANE_TLS_CERT_FILE?: string; CONTROL_PLANE_TLS_KEY_FILE?: string },
  cwd: string,
  problems: string[],
): ControlPlaneAuth['tls'] {
  const { CONTROL_PLANE_TLS_CA_FILE: caFile, CONTROL_PLANE_TLS_CERT_FILE: certFile } = e;
  const keyFile = e.CONTROL_PLANE_TLS_KEY_FILE;
  if (caFile === undefined && certFile === undefined && keyFile === undefined) return undefined;
  if (caFile === undefined) problems.push('CONTROL_PLANE_TLS_CA_FILE: is required for TLS to the control plane');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    problems.push('CONTROL_PLANE_TLS_CERT_FILE, CONTROL_PLANE_TLS_KEY_FILE: a client certificate needs both');
  }
  const read = (name: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(resolve(cwd, file));
    } catch (error) {
      problems.push(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  };
  const ca = read('CONTROL_PLANE_TLS_CA_FILE', caFile);
  const cert = read('CONTROL_PLANE_TLS_CERT_FILE', certFile);
  const key = read('CONTROL_PLANE_TLS_KEY_FILE', keyFile);
  return ca ? Object.freeze({ ca, cert, key }) : undefined;
}

/** A Redis URL with its password masked, for logs. */
export function maskRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
