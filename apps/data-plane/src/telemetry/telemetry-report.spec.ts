import {
  emptyLatencyHistogram,
  LATENCY_BUCKET_BOUNDS_VERSION,
  latencyBucketIndex,
  type TelemetryVariant,
} from '@hotswap/config-snapshot';
import type { DrainedWindow, SeriesTotals } from './telemetry-collector';
import {
  buildWindowReport,
  mergeWindowReports,
  toWireReport,
  type BackendStatusTotals,
  type ReportContext,
} from './telemetry-report';

function totals(
  routeId: string,
  requests: number,
  options: { backendId?: string; variant?: TelemetryVariant; errors?: number; latencyMs?: number } = {},
): SeriesTotals {
  const latencyCounts = emptyLatencyHistogram();
  latencyCounts[latencyBucketIndex(options.latencyMs ?? 5)] = requests;
  return {
    routeId,
    backendId: options.backendId ?? 'b',
    variant: options.variant ?? 'stable',
    isOverflow: false,
    requests,
    serverErrors: options.errors ?? 0,
    connectErrors: 0,
    timeouts: 0,
    latencySumMs: requests * (options.latencyMs ?? 5),
    latencyCounts,
  };
}

function windowOf(series: SeriesTotals[], rateLimits: [string, number][] = [], startMs = 0): DrainedWindow {
  return { startMs, endMs: startMs + 5_000, series, rateLimits: new Map(rateLimits) };
}

function contextOf(sequence: number, backends: BackendStatusTotals[] = []): ReportContext {
  return { sequence, configVersion: 7, activeConnections: 3, inFlightRequests: 1, backends };
}

const sum = (series: readonly SeriesTotals[], pick: (s: SeriesTotals) => number) =>
  series.reduce((total, s) => total + pick(s), 0);

describe('buildWindowReport', () => {
  it('keeps every series when they fit under the cap', () => {
    const report = buildWindowReport(windowOf([totals('a', 5), totals('b', 7)]), contextOf(1), 10);
    expect(report.series.map((s) => s.routeId).sort()).toEqual(['a', 'b']);
    expect(report.overflowSeriesCount).toBe(0);
    expect(report).toMatchObject({ sequence: 1, windowStartMs: 0, windowEndMs: 5_000, configVersion: 7 });
  });

  it('keeps the busiest series under the cap and sums the rest into one overflow series, totals exact', () => {
    const series = Array.from({ length: 50 }, (_, index) => totals(`route-${index}`, index + 1, { errors: 1 }));
    const report = buildWindowReport(windowOf(series), contextOf(1), 10);

    expect(report.series).toHaveLength(10);
    const overflow = report.series.filter((s) => s.isOverflow);
    expect(overflow).toHaveLength(1);
    expect(overflow[0]).toMatchObject({ routeId: '', backendId: '' });
    expect(report.overflowSeriesCount).toBe(41);
    // The 9 busiest are itemized: 50 down to 42 requests.
    expect(
      report.series
        .filter((s) => !s.isOverflow)
        .map((s) => s.requests)
        .sort((a, b) => b - a),
    ).toEqual([50, 49, 48, 47, 46, 45, 44, 43, 42]);
    expect(sum(report.series, (s) => s.requests)).toBe(sum(series, (s) => s.requests));
    expect(sum(report.series, (s) => s.serverErrors)).toBe(50);
    expect(sum(report.series, (s) => sum([s], (x) => x.latencyCounts.reduce((a, b) => a + b, 0)))).toBe(
      sum(series, (s) => s.requests),
    );
  });

  it('keeps the series of routes with canary or preview traffic before busier ones', () => {
    const busy = Array.from({ length: 20 }, (_, index) => totals(`busy-${index}`, 1_000));
    const deployed = [totals('deployed', 2), totals('deployed', 1, { variant: 'canary', backendId: 'c' })];
    const report = buildWindowReport(windowOf([...busy, ...deployed]), contextOf(1), 5);
    const kept = report.series.filter((s) => s.routeId === 'deployed');
    expect(kept.map((s) => s.variant).sort()).toEqual(['canary', 'stable']);
  });

  it('lists backends whose breaker is not closed or with requests in flight, counting every breaker', () => {
    const backends: BackendStatusTotals[] = [
      { backendId: 'idle', breakerState: 'closed', inFlight: 0 },
      { backendId: 'busy', breakerState: 'closed', inFlight: 4 },
      { backendId: 'open', breakerState: 'open', inFlight: 0 },
      { backendId: 'probing', breakerState: 'halfOpen', inFlight: 1 },
    ];
    const report = buildWindowReport(windowOf([]), contextOf(1, backends), 10);
    expect(report.backends.map((b) => b.backendId)).toEqual(['open', 'probing', 'busy']);
    expect(report.breakers).toEqual({ closed: 2, open: 1, halfOpen: 1 });
    expect(buildWindowReport(windowOf([]), contextOf(1, backends), 2).backends.map((b) => b.backendId)).toEqual([
      'open',
      'probing',
    ]);
  });
});

