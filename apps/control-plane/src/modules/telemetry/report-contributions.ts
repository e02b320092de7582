import { LATENCY_BUCKET_BOUNDS_VERSION, type TelemetryVariant } from '@hotswap/config-snapshot';
import { fromWireBreakerState, fromWireTrafficVariant, type TelemetryReport__Output } from '@hotswap/proto';
import type { FieldIssue } from '../../common/errors/gateway-error';
import { emptyTotals, type TrafficTotals } from './telemetry-windows';

/** A data plane's state at the end of its newest report (breakers, connections) and how far its reports go. */
export interface DataPlaneTelemetryStatus {
  readonly dataPlaneId: string;
  readonly bootId: string;
  readonly sequence: number;
  /** The control plane's clock when the report arrived. */
  readonly reportedAtMs: number;
  readonly windowMs: number;
  readonly configVersion: number;
  readonly activeConnections: number;
  readonly inFlightRequests: number;
  readonly breakers: { readonly closed: number; readonly open: number; readonly halfOpen: number };
  readonly backends: ReadonlyArray<{ backendId: string; breakerState: string; inFlight: number }>;
}

/** What one report adds: route-variant totals in one bucket, per-backend counters, and the data plane's state. */
export interface ReportContributions {
  readonly bucketStartMs: number;
  readonly cells: ReadonlyArray<{ routeId: string; variant: TelemetryVariant; totals: TrafficTotals }>;
  readonly backends: ReadonlyMap<string, { requests: number; failed: number }>;
  readonly status: DataPlaneTelemetryStatus;
  /** Series of a variant this build does not know: left out. */
  readonly skippedSeries: number;
}

/** The problems of a report that cannot be taken at all (empty identity, sequence 0), every one. */
export function reportIssues(report: TelemetryReport__Output): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (report.dataPlaneId === '') issues.push({ field: 'dataPlaneId', message: 'is required' });
  if (report.bootId === '') issues.push({ field: 'bootId', message: 'is required' });
  if (!(report.sequence >= 1)) issues.push({ field: 'sequence', message: 'must be 1 or more' });
  return issues;
}

/**
 * Reads a report into what the aggregation adds. The whole report goes into one bucket: the one holding the end of
 * its window (so a window that ended after some moment is counted in any window from that moment on), taken on the
 * data plane's clock but never later than its arrival nor earlier than `horizonMs` before it (a skewed clock moves
 * reports, it cannot put them in the future or out of reach). Histograms of another bounds version are left out
 * (their counts stay). Rate-limit rejections count under the route's stable variant.
 */
export function contributionsOf(
  report: TelemetryReport__Output,
  receivedAtMs: number,
  options: { readonly bucketMs: number; readonly horizonMs: number },
): ReportContributions {
  const { windowStartMs, windowEndMs } = report;
  const end = windowEndMs > 0 ? windowEndMs : receivedAtMs;
  const placedAt = Math.min(receivedAtMs, Math.max(receivedAtMs - options.horizonMs, end));
  const bucketStartMs = Math.floor(placedAt / options.bucketMs) * options.bucketMs;
  const isHistogramKnown = report.latencyBoundsVersion === LATENCY_BUCKET_BOUNDS_VERSION;

  const cells: Array<{ routeId: string; variant: TelemetryVariant; totals: TrafficTotals }> = [];
  const backends = new Map<string, { requests: number; failed: number }>();
  let skippedSeries = 0;
  for (const series of report.series) {
    const variant = fromWireTrafficVariant(series.variant);
    if (variant === undefined) {
      skippedSeries++;
      continue;
    }
    const totals = emptyTotals();
    totals.requests = series.requests;
    totals.serverErrors = series.serverErrors;
    totals.connectErrors = series.connectErrors;
    totals.timeouts = series.timeouts;
    totals.latencySumMs = series.latencySumMs;
    if (isHistogramKnown) {
      series.latencyCounts.forEach((count, index) => {
        const bucket = Math.min(index, totals.latencyCounts.length - 1);
        totals.latencyCounts[bucket] = (totals.latencyCounts[bucket] as number) + count;
      });
    }
    cells.push({ routeId: series.isOverflow ? '' : series.routeId, variant, totals });
    if (!series.isOverflow && series.backendId !== '') {
      const backend = backends.get(series.backendId) ?? { requests: 0, failed: 0 };
      backend.requests += series.requests;
      backend.failed += series.serverErrors + series.connectErrors + series.timeouts;
      backends.set(series.backendId, backend);
    }
  }
  for (const { routeId, rejected } of report.rateLimits) {
    if (rejected <= 0) continue;
    const totals = emptyTotals();
    totals.rateLimited = rejected;
    cells.push({ routeId, variant: 'stable', totals });
  }

  const breakers = report.breakers ?? { closed: 0, open: 0, halfOpen: 0 };
  return {
    bucketStartMs,
    cells,
    backends,
    skippedSeries,
    status: {
      dataPlaneId: report.dataPlaneId,
      bootId: report.bootId,
      sequence: report.sequence,
      reportedAtMs: receivedAtMs,
      windowMs: Math.max(0, Math.round(windowEndMs - windowStartMs)),
      configVersion: report.configVersion,
      activeConnections: report.activeConnections,
      inFlightRequests: report.inFlightRequests,
      breakers: { closed: breakers.closed, open: breakers.open, halfOpen: breakers.halfOpen },
      backends: report.backends.map((backend) => ({
        backendId: backend.backendId,
        breakerState: fromWireBreakerState(backend.breakerState) ?? 'closed',
        inFlight: backend.inFlight,
      })),
    },
  };
}
