import {
  applyCheckResult,
  effectiveHealthStatus,
  INITIAL_HEALTH_STATE,
  toCheckedStatus,
  withDraining,
  type HealthState,
} from './health-state';

const GUIDE = { healthyThreshold: 2, unhealthyThreshold: 3 };

function run(results: boolean[], from: HealthState = INITIAL_HEALTH_STATE, thresholds = GUIDE): HealthState[] {
  const states: HealthState[] = [];
  let state = from;
  for (const isHealthy of results) {
    state = applyCheckResult(state, isHealthy, thresholds);
    states.push(state);
  }
  return states;
}

describe('the health threshold state machine', () => {
  it('stays Unknown until 2 consecutive successes make a new backend Healthy', () => {
    expect(run([true, true]).map((s) => s.checkedStatus)).toEqual(['Unknown', 'Healthy']);
  });

  it('turns a Healthy backend Unhealthy on the 3rd consecutive failure, not before', () => {
    const healthy = run([true, true]).at(-1)!;
    const states = run([false, false, false], healthy);
    expect(states.map((s) => s.checkedStatus)).toEqual(['Healthy', 'Healthy', 'Unhealthy']);
    expect(states.map((s) => s.consecutiveFailures)).toEqual([1, 2, 3]);
  });

  it('turns an Unhealthy backend Healthy again after 2 consecutive successes', () => {
    const unhealthy = run([false, false, false]).at(-1)!;
    expect(unhealthy.checkedStatus).toBe('Unhealthy');
    expect(run([true, true], unhealthy).map((s) => s.checkedStatus)).toEqual(['Unhealthy', 'Healthy']);
  });

  it('restarts the count on every change of result, so alternating results never flip the status', () => {
    const healthy = run([true, true]).at(-1)!;
    const states = run([false, false, true, false, false, true], healthy);
    expect(states.every((s) => s.checkedStatus === 'Healthy')).toBe(true);
    expect(states.at(-1)).toMatchObject({ consecutiveSuccesses: 1, consecutiveFailures: 0 });
  });

  it('keeps counting past the threshold without changing status', () => {
    const states = run([false, false, false, false, false]);
    expect(states.at(-1)).toMatchObject({
      checkedStatus: 'Unhealthy',
      consecutiveFailures: 5,
      consecutiveSuccesses: 0,
    });
  });

  it('applies thresholds of 1 on the first result', () => {
    const once = { healthyThreshold: 1, unhealthyThreshold: 1 };
    expect(run([false], INITIAL_HEALTH_STATE, once)[0]!.checkedStatus).toBe('Unhealthy');
    expect(run([true], INITIAL_HEALTH_STATE, once)[0]!.checkedStatus).toBe('Healthy');
  });

  it('shows Draining while draining, keeps counting the checks, and restores their verdict when the drain ends', () => {
    const healthy = run([true, true]).at(-1)!;
    const draining = withDraining(healthy, true);
    expect(effectiveHealthStatus(draining)).toBe('Draining');

    const failedWhileDraining = run([false, false, false], draining).at(-1)!;
    expect(effectiveHealthStatus(failedWhileDraining)).toBe('Draining');
    expect(failedWhileDraining.checkedStatus).toBe('Unhealthy');

    expect(effectiveHealthStatus(withDraining(failedWhileDraining, false))).toBe('Unhealthy');
    expect(effectiveHealthStatus(withDraining(healthy, false))).toBe('Healthy');
  });

  it('reads an unexpected stored status as undecided', () => {
    expect(toCheckedStatus('Healthy')).toBe('Healthy');
    expect(toCheckedStatus('Unhealthy')).toBe('Unhealthy');
    expect(toCheckedStatus('Degraded')).toBe('Unknown');
    expect(toCheckedStatus('')).toBe('Unknown');
  });
});
