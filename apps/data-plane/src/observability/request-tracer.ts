import type { Duplex } from 'node:stream';
import {
  remoteParentContext,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  traceparentOf,
  type Context,
  type Span,
  type Tracer,
} from '@hotswap/observability';
import type { CompiledRoute, ProxyTarget } from '../snapshot/compiled-snapshot';
import { GATEWAY_ERRORS, type GatewayErrorCode } from '../proxy/gateway-errors';
import type { GatewayRequest, GatewayResponse } from '../proxy/gateway-messages';
import { childTraceparent, type TraceContext } from '../proxy/trace-context';

/** W3C trace flags of a trace nobody records. */
const UNSAMPLED = '00';

/** Attribute names: OpenTelemetry semantic conventions where one exists, `gateway.*` for the rest. */
const ATTR = {
  method: 'http.request.method',
  status: 'http.response.status_code',
  path: 'url.path',
  route: 'gateway.route',
  routeId: 'gateway.route_id',
  variant: 'gateway.variant',
  backend: 'gateway.backend',
  backendId: 'gateway.backend_id',
  configVersion: 'gateway.config_version',
  attempt: 'gateway.attempt',
  errorType: 'error.type',
} as const;

/**
 * The data plane's spans, made only when tracing is on (the proxy and upgrade handlers hold none otherwise):
 * `gateway.request` per request (continuing a valid incoming `traceparent`), its children `gateway.route_match`,
 * `gateway.backend_select` and one `gateway.proxy` per attempt; `gateway.websocket` per WebSocket upgrade. Parents
 * are passed explicitly (on the request), never through an active context. A request the sampler dropped gets no
 * child span: its backend's `traceparent` carries a fresh span id, unsampled.
 */
export class RequestTracer {
  constructor(private readonly tracer: Tracer) {}

  /**
   * Starts the request span and gives the request its trace id: the caller's when `traceparent` (parsed: `parent`)
   * is valid, else a new one.
   */
  requestStarted(
    req: GatewayRequest,
    parent: TraceContext | undefined,
    traceparent: string | string[] | undefined,
    startedAt: number,
  ): void {
    const span = this.tracer.startSpan(
      'gateway.request',
      { kind: SpanKind.SERVER, startTime: startedAt, attributes: { [ATTR.method]: req.method ?? 'GET' } },
      parentContextOf(parent, traceparent),
    );
    req.span = span;
    req.traceId = span.spanContext().traceId;
  }

  /** Records the route match that started at `startedAt` and ended now (`req.route` unset: no route matched). */
  routeMatched(req: GatewayRequest, startedAt: number, path: string, configVersion: number): void {
    const span = req.span;
    if (span === undefined || !span.isRecording()) return;
    span.setAttribute(ATTR.path, path);
    span.setAttribute(ATTR.configVersion, configVersion);
    const route = req.route;
    const child = this.startChild(span, 'gateway.route_match', startedAt);
    child.setAttribute(ATTR.configVersion, configVersion);
    if (route !== undefined) {
      setRouteAttributes(child, route);
      setRouteAttributes(span, route);
    }
    child.end();
  }

  /** Records the backend choice that started at `startedAt` and ended now (`target` undefined: none available). */
  backendSelected(req: GatewayRequest, startedAt: number, target: ProxyTarget | undefined): void {
    const span = req.span;
    if (span === undefined || !span.isRecording()) return;
    const child = this.startChild(span, 'gateway.backend_select', startedAt);
    if (target === undefined) child.setStatus({ code: SpanStatusCode.ERROR, message: 'no backend available' });
    else setBackendAttributes(child, target);
    child.end();
  }

