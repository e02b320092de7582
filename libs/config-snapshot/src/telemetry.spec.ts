import {
  addLatencyCounts,
  emptyLatencyHistogram,
  LATENCY_BUCKET_BOUNDS_MS,
  LATENCY_BUCKET_COUNT,
  latencyBucketIndex,
  latencyQuantile,
  trimLatencyCounts,
} from './telemetry';

function histogramOf(latenciesMs: number[]): number[] {
  const counts = emptyLatencyHistogram();
  for (const latency of latenciesMs) counts[latencyBucketIndex(latency)]!++;
  return counts;
}

describe('latency histogram', () => {
  it('has increasing bounds no more than 1.5x apart from 0.5 ms up', () => {
    for (let index = 1; index < LATENCY_BUCKET_BOUNDS_MS.length; index++) {
      const [previous, bound] = [LATENCY_BUCKET_BOUNDS_MS[index - 1]!, LATENCY_BUCKET_BOUNDS_MS[index]!];
      expect(bound).toBeGreaterThan(previous);
      if (previous >= 0.5) expect(bound / previous).toBeLessThanOrEqual(1.5);
    }
  });

  it('puts a latency in the first bucket whose bound is at least it, and above 60 s in the overflow bucket', () => {
    expect(latencyBucketIndex(0)).toBe(0);
    expect(latencyBucketIndex(0.25)).toBe(0);
    expect(latencyBucketIndex(0.26)).toBe(1);
    expect(latencyBucketIndex(10)).toBe(LATENCY_BUCKET_BOUNDS_MS.indexOf(10));
    expect(latencyBucketIndex(10.01)).toBe(LATENCY_BUCKET_BOUNDS_MS.indexOf(12));
    expect(latencyBucketIndex(60_000)).toBe(LATENCY_BUCKET_COUNT - 2);
    expect(latencyBucketIndex(60_001)).toBe(LATENCY_BUCKET_COUNT - 1);
    for (const latency of [0.1, 0.9, 3.3, 77, 999, 1_001, 42_000]) {
      const index = latencyBucketIndex(latency);
      expect(latency).toBeLessThanOrEqual(LATENCY_BUCKET_BOUNDS_MS[index]!);
      if (index > 0) expect(latency).toBeGreaterThan(LATENCY_BUCKET_BOUNDS_MS[index - 1]!);
    }
  });

  it('merges histograms bucket by bucket, short (trimmed) ones included', () => {
    const a = histogramOf([1, 1, 5, 100]);
    const b = trimLatencyCounts(histogramOf([1, 5, 5]));
    expect(b.length).toBeLessThan(LATENCY_BUCKET_COUNT);
    const merged = emptyLatencyHistogram();
    addLatencyCounts(merged, a);
    addLatencyCounts(merged, b);
    expect(merged).toEqual(histogramOf([1, 1, 5, 100, 1, 5, 5]));
  });

  it('reads quantiles within the bucket that holds them, interpolating linearly', () => {
    // 100 requests: 90 at 10 ms, 9 at 100 ms, 1 at 1 s.
    const counts = histogramOf([...Array<number>(90).fill(10), ...Array<number>(9).fill(100), 1_000]);
    // p50 is the 50th of the 90 in (8, 10]: 8 + 2 * 50/90.
    expect(latencyQuantile(counts, 0.5)).toBeCloseTo(8 + (2 * 50) / 90, 6);
    // p95 is the 5th of the 9 in (80, 100].
    expect(latencyQuantile(counts, 0.95)).toBeCloseTo(80 + (20 * 5) / 9, 6);
    // p99 is the last of those 9: the bucket's upper bound.
    expect(latencyQuantile(counts, 0.99)).toBeCloseTo(100, 6);
    expect(latencyQuantile(counts, 1)).toBeCloseTo(1_000, 6);
  });

  it('reads 0 from an empty histogram and the highest bound from the overflow bucket', () => {
    expect(latencyQuantile(emptyLatencyHistogram(), 0.99)).toBe(0);
    expect(latencyQuantile(histogramOf([120_000]), 0.5)).toBe(60_000);
  });
});
