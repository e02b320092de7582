import type { IncomingHttpHeaders } from 'node:http';
import type { LoadBalancingStrategy } from '@hotswap/config-snapshot';
import type { BackendState } from './backend-states';
import { ConsistentHashRing, hashClientAddress } from './consistent-hash';

/** What a balancer needs of a backend of the route. */
export interface BalancerTarget {
  readonly backendId: string;
  /** 0-100; WeightedRoundRobin gives weight 0 nothing. */
  readonly weight: number;
  readonly state: BackendState;
}

/** What a balancer reads of the request. */
export interface PickRequest {
  readonly headers: IncomingHttpHeaders;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

/**
 * Picks the backend for one request among a route's backends that are available now (BackendState.isSelectable)
 * and not in `tried` (the backends earlier attempts of a retried request went to). One instance per route and
 * snapshot, built by the compiler with everything precomputed; `pick` runs on the hot path and allocates nothing.
 */
export interface Balancer<T extends BalancerTarget> {
  readonly strategy: LoadBalancingStrategy;
  readonly size: number;
  pick(req: PickRequest, tried: readonly BackendState[] | undefined): T | undefined;
}

/** Settings the compiler derives from the route. */
export interface BalancerOptions {
  /** Whether the route's breaker gates its backends (`circuitBreaker.enabled`). */
  readonly usesBreaker: boolean;
  /** HeaderBased: lowercase header name, value → index in targets, and the default's index. */
  readonly header?: {
    readonly name: string;
    readonly rules: ReadonlyMap<string, number>;
    readonly defaultIndex: number;
  };
  /** IPHash: the ring over the targets (shared by routes with the same backends). */
  readonly ring?: ConsistentHashRing;
}

function isCandidate(
  target: BalancerTarget,
  usesBreaker: boolean,
  tried: readonly BackendState[] | undefined,
): boolean {
  return target.state.isSelectable(usesBreaker) && (tried === undefined || !tried.includes(target.state));
}

/** Each available backend in turn. */
export class RoundRobinBalancer<T extends BalancerTarget> implements Balancer<T> {
  readonly strategy: LoadBalancingStrategy = 'RoundRobin';
  private next: number;

  constructor(
    private readonly targets: readonly T[],
    private readonly usesBreaker: boolean,
    start = 0,
  ) {
    this.next = targets.length === 0 ? 0 : Math.abs(Math.trunc(start)) % targets.length;
  }

  get size(): number {
    return this.targets.length;
  }

  /** Where the next pick starts: carried over to the route's balancer in the next snapshot. */
  get position(): number {
    return this.next;
  }

  pick(_req: PickRequest, tried: readonly BackendState[] | undefined): T | undefined {
    const targets = this.targets;
    const count = targets.length;
    let index = this.next;
    for (let seen = 0; seen < count; seen++) {
      const target = targets[index] as T;
      index = index + 1 === count ? 0 : index + 1;
      if (isCandidate(target, this.usesBreaker, tried)) {
        this.next = index;
        return target;
      }
    }
    return undefined;
  }
}

/**
 * Smooth weighted round robin (nginx's): every pick adds each available backend's weight to its current weight,
 * takes the highest, and subtracts the total from it. 90/10 gives exactly 9 of 10 picks to the first, interleaved.
 */
export class WeightedRoundRobinBalancer<T extends BalancerTarget> implements Balancer<T> {
  readonly strategy: LoadBalancingStrategy = 'WeightedRoundRobin';
  private readonly current: Float64Array;

  constructor(
    private readonly targets: readonly T[],
    private readonly usesBreaker: boolean,
    previous?: WeightedRoundRobinBalancer<BalancerTarget>,
  ) {
    this.current = new Float64Array(targets.length);
    if (previous !== undefined && previous.hasSameWeights(targets)) this.current.set(previous.current);
  }

  get size(): number {
    return this.targets.length;
  }

  pick(_req: PickRequest, tried: readonly BackendState[] | undefined): T | undefined {
    const targets = this.targets;
    const current = this.current;
    let total = 0;
    let best = -1;
    for (let index = 0; index < targets.length; index++) {
      const target = targets[index] as T;
      const weight = target.weight;
      if (weight <= 0 || !isCandidate(target, this.usesBreaker, tried)) continue;
      const value = (current[index] as number) + weight;
      current[index] = value;
      total += weight;
      if (best === -1 || value > (current[best] as number)) best = index;
    }
    if (best === -1) return undefined;
    current[best] = (current[best] as number) - total;
    return targets[best];
  }

  private hasSameWeights(targets: readonly BalancerTarget[]): boolean {
    return (
      targets.length === this.targets.length &&
      targets.every((target, index) => {
        const mine = this.targets[index] as BalancerTarget;
        return mine.backendId === target.backendId && mine.weight === target.weight;
      })
    );
  }
}

/**
 * The available backend with the fewest requests in flight (counted per backend, over every route). Ties go to
 * the first from a start index that advances on every pick, so equal backends share the load evenly.
 */
export class LeastConnectionsBalancer<T extends BalancerTarget> implements Balancer<T> {
  readonly strategy: LoadBalancingStrategy = 'LeastConnections';
  private start = 0;

  constructor(
    private readonly targets: readonly T[],
    private readonly usesBreaker: boolean,
  ) {}

  get size(): number {
    return this.targets.length;
  }

