import type { NextFunction, Request, Response } from 'express';
import { context, contextFromTraceparent, SpanKind, SpanStatusCode, trace } from '@hotswap/observability';
import { assignTraceId } from '../../common/http/trace-id';
import type { ControlPlaneTracer } from './control-plane-tracer';

/**
 * Express middleware (tracing on, mounted before the trace-id middleware): a server span per REST call, continuing
 * a valid incoming `traceparent`; its trace id becomes the request's trace id (X-Trace-Id, error bodies, audit
 * rows). The span is active while the call is served, also in the request's and response's event listeners (a
 * body parser resumes the chain from those). Named `METHOD /route/:pattern` once the route is known.
 */
export function httpTracingMiddleware(tracer: ControlPlaneTracer) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.traceparent;
    const parent = contextFromTraceparent(typeof header === 'string' ? header : undefined);
    const span = tracer.startSpan(
      req.method,
      SpanKind.SERVER,
      {
        'http.request.method': req.method,
        'url.path': req.path,
      },
      parent,
    );
    if (span === undefined) return next();
    assignTraceId(req, span.spanContext().traceId);
    const active = trace.setSpan(parent, span);
    context.bind(active, req);
    context.bind(active, res);
    res.once('close', () => {
      const route = routePatternOf(req);
      if (route !== undefined) {
        span.setAttribute('http.route', route);
        span.updateName(`${req.method} ${route}`);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      else if (!res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR, message: 'response not completed' });
      span.end();
    });
    context.with(active, next);
  };
}

/** The matched route pattern (`/api/v1/gateway/routes/:id`), never the raw path. */
function routePatternOf(req: Request): string | undefined {
  const route = (req as { route?: { path?: unknown } }).route;
  return route !== undefined && typeof route.path === 'string' ? `${req.baseUrl ?? ''}${route.path}` : undefined;
}
