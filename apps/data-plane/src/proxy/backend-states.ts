import type { BackendConfig, HealthStatus } from '@hotswap/config-snapshot';
import { createBackendAgent, type BackendAgent } from './backend-agents';
import { BackendBreaker, breakerPolicyKey, type BreakerPolicy, type BreakerState } from './circuit-breaker';

/** An Admin's override of a backend's breaker: forced open, forced closed, or `null` (automatic). */
export type BreakerOverride = 'open' | 'closed' | null;

const UNAVAILABLE_HEALTH: ReadonlySet<HealthStatus> = new Set(['Unhealthy', 'Draining']);

/** What the registry reports about one backend (status endpoints, telemetry, health REST). */
export interface BackendStateView {
  readonly backendId: string;
  /** The snapshot's healthStatus, or the override set by `setHealth` since. */
  readonly healthStatus: HealthStatus;
  readonly healthOverride: HealthStatus | null;
  readonly isEnabled: boolean;
  /** Whether the balancers may pick it now (enabled, not Unhealthy/Draining, breaker not open). */
  readonly isAvailable: boolean;
  /** `closed` when the backend has no breaker (no route uses one for it). */
  readonly breakerState: BreakerState;
  readonly breakerOverride: BreakerOverride;
  /** Requests being forwarded to it right now (LeastConnections reads this). */
  readonly activeConnections: number;
  readonly totalRequests: number;
  readonly failedRequests: number;
}

/** Told when a backend's breaker changes state, or a breaker appears or goes away (metrics). */
export interface BackendStateListener {
  breakerChanged(backendId: string, state: BreakerState | null, hasOpened: boolean): void;
}

/**
 * The live state of one backend: what must outlive a snapshot swap while the backend's connection-relevant config
 * (URL, connection pool, timeouts) stays the same: its keep-alive agent, breaker, counters and overrides. The hot
 * path reads `isUsable`, `breaker` and `inFlight` and updates the counters; nothing else. The agent is created on
 * the first request that needs it: 100,000 backends cost no agent until they are called.
 */
export class BackendState {
  /** Forwarded requests not yet finished. */
  inFlight = 0;
  totalRequests = 0;
  failedRequests = 0;
  /** Enabled, and its effective health is neither Unhealthy nor Draining, and its breaker is not forced open. */
  isUsable = false;
  breaker: BackendBreaker | undefined = undefined;
  healthOverride: HealthStatus | null = null;
  breakerOverride: BreakerOverride = null;
  private configValue: BackendConfig;
  private agentValue: BackendAgent | undefined;
  private isRetired = false;

  constructor(config: BackendConfig) {
    this.configValue = config;
    this.refresh();
  }

  /**
   * Its keep-alive agent, created on first use from the config the state was made for (same URL, pool, timeouts).
   * One first asked for after the state was retired (a request still holding the old snapshot) keeps no socket.
   */
  get agent(): BackendAgent {
    let agent = this.agentValue;
    if (agent === undefined) {
      agent = createBackendAgent(this.configValue);
      if (this.isRetired) agent.retire();
      this.agentValue = agent;
    }
    return agent;
  }

  /** Whether a request has needed its agent yet. */
  get hasAgent(): boolean {
    return this.agentValue !== undefined;
  }

  /** Lets in-flight requests finish and closes its connections after. */
  retireAgent(): void {
    this.isRetired = true;
    this.agentValue?.retire();
  }

  /** Closes its connections now (shutdown). */
  destroyAgent(): void {
    this.isRetired = true;
    this.agentValue?.destroy();
  }

  get backendId(): string {
    return this.configValue.backendId;
  }

  get config(): BackendConfig {
    return this.configValue;
  }

  get healthStatus(): HealthStatus {
    return this.healthOverride ?? this.configValue.healthStatus;
  }

  /**
   * Whether a request may go to it now, for a route that uses breakers (`usesBreaker`). Half-open lets through as
   * many requests at a time as successes it needs to close.
   */
  isSelectable(usesBreaker: boolean): boolean {
    if (!this.isUsable) return false;
    const breaker = this.breaker;
    if (!usesBreaker || breaker === undefined || this.breakerOverride === 'closed') return true;
    const state = breaker.state;
    return state === 'closed' || (state === 'halfOpen' && this.inFlight < breaker.policy.successThreshold);
  }

