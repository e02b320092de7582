import {
  deepFreeze,
  parsePathPattern,
  retryPolicySchema,
  SNAPSHOT_SCHEMA_VERSION,
  type BackendConfig,
  type ConfigSnapshot,
  type ParsedPathPattern,
  type PathSegment,
  type RetryPolicy,
  type RouteConfig,
  type ValidationIssue,
} from '@hotswap/config-snapshot';
import type { BackendState, BackendStateRegistry, BackendStatesSwap } from '../proxy/backend-states';
import { createBalancer, type BalancerOptions } from '../proxy/balancer';
import { breakerPolicyKey, DEFAULT_BREAKER_POLICY, type BreakerPolicy } from '../proxy/circuit-breaker';
import { ConsistentHashRing } from '../proxy/consistent-hash';
import { compileHeaderTemplate, type HeaderTemplate } from '../proxy/header-template';
import { createPathRewriter, type PathRewriter } from '../proxy/path-rewrite';
import type { RateLimiterCompiler, RouteRateLimiter } from '../proxy/rate-limit/route-rate-limiter';
import { RouterBuilder, type RouteMatchSpec } from '../proxy/router';
import { TrafficSplitter, type RouteVariant } from '../proxy/traffic-split';
import type {
  CompiledRetryPolicy,
  CompiledRoute,
  CompiledSnapshot,
  BackendEndpoint,
  ForwardOptions,
  HeaderTransform,
  ProxyTarget,
} from './compiled-snapshot';

/** What a route's pattern compiles to, independent of the rest of the snapshot. */
interface RouteParts {
  readonly pattern: ParsedPathPattern;
  readonly rewriter: PathRewriter;
  /** With a deployment in flight: its version's rewriter. */
  readonly canaryRewriter: PathRewriter | undefined;
}

export type CompileResult = { ok: true; compiled: CompiledSnapshot } | { ok: false; issues: ValidationIssue[] };

export interface CompilerLimits {
  /** GATEWAY_MAX_ROUTES: a snapshot with more routes is refused. */
  readonly maxRoutes: number;
  /** This data plane's id: a Rolling deployment serves its new version on the data planes it lists. */
  readonly dataPlaneId?: string;
}

/** Request bodies up to this size are kept so that a retry can replay them (retryable methods, retry policy). */
export const MAX_REPLAY_BODY_BYTES = 64 * 1024;

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_READ_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_POLICY: RetryPolicy = deepFreeze(retryPolicySchema.parse({}));

/** One enabled route (or its deployment's new version) routing to a backend; kept per backend id. */
interface BackendUse {
  readonly routeId: string;
  /** 0: the route's own forwarding; 1: its in-flight deployment's new version. */
  readonly variant: 0 | 1;
  /** Position of the backend in that version's backendIds. */
  readonly index: number;
  readonly circuitBreaker: RouteConfig['circuitBreaker'];
}

/** What the compiler keeps of the snapshot it compiled last, to compile the next one from what changed. */
interface CompileIndex {
  readonly compiled: CompiledSnapshot;
  readonly backendsById: Map<string, BackendConfig>;
  /** By backend id (present in the snapshot or not): the uses of it, in no particular order; never empty. */
  readonly usesByBackend: Map<string, BackendUse[]>;
  /** Backends whose routes configure different breakers: the use where the first disagreement is. */
  readonly conflicts: Map<string, BackendUse>;
}

/** An entity of the new snapshot that is not the very (frozen) object of the previous one, or is gone. */
interface Change<T> {
  readonly before: T | undefined;
  readonly after: T | undefined;
  /** Where `after` is in the new snapshot's list (-1: gone). */
  readonly position: number;
}

/** What a compilation from the previous snapshot starts from. */
interface CompileBase {
  readonly index: CompileIndex;
  readonly states: BackendStatesSwap;
  readonly routeChanges: ReadonlyMap<string, Change<RouteConfig>>;
  readonly backendChanges: ReadonlyMap<string, Change<BackendConfig>>;
}

