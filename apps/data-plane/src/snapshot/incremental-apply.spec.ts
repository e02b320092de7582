import { SnapshotValidator, validateSnapshot, type ConfigSnapshot } from '@hotswap/config-snapshot';
import { aBackend, aRoute, aSnapshot, seededRandom } from '@hotswap/testing';
import { BackendStateRegistry } from '../proxy/backend-states';
import { RateLimiterCompiler } from '../proxy/rate-limit/route-rate-limiter';
import type { CompiledRoute, CompiledSnapshot } from './compiled-snapshot';
import { formatIssues, SnapshotCompiler } from './snapshot-compiler';

const rateLimiters = () =>
  new RateLimiterCompiler({
    store: undefined,
    localMaxKeys: 100,
    tallies: { rejections: () => ({ inc() {} }), storeErrors: () => ({ inc() {} }) },
  });

const STRATEGIES = ['RoundRobin', 'WeightedRoundRobin', 'LeastConnections', 'IPHash', 'Direct'] as const;

/** A snapshot of `version` whose routes and backends vary with `next` (durations, pools, rewrites, retries). */
function generated(version: number, next: () => number, routeCount: number, backendCount: number): ConfigSnapshot {
  const pick = (count: number) => Math.floor(next() * count);
  const backends = Array.from({ length: backendCount }, (_, n) =>
    aBackend({
      backendId: `b${n}`,
      name: `b${n}-${pick(2)}`,
      url: `http://127.0.0.1:${9000 + pick(3)}/b${n}${pick(2) === 0 ? '/' : ''}`,
      weight: pick(3) * 50,
      healthStatus: pick(4) === 0 ? 'Unhealthy' : 'Healthy',
      timeouts: pick(3) === 0 ? { connectMs: 100 + pick(3), readMs: 1000 } : null,
      connectionPool:
        pick(3) === 0 ? { maxConnections: 10 + pick(2), maxIdleConnections: 5, idleTimeoutMs: 1000 } : null,
    }),
  );
  const routes = Array.from({ length: routeCount }, (_, n) =>
    aRoute({
      routeId: `r${n}`,
      name: `r${n}`,
      pathPattern: pick(2) === 0 ? `/r${n}/**` : `/r${n}/{id}`,
      backendIds: [`b${pick(backendCount)}`, `b${(n + pick(backendCount - 1) + 1) % backendCount}`].filter(
        (id, index, ids) => ids.indexOf(id) === index,
      ),
      strategy: STRATEGIES[pick(STRATEGIES.length)]!,
      timeoutSeconds: 1 + pick(3),
      isEnabled: pick(6) !== 0,
      stripPrefix: pick(2) === 0,
      retryPolicy:
        pick(2) === 0
          ? null
          : {
              maxAttempts: 1 + pick(3),
              initialDelayMs: 10,
              maxDelayMs: 100,
              retryOnStatus: [502, 503],
              retryOnConnectError: true,
              methods: ['GET'],
            },
      circuitBreaker:
        pick(3) === 0
          ? { enabled: pick(2) === 0, failureThreshold: 2 + pick(2), openDurationMs: 1000, successThreshold: 1 }
          : null,
      transformations:
        pick(3) === 0
          ? {
              request: {
                addHeaders: { 'X-Gen': `${pick(3)}` },
                removeHeaders: [],
                rewritePath: pick(2) === 0 ? { pattern: '^/r\\d+/(.*)$', replacement: '/v2/$1' } : null,
              },
              response: { addHeaders: {}, removeHeaders: ['Server'] },
            }
          : null,
    }),
  );
  return aSnapshot({ routes, backends }, { version });
}

