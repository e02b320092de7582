import { RECONNECT_BACKOFF, reconnectDelayMs } from './snapshot-stream-client';

describe('reconnectDelayMs', () => {
  it('doubles from 250 ms up to 5 s, jittered between half and all of each step', () => {
    const steps = [250, 500, 1000, 2000, 4000, 5000, 5000, 5000];
    steps.forEach((step, attempt) => {
      expect(reconnectDelayMs(attempt, () => 0)).toBe(step / 2);
      expect(reconnectDelayMs(attempt, () => 0.999_999)).toBe(step);
    });
  });

  it('stays bounded however many attempts failed', () => {
    for (const attempt of [20, 1_000, Number.MAX_SAFE_INTEGER]) {
      const delay = reconnectDelayMs(attempt);
      expect(delay).toBeGreaterThanOrEqual(RECONNECT_BACKOFF.maxMs / 2);
      expect(delay).toBeLessThanOrEqual(RECONNECT_BACKOFF.maxMs);
    }
  });
});
