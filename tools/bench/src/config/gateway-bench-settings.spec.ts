import { loadGatewayBenchSettings } from './gateway-bench-settings';

describe('loadGatewayBenchSettings', () => {
  it('defaults to the shared test database, two data planes and the guide’s limits', () => {
    expect(loadGatewayBenchSettings({})).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
      dataPlanes: 2,
      swapChanges: 100,
      swapRate: 400,
      scaleRoutes: 10_000,
      scaleBackends: 100_000,
      scaleChanges: 5,
      cpuProfileDir: undefined,
    });
  });

  it('reports every bad variable at once', () => {
    expect(() =>
      loadGatewayBenchSettings({ DATABASE_URL: 'mysql://x', BENCH_DATA_PLANES: '0', BENCH_SWAP_RATE: 'fast' }),
    ).toThrow(/DATABASE_URL[\s\S]*BENCH_DATA_PLANES[\s\S]*BENCH_SWAP_RATE/);
  });
});