/**
 * Compiles a validated snapshot into what the hot path reads: the router, and per route its backends (with their
 * live state from the BackendStateRegistry), balancer, path rewriter, timeouts, retry policy, header transforms
 * with precompiled templates and rate limiter. Refuses (with every reason) what this data plane cannot apply beyond schema
 * validation: a newer schema, more routes than GATEWAY_MAX_ROUTES, a rewrite pattern this JavaScript engine does
 * not compile. Runs once per snapshot, off the hot path; the backend states it prepares become live only when the
 * applier commits them, right after the swap.
 *
 * Given the active compiled snapshot (`previous`, the last one this compiler made, its backend states live), it
 * compiles only what changed: routes and backends are compared by identity (the validator hands over the same
 * frozen object for each unchanged one), routes that are not the same object or route to a backend that is not are
 * compiled again, the others are kept as they are (balancer included), and only the backends changed, added,
 * removed or whose breaker a changed route may decide go through the backend state swap. The result equals a
 * compilation from scratch; anything it cannot vouch for (another base, reordered routes, a quarter of the
 * snapshot changed) is compiled from scratch.
 */
export class SnapshotCompiler {
  private readonly targets = new ProxyTargets();
  private readonly routeParts = new WeakMap<RouteConfig, RouteParts>();
  private index: CompileIndex | undefined;

  constructor(
    private readonly backendStates: BackendStateRegistry,
    private readonly limits: CompilerLimits,
    private readonly rateLimiters: RateLimiterCompiler,
  ) {}

  compile(snapshot: ConfigSnapshot, previous?: CompiledSnapshot): CompileResult {
    const issues = this.checkLimits(snapshot);
    if (issues.length > 0) return { ok: false, issues };
    const base = previous === undefined ? undefined : this.baseFor(snapshot, previous);
    if (previous !== undefined && base !== undefined) {
      // The routes kept are the very objects the base compiled: only the changed ones can fail.
      for (const { after, position } of base.routeChanges.values()) {
        if (after !== undefined) this.partsOf(after, position, issues);
      }
      if (issues.length > 0) return { ok: false, issues };
      return { ok: true, compiled: this.compileChanges(snapshot, previous, base) };
    }
    const parts = snapshot.routes.map((route, index) => this.partsOf(route, index, issues));
    if (issues.length > 0) return { ok: false, issues };
    return { ok: true, compiled: this.compileAll(snapshot, parts as RouteParts[], previous) };
  }

  private compileAll(
    snapshot: ConfigSnapshot,
    parts: readonly RouteParts[],
    previous: CompiledSnapshot | undefined,
  ): CompiledSnapshot {
    const backendsById = new Map(snapshot.backends.map((backend) => [backend.backendId, backend]));
    const warnings: string[] = [];
    const rateLimiters = this.rateLimiters.compile(snapshot.routes, previous?.routes, warnings);
    const breakers = resolveBreakerPolicies(snapshot.routes, warnings);
    const states = this.backendStates.beginSwap();
    const compilation = new RouteCompilation(
      this.targets,
      states,
      backendsById,
      rateLimiters,
      this.limits.dataPlaneId,
      (id) => breakers.policies.get(id) ?? null,
    );
    const usesByBackend = new Map<string, BackendUse[]>();
    const builder = new RouterBuilder<CompiledRoute>();
    const routes = new Map<string, CompiledRoute>();
    snapshot.routes.forEach((route, index) => {
      if (!route.isEnabled) return;
      const part = parts[index] as RouteParts;
      const compiled = compilation.route(route, part, previous?.routes.get(route.routeId));
      routes.set(route.routeId, compiled);
      builder.add(matchSpecOf(route, part.pattern.segments), compiled);
      addUses(usesByBackend, route);
    });
    const compiled: CompiledSnapshot = Object.freeze({
      snapshot,
      router: builder.build(),
      routes,
      backendStates: states,
      warnings,
    });
    this.index = { compiled, backendsById, usesByBackend, conflicts: breakers.conflicts };
    return compiled;
  }