/** Everything a request to `path` depends on in a compiled snapshot, as plain data. */
function decisionFor(compiled: CompiledSnapshot, path: string): unknown {
  const route: CompiledRoute | undefined = compiled.router.match(undefined, 'GET', path);
  if (route === undefined) return null;
  return {
    routeId: route.routeId,
    variant: route.variant,
    timeoutMs: route.timeoutMs,
    strategy: route.balancer.strategy,
    rewritten: route.pathRewriter.rewrite(path),
    retry: route.retry && { ...route.retry, methods: [...route.retry.methods] },
    requestHeaders: route.requestHeaders?.set.map(([name]) => name),
    responseHeaders: route.responseHeaders?.remove,
    targets: route.targets.map((target) => ({
      backendId: target.backendId,
      backendName: target.backendName,
      weight: target.weight,
      basePath: target.basePath,
      connectTimeoutMs: target.connectTimeoutMs,
      readTimeoutMs: target.readTimeoutMs,
      usesBreaker: target.usesBreaker,
      url: (target.options.target as URL).href,
      isSelectable: target.state.isSelectable(target.usesBreaker),
      breaker: target.state.breaker?.policyKey,
      maxSockets: target.state.agent.maxSockets,
    })),
  };
}

describe('an incremental apply (remembered validation, reused targets and compiled parts)', () => {
  it('gives the same hash, routing decisions and rejections as a full apply from scratch, change after change', () => {
    const next = seededRandom(7);
    const validator = new SnapshotValidator();
    const states = new BackendStateRegistry();
    const compiler = new SnapshotCompiler(states, { maxRoutes: 100 }, rateLimiters());
    let previous: CompiledSnapshot | undefined;
    let current = generated(1, next, 30, 20);
    let counts = { applied: 0, rejected: 0 };
    const fresh: BackendStateRegistry[] = [];
    try {
      for (let version = 1; version <= 60; version++) {
        // Change a few routes and backends of the last one, as one write at a time does; sometimes break one.
        const changes = generated(version, next, 30, 20);
        const routes = current.routes.map((route, index) => (next() < 0.1 ? changes.routes[index]! : route));
        const backends = current.backends.map((backend, index) => (next() < 0.1 ? changes.backends[index]! : backend));
        if (next() < 0.15) routes[0] = { ...routes[0]!, backendIds: ['missing'] };
        const candidate = aSnapshot({ routes, backends }, { version });
        const wire = () => JSON.parse(JSON.stringify(candidate)) as unknown;

        const incremental = validator.validate(wire());
        const full = validateSnapshot(wire());
        expect(incremental).toEqual(full);
        if (!incremental.ok || !full.ok) {
          counts = { ...counts, rejected: counts.rejected + 1 };
          continue;
        }
        const compiled = compiler.compile(incremental.value, previous);
        const scratchStates = new BackendStateRegistry();
        fresh.push(scratchStates);
        const scratch = new SnapshotCompiler(scratchStates, { maxRoutes: 100 }, rateLimiters()).compile(full.value);
        if (!compiled.ok || !scratch.ok) throw new Error(formatIssues(compiled.ok ? [] : compiled.issues).join('\n'));
        compiled.compiled.backendStates.commit();
        scratch.compiled.backendStates.commit();
        expect(compiled.compiled.snapshot.hash).toBe(scratch.compiled.snapshot.hash);
        expect([...compiled.compiled.routes.keys()]).toEqual([...scratch.compiled.routes.keys()]);
        expect(compiled.compiled.warnings).toEqual(scratch.compiled.warnings);
        for (const route of incremental.value.routes) {
          for (const path of [`/${route.routeId}/x`, `/${route.routeId}/x/y`]) {
            expect(decisionFor(compiled.compiled, path)).toEqual(decisionFor(scratch.compiled, path));
          }
        }
        previous = compiled.compiled;
        current = candidate;
        counts = { ...counts, applied: counts.applied + 1 };
      }
    } finally {
      states.destroy();
      for (const registry of fresh) registry.destroy();
    }
    expect(counts.applied).toBeGreaterThan(30);
    expect(counts.rejected).toBeGreaterThan(3);
  });
});
