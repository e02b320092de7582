import {
  addLatencyCounts,
  emptyLatencyHistogram,
  LATENCY_BUCKET_BOUNDS_VERSION,
  trimLatencyCounts,
} from '@hotswap/config-snapshot';
import { toWireBreakerState, toWireTrafficVariant, type TelemetryReport } from '@hotswap/proto';
import type { BreakerState } from '../proxy/circuit-breaker';
import type { DrainedWindow, SeriesTotals } from './telemetry-collector';

/** A backend's runtime state at the end of a window, as a report carries it. */
export interface BackendStatusTotals {
  readonly backendId: string;
  readonly breakerState: BreakerState;
  readonly inFlight: number;
}

/** What a report says besides the window's series: the data plane's state at the window's end. */
export interface ReportContext {
  readonly sequence: number;
  readonly configVersion: number;
  readonly activeConnections: number;
  readonly inFlightRequests: number;
  /** Every backend the data plane routes to. */
  readonly backends: readonly BackendStatusTotals[];
}

/** One report, before it goes on the wire: what the reporter keeps until the control plane acknowledges it. */
export interface WindowReport {
  readonly sequence: number;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly configVersion: number;
  /** At most the cap, the overflow series included. */
  readonly series: readonly SeriesTotals[];
  readonly overflowSeriesCount: number;
  /** 429s by route id, at most the cap (the rest summed under route id `''`). */
  readonly rateLimits: ReadonlyMap<string, number>;
  /** Backends with a breaker not closed or requests in flight, at most the cap. */
  readonly backends: readonly BackendStatusTotals[];
  readonly breakers: { readonly closed: number; readonly open: number; readonly halfOpen: number };
  readonly activeConnections: number;
  readonly inFlightRequests: number;
  readonly mergedWindows: number;
}

/**
 * A bounded report of a drained window. However many routes carried traffic, it holds at most `maxSeries` series:
 * when there are more, the series of routes with canary or preview traffic come first (deployments are judged on
 * them), then the busiest; the rest are summed into one overflow series (route and backend id `''`), so totals stay
 * exact. Backends are listed only when their breaker is not closed or requests are in flight (open first, then
 * half-open, then the busiest), at most `maxSeries`; every breaker is counted by state.
 */
export function buildWindowReport(window: DrainedWindow, context: ReportContext, maxSeries: number): WindowReport {
  const { series, overflowSeriesCount } = capSeries(window.series, 0, maxSeries);
  const breakers = { closed: 0, open: 0, halfOpen: 0 };
  const listed: BackendStatusTotals[] = [];
  for (const backend of context.backends) {
    breakers[backend.breakerState]++;
    if (backend.breakerState !== 'closed' || backend.inFlight > 0) listed.push(backend);
  }
  listed.sort((a, b) => BREAKER_ORDER[a.breakerState] - BREAKER_ORDER[b.breakerState] || b.inFlight - a.inFlight);
  return {
    sequence: context.sequence,
    windowStartMs: window.startMs,
    windowEndMs: window.endMs,
    configVersion: context.configVersion,
    series,
    overflowSeriesCount,
    rateLimits: capRateLimits(window.rateLimits, maxSeries),
    backends: listed.slice(0, maxSeries),
    breakers,
    activeConnections: context.activeConnections,
    inFlightRequests: context.inFlightRequests,
    mergedWindows: 1,
  };
}

/**
 * One report covering both windows (the older one's start to the newer one's end), for a data plane that keeps
 * reports while disconnected: series and 429s are summed by key and capped again; the state at the end (backends,
 * breakers, connections, config version, sequence) is the newer report's.
 */
export function mergeWindowReports(older: WindowReport, newer: WindowReport, maxSeries: number): WindowReport {
  const byKey = new Map<string, SeriesTotals>();
  for (const totals of [...older.series, ...newer.series]) {
    const key = `${totals.isOverflow ? 1 : 0}\n${totals.variant}\n${totals.routeId}\n${totals.backendId}`;
    const existing = byKey.get(key);
    if (existing === undefined) byKey.set(key, copyTotals(totals));
    else addTotals(existing, totals);
  }
  const { series, overflowSeriesCount } = capSeries(
    [...byKey.values()],
    older.overflowSeriesCount + newer.overflowSeriesCount,
    maxSeries,
  );
  const rateLimits = new Map(older.rateLimits);
  for (const [routeId, rejected] of newer.rateLimits)
    rateLimits.set(routeId, (rateLimits.get(routeId) ?? 0) + rejected);
  return {
    ...newer,
    windowStartMs: older.windowStartMs,
    series,
    overflowSeriesCount,
    rateLimits: capRateLimits(rateLimits, maxSeries),
    mergedWindows: older.mergedWindows + newer.mergedWindows,
  };
}

