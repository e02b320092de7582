import {
  backendConfigSchema,
  routeConfigSchema,
  SnapshotValidator,
  validateSnapshot,
  type BackendConfig,
  type ConfigSnapshot,
} from '@hotswap/config-snapshot';
import { aSnapshot, seededRandom } from '@hotswap/testing';
import { BackendStateRegistry, type BackendState } from '../proxy/backend-states';
import type { Balancer } from '../proxy/balancer';
import { RateLimiterCompiler } from '../proxy/rate-limit/route-rate-limiter';
import type { CompiledRoute, CompiledSnapshot, ProxyTarget } from './compiled-snapshot';
import { formatIssues, SnapshotCompiler } from './snapshot-compiler';

const DATA_PLANE_ID = 'dp-1';
const STRATEGIES = ['RoundRobin', 'WeightedRoundRobin', 'LeastConnections', 'IPHash', 'HeaderBased', 'Direct'] as const;
const BREAKERS = [
  null,
  null,
  { enabled: false, failureThreshold: 5, openDurationMs: 30_000, successThreshold: 3 },
  { enabled: true, failureThreshold: 2, openDurationMs: 1_000, successThreshold: 1 },
  { enabled: true, failureThreshold: 3, openDurationMs: 2_000, successThreshold: 2 },
] as const;
const HOSTS = [null, null, null, 'api.example.com', '*.example.com'] as const;
const REQUEST_HOSTS = [undefined, 'api.example.com', 'x.example.com:8080'] as const;
const METHODS = ['GET', 'POST', 'DELETE', 'PURGE'] as const;

/** Raw (wire) routes and backends that random edits change, add and remove; each edit makes new objects. */
class Configuration {
  private routeCount = 0;
  private backendCount = 0;
  routes: Record<string, unknown>[] = [];
  backends: Record<string, unknown>[] = [];

  constructor(
    private readonly next: () => number,
    routes: number,
    backends: number,
  ) {
    for (let n = 0; n < backends; n++) this.backends.push(this.newBackend());
    for (let n = 0; n < routes; n++) this.routes.push(this.newRoute());
  }

  edit(): string {
    const roll = this.pick(12);
    if (roll === 0) {
      this.routes.push(this.newRoute());
      return 'route added';
    }
    if (roll === 1 && this.routes.length > 1) {
      this.routes.splice(this.pick(this.routes.length), 1);
      return 'route removed';
    }
    if (roll === 2) {
      this.backends.push(this.newBackend());
      return 'backend added';
    }
    if (roll === 3 && this.backends.length > 10) {
      const [gone] = this.backends.splice(this.pick(this.backends.length), 1);
      const goneId = gone!.backendId as string;
      // Routes on it lose it (or move to another), as the control plane would have them before the removal.
      this.routes = this.routes.map((route) =>
        (route.backendIds as string[]).includes(goneId) ||
        ((route.trafficSplit as { canary: { backendIds: string[] } } | null)?.canary.backendIds ?? []).includes(goneId)
          ? this.routeOn(route, this.backendIdsFor(route.routeId as string))
          : route,
      );
      return 'backend removed';
    }
    if (roll <= 7) {
      const index = this.pick(this.routes.length);
      this.routes[index] = this.changedRoute(this.routes[index]!);
      return 'route changed';
    }
    const index = this.pick(this.backends.length);
    const backend = this.backends[index]!;
    const changes: Array<Record<string, unknown>> = [
      { isEnabled: !(backend.isEnabled as boolean) },
      { weight: this.pick(3) * 50 },
      { name: `${backend.backendId as string}-${this.pick(1000)}` },
      { healthStatus: ['Healthy', 'Unhealthy', 'Draining', 'Degraded'][this.pick(4)] },
      { url: `http://127.0.0.1:${9000 + this.pick(5)}/${backend.backendId as string}` },
      { timeouts: this.pick(2) === 0 ? null : { connectMs: 100 + this.pick(100), readMs: 1000 } },
    ];
    this.backends[index] = { ...backend, ...changes[this.pick(changes.length)] };
    return 'backend changed';
  }

  private pick(count: number): number {
    return Math.floor(this.next() * count);
  }

  private newBackend(): Record<string, unknown> {
    const id = `b${this.backendCount++}`;
    return {
      backendId: id,
      name: id,
      url: `http://127.0.0.1:${9000 + this.pick(3)}/${id}`,
      weight: this.pick(3) * 50,
      isEnabled: this.pick(8) !== 0,
      healthStatus: this.pick(5) === 0 ? 'Unhealthy' : 'Healthy',
      connectionPool: this.pick(4) === 0 ? { maxConnections: 10, maxIdleConnections: 5, idleTimeoutMs: 1000 } : null,
    };
  }

