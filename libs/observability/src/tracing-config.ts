/** OTEL_TRACES_SAMPLER values (the OpenTelemetry SDK environment specification). */
export const TRACES_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TracesSampler = (typeof TRACES_SAMPLERS)[number];

/** OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL values this gateway exports with. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** How (and whether) an app exports traces: parsed once from the standard `OTEL_*` variables, then frozen. */
export interface TracingConfig {
  readonly serviceName: string;
  /** `service.instance.id` on every span; undefined: none. */
  readonly serviceInstanceId: string | undefined;
  /** OTEL_RESOURCE_ATTRIBUTES, decoded. */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  /**
   * Where spans go; undefined: tracing is off and no span is ever made. OTLP/HTTP: the full URL spans are POSTed to
   * (`…/v1/traces`). gRPC: `http://host:port` (plaintext) or `https://host:port` (TLS), no path.
   */
  readonly tracesEndpoint: string | undefined;
  readonly protocol: OtlpProtocol;
  /** Sent with every export request (OTEL_EXPORTER_OTLP_HEADERS): may hold credentials, mask when printing. */
  readonly headers: Readonly<Record<string, string>>;
  readonly exportTimeoutMs: number;
  /** OTEL_BSP_SCHEDULE_DELAY: the longest an ended span waits before it is exported, in ms. */
  readonly exportDelayMs: number;
  readonly sampler: TracesSampler;
  /** The ratio of the `*traceidratio` samplers, 0 to 1. */
  readonly samplerRatio: number;
}

/** The gateway's default: continue the caller's decision, sample 10 % of the traces it starts. */
export const DEFAULT_TRACES_SAMPLER: TracesSampler = 'parentbased_traceidratio';
export const DEFAULT_SAMPLER_RATIO = 0.1;
const DEFAULT_EXPORT_TIMEOUT_MS = 10_000;
const DEFAULT_EXPORT_DELAY_MS = 5_000;

/** The result of reading the `OTEL_*` variables: a config, or every problem found (one line each). */
export type TracingConfigResult = { ok: true; config: TracingConfig } | { ok: false; problems: string[] };

/**
 * Reads the standard `OTEL_*` tracing variables from `env` (an app's config module passes its environment: this
 * library never reads `process.env`). Tracing is on when OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is) or
 * OTEL_EXPORTER_OTLP_ENDPOINT (over HTTP, `/v1/traces` appended) is set, unless OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none. Over gRPC either endpoint is `scheme://host:port` with no path. Every problem is
 * reported, not the first.
 */
export function parseTracingConfig(
  env: Readonly<Record<string, string | undefined>>,
  defaults: { serviceName: string; serviceInstanceId?: string },
): TracingConfigResult {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const text = env[name]?.trim();
    return text === undefined || text === '' ? undefined : text;
  };

  const isDisabled = parseBoolean('OTEL_SDK_DISABLED', value('OTEL_SDK_DISABLED'), problems);
  const exporter = value('OTEL_TRACES_EXPORTER') ?? 'otlp';
  if (exporter !== 'otlp' && exporter !== 'none') {
    problems.push(`OTEL_TRACES_EXPORTER: "${exporter}" is not supported (use otlp or none)`);
  }
  const protocolName = value('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = value(protocolName) ?? 'http/protobuf';
  const endpoint = tracesEndpoint(
    value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'),
    value('OTEL_EXPORTER_OTLP_ENDPOINT'),
    protocol === 'grpc',
  );
  if (endpoint.problem !== undefined) problems.push(endpoint.problem);
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
    problems.push(`${protocolName}: "${protocol}" is not supported (use ${OTLP_PROTOCOLS.join(', ')})`);
  }

  const headers = {
    ...parseKeyValues('OTEL_EXPORTER_OTLP_HEADERS', value('OTEL_EXPORTER_OTLP_HEADERS'), problems),
    ...parseKeyValues('OTEL_EXPORTER_OTLP_TRACES_HEADERS', value('OTEL_EXPORTER_OTLP_TRACES_HEADERS'), problems),
  };
  if (protocol === 'grpc') problems.push(...grpcMetadataProblems(headers));
  const resourceAttributes = parseKeyValues('OTEL_RESOURCE_ATTRIBUTES', value('OTEL_RESOURCE_ATTRIBUTES'), problems);
  const timeoutName = value('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT')
    ? 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT'
    : 'OTEL_EXPORTER_OTLP_TIMEOUT';
  const exportTimeoutMs = parseNumber(timeoutName, value(timeoutName), DEFAULT_EXPORT_TIMEOUT_MS, 1, 600_000, problems);

  const exportDelayMs = parseNumber(
    'OTEL_BSP_SCHEDULE_DELAY',
    value('OTEL_BSP_SCHEDULE_DELAY'),
    DEFAULT_EXPORT_DELAY_MS,
    1,
    600_000,
    problems,
  );

  const samplerName = value('OTEL_TRACES_SAMPLER') ?? DEFAULT_TRACES_SAMPLER;
  if (!(TRACES_SAMPLERS as readonly string[]).includes(samplerName)) {
    problems.push(`OTEL_TRACES_SAMPLER: "${samplerName}" is not one of ${TRACES_SAMPLERS.join(', ')}`);
  }
  const samplerRatio = parseNumber(
    'OTEL_TRACES_SAMPLER_ARG',
    value('OTEL_TRACES_SAMPLER_ARG'),
    DEFAULT_SAMPLER_RATIO,
    0,
    1,
    problems,
  );

  if (problems.length > 0) return { ok: false, problems };
  const isOn = isDisabled !== true && exporter === 'otlp';
  return {
    ok: true,
    config: Object.freeze({
      serviceName: value('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? defaults.serviceName,
      serviceInstanceId: defaults.serviceInstanceId,
      resourceAttributes: Object.freeze(resourceAttributes),
      tracesEndpoint: isOn ? endpoint.url : undefined,
      protocol: protocol as OtlpProtocol,
      headers: Object.freeze(headers),
      exportTimeoutMs,
      exportDelayMs,
      sampler: samplerName as TracesSampler,
      samplerRatio,
    }),
  };
}

