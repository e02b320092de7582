import { countFailures } from './swap-failures';

describe('countFailures', () => {
  it('fails anything but 200 on lasting routes, and only 5xx and lost requests on changing ones', () => {
    const failures = countFailures([
      { name: 'dp-1 stable', statusCounts: { 200: 100, 404: 1, 502: 2 }, errors: 1, timeouts: 0, durationSeconds: 1 },
      {
        name: 'dp-1 churn',
        statusCounts: { 200: 10, 404: 50, 503: 3, 429: 4 },
        errors: 0,
        timeouts: 1,
        durationSeconds: 1,
      },
    ]);
    expect(failures).toEqual({
      stable: 4,
      churn: 4,
      expected404: 50,
      byStatus: { 404: 1, 502: 2, 503: 3, 'connection error': 1, timeout: 1 },
    });
  });

  it('counts nothing when every request was answered as expected', () => {
    expect(
      countFailures([
        { name: 'dp-1 stable', statusCounts: { 200: 5 }, errors: 0, timeouts: 0, durationSeconds: 1 },
        { name: 'dp-1 churn', statusCounts: { 404: 5 }, errors: 0, timeouts: 0, durationSeconds: 1 },
      ]),
    ).toEqual({ stable: 0, churn: 0, expected404: 5, byStatus: {} });
  });
});
