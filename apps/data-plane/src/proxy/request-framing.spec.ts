import { hasRepeatedHost } from './request-framing';

describe('hasRepeatedHost', () => {
  it('finds a second Host header in any case, and only a second one', () => {
    expect(hasRepeatedHost(['Host', 'a', 'Accept', '*/*'])).toBe(false);
    expect(hasRepeatedHost(['Accept', 'host', 'X-Host', 'host'])).toBe(false);
    expect(hasRepeatedHost([])).toBe(false);
    expect(hasRepeatedHost(['Host', 'a', 'Accept', '*/*', 'HOST', 'b'])).toBe(true);
  });
});
