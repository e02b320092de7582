import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { methodLabel, NO_ROUTE_LABEL, type GatewayMetrics } from '../observability/gateway-metrics';
import type { AccessLog } from '../observability/access-log';
import type { Logger } from '../observability/logger';
import type { RequestTracer } from '../observability/request-tracer';
import type { CompiledRoute, ProxyTarget } from '../snapshot/compiled-snapshot';
import type { SnapshotStore } from '../snapshot/snapshot-store';
import type { TelemetryCollector } from '../telemetry/telemetry-collector';
import { createBackendRequest, type BackendRequest, type BackendRequestEvents } from './backend-request';
import { prepareRequestHeaders, prepareResponseHeaders } from './forward-headers';
import { sendGatewayError, type GatewayErrorCode } from './gateway-errors';
import type { GatewayRequest, GatewayResponse } from './gateway-messages';
import { admitRateLimited } from './rate-limit/rate-limit-gate';
import { hasRepeatedHost } from './request-framing';
import { childTraceparent, newTraceId, parseTraceparent } from './trace-context';

/** The backend did not send a byte within its read timeout or the route's remaining budget: 504. */
class BackendTimeoutError extends Error {
  readonly code = 'GATEWAY_BACKEND_TIMEOUT';
}

/** A new connection to the backend was not established within its connect timeout: 504, retried as a connect error. */
class ConnectTimeoutError extends Error {
  readonly code = 'GATEWAY_CONNECT_TIMEOUT';
}

/** The error a backend request is destroyed with when a body without Content-Length grows too large: 413. */
class BodyTooLargeError extends Error {
  readonly code = 'GATEWAY_BODY_TOO_LARGE';
}

/**
 * Errors meaning the request never reached the backend, or the connection broke before any response byte: the
 * "connect errors" a retry policy retries (for its idempotent methods), and breaker failures.
 */
const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNABORTED',
  'GATEWAY_CONNECT_TIMEOUT',
]);

/** Sampled: a trace the gateway starts is one a backend should record. */
const DEFAULT_TRACE_FLAGS = '01';

export interface ProxyHandlerOptions {
  store: SnapshotStore;
  metrics: GatewayMetrics;
  telemetry: TelemetryCollector;
  logger: Logger;
  /** GATEWAY_ACCESS_LOG on: a line per request once it finished. */
  accessLog?: AccessLog;
  maxBodyBytes: number;
  /** Tracing on (an OTLP endpoint configured): spans per request. Undefined: no span work at all. */
  tracer?: RequestTracer;
}

/**
 * The proxy's request handler. Per request: read the active snapshot once, match the route, check the body size
 * and the route's rate limit (a shared one answers asynchronously), rewrite the path and prepare headers once, then
 * attempts: pick an available backend, forward with node:http on its keep-alive agent (BackendRequest), count the
 * outcome for its breaker; a retryable failure (per the route's retry policy, before any response byte went to the
 * client) is sent again after a backoff, preferably to another backend. The response head is written here, its body
 * piped. Gateway-made answers are JSON with a trace id. Everything route-specific was compiled with the snapshot; the
 * functions below are built once, and per-request state lives on GatewayRequest/GatewayResponse.
 */
export class ProxyHandler implements BackendRequestEvents {
  private inFlightCount = 0;
  private idleWaiters: Array<() => void> = [];
  /** Set while draining: responses close their connection. */
  isClosing = false;

  constructor(private readonly options: ProxyHandlerOptions) {}

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
    const startedAt = performance.now();
    res.startedAt = startedAt;
    res.routeLabel = NO_ROUTE_LABEL;
    res.methodLabel = methodLabel(req.method);
    res.onDone = this.onResponseDone;
    this.inFlightCount++;
    res.on('close', onResponseClose);

    const headers = req.headers;
    const traceparent = headers.traceparent;
    const trace = typeof traceparent === 'string' ? parseTraceparent(traceparent) : undefined;
    const tracer = this.options.tracer;
    if (tracer === undefined) req.traceId = trace === undefined ? newTraceId() : trace.traceId;
    else tracer.requestStarted(req, trace, traceparent, startedAt);
    const traceId = req.traceId;
    if (this.isClosing) res.shouldKeepAlive = false;

