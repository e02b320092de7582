import { DEFAULT_DATABASE_URL } from '../bench-database';

/** Settings of the benchmarks that run a control plane (bench:swap, bench:scale). */
export interface GatewayBenchSettings {
  /** The shared PostgreSQL server (DATABASE_URL); each run creates and drops a database of its own on it. */
  readonly databaseUrl: string;
  /** Data planes streaming from the control plane (BENCH_DATA_PLANES, default 2). */
  readonly dataPlanes: number;
  /** bench:swap: changes of each kind (BENCH_SWAP_CHANGES, default 100). */
  readonly swapChanges: number;
  /** bench:swap: requests per second sent to each data plane, all the run long (BENCH_SWAP_RATE, default 400). */
  readonly swapRate: number;
  /** bench:scale: routes (BENCH_SCALE_ROUTES, default 10,000: GATEWAY_MAX_ROUTES' default). */
  readonly scaleRoutes: number;
  /** bench:scale: backends (BENCH_SCALE_BACKENDS, default 100,000). */
  readonly scaleBackends: number;
  /** bench:scale: one-route changes whose propagation is timed (BENCH_SCALE_CHANGES, default 5). */
  readonly scaleChanges: number;
  /** bench:scale: when set, the control plane and data planes write V8 CPU profiles here (BENCH_CPU_PROFILE_DIR). */
  readonly cpuProfileDir: string | undefined;
}

/** Reads the settings from the environment; reports every bad variable at once. */
export function loadGatewayBenchSettings(env: NodeJS.ProcessEnv = process.env): GatewayBenchSettings {
  const problems: string[] = [];
  const read = (name: string, fallback: number, min: number, max: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}: "${text}" must be an integer from ${min} to ${max}`);
    }
    return value;
  };
  const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push(`DATABASE_URL: must be a postgres:// URL`);
  const settings = {
    databaseUrl,
    dataPlanes: read('BENCH_DATA_PLANES', 2, 1, 8),
    swapChanges: read('BENCH_SWAP_CHANGES', 100, 1, 1_000),
    swapRate: read('BENCH_SWAP_RATE', 400, 1, 100_000),
    scaleRoutes: read('BENCH_SCALE_ROUTES', 10_000, 1, 10_000_000),
    scaleBackends: read('BENCH_SCALE_BACKENDS', 100_000, 1, 10_000_000),
    scaleChanges: read('BENCH_SCALE_CHANGES', 5, 1, 100),
    cpuProfileDir: env.BENCH_CPU_PROFILE_DIR || undefined,
  };
  if (problems.length > 0)
    throw new Error(`Invalid benchmark settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return Object.freeze(settings);
}
