import {
  circuitBreakerSchema,
  retryPolicySchema,
  type ConfigSnapshot,
  type RouteConfig,
} from '@hotswap/config-snapshot';
import { aBackend, aRoute, aSnapshot } from '@hotswap/testing';
import { BackendStateRegistry } from '../proxy/backend-states';
import { RateLimiterCompiler } from '../proxy/rate-limit/route-rate-limiter';
import type { CompiledSnapshot } from './compiled-snapshot';
import { formatIssues, SnapshotCompiler } from './snapshot-compiler';

/** Local rate limits only (no Redis), metrics not kept. */
const rateLimiters = () =>
  new RateLimiterCompiler({
    store: undefined,
    localMaxKeys: 100,
    tallies: { rejections: () => ({ inc() {} }), storeErrors: () => ({ inc() {} }) },
  });

describe('SnapshotCompiler', () => {
  let states: BackendStateRegistry;
  let compiler: SnapshotCompiler;

  beforeEach(() => {
    states = new BackendStateRegistry();
    compiler = new SnapshotCompiler(states, { maxRoutes: 100 }, rateLimiters());
  });

  afterEach(() => states.destroy());

  /** Compiles and commits the backend states, as the applier does after the swap. */
  function compile(snapshot: ConfigSnapshot, previous?: CompiledSnapshot): CompiledSnapshot {
    const result = compiler.compile(snapshot, previous);
    if (!result.ok) throw new Error(formatIssues(result.issues).join('\n'));
    result.compiled.backendStates.commit();
    return result.compiled;
  }

  const request = { headers: {}, socket: {} };

  it('compiles routes into a router with their backends, which the balancer picks only while available', () => {
    const up = aBackend({
      backendId: 'up',
      url: 'http://127.0.0.1:9001/base/',
      timeouts: { connectMs: 1000, readMs: 2000 },
    });
    const down = aBackend({ backendId: 'down', healthStatus: 'Unhealthy' });
    const draining = aBackend({ backendId: 'draining', healthStatus: 'Draining' });
    const disabled = aBackend({ backendId: 'disabled', isEnabled: false });
    const degraded = aBackend({ backendId: 'degraded', healthStatus: 'Degraded' });
    const route = aRoute({
      routeId: 'orders',
      pathPattern: '/orders/**',
      backendIds: ['up', 'down', 'draining', 'disabled', 'degraded'],
      timeoutSeconds: 7,
    });
    const compiled = compile(aSnapshot({ routes: [route], backends: [up, down, draining, disabled, degraded] }));
    const match = compiled.router.match(undefined, 'GET', '/orders/1');
    expect(match?.routeId).toBe('orders');
    expect(match?.timeoutMs).toBe(7000);
    expect(match?.targets.map((target) => target.backendId)).toEqual([
      'up',
      'down',
      'draining',
      'disabled',
      'degraded',
    ]);
    const picked = Array.from({ length: 4 }, () => match?.balancer.pick(request, undefined)?.backendId);
    expect(picked).toEqual(['up', 'degraded', 'up', 'degraded']);
    expect(match?.targets[0]).toMatchObject({ basePath: '/base', connectTimeoutMs: 1000, readTimeoutMs: 2000 });
    expect(match?.targets[4]).toMatchObject({ connectTimeoutMs: 5000, readTimeoutMs: 30000, usesBreaker: true });
    expect(match?.pathRewriter.rewrite('/orders/1')).toBe('/1');
  });

  it('compiles the guide defaults for retries and breakers when a route leaves them out', () => {
    const backend = aBackend({ backendId: 'b' });
    const compiled = compile(aSnapshot({ routes: [aRoute({ routeId: 'r', backendIds: ['b'] })], backends: [backend] }));
    const route = compiled.routes.get('r')!;
    expect(route.retry).toMatchObject({
      maxAttempts: 3,
      initialDelayMs: 100,
      maxDelayMs: 2000,
      maxReplayBodyBytes: 65536,
    });
    expect([...route.retry!.methods]).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
    expect(route.retry!.retryOnStatus.flatMap((retried, offset) => (retried ? [500 + offset] : []))).toEqual([
      502, 503, 504,
    ]);
    expect(states.get('b')!.breaker?.policy).toEqual({
      failureThreshold: 5,
      openDurationMs: 30000,
      successThreshold: 3,
    });
  });

  it('turns retries off with maxAttempts 1 and breakers off with enabled false', () => {
    const backend = aBackend({ backendId: 'b' });
    const route = aRoute({
      routeId: 'r',
      backendIds: ['b'],
      retryPolicy: { ...retryPolicySchema.parse({}), maxAttempts: 1 },
      circuitBreaker: { ...circuitBreakerSchema.parse({}), enabled: false },
    });
    const compiled = compile(aSnapshot({ routes: [route], backends: [backend] }));
    expect(compiled.routes.get('r')!.retry).toBeUndefined();
    expect(compiled.routes.get('r')!.targets[0]!.usesBreaker).toBe(false);
    expect(states.get('b')!.breaker).toBeUndefined();
  });

  it('gives a backend the breaker policy of the first route using it, and warns when routes disagree', () => {
    const backend = aBackend({ backendId: 'shared' });
    const policy = (failureThreshold: number) => ({ ...circuitBreakerSchema.parse({}), failureThreshold });
    const compiled = compile(
      aSnapshot({
        routes: [
          aRoute({ backendIds: ['shared'], circuitBreaker: policy(2) }),
          aRoute({ backendIds: ['shared'], circuitBreaker: policy(9) }),
        ],
        backends: [backend],
      }),
    );
    expect(states.get('shared')!.breaker?.policy.failureThreshold).toBe(2);
    expect(compiled.warnings).toEqual([
      "backend shared: routes configure different circuit breakers; the first route's applies",
    ]);
  });

  it('builds the balancer each strategy names, with HeaderBased rules resolved to backends', () => {
    const backends = [aBackend({ backendId: 'one' }), aBackend({ backendId: 'two' })];
    const routeWith = (strategy: RouteConfig['strategy'], extra: Partial<RouteConfig> = {}) =>
      aRoute({ routeId: strategy, backendIds: ['one', 'two'], strategy, ...extra });
    const compiled = compile(
      aSnapshot({
        routes: [
          routeWith('RoundRobin'),
          routeWith('WeightedRoundRobin'),
          routeWith('LeastConnections'),
          routeWith('IPHash'),
          routeWith('Direct'),
          routeWith('HeaderBased', {
            strategyConfig: { headerName: 'X-Tenant', routingRules: { gold: 'two' }, defaultBackend: 'one' },
          }),
        ],
        backends,
      }),
    );
    for (const [id, route] of compiled.routes) expect(route.balancer.strategy).toBe(id);
    const headerBased = compiled.routes.get('HeaderBased')!.balancer;
    expect(headerBased.pick({ headers: { 'x-tenant': 'gold' }, socket: {} }, undefined)?.backendId).toBe('two');
    expect(headerBased.pick({ headers: {}, socket: {} }, undefined)?.backendId).toBe('one');
  });

  it('does not serve disabled routes', () => {
    const backend = aBackend();
    const route = aRoute({ pathPattern: '/off/**', backendIds: [backend.backendId], isEnabled: false });
    const compiled = compile(aSnapshot({ routes: [route], backends: [backend] }));
    expect(compiled.router.match(undefined, 'GET', '/off/x')).toBeUndefined();
    expect(compiled.router.size).toBe(0);
  });

  it(`refuses more routes than GATEWAY_MAX_ROUTES allows, naming the limit`, () => {
    const backend = aBackend();
    const routes = Array.from({ length: 4 }, () => aRoute({ backendIds: [backend.backendId] }));
    const result = new SnapshotCompiler(states, { maxRoutes: 3 }, rateLimiters()).compile(
      aSnapshot({ routes, backends: [backend] }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(formatIssues(result.issues)).toEqual([
        "routes: 4 routes exceed this data plane's limit of 3 (GATEWAY_MAX_ROUTES)",
      ]);
    }
  });

  it('refuses a schema version newer than it understands', () => {
    const snapshot = { ...aSnapshot({}), schemaVersion: 2 } as unknown as ConfigSnapshot;
    const result = compiler.compile(snapshot);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatIssues(result.issues)[0]).toMatch(/^schemaVersion: schema 2 is newer/);
  });

  it('refuses a rewrite pattern the JavaScript engine cannot compile, with every such route named', () => {
    const backend = aBackend();
    const broken = (index: number) => ({
      ...aRoute({ backendIds: [backend.backendId] }),
      transformations: {
        request: { addHeaders: {}, removeHeaders: [], rewritePath: { pattern: `(${index}`, replacement: '/' } },
        response: { addHeaders: {}, removeHeaders: [] },
      },
    });
    const result = compiler.compile(aSnapshot({ routes: [broken(1), broken(2)], backends: [backend] }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const reasons = formatIssues(result.issues);
      expect(reasons).toHaveLength(2);
      expect(reasons[0]).toMatch(
        /^routes\[\d\]\.transformations\.request\.rewritePath\.pattern: does not compile here/,
      );
    }
  });

  it('reuses the keep-alive agent of a backend whose URL did not change (health flaps included), and retires the others', () => {
    const kept = aBackend({ backendId: 'kept', url: 'http://127.0.0.1:9001' });
    const moved = aBackend({ backendId: 'moved', url: 'http://127.0.0.1:9002' });
    const route = aRoute({ routeId: 'r', pathPattern: '/r/**', backendIds: ['kept', 'moved'] });
    const first = compile(aSnapshot({ routes: [route], backends: [kept, moved] }));
    const second = compile(
      aSnapshot(
        {
          routes: [route],
          backends: [
            { ...kept, healthStatus: 'Healthy' },
            { ...moved, url: 'http://127.0.0.1:9003' },
          ],
        },
        { version: 2 },
      ),
      first,
    );
    const agentsOf = (compiled: CompiledSnapshot) =>
      compiled.routes.get('r')!.targets.map((target) => target.options.agent as unknown);
    const [keptBefore, movedBefore] = agentsOf(first);
    const [keptAfter, movedAfter] = agentsOf(second);
    expect(keptAfter).toBe(keptBefore);
    expect(movedAfter).not.toBe(movedBefore);
    expect((movedBefore as { maxFreeSockets: number }).maxFreeSockets).toBe(0);
    expect(states.size).toBe(2);

    const unhealthy = compile(
      aSnapshot(
        {
          routes: [route],
          backends: [
            { ...kept, healthStatus: 'Unhealthy' },
            { ...moved, url: 'http://127.0.0.1:9003' },
          ],
        },
        { version: 3 },
      ),
      second,
    );
    const recovered = compile(aSnapshot({ routes: [route], backends: [kept, moved] }, { version: 4 }), unhealthy);
    expect(agentsOf(recovered)[0]).toBe(keptBefore);
  });

  it('carries each route round-robin position over to the next snapshot', () => {
    const backends = [aBackend({ backendId: 'one' }), aBackend({ backendId: 'two' })];
    const route = aRoute({ routeId: 'rr', pathPattern: '/rr/**', backendIds: ['one', 'two'] });
    const first = compile(aSnapshot({ routes: [route], backends }));
    expect(first.routes.get('rr')!.balancer.pick(request, undefined)?.backendId).toBe('one');
    const second = compile(aSnapshot({ routes: [route], backends }, { version: 2 }), first);
    expect(second.routes.get('rr')!.balancer.pick(request, undefined)?.backendId).toBe('two');
  });

  it('compiles a route rate limit, keeping its counts across a swap that leaves it as it was', () => {
    const backend = aBackend();
    const route = aRoute({
      routeId: 'limited',
      backendIds: [backend.backendId],
      rateLimit: {
        algorithm: 'FixedWindow',
        limit: 1,
        window: 'second',
        keyBy: 'ClientIP',
        keyHeader: 'X-API-Key',
        policy: 'local',
        failOpen: true,
      },
    });
    const first = compile(aSnapshot({ routes: [route], backends: [backend] }));
    const limiter = first.routes.get('limited')!.rateLimiter!;
    expect([limiter.limitHeader, limiter.take('client', 0)]).toEqual(['1', 0]);
    expect(first.warnings).toEqual([]);
    const second = compile(
      aSnapshot({ routes: [route, aRoute({ backendIds: [backend.backendId] })], backends: [backend] }, { version: 2 }),
      first,
    );
    expect(second.routes.get('limited')!.rateLimiter).toBe(limiter);
    expect(
      compile(aSnapshot({ routes: [aRoute({ backendIds: [backend.backendId] })], backends: [backend] }))
        .routes.values()
        .next().value?.rateLimiter,
    ).toBeUndefined();
  });

  it('precompiles header transforms with lowercase names and their variables', () => {
    const backend = aBackend();
    const route = aRoute({
      backendIds: [backend.backendId],
      transformations: {
        request: {
          addHeaders: { 'X-Request-Id': 'req-${requestId}', 'X-Fixed': 'yes' },
          removeHeaders: ['X-Secret'],
          rewritePath: null,
        },
        response: { addHeaders: {}, removeHeaders: [] },
      },
    });
    const compiled = compile(aSnapshot({ routes: [route], backends: [backend] }));
    const routeCompiled = compiled.routes.get(route.routeId)!;
    expect(routeCompiled.requestHeaders).toEqual({
      set: [
        ['x-request-id', { literal: undefined, parts: ['req-', ''], variables: ['requestId'] }],
        ['x-fixed', { literal: 'yes', parts: ['yes'], variables: [] }],
      ],
      remove: ['x-secret'],
    });
    expect(routeCompiled.responseHeaders).toBeUndefined();
  });
});
