import { rateLimitSchema, type RateLimit } from '@hotswap/config-snapshot';
import { createLocalCounter, type LocalCounter } from './local-counters';
import { rateLimitPolicyOf } from './rate-limit-policy';

/** A counter for `fields`, its clock starting at `startMs`. */
function counterOf(fields: Partial<RateLimit> & { limit: number }, startMs = 0, maxKeys = 1000): LocalCounter {
  return createLocalCounter(rateLimitPolicyOf(rateLimitSchema.parse(fields)), maxKeys, startMs, undefined);
}

/** Takes `count` requests for `key` at `nowMs`; returns the admissions. */
function takeMany(counter: LocalCounter, key: string, nowMs: number, count: number): number[] {
  return Array.from({ length: count }, () => counter.take(key, nowMs));
}

/** Requests evenly spaced `intervalMs` apart from `fromMs` to `toMs` (excluded); returns how many were admitted. */
function steadyTraffic(counter: LocalCounter, fromMs: number, toMs: number, intervalMs: number): number {
  let admitted = 0;
  for (let nowMs = fromMs; nowMs < toMs; nowMs += intervalMs) if (counter.take('client', nowMs) >= 0) admitted++;
  return admitted;
}

/**
 * A client that, whenever refused, comes back exactly when told (Retry-After in ms) among random other traffic:
 * every such return must be admitted.
 */
function expectRetryAfterToBeHonest(counter: LocalCounter, seed: number): void {
  let state = seed;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  let nowMs = 10_000;
  let refusals = 0;
  for (let step = 0; step < 2_000; step++) {
    nowMs += random() * 40;
    const admission = counter.take('client', nowMs);
    if (admission < 0) {
      refusals++;
      expect(counter.take('client', nowMs - admission)).toBeGreaterThanOrEqual(0);
      nowMs -= admission;
    }
  }
  expect(refusals).toBeGreaterThan(10);
}

describe('FixedWindow (local)', () => {
  it('admits limit requests per window, counting down what remains, then refuses until the window ends', () => {
    const counter = counterOf({ algorithm: 'FixedWindow', limit: 3, window: 'second' }, 1_000);
    expect(takeMany(counter, 'a', 1_000, 3)).toEqual([2, 1, 0]);
    expect(counter.take('a', 1_400)).toBe(-600);
    expect(counter.take('a', 1_999)).toBe(-1);
    expect(counter.take('a', 2_000)).toBe(2);
  });

  it('counts each key apart', () => {
    const counter = counterOf({ algorithm: 'FixedWindow', limit: 1, window: 'minute' });
    expect([counter.take('a', 0), counter.take('b', 0), counter.take('a', 1)]).toEqual([0, 0, -59_999]);
  });

  it('starts a key window with its first request', () => {
    const counter = counterOf({ algorithm: 'FixedWindow', limit: 1, window: 'second' });
    expect(counter.take('a', 700)).toBe(0);
    expect(counter.take('a', 1_200)).toBe(-500);
    expect(counter.take('a', 1_700)).toBe(0);
  });

  it('admits exactly the limit per window under a steady load of three times the limit', () => {
    const counter = counterOf({ algorithm: 'FixedWindow', limit: 100, window: 'second' });
    expect(steadyTraffic(counter, 0, 20_000, 1000 / 300)).toBe(20 * 100);
  });

  it('tells a refused client when to come back', () => {
    expectRetryAfterToBeHonest(counterOf({ algorithm: 'FixedWindow', limit: 20, window: 'second' }), 7);
  });
});

