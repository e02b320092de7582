import type { IncomingMessage } from 'node:http';
import type { LoadBalancingStrategy } from '@hotswap/config-snapshot';

/**
 * Picks the backend for one request among a route's available backends. One instance per route and snapshot;
 * strategies keep their counters in it. `pick` runs on the hot path: no allocation.
 */
export interface Balancer<T> {
  readonly strategy: LoadBalancingStrategy;
  readonly size: number;
  pick(req: IncomingMessage): T | undefined;
}

/** Each backend in turn. */
export class RoundRobinBalancer<T> implements Balancer<T> {
  readonly strategy = 'RoundRobin';
  private next: number;

  constructor(
    private readonly targets: readonly T[],
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

  pick(): T | undefined {
    const count = this.targets.length;
    if (count === 0) return undefined;
    const target = this.targets[this.next];
    this.next = this.next + 1 === count ? 0 : this.next + 1;
    return target;
  }
}

/** The strategies this data plane implements; the others are served round robin until they are. */
export const IMPLEMENTED_STRATEGIES: ReadonlySet<LoadBalancingStrategy> = new Set(['RoundRobin']);

/**
 * The balancer for a route. `previous` is the same route's balancer in the snapshot being replaced: its position
 * carries over, so a swap does not send the next request of every route to the first backend.
 */
export function createBalancer<T>(
  strategy: LoadBalancingStrategy,
  targets: readonly T[],
  previous?: Balancer<unknown>,
): Balancer<T> {
  switch (strategy) {
    case 'RoundRobin':
    case 'WeightedRoundRobin':
    case 'LeastConnections':
    case 'IPHash':
    case 'HeaderBased':
    case 'Direct':
      return new RoundRobinBalancer(targets, previous instanceof RoundRobinBalancer ? previous.position : 0);
  }
}
