import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';

/** The breaker's thresholds, from the route's `circuitBreaker` (or the guide's defaults). */
export interface BreakerPolicy {
  /** Consecutive failures (connect errors, timeouts, 5xx) that open a closed breaker. */
  readonly failureThreshold: number;
  /** Time open before half-open, in milliseconds. */
  readonly openDurationMs: number;
  /** Successes in half-open that close it; also how many requests half-open lets through at once. */
  readonly successThreshold: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = Object.freeze({
  failureThreshold: 5,
  openDurationMs: 30_000,
  successThreshold: 3,
});

export type BreakerState = 'closed' | 'open' | 'halfOpen';

/** `gateway_circuit_breaker_state` values. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, open: 1, halfOpen: 2 };

/** A breaker's policy as a string: a swap keeps a breaker only when its backend and this key are unchanged. */
export function breakerPolicyKey(policy: BreakerPolicy): string {
  return `${policy.failureThreshold}/${policy.openDurationMs}/${policy.successThreshold}`;
}

/**
 * Opossum starts two interval timers per breaker for its rolling statistics unless given a bucket controller and
 * `enableSnapshots: false`; the counting here is ours, so one controller that never rotates serves every breaker.
 */
const NEVER_ROTATES = new EventEmitter();

/** Never called: the proxy drives the breaker with outcomes, it does not `fire()` actions through it. */
const NO_ACTION = (): undefined => undefined;

/**
 * A circuit breaker for one backend. Opossum opens on an error percentage over a rolling window and closes on the
 * first success in half-open; the guide wants 5 *consecutive* failures to open and 3 successes to close. So the
 * counting is done here, on the hot path, as plain integer updates (no promise or closure per request), and
 * opossum's state machine is driven by hand (`open()`, `close()`) for what it does well: the open → half-open
 * timer after `resetTimeout` and the state events. The opossum instance is created on the first opening, so a
 * backend that never fails costs no timer and no emitter.
 *
 * - closed: every failure adds one, every success resets the count; `failureThreshold` in a row opens.
 * - open: nothing passes; after `openDurationMs` opossum turns it half-open.
 * - half-open: up to `successThreshold` requests at a time pass (checked by the caller against the backend's
 *   in-flight count); `successThreshold` successes close it, any failure reopens it.
 */
export class BackendBreaker {
  state: BreakerState = 'closed';
  /** Failures in a row while closed. */
  consecutiveFailures = 0;
  /** Successes since it turned half-open. */
  halfOpenSuccesses = 0;
  /** Times it opened (for `gateway_circuit_breaker_open_total`). */
  openedCount = 0;
  private opossum: CircuitBreaker | undefined;

  constructor(
    readonly backendId: string,
    readonly policy: BreakerPolicy,
    private readonly onStateChange: (breaker: BackendBreaker) => void,
  ) {}

  get policyKey(): string {
    return breakerPolicyKey(this.policy);
  }

  recordSuccess(): void {
    if (this.state === 'closed') {
      this.consecutiveFailures = 0;
    } else if (this.state === 'halfOpen' && ++this.halfOpenSuccesses >= this.policy.successThreshold) {
      this.opossum?.close();
    }
  }

  recordFailure(): void {
    if (this.state === 'closed') {
      if (++this.consecutiveFailures >= this.policy.failureThreshold) this.machine().open();
    } else if (this.state === 'halfOpen') {
      this.machine().open();
    }
  }

  /** Stops its timer (the backend left the snapshot, or changed). */
  shutdown(): void {
    const opossum = this.opossum;
    this.opossum = undefined;
    opossum?.shutdown();
  }

  private machine(): CircuitBreaker {
    if (this.opossum) return this.opossum;
    const opossum = new CircuitBreaker(NO_ACTION, {
      name: this.backendId,
      resetTimeout: this.policy.openDurationMs,
      timeout: false,
      rotateBucketController: NEVER_ROTATES,
      enableSnapshots: false,
      rollingPercentilesEnabled: false,
    });
    opossum.on('open', () => this.enter('open'));
    opossum.on('halfOpen', () => this.enter('halfOpen'));
    opossum.on('close', () => this.enter('closed'));
    this.opossum = opossum;
    return opossum;
  }

  private enter(state: BreakerState): void {
    if (this.opossum === undefined || state === this.state) return;
    this.state = state;
    this.consecutiveFailures = 0;
    this.halfOpenSuccesses = 0;
    if (state === 'open') this.openedCount++;
    this.onStateChange(this);
  }
}
