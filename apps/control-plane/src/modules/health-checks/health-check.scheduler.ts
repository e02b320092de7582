import type { JobQueueSource } from '../metrics/job-queue.metrics';
import type { ScheduledCheck } from './backend-state';

/** Probes one backend and records the result; never rejects. */
export type CheckRunner = (backendId: string) => Promise<void>;

/**
 * Runs each scheduled backend's check once per interval. Two implementations: BullMQ job schedulers shared by
 * every control-plane replica (REDIS_URL set: each backend probed once per interval whatever the number of
 * replicas), and timers in this process (no Redis: every replica probes every backend).
 */
export interface HealthCheckScheduler extends JobQueueSource {
  /** `bullmq` or `in-process`, for logs and the health endpoint. */
  readonly kind: string;
  /** Starts calling `run` for the checks of the schedule. */
  start(run: CheckRunner): Promise<void>;
  /** Makes the schedule exactly these checks: adds the new, reschedules a changed interval, drops the others. */
  reconcile(checks: readonly ScheduledCheck[]): Promise<void>;
  /** Stops scheduling; resolves once the checks running in this process have finished. */
  stop(): Promise<void>;
}

/** Nest injection token of the HealthCheckScheduler. */
export const HEALTH_CHECK_SCHEDULER = Symbol('HEALTH_CHECK_SCHEDULER');
