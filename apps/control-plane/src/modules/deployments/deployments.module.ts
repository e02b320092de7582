import { Inject, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { sqlQueryOf } from '../../database/data-source';
import { JobQueueMetrics } from '../metrics/job-queue.metrics';
import { SnapshotsModule } from '../snapshots/snapshots.module';
import { BullMqDeploymentScheduler } from './bullmq-deployment.scheduler';
import { DEPLOYMENT_JOB_SCHEDULER, type DeploymentJobScheduler } from './deployment-job.scheduler';
import { DeploymentMetrics } from './deployment.metrics';
import { DeploymentsController } from './deployments.controller';
import { DeploymentsService } from './deployments.service';
import { InProcessDeploymentScheduler } from './in-process-deployment.scheduler';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { TelemetryService } from '../telemetry/telemetry.service';
import { VARIANT_METRICS_SOURCE, type VariantMetricsSource } from './variant-metrics.source';

const logger = new Logger('Deployments');
const SWEEP_MIN_MS = 1_000;
const DEPLOYMENT_QUEUE = 'deployments';

/**
 * Deployments: REST, the persisted state machine judged by telemetry (stable against canary of the route since the
 * phase started), and its jobs (phase advances, analyses, approval expiry) on
 * BullMQ when REDIS_URL is set, else on timers in process. On boot, every deployment waiting for a job gets it
 * again, so a restart resumes where the deployment stood.
 */
@Module({
  imports: [SnapshotsModule, TelemetryModule],
  controllers: [DeploymentsController],
  providers: [
    DeploymentsService,
    {
      provide: DeploymentMetrics,
      inject: [Registry, DataSource],
      useFactory: (registry: Registry, dataSource: DataSource) =>
        new DeploymentMetrics(registry, sqlQueryOf(dataSource.manager)),
    },
    {
      provide: VARIANT_METRICS_SOURCE,
      inject: [TelemetryService],
      useFactory: (telemetry: TelemetryService): VariantMetricsSource => ({
        async compareVariants(routeId, sinceMs) {
          const { stable, canary } = await telemetry.compareVariants(routeId, sinceMs);
          return { stable, canary };
        },
      }),
    },
    {
      provide: DEPLOYMENT_JOB_SCHEDULER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): DeploymentJobScheduler =>
        config.redisUrl
          ? new BullMqDeploymentScheduler({
              redisUrl: config.redisUrl,
              prefix: config.redisKeyPrefix,
              queueName: DEPLOYMENT_QUEUE,
              logger,
            })
          : new InProcessDeploymentScheduler(),
    },
  ],
  exports: [DeploymentsService],
})
export class DeploymentsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    @Inject(DEPLOYMENT_JOB_SCHEDULER) private readonly scheduler: DeploymentJobScheduler,
    @Inject(DeploymentsService) private readonly deployments: DeploymentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JobQueueMetrics) private readonly jobQueues: JobQueueMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.scheduler.start((job) => this.deployments.runJob(job));
    this.jobQueues.watch(DEPLOYMENT_QUEUE, this.scheduler);
    const resumed = await this.deployments.resumeAll();
    logger.log(`deployment jobs run on the ${this.scheduler.kind} scheduler; ${resumed} deployment(s) resumed`);
    // Jobs on timers die with their replica: every replica reschedules what waits, so a survivor takes over.
    // Harmless with BullMQ (same job ids) and with several replicas (a job names the tick it expects).
    const sweepMs = Math.max(SWEEP_MIN_MS, this.config.deployments.analysisIntervalMs * 4);
    this.sweep = setInterval(() => {
      this.deployments.resumeAll().catch((error: Error) => logger.warn(`deployment sweep: ${error.message}`));
    }, sweepMs);
    this.sweep.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.sweep);
    await this.scheduler.stop();
  }
}
