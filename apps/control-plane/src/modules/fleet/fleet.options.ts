/** Timings of the discovery streams and the fleet view; one set per control-plane replica. */
export interface FleetOptions {
  /** How often each open stream refreshes its data plane's `last_seen_at`. */
  readonly heartbeatMs: number;
  /** A data plane whose row was not refreshed for this long shows as disconnected (its replica died). */
  readonly staleAfterMs: number;
  /** How long a pushed snapshot may stay unanswered before newer versions are pushed regardless. */
  readonly ackTimeoutMs: number;
  /** How long a new stream may stay silent before its Hello is given up on. */
  readonly helloTimeoutMs: number;
  /** How long shutdown waits for streams to close before forcing them. */
  readonly shutdownGraceMs: number;
  /** Backoff bounds of the LISTEN connection's reconnects. */
  readonly listenerBackoffMs: { readonly initial: number; readonly max: number };
}

/** Nest injection token of the FleetOptions. */
export const FLEET_OPTIONS = Symbol('FLEET_OPTIONS');

export const DEFAULT_FLEET_OPTIONS: FleetOptions = Object.freeze({
  heartbeatMs: 10_000,
  staleAfterMs: 30_000,
  ackTimeoutMs: 30_000,
  helloTimeoutMs: 30_000,
  shutdownGraceMs: 5_000,
  listenerBackoffMs: Object.freeze({ initial: 250, max: 10_000 }),
});