  /** `undefined` when `snapshot` is to be compiled from scratch. */
  private baseFor(snapshot: ConfigSnapshot, previous: CompiledSnapshot): CompileBase | undefined {
    const index = this.index;
    if (index?.compiled !== previous) return undefined;
    const routeChanges = changesBetween(previous.snapshot.routes, snapshot.routes, (route) => route.routeId, true);
    if (routeChanges === undefined) return undefined;
    const backendChanges = changesBetween(
      previous.snapshot.backends,
      snapshot.backends,
      (backend) => backend.backendId,
      false,
    );
    if (backendChanges === undefined) return undefined;
    const entities = snapshot.routes.length + snapshot.backends.length;
    if ((routeChanges.size + backendChanges.size) * 4 > entities) return undefined;
    const states = this.backendStates.beginSwapFrom(previous.backendStates);
    return states === undefined ? undefined : { index, states, routeChanges, backendChanges };
  }

  /** Updates the index to `snapshot` and compiles what it changes; see the class comment. */
  private compileChanges(snapshot: ConfigSnapshot, previous: CompiledSnapshot, base: CompileBase): CompiledSnapshot {
    const { index, states, routeChanges, backendChanges } = base;
    const { backendsById, usesByBackend, conflicts } = index;
    let positionsById: Map<string, number> | undefined;
    const positions = (): ReadonlyMap<string, number> => {
      if (positionsById === undefined) {
        const byId = new Map<string, number>();
        snapshot.routes.forEach((route, position) => byId.set(route.routeId, position));
        positionsById = byId;
      }
      return positionsById;
    };

    // Backends whose state, breaker or use may differ: the changed ones, and those a changed route routed or routes to.
    const affected = new Set<string>(backendChanges.keys());
    for (const [backendId, { after }] of backendChanges) {
      if (after === undefined) backendsById.delete(backendId);
      else backendsById.set(backendId, after);
    }
    for (const { before, after } of routeChanges.values()) {
      if (before?.isEnabled === true)
        for (const backendId of removeUses(usesByBackend, before)) affected.add(backendId);
      if (after?.isEnabled === true) for (const backendId of addUses(usesByBackend, after)) affected.add(backendId);
    }
    const recompiled = new Set<string>();
    for (const [routeId, { after }] of routeChanges) if (after?.isEnabled === true) recompiled.add(routeId);
    for (const backendId of backendChanges.keys()) {
      for (const use of usesByBackend.get(backendId) ?? []) recompiled.add(use.routeId);
    }

    const policies = new Map<string, BreakerPolicy | null>();
    for (const backendId of affected) {
      const resolved = resolveBreakerPolicy(usesByBackend.get(backendId), positions);
      policies.set(backendId, resolved.policy);
      if (resolved.conflict === undefined) conflicts.delete(backendId);
      else conflicts.set(backendId, resolved.conflict);
    }
    const policyOf = (backendId: string): BreakerPolicy | null => {
      let policy = policies.get(backendId);
      if (policy === undefined) {
        policy = resolveBreakerPolicy(usesByBackend.get(backendId), positions).policy;
        policies.set(backendId, policy);
      }
      return policy;
    };

    const warnings: string[] = [];
    const rateLimiters = this.rateLimiters.compile(
      snapshot.routes,
      previous.routes,
      warnings,
      (route) => !recompiled.has(route.routeId),
    );
    for (const backendId of orderedConflicts(conflicts, positions)) warnings.push(conflictWarning(backendId));

    const compilation = new RouteCompilation(
      this.targets,
      states,
      backendsById,
      rateLimiters,
      this.limits.dataPlaneId,
      policyOf,
    );
    // The router keeps the routes kept; the others are taken out (all before any is put back) and put back.
    const builder = previous.router.edit();
    for (const { before } of routeChanges.values()) {
      if (before?.isEnabled === true) builder.remove(matchSpecOf(before, this.segmentsOf(before)));
    }
    const routes = new Map<string, CompiledRoute>();
    snapshot.routes.forEach((route, position) => {
      if (!route.isEnabled) return;
      const before = previous.routes.get(route.routeId);
      if (!recompiled.has(route.routeId) && before !== undefined) {
        routes.set(route.routeId, before);
        return;
      }
      const part = this.partsOf(route, position, []) as RouteParts;
      const spec = matchSpecOf(route, part.pattern.segments);
      if (before !== undefined && !routeChanges.has(route.routeId)) builder.remove(spec);
      const compiled = compilation.route(route, part, before);
      routes.set(route.routeId, compiled);
      builder.add(spec, compiled);
    });
    for (const backendId of affected) {
      const backend = backendsById.get(backendId);
      if (backend !== undefined && usesByBackend.has(backendId)) states.use(backend, policyOf(backendId));
      else states.release(backendId);
    }

    const compiled: CompiledSnapshot = Object.freeze({
      snapshot,
      router: builder.build(),
      routes,
      backendStates: states,
      warnings,
    });
    this.index = { ...index, compiled };
    return compiled;
  }

