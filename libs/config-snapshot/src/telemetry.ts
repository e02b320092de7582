/**
 * What both planes agree on for traffic telemetry: the variants a route's requests are counted under, the error
 * classes, and the fixed latency histogram (bucket bounds, bucket lookup, merge, quantiles). Pure, no I/O.
 */

/** Which version of a route served a request: the live one, a deployment's new one, or the new one previewed. */
export const TELEMETRY_VARIANTS = ['stable', 'canary', 'preview'] as const;
export type TelemetryVariant = (typeof TELEMETRY_VARIANTS)[number];

/**
 * Upper bounds (inclusive, milliseconds) of the latency buckets, fixed for both planes: bucket `i` counts latencies
 * `<= LATENCY_BUCKET_BOUNDS_MS[i]` (and above the previous bound), one last bucket counts everything above 60 s.
 * Neighbouring bounds differ by at most 1.5x from 0.5 ms up, so a quantile read from the buckets is within that of
 * the true one. Changing them means a new LATENCY_BUCKET_BOUNDS_VERSION.
 */
export const LATENCY_BUCKET_BOUNDS_MS: readonly number[] = Object.freeze([
  0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300,
  400, 500, 600, 800, 1_000, 1_200, 1_500, 2_000, 2_500, 3_000, 4_000, 5_000, 6_000, 8_000, 10_000, 12_000, 15_000,
  20_000, 30_000, 45_000, 60_000,
]);

/** Identifies LATENCY_BUCKET_BOUNDS_MS on the wire; a histogram of another version is not merged. */
export const LATENCY_BUCKET_BOUNDS_VERSION = 1;

/** Buckets of a latency histogram: one per bound plus the overflow bucket. */
export const LATENCY_BUCKET_COUNT = LATENCY_BUCKET_BOUNDS_MS.length + 1;

/** The bucket a latency (ms) falls in: a binary search over the bounds, no allocation. */
export function latencyBucketIndex(latencyMs: number): number {
  const bounds = LATENCY_BUCKET_BOUNDS_MS;
  let low = 0;
  let high = bounds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (latencyMs <= (bounds[middle] as number)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** A histogram's bucket counts, all zero. */
export function emptyLatencyHistogram(): number[] {
  return new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
}

/**
 * Adds `counts` into `into` bucket by bucket. `counts` may be shorter than LATENCY_BUCKET_COUNT (trailing empty
 * buckets left out on the wire); entries past the last bucket are added to it.
 */
export function addLatencyCounts(into: number[], counts: ArrayLike<number>): void {
  const last = LATENCY_BUCKET_COUNT - 1;
  for (let index = 0; index < counts.length; index++) {
    const bucket = index < last ? index : last;
    into[bucket] = (into[bucket] ?? 0) + (counts[index] ?? 0);
  }
}

/** The counts without trailing empty buckets (what goes on the wire). */
export function trimLatencyCounts(counts: readonly number[]): number[] {
  let end = counts.length;
  while (end > 0 && counts[end - 1] === 0) end--;
  return counts.slice(0, end);
}

/**
 * The latency (ms) below which a fraction `quantile` (0-1) of the histogram's requests fall, interpolated linearly
 * within the bucket that holds it (as Prometheus's histogram_quantile does); 0 for an empty histogram. A quantile in
 * the overflow bucket reads as the highest bound.
 */
export function latencyQuantile(counts: readonly number[], quantile: number): number {
  let total = 0;
  for (const count of counts) total += count;
  if (total === 0) return 0;
  const rank = Math.min(Math.max(quantile, 0), 1) * total;
  const bounds = LATENCY_BUCKET_BOUNDS_MS;
  let cumulative = 0;
  for (let index = 0; index < counts.length; index++) {
    const count = counts[index] ?? 0;
    if (count === 0 || cumulative + count < rank) {
      cumulative += count;
      continue;
    }
    if (index >= bounds.length) return bounds[bounds.length - 1] as number;
    const lower = index === 0 ? 0 : (bounds[index - 1] as number);
    const upper = bounds[index] as number;
    return lower + ((upper - lower) * (rank - cumulative)) / count;
  }
  return bounds[Math.min(counts.length, bounds.length) - 1] as number;
}
