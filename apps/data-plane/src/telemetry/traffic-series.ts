import { LATENCY_BUCKET_COUNT, type TelemetryVariant } from '@hotswap/config-snapshot';

/**
 * The counters of one route, variant and backend for the current telemetry window: plain fields and one
 * preallocated histogram, updated in place per request and zeroed when the window is drained.
 */
export class TrafficSeries {
  requests = 0;
  /** 5xx answers other than the gateway's own 502 and 504 (a backend's 5xx, the gateway's 503). */
  serverErrors = 0;
  /** 502 made by the gateway: the backend was not reached or broke the connection. */
  connectErrors = 0;
  /** 504 made by the gateway. */
  timeouts = 0;
  /** 429 made by the gateway (the route's rate limit), before any backend was chosen. */
  rateLimited = 0;
  latencySumMs = 0;
  /** Requests per bucket of LATENCY_BUCKET_BOUNDS_MS. */
  readonly latencyCounts = new Float64Array(LATENCY_BUCKET_COUNT);

  constructor(
    readonly routeId: string,
    readonly variant: TelemetryVariant,
    /** `''` for requests answered before a backend was chosen. */
    readonly backendId: string,
  ) {}

  reset(): void {
    this.requests = 0;
    this.serverErrors = 0;
    this.connectErrors = 0;
    this.timeouts = 0;
    this.rateLimited = 0;
    this.latencySumMs = 0;
    this.latencyCounts.fill(0);
  }
}

/** The series of one compiled route (one route id and variant): one per backend, and one for no backend. */
export class RouteSeries {
  readonly noBackend: TrafficSeries;
  readonly byBackend = new Map<string, TrafficSeries>();

  constructor(
    readonly routeId: string,
    readonly variant: TelemetryVariant,
  ) {
    this.noBackend = new TrafficSeries(routeId, variant, '');
  }

  /** The backend's series, created the first time the backend finishes a request in a window. */
  forBackend(backendId: string): TrafficSeries {
    let series = this.byBackend.get(backendId);
    if (series === undefined) {
      series = new TrafficSeries(this.routeId, this.variant, backendId);
      this.byBackend.set(backendId, series);
    }
    return series;
  }
}