  /**
   * A route's parsed pattern and path rewriters (its own and its deployment's), or `undefined` with the issues
   * added. Kept per route object: the validator hands over the same frozen object while a route is unchanged.
   */
  private partsOf(route: RouteConfig, index: number, issues: ValidationIssue[]): RouteParts | undefined {
    const known = this.routeParts.get(route);
    if (known !== undefined) return known;
    const parsed = parsePathPattern(route.pathPattern);
    if (!parsed.ok) {
      issues.push({ path: `routes[${index}].pathPattern`, message: parsed.reason });
      return undefined;
    }
    const rewriterOf = (
      forwarding: Pick<RouteConfig, 'stripPrefix' | 'transformations'>,
      at: string,
    ): PathRewriter | undefined => {
      try {
        return createPathRewriter(parsed.value, {
          stripPrefix: forwarding.stripPrefix,
          rewritePath: forwarding.transformations?.request.rewritePath ?? null,
        });
      } catch (error) {
        issues.push({
          path: `${at}.transformations.request.rewritePath.pattern`,
          message: `does not compile here: ${(error as Error).message}`,
        });
        return undefined;
      }
    };
    const rewriter = rewriterOf(route, `routes[${index}]`);
    const split = route.trafficSplit;
    const canaryRewriter =
      split === null ? undefined : rewriterOf(split.canary, `routes[${index}].trafficSplit.canary`);
    if (rewriter === undefined || (split !== null && canaryRewriter === undefined)) return undefined;
    const part: RouteParts = { pattern: parsed.value, rewriter, canaryRewriter };
    // Snapshots from the validator and from buildSnapshot are deep-frozen; anything else is not kept.
    if (Object.isFrozen(route)) this.routeParts.set(route, part);
    return part;
  }

  /** The path segments a route of an earlier snapshot (compiled then, so its pattern parses) was placed with. */
  private segmentsOf(route: RouteConfig): readonly PathSegment[] {
    const known = this.routeParts.get(route);
    if (known !== undefined) return known.pattern.segments;
    const parsed = parsePathPattern(route.pathPattern);
    return parsed.ok ? parsed.value.segments : [];
  }

  private checkLimits(snapshot: ConfigSnapshot): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    if (snapshot.schemaVersion > SNAPSHOT_SCHEMA_VERSION) {
      issues.push({
        path: 'schemaVersion',
        message: `schema ${snapshot.schemaVersion} is newer than this data plane understands (${SNAPSHOT_SCHEMA_VERSION})`,
      });
    }
    if (snapshot.routes.length > this.limits.maxRoutes) {
      issues.push({
        path: 'routes',
        message: `${snapshot.routes.length} routes exceed this data plane's limit of ${this.limits.maxRoutes} (GATEWAY_MAX_ROUTES)`,
      });
    }
    return issues;
  }
}

/**
 * Compiles routes of one snapshot against its backend state swap. Proxy targets and hash rings are shared by the
 * routes compiled with one instance: by backend and breaker use, and by backend list.
 */
class RouteCompilation {
  // Indexed by usesBreaker, then backend id.
  private readonly proxyTargets = [new Map<string, ProxyTarget>(), new Map<string, ProxyTarget>()] as const;
  private readonly rings = new Map<string, ConsistentHashRing>();

  constructor(
    private readonly targets: ProxyTargets,
    private readonly states: BackendStatesSwap,
    private readonly backendsById: ReadonlyMap<string, BackendConfig>,
    private readonly rateLimiters: ReadonlyMap<string, RouteRateLimiter>,
    private readonly dataPlaneId: string | undefined,
    private readonly policyOf: (backendId: string) => BreakerPolicy | null,
  ) {}

