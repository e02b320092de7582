import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type LabelValues } from 'prom-client';
import { HTTP_METHODS } from '@hotswap/config-snapshot';
import { ScrapedCounter, ScrapedHistogram, type CounterSeries, type HistogramSeries } from './scraped-metrics';

const KNOWN_METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);
const STATUS_CLASSES = ['1xx', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Where `recordRequest` keeps the `aborted` status class: after the indices of STATUS_CLASSES. */
const ABORTED_INDEX = STATUS_CLASSES.length;

interface RouteRecorder {
  duration: HistogramSeries;
  /** By method label, then by status class index (`Math.trunc(status / 100)`, capped; ABORTED_INDEX). */
  counts: Map<string, Array<CounterSeries | undefined>>;
  /** By the code of the gateway's own error answer. */
  failures: Map<string, { inc(): void }>;
  /** By backend id. */
  backends: Map<string, BackendRecorder>;
}

interface BackendRecorder {
  duration: HistogramSeries;
  /** By status class index, as in RouteRecorder. */
  counts: Array<CounterSeries | undefined>;
}

/** Label value for requests that matched no route. */
export const NO_ROUTE_LABEL = '(none)';

/** A request method as a bounded label value: the known methods, else `OTHER`. */
export function methodLabel(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : 'OTHER';
}

/** `2xx`…`5xx`; `aborted` when the response never completed. */
export function statusClassLabel(status: number, isComplete: boolean): string {
  if (!isComplete) return 'aborted';
  return STATUS_CLASSES[Math.trunc(status / 100)] ?? '5xx';
}

/**
 * The data plane's Prometheus metrics, in a registry of its own. Label sets are bounded: route names come from the
 * snapshot (bounded by GATEWAY_MAX_ROUTES), methods and status classes from fixed lists.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requestsTotal: ScrapedCounter<'route' | 'method' | 'status_class'>;
  readonly requestDuration: ScrapedHistogram<'route'>;
  readonly configVersion: Gauge;
  readonly configApplyDuration: Histogram;
  readonly configRejectedTotal: Counter;
  readonly routesCount: Gauge;
  readonly backendsCount: Gauge;
  readonly activeConnections: Gauge;
  readonly retriesTotal: Counter<'route'>;
  readonly circuitBreakerState: Gauge<'backend'>;
  readonly circuitBreakerOpenTotal: Counter<'backend'>;
  readonly rateLimitRejectionsTotal: Counter<'route'>;
  readonly rateLimitStoreErrorsTotal: Counter<'route'>;
  readonly requestsBackendTotal: ScrapedCounter<'route' | 'backend' | 'status_class'>;
  readonly requestsFailedTotal: Counter<'route' | 'reason'>;
  readonly backendDuration: ScrapedHistogram<'route' | 'backend'>;
  readonly proxyOverhead: ScrapedHistogram<never>;
  readonly backendsHealthy: Gauge;
  /** Per route label, its metric children: a request allocates no label objects nor observer closures. */
  private readonly routeRecorders = new Map<string, RouteRecorder>();
  private readonly proxyOverheadSeries: HistogramSeries;

  constructor(dataPlaneId: string, countConnections: () => Promise<number>, countHealthyBackends: () => number) {
    this.registry.setDefaultLabels({ data_plane: dataPlaneId });
    const registers = [this.registry];
    this.requestsTotal = new ScrapedCounter({
      name: 'gateway_requests_total',
      help: 'Requests handled by the proxy, by route, method and status class',
      labelNames: ['route', 'method', 'status_class'],
      registers,
    });
    this.requestDuration = new ScrapedHistogram({
      name: 'gateway_request_duration_seconds',
      help: 'Time from request to the end of the response, in seconds',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.configVersion = new Gauge({
      name: 'gateway_config_version',
      // Cluster mode: how /metrics merges the workers' values (counters and the rest add up).
      aggregator: 'min',
      help: 'Version of the active config snapshot (0: none)',
      registers,
    });
    this.configApplyDuration = new Histogram({
      name: 'gateway_config_apply_duration_seconds',
      help: 'Time to decode, validate, compile and swap a config snapshot, in seconds',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.configRejectedTotal = new Counter({
      name: 'gateway_config_rejected_total',
      help: 'Config snapshots refused (NACKed)',
      registers,
    });
    this.routesCount = new Gauge({
      name: 'gateway_routes_count',
      aggregator: 'first',
      help: 'Routes in the active snapshot',
      registers,
    });
    this.backendsCount = new Gauge({
      name: 'gateway_backends_count',
      aggregator: 'first',
      help: 'Backends in the active snapshot',
      registers,
    });
    this.activeConnections = new Gauge({
      name: 'gateway_active_connections',
      help: 'Client connections open on the proxy port',
      registers,
      async collect() {
        this.set(await countConnections());
      },
    });
    this.retriesTotal = new Counter({
      name: 'gateway_retries_total',
      help: 'Requests sent again to a backend after a retryable failure, by route',
      labelNames: ['route'],
      registers,
    });
    this.circuitBreakerState = new Gauge({
      name: 'gateway_circuit_breaker_state',
      aggregator: 'max',
      help: 'Circuit breaker state per backend: 0 closed, 1 open, 2 half-open',
      labelNames: ['backend'],
      registers,
    });
    this.circuitBreakerOpenTotal = new Counter({
      name: 'gateway_circuit_breaker_open_total',
      help: 'Times a backend circuit breaker opened',
      labelNames: ['backend'],
      registers,
    });
    this.rateLimitRejectionsTotal = new Counter({
      name: 'gateway_rate_limit_rejections_total',
      help: 'Requests answered 429 by a route rate limit, by route',
      labelNames: ['route'],
      registers,
    });
    this.rateLimitStoreErrorsTotal = new Counter({
      name: 'gateway_rate_limit_store_errors_total',
      help: 'Rate-limit checks the shared store (Redis) did not answer, by route (the route failed open or closed)',
      labelNames: ['route'],
      registers,
    });
    this.requestsBackendTotal = new ScrapedCounter({
      name: 'gateway_requests_backend_total',
      help: 'Responses backends gave to forwarded attempts (retried ones included), by route, backend and status class',
      labelNames: ['route', 'backend', 'status_class'],
      registers,
    });
    this.requestsFailedTotal = new Counter({
      name: 'gateway_requests_failed_total',
      help: 'Requests the gateway answered with an error of its own (no route, no backend, timeout…), by route and code',
      labelNames: ['route', 'reason'],
      registers,
    });
    this.backendDuration = new ScrapedHistogram({
      name: 'gateway_backend_duration_seconds',
      help: 'Time from sending an attempt to a backend to receiving its response headers, in seconds',
      labelNames: ['route', 'backend'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.proxyOverhead = new ScrapedHistogram({
      name: 'gateway_proxy_overhead_seconds',
      labelNames: [],
      help:
        'Time the gateway adds per request, in seconds: until it wrote the response head (or closed), minus the ' +
        'time its attempts waited for a backend; retry backoff counts, streaming the body does not',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.backendsHealthy = new Gauge({
      name: 'gateway_backends_healthy',
      // Cluster mode: breakers are per worker; a backend counts while some worker may still send to it.
      aggregator: 'max',
      help: 'Backends of the active snapshot the balancers may pick now (enabled, not Unhealthy/Draining, breaker not open)',
      registers,
      collect() {
        this.set(countHealthyBackends());
      },
    });
    this.proxyOverheadSeries = this.proxyOverhead.series({});
    collectDefaultMetrics({ register: this.registry });
    this.configVersion.set(0);
  }

  /**
   * Records one finished (or aborted) proxy request: its status, duration and the gateway's overhead; `failure` is
   * the code of the error the gateway answered with itself, if it did.
   */
  recordRequest(
    route: string,
    method: string,
    status: number,
    isComplete: boolean,
    seconds: number,
    overheadSeconds: number,
    failure: string | undefined,
  ): void {
    const recorder = this.routeRecorder(route);
    let counts = recorder.counts.get(method);
    if (counts === undefined) {
      counts = [];
      recorder.counts.set(method, counts);
    }
    const statusIndex = isComplete ? Math.min(Math.trunc(status / 100), ABORTED_INDEX - 1) : ABORTED_INDEX;
    let count = counts[statusIndex];
    if (count === undefined) {
      const labels: LabelValues<'route' | 'method' | 'status_class'> = {
        route,
        method,
        status_class: statusClassLabel(status, isComplete),
      };
      count = this.requestsTotal.series(labels);
      counts[statusIndex] = count;
    }
    count.value++;
    recorder.duration.observe(seconds);
    this.proxyOverheadSeries.observe(overheadSeconds);
    if (failure !== undefined) this.recordFailure(recorder, route, failure);
  }

  /** Records a backend's response (its head) to one attempt, `seconds` after the attempt started. */
  recordBackendResponse(route: string, backend: string, status: number, seconds: number): void {
    const routeRecorder = this.routeRecorder(route);
    let recorder = routeRecorder.backends.get(backend);
    if (recorder === undefined) {
      const labels: LabelValues<'route' | 'backend'> = { route, backend };
      recorder = { duration: this.backendDuration.series(labels), counts: [] };
      routeRecorder.backends.set(backend, recorder);
    }
    const statusIndex = Math.min(Math.trunc(status / 100), ABORTED_INDEX - 1);
    let count = recorder.counts[statusIndex];
    if (count === undefined) {
      const labels: LabelValues<'route' | 'backend' | 'status_class'> = {
        route,
        backend,
        status_class: statusClassLabel(status, true),
      };
      count = this.requestsBackendTotal.series(labels);
      recorder.counts[statusIndex] = count;
    }
    count.value++;
    recorder.duration.observe(seconds);
  }

  private routeRecorder(route: string): RouteRecorder {
    let recorder = this.routeRecorders.get(route);
    if (recorder === undefined) {
      const labels: LabelValues<'route'> = { route };
      recorder = {
        duration: this.requestDuration.series(labels),
        counts: new Map(),
        failures: new Map(),
        backends: new Map(),
      };
      this.routeRecorders.set(route, recorder);
    }
    return recorder;
  }

  private recordFailure(recorder: RouteRecorder, route: string, code: string): void {
    let count = recorder.failures.get(code);
    if (count === undefined) {
      const labels: LabelValues<'route' | 'reason'> = { route, reason: code.toLowerCase() };
      count = this.requestsFailedTotal.labels(labels);
      recorder.failures.set(code, count);
    }
    count.inc();
  }
}
