import {
  backendConfigSchema,
  buildSnapshot,
  circuitBreakerSchema,
  globalSettingsSchema,
  rateLimitSchema,
  routeConfigSchema,
  type BackendConfig,
  type ConfigSnapshot,
  type RouteConfig,
} from '@hotswap/config-snapshot';

/** The path every target is called on. */
export const MEASURED_PATH = '/bench/items/42';
export const MEASURED_ROUTE_ID = 'bench';
/** Backends the other routes point at: never called, since no request matches their routes. */
const OTHER_BACKEND_COUNT = 100;

/**
 * A local rate limit on the measured route, high enough that no request of a run is refused: the cost of the check
 * (key, counter update, headers) without 429s.
 */
export const BENCH_RATE_LIMIT = rateLimitSchema.parse({
  algorithm: 'FixedWindow',
  limit: 10_000_000,
  window: 'hour',
  keyBy: 'ClientIP',
  policy: 'local',
});

/**
 * A snapshot with the measured route (`/bench/**`, forwarding the path unchanged to `backendUrl`, circuit breaker
 * and the default retry policy on, and `options.rateLimit` when given) and `routeCount - 1`
 * others, each under its own literal prefix, a mix of globstars, parameters and wildcards.
 */
export function benchSnapshot(
  backendUrl: string,
  routeCount: number,
  options: { rateLimit?: RouteConfig['rateLimit'] } = {},
): ConfigSnapshot {
  const backends: BackendConfig[] = [
    backendConfigSchema.parse({ backendId: 'bench-backend', name: 'bench-backend', url: backendUrl }),
  ];
  const routes: RouteConfig[] = [
    routeConfigSchema.parse({
      routeId: MEASURED_ROUTE_ID,
      name: MEASURED_ROUTE_ID,
      pathPattern: '/bench/**',
      backendIds: ['bench-backend'],
      stripPrefix: false,
      // The guide's breaker (5 failures, 30 s, 3 successes), stated: the data plane is measured with it on.
      circuitBreaker: circuitBreakerSchema.parse({}),
      rateLimit: options.rateLimit ?? null,
    }),
  ];
  const others = Math.min(OTHER_BACKEND_COUNT, routeCount - 1);
  for (let n = 0; n < others; n++) {
    backends.push(
      backendConfigSchema.parse({ backendId: `other-${n}`, name: `other-${n}`, url: `http://127.0.0.1:9/o${n}` }),
    );
  }
  for (let n = 1; n < routeCount; n++) {
    routes.push(
      routeConfigSchema.parse({
        routeId: `route-${n}`,
        name: `route-${n}`,
        pathPattern: otherPattern(n),
        methods: n % 5 === 0 ? ['GET', 'POST'] : [],
        priority: n % 7,
        backendIds: [`other-${n % others}`],
      }),
    );
  }
  return buildSnapshot(
    { version: 1, previousVersion: null, auditId: null, createdAt: new Date().toISOString() },
    { settings: globalSettingsSchema.parse({}), routes, backends },
  );
}

/** The path pattern of the n-th other route: a literal prefix of its own, then a globstar, parameters or a wildcard. */
export function otherPattern(n: number): string {
  switch (n % 4) {
    case 0:
      return `/svc-${n}/**`;
    case 1:
      return `/svc-${n}/users/{userId}`;
    case 2:
      return `/svc-${n}/*/items/**`;
    default:
      return `/api-${n}/orders/{orderId}/lines/{lineId}`;
  }
}