  /** 1 to 4 backends, drawn from a small pool so that routes share them (breaker policies then compete). */
  private backendIdsFor(routeId: string): string[] {
    const count = 1 + this.pick(4);
    const pool = this.backends.slice(0, Math.max(10, Math.floor(this.backends.length / 2)));
    const ids = Array.from({ length: count }, () => pool[this.pick(pool.length)]!.backendId as string);
    if (routeId.endsWith('7')) ids.push(this.backends[this.pick(this.backends.length)]!.backendId as string);
    return [...new Set(ids)];
  }

  private newRoute(): Record<string, unknown> {
    const n = this.routeCount++;
    const routeId = `r${n}`;
    // The first routes share patterns (distinct priorities): the router's precedence is exercised across them.
    const pathPattern =
      n < 40 ? ['/shared/**', '/shared/{id}', '/shared/*/x'][n % 3] : `/r${n}/${['**', '{id}', '*/y'][n % 3]}`;
    return this.routeOn(
      { routeId, name: routeId, pathPattern, priority: n < 40 ? n : this.pick(3) },
      this.backendIdsFor(routeId),
    );
  }

  private changedRoute(route: Record<string, unknown>): Record<string, unknown> {
    const changes: Array<() => Record<string, unknown>> = [
      () => ({ timeoutSeconds: 1 + this.pick(30) }),
      () => ({ isEnabled: !(route.isEnabled as boolean) }),
      () => ({ circuitBreaker: BREAKERS[this.pick(BREAKERS.length)] }),
      () => ({ methods: this.pick(2) === 0 ? [] : ['GET', 'POST'] }),
      () => ({ host: HOSTS[this.pick(HOSTS.length)] }),
      () => ({ stripPrefix: !(route.stripPrefix as boolean) }),
      () => ({ rateLimit: this.rateLimit() }),
      () => ({ trafficSplit: this.trafficSplit(route.routeId as string) }),
    ];
    const change = changes[this.pick(changes.length)]!();
    if (this.pick(3) === 0) return this.routeOn({ ...route, ...change }, this.backendIdsFor(route.routeId as string));
    return { ...route, ...change };
  }

  /** The route on `backendIds`, with a strategy (and a HeaderBased config valid for them). */
  private routeOn(route: Record<string, unknown>, backendIds: string[]): Record<string, unknown> {
    const strategy = STRATEGIES[this.pick(STRATEGIES.length)]!;
    return {
      isEnabled: this.pick(8) !== 0,
      circuitBreaker: BREAKERS[this.pick(BREAKERS.length)],
      rateLimit: this.pick(4) === 0 ? this.rateLimit() : null,
      retryPolicy: this.pick(2) === 0 ? null : { maxAttempts: 1 + this.pick(3), retryOnStatus: [502] },
      transformations:
        this.pick(3) === 0
          ? { request: { addHeaders: { 'X-Gen': `${this.pick(3)}` } }, response: { removeHeaders: ['Server'] } }
          : null,
      ...route,
      backendIds,
      ...this.strategyFor(strategy, backendIds),
      trafficSplit: this.pick(6) === 0 ? this.trafficSplit(route.routeId as string) : null,
    };
  }

  private strategyFor(strategy: (typeof STRATEGIES)[number], backendIds: string[]): Record<string, unknown> {
    if (strategy !== 'HeaderBased') return { strategy, strategyConfig: null };
    return {
      strategy,
      strategyConfig: {
        headerName: 'X-Shard',
        routingRules: Object.fromEntries(backendIds.map((id, index) => [`s${index}`, id])),
        defaultBackend: backendIds[backendIds.length - 1],
      },
    };
  }

  private rateLimit(): Record<string, unknown> {
    return { limit: 1 + this.pick(100), window: 'minute', policy: this.pick(2) === 0 ? 'local' : 'redis' };
  }

  private trafficSplit(routeId: string): Record<string, unknown> | null {
    if (this.pick(3) === 0) return null;
    const backendIds = this.backendIdsFor(routeId);
    const strategy = (['Canary', 'BlueGreen', 'Rolling'] as const)[this.pick(3)]!;
    return {
      deploymentId: `d-${routeId}-${this.pick(100)}`,
      strategy,
      canaryPercentage: this.pick(101),
      rolloutDataPlaneIds: strategy !== 'Rolling' ? [] : this.pick(2) === 0 ? [DATA_PLANE_ID] : ['dp-other'],
      canary: {
        backendIds,
        ...this.strategyFor(STRATEGIES[this.pick(STRATEGIES.length)]!, backendIds),
        timeoutSeconds: 1 + this.pick(10),
        circuitBreaker: BREAKERS[this.pick(BREAKERS.length)],
        version: '2.0',
      },
    };
  }
}

