import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Express } from 'express';
import { Registry } from 'prom-client';

/** Where Prometheus scrapes the control plane, outside the API prefix. */
export const PROMETHEUS_PATH = '/metrics';

/**
 * Serves the process registry as Prometheus text at `GET /metrics`, public. A plain Express route registered before
 * Nest's router: `GET /api/v1/gateway/metrics` is the JSON summary, and excluding `metrics` from the global prefix
 * would take that controller out of the prefix as well (Nest matches exclusions by path).
 */
export function servePrometheusMetrics(app: NestExpressApplication): void {
  const registry = app.get(Registry);
  const express: Express = app.getHttpAdapter().getInstance();
  express.get(PROMETHEUS_PATH, (_req, res) => {
    registry.metrics().then(
      (text) => {
        res.setHeader('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE);
        res.setHeader('Cache-Control', 'no-store');
        res.send(text);
      },
      (error: unknown) =>
        res
          .status(500)
          .type('text/plain')
          .send(`metrics collection failed: ${String(error)}`),
    );
  });
}
