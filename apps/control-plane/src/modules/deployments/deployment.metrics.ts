import { Counter, Gauge, type Registry } from 'prom-client';
import { withTimeout } from '../../common/with-timeout';
import type { SqlQuery } from '../../database/sql-query';
import { DEPLOYMENT_STATUSES } from './deployment-state';

/** A scrape waits this long for PostgreSQL, then leaves the last values. */
const QUERY_TIMEOUT_MS = 2_000;

/**
 * The deployments' metrics, read from the `deployments` table at scrape time (every replica reports the same
 * values): `gateway_deployments` by status, `gateway_deployment_traffic_percent` of the deployments in flight (the
 * current phase's share of traffic to the new version) and `gateway_deployment_rollbacks_total` by route.
 */
export class DeploymentMetrics {
  constructor(registry: Registry, query: SqlQuery) {
    const read = <T>(sql: string): Promise<T[] | undefined> =>
      withTimeout(query<T>(sql), QUERY_TIMEOUT_MS, 'PostgreSQL').catch(() => undefined);
    new Gauge({
      name: 'gateway_deployments',
      help: 'Deployments by state (status)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        const rows = await read<{ status: string; count: number }>(
          'SELECT status, count(*)::int AS count FROM deployments GROUP BY status',
        );
        if (rows === undefined) return;
        const counts = new Map(rows.map((row) => [row.status, row.count]));
        for (const state of DEPLOYMENT_STATUSES) this.set({ state }, counts.get(state) ?? 0);
      },
    });
    new Gauge({
      name: 'gateway_deployment_traffic_percent',
      help: 'Share of the route traffic the current phase sends to the version being deployed, by route and strategy',
      labelNames: ['route', 'strategy'],
      registers: [registry],
      async collect() {
        const rows = await read<{ route: string; strategy: string; percent: number }>(
          `SELECT COALESCE(r.name, d.route_id) AS route, d.strategy,
                  (d.phases -> d.current_phase_index ->> 'trafficPercentage')::float AS percent
             FROM deployments d LEFT JOIN gateway_routes r ON r.route_id = d.route_id
            WHERE d.status IN ('InProgress', 'Paused')`,
        );
        if (rows === undefined) return;
        this.reset();
        for (const row of rows) this.set({ route: row.route, strategy: row.strategy }, row.percent ?? 0);
      },
    });
    new Counter({
      name: 'gateway_deployment_rollbacks_total',
      help: 'Deployments rolled back (automatically or by an operator), by route',
      labelNames: ['route'],
      registers: [registry],
      async collect() {
        const rows = await read<{ route: string; count: number }>(
          `SELECT COALESCE(r.name, d.route_id) AS route, count(*)::int AS count
             FROM deployments d LEFT JOIN gateway_routes r ON r.route_id = d.route_id
            WHERE d.status = 'RolledBack'
            GROUP BY 1`,
        );
        if (rows === undefined) return;
        this.reset();
        for (const row of rows) this.inc({ route: row.route }, row.count);
      },
    });
  }
}
