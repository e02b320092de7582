import { computeRatios, formatReport, type TargetMeasurement, type TargetOutcome } from './report';

function aMeasurement(overrides: Partial<TargetMeasurement> & Pick<TargetMeasurement, 'id'>): TargetMeasurement {
  return {
    label: `target ${overrides.id}`,
    processCount: 1,
    requestsPerSecond: 1000,
    latencyMs: { p50: 1, p99: 2, mean: 1.2, max: 5 },
    requests: 10_000,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    cpuMicrosPerRequest: 100,
    backendCpuMicrosPerRequest: 30,
    ...overrides,
  };
}

describe('computeRatios', () => {
  it('divides the data plane targets by the bare proxy and by the direct call', () => {
    const outcomes: TargetOutcome[] = [
      aMeasurement({
        id: 'd',
        requestsPerSecond: 15_000,
        cpuMicrosPerRequest: 40,
        latencyMs: { p50: 2, p99: 6, mean: 2, max: 9 },
      }),
      aMeasurement({ id: 'c', requestsPerSecond: 3_000, cpuMicrosPerRequest: 200 }),
      aMeasurement({
        id: 'a',
        requestsPerSecond: 2_000,
        cpuMicrosPerRequest: 300,
        latencyMs: { p50: 10, p99: 30, mean: 11, max: 50 },
      }),
    ];
    const ratios = computeRatios(outcomes);
    expect(ratios.map((r) => `${r.target}/${r.baseline}`)).toEqual(['a/c', 'a/d']);
    expect(ratios[0]).toMatchObject({ cpuPerRequest: 1.5, throughput: 2_000 / 3_000 });
    expect(ratios[1]).toMatchObject({ cpuPerRequest: 7.5, throughput: 2_000 / 15_000, p50DeltaMs: 8, p99DeltaMs: 24 });
  });

  it('compares the rate-limited data plane with the bare proxy and with the same data plane without it', () => {
    const outcomes: TargetOutcome[] = [
      aMeasurement({ id: 'c', cpuMicrosPerRequest: 200 }),
      aMeasurement({ id: 'a', cpuMicrosPerRequest: 300 }),
      aMeasurement({ id: 'e', cpuMicrosPerRequest: 330 }),
    ];
    const ratios = computeRatios(outcomes);
    expect(ratios.map((r) => `${r.target}/${r.baseline}`)).toEqual(['a/c', 'e/c', 'e/a']);
    expect(ratios[2]?.cpuPerRequest).toBeCloseTo(1.1);
  });

  it('leaves out pairs where one side was not measured', () => {
    const outcomes: TargetOutcome[] = [
      aMeasurement({ id: 'd' }),
      { id: 'c', label: 'bare', error: 'did not start' },
      { id: 'b', label: '10k', error: 'not built' },
      aMeasurement({ id: 'a' }),
    ];
    expect(computeRatios(outcomes).map((r) => `${r.target}/${r.baseline}`)).toEqual(['a/d']);
  });
});

describe('formatReport', () => {
  it('prints one row per target, failures included, then the ratios', () => {
    const outcomes: TargetOutcome[] = [
      aMeasurement({ id: 'd', label: 'direct', requestsPerSecond: 15_234.4 }),
      aMeasurement({ id: 'a', label: 'data plane', cpuMicrosPerRequest: 250 }),
      { id: 'b', label: 'data plane 10k', error: 'not built' },
    ];
    const text = formatReport(outcomes, computeRatios(outcomes));
    expect(text).toContain('(d) direct');
    expect(text).toContain('15,234');
    expect(text).toMatch(/\(b\) data plane 10k\s+not measured: not built/);
    expect(text).toMatch(/\(a\) vs \(d\)\s+2\.50x\s+0\.07x/);
  });
});
