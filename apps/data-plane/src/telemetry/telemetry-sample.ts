import { addLatencyCounts } from '@hotswap/config-snapshot';
import type { BreakerState } from '../proxy/circuit-breaker';
import type { DrainedWindow, SeriesTotals } from './telemetry-collector';
import type { BackendStatusTotals, ReportContext } from './telemetry-report';

/** A proxy process's state at the end of a window. */
export type TelemetryState = Omit<ReportContext, 'sequence'>;

/**
 * What one proxy process counted in a window and its state at the end of it: what a cluster worker hands its
 * primary (over IPC, structured clone), and what a single process reports itself.
 */
export interface TelemetrySample {
  readonly window: DrainedWindow;
  readonly state: TelemetryState;
}

const BREAKER_SEVERITY: Readonly<Record<BreakerState, number>> = { closed: 0, halfOpen: 1, open: 2 };

/**
 * The samples of a cluster's workers as one: series summed by route, variant and backend; 429s summed; connections
 * and requests in flight summed; per backend the requests in flight summed and the most severe breaker state (each
 * worker has breakers of its own). Without samples (no worker answered), an empty window from `fallback`.
 */
export function mergeTelemetrySamples(
  samples: readonly TelemetrySample[],
  fallback: { readonly nowMs: number; readonly configVersion: number },
): TelemetrySample {
  const series = new Map<string, SeriesTotals>();
  const rateLimits = new Map<string, number>();
  const backends = new Map<string, { backendId: string; breakerState: BreakerState; inFlight: number }>();
  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  let activeConnections = 0;
  let inFlightRequests = 0;
  let configVersion = 0;
  for (const { window, state } of samples) {
    startMs = Math.min(startMs, window.startMs);
    endMs = Math.max(endMs, window.endMs);
    for (const totals of window.series) {
      const key = `${totals.variant}\n${totals.routeId}\n${totals.backendId}`;
      const into = series.get(key);
      if (into === undefined) {
        series.set(key, { ...totals, latencyCounts: [...totals.latencyCounts] });
        continue;
      }
      into.requests += totals.requests;
      into.serverErrors += totals.serverErrors;
      into.connectErrors += totals.connectErrors;
      into.timeouts += totals.timeouts;
      into.latencySumMs += totals.latencySumMs;
      addLatencyCounts(into.latencyCounts, totals.latencyCounts);
    }
    for (const [routeId, rejected] of window.rateLimits)
      rateLimits.set(routeId, (rateLimits.get(routeId) ?? 0) + rejected);
    activeConnections += state.activeConnections;
    inFlightRequests += state.inFlightRequests;
    configVersion = Math.max(configVersion, state.configVersion);
    for (const backend of state.backends) {
      const into = backends.get(backend.backendId);
      if (into === undefined) {
        backends.set(backend.backendId, { ...backend });
        continue;
      }
      into.inFlight += backend.inFlight;
      if (BREAKER_SEVERITY[backend.breakerState] > BREAKER_SEVERITY[into.breakerState]) {
        into.breakerState = backend.breakerState;
      }
    }
  }
  const hasSamples = samples.length > 0;
  return {
    window: {
      startMs: hasSamples ? startMs : fallback.nowMs,
      endMs: hasSamples ? endMs : fallback.nowMs,
      series: [...series.values()],
      rateLimits,
    },
    state: {
      configVersion: hasSamples ? configVersion : fallback.configVersion,
      activeConnections,
      inFlightRequests,
      backends: [...backends.values()] satisfies BackendStatusTotals[],
    },
  };
}