    const active = this.options.store.current;
    if (active === undefined) return sendGatewayError(res, 'NO_CONFIGURATION', traceId);
    const url = req.url ?? '';
    if (url.charCodeAt(0) !== 47 /* / */ || hasRepeatedHost(req.rawHeaders)) {
      return sendGatewayError(res, 'BAD_REQUEST', traceId);
    }
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    req.originalPath = path;
    const method = req.method ?? 'GET';
    const router = active.compiled.router;
    const matchStartedAt = tracer === undefined ? 0 : performance.now();
    const matched = router.match(headers.host, method, path);
    if (matched === undefined) {
      tracer?.routeMatched(req, matchStartedAt, path, active.compiled.snapshot.version);
      const allowed = router.allowedMethods(headers.host, path);
      if (allowed.length > 0) {
        return sendGatewayError(res, 'METHOD_NOT_ALLOWED', traceId, { allow: allowed.join(', ') });
      }
      return sendGatewayError(res, 'ROUTE_NOT_FOUND', traceId);
    }
    // A deployment in flight: the version (stable, canary or preview) that serves this request.
    const route = matched.split === undefined ? matched : matched.split.pick(headers);
    res.routeLabel = route.metricLabel;
    req.route = route;
    tracer?.routeMatched(req, matchStartedAt, path, active.compiled.snapshot.version);

