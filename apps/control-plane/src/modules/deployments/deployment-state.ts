/** Where a deployment stands. Completed, Failed, RolledBack and Rejected are final. */
export const DEPLOYMENT_STATUSES = [
  'Pending',
  'Approved',
  'InProgress',
  'Paused',
  'Completed',
  'Failed',
  'RolledBack',
  'Rejected',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<DeploymentStatus> = new Set(['Completed', 'Failed', 'RolledBack', 'Rejected']);

/** Whether a deployment in this status still holds its route (one active deployment per route). */
export function isActive(status: DeploymentStatus): boolean {
  return !FINAL_STATUSES.has(status);
}

/** The persisted state the machine moves: status and phase. */
export interface DeploymentState {
  readonly status: DeploymentStatus;
  /** Index into the plan's phases; meaningful from InProgress on. */
  readonly phaseIndex: number;
  /** Number of phases in the plan (at least 1; the last one is at 100%). */
  readonly phaseCount: number;
  readonly requiresApproval: boolean;
}

/**
 * What can happen to a deployment. `advance` and `hold` name the phase they expect, so that a job delivered twice,
 * or run by two replicas, moves the deployment at most once.
 */
export type DeploymentEvent =
  | { type: 'approve'; reason: string }
  | { type: 'reject'; reason: string }
  | { type: 'expire'; reason: string }
  | { type: 'start'; reason: string }
  | { type: 'advance'; expectedPhaseIndex: number; reason: string }
  | { type: 'promote'; toPhaseIndex: number; reason: string }
  | { type: 'pause'; reason: string }
  | { type: 'resume'; reason: string }
  | { type: 'rollback'; reason: string }
  | { type: 'fail'; reason: string };

/** One move of the machine, as the history records it. */
export interface DeploymentTransition {
  readonly event: DeploymentEvent['type'];
  readonly fromStatus: DeploymentStatus;
  readonly toStatus: DeploymentStatus;
  readonly fromPhaseIndex: number;
  readonly toPhaseIndex: number;
  readonly reason: string;
}

export type TransitionResult =
  | { ok: true; state: DeploymentState; transition: DeploymentTransition }
  /** `stale`: the event expected another phase (a duplicate job): nothing to do, not an error for the caller. */
  | { ok: false; kind: 'invalid' | 'stale'; message: string };

/**
 * The deployment state machine: Pending → (Approved, where approval is required) → InProgress ⇄ Paused →
 * Completed | Failed | RolledBack; a pending deployment can also be Rejected (by a person or by expiry).
 * Pure: the caller persists the new state and the transition in one transaction.
 */
export function transition(state: DeploymentState, event: DeploymentEvent): TransitionResult {
  const { status, phaseIndex } = state;
  const lastPhase = state.phaseCount - 1;
  const to = (toStatus: DeploymentStatus, toPhaseIndex = phaseIndex): TransitionResult => ({
    ok: true,
    state: { ...state, status: toStatus, phaseIndex: toPhaseIndex },
    transition: {
      event: event.type,
      fromStatus: status,
      toStatus,
      fromPhaseIndex: phaseIndex,
      toPhaseIndex,
      reason: event.reason,
    },
  });
  const invalid = (why = `a ${status} deployment cannot ${event.type}`): TransitionResult => ({
    ok: false,
    kind: 'invalid',
    message: why,
  });

  switch (event.type) {
    case 'approve':
      if (status !== 'Pending') return invalid();
      if (!state.requiresApproval) return invalid('this deployment does not require approval');
      return to('Approved');
    case 'reject':
    case 'expire':
      return status === 'Pending' && state.requiresApproval ? to('Rejected') : invalid();
    case 'start':
      if (status === 'Approved' || (status === 'Pending' && !state.requiresApproval)) return to('InProgress', 0);
      return invalid(status === 'Pending' ? 'the deployment awaits approval' : undefined);
    case 'advance':
      if (status !== 'InProgress' || event.expectedPhaseIndex !== phaseIndex) {
        return {
          ok: false,
          kind: 'stale',
          message: `expected phase ${event.expectedPhaseIndex} in progress; the deployment is ${status} at phase ${phaseIndex}`,
        };
      }
      return phaseIndex >= lastPhase ? to('Completed') : to('InProgress', phaseIndex + 1);
    case 'promote':
      if (status !== 'InProgress' && status !== 'Paused') return invalid();
      if (event.toPhaseIndex <= phaseIndex || event.toPhaseIndex > lastPhase) {
        return invalid(`phase ${event.toPhaseIndex} is not ahead of the current phase ${phaseIndex}`);
      }
      return to(status, event.toPhaseIndex);
    case 'pause':
      return status === 'InProgress' ? to('Paused') : invalid();
    case 'resume':
      return status === 'Paused' ? to('InProgress') : invalid();
    case 'rollback':
      return isActive(status) ? to('RolledBack') : invalid();
    case 'fail':
      return status === 'InProgress' || status === 'Paused' ? to('Failed') : invalid();
  }
}
