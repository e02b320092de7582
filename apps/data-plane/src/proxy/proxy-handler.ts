import type { ClientRequest, IncomingMessage } from 'node:http';
import { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createProxyServer, type ProxyServer, type ServerOptions } from 'http-proxy-3';
import { methodLabel, NO_ROUTE_LABEL, type GatewayMetrics } from '../observability/gateway-metrics';
import type { Logger } from '../observability/logger';
import type { ForwardOptions } from '../snapshot/compiled-snapshot';
import type { SnapshotStore } from '../snapshot/snapshot-store';
import { prepareRequestHeaders, prepareResponseHeaders } from './forward-headers';
import { sendGatewayError } from './gateway-errors';
import type { GatewayRequest, GatewayResponse } from './gateway-messages';
import { childTraceparent, newTraceId, parseTraceparent } from './trace-context';

/** The error a backend request is destroyed with when its route's timeout passes: answered with 504. */
class BackendTimeoutError extends Error {
  readonly code = 'GATEWAY_BACKEND_TIMEOUT';
}

/** The error a backend request is destroyed with when a body without Content-Length grows too large: 413. */
class BodyTooLargeError extends Error {
  readonly code = 'GATEWAY_BODY_TOO_LARGE';
}

/** Sampled: a trace the gateway starts is one a backend should record. */
const DEFAULT_TRACE_FLAGS = '01';

export interface ProxyHandlerOptions {
  store: SnapshotStore;
  metrics: GatewayMetrics;
  logger: Logger;
  maxBodyBytes: number;
}

/**
 * The proxy's request handler. Per request: read the active snapshot once, match the route, check the body size,
 * pick a backend, rewrite the path, prepare headers, forward through http-proxy-3 with the backend's keep-alive
 * agent; gateway-made answers are JSON with a trace id. Everything route-specific was compiled with the snapshot;
 * the functions below are built once, and per-request state lives on GatewayRequest/GatewayResponse.
 */
export class ProxyHandler {
  private readonly proxy: ProxyServer<typeof GatewayRequest>;
  private inFlightCount = 0;
  private idleWaiters: Array<() => void> = [];
  /** Set while draining: responses close their connection. */
  isClosing = false;

  constructor(private readonly options: ProxyHandlerOptions) {
    this.proxy = createProxyServer<typeof GatewayRequest>({});
    this.proxy.on('proxyReq', onProxyReq);
    this.proxy.on('proxyRes', this.onProxyRes);
    this.proxy.on('error', this.onProxyError);
  }

