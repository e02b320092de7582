import { z } from 'zod';
import { parseDurationMs } from './duration';
import { parsePathPattern } from './path-pattern';

/** Version of the snapshot schema; a data plane refuses snapshots of a schema it does not know. */
export const SNAPSHOT_SCHEMA_VERSION = 1;

export const LOAD_BALANCING_STRATEGIES = [
  'RoundRobin',
  'WeightedRoundRobin',
  'LeastConnections',
  'IPHash',
  'HeaderBased',
  'Direct',
] as const;
export const HEALTH_STATUSES = ['Unknown', 'Healthy', 'Degraded', 'Unhealthy', 'Draining'] as const;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'] as const;
export const RATE_LIMIT_ALGORITHMS = ['FixedWindow', 'SlidingWindow', 'TokenBucket'] as const;
export const RATE_LIMIT_WINDOWS = ['second', 'minute', 'hour'] as const;
export const RATE_LIMIT_KEYS = ['ClientIP', 'ApiKey', 'UserId'] as const;
export const RATE_LIMIT_POLICIES = ['local', 'redis'] as const;

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** An identifier of a route or backend: letters, digits, `.`, `_`, `-`; at most 255 characters. */
export const idSchema = z
  .string()
  .regex(ID, 'must be 1-255 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** A duration in milliseconds, written as a number of milliseconds or as text (`"30s"`, `"100ms"`, `"PT5M"`). */
export const durationMsSchema = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration such as "30s", "100ms", "5m" or "PT5M"` });
    return z.NEVER;
  }
  return ms;
});

export const pathPatternSchema = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const parsed = parsePathPattern(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  });

export const headerNameSchema = z.string().regex(HEADER_NAME, 'must be a valid HTTP header name');
const headerValueSchema = z.string().max(8192).regex(HEADER_VALUE, 'must not contain control characters');

export const regexSchema = z
  .string()
  .min(1)
  .max(1000)
  .superRefine((value, ctx) => {
    try {
      new RegExp(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(error as Error).message}` });
    }
  });

/** Variables a transformation header value may use: `${requestId}` (the trace id), `${latencyMs}` (responses only). */
export const TRANSFORM_VARIABLES = ['requestId', 'latencyMs'] as const;
const TEMPLATE_VARIABLE = /\$\{([^}]*)\}/g;

/** A header value a transformation sets, checked for the variables known on its side (request or response). */
function templateValueSchema(side: 'request' | 'response') {
  return headerValueSchema.superRefine((value, ctx) => {
    for (const [, name] of value.matchAll(TEMPLATE_VARIABLE)) {
      if (name === 'latencyMs' && side === 'request') {
        ctx.addIssue({ code: 'custom', message: '${latencyMs} is only known for responses' });
      } else if (!(TRANSFORM_VARIABLES as readonly string[]).includes(name ?? '')) {
        ctx.addIssue({
          code: 'custom',
          message: `uses the unknown variable \${${name}} (known: ${TRANSFORM_VARIABLES.map((v) => `\${${v}}`).join(', ')})`,
        });
      }
    }
  });
}

function headerTransformSchema(side: 'request' | 'response') {
  return z.strictObject({
    addHeaders: z.record(headerNameSchema, templateValueSchema(side)).default({}),
    removeHeaders: z.array(headerNameSchema).max(100).default([]),
  });
}

/** `$n` references in a replacement beyond the groups of its pattern (JavaScript would insert them literally). */
function missingGroupReferences(pattern: string, replacement: string): string[] {
  let groups: number;
  try {
    groups = (new RegExp(`${pattern}|`).exec('')?.length ?? 1) - 1;
  } catch {
    return [];
  }
  const missing: string[] = [];
  for (const [reference, digits = ''] of replacement.matchAll(/\$(\d{1,2})/g)) {
    const two = Number(digits);
    const one = Number(digits[0]);
    if ((digits.length === 2 && two >= 1 && two <= groups) || one === 0 || one <= groups) continue;
    missing.push(reference.slice(0, 2));
  }
  return missing;
}

const rewritePathSchema = z
  .strictObject({ pattern: regexSchema, replacement: z.string().max(1000) })
  .superRefine((value, ctx) => {
    for (const reference of missingGroupReferences(value.pattern, value.replacement)) {
      ctx.addIssue({
        code: 'custom',
        path: ['replacement'],
        message: `refers to group ${reference}, which the pattern does not have`,
      });
    }
  });

export const transformationsSchema = z.strictObject({
  request: headerTransformSchema('request')
    .extend({ rewritePath: rewritePathSchema.nullable().default(null) })
    .default({ addHeaders: {}, removeHeaders: [], rewritePath: null }),
  response: headerTransformSchema('response').default({ addHeaders: {}, removeHeaders: [] }),
});

/**
 * A route's rate limit: `limit` requests per `window` for each client (`keyBy`), counted per data plane (`local`) or
 * for all of them together (`redis`).
 */