  /** `before`: the same route in the snapshot being replaced (its balancers' positions carry over). */
  route(route: RouteConfig, parts: RouteParts, before: CompiledRoute | undefined): CompiledRoute {
    const trafficSplit = route.trafficSplit;
    const canaryRewriter = parts.canaryRewriter;
    if (trafficSplit === null || canaryRewriter === undefined) {
      return this.variant(route, parts.rewriter, 'stable', before?.balancer);
    }
    const canaryRoute = { ...route, ...trafficSplit.canary };
    const canary = this.variant(canaryRoute, canaryRewriter, 'canary', before?.split?.canary.balancer);
    const preview: CompiledRoute = Object.freeze({ ...canary, variant: 'preview' });
    const isRolledOut = trafficSplit.rolloutDataPlaneIds.includes(this.dataPlaneId ?? '');
    const splitter = new TrafficSplitter<CompiledRoute>(
      this.variant(route, parts.rewriter, 'stable', before?.split?.stable.balancer ?? before?.balancer),
      canary,
      preview,
      {
        pinHeader: trafficSplit.pinHeader.toLowerCase(),
        previewHeader: trafficSplit.strategy === 'BlueGreen' ? trafficSplit.previewHeader.toLowerCase() : undefined,
        canaryPercentage: trafficSplit.strategy === 'Rolling' ? (isRolledOut ? 100 : 0) : trafficSplit.canaryPercentage,
      },
    );
    // The router holds a stable twin carrying the split; the handler swaps in the variant the split picks.
    return Object.freeze({ ...splitter.stable, split: splitter });
  }

  private variant(
    route: RouteConfig,
    pathRewriter: PathRewriter,
    variant: RouteVariant,
    previousBalancer: CompiledRoute['balancer'] | undefined,
  ): CompiledRoute {
    const usesBreaker = route.circuitBreaker?.enabled ?? true;
    const targets: ProxyTarget[] = [];
    for (const backendId of route.backendIds) {
      const backend = this.backendsById.get(backendId);
      if (backend) targets.push(this.targetOf(backend, usesBreaker));
    }
    return Object.freeze({
      routeId: route.routeId,
      name: route.name,
      priority: route.priority,
      metricLabel: route.name,
      variant,
      split: undefined,
      timeoutMs: route.timeoutSeconds * 1000,
      pathRewriter,
      targets,
      balancer: createBalancer(
        route.strategy,
        targets,
        balancerOptions(route, targets, usesBreaker, this.rings),
        previousBalancer,
      ),
      retry: compileRetryPolicy(route.retryPolicy ?? DEFAULT_RETRY_POLICY),
      requestHeaders: headerTransform(route.transformations?.request),
      responseHeaders: headerTransform(route.transformations?.response),
      rateLimiter: this.rateLimiters.get(route.routeId),
    });
  }

  private targetOf(backend: BackendConfig, usesBreaker: boolean): ProxyTarget {
    const byId = this.proxyTargets[usesBreaker ? 1 : 0];
    let target = byId.get(backend.backendId);
    if (target === undefined) {
      const state = this.states.use(backend, this.policyOf(backend.backendId));
      target = this.targets.of(state, backend, usesBreaker);
      byId.set(backend.backendId, target);
    }
    return target;
  }
}

function matchSpecOf(route: RouteConfig, segments: readonly PathSegment[]): RouteMatchSpec {
  return { routeId: route.routeId, host: route.host, segments, methods: route.methods, priority: route.priority };
}

/**
 * The entities of `after` that are not the very frozen object of the same id in `before`, and those of `before`
 * gone from `after`, by id. With `isOrderKept`: `undefined` when the entities in both do not keep their order.
 */