    const contentLength = headers['content-length'];
    if (contentLength !== undefined && Number(contentLength) > this.options.maxBodyBytes) {
      // Closing the connection spares reading a body nobody wants.
      return sendGatewayError(res, 'PAYLOAD_TOO_LARGE', traceId, { connection: 'close' });
    }
    const traceFlags = trace === undefined ? DEFAULT_TRACE_FLAGS : trace.flags;
    const rateLimiter = route.rateLimiter;
    // A local limit decides now; a shared one (Redis) calls proceedLater once it has decided.
    if (rateLimiter !== undefined && !admitRateLimited(rateLimiter, req, res, startedAt, this.proceedLater)) return;
    this.proceed(req, res, route, url, queryAt, path, traceFlags);
  };

  /** `handle` after a shared rate limit admitted the request (or failed open): what `proceed` needs, again. */
  private readonly proceedLater = (req: GatewayRequest, res: GatewayResponse): void => {
    const route = req.route;
    if (route === undefined) return;
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const traceparent = req.headers.traceparent;
    const trace = typeof traceparent === 'string' ? parseTraceparent(traceparent) : undefined;
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    this.proceed(req, res, route, url, queryAt, path, trace === undefined ? DEFAULT_TRACE_FLAGS : trace.flags);
  };

  /** The rest of a request its route admitted: pick a backend, arrange body counting and replay, forward. */
  private proceed(
    req: GatewayRequest,
    res: GatewayResponse,
    route: CompiledRoute,
    url: string,
    queryAt: number,
    path: string,
    traceFlags: string,
  ): void {
    const headers = req.headers;
    const traceId = req.traceId;
    const method = req.method ?? 'GET';
    const contentLength = headers['content-length'];
    const tracer = this.options.tracer;
    const selectStartedAt = tracer === undefined ? 0 : performance.now();
    const target = route.balancer.pick(req, undefined);
    tracer?.backendSelected(req, selectStartedAt, target);
    if (target === undefined) return sendGatewayError(res, 'NO_BACKEND_AVAILABLE', traceId);
    const isChunked = contentLength === undefined && headers['transfer-encoding'] !== undefined;
    req.hasBody = isChunked || (contentLength !== undefined && contentLength !== '0');
    if (isChunked) {
      // A chunked body announces no size: count it as it streams through.
      req.maxBodyBytes = this.options.maxBodyBytes;
      req.on('data', countBodyBytes);
    }
    const retry = route.retry;
    if (retry !== undefined && retry.methods.has(method)) {
      if (!isChunked && (contentLength === undefined || contentLength === '0')) {
        req.isRetryable = true;
      } else if (isChunked || Number(contentLength) <= retry.maxReplayBodyBytes) {
        // Kept while it stays within the bound, so that a retry can send it again.
        req.isRetryable = true;
        req.bodyChunks = [];
        req.on('data', keepBodyChunk);
      }
    }

    const rewritten = route.pathRewriter.rewrite(path);
    req.forwardPath = queryAt === -1 ? rewritten : rewritten + url.slice(queryAt);
    req.deadline = res.startedAt + route.timeoutMs;
    // As http-proxy-3 did: a bodyless DELETE or OPTIONS tells the backend so.
    if (!req.hasBody && contentLength === undefined && (method === 'DELETE' || method === 'OPTIONS')) {
      headers['content-length'] = '0';
    }
    prepareRequestHeaders(req, childTraceparent(traceId, traceFlags), route.requestHeaders);
    this.forward(req, res, target);
  }

  /** Starts one attempt to `target`. */
  private forward(req: GatewayRequest, res: GatewayResponse, target: ProxyTarget): void {
    const state = target.state;
    state.inFlight++;
    state.totalRequests++;
    req.target = target;
    req.lastTarget = target;
    const basePath = target.basePath;
    const path = basePath === '' ? req.forwardPath : basePath + req.forwardPath;
    req.attemptStartedAt = performance.now();
    // Traced: each attempt's backend gets its own gateway.proxy span as parent (unless the route removed the header).
    const tracer = this.options.tracer;
    if (tracer !== undefined) {
      const traceparent = tracer.attemptStarted(req, target);
      if (req.headers.traceparent !== undefined) req.headers.traceparent = traceparent;
    }
    let backendRequest: BackendRequest;
    try {
      backendRequest = createBackendRequest(
        target,
        path.charCodeAt(0) === 47 /* / */ ? path : '/' + path,
        req,
        res,
        this,
      );
    } catch {
      // node:http refuses the path (characters it will not send): the request's own fault.
      this.endAttempt(req);
      return sendGatewayError(res, 'BAD_REQUEST', req.traceId);
    }
    req.backendRequest = backendRequest;
    backendRequest.on('socket', onBackendSocket);
    backendRequest.on('response', onBackendResponse);
    backendRequest.on('error', onBackendError);
    if (++req.attempt === 1) {
      if (req.hasBody) req.pipe(backendRequest);
      else backendRequest.end();
      return;
    }
    // The first attempt consumed the body: a retry sends the kept copy.
    const chunks = req.bodyChunks;
    backendRequest.end(chunks === undefined ? undefined : Buffer.concat(chunks));
  }

  /** Ends the attempt in flight (its backend no longer counts it). */
  private endAttempt(req: GatewayRequest): void {
    const target = req.target;
    if (target === undefined) return;
    this.options.tracer?.attemptEnded(req);
    target.state.inFlight--;
    req.target = undefined;
    req.backendRequest = undefined;
  }

  /**
   * After a failed attempt: schedules the next one when the policy allows it (attempts left, the backoff ends
   * within the route's budget, a backend to go to) and answers nothing; returns false when the failure stands.
   */
  private retryLater(req: GatewayRequest, res: GatewayResponse): boolean {
    const route = req.route;
    const retry = route?.retry;
    const failed = req.target;
    if (route === undefined || retry === undefined || failed === undefined || req.attempt >= retry.maxAttempts) {
      return false;
    }
    const delayMs = Math.min(retry.initialDelayMs * 2 ** (req.attempt - 1), retry.maxDelayMs);
    if (performance.now() + delayMs >= req.deadline) return false;
    const tried = (req.triedStates ??= []);
    tried.push(failed.state);
    // Another backend where there is one, else the same one again.
    const next = route.balancer.pick(req, tried) ?? route.balancer.pick(req, undefined);
    if (next === undefined) return false;
    req.retryTarget = next;
    this.endAttempt(req);
    // The failed attempt unpiped the body: let the rest of it arrive into the kept copy.
    if (req.bodyChunks !== undefined && !req.complete) req.resume();
    this.options.metrics.retriesTotal.inc({ route: route.metricLabel });
    req.retryTimer = setTimeout(this.retryNow, delayMs, req, res);
    return true;
  }

  private readonly retryNow = (req: GatewayRequest, res: GatewayResponse): void => {
    req.retryTimer = undefined;
    if (req.socket.destroyed || res.writableEnded) return;
    const route = req.route;
    if (route === undefined) return;
    if (req.bodyChunks !== undefined && !req.complete) {
      return sendGatewayError(res, 'BAD_GATEWAY', req.traceId);
    }
    let target = req.retryTarget;
    req.retryTarget = undefined;
    if (target === undefined || !target.state.isSelectable(target.usesBreaker)) {
      target = route.balancer.pick(req, req.triedStates) ?? route.balancer.pick(req, undefined);
    }
    if (target === undefined) return sendGatewayError(res, 'NO_BACKEND_AVAILABLE', req.traceId);
    this.forward(req, res, target);
  };

  /** The attempt's backend answered (BackendRequest's `response`). */
  backendResponded(proxyRes: IncomingMessage, req: GatewayRequest, res: GatewayResponse): void {
    const target = req.target;
    if (target === undefined || res.headersSent) {
      proxyRes.resume();
      return;
    }
    const status = proxyRes.statusCode ?? 502;
    this.options.tracer?.attemptAnswered(req, status);
    const backendMs = performance.now() - req.attemptStartedAt;
    req.backendMs += backendMs;
    req.attemptStartedAt = 0;
    this.options.metrics.recordBackendResponse(res.routeLabel, target.state.backendId, status, backendMs / 1000);
    const state = target.state;
    const breaker = target.usesBreaker ? state.breaker : undefined;
    if (status >= 500) {
      state.failedRequests++;
      breaker?.recordFailure();
      if (req.isRetryable && req.route?.retry?.retryOnStatus[status - 500] === true && this.retryLater(req, res)) {
        proxyRes.resume();
        return;
      }
    } else {
      breaker?.recordSuccess();
    }
    const headers = proxyRes.headers;
    const responseHeaders = req.route?.responseHeaders;
    const latencyMs = responseHeaders === undefined ? 0 : Math.round(performance.now() - res.startedAt);
    prepareResponseHeaders(headers, req, responseHeaders, this.isClosing, latencyMs);
    // An empty reason phrase would go out as is: leave it to Node then.
    res.writeHead(status, proxyRes.statusMessage || undefined, headers);
    res.headWrittenAt = performance.now();
    proxyRes.pipe(res);
  }

  private readonly onResponseDone = (res: GatewayResponse): void => {
    const req = res.req;
    const now = performance.now();
    const latencyMs = now - res.startedAt;
    // An attempt still waiting for its backend when the response closed waited until now.
    const backendMs = req.attemptStartedAt === 0 ? req.backendMs : req.backendMs + now - req.attemptStartedAt;
    const gatewayMs = (res.headWrittenAt === 0 ? now : res.headWrittenAt) - res.startedAt;
    // Before endAttempt: an attempt still in flight means the answer is the backend's own.
    this.options.telemetry.record(req, res.statusCode, latencyMs);
    // The client went away (or the response was cut off): the backend request in flight goes too.
    if (!res.writableFinished) req.backendRequest?.destroy();
    this.endAttempt(req);
    this.options.tracer?.requestEnded(req, res);
    if (req.retryTimer !== undefined) {
      clearTimeout(req.retryTimer);
      req.retryTimer = undefined;
    }
    this.options.metrics.recordRequest(
      res.routeLabel,
      res.methodLabel,
      res.statusCode,
      res.writableFinished,
      latencyMs / 1000,
      Math.max(0, gatewayMs - backendMs) / 1000,
      res.failure,
    );
    this.options.accessLog?.record(req, res, latencyMs);
    if (--this.inFlightCount === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };

  /** The attempt failed before its backend answered, or while its response streamed (BackendRequest's `error`). */
  backendFailed(error: Error, req: GatewayRequest, response: GatewayResponse): void {
    const target = req.target;
    // Between attempts; or the client went away (the response's close aborted the backend request and did the
    // accounting); or we answered already.
    if (target === undefined || req.socket.destroyed || response.writableEnded) return;
    this.options.tracer?.attemptFailed(req, error);
    req.backendMs += performance.now() - req.attemptStartedAt;
    req.attemptStartedAt = 0;
    if (req.isBodyTooLarge) {
      this.endAttempt(req);
      sendGatewayError(response, 'PAYLOAD_TOO_LARGE', req.traceId, { connection: 'close' });
      return;
    }
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const isTimeout = error instanceof BackendTimeoutError;
    const isConnectionError = !isTimeout && CONNECTION_ERROR_CODES.has(code);
    const state = target.state;
    state.failedRequests++;
    if (target.usesBreaker) state.breaker?.recordFailure();
    if (response.headersSent) {
      // Response bytes went to the client: it can only be cut off.
      this.endAttempt(req);
      response.destroy();
      return;
    }
    const retry = req.route?.retry;
    const isRetryableFailure = isTimeout
      ? retry?.retryOnStatus[504 - 500] === true
      : isConnectionError && retry?.retryOnConnectError === true;
    if (req.isRetryable && isRetryableFailure && this.retryLater(req, response)) return;

    const answer: GatewayErrorCode =
      isTimeout || error instanceof ConnectTimeoutError ? 'GATEWAY_TIMEOUT' : 'BAD_GATEWAY';
    this.options.logger.warn(answer === 'GATEWAY_TIMEOUT' ? 'backend timed out' : 'backend request failed', {
      traceId: req.traceId,
      routeName: req.route?.name,
      backendName: target.backendName,
      method: req.method,
      path: req.originalPath,
      attempt: req.attempt,
      error,
    });
    this.endAttempt(req);
    sendGatewayError(response, answer, req.traceId);
  }
}

