import {
  Inject,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { NotificationListener } from '../../database/notification.listener';
import { AuditModule } from '../audit/audit.module';
import { DiscoveryService } from '../fleet/discovery.service';
import { FleetModule } from '../fleet/fleet.module';
import { JobQueueMetrics } from '../metrics/job-queue.metrics';
import { CONFIG_SNAPSHOT_CHANNEL } from '../snapshots/snapshot-store';
import { BackendHealthRepository } from './backend-health.repository';
import { BACKEND_STATE_CHANNEL } from './backend-state';
import { BackendStateBroadcast } from './backend-state.broadcast';
import { BackendStateFeed } from './backend-state-feed';
import { BullMqCheckScheduler } from './bullmq-check.scheduler';
import { CheckScheduleReconciler } from './check-schedule.reconciler';
import { HEALTH_CHECK_SCHEDULER, type HealthCheckScheduler } from './health-check.scheduler';
import { HealthChecksController } from './health-checks.controller';
import { DEFAULT_HEALTH_CHECK_OPTIONS, HEALTH_CHECK_OPTIONS, type HealthCheckOptions } from './health-checks.options';
import { HealthChecksService } from './health-checks.service';
import { InProcessCheckScheduler } from './in-process-check.scheduler';

const logger = new Logger('HealthChecks');

/**
 * Health checks: active probes of every enabled backend with a healthCheck block, scheduled by BullMQ when
 * REDIS_URL is set (each backend probed once per interval across replicas) or by timers in process; their state
 * in PostgreSQL; drains and forced breakers over REST; and every change on every discovery stream as a
 * BackendStates message, fanned out between replicas by NOTIFY on BACKEND_STATE_CHANNEL. The schedule follows
 * configuration changes (the config snapshot channel).
 */
@Module({
  imports: [AuditModule, FleetModule],
  controllers: [HealthChecksController],
  providers: [
    { provide: HEALTH_CHECK_OPTIONS, useValue: DEFAULT_HEALTH_CHECK_OPTIONS },
    { provide: BackendHealthRepository, useValue: new BackendHealthRepository() },
    HealthChecksService,
    {
      provide: BackendStateFeed,
      inject: [HealthChecksService, HEALTH_CHECK_OPTIONS],
      useFactory: (health: HealthChecksService, options: HealthCheckOptions) =>
        new BackendStateFeed({ findStates: (ids) => health.findStates(ids) }, logger, options.retryDelayMs),
    },
    {
      provide: HEALTH_CHECK_SCHEDULER,
      inject: [APP_CONFIG, HEALTH_CHECK_OPTIONS],
      useFactory: (config: AppConfig, options: HealthCheckOptions): HealthCheckScheduler =>
        config.redisUrl
          ? new BullMqCheckScheduler({
              redisUrl: config.redisUrl,
              prefix: config.redisKeyPrefix,
              queueName: options.queueName,
              concurrency: options.concurrency,
              logger,
            })
          : new InProcessCheckScheduler(),
    },
    {
      provide: CheckScheduleReconciler,
      inject: [HEALTH_CHECK_SCHEDULER, HealthChecksService, HEALTH_CHECK_OPTIONS],
      useFactory: (scheduler: HealthCheckScheduler, health: HealthChecksService, options: HealthCheckOptions) =>
        new CheckScheduleReconciler(scheduler, () => health.scheduledChecks(), logger, options.retryDelayMs),
    },
  ],
  exports: [HealthChecksService],
})
export class HealthChecksModule implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(NotificationListener) private readonly listener: NotificationListener,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(BackendStateFeed) private readonly feed: BackendStateFeed,
    @Inject(HEALTH_CHECK_SCHEDULER) private readonly scheduler: HealthCheckScheduler,
    @Inject(CheckScheduleReconciler) private readonly reconciler: CheckScheduleReconciler,
    @Inject(HealthChecksService) private readonly health: HealthChecksService,
    @Inject(HEALTH_CHECK_OPTIONS) private readonly options: HealthCheckOptions,
    @Inject(JobQueueMetrics) private readonly jobQueues: JobQueueMetrics,
  ) {}

  onModuleInit(): void {
    this.discovery.addBroadcast(new BackendStateBroadcast(this.feed));
    this.listener.subscribe(BACKEND_STATE_CHANNEL, {
      onNotification: (backendId) => this.feed.notify(backendId),
      onListening: () => void this.feed.refresh(),
    });
    this.listener.subscribe(CONFIG_SNAPSHOT_CHANNEL, {
      onNotification: () => void this.reconciler.request(),
      onListening: () => void this.reconciler.request(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.feed.refresh();
    await this.scheduler.start((backendId) => this.health.runScheduledCheck(backendId));
    this.jobQueues.watch(this.options.queueName, this.scheduler);
    logger.log(`health checks run on the ${this.scheduler.kind} scheduler`);
    void this.reconciler.request();
  }

  /** Scheduled checks stop and finish while the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    this.reconciler.stop();
    await this.scheduler.stop();
    this.feed.stop();
  }
}
