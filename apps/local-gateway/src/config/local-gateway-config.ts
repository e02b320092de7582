import { resolve } from 'node:path';

/** Where each part listens; each overridable by the variable the part itself reads. */
export interface LocalGatewayPorts {
  readonly gateway: number;
  readonly gatewayStatus: number;
  readonly controlPlaneHttp: number;
  readonly controlPlaneGrpc: number;
  readonly demoBackend: number;
  /** Used only when DATABASE_URL is not set. */
  readonly embeddedPostgres: number;
}

/** The one-command start's configuration, read from the environment once, then frozen. */
export interface LocalGatewayConfig {
  /** The repository root: where the apps' builds are and where the children run. */
  readonly rootDir: string;
  /** Kept state: the embedded database, the JWT secret, the data plane's snapshot cache. */
  readonly stateDir: string;
  /** A PostgreSQL to use instead of the embedded one. */
  readonly databaseUrl: string | undefined;
  /** A JWT secret to use instead of the one kept in `<stateDir>/jwt-secret`. */
  readonly jwtSecret: string | undefined;
  readonly ports: LocalGatewayPorts;
  readonly demoBackendHost: string;
  /** How long each part may take to become ready. */
  readonly readyTimeoutMs: number;
  /** How long the data plane drains in-flight requests when stopped (GATEWAY_DRAIN_SECONDS, default 5 here). */
  readonly drainSeconds: number;
  /** Whether the children's output is prefixed in colour. */
  readonly useColor: boolean;
}

const PORT_VARIABLES: ReadonlyArray<[keyof LocalGatewayPorts, string, number]> = [
  ['gateway', 'GATEWAY_PORT', 8000],
  ['gatewayStatus', 'GATEWAY_STATUS_PORT', 8100],
  ['controlPlaneHttp', 'CONTROL_PLANE_HTTP_PORT', 5000],
  ['controlPlaneGrpc', 'CONTROL_PLANE_GRPC_PORT', 5001],
  ['demoBackend', 'DEMO_BACKEND_PORT', 8080],
  ['embeddedPostgres', 'EMBEDDED_POSTGRES_PORT', 15432],
];

export class LocalGatewayConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'LocalGatewayConfigError';
  }
}

/** The environment variable that sets each port, for messages. */
export function portVariable(port: keyof LocalGatewayPorts): string {
  return (PORT_VARIABLES.find(([key]) => key === port) as [keyof LocalGatewayPorts, string, number])[1];
}

/** Reads and checks the environment, reporting every problem at once. */
export function loadLocalGatewayConfig(
  env: NodeJS.ProcessEnv = process.env,
  rootDir: string = resolve(__dirname, '../../../..'),
  isTty = Boolean(process.stdout.isTTY),
): LocalGatewayConfig {
  const problems: string[] = [];
  const ports = {} as Record<keyof LocalGatewayPorts, number>;
  for (const [key, variable, fallback] of PORT_VARIABLES) {
    const text = env[variable];
    if (text === undefined || text === '') {
      ports[key] = fallback;
    } else if (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 65_535) {
      ports[key] = Number(text);
    } else {
      problems.push(`${variable}: "${text}" is not a port (1-65535)`);
    }
  }
  const seen = new Map<number, string>();
  for (const [key, variable] of PORT_VARIABLES) {
    if (key === 'embeddedPostgres' && env.DATABASE_URL) continue;
    const port = ports[key];
    if (port === undefined) continue;
    const other = seen.get(port);
    if (other) problems.push(`${variable}: port ${port} is already taken by ${other}`);
    else seen.set(port, variable);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL: must be a postgres:// URL');
  }
  const jwtSecret = env.JWT_SECRET || undefined;
  if (jwtSecret !== undefined && jwtSecret.length < 32) problems.push('JWT_SECRET: must be at least 32 characters');
  const timeoutText = env.LOCAL_GATEWAY_READY_TIMEOUT_SECONDS ?? '90';
  const readyTimeoutSeconds = Number(timeoutText);
  if (!(readyTimeoutSeconds >= 1 && readyTimeoutSeconds <= 3600)) {
    problems.push(`LOCAL_GATEWAY_READY_TIMEOUT_SECONDS: "${timeoutText}" must be a number of seconds from 1 to 3600`);
  }
  const drainText = env.GATEWAY_DRAIN_SECONDS || '5';
  const drainSeconds = Number(drainText);
  if (!(drainSeconds >= 0 && drainSeconds <= 3600)) {
    problems.push(`GATEWAY_DRAIN_SECONDS: "${drainText}" must be a number of seconds from 0 to 3600`);
  }
  if (problems.length > 0) throw new LocalGatewayConfigError(problems);
  return Object.freeze({
    rootDir,
    stateDir: resolve(rootDir, env.HOTSWAP_STATE_DIR || '.hotswap'),
    databaseUrl,
    jwtSecret,
    ports: Object.freeze(ports),
    demoBackendHost: env.DEMO_BACKEND_HOST || '127.0.0.1',
    readyTimeoutMs: readyTimeoutSeconds * 1000,
    drainSeconds,
    useColor: isTty && !env.NO_COLOR,
  });
}