function changesBetween<T extends object>(
  before: readonly T[],
  after: readonly T[],
  idOf: (entity: T) => string,
  isOrderKept: boolean,
): Map<string, Change<T>> | undefined {
  const isSame = (old: T | undefined, next: T) => old === next && Object.isFrozen(next);
  let head = 0;
  const shortest = Math.min(before.length, after.length);
  while (head < shortest && isSame(before[head], after[head] as T)) head++;
  let tail = 0;
  while (tail < shortest - head && isSame(before[before.length - 1 - tail], after[after.length - 1 - tail] as T)) {
    tail++;
  }
  const changes = new Map<string, Change<T>>();
  const gone = new Map<string, T>();
  for (let at = head; at < before.length - tail; at++) gone.set(idOf(before[at] as T), before[at] as T);
  const kept: string[] = [];
  const seen = new Set<string>();
  for (let at = head; at < after.length - tail; at++) {
    const entity = after[at] as T;
    const id = idOf(entity);
    // An id listed twice (not a validated snapshot): compiled from scratch.
    if (seen.has(id)) return undefined;
    seen.add(id);
    const old = gone.get(id);
    gone.delete(id);
    if (isSame(old, entity)) kept.push(id);
    else changes.set(id, { before: old, after: entity, position: at });
  }
  for (const [id, old] of gone) changes.set(id, { before: old, after: undefined, position: -1 });
  if (isOrderKept && kept.length > 0) {
    let next = 0;
    for (let at = head; at < before.length - tail && next < kept.length; at++) {
      const id = idOf(before[at] as T);
      if (changes.has(id)) continue;
      if (id !== kept[next]) return undefined;
      next++;
    }
  }
  return changes;
}

/** The uses of a route (enabled, and its deployment's new version), for each backend id. */
function usesOf(route: RouteConfig): Array<[backendId: string, use: BackendUse]> {
  const uses: Array<[string, BackendUse]> = [];
  withCanaryForwarding(route).forEach((variant, variantIndex) => {
    variant.backendIds.forEach((backendId, index) => {
      uses.push([
        backendId,
        { routeId: route.routeId, variant: variantIndex as 0 | 1, index, circuitBreaker: variant.circuitBreaker },
      ]);
    });
  });
  return uses;
}

/** Adds the route's uses; returns the backend ids it routes to. */
function addUses(usesByBackend: Map<string, BackendUse[]>, route: RouteConfig): string[] {
  const uses = usesOf(route);
  for (const [backendId, use] of uses) {
    const list = usesByBackend.get(backendId);
    if (list === undefined) usesByBackend.set(backendId, [use]);
    else list.push(use);
  }
  return uses.map(([backendId]) => backendId);
}

/** Removes the route's uses; returns the backend ids it routed to. */
function removeUses(usesByBackend: Map<string, BackendUse[]>, route: RouteConfig): string[] {
  const backendIds = usesOf(route).map(([backendId]) => backendId);
  for (const backendId of new Set(backendIds)) {
    const list = usesByBackend.get(backendId)?.filter((use) => use.routeId !== route.routeId) ?? [];
    if (list.length === 0) usesByBackend.delete(backendId);
    else usesByBackend.set(backendId, list);
  }
  return backendIds;
}

/**
 * The proxy targets of each backend state, kept with the state across snapshots: a backend whose state, name,
 * weight and breaker use did not change keeps the same frozen target (its endpoint and http-proxy-3 options: the
 * URL parsed once), so a one-route change does not rebuild 100,000 of them. The options read the state's agent lazily: an
 * agent is made on a backend's first request, not at compile time.
 */
class ProxyTargets {
  private readonly byState = new WeakMap<
    BackendState,
    { options: ForwardOptions; endpoint: BackendEndpoint; targets: [ProxyTarget?, ProxyTarget?] }
  >();

  of(state: BackendState, backend: BackendConfig, usesBreaker: boolean): ProxyTarget {
    let entry = this.byState.get(state);
    if (entry === undefined) {
      const options = forwardOptionsOf(state, backend);
      entry = { options, endpoint: endpointOf(options.target as URL), targets: [] };
      this.byState.set(state, entry);
    }
    const slot = usesBreaker ? 1 : 0;
    const existing = entry.targets[slot];
    if (existing !== undefined && existing.backendName === backend.name && existing.weight === backend.weight) {
      return existing;
    }
    const url = entry.options.target as URL;
    const target: ProxyTarget = Object.freeze({
      backendId: backend.backendId,
      backendName: backend.name,
      weight: backend.weight,
      state,
      basePath: url.pathname.endsWith('/') ? url.pathname.replace(/\/+$/, '') : url.pathname,
      // A state is kept only while URL, pool and timeouts are unchanged: these cannot differ from the state's.
      connectTimeoutMs: backend.timeouts?.connectMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      readTimeoutMs: backend.timeouts?.readMs ?? DEFAULT_READ_TIMEOUT_MS,
      usesBreaker,
      endpoint: entry.endpoint,
      options: entry.options,
    });
    entry.targets[slot] = target;
    return target;
  }
}

