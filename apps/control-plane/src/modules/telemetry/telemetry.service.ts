import { TELEMETRY_VARIANTS, type TelemetryVariant } from '@hotswap/config-snapshot';
import type { TelemetryReport__Output } from '@hotswap/proto';
import { ValidationError } from '../../common/errors/gateway-error';
import { contributionsOf, reportIssues, type DataPlaneTelemetryStatus } from './report-contributions';
import { TelemetrySession, type TelemetryReceiver, type TelemetryStream } from './telemetry-session';
import { trafficStats, variantStats, type TrafficStats, type VariantStats } from './telemetry-stats';
import type { TelemetryOptions } from './telemetry.options';
import type { TelemetryRepository } from './telemetry.repository';
import { addTotals, emptyTotals, emptyVariantTotals, TelemetryWindows } from './telemetry-windows';

export interface TelemetryLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** `GET metrics`: the gateway over the last window, across every data plane. */
export interface GatewayMetrics {
  generatedAt: string;
  windowSeconds: number;
  totals: Omit<TrafficStats, 'latency'>;
  /** Milliseconds, request start to response end, over every route. */
  latency: TrafficStats['latency'];
  backends: { total: number; byHealth: Record<string, number> };
  /** Circuit breakers per data plane and backend, by state, from each data plane's newest report. */
  circuitBreakers: { closed: number; open: number; halfOpen: number; openBackendIds: string[] };
  /** Client connections open on the data planes that report now. */
  activeConnections: number;
  dataPlanesReporting: number;
}

/** A route's traffic over the last window (its `statistics` on `GET routes/{id}`), every variant together. */
export interface RouteStatistics extends TrafficStats {
  windowSeconds: number;
}

/**
 * Stable against canary (and preview) of one route since a time: what canary analysis decides on. Buckets that
 * overlap the window count whole, so up to one bucket (10 s) before `since` is included.
 */
export interface VariantComparison {
  routeId: string;
  since: string;
  until: string;
  stable: VariantStats;
  canary: VariantStats;
  preview: VariantStats;
}

const OPEN_BACKENDS_LISTED = 100;

/**
 * Telemetry from the data planes: takes their reports (one TelemetrySession per stream), aggregates them into
 * buckets per route and variant, and serves the figures. The data is kept in layers, summed on every read:
 * `persisted` (what PostgreSQL held when last read, every replica's reports), `committed` (this replica's writes not
 * yet read back), `writing` (the flush in progress) and `pending` (received since). Every `flushIntervalMs` pending
 * reports are stored in one transaction (write-behind), their reports acknowledged to the data planes, and the rows
 * any replica changed since the last read are read again, so each replica sees the whole fleet within a flush or
 * two. A report is acknowledged only once stored; a data plane sends unacknowledged ones again, and a report whose
 * boot and sequence are already stored is acknowledged without counting it twice. Transport-free: the gRPC adapter
 * opens sessions, the controllers read.
 */
export class TelemetryService implements TelemetryReceiver {
  private persisted: TelemetryWindows;
  private readonly committed: TelemetryWindows;
  private writing: TelemetryWindows;
  private pending: TelemetryWindows;
  private pendingBackends = new Map<string, { requests: number; failed: number }>();
  private pendingStatuses = new Map<string, DataPlaneTelemetryStatus>();
  private writingStatuses = new Map<string, DataPlaneTelemetryStatus>();
  private readonly committedStatuses = new Map<string, DataPlaneTelemetryStatus>();
  private pendingAcks: Array<{ session: TelemetrySession; sequence: number }> = [];
  /** Per data plane: the newest boot and sequence stored, and the newest taken in (stored or pending). */
  private readonly stored = new Map<string, { bootId: string; sequence: number }>();
  private readonly accepted = new Map<string, { bootId: string; sequence: number }>();
  private currentDataPlanes: DataPlaneTelemetryStatus[] = [];
  private readonly sessions = new Set<TelemetrySession>();
  private lastReadAtMs = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private isFailing = false;

  constructor(
    private readonly repository: TelemetryRepository,
    private readonly options: TelemetryOptions,
    private readonly logger: TelemetryLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.persisted = new TelemetryWindows(options.bucketMs);
    this.committed = new TelemetryWindows(options.bucketMs);
    this.writing = new TelemetryWindows(options.bucketMs);
    this.pending = new TelemetryWindows(options.bucketMs);
  }

