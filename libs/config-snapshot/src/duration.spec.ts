import { parseDurationMs } from './duration';

describe('parseDurationMs', () => {
  it.each([
    ['100ms', 100],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1.5s', 1_500],
    ['PT5M', 300_000],
    ['PT1M30S', 90_000],
    ['PT0.5S', 500],
    ['P1D', 86_400_000],
  ])('reads %s as %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', '5', 'five minutes', 'PT', 'P', '5 m', '-5s', 'PT5X'])('refuses %p', (text) =>
    expect(parseDurationMs(text)).toBeUndefined(),
  );
});
