import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { closeBullmq } from '../../common/queues/close-bullmq';
import type { ScheduledCheck } from './backend-state';
import type { CheckRunner, HealthCheckScheduler } from './health-check.scheduler';

export interface BullMqCheckSchedulerOptions {
  readonly redisUrl: string;
  /** Redis key prefix of the queue: replicas of one gateway share it. */
  readonly prefix: string;
  readonly queueName: string;
  /** Checks one replica runs at a time. */
  readonly concurrency: number;
  readonly logger: { warn(message: string): void };
}

interface CheckJobData {
  backendId: string;
}

const JOB_NAME = 'health-check';

/**
 * Health checks as BullMQ job schedulers (BullMQ 6's repeatable jobs), one per backend, id = backend id, every =
 * the check's interval. Every replica runs a worker on the same queue and each job goes to one worker, so a backend
 * is probed once per interval however many replicas run. Reconciling is idempotent: replicas doing it at the same
 * time agree, and an unchanged scheduler is left alone.
 */
export class BullMqCheckScheduler implements HealthCheckScheduler {
  readonly kind = 'bullmq';
  failedRuns = 0;
  private queue: Queue<CheckJobData> | undefined;
  private worker: Worker<CheckJobData> | undefined;
  private readonly connections: Redis[] = [];

  constructor(private readonly options: BullMqCheckSchedulerOptions) {}

  async start(run: CheckRunner): Promise<void> {
    const { prefix, queueName, concurrency, logger } = this.options;
    const queue = new Queue<CheckJobData>(queueName, { connection: this.connect(), prefix });
    const worker = new Worker<CheckJobData>(queueName, (job: Job<CheckJobData>) => run(job.data.backendId), {
      connection: this.connect(),
      prefix,
      concurrency,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 100 },
    });
    queue.on('error', (error) => logger.warn(`health-check queue: ${error.message}`));
    worker.on('error', (error) => logger.warn(`health-check worker: ${error.message}`));
    worker.on('failed', () => this.failedRuns++);
    this.queue = queue;
    this.worker = worker;
    await queue.waitUntilReady();
    await worker.waitUntilReady();
  }

  async reconcile(checks: readonly ScheduledCheck[]): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    const existing = new Map(
      (await queue.getJobSchedulers(0, -1)).map((scheduler) => [scheduler.key, scheduler.every ?? undefined]),
    );
    const wanted = new Set<string>();
    for (const { backendId, intervalMs } of checks) {
      wanted.add(backendId);
      if (existing.get(backendId) === intervalMs) continue;
      await queue.upsertJobScheduler(
        backendId,
        { every: intervalMs },
        { name: JOB_NAME, data: { backendId }, opts: { removeOnComplete: true, removeOnFail: 100 } },
      );
    }
    for (const id of existing.keys()) {
      if (!wanted.has(id)) await queue.removeJobScheduler(id);
    }
  }

  async countWaiting(): Promise<number> {
    const counts = await this.queue?.getJobCounts('waiting', 'delayed', 'prioritized');
    return counts === undefined ? 0 : Object.values(counts).reduce((sum, count) => sum + count, 0);
  }

  async stop(): Promise<void> {
    const { worker, queue } = this;
    this.worker = undefined;
    this.queue = undefined;
    await closeBullmq(worker, queue, this.connections.splice(0));
  }

  private connect(): Redis {
    // BullMQ's blocking commands need maxRetriesPerRequest: null.
    const connection = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', () => {
      // Reported by the queue and worker 'error' listeners; ioredis reconnects by itself.
    });
    this.connections.push(connection);
    return connection;
  }
}
