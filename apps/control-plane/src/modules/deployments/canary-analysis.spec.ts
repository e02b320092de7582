import { analyze, DEFAULT_THRESHOLDS, type VariantMetrics } from './canary-analysis';

const healthy: VariantMetrics = { requestCount: 1000, errorRate: 0.01, p50: 5, p95: 10, p99: 20 };

describe('canary analysis', () => {
  it('is healthy within the thresholds and reports the deltas', () => {
    const result = analyze({ stable: healthy, canary: { ...healthy, errorRate: 0.05, p99: 29 } }, DEFAULT_THRESHOLDS);
    expect(result).toEqual({
      verdict: 'healthy',
      reason: 'canary within thresholds',
      errorRateDelta: 4,
      p99LatencyDelta: 0.45,
      shouldRollback: false,
    });
  });

  it('rolls back when the canary error rate exceeds stable by more than 5 points', () => {
    const result = analyze({ stable: healthy, canary: { ...healthy, errorRate: 0.5 } }, DEFAULT_THRESHOLDS);
    expect(result).toMatchObject({ verdict: 'rollback', shouldRollback: true, errorRateDelta: 49 });
    expect(result.reason).toContain('exceeds stable');
  });

  it('rolls back when the canary p99 is more than 50% above stable, with configurable limits', () => {
    const slow = { stable: healthy, canary: { ...healthy, p99: 31 } };
    expect(analyze(slow, DEFAULT_THRESHOLDS)).toMatchObject({ verdict: 'rollback', p99LatencyDelta: 0.55 });
    expect(analyze(slow, { ...DEFAULT_THRESHOLDS, maxP99Increase: 1 }).verdict).toBe('healthy');
  });

  it('does not judge latency on too few requests, nor on a slowdown of a few milliseconds', () => {
    const fewRequests = { stable: healthy, canary: { ...healthy, requestCount: 80, p99: 60 } };
    expect(analyze(fewRequests, DEFAULT_THRESHOLDS)).toMatchObject({ verdict: 'healthy', p99LatencyDelta: 2 });
    const fast = { stable: { ...healthy, p99: 4 }, canary: { ...healthy, p99: 9 } };
    expect(analyze(fast, DEFAULT_THRESHOLDS).verdict).toBe('healthy');
    expect(analyze(fast, { ...DEFAULT_THRESHOLDS, minP99IncreaseMs: 5 }).verdict).toBe('rollback');
  });

  it('is inconclusive with fewer canary requests than the minimum, even when they all failed', () => {
    const result = analyze(
      { stable: healthy, canary: { ...healthy, requestCount: 10, errorRate: 1 } },
      DEFAULT_THRESHOLDS,
    );
    expect(result).toMatchObject({ verdict: 'inconclusive', shouldRollback: false });
  });
});
