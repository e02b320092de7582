import { TELEMETRY_VARIANTS, type TelemetryVariant } from '@hotswap/config-snapshot';
import type { SqlQuery } from '../../database/sql-query';
import type { DataPlaneTelemetryStatus } from './report-contributions';
import { emptyTotals, type BucketEntry, type TrafficTotals } from './telemetry-windows';

/** Runs `work` in one transaction; its SqlQuery uses the transaction's connection. */
export type RunInTransaction = <T>(work: (query: SqlQuery) => Promise<T>) => Promise<T>;

/** What one write-behind flush stores, in one transaction. */
export interface TelemetryBatch {
  readonly cells: readonly BucketEntry[];
  readonly backends: ReadonlyMap<string, { requests: number; failed: number }>;
  readonly dataPlanes: readonly DataPlaneTelemetryStatus[];
}

/** Rows of telemetry_buckets, and the database's clock when they were read. */
export interface BucketRead {
  readonly cells: BucketEntry[];
  readonly readAtMs: number;
}

interface BucketRow {
  route_id: string;
  variant: string;
  bucket_start_ms: string;
  requests: string;
  server_errors: string;
  connect_errors: string;
  timeouts: string;
  rate_limited: string;
  latency_sum_ms: number;
  latency_counts: string[];
}

interface DataPlaneRow {
  data_plane_id: string;
  boot_id: string;
  last_sequence: string;
  reported_at_ms: string;
  window_ms: number;
  config_version: string;
  active_connections: number;
  in_flight_requests: number;
  breakers_closed: number;
  breakers_open: number;
  breakers_half_open: number;
  backends: Array<{ backendId: string; breakerState: string; inFlight: number }>;
}

const BUCKET_COLUMNS = `route_id, variant, (extract(epoch FROM bucket_start) * 1000)::bigint::text AS bucket_start_ms,
  requests::text, server_errors::text, connect_errors::text, timeouts::text, rate_limited::text, latency_sum_ms,
  latency_counts::text[] AS latency_counts`;

/** A data plane's newest report counts as current for 30 s, or three of its windows if that is longer ($1: ms). */
const IS_CURRENT = `t.reported_at > now() - make_interval(secs => greatest($1::float8, 3 * t.window_ms) / 1000)`;

/**
 * The telemetry tables (migration 004): `telemetry_buckets` (per route, variant and 10-second bucket), the newest
 * report of each data plane in `telemetry_data_planes`, and the `backends` counters telemetry fills
 * (`total_requests`, `failed_requests`, `active_connections`).
 */
export class TelemetryRepository {
  constructor(
    private readonly query: SqlQuery,
    private readonly transaction: RunInTransaction,
  ) {}

  /** Buckets starting at or after `fromMs`. */
  async loadBuckets(fromMs: number): Promise<BucketRead> {
    return this.readBuckets(`bucket_start >= to_timestamp($1::float8 / 1000)`, [fromMs]);
  }

  /** Buckets starting at or after `fromMs` that a replica changed after `changedAfterMs` (database clock). */
  async loadChangedBuckets(changedAfterMs: number, fromMs: number): Promise<BucketRead> {
    return this.readBuckets(
      `updated_at > to_timestamp($2::float8 / 1000) AND bucket_start >= to_timestamp($1::float8 / 1000)`,
      [fromMs, changedAfterMs],
    );
  }

  /** One route's buckets overlapping [fromMs, toMs). */
  async loadRouteBuckets(routeId: string, fromMs: number, toMs: number, bucketMs: number): Promise<BucketEntry[]> {
    const read = await this.readBuckets(
      `route_id = $3 AND bucket_start > to_timestamp(($1::float8 - $4) / 1000)
         AND bucket_start < to_timestamp($2::float8 / 1000)`,
      [fromMs, toMs, routeId, bucketMs],
    );
    return read.cells;
  }

