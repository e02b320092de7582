import type { RateLimit } from '@hotswap/config-snapshot';

export type RateLimitAlgorithm = RateLimit['algorithm'];

const WINDOW_MS: Readonly<Record<RateLimit['window'], number>> = { second: 1_000, minute: 60_000, hour: 3_600_000 };

/** A route's `rateLimit` as the counters use it, resolved once per snapshot. */
export interface RateLimitPolicy {
  readonly algorithm: RateLimitAlgorithm;
  /** Requests per window. */
  readonly limit: number;
  readonly windowMs: number;
  /**
   * The most requests that can pass at once: `burst` (default `limit`) for TokenBucket, `limit` otherwise. Sent as
   * `X-RateLimit-Limit`.
   */
  readonly capacity: number;
  /** How long a key's state matters once the key goes idle: after that it equals a fresh key's. */
  readonly stateLifetimeMs: number;
}

export function rateLimitPolicyOf(config: RateLimit): RateLimitPolicy {
  const windowMs = WINDOW_MS[config.window];
  const capacity = config.algorithm === 'TokenBucket' ? (config.burst ?? config.limit) : config.limit;
  return Object.freeze({
    algorithm: config.algorithm,
    limit: config.limit,
    windowMs,
    capacity,
    stateLifetimeMs: stateLifetimeMs(config.algorithm, config.limit, windowMs, capacity),
  });
}

function stateLifetimeMs(algorithm: RateLimitAlgorithm, limit: number, windowMs: number, capacity: number): number {
  switch (algorithm) {
    case 'FixedWindow':
      return windowMs;
    case 'SlidingWindow':
      // The previous window still weighs in during the current one.
      return 2 * windowMs;
    case 'TokenBucket':
      // An empty bucket is full again after capacity / (limit / window).
      return Math.ceil((capacity * windowMs) / limit);
  }
}

/**
 * The outcome of taking one request from a limit, as one number so that the local path allocates nothing:
 * `>= 0` admitted, with that many requests left right now; `< 0` refused, retry after `-admission` ms (at least 1).
 */
export type Admission = number;

/** A refusal telling the client to wait `retryAfterMs` (rounded up to a whole millisecond, at least 1). */
export function refusal(retryAfterMs: number): Admission {
  return -Math.max(1, Math.ceil(retryAfterMs));
}

/**
 * SlidingWindow (the sliding-window counter: this window's count plus the previous window's, weighted by how much of
 * it the sliding window still covers): how long until one more request fits, for a refused request. The Redis script
 * computes the same.
 */
export function slidingWindowRetryAfterMs(
  previous: number,
  current: number,
  limit: number,
  windowMs: number,
  windowStartMs: number,
  nowMs: number,
): number {
  const room = limit - current - 1;
  if (room >= 0 && previous > 0) {
    // Later in this window, once the previous window weighs little enough.
    return windowStartMs + (1 - room / previous) * windowMs - nowMs;
  }
  // In the next window, where this window's count becomes the decaying one.
  const decayed = current > 0 ? Math.max(0, 1 - (limit - 1) / current) : 0;
  return windowStartMs + windowMs + decayed * windowMs - nowMs;
}
