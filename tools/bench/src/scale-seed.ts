import { routeConfigSchema, type RouteConfig } from '@hotswap/config-snapshot';
import type { BenchDatabase } from './bench-database';
import { MEASURED_ROUTE_ID, otherPattern } from './route-table';

/** Backends per route (`backendCount / routeCount`, at least 1). */
export function backendsPerRoute(routeCount: number, backendCount: number): number {
  return Math.max(1, Math.floor((backendCount - 1) / Math.max(1, routeCount - 1)));
}

/**
 * The routes of the scale configuration: the measured `/bench/**` on `bench-backend`, and `routeCount - 1` others
 * under distinct literal prefixes (bench:proxy's mix of patterns), each on its own `perRoute` backends
 * `scale-<n>`, never called.
 */
export function scaleRoutes(routeCount: number, backendCount: number): RouteConfig[] {
  const perRoute = backendsPerRoute(routeCount, backendCount);
  const routes: RouteConfig[] = [
    routeConfigSchema.parse({
      routeId: MEASURED_ROUTE_ID,
      name: MEASURED_ROUTE_ID,
      pathPattern: '/bench/**',
      backendIds: ['bench-backend'],
      stripPrefix: false,
    }),
  ];
  for (let n = 1; n < routeCount; n++) {
    const first = ((n - 1) * perRoute) % (backendCount - 1);
    routes.push(
      routeConfigSchema.parse({
        routeId: `route-${n}`,
        name: `route-${n}`,
        pathPattern: otherPattern(n),
        methods: n % 5 === 0 ? ['GET', 'POST'] : [],
        priority: n % 7,
        backendIds: Array.from({ length: perRoute }, (_, j) => `scale-${(first + j) % (backendCount - 1)}`),
      }),
    );
  }
  return routes;
}

/**
 * Writes the scale configuration straight into the control plane's tables (the REST API would take hours for
 * 100,000 backends): `bench-backend` at `backendUrl`, `backendCount - 1` others made by generate_series, the
 * routes with their version 1. No snapshot is written: the next change through the API builds one.
 */
export async function seedScaleConfiguration(
  database: BenchDatabase,
  backendUrl: string,
  routeCount: number,
  backendCount: number,
): Promise<void> {
  await database.run(
    `INSERT INTO backends (backend_id, name, url)
     SELECT 'scale-' || i, 'scale-' || i, 'http://127.0.0.1:9/b' || i FROM generate_series(0, $1::int - 1) AS i
     UNION ALL SELECT 'bench-backend', 'bench-backend', $2`,
    [backendCount - 1, backendUrl],
  );
  const routes = scaleRoutes(routeCount, backendCount);
  const input = [JSON.stringify(routes)];
  await database.run(
    `INSERT INTO gateway_routes (route_id, name, path_pattern, methods, backends, strategy, priority, version)
     SELECT config->>'routeId', config->>'name', config->>'pathPattern',
            ARRAY(SELECT jsonb_array_elements_text(config->'methods')), config->'backendIds', config->>'strategy',
            (config->>'priority')::int, config->>'version'
       FROM jsonb_array_elements($1::jsonb) AS config`,
    input,
  );
  await database.run(
    `INSERT INTO route_versions (route_id, version_number, config)
     SELECT config->>'routeId', 1, config FROM jsonb_array_elements($1::jsonb) AS config`,
    input,
  );
}
