import type { HealthStatus } from '@hotswap/config-snapshot';

/** What the active checks alone say of a backend. `Degraded` is never produced by them. */
export type CheckedStatus = 'Unknown' | 'Healthy' | 'Unhealthy';

/** The health of one backend as the threshold state machine sees it. */
export interface HealthState {
  readonly checkedStatus: CheckedStatus;
  /** An operator's drain: shown as `Draining` whatever the checks say; the checks keep counting meanwhile. */
  readonly isDraining: boolean;
  readonly consecutiveSuccesses: number;
  readonly consecutiveFailures: number;
}

export interface HealthThresholds {
  /** Consecutive successes that make a backend that is not Healthy Healthy. */
  readonly healthyThreshold: number;
  /** Consecutive failures that make a backend that is not Unhealthy Unhealthy. */
  readonly unhealthyThreshold: number;
}

export const INITIAL_HEALTH_STATE: HealthState = Object.freeze({
  checkedStatus: 'Unknown',
  isDraining: false,
  consecutiveSuccesses: 0,
  consecutiveFailures: 0,
});

const MAX_COUNT = 2_147_483_647;

/**
 * The state after one check. A success resets the failures and counts towards `healthyThreshold`; a failure
 * resets the successes and counts towards `unhealthyThreshold`. A backend changes status only when its count
 * reaches the threshold, so a single blip never flips it; `Unknown` (never decided) stays until one threshold is
 * reached.
 */
export function applyCheckResult(state: HealthState, isHealthy: boolean, thresholds: HealthThresholds): HealthState {
  if (isHealthy) {
    const consecutiveSuccesses = Math.min(MAX_COUNT, state.consecutiveSuccesses + 1);
    const checkedStatus = consecutiveSuccesses >= thresholds.healthyThreshold ? 'Healthy' : state.checkedStatus;
    return { ...state, checkedStatus, consecutiveSuccesses, consecutiveFailures: 0 };
  }
  const consecutiveFailures = Math.min(MAX_COUNT, state.consecutiveFailures + 1);
  const checkedStatus = consecutiveFailures >= thresholds.unhealthyThreshold ? 'Unhealthy' : state.checkedStatus;
  return { ...state, checkedStatus, consecutiveSuccesses: 0, consecutiveFailures };
}

/** Starts or ends a drain; the checks' verdict is kept, so ending a drain restores it. */
export function withDraining(state: HealthState, isDraining: boolean): HealthState {
  return { ...state, isDraining };
}

/** The status data planes and the API see: `Draining` while draining, else the checks' verdict. */
export function effectiveHealthStatus(state: HealthState): HealthStatus {
  return state.isDraining ? 'Draining' : state.checkedStatus;
}

/** Reads a stored checked status; anything unexpected counts as undecided. */
export function toCheckedStatus(value: string): CheckedStatus {
  return value === 'Healthy' || value === 'Unhealthy' ? value : 'Unknown';
}
