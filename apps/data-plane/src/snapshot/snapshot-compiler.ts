import {
  deepFreeze,
  parsePathPattern,
  retryPolicySchema,
  SNAPSHOT_SCHEMA_VERSION,
  type BackendConfig,
  type ConfigSnapshot,
  type ParsedPathPattern,
  type RetryPolicy,
  type RouteConfig,
  type ValidationIssue,
} from '@hotswap/config-snapshot';
import type { BackendState, BackendStateRegistry } from '../proxy/backend-states';
import { createBalancer, type BalancerOptions } from '../proxy/balancer';
import { breakerPolicyKey, DEFAULT_BREAKER_POLICY, type BreakerPolicy } from '../proxy/circuit-breaker';
import { ConsistentHashRing } from '../proxy/consistent-hash';
import { compileHeaderTemplate, type HeaderTemplate } from '../proxy/header-template';
import { createPathRewriter, type PathRewriter } from '../proxy/path-rewrite';
import type { RateLimiterCompiler } from '../proxy/rate-limit/route-rate-limiter';
import { RouterBuilder } from '../proxy/router';
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

/**
 * Compiles a validated snapshot into what the hot path reads: the router, and per route its backends (with their
 * live state from the BackendStateRegistry), balancer, path rewriter, timeouts, retry policy, header transforms
 * with precompiled templates and rate limiter. Refuses (with every reason) what this data plane cannot apply beyond schema
 * validation: a newer schema, more routes than GATEWAY_MAX_ROUTES, a rewrite pattern this JavaScript engine does
 * not compile. Runs once per snapshot, off the hot path; the backend states it prepares become live only when the
 * applier commits them, right after the swap.
 */
export class SnapshotCompiler {
  private readonly targets = new ProxyTargets();
  private readonly routeParts = new WeakMap<RouteConfig, RouteParts>();

  constructor(
    private readonly backendStates: BackendStateRegistry,
    private readonly limits: CompilerLimits,
    private readonly rateLimiters: RateLimiterCompiler,
  ) {}

