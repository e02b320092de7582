import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { withTimeout } from '../../common/with-timeout';

/** What a job scheduler tells the metrics about its queue. */
export interface JobQueueSource {
  /** Jobs scheduled and not started yet (due or delayed). */
  countWaiting(): Promise<number>;
  /** Job runs that failed in this process since it started. */
  readonly failedRuns: number;
}

/** A scrape waits this long for a queue's count (Redis may be down), then leaves the last value. */
const COUNT_TIMEOUT_MS = 1_000;

/**
 * `gateway_jobs_waiting` and `gateway_jobs_failed_total` by queue, read from the schedulers at scrape time. The
 * deployments and health-check modules `watch` their scheduler (BullMQ with REDIS_URL, in-process timers without).
 */
@Injectable()
export class JobQueueMetrics {
  private readonly queues = new Map<string, JobQueueSource>();

  constructor(@Inject(Registry) registry: Registry) {
    const queues = this.queues;
    new Gauge({
      name: 'gateway_jobs_waiting',
      help: 'Jobs scheduled and not started yet (due or delayed), by queue',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        await Promise.all(
          [...queues].map(async ([queue, source]) => {
            const waiting = await withTimeout(source.countWaiting(), COUNT_TIMEOUT_MS, queue).catch(() => undefined);
            if (waiting !== undefined) this.set({ queue }, waiting);
          }),
        );
      },
    });
    new Counter({
      name: 'gateway_jobs_failed_total',
      help: 'Job runs that failed on this control-plane replica, by queue',
      labelNames: ['queue'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [queue, source] of queues) this.inc({ queue }, source.failedRuns);
      },
    });
  }

  /** Reports `source` as `queue` from now on. */
  watch(queue: string, source: JobQueueSource): void {
    this.queues.set(queue, source);
  }
}
