/** Traffic of one variant over the analysis window, as telemetry reports it. */
export interface VariantMetrics {
  readonly requestCount: number;
  /** Errors / requests, 0-1. */
  readonly errorRate: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

export interface VariantComparison {
  readonly stable: VariantMetrics;
  readonly canary: VariantMetrics;
}

/** When the canary is judged worse than stable; configurable per deployment. */
export interface AnalysisThresholds {
  /** Canary error rate above stable's by more than this many percentage points rolls back (default 5). */
  readonly maxErrorRateDeltaPoints: number;
  /** Canary p99 above stable's by more than this share rolls back (0.5 = 50%, default). */
  readonly maxP99Increase: number;
  /**
   * The p99 of a few dozen requests is their slowest one: latency is judged only when both variants served at least
   * this many requests in the window (default 200).
   */
  readonly minLatencyRequests: number;
  /** A p99 breach must also be at least this many milliseconds slower than stable (default 10). */
  readonly minP99IncreaseMs: number;
  /** Fewer canary requests than this in the window is inconclusive (default 50). */
  readonly minRequests: number;
  /** Inconclusive analyses in a row before the deployment pauses for a person (default 10). */
  readonly maxInconclusive: number;
}

export const DEFAULT_THRESHOLDS: AnalysisThresholds = {
  maxErrorRateDeltaPoints: 5,
  maxP99Increase: 0.5,
  minLatencyRequests: 200,
  minP99IncreaseMs: 10,
  minRequests: 50,
  maxInconclusive: 10,
};

export interface AnalysisResult {
  readonly verdict: 'healthy' | 'rollback' | 'inconclusive';
  readonly reason: string;
  /** Canary minus stable error rate, in percentage points. */
  readonly errorRateDelta: number;
  /** Canary p99 over stable p99, minus 1 (0.5 = 50% slower); 0 without stable latency. */
  readonly p99LatencyDelta: number;
  readonly shouldRollback: boolean;
}

/**
 * Judges the canary against stable. Too few canary requests is inconclusive (the phase holds); an error-rate or p99
 * breach rolls back. Latency is compared only when both variants served enough requests for a p99 to mean something,
 * and a breach must be slower by a share and by a number of milliseconds.
 */
export function analyze(comparison: VariantComparison, given: Partial<AnalysisThresholds>): AnalysisResult {
  const thresholds: AnalysisThresholds = { ...DEFAULT_THRESHOLDS, ...given };
  const { stable, canary } = comparison;
  const errorRateDelta = round((canary.errorRate - stable.errorRate) * 100);
  const p99LatencyDelta = stable.requestCount > 0 && stable.p99 > 0 ? round(canary.p99 / stable.p99 - 1) : 0;
  const result = (verdict: AnalysisResult['verdict'], reason: string): AnalysisResult => ({
    verdict,
    reason,
    errorRateDelta,
    p99LatencyDelta,
    shouldRollback: verdict === 'rollback',
  });
  if (canary.requestCount < thresholds.minRequests) {
    return result(
      'inconclusive',
      `${canary.requestCount} canary requests, fewer than the ${thresholds.minRequests} needed to judge`,
    );
  }
  if (errorRateDelta > thresholds.maxErrorRateDeltaPoints) {
    return result(
      'rollback',
      `canary error rate ${pct(canary.errorRate)} exceeds stable's ${pct(stable.errorRate)} by ${errorRateDelta} points (limit ${thresholds.maxErrorRateDeltaPoints})`,
    );
  }
  const isLatencyJudged =
    stable.requestCount >= thresholds.minLatencyRequests && canary.requestCount >= thresholds.minLatencyRequests;
  if (
    isLatencyJudged &&
    p99LatencyDelta > thresholds.maxP99Increase &&
    canary.p99 - stable.p99 >= thresholds.minP99IncreaseMs
  ) {
    return result(
      'rollback',
      `canary p99 ${canary.p99} ms exceeds stable's ${stable.p99} ms by ${Math.round(p99LatencyDelta * 100)}% (limit ${Math.round(thresholds.maxP99Increase * 100)}%)`,
    );
  }
  return result('healthy', 'canary within thresholds');
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function pct(rate: number): string {
  return `${round(rate * 100)}%`;
}
