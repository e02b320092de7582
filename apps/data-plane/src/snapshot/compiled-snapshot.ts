import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import type { ServerOptions } from 'http-proxy-3';
import type { BackendStatesSwap } from '../proxy/backend-states';
import type { Balancer, BalancerTarget } from '../proxy/balancer';
import type { HeaderTemplate } from '../proxy/header-template';
import type { PathRewriter } from '../proxy/path-rewrite';
import type { RouteRateLimiter } from '../proxy/rate-limit/route-rate-limiter';
import type { Router } from '../proxy/router';
import type { RouteVariant, TrafficSplitter } from '../proxy/traffic-split';

/** The http-proxy-3 options for one backend of a route, built once per snapshot. */
export type ForwardOptions = ServerOptions;

/** One backend as a route forwards to it. */
export interface ProxyTarget extends BalancerTarget {
  readonly backendName: string;
  /** The backend URL's path without its trailing slash (`''` for `http://host:port`), put before every path. */
  readonly basePath: string;
  /** Time to open a new connection to the backend (its `timeouts.connectMs`, default 5 s). */
  readonly connectTimeoutMs: number;
  /** Idle time allowed on the backend connection (its `timeouts.readMs`, default 30 s), within the route budget. */
  readonly readTimeoutMs: number;
  /** Whether outcomes of requests to it count for its breaker (the route's `circuitBreaker.enabled`). */
  readonly usesBreaker: boolean;
  /** Where requests go (node:http), derived from the URL at compile time. */
  readonly endpoint: BackendEndpoint;
  /** http-proxy-3's options for this backend: WebSocket upgrades. */
  readonly options: ForwardOptions;
}

/** Where a backend is reached, derived once from its URL. */
export interface BackendEndpoint {
  readonly protocol: 'http:' | 'https:';
  /** Without the brackets of an IPv6 literal (the resolver wants the bare address). */
  readonly hostname: string;
  readonly port: number;
  /** The Host header the backend gets: its URL's host (the port when not the default). */
  readonly host: string;
}

/** Headers set and removed on the way to the backend, or on the way back. Names are lowercase. */
export interface HeaderTransform {
  readonly set: ReadonlyArray<readonly [name: string, value: HeaderTemplate]>;
  readonly remove: readonly string[];
}

/** The route's `retryPolicy`, ready for the hot path. */
export interface CompiledRetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Indexed by status - 500: whether a backend answer with that status is retried. */
  readonly retryOnStatus: readonly boolean[];
  readonly retryOnConnectError: boolean;
  readonly methods: ReadonlySet<string>;
  /** Request bodies up to this size are kept for a replay; larger ones make the request not retryable. */
  readonly maxReplayBodyBytes: number;
}

/** A route ready for the hot path: everything derived from its config is computed here, once. */
export interface CompiledRoute {
  readonly routeId: string;
  readonly name: string;
  readonly priority: number;
  /** Label value for metrics (the route's name: unique within a snapshot). */
  readonly metricLabel: string;
  /** Which version of the route this is: `stable` unless a deployment is in flight (label for telemetry). */
  readonly variant: RouteVariant;
  /** With a deployment in flight: picks, per request, the variant that serves it (the router holds this one). */
  readonly split: TrafficSplitter<CompiledRoute> | undefined;
  /** The route's `timeoutSeconds` in ms: the budget of all attempts until the response starts (504 after). */
  readonly timeoutMs: number;
  readonly pathRewriter: PathRewriter;
  /** Every backend of the route present in the snapshot; balancers skip the unavailable ones per request. */
  readonly targets: readonly ProxyTarget[];
  readonly balancer: Balancer<ProxyTarget>;
  readonly retry: CompiledRetryPolicy | undefined;
  readonly requestHeaders: HeaderTransform | undefined;
  readonly responseHeaders: HeaderTransform | undefined;
  /** The route's `rateLimit` (shared by its stable, canary and preview variants). */
  readonly rateLimiter: RouteRateLimiter | undefined;
}

/** A snapshot compiled for serving. Immutable; swapped in as one reference. */
export interface CompiledSnapshot {
  readonly snapshot: ConfigSnapshot;
  readonly router: Router<CompiledRoute>;
  /** Enabled routes by id. */
  readonly routes: ReadonlyMap<string, CompiledRoute>;
  /** The backend states this snapshot uses: committed (made live) right after it is swapped in. */
  readonly backendStates: BackendStatesSwap;
  /** Things served differently from their config, for the log. */
  readonly warnings: readonly string[];
}

/** Where the active snapshot came from. */
export type SnapshotSource = 'stream' | 'cache' | 'file';

/** The snapshot being served, with how and when it became active. */
export interface ActiveSnapshot {
  readonly compiled: CompiledSnapshot;
  readonly source: SnapshotSource;
  readonly appliedAt: Date;
  /** Decode, validation, compilation and swap time, in milliseconds. */
  readonly applyMs: number;
}
