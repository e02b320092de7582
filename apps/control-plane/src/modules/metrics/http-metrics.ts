import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, Registry } from 'prom-client';

/** HTTP request count and duration by method, route pattern (never the raw path) and status class (`2xx`…). */
@Injectable()
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status_class'>;
  private readonly duration: Histogram<'method' | 'route' | 'status_class'>;

  constructor(@Inject(Registry) registry: Registry) {
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served by the control plane',
      labelNames: ['method', 'route', 'status_class'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests served by the control plane, in seconds',
      labelNames: ['method', 'route', 'status_class'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  /** Express middleware recording every request when its response finishes. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = routePatternOf(req);
      const labels = { method: req.method, route, status_class: `${Math.trunc(res.statusCode / 100)}xx` };
      this.requests.inc(labels);
      this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

/** The matched route pattern (`/api/v1/gateway/routes/:id`), or `unmatched`: a bounded label set. */
function routePatternOf(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl ?? ''}${route.path}`;
  return 'unmatched';
}