/** Everything of a balancer fixed by the configuration (not its positions or counters), as plain data. */
function balancerShape(balancer: Balancer<ProxyTarget>): unknown {
  const fields = balancer as unknown as Record<string, unknown>;
  const ring = fields.ring as Record<string, unknown> | undefined;
  const header = fields.header as { name: string; rules: Map<string, number>; defaultIndex: number } | undefined;
  return {
    strategy: balancer.strategy,
    size: balancer.size,
    usesBreaker: fields.usesBreaker,
    header: header && { ...header, rules: [...header.rules] },
    // As text: Jest compares typed arrays element by element, slowly.
    ring:
      ring && [ring.points, ring.owners].map((array) => Buffer.from((array as Uint32Array).buffer).toString('base64')),
    targets: (fields.targets as ProxyTarget[]).map((target) => target.backendId),
  };
}

function stateShape(state: BackendState): unknown {
  return {
    backendId: state.backendId,
    config: state.config,
    isUsable: state.isUsable,
    breaker: state.breaker?.policyKey ?? null,
    view: state.view(),
  };
}

/** As JSON: Jest compares large nested objects slowly, and one line per route reads well in a diff. */
function asText(value: unknown): string {
  return JSON.stringify(value);
}

function targetShape(target: ProxyTarget): unknown {
  return {
    backendId: target.backendId,
    backendName: target.backendName,
    weight: target.weight,
    basePath: target.basePath,
    connectTimeoutMs: target.connectTimeoutMs,
    readTimeoutMs: target.readTimeoutMs,
    usesBreaker: target.usesBreaker,
    endpoint: target.endpoint,
    url: (target.options.target as URL).href,
    state: { isUsable: target.state.isUsable, breaker: target.state.breaker?.policyKey ?? null },
  };
}

function routeShape(route: CompiledRoute): unknown {
  const samplePath = `/${route.routeId}/a/b`;
  const split = route.split as unknown as Record<string, unknown> | undefined;
  return {
    routeId: route.routeId,
    name: route.name,
    priority: route.priority,
    metricLabel: route.metricLabel,
    variant: route.variant,
    timeoutMs: route.timeoutMs,
    rewritten: [route.pathRewriter.rewrite(samplePath), route.pathRewriter.rewrite('/shared/1/x')],
    targets: route.targets.map(targetShape),
    balancer: balancerShape(route.balancer),
    retry: route.retry && { ...route.retry, methods: [...route.retry.methods] },
    requestHeaders: route.requestHeaders,
    responseHeaders: route.responseHeaders,
    rateLimiter: route.rateLimiter && {
      policy: route.rateLimiter.policy,
      limitHeader: route.rateLimiter.limitHeader,
      failOpen: route.rateLimiter.failOpen,
    },
    split: route.split && {
      options: split?.options,
      stable: routeShape({ ...route.split.stable, split: undefined }),
      canary: routeShape(route.split.canary),
      preview: routeShape(route.split.preview),
    },
  };
}

/** Which route and variant serve each sample request, and the methods a path allows. */
function routingOf(compiled: CompiledSnapshot, paths: readonly string[]): unknown[] {
  const decisions: unknown[] = [];
  for (const host of REQUEST_HOSTS) {
    for (const path of paths) {
      const matched = METHODS.map((method) => {
        const route = compiled.router.match(host, method, path);
        return route && `${route.routeId}:${route.variant}`;
      });
      decisions.push({ host, path, matched, allowed: compiled.router.allowedMethods(host, path) });
    }
  }
  return decisions;
}

const rateLimiters = () =>
  new RateLimiterCompiler({
    store: undefined,
    localMaxKeys: 100,
    tallies: { rejections: () => ({ inc() {} }), storeErrors: () => ({ inc() {} }) },
  });

function compiledOrThrow(result: ReturnType<SnapshotCompiler['compile']>): CompiledSnapshot {
  if (!result.ok) throw new Error(formatIssues(result.issues).join('\n'));
  return result.compiled;
}

