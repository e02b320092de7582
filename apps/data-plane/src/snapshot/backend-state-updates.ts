import { HEALTH_STATUSES, type HealthStatus } from '@hotswap/config-snapshot';
import {
  fromWireBreakerOverride,
  toWireBreakerOverride,
  type BackendStates__Output,
  type ForcedBreakerState,
} from '@hotswap/proto';
import type { Logger } from '../observability/logger';

/** Where backend states take effect: the proxy's backend state registry. */
export interface BackendStateTarget {
  /** Overrides the snapshot's healthStatus; false when the active snapshot does not route to the backend. */
  setHealth(backendId: string, status: HealthStatus): boolean;
  /** Forces the breaker open or closed, or (null) returns it to automatic; false as for setHealth. */
  forceBreaker(backendId: string, override: ForcedBreakerState): boolean;
}

/** A backend's state as the control plane last sent it. */
export interface ControlPlaneBackendState {
  readonly backendId: string;
  readonly healthStatus: HealthStatus;
  readonly breakerOverride: ForcedBreakerState;
  readonly sequence: number;
  readonly updatedAt: Date;
}

/** What one BackendStates message did. */
export interface BackendStatesOutcome {
  /** States newer than those held, now in effect. */
  readonly applied: number;
  /** States not newer than those held, ignored. */
  readonly stale: number;
  /** States that make no sense (unknown status or override, no id), ignored, with why. */
  readonly invalid: readonly string[];
}

const KNOWN_HEALTH = new Set<string>(HEALTH_STATUSES);

/**
 * The control plane's backend states on this data plane (health from its active checks or a drain, an Admin's
 * forced breaker), received on the discovery stream between snapshots. Keeps the newest state per backend by
 * sequence, so a stale or repeated update never overrides a newer one, and puts it in effect on the registry.
 * These states are newer than the healthStatus a snapshot carries (stored when the snapshot was built), so they
 * are put in effect again after every snapshot swap (`reapply`), including for backends a snapshot only starts
 * routing to later.
 */
export class BackendStateUpdates {
  private readonly states = new Map<string, ControlPlaneBackendState>();

  constructor(
    private readonly target: BackendStateTarget,
    private readonly logger: Logger,
    /** Called with every message before it is applied here (a cluster primary passes them on to its workers). */
    private readonly onMessage?: (message: BackendStates__Output) => void,
  ) {}

  apply(message: BackendStates__Output): BackendStatesOutcome {
    this.onMessage?.(message);
    let applied = 0;
    let stale = 0;
    const invalid: string[] = [];
    const listed = new Set<string>();
    for (const wire of message.states) {
      const breakerOverride = fromWireBreakerOverride(wire.breakerOverride);
      if (!wire.backendId) {
        invalid.push('a state without backendId');
        continue;
      }
      listed.add(wire.backendId);
      if (!KNOWN_HEALTH.has(wire.healthStatus) || breakerOverride === undefined) {
        invalid.push(
          `backend ${wire.backendId}: unknown healthStatus "${wire.healthStatus}" or breakerOverride "${wire.breakerOverride}"`,
        );
        continue;
      }
      const held = this.states.get(wire.backendId);
      if (held && held.sequence >= wire.sequence) {
        stale++;
        continue;
      }
      const state: ControlPlaneBackendState = Object.freeze({
        backendId: wire.backendId,
        healthStatus: wire.healthStatus as HealthStatus,
        breakerOverride,
        sequence: wire.sequence,
        updatedAt: new Date(wire.updatedAtMs),
      });
      this.states.set(state.backendId, state);
      this.putInEffect(state);
      applied++;
      if (held && (held.healthStatus !== state.healthStatus || held.breakerOverride !== state.breakerOverride)) {
        this.logger.info(`backend ${state.backendId} is ${state.healthStatus}`, {
          backendId: state.backendId,
          healthStatus: state.healthStatus,
          breakerOverride: state.breakerOverride,
          sequence: state.sequence,
        });
      }
    }
    // A complete list: backends it leaves out are gone from the control plane.
    if (message.full)
      for (const backendId of this.states.keys()) if (!listed.has(backendId)) this.states.delete(backendId);
    if (invalid.length > 0) this.logger.warn('ignored backend states', { reasons: invalid });
    return { applied, stale, invalid };
  }

  /** Puts every held state in effect again (after a snapshot swap). */
  reapply(): void {
    for (const state of this.states.values()) this.putInEffect(state);
  }

  /** Every held state as one complete BackendStates message (what a new cluster worker starts from). */
  toMessage(): BackendStates__Output {
    return {
      full: true,
      states: this.list().map((state) => ({
        backendId: state.backendId,
        healthStatus: state.healthStatus,
        breakerOverride: toWireBreakerOverride(state.breakerOverride),
        sequence: state.sequence,
        updatedAtMs: state.updatedAt.getTime(),
      })),
    };
  }

  /** Every held state, by backend id. */
  list(): ControlPlaneBackendState[] {
    return [...this.states.values()].sort((a, b) =>
      a.backendId < b.backendId ? -1 : a.backendId > b.backendId ? 1 : 0,
    );
  }

  get(backendId: string): ControlPlaneBackendState | undefined {
    return this.states.get(backendId);
  }

  private putInEffect(state: ControlPlaneBackendState): void {
    this.target.setHealth(state.backendId, state.healthStatus);
    this.target.forceBreaker(state.backendId, state.breakerOverride);
  }
}