function endpointOf(url: URL): BackendEndpoint {
  const isHttps = url.protocol === 'https:';
  const hostname = url.hostname;
  return Object.freeze({
    protocol: isHttps ? 'https:' : 'http:',
    hostname: hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname,
    port: url.port === '' ? (isHttps ? 443 : 80) : Number(url.port),
    host: url.host,
  });
}

/** http-proxy-3's options for WebSocket upgrades to this backend (plain HTTP goes through `endpoint`). */
function forwardOptionsOf(state: BackendState, backend: BackendConfig): ForwardOptions {
  return Object.freeze({
    target: new URL(backend.url),
    get agent() {
      return state.agent;
    },
    changeOrigin: true,
    // The gateway builds the whole path itself (base path + rewritten path + query): no URL parsing.
    prependPath: false,
    toProxy: true,
    xfwd: false,
    ws: true,
  });
}

/**
 * One breaker per backend: its policy is that of the first enabled route (in snapshot order; a route's in-flight
 * deployment's new version right after the route) that routes to it with breakers on (`circuitBreaker` null means
 * the defaults). Routes that disagree are named in a warning, with where the first disagreement is.
 */
function resolveBreakerPolicies(
  routes: readonly RouteConfig[],
  warnings: string[],
): { policies: Map<string, BreakerPolicy>; conflicts: Map<string, BackendUse> } {
  const policies = new Map<string, BreakerPolicy>();
  const conflicts = new Map<string, BackendUse>();
  for (const route of routes) {
    if (!route.isEnabled) continue;
    withCanaryForwarding(route).forEach((variant, variantIndex) => {
      const config = variant.circuitBreaker;
      if (config !== null && !config.enabled) return;
      const policy = breakerPolicyOf(config);
      variant.backendIds.forEach((backendId, index) => {
        const existing = policies.get(backendId);
        if (existing === undefined) policies.set(backendId, policy);
        else if (!conflicts.has(backendId) && breakerPolicyKey(existing) !== breakerPolicyKey(policy)) {
          conflicts.set(backendId, {
            routeId: route.routeId,
            variant: variantIndex as 0 | 1,
            index,
            circuitBreaker: config,
          });
        }
      });
    });
  }
  for (const backendId of conflicts.keys()) warnings.push(conflictWarning(backendId));
  return { policies, conflicts };
}

/** `resolveBreakerPolicies` for one backend, from its uses (positions: each route's index in the snapshot). */
function resolveBreakerPolicy(
  uses: readonly BackendUse[] | undefined,
  positions: () => ReadonlyMap<string, number>,
): { policy: BreakerPolicy | null; conflict: BackendUse | undefined } {
  if (uses === undefined) return { policy: null, conflict: undefined };
  const ordered = uses.length === 1 ? uses : [...uses].sort((a, b) => compareUses(a, b, positions()));
  let policy: BreakerPolicy | undefined;
  let conflict: BackendUse | undefined;
  for (const use of ordered) {
    const config = use.circuitBreaker;
    if (config !== null && !config.enabled) continue;
    const candidate = breakerPolicyOf(config);
    if (policy === undefined) policy = candidate;
    else if (conflict === undefined && breakerPolicyKey(policy) !== breakerPolicyKey(candidate)) conflict = use;
  }
  return { policy: policy ?? null, conflict };
}

/** The conflicting backends in the order `resolveBreakerPolicies` finds them. */
function orderedConflicts(
  conflicts: ReadonlyMap<string, BackendUse>,
  positions: () => ReadonlyMap<string, number>,
): string[] {
  if (conflicts.size < 2) return [...conflicts.keys()];
  return [...conflicts].sort(([, a], [, b]) => compareUses(a, b, positions())).map(([backendId]) => backendId);
}

function compareUses(a: BackendUse, b: BackendUse, positions: ReadonlyMap<string, number>): number {
  return (
    (positions.get(a.routeId) as number) - (positions.get(b.routeId) as number) ||
    a.variant - b.variant ||
    a.index - b.index
  );
}