  /**
   * Stores a flush in one transaction: adds the cells into their rows, adds the backends' request counters, records
   * each data plane's newest report (never replacing a newer one), and sets `backends.active_connections` to the
   * requests in flight of the current reports.
   */
  async store(batch: TelemetryBatch, currentForMs: number): Promise<void> {
    await this.transaction(async (query) => {
      if (batch.cells.length > 0) {
        const cells = batch.cells.map((cell) => ({
          bucket_start_ms: cell.bucketStartMs,
          route_id: cell.routeId,
          variant: cell.variant,
          requests: cell.totals.requests,
          server_errors: cell.totals.serverErrors,
          connect_errors: cell.totals.connectErrors,
          timeouts: cell.totals.timeouts,
          rate_limited: cell.totals.rateLimited,
          latency_sum_ms: cell.totals.latencySumMs,
          latency_counts: cell.totals.latencyCounts,
        }));
        // Rows are locked in key order, so that replicas adding to the same rows cannot deadlock.
        await query(
          `INSERT INTO telemetry_buckets AS t (bucket_start, route_id, variant, requests, server_errors, connect_errors,
                                               timeouts, rate_limited, latency_sum_ms, latency_counts, updated_at)
           SELECT to_timestamp(r.bucket_start_ms::float8 / 1000), r.route_id, r.variant, r.requests, r.server_errors,
                  r.connect_errors, r.timeouts, r.rate_limited, r.latency_sum_ms, r.latency_counts, clock_timestamp()
             FROM jsonb_to_recordset($1::jsonb) AS r(bucket_start_ms bigint, route_id text, variant text,
                  requests bigint, server_errors bigint, connect_errors bigint, timeouts bigint, rate_limited bigint,
                  latency_sum_ms float8, latency_counts bigint[])
            ORDER BY r.route_id, r.variant, r.bucket_start_ms
           ON CONFLICT (route_id, variant, bucket_start) DO UPDATE SET
             requests = t.requests + EXCLUDED.requests,
             server_errors = t.server_errors + EXCLUDED.server_errors,
             connect_errors = t.connect_errors + EXCLUDED.connect_errors,
             timeouts = t.timeouts + EXCLUDED.timeouts,
             rate_limited = t.rate_limited + EXCLUDED.rate_limited,
             latency_sum_ms = t.latency_sum_ms + EXCLUDED.latency_sum_ms,
             latency_counts = telemetry_add_counts(t.latency_counts, EXCLUDED.latency_counts),
             updated_at = clock_timestamp()`,
          [JSON.stringify(cells)],
        );
      }
      if (batch.backends.size > 0) {
        const backends = [...batch.backends]
          .map(([backend_id, counts]) => ({ backend_id, requests: counts.requests, failed: counts.failed }))
          .sort((a, b) => (a.backend_id < b.backend_id ? -1 : 1));
        await query(
          `UPDATE backends b
              SET total_requests = b.total_requests + d.requests, failed_requests = b.failed_requests + d.failed
             FROM jsonb_to_recordset($1::jsonb) AS d(backend_id text, requests bigint, failed bigint)
            WHERE b.backend_id = d.backend_id`,
          [JSON.stringify(backends)],
        );
      }
      if (batch.dataPlanes.length > 0) {
        const rows = batch.dataPlanes.map((status) => ({
          data_plane_id: status.dataPlaneId,
          boot_id: status.bootId,
          last_sequence: status.sequence,
          reported_at_ms: status.reportedAtMs,
          window_ms: status.windowMs,
          config_version: status.configVersion,
          active_connections: status.activeConnections,
          in_flight_requests: status.inFlightRequests,
          breakers_closed: status.breakers.closed,
          breakers_open: status.breakers.open,
          breakers_half_open: status.breakers.halfOpen,
          backends: status.backends,
        }));
        await query(
          `INSERT INTO telemetry_data_planes AS t (data_plane_id, boot_id, last_sequence, reported_at, window_ms,
                 config_version, active_connections, in_flight_requests, breakers_closed, breakers_open,
                 breakers_half_open, backends)
           SELECT r.data_plane_id, r.boot_id, r.last_sequence, to_timestamp(r.reported_at_ms::float8 / 1000),
                  r.window_ms, r.config_version, r.active_connections, r.in_flight_requests, r.breakers_closed,
                  r.breakers_open, r.breakers_half_open, coalesce(r.backends, '[]')
             FROM jsonb_to_recordset($1::jsonb) AS r(data_plane_id text, boot_id text, last_sequence bigint,
                  reported_at_ms bigint, window_ms int, config_version bigint, active_connections int,
                  in_flight_requests int, breakers_closed int, breakers_open int, breakers_half_open int,
                  backends jsonb)
            ORDER BY r.data_plane_id
           ON CONFLICT (data_plane_id) DO UPDATE SET
             boot_id = EXCLUDED.boot_id, last_sequence = EXCLUDED.last_sequence, reported_at = EXCLUDED.reported_at,
             window_ms = EXCLUDED.window_ms, config_version = EXCLUDED.config_version,
             active_connections = EXCLUDED.active_connections, in_flight_requests = EXCLUDED.in_flight_requests,
             breakers_closed = EXCLUDED.breakers_closed, breakers_open = EXCLUDED.breakers_open,
             breakers_half_open = EXCLUDED.breakers_half_open, backends = EXCLUDED.backends
           WHERE (t.boot_id = EXCLUDED.boot_id AND t.last_sequence < EXCLUDED.last_sequence)
              OR (t.boot_id <> EXCLUDED.boot_id AND t.reported_at <= EXCLUDED.reported_at)`,
          [JSON.stringify(rows)],
        );
      }
      await query(
        `WITH live AS (
           SELECT e->>'backendId' AS backend_id, sum((e->>'inFlight')::int) AS n
             FROM telemetry_data_planes t CROSS JOIN LATERAL jsonb_array_elements(t.backends) AS e
            WHERE ${IS_CURRENT}
            GROUP BY 1
         ), ended AS (
           UPDATE backends b SET active_connections = 0
            WHERE b.active_connections <> 0
              AND NOT EXISTS (SELECT 1 FROM live WHERE live.backend_id = b.backend_id AND live.n > 0)
         )
         UPDATE backends b SET active_connections = live.n
           FROM live
          WHERE b.backend_id = live.backend_id AND live.n > 0 AND b.active_connections <> live.n`,
        [currentForMs],
      );
    });
  }