export const rateLimitSchema = z
  .strictObject({
    algorithm: z.enum(RATE_LIMIT_ALGORITHMS).default('FixedWindow'),
    limit: z.number().int().min(1).max(10_000_000),
    window: z.enum(RATE_LIMIT_WINDOWS).default('minute'),
    /** TokenBucket only: the bucket's capacity, the most requests a full bucket lets through at once; default `limit`. */
    burst: z.number().int().min(1).max(10_000_000).optional(),
    keyBy: z.enum(RATE_LIMIT_KEYS).default('ClientIP'),
    /** Header read for `ApiKey` and, where no bearer token carries a `sub` claim, for `UserId`. */
    keyHeader: headerNameSchema.default('X-API-Key'),
    policy: z.enum(RATE_LIMIT_POLICIES).default('local'),
    /** Whether requests pass when the shared store (Redis) cannot be reached. */
    failOpen: z.boolean().default(true),
  })
  .superRefine((value, ctx) => {
    if (value.burst !== undefined && value.algorithm !== 'TokenBucket') {
      ctx.addIssue({ code: 'custom', path: ['burst'], message: 'applies to the TokenBucket algorithm only' });
    }
  });

export const circuitBreakerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  failureThreshold: z.number().int().min(1).max(1000).default(5),
  openDurationMs: durationMsSchema.default(30_000),
  successThreshold: z.number().int().min(1).max(1000).default(3),
});

export const retryPolicySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(10).default(3),
  initialDelayMs: durationMsSchema.default(100),
  maxDelayMs: durationMsSchema.default(2_000),
  retryOnStatus: z.array(z.number().int().min(500).max(599)).max(100).default([502, 503, 504]),
  retryOnConnectError: z.boolean().default(true),
  methods: z.array(z.enum(HTTP_METHODS)).default(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']),
});

export const strategyConfigSchema = z.strictObject({
  /** HeaderBased: the header whose value selects the backend. */
  headerName: headerNameSchema.optional(),
  /** HeaderBased: header value → backendId. */
  routingRules: z.record(z.string().max(1000), idSchema).optional(),
  /** HeaderBased: backendId used when the header is missing or has no rule. */
  defaultBackend: idSchema.optional(),
});

export const healthCheckSchema = z.strictObject({
  type: z.enum(['HTTP', 'TCP']).default('HTTP'),
  endpoint: z.string().startsWith('/').max(500).default('/health'),
  intervalMs: durationMsSchema.default(5_000),
  timeoutMs: durationMsSchema.default(3_000),
  unhealthyThreshold: z.number().int().min(1).max(100).default(3),
  healthyThreshold: z.number().int().min(1).max(100).default(2),
  expectedStatus: z.number().int().min(100).max(599).default(200),
  expectedBody: z.string().max(1000).nullable().default(null),
  headers: z.record(headerNameSchema, headerValueSchema).default({}),
});

export const connectionPoolSchema = z.strictObject({
  maxConnections: z.number().int().min(1).max(100_000).default(1_000),
  maxIdleConnections: z.number().int().min(0).max(100_000).default(100),
  idleTimeoutMs: durationMsSchema.default(60_000),
});

export const backendTimeoutsSchema = z.strictObject({
  connectMs: durationMsSchema.default(5_000),
  readMs: durationMsSchema.default(30_000),
});

export const backendUrlSchema = z
  .string()
  .max(500)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a valid absolute URL' });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: 'must use http or https' });
    }
    if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not carry credentials' });
    if (url.search || url.hash) ctx.addIssue({ code: 'custom', message: 'must not carry a query or fragment' });
  });

/** A backend as it travels in a snapshot. Every optional block has been filled with its defaults. */
export const backendConfigSchema = z.strictObject({
  backendId: idSchema,
  name: z.string().min(1).max(255),
  url: backendUrlSchema,
  weight: z.number().int().min(0).max(100).default(100),
  isEnabled: z.boolean().default(true),
  healthStatus: z.enum(HEALTH_STATUSES).default('Unknown'),
  healthCheck: healthCheckSchema.nullable().default(null),
  connectionPool: connectionPoolSchema.nullable().default(null),
  timeouts: backendTimeoutsSchema.nullable().default(null),
});

