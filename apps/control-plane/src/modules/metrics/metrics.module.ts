import { Global, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HttpMetrics } from './http-metrics';
import { JobQueueMetrics } from './job-queue.metrics';

/**
 * The Prometheus registry of this process, injectable as `Registry` (prom-client) so any module can add its
 * metrics; default process metrics, HTTP request metrics and job-queue metrics (schedulers `watch` in) included. Served as text at `/metrics` by
 * `servePrometheusMetrics` (app.ts).
 */
@Global()
@Module({
  providers: [
    {
      provide: Registry,
      useFactory: () => {
        const registry = new Registry();
        collectDefaultMetrics({ register: registry });
        return registry;
      },
    },
    HttpMetrics,
    JobQueueMetrics,
  ],
  exports: [Registry, HttpMetrics, JobQueueMetrics],
})
export class MetricsModule {}
