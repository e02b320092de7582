import { KeyTable } from './key-table';
import { refusal, slidingWindowRetryAfterMs, type Admission, type RateLimitPolicy } from './rate-limit-policy';

/**
 * One route's counters in this process. `take` is O(1), synchronous and allocates only for a key it has not seen:
 * the per-key state objects are updated in place. `nowMs` is a monotonic clock in milliseconds (the proxy passes the
 * request's `performance.now()`), injected so that tests need no sleeps.
 */
export interface LocalCounter {
  readonly policy: RateLimitPolicy;
  /** The per-key state; a new snapshot whose limit keeps the algorithm, window and key reuses it. */
  readonly table: KeyTable<object>;
  take(key: string, nowMs: number): Admission;
}

interface FixedWindowState {
  windowEndMs: number;
  count: number;
}

/** FixedWindow: `limit` requests per window; a key's window starts with its first request (as in Redis). */
export class FixedWindowCounter implements LocalCounter {
  constructor(
    readonly policy: RateLimitPolicy,
    readonly table: KeyTable<FixedWindowState>,
  ) {}

  take(key: string, nowMs: number): Admission {
    const { limit, windowMs } = this.policy;
    let state = this.table.find(key, nowMs);
    if (state === undefined) {
      state = { windowEndMs: nowMs + windowMs, count: 0 };
      this.table.add(key, state, nowMs);
    } else if (nowMs >= state.windowEndMs) {
      state.windowEndMs = nowMs + windowMs;
      state.count = 0;
    }
    if (state.count >= limit) return refusal(state.windowEndMs - nowMs);
    state.count++;
    return limit - state.count;
  }
}

interface SlidingWindowState {
  /** The window `current` counts: floor(time / windowMs). */
  index: number;
  previous: number;
  current: number;
}

/**
 * SlidingWindow as a sliding-window counter: windows aligned on the clock, and the estimate of the last `windowMs`
 * is this window's count plus the previous window's weighted by the share of it the sliding window still covers.
 * Admitted requests only are counted, so a client that keeps trying still gets `limit` per window.
 */
export class SlidingWindowCounter implements LocalCounter {
  constructor(
    readonly policy: RateLimitPolicy,
    readonly table: KeyTable<SlidingWindowState>,
  ) {}

  take(key: string, nowMs: number): Admission {
    const { limit, windowMs } = this.policy;
    const index = Math.floor(nowMs / windowMs);
    let state = this.table.find(key, nowMs);
    if (state === undefined) {
      state = { index, previous: 0, current: 0 };
      this.table.add(key, state, nowMs);
    } else if (state.index !== index) {
      state.previous = state.index === index - 1 ? state.current : 0;
      state.current = 0;
      state.index = index;
    }
    const windowStartMs = index * windowMs;
    const estimate = state.previous * (1 - (nowMs - windowStartMs) / windowMs) + state.current;
    if (estimate + 1 > limit) {
      return refusal(slidingWindowRetryAfterMs(state.previous, state.current, limit, windowMs, windowStartMs, nowMs));
    }
    state.current++;
    return Math.floor(limit - estimate - 1);
  }
}

interface TokenBucketState {
  tokens: number;
  updatedMs: number;
}

/** TokenBucket: `capacity` tokens (the `burst`), refilled continuously at `limit` per window; a request takes one. */
export class TokenBucketCounter implements LocalCounter {
  private readonly tokensPerMs: number;

  constructor(
    readonly policy: RateLimitPolicy,
    readonly table: KeyTable<TokenBucketState>,
  ) {
    this.tokensPerMs = policy.limit / policy.windowMs;
  }

  take(key: string, nowMs: number): Admission {
    const capacity = this.policy.capacity;
    let state = this.table.find(key, nowMs);
    if (state === undefined) {
      state = { tokens: capacity, updatedMs: nowMs };
      this.table.add(key, state, nowMs);
    } else if (nowMs > state.updatedMs) {
      state.tokens = Math.min(capacity, state.tokens + (nowMs - state.updatedMs) * this.tokensPerMs);
      state.updatedMs = nowMs;
    }
    if (state.tokens < 1) return refusal((1 - state.tokens) / this.tokensPerMs);
    state.tokens -= 1;
    return Math.floor(state.tokens);
  }
}

/**
 * The counter for a policy: with `previous`'s table when that counter used the same algorithm, window and state
 * lifetime (its per-key state means the same thing; a new limit applies from the next request), else with a new
 * table (every key starts afresh).
 */
export function createLocalCounter(
  policy: RateLimitPolicy,
  maxKeys: number,
  nowMs: number,
  previous: LocalCounter | undefined,
): LocalCounter {
  const reusable =
    previous !== undefined &&
    previous.policy.algorithm === policy.algorithm &&
    previous.policy.windowMs === policy.windowMs &&
    previous.policy.stateLifetimeMs === policy.stateLifetimeMs;
  // The same algorithm, window and lifetime: the states in the table are of the type this counter keeps.
  const table = reusable ? previous.table : new KeyTable<object>(maxKeys, policy.stateLifetimeMs, nowMs);
  switch (policy.algorithm) {
    case 'FixedWindow':
      return new FixedWindowCounter(policy, table as KeyTable<FixedWindowState>);
    case 'SlidingWindow':
      return new SlidingWindowCounter(policy, table as KeyTable<SlidingWindowState>);
    case 'TokenBucket':
      return new TokenBucketCounter(policy, table as KeyTable<TokenBucketState>);
  }
}
