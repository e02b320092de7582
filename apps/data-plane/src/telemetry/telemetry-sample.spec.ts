import { emptyLatencyHistogram, latencyBucketIndex } from '@hotswap/config-snapshot';
import type { SeriesTotals } from './telemetry-collector';
import { mergeTelemetrySamples, type TelemetrySample } from './telemetry-sample';

function totals(routeId: string, requests: number, backendId = 'b'): SeriesTotals {
  const latencyCounts = emptyLatencyHistogram();
  latencyCounts[latencyBucketIndex(3)] = requests;
  return {
    routeId,
    backendId,
    variant: 'stable',
    isOverflow: false,
    requests,
    serverErrors: 1,
    connectErrors: 0,
    timeouts: 0,
    latencySumMs: 3 * requests,
    latencyCounts,
  };
}

function sample(
  startMs: number,
  series: SeriesTotals[],
  state: Partial<TelemetrySample['state']> = {},
): TelemetrySample {
  return {
    window: { startMs, endMs: startMs + 5_000, series, rateLimits: new Map([['r', 2]]) },
    state: { configVersion: 4, activeConnections: 3, inFlightRequests: 1, backends: [], ...state },
  };
}

describe('mergeTelemetrySamples', () => {
  it("sums a cluster's worker windows by series, and their connections and requests in flight", () => {
    const merged = mergeTelemetrySamples(
      [
        sample(1_000, [totals('r', 5), totals('s', 1)], {
          backends: [{ backendId: 'b', breakerState: 'closed', inFlight: 2 }],
        }),
        sample(1_200, [totals('r', 7)], {
          configVersion: 5,
          backends: [
            { backendId: 'b', breakerState: 'open', inFlight: 1 },
            { backendId: 'c', breakerState: 'halfOpen', inFlight: 0 },
          ],
        }),
      ],
      { nowMs: 9_999, configVersion: 0 },
    );
    expect(merged.window).toMatchObject({ startMs: 1_000, endMs: 6_200 });
    expect(merged.window.series.find((s) => s.routeId === 'r')).toMatchObject({ requests: 12, serverErrors: 2 });
    expect(merged.window.series.find((s) => s.routeId === 'r')?.latencyCounts[latencyBucketIndex(3)]).toBe(12);
    expect(merged.window.series.find((s) => s.routeId === 's')).toMatchObject({ requests: 1 });
    expect(merged.window.rateLimits).toEqual(new Map([['r', 4]]));
    expect(merged.state).toMatchObject({ configVersion: 5, activeConnections: 6, inFlightRequests: 2 });
    expect(merged.state.backends).toEqual([
      { backendId: 'b', breakerState: 'open', inFlight: 3 },
      { backendId: 'c', breakerState: 'halfOpen', inFlight: 0 },
    ]);
  });

  it('gives an empty window when no worker answered', () => {
    const merged = mergeTelemetrySamples([], { nowMs: 7_000, configVersion: 3 });
    expect(merged.window).toEqual({ startMs: 7_000, endMs: 7_000, series: [], rateLimits: new Map() });
    expect(merged.state).toEqual({ configVersion: 3, activeConnections: 0, inFlightRequests: 0, backends: [] });
  });
});
