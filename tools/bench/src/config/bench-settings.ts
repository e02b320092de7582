/** How long and how hard each target is loaded. */
export interface BenchSettings {
  /** Measured seconds per target (BENCH_SECONDS, default 10). */
  readonly seconds: number;
  /** Unmeasured seconds of the same load first (BENCH_WARMUP_SECONDS, default 2). */
  readonly warmupSeconds: number;
  /** Concurrent keep-alive connections (BENCH_CONNECTIONS, default 32). */
  readonly connections: number;
}

/** Reads the benchmark's settings from the environment; reports every bad variable at once. */
export function loadBenchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const problems: string[] = [];
  const read = (name: string, fallback: number, min: number, max: number, isInteger: boolean) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max || (isInteger && !Number.isInteger(value))) {
      problems.push(`${name}: "${text}" must be ${isInteger ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
    return value;
  };
  const settings = {
    seconds: read('BENCH_SECONDS', 10, 1, 600, false),
    warmupSeconds: read('BENCH_WARMUP_SECONDS', 2, 0, 60, false),
    connections: read('BENCH_CONNECTIONS', 32, 1, 1_000, true),
  };
  if (problems.length > 0)
    throw new Error(`Invalid benchmark settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return Object.freeze(settings);
}