  /** Recomputes `isUsable` after a config, health or override change. */
  refresh(): void {
    const config = this.configValue;
    this.isUsable = config.isEnabled && !UNAVAILABLE_HEALTH.has(this.healthStatus) && this.breakerOverride !== 'open';
  }

  /** Takes a new snapshot's config of the same identity; a changed config drops the health override. */
  updateConfig(config: BackendConfig): void {
    if (!isSameConfig(this.configValue, config)) this.healthOverride = null;
    this.configValue = config;
    this.refresh();
  }

  /** Whether `view()` would equal `view` (an earlier view of this state), without making one. */
  isViewUnchanged(view: BackendStateView): boolean {
    return (
      view.activeConnections === this.inFlight &&
      view.totalRequests === this.totalRequests &&
      view.failedRequests === this.failedRequests &&
      view.healthOverride === this.healthOverride &&
      view.breakerOverride === this.breakerOverride &&
      view.healthStatus === this.healthStatus &&
      view.isEnabled === this.configValue.isEnabled &&
      view.breakerState === (this.breakerOverride ?? this.breaker?.state ?? 'closed') &&
      view.isAvailable === this.isSelectable(true) &&
      view.backendId === this.backendId
    );
  }

  view(): BackendStateView {
    const breakerState = this.breaker?.state ?? 'closed';
    return {
      backendId: this.backendId,
      healthStatus: this.healthStatus,
      healthOverride: this.healthOverride,
      isEnabled: this.configValue.isEnabled,
      isAvailable: this.isSelectable(true),
      breakerState: this.breakerOverride === null ? breakerState : this.breakerOverride,
      breakerOverride: this.breakerOverride,
      activeConnections: this.inFlight,
      totalRequests: this.totalRequests,
      failedRequests: this.failedRequests,
    };
  }
}

/**
 * The backends' live state, by backend id, across snapshot swaps. The compiler asks it for the state of every
 * backend a new snapshot routes to (`beginSwap().use(...)`): a backend whose URL, pool and timeouts did not change
 * keeps its state object (agent, breaker unless its policy changed, counters, overrides); one that changed or is
 * new gets a fresh one. Nothing visible changes until `commit()`, which the applier calls in the same tick as the
 * snapshot swap; it also retires the states no longer used (their agents close once idle, their breakers stop).
 * A swap begun from the last committed one (`beginSwapFrom`) is told only what differs (`use` for the backends
 * added, changed or whose breaker may have changed, `release` for those no longer routed to): the others keep their
 * state as it is, so a one-backend change costs one backend.
 *
 * The control plane's side (health updates and breaker overrides arriving on the stream) calls:
 * - `setHealth(backendId, status)`: overrides the snapshot's healthStatus until a snapshot arrives in which that
 *   backend's config differs from the previous snapshot's (that snapshot is then authoritative again);
 * - `forceBreaker(backendId, 'open' | 'closed' | null)`: an Admin override of the breaker; `null` returns it to
 *   automatic. It holds across swaps while the backend stays in the snapshot.
 * Both return false (and do nothing) for a backend the active snapshot does not route to; both take effect on the
 * next request.
 */
export class BackendStateRegistry {
  private readonly states = new Map<string, BackendState>();
  private readonly live: LiveStates;

  constructor(listener?: BackendStateListener) {
    this.live = { states: this.states, listener, lastCommitted: undefined, inIdOrder: undefined };
  }

  /** Starts preparing the states of the snapshot being compiled: every backend it routes to must be `use`d. */
  beginSwap(): BackendStatesSwap {
    return new BackendStatesSwap(this.live, undefined);
  }

  /**
   * Starts preparing the states of a snapshot that differs from the one `base` was committed with only in the
   * backends it will `use` or `release`; `undefined` when `base` is not the swap committed last (then: `beginSwap`).
   */
  beginSwapFrom(base: BackendStatesSwap): BackendStatesSwap | undefined {
    return this.live.lastCommitted === base ? new BackendStatesSwap(this.live, base) : undefined;
  }