/** A route as it travels in a snapshot: its live version, backends referenced by id. */
const routeFieldsSchema = z.strictObject({
  routeId: idSchema,
  name: z.string().min(1).max(255),
  pathPattern: pathPatternSchema,
  /** Exact host, or `*.example.com`; `null` matches every host. */
  host: z
    .string()
    .max(253)
    .regex(/^(\*\.)?[A-Za-z0-9.-]+(:\d+)?$/, 'must be a host name such as "api.example.com" or "*.example.com"')
    .nullable()
    .default(null),
  /** Allowed methods; empty allows every method. */
  methods: z.array(z.enum(HTTP_METHODS)).max(HTTP_METHODS.length).default([]),
  backendIds: z.array(idSchema).min(1).max(1000),
  strategy: z.enum(LOAD_BALANCING_STRATEGIES).default('RoundRobin'),
  strategyConfig: strategyConfigSchema.nullable().default(null),
  timeoutSeconds: z.number().int().min(1).max(300).default(30),
  isEnabled: z.boolean().default(true),
  priority: z.number().int().min(0).max(100).default(0),
  /** Whether the pattern's literal prefix is removed from the path before forwarding (Kong's default). */
  stripPrefix: z.boolean().default(true),
  transformations: transformationsSchema.nullable().default(null),
  rateLimit: rateLimitSchema.nullable().default(null),
  circuitBreaker: circuitBreakerSchema.nullable().default(null),
  retryPolicy: retryPolicySchema.nullable().default(null),
  version: z.string().min(1).max(50).default('1.0'),
});

export const DEPLOYMENT_STRATEGIES = ['Canary', 'BlueGreen', 'Rolling'] as const;
export const TRAFFIC_VARIANTS = ['stable', 'canary'] as const;

/**
 * How a route forwards, without how it matches: what a deployment may change. The matching fields (pathPattern,
 * host, methods, priority) and the route's identity, state and rate limit stay those of the live version.
 */
export const routeVariantSchema = routeFieldsSchema.pick({
  backendIds: true,
  strategy: true,
  strategyConfig: true,
  timeoutSeconds: true,
  stripPrefix: true,
  transformations: true,
  retryPolicy: true,
  circuitBreaker: true,
  version: true,
});

/**
 * An in-flight deployment of a route: the new version (`canary`) and which requests it serves. The route's own
 * forwarding fields are the stable (live) version's.
 * - Canary: `canaryPercentage` of requests, split per request.
 * - BlueGreen: requests carrying `previewHeader: true`, plus `canaryPercentage` (0 until the switch).
 * - Rolling: every request on the data planes listed in `rolloutDataPlaneIds`, none elsewhere.
 * On every strategy, `pinHeader: always|never` pins a request to the canary or the stable version.
 */
export const trafficSplitSchema = z.strictObject({
  deploymentId: idSchema,
  strategy: z.enum(DEPLOYMENT_STRATEGIES),
  canaryPercentage: z.number().min(0).max(100).default(0),
  canary: routeVariantSchema,
  pinHeader: headerNameSchema.default('X-Canary'),
  previewHeader: headerNameSchema.default('X-Preview'),
  rolloutDataPlaneIds: z.array(z.string().min(1).max(255)).max(10_000).default([]),
});

export const routeConfigSchema = routeFieldsSchema.extend({
  /** The in-flight deployment of this route, if any. */
  trafficSplit: trafficSplitSchema.nullable().default(null),
});

export const globalSettingsSchema = z.strictObject({
  defaultTimeoutSeconds: z.number().int().min(1).max(300).default(30),
});

/** The content of a snapshot: what its hash covers. */
export const snapshotContentSchema = z.strictObject({
  schemaVersion: z.literal(SNAPSHOT_SCHEMA_VERSION),
  settings: globalSettingsSchema,
  routes: z.array(routeConfigSchema).max(10_000),
  backends: z.array(backendConfigSchema).max(100_000),
});

/** A complete, versioned snapshot: content plus identity. */
export const configSnapshotSchema = snapshotContentSchema.extend({
  version: z.number().int().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
  previousVersion: z.number().int().min(0).nullable(),
  auditId: z.string().nullable(),
  createdAt: z.string(),
});

export type BackendConfig = z.output<typeof backendConfigSchema>;
export type RouteConfig = z.output<typeof routeConfigSchema>;
export type GlobalSettings = z.output<typeof globalSettingsSchema>;
export type SnapshotContent = z.output<typeof snapshotContentSchema>;
/** An immutable, validated configuration snapshot. Never mutate one: build a new one. */
export type ConfigSnapshot = z.output<typeof configSnapshotSchema>;
export type RouteVariant = z.output<typeof routeVariantSchema>;
export type TrafficSplit = z.output<typeof trafficSplitSchema>;
export type DeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES)[number];
export type TrafficVariant = (typeof TRAFFIC_VARIANTS)[number];
export type Transformations = z.output<typeof transformationsSchema>;
export type RateLimit = z.output<typeof rateLimitSchema>;
export type CircuitBreakerPolicy = z.output<typeof circuitBreakerSchema>;
export type RetryPolicy = z.output<typeof retryPolicySchema>;
export type HealthCheck = z.output<typeof healthCheckSchema>;
export type LoadBalancingStrategy = (typeof LOAD_BALANCING_STRATEGIES)[number];
export type HealthStatus = (typeof HEALTH_STATUSES)[number];
export type HttpMethod = (typeof HTTP_METHODS)[number];