/** The config as printable text: export headers masked. */
export function describeTracingConfig(config: TracingConfig): Record<string, unknown> {
  return { ...config, headers: Object.fromEntries(Object.keys(config.headers).map((name) => [name, '***'])) };
}

function tracesEndpoint(
  tracesUrl: string | undefined,
  baseUrl: string | undefined,
  isGrpc: boolean,
): { url: string | undefined; problem?: string } {
  const [name, text] =
    tracesUrl !== undefined
      ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesUrl]
      : ['OTEL_EXPORTER_OTLP_ENDPOINT', baseUrl];
  if (text === undefined) return { url: undefined };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { url: undefined, problem: `${name}: "${text}" is not a URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { url: undefined, problem: `${name}: must be an http:// or https:// URL` };
  }
  if (isGrpc) {
    // gRPC addresses a host and port only: the exporter would silently drop a path.
    if (url.pathname !== '/' || url.search !== '') {
      return { url: undefined, problem: `${name}: takes no path with protocol grpc (e.g. http://collector:4317)` };
    }
    return { url: text.replace(/\/+$/, '') };
  }
  if (tracesUrl !== undefined) return { url: text };
  return { url: `${text.replace(/\/+$/, '')}/v1/traces` };
}

const GRPC_METADATA_KEY = /^[0-9a-z_.-]+$/;
const PRINTABLE_ASCII = /^[ -~]*$/;

/** Export headers travel as gRPC metadata over gRPC: text keys and printable ASCII values only (never echoed). */
function grpcMetadataProblems(headers: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, text] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (!GRPC_METADATA_KEY.test(key) || key.endsWith('-bin')) {
      problems.push(`OTEL_EXPORTER_OTLP_HEADERS: "${name}" is not a gRPC metadata key (a-z 0-9 _ . -, no -bin suffix)`);
    } else if (!PRINTABLE_ASCII.test(text)) {
      problems.push(
        `OTEL_EXPORTER_OTLP_HEADERS: the value of ${name} is not printable ASCII, as gRPC metadata requires`,
      );
    }
  }
  return problems;
}

function parseBoolean(name: string, text: string | undefined, problems: string[]): boolean | undefined {
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  problems.push(`${name}: "${text}" must be true or false`);
  return undefined;
}

function parseNumber(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  if (text === undefined) return fallback;
  const parsed = Number(text);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    problems.push(`${name}: "${text}" must be a number from ${min} to ${max}`);
    return fallback;
  }
  return parsed;
}

/** `key1=value1,key2=value2`, values percent-decoded (the W3C Baggage form the OTEL_* lists use). */
function parseKeyValues(name: string, text: string | undefined, problems: string[]): Record<string, string> {
  const result: Record<string, string> = {};
  if (text === undefined) return result;
  for (const [index, pair] of text.split(',').entries()) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    const key = at === -1 ? '' : pair.slice(0, at).trim();
    if (key === '') {
      problems.push(`${name}: entry ${index + 1} is not key=value`);
      continue;
    }
    try {
      result[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      problems.push(`${name}: the value of ${key} is not percent-encoded correctly`);
    }
  }
  return result;
}