  setHealth(backendId: string, status: HealthStatus): boolean {
    const state = this.states.get(backendId);
    if (state === undefined) return false;
    state.healthOverride = status;
    state.refresh();
    return true;
  }

  forceBreaker(backendId: string, override: BreakerOverride): boolean {
    const state = this.states.get(backendId);
    if (state === undefined) return false;
    state.breakerOverride = override;
    state.refresh();
    return true;
  }

  get(backendId: string): BackendState | undefined {
    return this.states.get(backendId);
  }

  views(): BackendStateView[] {
    return [...this.states.values()].map((state) => state.view());
  }

  /** The live states in backend id order; sorted again only after a swap that adds, replaces or removes one. */
  statesInIdOrder(): readonly BackendState[] {
    let sorted = this.live.inIdOrder;
    if (sorted === undefined) {
      sorted = [...this.states.values()].sort((a, b) =>
        a.backendId < b.backendId ? -1 : a.backendId > b.backendId ? 1 : 0,
      );
      this.live.inIdOrder = sorted;
    }
    return sorted;
  }

  get size(): number {
    return this.states.size;
  }

  /** Backends of the active snapshot the balancers may pick (enabled, not Unhealthy/Draining, breaker not open). */
  countSelectable(): number {
    let count = 0;
    for (const state of this.states.values()) {
      if (state.isUsable && (state.breakerOverride === 'closed' || state.breaker?.state !== 'open')) count++;
    }
    return count;
  }

  /** Closes every connection and stops every breaker (shutdown). */
  destroy(): void {
    for (const state of this.states.values()) {
      state.destroyAgent();
      state.breaker?.shutdown();
    }
    this.states.clear();
    this.live.lastCommitted = undefined;
    this.live.inIdOrder = undefined;
  }
}

/** The registry's states, shared with its swaps. */
interface LiveStates {
  readonly states: Map<string, BackendState>;
  readonly listener: BackendStateListener | undefined;
  /** The swap whose states are live (a swap begun from it may list only what differs). */
  lastCommitted: BackendStatesSwap | undefined;
  /** The states sorted by backend id; `undefined` once a state was added, replaced or removed. */
  inIdOrder: readonly BackendState[] | undefined;
}

/** The backend states of one snapshot being compiled; see {@link BackendStateRegistry}. */
export class BackendStatesSwap {
  /** By backend id: the state the new snapshot uses, with the config and breaker policy it takes at commit. */
  private readonly used = new Map<
    string,
    { state: BackendState; config: BackendConfig; policy: BreakerPolicy | null }
  >();
  /** Begun from `base`: backends the new snapshot no longer routes to (the others not `use`d keep their state). */
  private readonly released = new Set<string>();
  private isCommitted = false;

  constructor(
    private readonly live: LiveStates,
    private readonly base: BackendStatesSwap | undefined,
  ) {}

  /**
   * The state for `backend` in the new snapshot, with a breaker of `policy` (`null`: none). Call once per backend
   * the snapshot routes to (begun from a base: per backend added or changed, or whose breaker may have changed).
   */
  use(backend: BackendConfig, policy: BreakerPolicy | null): BackendState {
    const found = this.used.get(backend.backendId);
    if (found) return found.state;
    const current = this.live.states.get(backend.backendId);
    const state =
      current !== undefined && hasSameIdentity(current.config, backend) ? current : new BackendState(backend);
    this.used.set(backend.backendId, { state, config: backend, policy });
    return state;
  }

  /** Begun from a base: the new snapshot routes to this backend no more (ignored if it is also `use`d). */
  release(backendId: string): void {
    this.released.add(backendId);
  }

  /** Makes the new states live: call right after the snapshot swap, never twice. */
  commit(): void {
    if (this.isCommitted) throw new Error('backend states already committed');
    if (this.base !== undefined && this.live.lastCommitted !== this.base) {
      throw new Error('backend states prepared against states that are no longer live');
    }
    this.isCommitted = true;
    this.live.lastCommitted = this;
    if (this.base === undefined) this.commitAll();
    else this.commitChanges();
  }