describe('mergeWindowReports', () => {
  it('sums series by key over both windows and keeps the newer state', () => {
    const older = buildWindowReport(windowOf([totals('a', 2), totals('b', 1)], [['a', 3]], 0), contextOf(1), 10);
    const newer = buildWindowReport(
      windowOf([totals('a', 5, { errors: 2 })], [['a', 1]], 5_000),
      { ...contextOf(2), configVersion: 8 },
      10,
    );
    const merged = mergeWindowReports(older, newer, 10);
    expect(merged).toMatchObject({ sequence: 2, windowStartMs: 0, windowEndMs: 10_000, configVersion: 8 });
    expect(merged.mergedWindows).toBe(2);
    expect(merged.series.find((s) => s.routeId === 'a')).toMatchObject({ requests: 7, serverErrors: 2 });
    expect(merged.series.find((s) => s.routeId === 'b')).toMatchObject({ requests: 1 });
    expect(merged.rateLimits).toEqual(new Map([['a', 4]]));
  });

  it('stays under the cap, however many windows are merged', () => {
    let merged = buildWindowReport(windowOf([totals('r0', 1)]), contextOf(1), 4);
    for (let index = 1; index < 20; index++) {
      const next = buildWindowReport(windowOf([totals(`r${index}`, 1)], [], index * 5_000), contextOf(index + 1), 4);
      merged = mergeWindowReports(merged, next, 4);
    }
    expect(merged.series.length).toBeLessThanOrEqual(4);
    expect(sum(merged.series, (s) => s.requests)).toBe(20);
    expect(merged.overflowSeriesCount).toBeGreaterThan(0);
    expect(merged.mergedWindows).toBe(20);
  });
});

describe('toWireReport', () => {
  it('carries the identity, the bounds version, wire enums and trimmed histograms', () => {
    const report = buildWindowReport(
      windowOf([totals('a', 3, { variant: 'canary', latencyMs: 2 })], [['a', 1]]),
      contextOf(4, [{ backendId: 'x', breakerState: 'halfOpen', inFlight: 0 }]),
      10,
    );
    const wire = toWireReport(report, { dataPlaneId: 'dp-1', bootId: 'boot' });
    expect(wire).toMatchObject({
      dataPlaneId: 'dp-1',
      bootId: 'boot',
      sequence: 4,
      latencyBoundsVersion: LATENCY_BUCKET_BOUNDS_VERSION,
      breakers: { closed: 0, open: 0, halfOpen: 1 },
      backends: [{ backendId: 'x', breakerState: 'BREAKER_STATE_HALF_OPEN', inFlight: 0 }],
      rateLimits: [{ routeId: 'a', rejected: 1 }],
    });
    expect(wire.series?.[0]).toMatchObject({ routeId: 'a', variant: 'TRAFFIC_VARIANT_CANARY', requests: 3 });
    expect(wire.series?.[0]?.latencyCounts).toHaveLength(latencyBucketIndex(2) + 1);
  });
});