function breakerPolicyOf(config: RouteConfig['circuitBreaker']): BreakerPolicy {
  return config
    ? {
        failureThreshold: config.failureThreshold,
        openDurationMs: config.openDurationMs,
        successThreshold: config.successThreshold,
      }
    : DEFAULT_BREAKER_POLICY;
}

function conflictWarning(backendId: string): string {
  return `backend ${backendId}: routes configure different circuit breakers; the first route's applies`;
}

/** A route, and with an in-flight deployment also its new version's forwarding config on the same route. */
function withCanaryForwarding(route: RouteConfig): RouteConfig[] {
  return route.trafficSplit === null ? [route] : [route, { ...route, ...route.trafficSplit.canary }];
}

function balancerOptions(
  route: RouteConfig,
  targets: readonly ProxyTarget[],
  usesBreaker: boolean,
  rings: Map<string, ConsistentHashRing>,
): BalancerOptions {
  switch (route.strategy) {
    case 'IPHash': {
      const key = targets.map((target) => target.backendId).join('\n');
      let ring = rings.get(key);
      if (ring === undefined) {
        ring = ConsistentHashRing.of(targets);
        rings.set(key, ring);
      }
      return { usesBreaker, ring };
    }
    case 'HeaderBased': {
      // Validation guarantees headerName and a defaultBackend among the route's backends.
      const config = route.strategyConfig;
      const indexOf = (backendId: string) => targets.findIndex((target) => target.backendId === backendId);
      const rules = new Map<string, number>();
      for (const [value, backendId] of Object.entries(config?.routingRules ?? {})) {
        const index = indexOf(backendId);
        if (index !== -1) rules.set(value, index);
      }
      const name = (config?.headerName ?? '').toLowerCase();
      return { usesBreaker, header: { name, rules, defaultIndex: indexOf(config?.defaultBackend ?? '') } };
    }
    case 'RoundRobin':
    case 'WeightedRoundRobin':
    case 'LeastConnections':
    case 'Direct':
      return { usesBreaker };
  }
}

/** Compiled retry policies by policy object: routes left unchanged keep theirs (and share the default's). */
const compiledRetryPolicies = new WeakMap<RetryPolicy, CompiledRetryPolicy | undefined>();

function compileRetryPolicy(policy: RetryPolicy): CompiledRetryPolicy | undefined {
  if (compiledRetryPolicies.has(policy)) return compiledRetryPolicies.get(policy);
  const compiled = compileRetryPolicyOnce(policy);
  if (Object.isFrozen(policy) && Object.isFrozen(policy.retryOnStatus) && Object.isFrozen(policy.methods))
    compiledRetryPolicies.set(policy, compiled);
  return compiled;
}

function compileRetryPolicyOnce(policy: RetryPolicy): CompiledRetryPolicy | undefined {
  if (policy.maxAttempts <= 1) return undefined;
  const retryOnStatus = Array.from({ length: 100 }, (_, offset) => policy.retryOnStatus.includes(500 + offset));
  return Object.freeze({
    maxAttempts: policy.maxAttempts,
    initialDelayMs: policy.initialDelayMs,
    maxDelayMs: policy.maxDelayMs,
    retryOnStatus: Object.freeze(retryOnStatus),
    retryOnConnectError: policy.retryOnConnectError,
    methods: new Set<string>(policy.methods),
    maxReplayBodyBytes: MAX_REPLAY_BODY_BYTES,
  });
}

function headerTransform(
  config: { addHeaders: Record<string, string>; removeHeaders: string[] } | undefined,
): HeaderTransform | undefined {
  if (!config) return undefined;
  const set = Object.entries(config.addHeaders).map(([name, value]) =>
    Object.freeze<[string, HeaderTemplate]>([name.toLowerCase(), compileHeaderTemplate(value)]),
  );
  const remove = config.removeHeaders.map((name) => name.toLowerCase());
  if (set.length === 0 && remove.length === 0) return undefined;
  return Object.freeze({ set: Object.freeze(set), remove: Object.freeze(remove) });
}

/** Formats issues as the `path: message` reasons of a NACK. */
export function formatIssues(issues: readonly ValidationIssue[]): string[] {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
}
