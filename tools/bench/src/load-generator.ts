import autocannon from 'autocannon';

/** What the parent asks of a load generator. */
export interface LoadRequest {
  type: 'run';
  url: string;
  connections: number;
  warmupSeconds: number;
  seconds: number;
}

/** What a load generator measured, after the warm-up. */
export interface LoadResult {
  /** Responses received, any status. */
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  latencyMs: { p50: number; p99: number; mean: number; max: number };
}

/** Asks for a steady load on several targets at once, at a fixed rate each, until `stop` or `maxSeconds`. */
export interface SustainRequest {
  type: 'sustain';
  targets: SustainTarget[];
  /** The load ends by itself after this long, whether or not `stop` came. */
  maxSeconds: number;
}

export interface SustainTarget {
  name: string;
  /** Scheme, host and port; each connection cycles through `paths`. */
  baseUrl: string;
  paths: string[];
  connections: number;
  requestsPerSecond: number;
}

/** What one sustained target received: responses by status code, and requests that got none. */
export interface SustainCounts {
  name: string;
  statusCounts: Record<string, number>;
  /** Connection errors (refused, reset…): no response at all. */
  errors: number;
  timeouts: number;
  durationSeconds: number;
}

export type LoadMessage =
  | { type: 'warm' }
  | { type: 'result'; result: LoadResult }
  | { type: 'sustaining' }
  | { type: 'sustained'; targets: SustainCounts[] }
  | { type: 'failed'; message: string };

/** The p-th percentile (0 < p <= 1) of sorted values, by nearest rank. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

/** Latencies kept at full (sub-millisecond) precision: autocannon's own histogram rounds to whole milliseconds. */
class LatencyRecorder {
  private values = new Float64Array(1 << 16);
  private count = 0;

  record(ms: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = ms;
  }

  summary(): LoadResult['latencyMs'] {
    const sorted = this.values.slice(0, this.count).sort();
    let sum = 0;
    for (const value of sorted) sum += value;
    return {
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      mean: sorted.length ? sum / sorted.length : NaN,
      max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
    };
  }
}

function run(
  url: string,
  connections: number,
  seconds: number,
  recorder?: LatencyRecorder,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: seconds, pipelining: 1, timeout: 10 }, (error, result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result),
    );
    if (recorder) instance.on('response', (_client, _status, _bytes, responseTime) => recorder.record(responseTime));
  });
}

/** Loads every target at its rate at once; ends when `stopped` resolves or after `maxSeconds`. */
async function sustain(request: SustainRequest, stopped: Promise<void>): Promise<SustainCounts[]> {
  const runs = request.targets.map((target) => {
    const statusCounts: Record<string, number> = {};
    let instance!: autocannon.Instance;
    const done = new Promise<SustainCounts>((resolve, reject) => {
      instance = autocannon(
        {
          url: target.baseUrl,
          connections: target.connections,
          overallRate: target.requestsPerSecond,
          duration: request.maxSeconds,
          pipelining: 1,
          timeout: 10,
          requests: target.paths.map((path) => ({ method: 'GET', path })),
        },
        (error, result) =>
          error
            ? reject(error instanceof Error ? error : new Error(String(error)))
            : resolve({
                name: target.name,
                statusCounts,
                errors: result.errors,
                timeouts: result.timeouts,
                durationSeconds: result.duration,
              }),
      );
    });
    instance.on('response', (_client, status) => {
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    });
    return { instance, done };
  });
  void stopped.then(() => runs.forEach((run) => run.instance.stop()));
  return Promise.all(runs.map((run) => run.done));
}

/**
 * Forked by the benchmark. `run`: warms up, waits for `go` (the parent reads CPU counters), then measures.
 * `sustain`: says `sustaining` once the load runs, and reports per-target counts after `stop`.
 */
async function main(): Promise<void> {
  const send = (message: LoadMessage) => new Promise<void>((resolve) => process.send?.(message, () => resolve()));
  const request = await new Promise<LoadRequest | SustainRequest>((resolve) =>
    process.once('message', (m: LoadRequest | SustainRequest) => resolve(m)),
  );
  if (request.type === 'sustain') {
    const stopped = new Promise<void>((resolve) => process.once('message', () => resolve()));
    const counts = sustain(request, stopped);
    await send({ type: 'sustaining' });
    await send({ type: 'sustained', targets: await counts });
    return;
  }
  if (request.warmupSeconds > 0) await run(request.url, request.connections, request.warmupSeconds);
  const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
  await send({ type: 'warm' });
  await go;
  const recorder = new LatencyRecorder();
  const result = await run(request.url, request.connections, request.seconds, recorder);
  await send({
    type: 'result',
    result: {
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      durationSeconds: result.duration,
      latencyMs: recorder.summary(),
    },
  });
}

if (require.main === module) {
  main()
    .catch(async (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      await new Promise<void>((resolve) => process.send?.({ type: 'failed', message }, () => resolve()));
    })
    .finally(() => process.exit(0));
}
