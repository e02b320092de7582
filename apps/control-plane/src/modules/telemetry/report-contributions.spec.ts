import { LATENCY_BUCKET_BOUNDS_VERSION } from '@hotswap/config-snapshot';
import type { TelemetryReport__Output, TrafficSeries__Output } from '@hotswap/proto';
import { contributionsOf, reportIssues } from './report-contributions';

const OPTIONS = { bucketMs: 10_000, horizonMs: 15 * 60_000 };

function series(overrides: Partial<TrafficSeries__Output> = {}): TrafficSeries__Output {
  return {
    routeId: 'r',
    backendId: 'b',
    variant: 'TRAFFIC_VARIANT_STABLE',
    requests: 10,
    serverErrors: 1,
    connectErrors: 2,
    timeouts: 3,
    latencyCounts: [0, 4, 6],
    latencySumMs: 5,
    isOverflow: false,
    ...overrides,
  };
}

function report(overrides: Partial<TelemetryReport__Output> = {}): TelemetryReport__Output {
  return {
    dataPlaneId: 'dp',
    bootId: 'boot',
    sequence: 1,
    windowStartMs: 1_000_000,
    windowEndMs: 1_005_000,
    configVersion: 3,
    latencyBoundsVersion: LATENCY_BUCKET_BOUNDS_VERSION,
    series: [series()],
    overflowSeriesCount: 0,
    backends: [{ backendId: 'b', breakerState: 'BREAKER_STATE_OPEN', inFlight: 2 }],
    breakers: { closed: 1, open: 1, halfOpen: 0 },
    rateLimits: [{ routeId: 'r', rejected: 7 }],
    activeConnections: 4,
    inFlightRequests: 2,
    mergedWindows: 1,
    ...overrides,
  };
}

describe('contributionsOf', () => {
  it('puts the report in the bucket of its window end, with backend counters and the data plane state', () => {
    const contributions = contributionsOf(report(), 1_006_000, OPTIONS);
    expect(contributions.bucketStartMs).toBe(1_000_000);
    expect(contributions.cells).toEqual([
      {
        routeId: 'r',
        variant: 'stable',
        totals: expect.objectContaining({ requests: 10, serverErrors: 1, connectErrors: 2, timeouts: 3 }),
      },
      { routeId: 'r', variant: 'stable', totals: expect.objectContaining({ requests: 0, rateLimited: 7 }) },
    ]);
    expect(contributions.cells[0]?.totals.latencyCounts.slice(0, 3)).toEqual([0, 4, 6]);
    expect(contributions.backends).toEqual(new Map([['b', { requests: 10, failed: 6 }]]));
    expect(contributions.status).toMatchObject({
      dataPlaneId: 'dp',
      sequence: 1,
      reportedAtMs: 1_006_000,
      windowMs: 5_000,
      activeConnections: 4,
      breakers: { closed: 1, open: 1, halfOpen: 0 },
      backends: [{ backendId: 'b', breakerState: 'open', inFlight: 2 }],
    });
  });

  it('never places a report after its arrival nor before the horizon (skewed clocks)', () => {
    const ahead = contributionsOf(report({ windowStartMs: 2_000_000, windowEndMs: 2_005_000 }), 1_006_000, OPTIONS);
    expect(ahead.bucketStartMs).toBe(1_000_000);
    const behind = contributionsOf(report({ windowStartMs: 0, windowEndMs: 5_000 }), 1_006_000, OPTIONS);
    expect(behind.bucketStartMs).toBe(Math.floor((1_006_000 - OPTIONS.horizonMs) / 10_000) * 10_000);
  });

  it('counts the overflow series under route id "", and leaves out unknown variants and foreign histograms', () => {
    const contributions = contributionsOf(
      report({
        latencyBoundsVersion: 99,
        series: [
          series({ isOverflow: true, routeId: '', backendId: '' }),
          series({ variant: 'TRAFFIC_VARIANT_FUTURE' as TrafficSeries__Output['variant'] }),
        ],
        rateLimits: [],
      }),
      1_006_000,
      OPTIONS,
    );
    expect(contributions.skippedSeries).toBe(1);
    expect(contributions.cells).toHaveLength(1);
    expect(contributions.cells[0]).toMatchObject({ routeId: '', totals: { requests: 10 } });
    expect(contributions.cells[0]?.totals.latencyCounts.every((count) => count === 0)).toBe(true);
    expect(contributions.backends.size).toBe(0);
  });

  it('names every problem of a report without identity', () => {
    expect(reportIssues(report({ dataPlaneId: '', bootId: '', sequence: 0 })).map((issue) => issue.field)).toEqual([
      'dataPlaneId',
      'bootId',
      'sequence',
    ]);
    expect(reportIssues(report())).toEqual([]);
  });
});
