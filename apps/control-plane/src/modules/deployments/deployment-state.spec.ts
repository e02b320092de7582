import { transition, type DeploymentEvent, type DeploymentState } from './deployment-state';

const canary: DeploymentState = { status: 'Pending', phaseIndex: 0, phaseCount: 3, requiresApproval: false };

function run(state: DeploymentState, ...events: DeploymentEvent[]): DeploymentState {
  return events.reduce((current, event) => {
    const result = transition(current, event);
    if (!result.ok) throw new Error(result.message);
    return result.state;
  }, state);
}

describe('deployment state machine', () => {
  it('runs a canary through its phases to Completed, recording each transition with its reason', () => {
    const started = run(canary, { type: 'start', reason: 'created' });
    expect(started).toMatchObject({ status: 'InProgress', phaseIndex: 0 });
    const next = transition(started, { type: 'advance', expectedPhaseIndex: 0, reason: 'phase 0 healthy' });
    expect(next).toEqual({
      ok: true,
      state: { ...started, phaseIndex: 1 },
      transition: {
        event: 'advance',
        fromStatus: 'InProgress',
        toStatus: 'InProgress',
        fromPhaseIndex: 0,
        toPhaseIndex: 1,
        reason: 'phase 0 healthy',
      },
    });
    const done = run(
      started,
      { type: 'advance', expectedPhaseIndex: 0, reason: 'ok' },
      { type: 'advance', expectedPhaseIndex: 1, reason: 'ok' },
      { type: 'advance', expectedPhaseIndex: 2, reason: 'ok' },
    );
    expect(done).toMatchObject({ status: 'Completed', phaseIndex: 2 });
  });

  it('treats an advance for another phase as stale: a redelivered job moves nothing', () => {
    const atOne = run(canary, { type: 'start', reason: '' }, { type: 'advance', expectedPhaseIndex: 0, reason: '' });
    expect(transition(atOne, { type: 'advance', expectedPhaseIndex: 0, reason: 'again' })).toMatchObject({
      ok: false,
      kind: 'stale',
    });
    const paused = run(atOne, { type: 'pause', reason: 'look' });
    expect(transition(paused, { type: 'advance', expectedPhaseIndex: 1, reason: '' })).toMatchObject({
      ok: false,
      kind: 'stale',
    });
  });

  it('needs approval where required: Pending → Approved → InProgress, or Rejected (also by expiry)', () => {
    const gated = { ...canary, requiresApproval: true };
    expect(transition(gated, { type: 'start', reason: '' })).toMatchObject({
      ok: false,
      kind: 'invalid',
      message: 'the deployment awaits approval',
    });
    expect(run(gated, { type: 'approve', reason: 'lgtm' }, { type: 'start', reason: '' }).status).toBe('InProgress');
    expect(run(gated, { type: 'reject', reason: 'no' }).status).toBe('Rejected');
    expect(run(gated, { type: 'expire', reason: '24h' }).status).toBe('Rejected');
    expect(transition(canary, { type: 'approve', reason: '' })).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('pauses and resumes, promotes ahead only, and rolls back from any active status but not a final one', () => {
    const started = run(canary, { type: 'start', reason: '' });
    expect(run(started, { type: 'pause', reason: '' }, { type: 'resume', reason: '' }).status).toBe('InProgress');
    expect(run(started, { type: 'promote', toPhaseIndex: 2, reason: '' })).toMatchObject({ phaseIndex: 2 });
    expect(transition(started, { type: 'promote', toPhaseIndex: 0, reason: '' }).ok).toBe(false);
    expect(transition(started, { type: 'promote', toPhaseIndex: 3, reason: '' }).ok).toBe(false);
    expect(run(canary, { type: 'rollback', reason: 'bad' }).status).toBe('RolledBack');
    const rolledBack = run(started, { type: 'rollback', reason: 'errors' });
    expect(rolledBack.status).toBe('RolledBack');
    for (const type of ['rollback', 'pause', 'resume', 'fail'] as const) {
      expect(transition(rolledBack, { type, reason: '' })).toMatchObject({ ok: false, kind: 'invalid' });
    }
    expect(transition(rolledBack, { type: 'promote', toPhaseIndex: 2, reason: '' }).ok).toBe(false);
  });
});