  /** How far a data plane's reports are stored: its newest report's boot and sequence. */
  async lastStored(dataPlaneId: string): Promise<{ bootId: string; sequence: number } | undefined> {
    const [row] = await this.query<{ boot_id: string; last_sequence: string }>(
      'SELECT boot_id, last_sequence::text FROM telemetry_data_planes WHERE data_plane_id = $1',
      [dataPlaneId],
    );
    return row === undefined ? undefined : { bootId: row.boot_id, sequence: Number(row.last_sequence) };
  }

  /** The newest report of every data plane that reported recently (30 s, or three of its windows if longer). */
  async currentDataPlanes(currentForMs: number): Promise<DataPlaneTelemetryStatus[]> {
    const rows = await this.query<DataPlaneRow>(
      `SELECT data_plane_id, boot_id, last_sequence::text, (extract(epoch FROM reported_at) * 1000)::bigint::text
              AS reported_at_ms, window_ms, config_version::text, active_connections, in_flight_requests,
              breakers_closed, breakers_open, breakers_half_open, backends
         FROM telemetry_data_planes t
        WHERE ${IS_CURRENT}
        ORDER BY data_plane_id`,
      [currentForMs],
    );
    return rows.map((row) => ({
      dataPlaneId: row.data_plane_id,
      bootId: row.boot_id,
      sequence: Number(row.last_sequence),
      reportedAtMs: Number(row.reported_at_ms),
      windowMs: row.window_ms,
      configVersion: Number(row.config_version),
      activeConnections: row.active_connections,
      inFlightRequests: row.in_flight_requests,
      breakers: { closed: row.breakers_closed, open: row.breakers_open, halfOpen: row.breakers_half_open },
      backends: row.backends,
    }));
  }

  /** Backends by their `health_status`, every one counted. */
  async backendsByHealth(): Promise<Map<string, number>> {
    const rows = await this.query<{ health_status: string; n: string }>(
      'SELECT health_status, count(*)::text AS n FROM backends GROUP BY health_status',
    );
    return new Map(rows.map((row) => [row.health_status, Number(row.n)]));
  }

  /** Deletes buckets that started before `beforeMs` and data planes that have not reported since. */
  async prune(beforeMs: number): Promise<number> {
    const deleted = await this.query<{ n: string }>(
      `WITH gone AS (DELETE FROM telemetry_buckets WHERE bucket_start < to_timestamp($1::float8 / 1000) RETURNING 1)
       SELECT count(*)::text AS n FROM gone`,
      [beforeMs],
    );
    await this.query('DELETE FROM telemetry_data_planes WHERE reported_at < to_timestamp($1::float8 / 1000)', [
      beforeMs,
    ]);
    return Number(deleted[0]?.n ?? 0);
  }

  private async readBuckets(where: string, params: unknown[]): Promise<BucketRead> {
    const [clock] = await this.query<{ now_ms: string }>(
      `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS now_ms`,
    );
    const rows = await this.query<BucketRow>(`SELECT ${BUCKET_COLUMNS} FROM telemetry_buckets WHERE ${where}`, params);
    const cells: BucketEntry[] = [];
    for (const row of rows) {
      const variant = row.variant as TelemetryVariant;
      if (!TELEMETRY_VARIANTS.includes(variant)) continue;
      cells.push({ routeId: row.route_id, variant, bucketStartMs: Number(row.bucket_start_ms), totals: totalsOf(row) });
    }
    return { cells, readAtMs: Number(clock?.now_ms) };
  }
}

function totalsOf(row: BucketRow): TrafficTotals {
  const totals = emptyTotals();
  totals.requests = Number(row.requests);
  totals.serverErrors = Number(row.server_errors);
  totals.connectErrors = Number(row.connect_errors);
  totals.timeouts = Number(row.timeouts);
  totals.rateLimited = Number(row.rate_limited);
  totals.latencySumMs = row.latency_sum_ms;
  row.latency_counts.forEach((count, index) => {
    const bucket = Math.min(index, totals.latencyCounts.length - 1);
    totals.latencyCounts[bucket] = (totals.latencyCounts[bucket] as number) + Number(count);
  });
  return totals;
}