  /**
   * Starts the attempt's `gateway.proxy` span; returns the `traceparent` the backend gets (that span its parent). A
   * request the sampler dropped records nothing: its backend gets a fresh span id, unsampled, and no span is made.
   */
  attemptStarted(req: GatewayRequest, target: ProxyTarget): string {
    const parent = req.span as Span;
    if (!parent.isRecording()) return childTraceparent(req.traceId, UNSAMPLED);
    const span = this.tracer.startSpan(
      'gateway.proxy',
      { kind: SpanKind.CLIENT, attributes: { [ATTR.method]: req.method ?? 'GET', [ATTR.attempt]: req.attempt + 1 } },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    setBackendAttributes(span, target);
    req.attemptSpan = span;
    return traceparentOf(span);
  }

  /** The attempt's backend answered with `status` (a retry may follow). */
  attemptAnswered(req: GatewayRequest, status: number): void {
    const span = req.attemptSpan;
    if (span === undefined) return;
    span.setAttribute(ATTR.status, status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }

  /** The attempt failed before an answer (connection error, timeout, body too large). */
  attemptFailed(req: GatewayRequest, error: Error): void {
    const span = req.attemptSpan;
    if (span === undefined) return;
    const code = (error as NodeJS.ErrnoException).code;
    span.setAttribute(ATTR.errorType, code ?? error.name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }

  attemptEnded(req: GatewayRequest): void {
    const span = req.attemptSpan;
    if (span === undefined) return;
    req.attemptSpan = undefined;
    span.end();
  }

  /** Ends the request span once its response closed (finished, or cut off). */
  requestEnded(req: GatewayRequest, res: GatewayResponse): void {
    const span = req.span;
    if (span === undefined) return;
    req.span = undefined;
    if (span.isRecording()) {
      const status = res.statusCode;
      span.setAttribute(ATTR.status, status);
      const target = req.lastTarget;
      if (target !== undefined) setBackendAttributes(span, target);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      else if (!res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR, message: 'response not completed' });
    }
    span.end();
  }

  /**
   * Starts the `gateway.websocket` server span of an upgrade request and gives the request its trace id, as
   * `requestStarted` does. The span covers the handshake only: it ends once the upgrade is answered (the backend's
   * 101 or refusal, or the gateway's error) or fails, not when the tunnel closes, which may be hours later. A client
   * that hangs up before the answer ends it as an error.
   */
  upgradeStarted(
    req: GatewayRequest,
    socket: Duplex,
    parent: TraceContext | undefined,
    traceparent: string | string[] | undefined,
  ): void {
    const span = this.tracer.startSpan(
      'gateway.websocket',
      { kind: SpanKind.SERVER, attributes: { [ATTR.method]: req.method ?? 'GET' } },
      parentContextOf(parent, traceparent),
    );
    req.span = span;
    req.traceId = span.spanContext().traceId;
    socket.once('close', () => this.upgradeAbandoned(req));
  }

  /** Records the route the upgrade matched (`req.route` unset: none). */
  upgradeRouted(req: GatewayRequest, path: string, configVersion: number): void {
    const span = req.span;
    if (span === undefined || !span.isRecording()) return;
    span.setAttribute(ATTR.path, path);
    span.setAttribute(ATTR.configVersion, configVersion);
    if (req.route !== undefined) setRouteAttributes(span, req.route);
  }

  /** Records the upgrade's backend; returns the `traceparent` it gets (the `gateway.websocket` span its parent). */
  upgradeForwarded(req: GatewayRequest, target: ProxyTarget): string {
    const span = req.span as Span;
    if (!span.isRecording()) return childTraceparent(req.traceId, UNSAMPLED);
    setBackendAttributes(span, target);
    return traceparentOf(span);
  }

  /** Ends the upgrade's span with the backend's answer: 101 (the tunnel opens), or the status it refused with. */
  upgradeAnswered(req: GatewayRequest, status: number): void {
    const span = req.span;
    if (span === undefined) return;
    req.span = undefined;
    if (span.isRecording()) {
      span.setAttribute(ATTR.status, status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }

  /** Ends the upgrade's span with the gateway's own error answer (`cause`: the backend connection's failure). */
  upgradeRejected(req: GatewayRequest, code: GatewayErrorCode, cause?: Error): void {
    const span = req.span;
    if (span === undefined) return;
    req.span = undefined;
    if (span.isRecording()) {
      const status = GATEWAY_ERRORS[code].status;
      span.setAttribute(ATTR.status, status);
      span.setAttribute(ATTR.errorType, cause === undefined ? code : ((cause as NodeJS.ErrnoException).code ?? code));
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: cause?.message ?? code });
    }
    span.end();
  }

  /** Ends the upgrade's span as failed: the client closed its connection before the upgrade was answered. */
  upgradeAbandoned(req: GatewayRequest): void {
    const span = req.span;
    if (span === undefined) return;
    req.span = undefined;
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed before the upgrade was answered' });
    span.end();
  }

  private startChild(parent: Span, name: string, startedAt: number): Span {
    return this.tracer.startSpan(
      name,
      { kind: SpanKind.INTERNAL, startTime: startedAt },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
  }
}

/** The caller's span as a remote parent when its `traceparent` (parsed: `parent`) is valid, else a new trace. */
function parentContextOf(parent: TraceContext | undefined, traceparent: string | string[] | undefined): Context {
  return parent === undefined || typeof traceparent !== 'string'
    ? ROOT_CONTEXT
    : remoteParentContext(parent.traceId, traceparent.slice(36, 52), parent.flags);
}

function setRouteAttributes(span: Span, route: CompiledRoute): void {
  span.setAttribute(ATTR.route, route.name);
  span.setAttribute(ATTR.routeId, route.routeId);
  span.setAttribute(ATTR.variant, route.variant);
}

function setBackendAttributes(span: Span, target: ProxyTarget): void {
  span.setAttribute(ATTR.backend, target.backendName);
  span.setAttribute(ATTR.backendId, target.backendId);
}