describe('SlidingWindow (local)', () => {
  it('weighs the previous window by the share of it the sliding window still covers', () => {
    const counter = counterOf({ algorithm: 'SlidingWindow', limit: 10, window: 'second' });
    expect(takeMany(counter, 'a', 0, 10)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(counter.take('a', 999)).toBeLessThan(0);
    // Halfway through the next window the previous one weighs 5: five more fit.
    expect(takeMany(counter, 'a', 1_500, 6)).toEqual([4, 3, 2, 1, 0, -100]);
    // At 1,600 ms the previous window weighs 4: one more fits.
    expect(counter.take('a', 1_600)).toBe(0);
  });

  it('forgets a window two windows back', () => {
    const counter = counterOf({ algorithm: 'SlidingWindow', limit: 2, window: 'second' });
    expect(takeMany(counter, 'a', 500, 3)).toEqual([1, 0, -1_000]);
    expect(takeMany(counter, 'a', 2_000, 2)).toEqual([1, 0]);
  });

  it('admits the limit per window within 5% under a steady load of twice the limit', () => {
    const counter = counterOf({ algorithm: 'SlidingWindow', limit: 100, window: 'second' });
    steadyTraffic(counter, 0, 2_000, 5);
    const admitted = steadyTraffic(counter, 2_000, 32_000, 5);
    expect(Math.abs(admitted / 30 - 100)).toBeLessThanOrEqual(5);
  });

  it('never admits much more than the limit in any sliding window of a bursty load', () => {
    const counter = counterOf({ algorithm: 'SlidingWindow', limit: 50, window: 'second' });
    const admittedAt: number[] = [];
    for (let nowMs = 0; nowMs < 20_000; nowMs += nowMs % 1_000 < 100 ? 1 : 50) {
      if (counter.take('client', nowMs) >= 0) admittedAt.push(nowMs);
    }
    let worst = 0;
    for (let from = 0; from < 19_000; from += 10) {
      worst = Math.max(worst, admittedAt.filter((at) => at >= from && at < from + 1_000).length);
    }
    expect(worst).toBeLessThanOrEqual(50 * 1.05);
  });

  it('tells a refused client when to come back', () => {
    expectRetryAfterToBeHonest(counterOf({ algorithm: 'SlidingWindow', limit: 20, window: 'second' }), 11);
  });
});

describe('TokenBucket (local)', () => {
  it('lets a burst of its capacity through, then one request per refill interval', () => {
    const counter = counterOf({ algorithm: 'TokenBucket', limit: 10, window: 'second', burst: 5 });
    expect(takeMany(counter, 'a', 0, 6)).toEqual([4, 3, 2, 1, 0, -100]);
    expect(counter.take('a', 50)).toBe(-50);
    expect(counter.take('a', 100)).toBe(0);
    expect(counter.take('a', 10_000)).toBe(4);
  });

  it('holds limit tokens when no burst is given', () => {
    const counter = counterOf({ algorithm: 'TokenBucket', limit: 3, window: 'minute' });
    expect(takeMany(counter, 'a', 0, 4)).toEqual([2, 1, 0, -20_000]);
  });

  it('admits the burst plus limit per window within 5% under a steady overload', () => {
    const counter = counterOf({ algorithm: 'TokenBucket', limit: 100, window: 'second', burst: 20 });
    const admitted = steadyTraffic(counter, 0, 30_000, 3);
    expect(Math.abs(admitted - (20 + 30 * 100)) / (30 * 100)).toBeLessThanOrEqual(0.05);
  });

  it('tells a refused client when to come back', () => {
    expectRetryAfterToBeHonest(counterOf({ algorithm: 'TokenBucket', limit: 20, window: 'second', burst: 3 }), 13);
  });
});

describe('createLocalCounter', () => {
  it('keeps the per-key counts of the previous counter when the algorithm and window stay', () => {
    const first = counterOf({ algorithm: 'FixedWindow', limit: 2, window: 'minute' });
    takeMany(first, 'a', 0, 2);
    const raised = createLocalCounter(
      rateLimitPolicyOf(rateLimitSchema.parse({ algorithm: 'FixedWindow', limit: 3, window: 'minute' })),
      1000,
      10,
      first,
    );
    expect(takeMany(raised, 'a', 10, 2)).toEqual([0, -59_990]);
  });

  it('starts afresh when the algorithm or the window changes', () => {
    const first = counterOf({ algorithm: 'FixedWindow', limit: 1, window: 'minute' });
    first.take('a', 0);
    for (const fields of [
      { algorithm: 'SlidingWindow', limit: 1, window: 'minute' },
      { algorithm: 'FixedWindow', limit: 1, window: 'hour' },
    ] as const) {
      const next = createLocalCounter(rateLimitPolicyOf(rateLimitSchema.parse(fields)), 1000, 10, first);
      expect(next.table).not.toBe(first.table);
      expect(next.take('a', 10)).toBe(0);
    }
  });
});
