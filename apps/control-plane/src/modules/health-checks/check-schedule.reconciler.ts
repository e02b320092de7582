import type { ScheduledCheck } from './backend-state';
import type { HealthCheckScheduler } from './health-check.scheduler';

export interface CheckScheduleReconcilerLogger {
  warn(message: string): void;
}

/**
 * Keeps the scheduler's schedule equal to the checks the database asks for, whenever told the configuration may
 * have changed (a config snapshot was announced, the listener reconnected, startup). Requests arriving during a
 * reconcile collapse into one more; a failure retries after a delay.
 */
export class CheckScheduleReconciler {
  private running: Promise<void> | undefined;
  private isRequested = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private isStopped = false;

  constructor(
    private readonly scheduler: HealthCheckScheduler,
    private readonly loadChecks: () => Promise<ScheduledCheck[]>,
    private readonly logger: CheckScheduleReconcilerLogger,
    private readonly retryDelayMs = 1_000,
  ) {}

  /** Reconciles soon; resolves once a reconcile that started after this call has ended. Never rejects. */
  request(): Promise<void> {
    if (this.isStopped) return Promise.resolve();
    this.isRequested = true;
    this.running ??= this.runUntilSettled().finally(() => {
      this.running = undefined;
      if (this.isRequested && !this.retryTimer) void this.request();
    });
    return this.running;
  }

  stop(): void {
    this.isStopped = true;
    clearTimeout(this.retryTimer);
  }

  private async runUntilSettled(): Promise<void> {
    while (this.isRequested && !this.isStopped) {
      this.isRequested = false;
      try {
        await this.scheduler.reconcile(await this.loadChecks());
      } catch (error) {
        this.logger.warn(`updating the health-check schedule failed, retrying: ${(error as Error).message}`);
        this.scheduleRetry();
        return;
      }
    }
  }

  private scheduleRetry(): void {
    if (this.isStopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.request();
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }
}
