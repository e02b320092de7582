import {
  deploymentJobId,
  type DeploymentJob,
  type DeploymentJobRunner,
  type DeploymentJobScheduler,
} from './deployment-job.scheduler';

const RETRY_DELAY_MS = 1_000;

/** Deployment jobs on timers of this process (no Redis). With several replicas each may run a job: ticks dedupe. */
export class InProcessDeploymentScheduler implements DeploymentJobScheduler {
  readonly kind = 'in-process';
  failedRuns = 0;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private run: DeploymentJobRunner | undefined;

  async start(run: DeploymentJobRunner): Promise<void> {
    this.run = run;
  }

  async schedule(job: DeploymentJob, delayMs: number): Promise<void> {
    const id = deploymentJobId(job);
    if (!this.run || this.timers.has(id)) return;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      const run = this.run;
      if (!run) return;
      // A failed run is retried: the persisted state says what to do next.
      const done = run(job)
        .catch(() => {
          this.failedRuns++;
          return this.schedule(job, RETRY_DELAY_MS);
        })
        .finally(() => this.running.delete(done));
      this.running.add(done);
    }, delayMs);
    timer.unref();
    this.timers.set(id, timer);
  }

  async countWaiting(): Promise<number> {
    return this.timers.size;
  }

  async stop(): Promise<void> {
    this.run = undefined;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.running);
  }
}
