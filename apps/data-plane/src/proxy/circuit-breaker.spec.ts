import { expectEventually } from '@hotswap/testing';
import { BackendBreaker, type BreakerPolicy, type BreakerState } from './circuit-breaker';

const QUICK: BreakerPolicy = { failureThreshold: 5, openDurationMs: 50, successThreshold: 3 };

describe('BackendBreaker', () => {
  const breakers: BackendBreaker[] = [];
  const changes: BreakerState[] = [];

  function aBreaker(policy: BreakerPolicy = QUICK): BackendBreaker {
    const breaker = new BackendBreaker('b', policy, (changed) => changes.push(changed.state));
    breakers.push(breaker);
    return breaker;
  }

  function fail(breaker: BackendBreaker, times: number): void {
    for (let index = 0; index < times; index++) breaker.recordFailure();
  }

  afterEach(() => {
    for (const breaker of breakers.splice(0)) breaker.shutdown();
    changes.length = 0;
  });

  it('opens after 5 consecutive failures, not after 4', () => {
    const breaker = aBreaker();
    fail(breaker, 4);
    expect(breaker.state).toBe('closed');
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.openedCount).toBe(1);
    expect(changes).toEqual(['open']);
  });

  it('does not open on failures that successes interrupt, however many there are', () => {
    const breaker = aBreaker();
    for (let round = 0; round < 100; round++) {
      fail(breaker, 4);
      breaker.recordSuccess();
    }
    expect(breaker.state).toBe('closed');
  });

  it('turns half-open after the open duration, then closes after 3 successes', async () => {
    const breaker = aBreaker();
    fail(breaker, 5);
    await expectEventually(() => expect(breaker.state).toBe('halfOpen'));
    breaker.recordSuccess();
    breaker.recordSuccess();
    expect(breaker.state).toBe('halfOpen');
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'halfOpen', 'closed']);
    // Closed again: counting starts over.
    fail(breaker, 4);
    expect(breaker.state).toBe('closed');
  });

  it('reopens on any failure in half-open, and half-opens again after the open duration', async () => {
    const breaker = aBreaker();
    fail(breaker, 5);
    await expectEventually(() => expect(breaker.state).toBe('halfOpen'));
    breaker.recordSuccess();
    breaker.recordSuccess();
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.openedCount).toBe(2);
    await expectEventually(() => expect(breaker.state).toBe('halfOpen'));
  });

  it('honours a route policy: 2 failures to open, 1 success to close', async () => {
    const breaker = aBreaker({ failureThreshold: 2, openDurationMs: 20, successThreshold: 1 });
    fail(breaker, 2);
    expect(breaker.state).toBe('open');
    await expectEventually(() => expect(breaker.state).toBe('halfOpen'));
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
  });

  it('stays open after shutdown without turning half-open (its timer is gone)', async () => {
    const breaker = aBreaker({ failureThreshold: 1, openDurationMs: 20, successThreshold: 1 });
    breaker.recordFailure();
    breaker.shutdown();
    const other = aBreaker({ failureThreshold: 1, openDurationMs: 20, successThreshold: 1 });
    other.recordFailure();
    await expectEventually(() => expect(other.state).toBe('halfOpen'));
    expect(breaker.state).toBe('open');
  });
});
