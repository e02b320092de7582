import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import type { ServerOptions } from 'http-proxy-3';
import type { Balancer } from '../proxy/balancer';
import type { PathRewriter } from '../proxy/path-rewrite';
import type { Router } from '../proxy/router';

/** The http-proxy-3 options for one route and backend, built once per snapshot. */
export interface ForwardOptions extends ServerOptions {
  /** Idle time allowed on the backend connection before the gateway answers 504 (the route's timeoutSeconds). */
  readonly backendTimeoutMs: number;
}

/** One backend as a route forwards to it. */
export interface ProxyTarget {
  readonly backendId: string;
  readonly backendName: string;
  /** The backend URL's path without its trailing slash (`''` for `http://host:port`), put before every path. */
  readonly basePath: string;
  readonly options: ForwardOptions;
}

/** Headers set and removed on the way to the backend, or on the way back. Names are lowercase. */
export interface HeaderTransform {
  readonly set: ReadonlyArray<readonly [name: string, value: string]>;
  readonly remove: readonly string[];
  /** Whether some value contains `${requestId}`, replaced by the request's trace id. */
  readonly usesRequestId: boolean;
}

/** A route ready for the hot path: everything derived from its config is computed here, once. */
export interface CompiledRoute {
  readonly routeId: string;
  readonly name: string;
  readonly priority: number;
  /** Label value for metrics (the route's name: unique within a snapshot). */
  readonly metricLabel: string;
  readonly timeoutMs: number;
  readonly pathRewriter: PathRewriter;
  /** The route's enabled backends that are neither Unhealthy nor Draining. */
  readonly targets: readonly ProxyTarget[];
  readonly balancer: Balancer<ProxyTarget>;
  readonly requestHeaders: HeaderTransform | undefined;
  readonly responseHeaders: HeaderTransform | undefined;
}

/** A snapshot compiled for serving. Immutable; swapped in as one reference. */
export interface CompiledSnapshot {
  readonly snapshot: ConfigSnapshot;
  readonly router: Router<CompiledRoute>;
  /** Enabled routes by id. */
  readonly routes: ReadonlyMap<string, CompiledRoute>;
  /** The agent keys this snapshot uses; agents outside it are retired once it is active. */
  readonly agentKeys: ReadonlySet<string>;
  /** Things served differently from their config (an unimplemented strategy…), for the log. */
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