  private commitAll(): void {
    this.live.inIdOrder = undefined;
    const live = this.live.states;
    const replacedOverrides = new Map<string, BreakerOverride>();
    for (const [backendId, state] of live) {
      const next = this.used.get(backendId);
      if (next?.state === state) continue;
      live.delete(backendId);
      if (next !== undefined) replacedOverrides.set(backendId, state.breakerOverride);
      this.retire(state);
    }
    for (const [backendId, { state, config, policy }] of this.used) {
      const current = live.get(backendId);
      if (current === state) {
        state.updateConfig(config);
      } else {
        live.set(backendId, state);
        // A replaced backend's Admin override still applies to what replaced it.
        state.breakerOverride = replacedOverrides.get(backendId) ?? null;
        state.refresh();
      }
      this.attachBreaker(state, policy);
    }
  }

  private commitChanges(): void {
    const live = this.live.states;
    for (const backendId of this.released) {
      const state = live.get(backendId);
      if (state === undefined || this.used.has(backendId)) continue;
      live.delete(backendId);
      this.live.inIdOrder = undefined;
      this.retire(state);
    }
    for (const [backendId, { state, config, policy }] of this.used) {
      const current = live.get(backendId);
      if (current === state) {
        state.updateConfig(config);
      } else {
        if (current !== undefined) this.retire(current);
        live.set(backendId, state);
        this.live.inIdOrder = undefined;
        state.breakerOverride = current?.breakerOverride ?? null;
        state.refresh();
      }
      this.attachBreaker(state, policy);
    }
  }

  /** Its agent closes once idle; its breaker stops. */
  private retire(state: BackendState): void {
    state.retireAgent();
    if (state.breaker) {
      state.breaker.shutdown();
      this.live.listener?.breakerChanged(state.backendId, null, false);
    }
  }

  private attachBreaker(state: BackendState, policy: BreakerPolicy | null): void {
    const breaker = state.breaker;
    if (policy === null) {
      if (breaker === undefined) return;
      breaker.shutdown();
      state.breaker = undefined;
      this.live.listener?.breakerChanged(state.backendId, null, false);
      return;
    }
    if (breaker !== undefined && (breaker.policy === policy || breaker.policyKey === breakerPolicyKey(policy))) return;
    breaker?.shutdown();
    const listener = this.live.listener;
    state.breaker = new BackendBreaker(state.backendId, policy, (changed) => {
      if (state.breaker === changed)
        listener?.breakerChanged(changed.backendId, changed.state, changed.state === 'open');
    });
    listener?.breakerChanged(state.backendId, 'closed', false);
  }
}

/** Whether two configs of a backend share what its connections depend on (URL, pool, timeouts): else a new state. */
function hasSameIdentity(a: BackendConfig, b: BackendConfig): boolean {
  if (a === b) return true;
  const [poolA, poolB] = [a.connectionPool, b.connectionPool];
  const [timeoutsA, timeoutsB] = [a.timeouts, b.timeouts];
  return (
    a.url === b.url &&
    (poolA === poolB ||
      (poolA !== null &&
        poolB !== null &&
        poolA.maxConnections === poolB.maxConnections &&
        poolA.maxIdleConnections === poolB.maxIdleConnections &&
        poolA.idleTimeoutMs === poolB.idleTimeoutMs)) &&
    (timeoutsA === timeoutsB ||
      (timeoutsA !== null &&
        timeoutsB !== null &&
        timeoutsA.connectMs === timeoutsB.connectMs &&
        timeoutsA.readMs === timeoutsB.readMs))
  );
}

function isSameConfig(a: BackendConfig, b: BackendConfig): boolean {
  return (
    a === b ||
    (a.name === b.name &&
      a.weight === b.weight &&
      a.isEnabled === b.isEnabled &&
      a.healthStatus === b.healthStatus &&
      hasSameIdentity(a, b) &&
      (a.healthCheck === b.healthCheck || JSON.stringify(a.healthCheck) === JSON.stringify(b.healthCheck)))
  );
}