  /** Requests received and not yet finished. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Resolves once no request is in flight. */
  whenIdle(): Promise<void> {
    if (this.inFlightCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  readonly handle = (req: GatewayRequest, res: GatewayResponse): void => {
    res.startedAt = performance.now();
    res.routeLabel = NO_ROUTE_LABEL;
    res.methodLabel = methodLabel(req.method);
    res.onDone = this.onResponseDone;
    this.inFlightCount++;
    res.on('close', onResponseClose);

    const headers = req.headers;
    const traceparent = headers.traceparent;
    const trace = typeof traceparent === 'string' ? parseTraceparent(traceparent) : undefined;
    const traceId = trace === undefined ? newTraceId() : trace.traceId;
    req.traceId = traceId;
    if (this.isClosing) res.shouldKeepAlive = false;

    const active = this.options.store.current;
    if (active === undefined) return sendGatewayError(res, 'NO_CONFIGURATION', traceId);
    const url = req.url ?? '';
    if (url.charCodeAt(0) !== 47 /* / */) return sendGatewayError(res, 'BAD_REQUEST', traceId);
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const method = req.method ?? 'GET';
    const router = active.compiled.router;
    const route = router.match(headers.host, method, path);
    if (route === undefined) {
      const allowed = router.allowedMethods(headers.host, path);
      if (allowed.length > 0) {
        return sendGatewayError(res, 'METHOD_NOT_ALLOWED', traceId, { allow: allowed.join(', ') });
      }
      return sendGatewayError(res, 'ROUTE_NOT_FOUND', traceId);
    }
    res.routeLabel = route.metricLabel;
    req.route = route;

    const contentLength = headers['content-length'];
    if (contentLength !== undefined && Number(contentLength) > this.options.maxBodyBytes) {
      // Closing the connection spares reading a body nobody wants.
      return sendGatewayError(res, 'PAYLOAD_TOO_LARGE', traceId, { connection: 'close' });
    }
    const target = route.balancer.pick(req);
    if (target === undefined) return sendGatewayError(res, 'NO_BACKEND_AVAILABLE', traceId);
    if (contentLength === undefined && headers['transfer-encoding'] !== undefined) {
      // A chunked body announces no size: count it as it streams through.
      req.maxBodyBytes = this.options.maxBodyBytes;
      req.on('data', countBodyBytes);
    }

    const forwardPath = target.basePath + route.pathRewriter.rewrite(path);
    req.url = queryAt === -1 ? forwardPath : forwardPath + url.slice(queryAt);
    prepareRequestHeaders(
      req,
      childTraceparent(traceId, trace === undefined ? DEFAULT_TRACE_FLAGS : trace.flags),
      route.requestHeaders,
    );
    res.setHeader('x-trace-id', traceId);
    this.proxy.web(req, res, target.options, this.onProxyError);
  };

  private readonly onResponseDone = (res: GatewayResponse): void => {
    this.options.metrics.recordRequest(
      res.routeLabel,
      res.methodLabel,
      res.statusCode,
      res.writableFinished,
      (performance.now() - res.startedAt) / 1000,
    );
    if (--this.inFlightCount === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };

  private readonly onProxyRes = (proxyRes: IncomingMessage, req: GatewayRequest): void => {
    prepareResponseHeaders(proxyRes.headers, req, req.route?.responseHeaders, this.isClosing);
  };

  private readonly onProxyError = (error: Error, req: GatewayRequest, res: ServerResponse | Socket): void => {
    if (!(res instanceof ServerResponse)) {
      res.destroy();
      return;
    }
    // The client went away (http-proxy-3 has already aborted the backend request), or we answered already.
    if (req.socket.destroyed || res.writableEnded) return;
    if (req.isBodyTooLarge) {
      sendGatewayError(res, 'PAYLOAD_TOO_LARGE', req.traceId, { connection: 'close' });
      return;
    }
    const isTimeout = error instanceof BackendTimeoutError;
    this.options.logger.warn(isTimeout ? 'backend timed out' : 'backend request failed', {
      traceId: req.traceId,
      routeName: req.route?.name,
      method: req.method,
      path: req.url,
      error,
    });
    sendGatewayError(res, isTimeout ? 'GATEWAY_TIMEOUT' : 'BAD_GATEWAY', req.traceId);
  };
}

/** Arms the route's timeout on the backend request once it has a socket (http-proxy-3's `proxyReq` event). */
function onProxyReq(proxyReq: ClientRequest, req: GatewayRequest, _res: ServerResponse, options: ServerOptions): void {
  if (req.isBodyTooLarge) {
    proxyReq.destroy(new BodyTooLargeError('the request body exceeds GATEWAY_MAX_BODY_BYTES'));
    return;
  }
  req.backendRequest = proxyReq;
  proxyReq.setTimeout((options as ForwardOptions).backendTimeoutMs, onBackendTimeout);
}

/** Counts a streamed body without Content-Length; past the limit, aborts the backend request (answered 413). */
function countBodyBytes(this: GatewayRequest, chunk: Buffer): void {
  this.bodyBytes += chunk.length;
  if (this.bodyBytes <= this.maxBodyBytes) return;
  this.isBodyTooLarge = true;
  this.removeListener('data', countBodyBytes);
  this.unpipe();
  this.backendRequest?.destroy(new BodyTooLargeError('the request body exceeds GATEWAY_MAX_BODY_BYTES'));
}

function onBackendTimeout(this: ClientRequest): void {
  this.destroy(new BackendTimeoutError('the backend did not answer within the route timeout'));
}

function onResponseClose(this: GatewayResponse): void {
  this.onDone?.(this);
}