  compile(snapshot: ConfigSnapshot, previous?: CompiledSnapshot): CompileResult {
    const issues = this.checkLimits(snapshot);
    if (issues.length > 0) return { ok: false, issues };

    const parts = snapshot.routes.map((route, index) => this.partsOf(route, index, issues));
    const parsedPatterns = parts.map((part) => part?.pattern);
    const rewriters = parts.map((part) => part?.rewriter);
    const canaryRewriters = parts.map((part) => part?.canaryRewriter);
    if (issues.length > 0) return { ok: false, issues };

    const backendsById = new Map(snapshot.backends.map((backend) => [backend.backendId, backend]));
    const warnings: string[] = [];
    const rateLimiters = this.rateLimiters.compile(snapshot.routes, previous?.routes, warnings);
    const breakerPolicies = resolveBreakerPolicies(snapshot.routes.flatMap(withCanaryForwarding), warnings);
    const states = this.backendStates.beginSwap();
    // Shared by every route with the same backend and breaker use (indexed by usesBreaker, then backend id).
    const proxyTargets = [new Map<string, ProxyTarget>(), new Map<string, ProxyTarget>()] as const;
    const rings = new Map<string, ConsistentHashRing>();
    const targetOf = (backend: BackendConfig, usesBreaker: boolean): ProxyTarget => {
      const byId = proxyTargets[usesBreaker ? 1 : 0];
      let target = byId.get(backend.backendId);
      if (target === undefined) {
        const state = states.use(backend, breakerPolicies.get(backend.backendId) ?? null);
        target = this.targets.of(state, backend, usesBreaker);
        byId.set(backend.backendId, target);
      }
      return target;
    };

    const builder = new RouterBuilder<CompiledRoute>();
    const routes = new Map<string, CompiledRoute>();

    const compileVariant = (
      route: RouteConfig,
      pathRewriter: PathRewriter,
      variant: RouteVariant,
      previousBalancer: CompiledRoute['balancer'] | undefined,
    ): CompiledRoute => {
      const usesBreaker = route.circuitBreaker?.enabled ?? true;
      const targets: ProxyTarget[] = [];
      for (const backendId of route.backendIds) {
        const backend = backendsById.get(backendId);
        if (backend) targets.push(targetOf(backend, usesBreaker));
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
          balancerOptions(route, targets, usesBreaker, rings),
          previousBalancer,
        ),
        retry: compileRetryPolicy(route.retryPolicy ?? DEFAULT_RETRY_POLICY),
        requestHeaders: headerTransform(route.transformations?.request),
        responseHeaders: headerTransform(route.transformations?.response),
        rateLimiter: rateLimiters.get(route.routeId),
      });
    };

    snapshot.routes.forEach((route, index) => {
      if (!route.isEnabled) return;
      const parsed = parsedPatterns[index];
      const pathRewriter = rewriters[index];
      if (!parsed || !pathRewriter) return;
      const before = previous?.routes.get(route.routeId);
      const trafficSplit = route.trafficSplit;
      const canaryRewriter = canaryRewriters[index];
      let compiled: CompiledRoute;
      if (trafficSplit === null || canaryRewriter === undefined) {
        compiled = compileVariant(route, pathRewriter, 'stable', before?.balancer);
      } else {
        const canaryRoute = { ...route, ...trafficSplit.canary };
        const canary = compileVariant(canaryRoute, canaryRewriter, 'canary', before?.split?.canary.balancer);
        const preview: CompiledRoute = Object.freeze({ ...canary, variant: 'preview' });
        const isRolledOut = trafficSplit.rolloutDataPlaneIds.includes(this.limits.dataPlaneId ?? '');
        const splitter = new TrafficSplitter<CompiledRoute>(
          compileVariant(route, pathRewriter, 'stable', before?.split?.stable.balancer ?? before?.balancer),
          canary,
          preview,
          {
            pinHeader: trafficSplit.pinHeader.toLowerCase(),
            previewHeader: trafficSplit.strategy === 'BlueGreen' ? trafficSplit.previewHeader.toLowerCase() : undefined,
            canaryPercentage:
              trafficSplit.strategy === 'Rolling' ? (isRolledOut ? 100 : 0) : trafficSplit.canaryPercentage,
          },
        );
        // The router holds a stable twin carrying the split; the handler swaps in the variant the split picks.
        compiled = Object.freeze({ ...splitter.stable, split: splitter });
      }
      routes.set(route.routeId, compiled);
      builder.add(
        {
          routeId: route.routeId,
          host: route.host,
          segments: parsed.segments,
          methods: route.methods,
          priority: route.priority,
        },
        compiled,
      );
    });

    return {
      ok: true,
      compiled: Object.freeze({ snapshot, router: builder.build(), routes, backendStates: states, warnings }),
    };
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
 * One breaker per backend: its policy is that of the first enabled route (in snapshot order) that routes to it with
 * breakers on (`circuitBreaker` null means the defaults). Routes that disagree are named in a warning.
 */
function resolveBreakerPolicies(routes: readonly RouteConfig[], warnings: string[]): Map<string, BreakerPolicy> {
  const policies = new Map<string, BreakerPolicy>();
  const conflicts = new Set<string>();
  for (const route of routes) {
    if (!route.isEnabled) continue;
    const config = route.circuitBreaker;
    if (config !== null && !config.enabled) continue;
    const policy: BreakerPolicy = config
      ? {
          failureThreshold: config.failureThreshold,
          openDurationMs: config.openDurationMs,
          successThreshold: config.successThreshold,
        }
      : DEFAULT_BREAKER_POLICY;
    for (const backendId of route.backendIds) {
      const existing = policies.get(backendId);
      if (existing === undefined) policies.set(backendId, policy);
      else if (breakerPolicyKey(existing) !== breakerPolicyKey(policy)) conflicts.add(backendId);
    }
  }
  for (const backendId of conflicts) {
    warnings.push(`backend ${backendId}: routes configure different circuit breakers; the first route's applies`);
  }
  return policies;
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
