import { latencyBucketIndex } from '@hotswap/config-snapshot';
import { trafficStats, variantStats } from './telemetry-stats';
import { emptyTotals } from './telemetry-windows';

describe('traffic statistics', () => {
  const totals = emptyTotals();
  totals.requests = 200;
  totals.serverErrors = 6;
  totals.connectErrors = 3;
  totals.timeouts = 1;
  totals.rateLimited = 4;
  totals.latencySumMs = 190 * 10 + 10 * 100;
  totals.latencyCounts[latencyBucketIndex(10)] = 190;
  totals.latencyCounts[latencyBucketIndex(100)] = 10;

  it('reads requests, errors of every class, error rate, requests per second and percentiles', () => {
    const stats = trafficStats(totals, 100);
    expect(stats).toMatchObject({
      requests: 200,
      errors: 10,
      errorRate: 0.05,
      requestsPerSecond: 2,
      errorsByClass: { serverErrors: 6, connectErrors: 3, timeouts: 1 },
      rateLimited: 4,
    });
    expect(stats.latency.mean).toBeCloseTo(14.5, 3);
    // 190 of 200 at 10 ms: p50 and p95 within (8, 10]; p99 among the 10 at (80, 100].
    expect(stats.latency.p50).toBeGreaterThan(8);
    expect(stats.latency.p95).toBeLessThanOrEqual(10);
    expect(stats.latency.p99).toBeGreaterThan(80);
    expect(stats.latency.p99).toBeLessThanOrEqual(100);
  });

  it('reads a variant as canary analysis compares it', () => {
    expect(variantStats(totals, 50)).toMatchObject({
      requestCount: 200,
      errorCount: 10,
      errorRate: 0.05,
      requestsPerSecond: 4,
    });
  });

  it('reads zeros, not NaN, without requests', () => {
    expect(variantStats(emptyTotals(), 0)).toEqual({
      requestCount: 0,
      errorCount: 0,
      errorRate: 0,
      requestsPerSecond: 0,
      p50: 0,
      p95: 0,
      p99: 0,
    });
  });
});
