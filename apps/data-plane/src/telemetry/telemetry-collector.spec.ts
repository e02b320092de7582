import { latencyBucketIndex, type TelemetryVariant } from '@hotswap/config-snapshot';
import {
  TelemetryCollector,
  type FinishedRequest,
  type SeriesTotals,
  type TelemetryRoute,
} from './telemetry-collector';

function aRoute(routeId: string, variant: TelemetryVariant = 'stable'): TelemetryRoute {
  return { routeId, variant };
}

function finished(
  route: TelemetryRoute | undefined,
  backend: { answered?: string; last?: string } = {},
): FinishedRequest {
  return {
    route,
    target: backend.answered === undefined ? undefined : { backendId: backend.answered },
    lastTarget:
      (backend.last ?? backend.answered) === undefined ? undefined : { backendId: (backend.last ?? backend.answered)! },
  };
}

function seriesOf(series: SeriesTotals[], routeId: string, backendId: string, variant: TelemetryVariant = 'stable') {
  return series.find((s) => s.routeId === routeId && s.backendId === backendId && s.variant === variant);
}

describe('TelemetryCollector', () => {
  it('counts requests, latency and errors per route, variant and backend', () => {
    const collector = new TelemetryCollector(1_000);
    const stable = aRoute('r1');
    const canary = aRoute('r1', 'canary');
    collector.record(finished(stable, { answered: 'a' }), 200, 4);
    collector.record(finished(stable, { answered: 'a' }), 503, 12);
    collector.record(finished(stable, { answered: 'b' }), 200, 4);
    collector.record(finished(canary, { answered: 'c' }), 500, 100);

    const window = collector.drain(6_000);
    expect(window).toMatchObject({ startMs: 1_000, endMs: 6_000 });
    expect(window.series).toHaveLength(3);
    const a = seriesOf(window.series, 'r1', 'a')!;
    expect(a).toMatchObject({ requests: 2, serverErrors: 1, connectErrors: 0, timeouts: 0, latencySumMs: 16 });
    expect(a.latencyCounts[latencyBucketIndex(4)]).toBe(1);
    expect(a.latencyCounts[latencyBucketIndex(12)]).toBe(1);
    expect(a.latencyCounts.reduce((sum, count) => sum + count, 0)).toBe(2);
    expect(seriesOf(window.series, 'r1', 'b')).toMatchObject({ requests: 1, serverErrors: 0 });
    expect(seriesOf(window.series, 'r1', 'c', 'canary')).toMatchObject({ requests: 1, serverErrors: 1 });
  });

  it("classes the gateway's own 502 as a connect error and 504 as a timeout, a backend's as server errors", () => {
    const collector = new TelemetryCollector();
    const route = aRoute('r');
    // The gateway answered after the attempt to b failed: no attempt in flight, b was the last.
    collector.record(finished(route, { last: 'b' }), 502, 3);
    collector.record(finished(route, { last: 'b' }), 504, 30_000);
    // b itself answered 502 and 504.
    collector.record(finished(route, { answered: 'b' }), 502, 3);
    collector.record(finished(route, { answered: 'b' }), 504, 3);
    // No backend available: 503 before any attempt.
    collector.record(finished(route), 503, 1);

    const { series } = collector.drain();
    expect(seriesOf(series, 'r', 'b')).toMatchObject({ requests: 4, connectErrors: 1, timeouts: 1, serverErrors: 2 });
    expect(seriesOf(series, 'r', '')).toMatchObject({ requests: 1, serverErrors: 1 });
  });

  it('counts 429s made before any backend as rate-limit rejections of the route, not as errors', () => {
    const collector = new TelemetryCollector();
    const route = aRoute('limited');
    collector.record(finished(route), 429, 0.2);
    collector.record(finished(route), 429, 0.2);
    collector.record(finished(route, { answered: 'b' }), 429, 2);

    const window = collector.drain();
    expect(window.rateLimits).toEqual(new Map([['limited', 2]]));
    expect(seriesOf(window.series, 'limited', '')).toMatchObject({ requests: 2, serverErrors: 0 });
    expect(seriesOf(window.series, 'limited', 'b')).toMatchObject({ requests: 1 });
  });

  it('does not count requests that matched no route', () => {
    const collector = new TelemetryCollector();
    collector.record(finished(undefined), 404, 0.1);
    expect(collector.drain().series).toEqual([]);
  });

  it('starts every window from zero and reports only series with requests in it', () => {
    const collector = new TelemetryCollector(0);
    const [one, two] = [aRoute('one'), aRoute('two')];
    collector.record(finished(one, { answered: 'a' }), 200, 1);
    collector.record(finished(two, { answered: 'a' }), 200, 1);
    expect(collector.drain(5_000).series).toHaveLength(2);

    collector.record(finished(two, { answered: 'a' }), 200, 1);
    const second = collector.drain(10_000);
    expect(second).toMatchObject({ startMs: 5_000, endMs: 10_000 });
    expect(second.series).toEqual([expect.objectContaining({ routeId: 'two', requests: 1 })]);
    expect(collector.drain(15_000).series).toEqual([]);
  });

  it('sums the series of the same route id from the compiled routes of two snapshots in the report', () => {
    const collector = new TelemetryCollector();
    // A swap compiles a new route object with the same id: the collector keys by object, the report by id.
    collector.record(finished(aRoute('r'), { answered: 'a' }), 200, 1);
    collector.record(finished(aRoute('r'), { answered: 'a' }), 200, 1);
    const { series } = collector.drain();
    expect(series).toEqual([expect.objectContaining({ routeId: 'r', backendId: 'a', requests: 2 })]);
  });
});
