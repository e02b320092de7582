import { defaultPhases, parsePhases, rolloutBatch } from './deployment-plan';

describe('deployment phases', () => {
  it('defaults a canary to 10% and 50% for 5 minutes each, then 100%', () => {
    expect(parsePhases('Canary', undefined)).toEqual({ ok: true, phases: defaultPhases('Canary') });
    expect(defaultPhases('Canary').map((phase) => [phase.trafficPercentage, phase.durationMs])).toEqual([
      [10, 300_000],
      [50, 300_000],
      [100, 0],
    ]);
  });

  it('reads durations written as "PT5M", "5m", "1.5s" or milliseconds', () => {
    const parsed = parsePhases('Canary', [
      { name: 'a', trafficPercentage: 10, duration: 'PT5M' },
      { trafficPercentage: 20, duration: '5m' },
      { trafficPercentage: 30, duration: '1.5s' },
      { trafficPercentage: 100, duration: 250 },
    ]);
    expect(parsed.ok && parsed.phases.map((phase) => [phase.name, phase.durationMs])).toEqual([
      ['a', 300_000],
      ['phase-2', 300_000],
      ['phase-3', 1_500],
      ['phase-4', 250],
    ]);
  });

  it('names every bad field: a percentage outside 0-100, a falling share, a bad duration, an end below 100', () => {
    const parsed = parsePhases('Canary', [
      { trafficPercentage: 50, duration: 'soon' },
      { trafficPercentage: 20 },
      { trafficPercentage: 120 },
      { trafficPercentage: 90 },
    ]);
    expect(!parsed.ok && parsed.issues).toEqual([
      { field: 'phases[0].duration', message: '"soon" is not a duration such as "30s", "5m" or "PT5M"' },
      { field: 'phases[1].trafficPercentage', message: 'must not be below the previous phase' },
      { field: 'phases[2].trafficPercentage', message: 'must be between 0 and 100' },
      { field: 'phases[3].trafficPercentage', message: 'the last phase must be at 100' },
    ]);
    expect(parsePhases('Direct', [{ trafficPercentage: 50 }, { trafficPercentage: 100 }]).ok).toBe(false);
  });

  it('rolls out to one data plane first, then to a share of them, in a stable order', () => {
    const fleet = ['dp-c', 'dp-a', 'dp-b', 'dp-d'];
    expect(rolloutBatch(fleet, 0)).toEqual([]);
    expect(rolloutBatch(fleet, 1)).toEqual(['dp-a']);
    expect(rolloutBatch(fleet, 50)).toEqual(['dp-a', 'dp-b']);
    expect(rolloutBatch(fleet, 100)).toEqual(['dp-a', 'dp-b', 'dp-c', 'dp-d']);
  });
});
