// opossum 9 ships no type declarations (@types/opossum describes 8.x): the part of its API the breaker uses.
declare module 'opossum' {
  import { EventEmitter } from 'node:events';

  interface CircuitBreakerOptions {
    /** Time an action may take (ms), or false for none. */
    timeout?: number | false;
    /** Time open before the breaker turns half-open (ms). */
    resetTimeout?: number;
    errorThresholdPercentage?: number;
    volumeThreshold?: number;
    allowWarmUp?: boolean;
    rollingCountTimeout?: number;
    rollingCountBuckets?: number;
    rollingPercentilesEnabled?: boolean;
    /** Emitting `rotate` on it replaces the interval timer each breaker would start for its rolling window. */
    rotateBucketController?: EventEmitter;
    /** Whether each breaker starts an interval emitting stats snapshots. */
    enableSnapshots?: boolean;
    name?: string;
  }

  class CircuitBreaker<TArgs extends unknown[] = unknown[], TResult = unknown> extends EventEmitter {
    constructor(action: (...args: TArgs) => Promise<TResult> | TResult, options?: CircuitBreakerOptions);
    readonly opened: boolean;
    readonly halfOpen: boolean;
    readonly closed: boolean;
    readonly isShutdown: boolean;
    open(): void;
    close(): void;
    shutdown(): void;
    fire(...args: TArgs): Promise<TResult>;
  }

  export = CircuitBreaker;
}
