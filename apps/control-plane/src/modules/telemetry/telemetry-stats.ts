import { latencyQuantile } from '@hotswap/config-snapshot';
import { errorCount, type TrafficTotals } from './telemetry-windows';

/** Latency percentiles in milliseconds (0 without requests). */
export interface LatencyPercentiles {
  p50: number;
  p95: number;
  p99: number;
}

/** Traffic over a window: what `GET metrics` and a route's `statistics` show. */
export interface TrafficStats {
  requests: number;
  /** Requests answered with an error of any class (5xx, connect error, timeout). */
  errors: number;
  /** errors / requests, 0-1 (0 without requests). */
  errorRate: number;
  /** requests / the window's seconds. */
  requestsPerSecond: number;
  errorsByClass: { serverErrors: number; connectErrors: number; timeouts: number };
  /** 429s of the routes' rate limits (counted in `requests`, not in `errors`). */
  rateLimited: number;
  latency: LatencyPercentiles & { mean: number };
}

/** One traffic variant of a route over a window: what canary analysis compares. */
export interface VariantStats {
  requestCount: number;
  errorCount: number;
  /** 0-1; 0 without requests. */
  errorRate: number;
  requestsPerSecond: number;
  /** Milliseconds; 0 without requests. */
  p50: number;
  p95: number;
  p99: number;
}

export function trafficStats(totals: TrafficTotals, windowSeconds: number): TrafficStats {
  const errors = errorCount(totals);
  return {
    requests: totals.requests,
    errors,
    errorRate: rate(errors, totals.requests),
    requestsPerSecond: round(windowSeconds > 0 ? totals.requests / windowSeconds : 0, 3),
    errorsByClass: {
      serverErrors: totals.serverErrors,
      connectErrors: totals.connectErrors,
      timeouts: totals.timeouts,
    },
    rateLimited: totals.rateLimited,
    latency: {
      ...percentiles(totals),
      mean: round(totals.requests > 0 ? totals.latencySumMs / totals.requests : 0, 3),
    },
  };
}

export function variantStats(totals: TrafficTotals, windowSeconds: number): VariantStats {
  const errors = errorCount(totals);
  return {
    requestCount: totals.requests,
    errorCount: errors,
    errorRate: rate(errors, totals.requests),
    requestsPerSecond: round(windowSeconds > 0 ? totals.requests / windowSeconds : 0, 3),
    ...percentiles(totals),
  };
}

function percentiles(totals: TrafficTotals): LatencyPercentiles {
  return {
    p50: round(latencyQuantile(totals.latencyCounts, 0.5), 3),
    p95: round(latencyQuantile(totals.latencyCounts, 0.95), 3),
    p99: round(latencyQuantile(totals.latencyCounts, 0.99), 3),
  };
}

function rate(part: number, whole: number): number {
  return whole > 0 ? round(part / whole, 6) : 0;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
