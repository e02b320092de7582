import { addLatencyCounts, latencyBucketIndex, type TelemetryVariant } from '@hotswap/config-snapshot';
import { RouteSeries, type TrafficSeries } from './traffic-series';

/** A compiled route as telemetry sees it: one object per route id and variant, per snapshot. */
export interface TelemetryRoute {
  readonly routeId: string;
  readonly variant: TelemetryVariant;
}

export interface TelemetryTarget {
  readonly backendId: string;
}

/** What the collector reads from a finished request (GatewayRequest has these fields). */
export interface FinishedRequest {
  readonly route: TelemetryRoute | undefined;
  /** The attempt still in flight when the response ended: set when the answer is the backend's own. */
  readonly target: TelemetryTarget | undefined;
  /** The backend of the last attempt started, whatever became of it. */
  readonly lastTarget: TelemetryTarget | undefined;
}

/** The totals of one series over a window (a copy: the live counters are zeroed). */
export interface SeriesTotals {
  readonly routeId: string;
  readonly backendId: string;
  readonly variant: TelemetryVariant;
  /** The sum of series left out of a capped report. */
  readonly isOverflow: boolean;
  requests: number;
  serverErrors: number;
  connectErrors: number;
  timeouts: number;
  latencySumMs: number;
  /** Per bucket of LATENCY_BUCKET_BOUNDS_MS, all of them. */
  latencyCounts: number[];
}

/** What finished in one window: every series with requests, and 429s per route. */
export interface DrainedWindow {
  readonly startMs: number;
  readonly endMs: number;
  readonly series: SeriesTotals[];
  /** Requests the gateway answered 429 (a route's rate limit), by route id. */
  readonly rateLimits: Map<string, number>;
}

/**
 * Counts finished requests per route, variant and backend for the telemetry window in progress. Per request
 * (`record`): two map lookups keyed by the compiled route object and the backend id, a few increments and a binary
 * search for the latency bucket; a series object is allocated only the first time it sees a request in a window
 * (series idle for a whole window are dropped at `drain`, so memory follows the routes that carry traffic).
 */
export class TelemetryCollector {
  private readonly routes = new Map<TelemetryRoute, RouteSeries>();
  private windowStartMs: number;

  constructor(nowMs: number = Date.now()) {
    this.windowStartMs = nowMs;
  }

  /**
   * Records one finished request of a matched route. Errors by class: the gateway's own 504 is a timeout, its own
   * 502 a connect error, any other 5xx (a backend's, the gateway's 503) a server error; a 429 made before any backend
   * was chosen is a rate-limit rejection. Requests that matched no route are not counted here.
   */
  record(req: FinishedRequest, status: number, latencyMs: number): void {
    const route = req.route;
    if (route === undefined) return;
    let routeSeries = this.routes.get(route);
    if (routeSeries === undefined) {
      routeSeries = new RouteSeries(route.routeId, route.variant);
      this.routes.set(route, routeSeries);
    }
    const answeringBackend = req.target;
    const backend = answeringBackend ?? req.lastTarget;
    const series: TrafficSeries =
      backend === undefined ? routeSeries.noBackend : routeSeries.forBackend(backend.backendId);
    series.requests++;
    series.latencySumMs += latencyMs;
    const counts = series.latencyCounts;
    const bucket = latencyBucketIndex(latencyMs);
    counts[bucket] = (counts[bucket] as number) + 1;
    if (status >= 500) {
      if (answeringBackend === undefined && status === 504) series.timeouts++;
      else if (answeringBackend === undefined && status === 502) series.connectErrors++;
      else series.serverErrors++;
    } else if (status === 429 && backend === undefined) {
      series.rateLimited++;
    }
  }

  /**
   * Ends the window in progress: returns its totals (series of the same route id, variant and backend from the
   * compiled routes of successive snapshots summed), zeroes the counters and starts the next window.
   */
  drain(nowMs: number = Date.now()): DrainedWindow {
    const byKey = new Map<string, SeriesTotals>();
    const rateLimits = new Map<string, number>();
    for (const [route, routeSeries] of this.routes) {
      let isIdle = takeTotals(routeSeries.noBackend, byKey, rateLimits);
      for (const [backendId, backendSeries] of routeSeries.byBackend) {
        if (takeTotals(backendSeries, byKey, rateLimits)) routeSeries.byBackend.delete(backendId);
        else isIdle = false;
      }
      if (isIdle) this.routes.delete(route);
    }
    const window = { startMs: this.windowStartMs, endMs: nowMs, series: [...byKey.values()], rateLimits };
    this.windowStartMs = nowMs;
    return window;
  }
}

/** Adds a series with requests to the window's totals and zeroes it; returns whether it was idle. */
function takeTotals(live: TrafficSeries, byKey: Map<string, SeriesTotals>, rateLimits: Map<string, number>): boolean {
  if (live.requests === 0) return true;
  const key = `${live.variant}\n${live.routeId}\n${live.backendId}`;
  const totals = byKey.get(key);
  if (totals === undefined) {
    byKey.set(key, {
      routeId: live.routeId,
      backendId: live.backendId,
      variant: live.variant,
      isOverflow: false,
      requests: live.requests,
      serverErrors: live.serverErrors,
      connectErrors: live.connectErrors,
      timeouts: live.timeouts,
      latencySumMs: live.latencySumMs,
      latencyCounts: Array.from(live.latencyCounts),
    });
  } else {
    totals.requests += live.requests;
    totals.serverErrors += live.serverErrors;
    totals.connectErrors += live.connectErrors;
    totals.timeouts += live.timeouts;
    totals.latencySumMs += live.latencySumMs;
    addLatencyCounts(totals.latencyCounts, live.latencyCounts);
  }
  if (live.rateLimited > 0) rateLimits.set(live.routeId, (rateLimits.get(live.routeId) ?? 0) + live.rateLimited);
  live.reset();
  return false;
}
