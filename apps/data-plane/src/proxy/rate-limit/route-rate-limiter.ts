import { performance } from 'node:perf_hooks';
import type { RouteConfig } from '@hotswap/config-snapshot';
import { createLocalCounter, type LocalCounter } from './local-counters';
import { compileRateLimitKey, type RateLimitKeyOf } from './rate-limit-key';
import { rateLimitPolicyOf, type Admission, type RateLimitPolicy } from './rate-limit-policy';
import type { SharedRateLimitStore } from './redis-rate-limit-store';

/** A metric series bound to its labels once per snapshot. */
export interface Tally {
  inc(): void;
}

/** A route's rate limit, compiled with the snapshot: per request only the key is read and one counter updated. */
export interface RouteRateLimiter {
  readonly policy: RateLimitPolicy;
  /** `X-RateLimit-Limit`: the policy's capacity, as text. */
  readonly limitHeader: string;
  /** Whether requests pass when the shared store cannot be reached (`redis` policy only). */
  readonly failOpen: boolean;
  /** Whose budget a request takes from. */
  readonly keyOf: RateLimitKeyOf;
  /** Counts 429 answers (`gateway_rate_limit_rejections_total{route}`). */
  readonly rejections: Tally;
  /** Counts calls the shared store did not answer (`gateway_rate_limit_store_errors_total{route}`). */
  readonly storeErrors: Tally;
  /** Takes one request for `key` at `nowMs` (monotonic ms): decided at once (local) or by the shared store (redis). */
  take(key: string, nowMs: number): Admission | Promise<Admission>;
}

/** `local`: counted in this process. */
class LocalRouteRateLimiter implements RouteRateLimiter {
  readonly failOpen = true;

  constructor(
    readonly fingerprint: string,
    readonly policy: RateLimitPolicy,
    readonly limitHeader: string,
    readonly keyOf: RateLimitKeyOf,
    readonly rejections: Tally,
    readonly storeErrors: Tally,
    readonly counter: LocalCounter,
  ) {}

  take(key: string, nowMs: number): Admission {
    return this.counter.take(key, nowMs);
  }
}

/** Algorithm tags in Redis keys: a route that changes algorithm never reads a key of another type. */
const KEY_TAGS: Readonly<Record<RateLimitPolicy['algorithm'], string>> = {
  FixedWindow: 'fw',
  SlidingWindow: 'sw',
  TokenBucket: 'tb',
};

/** `redis`: counted in Redis, shared by every data plane. */
class SharedRouteRateLimiter implements RouteRateLimiter {
  private readonly keyHead: string;
  private readonly keyTail: string;

  constructor(
    readonly fingerprint: string,
    routeId: string,
    readonly policy: RateLimitPolicy,
    readonly limitHeader: string,
    readonly keyOf: RateLimitKeyOf,
    readonly rejections: Tally,
    readonly storeErrors: Tally,
    readonly failOpen: boolean,
    private readonly store: SharedRateLimitStore,
  ) {
    // `<prefix>:ratelimit:{<route>:<client>}:<algorithm>:<window ms>`; the braces keep a client's keys in one
    // Redis Cluster slot.
    this.keyHead = `${store.keyPrefix}{${routeId}:`;
    this.keyTail = `}:${KEY_TAGS[policy.algorithm]}:${policy.windowMs}`;
  }

  take(key: string): Promise<Admission> {
    return this.store.take(this.keyHead + key + this.keyTail, this.policy);
  }
}

export interface RateLimiterCompilerOptions {
  /** The Redis store when REDIS_URL is set. */
  readonly store: SharedRateLimitStore | undefined;
  /** RATE_LIMIT_LOCAL_MAX_KEYS: keys a local limiter of one route holds at most. */
  readonly localMaxKeys: number;
  /** Metric series per route label. */
  readonly tallies: {
    rejections(route: string): Tally;
    storeErrors(route: string): Tally;
  };
  /** The clock `take` is called with (performance.now()); injected in tests. */
  readonly now?: () => number;
}

/**
 * Compiles the `rateLimit` of every route of a snapshot, off the hot path. A route whose rate limit and name did not
 * change keeps its limiter; a local limiter whose algorithm and window did not change keeps its per-key counters (a
 * config change elsewhere does not hand every client a fresh budget). `redis`-policy routes on a data plane without
 * REDIS_URL are counted locally (DESIGN §9: without Redis, rate limits stay local), with a warning.
 */
export class RateLimiterCompiler {
  constructor(private readonly options: RateLimiterCompilerOptions) {}

  compile(
    routes: readonly RouteConfig[],
    previous: ReadonlyMap<string, { readonly rateLimiter?: RouteRateLimiter | undefined }> | undefined,
    warnings: string[],
    /** Whether a route is the very one `previous` was compiled from: then its limiter is kept as it is. */
    isUnchanged?: (route: RouteConfig) => boolean,
  ): Map<string, RouteRateLimiter> {
    const limiters = new Map<string, RouteRateLimiter>();
    const nowMs = (this.options.now ?? performance.now.bind(performance))();
    let countedLocally = 0;
    for (const route of routes) {
      const config = route.rateLimit;
      if (!route.isEnabled || config === null) continue;
      const isShared = config.policy === 'redis' && this.options.store !== undefined;
      if (config.policy === 'redis' && !isShared) countedLocally++;
      const kept = isUnchanged?.(route) === true ? previous?.get(route.routeId)?.rateLimiter : undefined;
      if (kept !== undefined) {
        limiters.set(route.routeId, kept);
        continue;
      }
      const fingerprint = `${isShared ? 'shared' : 'local'}\n${route.name}\n${JSON.stringify(config)}`;
      const before = previous?.get(route.routeId)?.rateLimiter;
      if (
        (before instanceof LocalRouteRateLimiter || before instanceof SharedRouteRateLimiter) &&
        before.fingerprint === fingerprint
      ) {
        limiters.set(route.routeId, before);
        continue;
      }
      limiters.set(route.routeId, this.compileRoute(route, config, fingerprint, isShared, before, nowMs));
    }
    if (countedLocally > 0) {
      warnings.push(
        `${countedLocally} route(s) with rateLimit.policy "redis" are counted per data plane: REDIS_URL is not set`,
      );
    }
    return limiters;
  }

  private compileRoute(
    route: RouteConfig,
    config: NonNullable<RouteConfig['rateLimit']>,
    fingerprint: string,
    isShared: boolean,
    before: RouteRateLimiter | undefined,
    nowMs: number,
  ): RouteRateLimiter {
    const { store, tallies, localMaxKeys } = this.options;
    const policy = rateLimitPolicyOf(config);
    const limitHeader = String(policy.capacity);
    const label = route.name;
    const rejections = tallies.rejections(label);
    const storeErrors = tallies.storeErrors(label);
    if (isShared && store !== undefined) {
      const keyOf = compileRateLimitKey(config, { hidesSecrets: true });
      return new SharedRouteRateLimiter(
        fingerprint,
        route.routeId,
        policy,
        limitHeader,
        keyOf,
        rejections,
        storeErrors,
        config.failOpen,
        store,
      );
    }
    const previousCounter = before instanceof LocalRouteRateLimiter ? before.counter : undefined;
    return new LocalRouteRateLimiter(
      fingerprint,
      policy,
      limitHeader,
      compileRateLimitKey(config, { hidesSecrets: false }),
      rejections,
      storeErrors,
      createLocalCounter(policy, localMaxKeys, nowMs, previousCounter),
    );
  }
}
