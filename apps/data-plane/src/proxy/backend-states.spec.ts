import type { BackendConfig } from '@hotswap/config-snapshot';
import { aBackend, expectEventually } from '@hotswap/testing';
import { BackendStateRegistry, type BackendState } from './backend-states';
import { DEFAULT_BREAKER_POLICY, type BreakerPolicy } from './circuit-breaker';

describe('BackendStateRegistry', () => {
  let registry: BackendStateRegistry;
  const breakerEvents: string[] = [];

  beforeEach(() => {
    registry = new BackendStateRegistry({
      breakerChanged: (backendId, state, hasOpened) => breakerEvents.push(`${backendId}:${state}:${hasOpened}`),
    });
  });

  afterEach(() => {
    registry.destroy();
    breakerEvents.length = 0;
  });

  /** Applies the backend states of a snapshot routing to `backends`, as the applier does. */
  function swapTo(backends: BackendConfig[], policy: BreakerPolicy | null = DEFAULT_BREAKER_POLICY): BackendState[] {
    const swap = registry.beginSwap();
    const states = backends.map((backend) => swap.use(backend, policy));
    swap.commit();
    return states;
  }

  function failTimes(state: BackendState, times: number): void {
    for (let index = 0; index < times; index++) state.breaker?.recordFailure();
  }

  it('makes no agent for a backend until a request needs one, then keeps it across swaps', () => {
    const backend = aBackend({ backendId: 'lazy', url: 'http://127.0.0.1:9001' });
    const [state] = swapTo([backend]);
    expect(state!.hasAgent).toBe(false);
    const agent = state!.agent;
    expect(state!.hasAgent).toBe(true);
    const [after] = swapTo([{ ...backend, weight: 10 }]);
    expect(after!.agent).toBe(agent);
  });

  it('gives a request still holding a retired backend an agent that keeps no idle socket', () => {
    const [gone] = swapTo([aBackend({ backendId: 'gone-lazy', url: 'http://127.0.0.1:9002' })]);
    swapTo([]);
    expect(gone!.hasAgent).toBe(false);
    expect(gone!.agent.maxFreeSockets).toBe(0);
  });

  it('keeps agent, breaker and counters of a backend whose URL, pool and timeouts did not change', () => {
    const backend = aBackend({ backendId: 'kept', url: 'http://127.0.0.1:9001' });
    const [before] = swapTo([backend]);
    before!.totalRequests = 7;
    failTimes(before!, 5);
    const [after] = swapTo([{ ...backend, weight: 50, healthStatus: 'Healthy' }]);
    expect(after).toBe(before);
    expect(after!.agent).toBe(before!.agent);
    expect(after!.breaker?.state).toBe('open');
    expect(after!.totalRequests).toBe(7);
    expect(after!.config.weight).toBe(50);
  });

  it('gives a backend whose URL, pool or timeouts changed a fresh agent, breaker and counters', () => {
    const backend = aBackend({ backendId: 'moved', url: 'http://127.0.0.1:9001' });
    const [first] = swapTo([backend]);
    failTimes(first!, 5);
    const [moved] = swapTo([{ ...backend, url: 'http://127.0.0.1:9002' }]);
    expect(moved).not.toBe(first);
    expect(moved!.agent).not.toBe(first!.agent);
    expect(moved!.breaker?.state).toBe('closed');
    const [pooled] = swapTo([
      { ...backend, url: 'http://127.0.0.1:9002', timeouts: { connectMs: 1000, readMs: 2000 } },
    ]);
    expect(pooled).not.toBe(moved);
  });

  it('resets the breaker, but nothing else, when its policy changes', () => {
    const backend = aBackend({ backendId: 'b' });
    const [first] = swapTo([backend]);
    failTimes(first!, 5);
    const [second] = swapTo([backend], { ...DEFAULT_BREAKER_POLICY, failureThreshold: 2 });
    expect(second).toBe(first);
    expect(second!.breaker?.state).toBe('closed');
    expect(second!.breaker?.policy.failureThreshold).toBe(2);
    swapTo([backend], null);
    expect(second!.breaker).toBeUndefined();
  });

  it('changes nothing before commit', () => {
    const backend = aBackend({ backendId: 'b' });
    swapTo([backend]);
    const swap = registry.beginSwap();
    const state = swap.use({ ...backend, isEnabled: false }, DEFAULT_BREAKER_POLICY);
    expect(state.isUsable).toBe(true);
    swap.commit();
    expect(state.isUsable).toBe(false);
  });

  it('retires the states of backends no longer routed to', () => {
    const [gone] = swapTo([aBackend({ backendId: 'gone' }), aBackend({ backendId: 'stays' })]);
    swapTo([aBackend({ backendId: 'stays' })]);
    expect(registry.get('gone')).toBeUndefined();
    expect(registry.size).toBe(1);
    expect(gone!.agent.maxFreeSockets).toBe(0);
    expect(breakerEvents).toContain('gone:null:false');
  });

  it('overrides the health of a backend until a snapshot changes that backend', () => {
    const backend = aBackend({ backendId: 'b', healthStatus: 'Healthy' });
    const [state] = swapTo([backend]);
    expect(registry.setHealth('b', 'Unhealthy')).toBe(true);
    expect(state!.isUsable).toBe(false);
    expect(state!.view()).toMatchObject({ healthStatus: 'Unhealthy', healthOverride: 'Unhealthy', isAvailable: false });
    swapTo([backend]);
    expect(state!.isUsable).toBe(false);
    swapTo([{ ...backend, healthStatus: 'Degraded' }]);
    expect(state!.healthStatus).toBe('Degraded');
    expect(state!.isUsable).toBe(true);
  });

  it('forces a breaker open or closed until the Admin returns it to automatic', () => {
    const backend = aBackend({ backendId: 'b' });
    const [state] = swapTo([backend]);
    expect(registry.forceBreaker('b', 'open')).toBe(true);
    expect(state!.isSelectable(true)).toBe(false);
    expect(state!.isSelectable(false)).toBe(false);
    swapTo([{ ...backend, url: 'http://127.0.0.1:9009' }]);
    expect(registry.get('b')!.view()).toMatchObject({ breakerState: 'open', breakerOverride: 'open' });
    registry.forceBreaker('b', 'closed');
    const current = registry.get('b')!;
    failTimes(current, 5);
    expect(current.breaker?.state).toBe('open');
    expect(current.isSelectable(true)).toBe(true);
    registry.forceBreaker('b', null);
    expect(current.isSelectable(true)).toBe(false);
    expect(current.isSelectable(false)).toBe(true);
  });

  it('ignores health and breaker overrides for backends it does not know', () => {
    expect(registry.setHealth('nobody', 'Unhealthy')).toBe(false);
    expect(registry.forceBreaker('nobody', 'open')).toBe(false);
  });

  it('lets half-open pass only as many requests at a time as successes it needs', async () => {
    const [state] = swapTo([aBackend({ backendId: 'b' })], {
      failureThreshold: 1,
      openDurationMs: 20,
      successThreshold: 2,
    });
    const breaker = state!.breaker!;
    breaker.recordFailure();
    expect(state!.isSelectable(true)).toBe(false);
    await expectEventually(() => expect(breaker.state).toBe('halfOpen'));
    state!.inFlight = 1;
    expect(state!.isSelectable(true)).toBe(true);
    state!.inFlight = 2;
    expect(state!.isSelectable(true)).toBe(false);
  });
});
