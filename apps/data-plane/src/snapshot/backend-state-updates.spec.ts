import type { BackendConfig } from '@hotswap/config-snapshot';
import type { BackendState__Output, BackendStates__Output } from '@hotswap/proto';
import { aBackend } from '@hotswap/testing';
import { Logger } from '../observability/logger';
import { BackendStateRegistry } from '../proxy/backend-states';
import { DEFAULT_BREAKER_POLICY } from '../proxy/circuit-breaker';
import { BackendStateUpdates } from './backend-state-updates';

describe('BackendStateUpdates', () => {
  let registry: BackendStateRegistry;
  let updates: BackendStateUpdates;
  const logLines: string[] = [];

  beforeEach(() => {
    registry = new BackendStateRegistry();
    updates = new BackendStateUpdates(registry, new Logger('info', {}, (line) => logLines.push(line)));
  });

  afterEach(() => {
    registry.destroy();
    logLines.length = 0;
  });

  /** Makes the registry hold the backends of a snapshot routing to them, as the applier does. */
  function swapTo(backends: BackendConfig[]): void {
    const swap = registry.beginSwap();
    for (const backend of backends) swap.use(backend, DEFAULT_BREAKER_POLICY);
    swap.commit();
  }

  function state(
    overrides: Partial<BackendState__Output> & { backendId: string; sequence: number },
  ): BackendState__Output {
    return {
      healthStatus: 'Healthy',
      breakerOverride: 'BREAKER_OVERRIDE_NONE',
      updatedAtMs: 1_700_000_000_000,
      ...overrides,
    };
  }

  function message(states: BackendState__Output[], full = false): BackendStates__Output {
    return { full, states };
  }

  it('puts health and forced breaker states in effect: an Unhealthy, Draining or forced-open backend is not usable', () => {
    swapTo([aBackend({ backendId: 'a' }), aBackend({ backendId: 'b' }), aBackend({ backendId: 'c' })]);
    const outcome = updates.apply(
      message([
        state({ backendId: 'a', sequence: 1, healthStatus: 'Unhealthy' }),
        state({ backendId: 'b', sequence: 2, healthStatus: 'Draining' }),
        state({ backendId: 'c', sequence: 3, breakerOverride: 'BREAKER_OVERRIDE_OPEN' }),
      ]),
    );
    expect(outcome).toEqual({ applied: 3, stale: 0, invalid: [] });
    expect(registry.get('a')).toMatchObject({ healthStatus: 'Unhealthy', isUsable: false });
    expect(registry.get('b')).toMatchObject({ healthStatus: 'Draining', isUsable: false });
    expect(registry.get('c')).toMatchObject({ healthStatus: 'Healthy', breakerOverride: 'open', isUsable: false });

    updates.apply(
      message([
        state({ backendId: 'a', sequence: 4 }),
        state({ backendId: 'c', sequence: 5, breakerOverride: 'BREAKER_OVERRIDE_NONE' }),
      ]),
    );
    expect(registry.get('a')).toMatchObject({ healthStatus: 'Healthy', isUsable: true });
    expect(registry.get('c')).toMatchObject({ breakerOverride: null, isUsable: true });
  });

  it('never lets a stale or repeated state override a newer one', () => {
    swapTo([aBackend({ backendId: 'a' })]);
    updates.apply(message([state({ backendId: 'a', sequence: 10, healthStatus: 'Unhealthy' })]));

    const outcome = updates.apply(
      message([
        state({ backendId: 'a', sequence: 9, healthStatus: 'Healthy' }),
        state({ backendId: 'a', sequence: 10, healthStatus: 'Healthy' }),
      ]),
    );
    expect(outcome).toEqual({ applied: 0, stale: 2, invalid: [] });
    expect(registry.get('a')?.healthStatus).toBe('Unhealthy');
    expect(updates.get('a')?.sequence).toBe(10);
  });

  it('keeps its states in effect over a snapshot that carries an older stored health status', () => {
    const backend = aBackend({ backendId: 'a', healthStatus: 'Unknown' });
    swapTo([backend]);
    updates.apply(message([state({ backendId: 'a', sequence: 3, healthStatus: 'Unhealthy' })]));

    swapTo([{ ...backend, healthStatus: 'Healthy', weight: 10 }]);
    updates.reapply();
    expect(registry.get('a')).toMatchObject({ healthStatus: 'Unhealthy', isUsable: false });
  });

  it('holds the state of a backend no snapshot routes to yet, and puts it in effect once one does', () => {
    const outcome = updates.apply(
      message([state({ backendId: 'later', sequence: 1, breakerOverride: 'BREAKER_OVERRIDE_CLOSED' })]),
    );
    expect(outcome.applied).toBe(1);
    expect(registry.get('later')).toBeUndefined();

    swapTo([aBackend({ backendId: 'later' })]);
    updates.reapply();
    expect(registry.get('later')).toMatchObject({ breakerOverride: 'closed', healthStatus: 'Healthy' });
  });

  it('ignores states it cannot understand, with every reason logged, and applies the rest', () => {
    swapTo([aBackend({ backendId: 'a' })]);
    const outcome = updates.apply(
      message([
        state({ backendId: '', sequence: 1 }),
        state({ backendId: 'a', sequence: 2, healthStatus: 'Sleepy' }),
        state({ backendId: 'a', sequence: 3, breakerOverride: 'BREAKER_OVERRIDE_MAYBE' as 'BREAKER_OVERRIDE_NONE' }),
        state({ backendId: 'a', sequence: 4, healthStatus: 'Unhealthy' }),
      ]),
    );
    expect(outcome.applied).toBe(1);
    expect(outcome.invalid).toHaveLength(3);
    expect(registry.get('a')?.healthStatus).toBe('Unhealthy');
    const warning = logLines.map((line) => JSON.parse(line)).find((line) => line.message === 'ignored backend states');
    expect(warning.reasons).toEqual(outcome.invalid);
  });

  it('forgets backends a complete list leaves out', () => {
    updates.apply(message([state({ backendId: 'a', sequence: 1 }), state({ backendId: 'b', sequence: 2 })]));
    updates.apply(message([state({ backendId: 'b', sequence: 2 })], true));
    expect(updates.list().map((s) => s.backendId)).toEqual(['b']);
  });
});
