/**
 * A scheduled piece of work on one deployment. `step`: analyse the phase and advance it when due; `expire`: reject
 * the deployment if its approval is still pending. `tick` is the deployment's tick the job expects: a job that
 * finds another has moved on does nothing.
 */
export interface DeploymentJob {
  readonly kind: 'step' | 'expire';
  readonly deploymentId: string;
  readonly tick: number;
}

import type { JobQueueSource } from '../metrics/job-queue.metrics';

/** Runs one job; never rejects (failures are logged, and the job is scheduled again from persisted state). */
export type DeploymentJobRunner = (job: DeploymentJob) => Promise<void>;

/**
 * Delayed one-shot jobs for deployments. Two implementations: a BullMQ queue shared by every control-plane replica
 * (REDIS_URL set: each job runs once, on one replica, and survives a replica's death), and timers in this process.
 * Unlike the health checks' scheduler (a fixed set of repeating probes reconciled against configuration), these are
 * one-shot jobs keyed by deployment and tick, so the interface is its own.
 */
export interface DeploymentJobScheduler extends JobQueueSource {
  /** `bullmq` or `in-process`. */
  readonly kind: string;
  start(run: DeploymentJobRunner): Promise<void>;
  /** Schedules `job` after `delayMs`; scheduling the same job (kind, deployment, tick) twice runs it once. */
  schedule(job: DeploymentJob, delayMs: number): Promise<void>;
  /** Stops; resolves once the jobs running in this process have finished. */
  stop(): Promise<void>;
}

export const DEPLOYMENT_JOB_SCHEDULER = Symbol('DEPLOYMENT_JOB_SCHEDULER');

/** The job's key: equal for the same kind, deployment and tick. */
export function deploymentJobId(job: DeploymentJob): string {
  // BullMQ refuses ':' in custom job ids.
  return `${job.kind}.${job.deploymentId}.${job.tick}`;
}
