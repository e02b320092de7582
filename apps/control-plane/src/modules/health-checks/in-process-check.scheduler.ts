import type { ScheduledCheck } from './backend-state';
import type { CheckRunner, HealthCheckScheduler } from './health-check.scheduler';

interface Timer {
  intervalMs: number;
  handle: NodeJS.Timeout;
  running: Promise<void> | undefined;
}

/**
 * Health checks on timers of this process (no Redis). Each backend is probed at once when scheduled, then every
 * interval; a probe still running when its next turn comes makes that turn skip, so probes of one backend never
 * overlap. With several replicas, each probes every backend.
 */
export class InProcessCheckScheduler implements HealthCheckScheduler {
  readonly kind = 'in-process';
  /** The runner never rejects. */
  readonly failedRuns = 0;
  private readonly timers = new Map<string, Timer>();
  private run: CheckRunner | undefined;

  async start(run: CheckRunner): Promise<void> {
    this.run = run;
  }

  async reconcile(checks: readonly ScheduledCheck[]): Promise<void> {
    if (!this.run) return;
    const wanted = new Map(checks.map((check) => [check.backendId, check.intervalMs]));
    for (const [backendId, timer] of this.timers) {
      if (wanted.get(backendId) !== timer.intervalMs) {
        clearInterval(timer.handle);
        this.timers.delete(backendId);
      }
    }
    for (const [backendId, intervalMs] of wanted) {
      if (this.timers.has(backendId)) continue;
      const timer: Timer = {
        intervalMs,
        handle: setInterval(() => this.tick(backendId, timer), intervalMs),
        running: undefined,
      };
      timer.handle.unref();
      this.timers.set(backendId, timer);
      this.tick(backendId, timer);
    }
  }

  /** No queue: each backend's check runs on its own timer. */
  async countWaiting(): Promise<number> {
    return 0;
  }

  async stop(): Promise<void> {
    const running = [...this.timers.values()].flatMap((timer) => timer.running ?? []);
    for (const timer of this.timers.values()) clearInterval(timer.handle);
    this.timers.clear();
    this.run = undefined;
    await Promise.all(running);
  }

  private tick(backendId: string, timer: Timer): void {
    const run = this.run;
    if (!run || timer.running) return;
    timer.running = run(backendId).finally(() => {
      timer.running = undefined;
    });
  }
}
