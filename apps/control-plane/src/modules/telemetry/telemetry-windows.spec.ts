import { latencyBucketIndex } from '@hotswap/config-snapshot';
import { addTotals, emptyTotals, emptyVariantTotals, TelemetryWindows, type TrafficTotals } from './telemetry-windows';

function totals(requests: number, options: { errors?: number; latencyMs?: number } = {}): TrafficTotals {
  const value = emptyTotals();
  value.requests = requests;
  value.serverErrors = options.errors ?? 0;
  value.latencySumMs = requests * (options.latencyMs ?? 10);
  value.latencyCounts[latencyBucketIndex(options.latencyMs ?? 10)] = requests;
  return value;
}

describe('TelemetryWindows', () => {
  it('adds into 10-second buckets per route and variant, and sums a route over a time range', () => {
    const windows = new TelemetryWindows(10_000);
    windows.add('r', 'stable', windows.bucketOf(12_345), totals(5));
    windows.add('r', 'stable', windows.bucketOf(17_000), totals(3, { errors: 1 }));
    windows.add('r', 'canary', windows.bucketOf(15_000), totals(2, { errors: 2 }));
    windows.add('r', 'stable', windows.bucketOf(25_000), totals(7));
    windows.add('other', 'stable', windows.bucketOf(15_000), totals(100));
    expect(windows.size).toBe(4);

    const inFirstBucket = emptyVariantTotals();
    windows.sumRoute('r', 10_000, 20_000, inFirstBucket);
    expect(inFirstBucket.stable).toMatchObject({ requests: 8, serverErrors: 1 });
    expect(inFirstBucket.canary).toMatchObject({ requests: 2, serverErrors: 2 });
    expect(inFirstBucket.preview.requests).toBe(0);

    // A range overlapping a bucket counts the bucket whole.
    const overlapping = emptyVariantTotals();
    windows.sumRoute('r', 19_999, 20_001, overlapping);
    expect(overlapping.stable.requests).toBe(15);
  });

  it('keeps the sum of every route per bucket for gateway-wide figures', () => {
    const windows = new TelemetryWindows(10_000);
    windows.add('a', 'stable', 0, totals(5));
    windows.add('b', 'canary', 0, totals(6, { errors: 3 }));
    windows.add('a', 'stable', 10_000, totals(1));
    const all = emptyTotals();
    windows.sumGateway(0, 20_000, all);
    expect(all).toMatchObject({ requests: 12, serverErrors: 3 });
    const first = emptyTotals();
    windows.sumGateway(0, 10_000, first);
    expect(first.requests).toBe(11);
  });

  it('replaces a cell with a stored value and keeps the gateway sum consistent', () => {
    const windows = new TelemetryWindows(10_000);
    windows.add('a', 'stable', 0, totals(5));
    windows.add('b', 'stable', 0, totals(1));
    windows.replace('a', 'stable', 0, totals(9, { latencyMs: 100 }));
    const route = emptyVariantTotals();
    windows.sumRoute('a', 0, 10_000, route);
    expect(route.stable.requests).toBe(9);
    expect(route.stable.latencyCounts[latencyBucketIndex(10)]).toBe(0);
    expect(route.stable.latencyCounts[latencyBucketIndex(100)]).toBe(9);
    const all = emptyTotals();
    windows.sumGateway(0, 10_000, all);
    expect(all.requests).toBe(10);
    expect(all.latencyCounts[latencyBucketIndex(10)]).toBe(1);
  });

  it('merges another windows object and drops buckets that ended before a time', () => {
    const windows = new TelemetryWindows(10_000);
    const other = new TelemetryWindows(10_000);
    windows.add('a', 'stable', 0, totals(1));
    other.add('a', 'stable', 0, totals(2));
    other.add('a', 'stable', 10_000, totals(4));
    windows.addAll(other);
    const all = emptyTotals();
    windows.sumGateway(0, 20_000, all);
    expect(all.requests).toBe(7);

    windows.pruneBefore(10_000);
    expect(windows.size).toBe(1);
    const after = emptyTotals();
    windows.sumGateway(0, 20_000, after);
    expect(after.requests).toBe(4);
    expect([...windows.entries()]).toEqual([expect.objectContaining({ routeId: 'a', bucketStartMs: 10_000 })]);
  });

  it('adds and subtracts totals exactly', () => {
    const sum = emptyTotals();
    addTotals(sum, totals(3, { errors: 1 }));
    addTotals(sum, totals(2));
    addTotals(sum, totals(3, { errors: 1 }), -1);
    expect(sum).toMatchObject({ requests: 2, serverErrors: 0 });
    expect(sum.latencyCounts[latencyBucketIndex(10)]).toBe(2);
  });
});