/** The report as the Telemetry service carries it. */
export function toWireReport(report: WindowReport, identity: { dataPlaneId: string; bootId: string }): TelemetryReport {
  return {
    dataPlaneId: identity.dataPlaneId,
    bootId: identity.bootId,
    sequence: report.sequence,
    windowStartMs: report.windowStartMs,
    windowEndMs: report.windowEndMs,
    configVersion: report.configVersion,
    latencyBoundsVersion: LATENCY_BUCKET_BOUNDS_VERSION,
    series: report.series.map((totals) => ({
      routeId: totals.routeId,
      backendId: totals.backendId,
      variant: toWireTrafficVariant(totals.variant),
      requests: totals.requests,
      serverErrors: totals.serverErrors,
      connectErrors: totals.connectErrors,
      timeouts: totals.timeouts,
      latencyCounts: trimLatencyCounts(totals.latencyCounts),
      latencySumMs: totals.latencySumMs,
      isOverflow: totals.isOverflow,
    })),
    overflowSeriesCount: report.overflowSeriesCount,
    backends: report.backends.map((backend) => ({
      backendId: backend.backendId,
      breakerState: toWireBreakerState(backend.breakerState),
      inFlight: backend.inFlight,
    })),
    breakers: report.breakers,
    rateLimits: [...report.rateLimits].map(([routeId, rejected]) => ({ routeId, rejected })),
    activeConnections: report.activeConnections,
    inFlightRequests: report.inFlightRequests,
    mergedWindows: report.mergedWindows,
  };
}

const BREAKER_ORDER: Readonly<Record<BreakerState, number>> = { open: 0, halfOpen: 1, closed: 2 };

/** At most `maxSeries` series: priority (routes with canary or preview traffic), then busiest; the rest summed. */
function capSeries(
  all: readonly SeriesTotals[],
  overflowSeriesCount: number,
  maxSeries: number,
): { series: SeriesTotals[]; overflowSeriesCount: number } {
  const itemized = all.filter((totals) => !totals.isOverflow);
  const overflowed = all.filter((totals) => totals.isOverflow);
  if (itemized.length + overflowed.length <= maxSeries) return { series: [...all], overflowSeriesCount };
  const deployed = new Set(itemized.filter((totals) => totals.variant !== 'stable').map((totals) => totals.routeId));
  itemized.sort(
    (a, b) =>
      Number(deployed.has(b.routeId)) - Number(deployed.has(a.routeId)) ||
      b.requests - a.requests ||
      (a.routeId < b.routeId ? -1 : a.routeId > b.routeId ? 1 : 0),
  );
  const kept = itemized.slice(0, Math.max(0, maxSeries - 1));
  const overflow = overflowTotals();
  for (const totals of [...itemized.slice(kept.length), ...overflowed]) addTotals(overflow, totals);
  return { series: [...kept, overflow], overflowSeriesCount: overflowSeriesCount + itemized.length - kept.length };
}

function capRateLimits(rateLimits: ReadonlyMap<string, number>, maxEntries: number): Map<string, number> {
  if (rateLimits.size <= maxEntries) return new Map(rateLimits);
  const sorted = [...rateLimits].sort((a, b) => b[1] - a[1]);
  const capped = new Map(sorted.slice(0, Math.max(0, maxEntries - 1)));
  let rest = 0;
  for (const [, rejected] of sorted.slice(capped.size)) rest += rejected;
  capped.set('', (capped.get('') ?? 0) + rest);
  return capped;
}

function overflowTotals(): SeriesTotals {
  return {
    routeId: '',
    backendId: '',
    variant: 'stable',
    isOverflow: true,
    requests: 0,
    serverErrors: 0,
    connectErrors: 0,
    timeouts: 0,
    latencySumMs: 0,
    latencyCounts: emptyLatencyHistogram(),
  };
}

function copyTotals(totals: SeriesTotals): SeriesTotals {
  return { ...totals, latencyCounts: [...totals.latencyCounts] };
}

function addTotals(into: SeriesTotals, from: SeriesTotals): void {
  into.requests += from.requests;
  into.serverErrors += from.serverErrors;
  into.connectErrors += from.connectErrors;
  into.timeouts += from.timeouts;
  into.latencySumMs += from.latencySumMs;
  addLatencyCounts(into.latencyCounts, from.latencyCounts);
}
