import { loadBenchSettings } from './bench-settings';

describe('loadBenchSettings', () => {
  it('defaults to 32 connections, 2 s of warm-up and 10 s measured', () => {
    expect(loadBenchSettings({})).toEqual({ seconds: 10, warmupSeconds: 2, connections: 32 });
  });

  it('reads BENCH_SECONDS, BENCH_WARMUP_SECONDS and BENCH_CONNECTIONS', () => {
    expect(loadBenchSettings({ BENCH_SECONDS: '2.5', BENCH_WARMUP_SECONDS: '0', BENCH_CONNECTIONS: '8' })).toEqual({
      seconds: 2.5,
      warmupSeconds: 0,
      connections: 8,
    });
  });

  it('reports every bad variable at once', () => {
    expect(() => loadBenchSettings({ BENCH_SECONDS: 'ten', BENCH_CONNECTIONS: '1.5' })).toThrow(
      /BENCH_SECONDS[\s\S]*BENCH_CONNECTIONS/,
    );
  });
});