  /** Loads the last `horizonMs` from PostgreSQL (a restart loses nothing stored), then flushes and prunes on timers. */
  async start(): Promise<void> {
    const read = await this.repository.loadBuckets(this.now() - this.options.horizonMs);
    for (const cell of read.cells) this.persisted.add(cell.routeId, cell.variant, cell.bucketStartMs, cell.totals);
    this.lastReadAtMs = read.readAtMs;
    this.currentDataPlanes = await this.repository.currentDataPlanes(this.options.currentForMs);
    this.flushTimer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.pruneTimer = setInterval(() => void this.prune(), this.options.pruneIntervalMs);
    this.flushTimer.unref();
    this.pruneTimer.unref();
  }

  /** Stores what was received (and acknowledges it), then ends every stream: data planes reconnect and resend. */
  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    this.flushTimer = undefined;
    // A flush in progress may have started before the last reports arrived: one more after it.
    await this.flush();
    await this.flush();
    for (const session of [...this.sessions]) session.end();
  }

  /** A new stream. */
  open(stream: TelemetryStream): TelemetrySession {
    const session = new TelemetrySession(stream, this, (error) =>
      this.logger.warn(`a telemetry report could not be taken: ${String(error)}`),
    );
    this.sessions.add(session);
    return session;
  }

  get streamCount(): number {
    return this.sessions.size;
  }

  closed(session: TelemetrySession): void {
    this.sessions.delete(session);
  }

  async receive(session: TelemetrySession, report: TelemetryReport__Output): Promise<void> {
    const issues = reportIssues(report);
    if (issues.length > 0) {
      session.fail(new ValidationError(issues));
      return;
    }
    const known = await this.acceptedSequence(report.dataPlaneId);
    if (known !== undefined && known.bootId === report.bootId && report.sequence <= known.sequence) {
      // Sent again after a broken stream: count it once.
      const stored = this.stored.get(report.dataPlaneId);
      if (stored !== undefined && stored.bootId === report.bootId && report.sequence <= stored.sequence) {
        session.ack(report.sequence);
      } else {
        this.pendingAcks.push({ session, sequence: report.sequence });
      }
      return;
    }
    const receivedAtMs = this.now();
    const contributions = contributionsOf(report, receivedAtMs, this.options);
    for (const cell of contributions.cells) {
      this.pending.add(cell.routeId, cell.variant, contributions.bucketStartMs, cell.totals);
    }
    for (const [backendId, counts] of contributions.backends) {
      const into = this.pendingBackends.get(backendId) ?? { requests: 0, failed: 0 };
      into.requests += counts.requests;
      into.failed += counts.failed;
      this.pendingBackends.set(backendId, into);
    }
    this.pendingStatuses.set(report.dataPlaneId, contributions.status);
    this.accepted.set(report.dataPlaneId, { bootId: report.bootId, sequence: report.sequence });
    this.pendingAcks.push({ session, sequence: report.sequence });
  }

  /** One write-behind cycle (the timer's): store and acknowledge what was received, read other replicas' writes. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** The gateway over the last `windowMs` (default: the statistics window). */
  async gatewayMetrics(windowMs: number = this.options.statisticsWindowMs): Promise<GatewayMetrics> {
    const now = this.now();
    const totals = emptyTotals();
    for (const layer of this.layers()) layer.sumGateway(now - windowMs, now, totals);
    const { latency, ...traffic } = trafficStats(totals, windowMs / 1000);
    const byHealth = Object.fromEntries(await this.repository.backendsByHealth());
    const dataPlanes = this.dataPlanes();
    const circuitBreakers = { closed: 0, open: 0, halfOpen: 0, openBackendIds: [] as string[] };
    const openBackends = new Set<string>();
    for (const dataPlane of dataPlanes) {
      circuitBreakers.closed += dataPlane.breakers.closed;
      circuitBreakers.open += dataPlane.breakers.open;
      circuitBreakers.halfOpen += dataPlane.breakers.halfOpen;
      for (const backend of dataPlane.backends)
        if (backend.breakerState === 'open') openBackends.add(backend.backendId);
    }
    circuitBreakers.openBackendIds = [...openBackends].sort().slice(0, OPEN_BACKENDS_LISTED);
    return {
      generatedAt: new Date(now).toISOString(),
      windowSeconds: windowMs / 1000,
      totals: traffic,
      latency,
      backends: { total: Object.values(byHealth).reduce((sum, count) => sum + count, 0), byHealth },
      circuitBreakers,
      activeConnections: dataPlanes.reduce((sum, dataPlane) => sum + dataPlane.activeConnections, 0),
      dataPlanesReporting: dataPlanes.length,
    };
  }

  /** A route's traffic over the last `windowMs` (default: the statistics window), every variant together. */
  routeStatistics(routeId: string, windowMs: number = this.options.statisticsWindowMs): RouteStatistics {
    const now = this.now();
    const variants = emptyVariantTotals();
    for (const layer of this.layers()) layer.sumRoute(routeId, now - windowMs, now, variants);
    const totals = emptyTotals();
    for (const variant of TELEMETRY_VARIANTS) addTotals(totals, variants[variant]);
    return { windowSeconds: windowMs / 1000, ...trafficStats(totals, windowMs / 1000) };
  }

  /**
   * Stable against canary and preview of `routeId` from `sinceMs` (epoch ms) to `untilMs` (default now), across
   * every data plane: request count, error count and rate (0-1), requests per second, p50/p95/p99 (ms). Within the
   * in-memory horizon (15 min) it reads memory; an older `sinceMs` reads PostgreSQL (retention: 1 h).
   */
  async compareVariants(routeId: string, sinceMs: number, untilMs: number = this.now()): Promise<VariantComparison> {
    const variants = emptyVariantTotals();
    if (sinceMs >= this.now() - this.options.horizonMs + this.options.bucketMs) {
      for (const layer of this.layers()) layer.sumRoute(routeId, sinceMs, untilMs, variants);
    } else {
      // PostgreSQL holds persisted and committed; add what this replica has not stored yet.
      const cells = await this.repository.loadRouteBuckets(routeId, sinceMs, untilMs, this.options.bucketMs);
      for (const cell of cells) addTotals(variants[cell.variant], cell.totals);
      for (const layer of [this.writing, this.pending]) layer.sumRoute(routeId, sinceMs, untilMs, variants);
    }
    const seconds = Math.max(0, untilMs - sinceMs) / 1000;
    const statsOf = (variant: TelemetryVariant) => variantStats(variants[variant], seconds);
    return {
      routeId,
      since: new Date(sinceMs).toISOString(),
      until: new Date(untilMs).toISOString(),
      stable: statsOf('stable'),
      canary: statsOf('canary'),
      preview: statsOf('preview'),
    };
  }

  /** For `GET health`: requests per second over the rate window, client connections on the data planes. */
  healthFigures(): { requestsPerSecond: number; activeConnections: number } {
    const now = this.now();
    const windowMs = this.options.rateWindowMs;
    const totals = emptyTotals();
    for (const layer of this.layers()) layer.sumGateway(now - windowMs, now, totals);
    return {
      requestsPerSecond: trafficStats(totals, windowMs / 1000).requestsPerSecond,
      activeConnections: this.dataPlanes().reduce((sum, dataPlane) => sum + dataPlane.activeConnections, 0),
    };
  }

  private layers(): TelemetryWindows[] {
    return [this.persisted, this.committed, this.writing, this.pending];
  }

  /** The newest report of each data plane reporting now: what PostgreSQL held, or newer ones received here. */
  private dataPlanes(): DataPlaneTelemetryStatus[] {
    const byId = new Map(this.currentDataPlanes.map((status) => [status.dataPlaneId, status]));
    const received = [this.committedStatuses, this.writingStatuses, this.pendingStatuses];
    for (const status of received.flatMap((statuses) => [...statuses.values()])) {
      const known = byId.get(status.dataPlaneId);
      if (known === undefined || known.reportedAtMs <= status.reportedAtMs) byId.set(status.dataPlaneId, status);
    }
    const now = this.now();
    return [...byId.values()].filter(
      (status) => status.reportedAtMs > now - Math.max(this.options.currentForMs, 3 * status.windowMs),
    );
  }

  private async acceptedSequence(dataPlaneId: string): Promise<{ bootId: string; sequence: number } | undefined> {
    const known = this.accepted.get(dataPlaneId);
    if (known !== undefined) return known;
    let stored: { bootId: string; sequence: number } | undefined;
    try {
      stored = await this.repository.lastStored(dataPlaneId);
    } catch (error) {
      // Taking the report beats losing it: at worst a report sent again is counted twice.
      this.logger.warn(`reading how far ${dataPlaneId}'s reports are stored failed: ${String(error)}`);
      return undefined;
    }
    if (stored !== undefined && !this.accepted.has(dataPlaneId)) {
      this.stored.set(dataPlaneId, stored);
      this.accepted.set(dataPlaneId, stored);
    }
    return this.accepted.get(dataPlaneId);
  }

  private async flushOnce(): Promise<void> {
    const horizonStart = this.now() - this.options.horizonMs;
    for (const layer of this.layers()) layer.pruneBefore(horizonStart);

    this.writing = this.pending;
    this.pending = new TelemetryWindows(this.options.bucketMs);
    const backends = this.pendingBackends;
    this.pendingBackends = new Map();
    this.writingStatuses = this.pendingStatuses;
    this.pendingStatuses = new Map();
    const acks = this.pendingAcks;
    this.pendingAcks = [];

    if (this.writing.size > 0 || backends.size > 0 || this.writingStatuses.size > 0 || acks.length > 0) {
      try {
        await this.repository.store(
          { cells: [...this.writing.entries()], backends, dataPlanes: [...this.writingStatuses.values()] },
          this.options.currentForMs,
        );
        this.committed.addAll(this.writing);
        for (const status of this.writingStatuses.values()) {
          this.committedStatuses.set(status.dataPlaneId, status);
          this.stored.set(status.dataPlaneId, { bootId: status.bootId, sequence: status.sequence });
        }
        for (const { session, sequence } of acks) session.ack(sequence);
        if (this.isFailing) this.logger.log('telemetry is stored again');
        this.isFailing = false;
      } catch (error) {
        // Kept for the next flush, acknowledgements included: nothing is lost while PostgreSQL is away.
        this.writing.addAll(this.pending);
        this.pending = this.writing;
        for (const [backendId, counts] of this.pendingBackends) {
          const into = backends.get(backendId) ?? { requests: 0, failed: 0 };
          into.requests += counts.requests;
          into.failed += counts.failed;
          backends.set(backendId, into);
        }
        this.pendingBackends = backends;
        for (const [dataPlaneId, status] of this.pendingStatuses) this.writingStatuses.set(dataPlaneId, status);
        this.pendingStatuses = this.writingStatuses;
        this.pendingAcks = [...acks, ...this.pendingAcks];
        if (!this.isFailing) this.logger.warn(`storing telemetry failed (retrying every flush): ${String(error)}`);
        this.isFailing = true;
      } finally {
        this.writing = new TelemetryWindows(this.options.bucketMs);
        this.writingStatuses = new Map();
      }
    }

    try {
      const read = await this.repository.loadChangedBuckets(
        this.lastReadAtMs - this.options.rereadMarginMs,
        this.now() - this.options.horizonMs,
      );
      const currentDataPlanes = await this.repository.currentDataPlanes(this.options.currentForMs);
      // Everything committed so far was committed before these reads began: it is in what they returned.
      for (const cell of read.cells) {
        this.persisted.replace(cell.routeId, cell.variant, cell.bucketStartMs, cell.totals);
      }
      this.committed.clear();
      this.committedStatuses.clear();
      this.lastReadAtMs = read.readAtMs;
      this.currentDataPlanes = currentDataPlanes;
    } catch (error) {
      if (!this.isFailing) this.logger.warn(`reading telemetry failed: ${String(error)}`);
    }
  }

  private async prune(): Promise<void> {
    try {
      await this.repository.prune(this.now() - this.options.retentionMs);
    } catch (error) {
      this.logger.warn(`pruning telemetry failed: ${String(error)}`);
    }
  }
}
