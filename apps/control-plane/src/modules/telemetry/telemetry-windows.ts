import {
  addLatencyCounts,
  emptyLatencyHistogram,
  TELEMETRY_VARIANTS,
  type TelemetryVariant,
} from '@hotswap/config-snapshot';

/** What a route variant (or the whole gateway) carried in some time: counts and the latency histogram. */
export interface TrafficTotals {
  requests: number;
  serverErrors: number;
  connectErrors: number;
  timeouts: number;
  /** 429s of the route's rate limit (also counted in `requests`). */
  rateLimited: number;
  latencySumMs: number;
  /** Per bucket of LATENCY_BUCKET_BOUNDS_MS. */
  latencyCounts: number[];
}

export function emptyTotals(): TrafficTotals {
  return {
    requests: 0,
    serverErrors: 0,
    connectErrors: 0,
    timeouts: 0,
    rateLimited: 0,
    latencySumMs: 0,
    latencyCounts: emptyLatencyHistogram(),
  };
}

/** Adds `from` into `into` (`sign` -1 subtracts: counts are integers, so this is exact). */
export function addTotals(into: TrafficTotals, from: TrafficTotals, sign: 1 | -1 = 1): void {
  into.requests += sign * from.requests;
  into.serverErrors += sign * from.serverErrors;
  into.connectErrors += sign * from.connectErrors;
  into.timeouts += sign * from.timeouts;
  into.rateLimited += sign * from.rateLimited;
  into.latencySumMs += sign * from.latencySumMs;
  if (sign === 1) addLatencyCounts(into.latencyCounts, from.latencyCounts);
  else
    addLatencyCounts(
      into.latencyCounts,
      from.latencyCounts.map((count) => -count),
    );
}

/** Errors of every class. */
export function errorCount(totals: TrafficTotals): number {
  return totals.serverErrors + totals.connectErrors + totals.timeouts;
}

/** One cell of the windows: a route variant's totals in the bucket starting at `bucketStartMs`. */
export interface BucketEntry {
  readonly routeId: string;
  readonly variant: TelemetryVariant;
  readonly bucketStartMs: number;
  readonly totals: TrafficTotals;
}

type VariantTotals = Partial<Record<TelemetryVariant, TrafficTotals>>;

/**
 * Traffic totals in fixed time buckets (`bucketMs`, aligned to the epoch) per route and variant, with the sum of
 * every route kept per bucket as well so that gateway-wide figures cost one pass over the buckets. Plain data:
 * the telemetry service keeps several (what PostgreSQL holds, what is being written, what is not yet written) and
 * reads their sum. Route id `''` holds requests of routes a data plane did not itemize.
 */
export class TelemetryWindows {
  private readonly routes = new Map<string, Map<number, VariantTotals>>();
  private readonly gateway = new Map<number, TrafficTotals>();
  private cells = 0;

  constructor(readonly bucketMs: number) {}

  /** The start of the bucket holding `timeMs`. */
  bucketOf(timeMs: number): number {
    return Math.floor(timeMs / this.bucketMs) * this.bucketMs;
  }

  /** Route-variant-bucket cells held. */
  get size(): number {
    return this.cells;
  }

  /** Adds to a cell. */
  add(routeId: string, variant: TelemetryVariant, bucketStartMs: number, delta: TrafficTotals): void {
    addTotals(this.cellOf(routeId, variant, bucketStartMs), delta);
    addTotals(this.gatewayBucket(bucketStartMs), delta);
  }

  /** Replaces a cell (with what PostgreSQL holds now). */
  replace(routeId: string, variant: TelemetryVariant, bucketStartMs: number, value: TrafficTotals): void {
    const cell = this.cellOf(routeId, variant, bucketStartMs);
    const gateway = this.gatewayBucket(bucketStartMs);
    addTotals(gateway, cell, -1);
    addTotals(gateway, value);
    Object.assign(cell, emptyTotals());
    addTotals(cell, value);
  }

  /** Adds every cell of `other`. */
  addAll(other: TelemetryWindows): void {
    for (const entry of other.entries()) this.add(entry.routeId, entry.variant, entry.bucketStartMs, entry.totals);
  }

  *entries(): IterableIterator<BucketEntry> {
    for (const [routeId, buckets] of this.routes) {
      for (const [bucketStartMs, variants] of buckets) {
        for (const variant of TELEMETRY_VARIANTS) {
          const totals = variants[variant];
          if (totals !== undefined) yield { routeId, variant, bucketStartMs, totals };
        }
      }
    }
  }

  /** Adds into `into` each variant's totals of the route in the buckets overlapping [fromMs, toMs). */
  sumRoute(routeId: string, fromMs: number, toMs: number, into: Record<TelemetryVariant, TrafficTotals>): void {
    const buckets = this.routes.get(routeId);
    if (buckets === undefined) return;
    for (const [bucketStartMs, variants] of buckets) {
      if (!this.overlaps(bucketStartMs, fromMs, toMs)) continue;
      for (const variant of TELEMETRY_VARIANTS) {
        const totals = variants[variant];
        if (totals !== undefined) addTotals(into[variant], totals);
      }
    }
  }

  /** Adds into `into` every route's totals in the buckets overlapping [fromMs, toMs). */
  sumGateway(fromMs: number, toMs: number, into: TrafficTotals): void {
    for (const [bucketStartMs, totals] of this.gateway) {
      if (this.overlaps(bucketStartMs, fromMs, toMs)) addTotals(into, totals);
    }
  }

  /** Drops the buckets that end at or before `timeMs`. */
  pruneBefore(timeMs: number): void {
    for (const [routeId, buckets] of this.routes) {
      for (const [bucketStartMs, variants] of buckets) {
        if (bucketStartMs + this.bucketMs > timeMs) continue;
        buckets.delete(bucketStartMs);
        this.cells -= Object.keys(variants).length;
      }
      if (buckets.size === 0) this.routes.delete(routeId);
    }
    for (const bucketStartMs of this.gateway.keys()) {
      if (bucketStartMs + this.bucketMs <= timeMs) this.gateway.delete(bucketStartMs);
    }
  }

  clear(): void {
    this.routes.clear();
    this.gateway.clear();
    this.cells = 0;
  }

  private overlaps(bucketStartMs: number, fromMs: number, toMs: number): boolean {
    return bucketStartMs + this.bucketMs > fromMs && bucketStartMs < toMs;
  }

  private cellOf(routeId: string, variant: TelemetryVariant, bucketStartMs: number): TrafficTotals {
    let buckets = this.routes.get(routeId);
    if (buckets === undefined) {
      buckets = new Map();
      this.routes.set(routeId, buckets);
    }
    let variants = buckets.get(bucketStartMs);
    if (variants === undefined) {
      variants = {};
      buckets.set(bucketStartMs, variants);
    }
    let cell = variants[variant];
    if (cell === undefined) {
      cell = emptyTotals();
      variants[variant] = cell;
      this.cells++;
    }
    return cell;
  }

  private gatewayBucket(bucketStartMs: number): TrafficTotals {
    let totals = this.gateway.get(bucketStartMs);
    if (totals === undefined) {
      totals = emptyTotals();
      this.gateway.set(bucketStartMs, totals);
    }
    return totals;
  }
}

/** One empty TrafficTotals per variant. */
export function emptyVariantTotals(): Record<TelemetryVariant, TrafficTotals> {
  return { stable: emptyTotals(), canary: emptyTotals(), preview: emptyTotals() };
}
