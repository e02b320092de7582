import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { closeBullmq } from '../../common/queues/close-bullmq';
import {
  deploymentJobId,
  type DeploymentJob,
  type DeploymentJobRunner,
  type DeploymentJobScheduler,
} from './deployment-job.scheduler';

/** How long adding a job may wait for Redis. */
const PRODUCER_COMMAND_TIMEOUT_MS = 2_000;

export interface BullMqDeploymentSchedulerOptions {
  readonly redisUrl: string;
  /** Redis key prefix of the queue: replicas of one gateway share it. */
  readonly prefix: string;
  readonly queueName: string;
  readonly logger: { warn(message: string): void };
}

/**
 * Deployment jobs as BullMQ delayed jobs with deterministic ids (kind, deployment, tick): adding one that exists
 * is a no-op, so replicas scheduling the same job on boot agree. Each job runs on one replica's worker.
 */
export class BullMqDeploymentScheduler implements DeploymentJobScheduler {
  readonly kind = 'bullmq';
  failedRuns = 0;
  private queue: Queue<DeploymentJob> | undefined;
  private worker: Worker<DeploymentJob> | undefined;
  private readonly connections: Redis[] = [];

  constructor(private readonly options: BullMqDeploymentSchedulerOptions) {}

  async start(run: DeploymentJobRunner): Promise<void> {
    const { prefix, queueName, logger } = this.options;
    const queue = new Queue<DeploymentJob>(queueName, { connection: this.connect({ isProducer: true }), prefix });
    const worker = new Worker<DeploymentJob>(queueName, (job: Job<DeploymentJob>) => run(job.data), {
      connection: this.connect({ isProducer: false }),
      prefix,
      concurrency: 16,
    });
    queue.on('error', (error) => logger.warn(`deployment queue: ${error.message}`));
    worker.on('error', (error) => logger.warn(`deployment worker: ${error.message}`));
    worker.on('failed', () => this.failedRuns++);
    this.queue = queue;
    this.worker = worker;
    await queue.waitUntilReady();
    await worker.waitUntilReady();
  }

  async schedule(job: DeploymentJob, delayMs: number): Promise<void> {
    await this.queue?.add(job.kind, job, {
      jobId: deploymentJobId(job),
      delay: Math.max(0, delayMs),
      // A failed run is retried: the persisted state says what to do next.
      attempts: 30,
      backoff: { type: 'fixed', delay: 1_000 },
      removeOnComplete: true,
      removeOnFail: 100,
    });
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

  private connect({ isProducer }: { isProducer: boolean }): Redis {
    // BullMQ's blocking commands need maxRetriesPerRequest: null. The queue's own commands (adding a job, from a
    // request or the sweep) fail at once while Redis is unreachable, and in bounded time when it hangs: the state is
    // committed, the sweep schedules the job again once Redis is back.
    const connection = new Redis(this.options.redisUrl, {
      maxRetriesPerRequest: null,
      ...(isProducer ? { enableOfflineQueue: false, commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS } : {}),
    });
    connection.on('error', () => {
      // Reported by the queue and worker 'error' listeners; ioredis reconnects by itself.
    });
    this.connections.push(connection);
    return connection;
  }
}
