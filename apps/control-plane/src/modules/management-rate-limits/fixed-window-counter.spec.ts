import { InMemoryFixedWindowCounter } from './fixed-window-counter';

describe('InMemoryFixedWindowCounter', () => {
  it('counts hits per key in a window that opens with the first hit, then starts again', async () => {
    let now = 1_000;
    const counter = new InMemoryFixedWindowCounter(() => now);
    expect(await counter.hit('alice', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    now += 59_000;
    expect(await counter.hit('alice', 60_000)).toEqual({ count: 2, resetInMs: 1_000 });
    expect(await counter.hit('bob', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    now += 1_000;
    expect(await counter.hit('alice', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
  });
});