  pick(_req: PickRequest, tried: readonly BackendState[] | undefined): T | undefined {
    const targets = this.targets;
    const count = targets.length;
    if (count === 0) return undefined;
    const start = this.start;
    this.start = start + 1 === count ? 0 : start + 1;
    let best: T | undefined;
    let fewest = Infinity;
    let index = start;
    for (let seen = 0; seen < count; seen++) {
      const target = targets[index] as T;
      index = index + 1 === count ? 0 : index + 1;
      const inFlight = target.state.inFlight;
      if (inFlight < fewest && isCandidate(target, this.usesBreaker, tried)) {
        best = target;
        fewest = inFlight;
      }
    }
    return best;
  }
}

/**
 * Consistent hashing of the client address (the TCP peer, IPv4-mapped IPv6 read as IPv4) onto a ring of the
 * route's backends: the same client lands on the same backend on every data plane and worker, and adding or
 * removing one of N backends moves about 1/N of the clients. An unavailable backend's clients go to the next
 * backend along the ring (and come back when it does).
 */
export class IpHashBalancer<T extends BalancerTarget> implements Balancer<T> {
  readonly strategy: LoadBalancingStrategy = 'IPHash';

  constructor(
    private readonly targets: readonly T[],
    private readonly usesBreaker: boolean,
    private readonly ring: ConsistentHashRing,
  ) {}

  get size(): number {
    return this.targets.length;
  }

  pick(req: PickRequest, tried: readonly BackendState[] | undefined): T | undefined {
    const ring = this.ring;
    const points = ring.size;
    if (points === 0) return undefined;
    let at = ring.firstAtOrAfter(hashClientAddress(req.socket.remoteAddress ?? ''));
    for (let seen = 0; seen < points; seen++) {
      const target = this.targets[ring.ownerAt(at)] as T;
      if (isCandidate(target, this.usesBreaker, tried)) return target;
      at = at + 1 === points ? 0 : at + 1;
    }
    return undefined;
  }
}

/**
 * The backend a request header names (`routingRules`: value → backend); a missing value or one without a rule
 * goes to `defaultBackend`. When the chosen backend is unavailable: the default, else the first available one.
 */
export class HeaderBasedBalancer<T extends BalancerTarget> implements Balancer<T> {
  readonly strategy: LoadBalancingStrategy = 'HeaderBased';

  constructor(
    private readonly targets: readonly T[],
    private readonly usesBreaker: boolean,
    private readonly header: NonNullable<BalancerOptions['header']>,
  ) {}

  get size(): number {
    return this.targets.length;
  }

  pick(req: PickRequest, tried: readonly BackendState[] | undefined): T | undefined {
    const header = this.header;
    const value = req.headers[header.name];
    const ruled = typeof value === 'string' ? header.rules.get(value) : undefined;
    if (ruled !== undefined) {
      const target = this.targets[ruled] as T;
      if (isCandidate(target, this.usesBreaker, tried)) return target;
    }
    const fallback = this.targets[header.defaultIndex];
    if (fallback !== undefined && isCandidate(fallback, this.usesBreaker, tried)) return fallback;
    return firstCandidate(this.targets, this.usesBreaker, tried);
  }
}

/** The first available backend, in the route's order. */
export class DirectBalancer<T extends BalancerTarget> implements Balancer<T> {
  readonly strategy: LoadBalancingStrategy = 'Direct';

  constructor(
    private readonly targets: readonly T[],
    private readonly usesBreaker: boolean,
  ) {}

  get size(): number {
    return this.targets.length;
  }

  pick(_req: PickRequest, tried: readonly BackendState[] | undefined): T | undefined {
    return firstCandidate(this.targets, this.usesBreaker, tried);
  }
}

function firstCandidate<T extends BalancerTarget>(
  targets: readonly T[],
  usesBreaker: boolean,
  tried: readonly BackendState[] | undefined,
): T | undefined {
  for (const target of targets) if (isCandidate(target, usesBreaker, tried)) return target;
  return undefined;
}

/**
 * The balancer for a route. `previous` is the same route's balancer in the snapshot being replaced: round-robin
 * positions and smooth-weighted counters carry over, so a swap does not send the next request of every route to
 * the first backend. HeaderBased needs `options.header`, IPHash `options.ring`.
 */
export function createBalancer<T extends BalancerTarget>(
  strategy: LoadBalancingStrategy,
  targets: readonly T[],
  options: BalancerOptions,
  previous?: Balancer<BalancerTarget>,
): Balancer<T> {
  const usesBreaker = options.usesBreaker;
  switch (strategy) {
    case 'RoundRobin':
      return new RoundRobinBalancer(
        targets,
        usesBreaker,
        previous instanceof RoundRobinBalancer ? previous.position : 0,
      );
    case 'WeightedRoundRobin':
      return new WeightedRoundRobinBalancer(
        targets,
        usesBreaker,
        previous instanceof WeightedRoundRobinBalancer ? previous : undefined,
      );
    case 'LeastConnections':
      return new LeastConnectionsBalancer(targets, usesBreaker);
    case 'IPHash':
      return new IpHashBalancer(targets, usesBreaker, options.ring ?? ConsistentHashRing.of(targets));
    case 'HeaderBased':
      return new HeaderBasedBalancer(
        targets,
        usesBreaker,
        options.header ?? { name: '', rules: new Map(), defaultIndex: 0 },
      );
    case 'Direct':
      return new DirectBalancer(targets, usesBreaker);
  }
}