describe('an incremental compilation (only what changed is compiled again)', () => {
  it('equals a compilation from scratch after every random change of routes, backends, breakers, splits and limits', () => {
    const next = seededRandom(20_261_127);
    const configuration = new Configuration(next, 120, 240);
    const validator = new SnapshotValidator();
    const states = new BackendStateRegistry();
    const compiler = new SnapshotCompiler(states, { maxRoutes: 1000, dataPlaneId: DATA_PLANE_ID }, rateLimiters());
    const scratchRegistries: BackendStateRegistry[] = [];
    let previous: CompiledSnapshot | undefined;
    let counts = { steps: 0, routesKept: 0, routesCompiled: 0, warnings: 0, splits: 0 };
    const edits = new Map<string, number>();
    try {
      for (let version = 1; version <= 80; version++) {
        const editCount = version === 1 ? 0 : 1 + Math.floor(next() * 4);
        for (let n = 0; n < editCount; n++) {
          const edit = configuration.edit();
          edits.set(edit, (edits.get(edit) ?? 0) + 1);
        }
        const wireOf = (routes: Record<string, unknown>[], backends: Record<string, unknown>[]): unknown => {
          const built = aSnapshot(
            {
              routes: routes.map((route) => routeConfigSchema.parse(route)),
              backends: backends.map((backend) => backendConfigSchema.parse(backend)),
            },
            { version },
          );
          return JSON.parse(JSON.stringify(built));
        };
        const validatedOrThrow = (wire: unknown, isFull: boolean): ConfigSnapshot => {
          const validated = isFull ? validateSnapshot(wire) : validator.validate(wire);
          if (!validated.ok) throw new Error(formatIssues(validated.issues).join('\n'));
          return validated.value;
        };

        // Now and then another snapshot is compiled first and dropped (a refused fan-out): the next compilation
        // starts from the active one again.
        if (previous !== undefined && version % 11 === 0) {
          const droppedRoute = {
            routeId: 'dropped',
            name: 'dropped',
            pathPattern: '/dropped/**',
            backendIds: ['dropped', ...configuration.backends.slice(0, 20).map((backend) => backend.backendId)],
            circuitBreaker: { failureThreshold: 7 },
          };
          const dropped = validatedOrThrow(
            wireOf(
              [droppedRoute, ...configuration.routes],
              [...configuration.backends, { backendId: 'dropped', name: 'dropped', url: 'http://127.0.0.1:9/' }],
            ),
            false,
          );
          compiledOrThrow(compiler.compile(dropped, previous));
        }
        // Now and then a full validation (new objects for everything) instead of the remembering one.
        const snapshot = validatedOrThrow(wireOf(configuration.routes, configuration.backends), version % 17 === 0);
        const compiled = compiledOrThrow(compiler.compile(snapshot, previous));
        compiled.backendStates.commit();
        const scratchStates = new BackendStateRegistry();
        scratchRegistries.push(scratchStates);
        const scratch = compiledOrThrow(
          new SnapshotCompiler(scratchStates, { maxRoutes: 1000, dataPlaneId: DATA_PLANE_ID }, rateLimiters()).compile(
            snapshot,
          ),
        );
        scratch.backendStates.commit();

        expect(compiled.warnings).toEqual(scratch.warnings);
        expect([...compiled.routes.keys()]).toEqual([...scratch.routes.keys()]);
        const shapes = (of: CompiledSnapshot) => [...of.routes.values()].map((route) => asText(routeShape(route)));
        expect(shapes(compiled)).toEqual(shapes(scratch));
        const paths = ['/shared/1', '/shared/1/x', '/shared/1/x/y', '/nothing'];
        for (const route of snapshot.routes) paths.push(`/${route.routeId}/a`, `/${route.routeId}/a/y`);
        expect(compiled.router.size).toBe(scratch.router.size);
        expect(routingOf(compiled, paths)).toEqual(routingOf(scratch, paths));
        const views = (registry: BackendStateRegistry) =>
          snapshot.backends.map((backend) => {
            const state = registry.get(backend.backendId);
            return state === undefined ? 'none' : asText(stateShape(state));
          });
        expect(states.size).toBe(scratchStates.size);
        expect(views(states)).toEqual(views(scratchStates));

        // What did not change is kept as it was: the very compiled route (balancer included).
        if (previous !== undefined && version % 17 !== 0 && (version - 1) % 17 !== 0 && version % 11 !== 0) {
          const backendsBefore = new Map(previous.snapshot.backends.map((backend) => [backend.backendId, backend]));
          const routesBefore = new Map(previous.snapshot.routes.map((route) => [route.routeId, route]));
          const backendsNow = new Map(snapshot.backends.map((backend) => [backend.backendId, backend]));
          const isSame = (id: string) => backendsBefore.get(id) === backendsNow.get(id);
          for (const route of snapshot.routes) {
            const canaryIds = route.trafficSplit?.canary.backendIds ?? [];
            if (!route.isEnabled || routesBefore.get(route.routeId) !== route) continue;
            if (![...route.backendIds, ...canaryIds].every(isSame)) continue;
            expect(compiled.routes.get(route.routeId)).toBe(previous.routes.get(route.routeId));
            counts = { ...counts, routesKept: counts.routesKept + 1 };
          }
          for (const [routeId, route] of compiled.routes) {
            if (route !== previous.routes.get(routeId))
              counts = { ...counts, routesCompiled: counts.routesCompiled + 1 };
          }
        }
        counts = {
          ...counts,
          steps: counts.steps + 1,
          warnings: counts.warnings + compiled.warnings.length,
          splits: counts.splits + [...compiled.routes.values()].filter((route) => route.split !== undefined).length,
        };
        previous = compiled;
        for (const registry of scratchRegistries.splice(0)) registry.destroy();
      }
    } finally {
      states.destroy();
      for (const registry of scratchRegistries) registry.destroy();
    }
    expect(counts.steps).toBe(80);
    // The sequence exercised what it is meant to.
    expect(counts.routesKept).toBeGreaterThan(counts.routesCompiled * 10);
    expect(counts.routesCompiled).toBeGreaterThan(50);
    expect(counts.warnings).toBeGreaterThan(10);
    expect(counts.splits).toBeGreaterThan(10);
    for (const edit of ['route added', 'route removed', 'route changed', 'backend added', 'backend removed']) {
      expect(edits.get(edit) ?? 0).toBeGreaterThan(3);
    }
  });

  it('keeps the states of unchanged backends as they are and changes only the backend that changed', () => {
    const backends: BackendConfig[] = Array.from({ length: 50 }, (_, n) => ({
      backendId: `b${n}`,
      name: `b${n}`,
      url: `http://127.0.0.1:9000/b${n}`,
      weight: 100,
      isEnabled: true,
      healthStatus: 'Healthy',
      healthCheck: null,
      connectionPool: null,
      timeouts: null,
    }));
    const validator = new SnapshotValidator();
    const validated = (content: { routes: unknown[]; backends: BackendConfig[] }, version: number) => {
      const routes = content.routes.map((route) => routeConfigSchema.parse(route));
      const built = aSnapshot({ routes, backends: content.backends }, { version });
      const result = validator.validate(JSON.parse(JSON.stringify(built)));
      if (!result.ok) throw new Error(formatIssues(result.issues).join('\n'));
      return result.value;
    };
    const routes = Array.from({ length: 25 }, (_, n) => ({
      routeId: `r${n}`,
      name: `r${n}`,
      pathPattern: `/r${n}/**`,
      backendIds: [`b${2 * n}`, `b${2 * n + 1}`],
    }));
    const states = new BackendStateRegistry();
    const compiler = new SnapshotCompiler(states, { maxRoutes: 100 }, rateLimiters());
    try {
      const first = compiledOrThrow(compiler.compile(validated({ routes, backends }, 1)));
      first.backendStates.commit();
      const before = new Map(backends.map((backend) => [backend.backendId, states.get(backend.backendId)!]));
      states.setHealth('b7', 'Unhealthy');
      states.forceBreaker('b4', 'open');
      before.get('b3')!.totalRequests = 12;

      const moved = backends.map((backend) =>
        backend.backendId === 'b4' ? { ...backend, url: 'http://127.0.0.1:9001/b4' } : backend,
      );
      const second = compiledOrThrow(compiler.compile(validated({ routes, backends: moved }, 2), first));
      second.backendStates.commit();

      expect(states.get('b4')).not.toBe(before.get('b4'));
      expect(states.get('b4')!.view()).toMatchObject({ breakerOverride: 'open', isAvailable: false });
      expect(second.routes.get('r2')).not.toBe(first.routes.get('r2'));
      expect(second.routes.get('r2')!.targets.map((target) => target.state)).toEqual([
        states.get('b4'),
        before.get('b5'),
      ]);
      for (const [backendId, state] of before) if (backendId !== 'b4') expect(states.get(backendId)).toBe(state);
      for (const routeId of ['r0', 'r1', 'r3', 'r24'])
        expect(second.routes.get(routeId)).toBe(first.routes.get(routeId));
      expect(states.get('b7')!.isUsable).toBe(false);
      expect(states.get('b3')!.totalRequests).toBe(12);
      expect(before.get('b4')!.agent.maxFreeSockets).toBe(0);
    } finally {
      states.destroy();
    }
  });
});
