/** Settings of the health checks; one set per control-plane replica. */
export interface HealthCheckOptions {
  /** The BullMQ queue of the checks (under REDIS_KEY_PREFIX). */
  readonly queueName: string;
  /** Checks one replica runs at a time (BullMQ worker concurrency). */
  readonly concurrency: number;
  /** Delay before a failed load of states or schedule is retried. */
  readonly retryDelayMs: number;
}

/** Nest injection token of the HealthCheckOptions. */
export const HEALTH_CHECK_OPTIONS = Symbol('HEALTH_CHECK_OPTIONS');

export const DEFAULT_HEALTH_CHECK_OPTIONS: HealthCheckOptions = Object.freeze({
  queueName: 'health-checks',
  concurrency: 64,
  retryDelayMs: 1_000,
});