/**
 * Arms the attempt's timeouts once it has a socket: idle time on the backend connection up to the backend's read
 * timeout or what is left of the route's budget, whichever is shorter; and for a connection still being opened, the
 * backend's connect timeout.
 */
function onBackendSocket(this: BackendRequest, socket: Socket): void {
  const req = this.gatewayRequest;
  if (req.isBodyTooLarge) {
    this.destroy(new BodyTooLargeError('the request body exceeds GATEWAY_MAX_BODY_BYTES'));
    return;
  }
  const target = req.target;
  if (target === undefined || req.backendRequest !== this) return;
  const remainingMs = Math.max(1, Math.ceil(req.deadline - performance.now()));
  this.on('timeout', onBackendTimeout);
  this.setTimeout(Math.min(target.readTimeoutMs, remainingMs));
  if (socket.connecting) armConnectTimeout(this, socket, target.connectTimeoutMs);
}

/** Only for new connections (keep-alive makes them rare): one timer and listener each. */
function armConnectTimeout(proxyReq: ClientRequest, socket: Socket, timeoutMs: number): void {
  const timer = setTimeout(() => {
    if (socket.connecting)
      proxyReq.destroy(new ConnectTimeoutError('the backend connection was not established in time'));
  }, timeoutMs);
  timer.unref();
  socket.once('connect', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
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

/** Keeps the body for a replay; past the route's bound it is dropped and the request is no longer retryable. */
function keepBodyChunk(this: GatewayRequest, chunk: Buffer): void {
  const chunks = this.bodyChunks;
  if (chunks === undefined) return;
  this.bodyChunkBytes += chunk.length;
  if (this.bodyChunkBytes > (this.route?.retry?.maxReplayBodyBytes ?? 0)) {
    this.bodyChunks = undefined;
    this.isRetryable = false;
    this.removeListener('data', keepBodyChunk);
    return;
  }
  chunks.push(chunk);
}

/** Only the attempt in flight speaks for the request: a response or error of an earlier one is dropped. */
function onBackendResponse(this: BackendRequest, proxyRes: IncomingMessage): void {
  const req = this.gatewayRequest;
  if (req.backendRequest !== this) {
    proxyRes.resume();
    return;
  }
  this.events.backendResponded(proxyRes, req, this.gatewayResponse);
}

function onBackendError(this: BackendRequest, error: Error): void {
  const req = this.gatewayRequest;
  if (req.backendRequest !== this) return;
  this.events.backendFailed(error, req, this.gatewayResponse);
}

function onBackendTimeout(this: ClientRequest): void {
  this.destroy(new BackendTimeoutError('the backend did not answer within its read timeout or the route timeout'));
}

function onResponseClose(this: GatewayResponse): void {
  this.onDone?.(this);
}
