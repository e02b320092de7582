import { percentile } from './load-generator';

describe('percentile', () => {
  it('takes the nearest-rank value of sorted latencies', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, index) => index + 1);
    expect([percentile(sorted, 0.5), percentile(sorted, 0.99), percentile(sorted, 1)]).toEqual([50, 99, 100]);
    expect(percentile(Float64Array.from([0.25]), 0.99)).toBe(0.25);
    expect(percentile(new Float64Array(0), 0.5)).toBeNaN();
  });
});
