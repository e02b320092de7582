import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import type { Logger } from '../observability/logger';
import type { RequestTracer } from '../observability/request-tracer';
import type { SnapshotStore } from '../snapshot/snapshot-store';
import { prepareRequestHeaders } from './forward-headers';
import { GATEWAY_ERRORS, type GatewayErrorCode } from './gateway-errors';
import type { GatewayRequest } from './gateway-messages';
import { hasRepeatedHost } from './request-framing';
import { childTraceparent, newTraceId, parseTraceparent } from './trace-context';

/** Sampled: a trace the gateway starts is one a backend should record. */
const DEFAULT_TRACE_FLAGS = '01';

/**
 * WebSocket upgrades (`GET` with `Upgrade: websocket`) on the proxy port. The route is matched as for any request;
 * its balancer picks the backend, its path rewrite and request header transform apply; then http-proxy-3 tunnels
 * the two sockets with the compiled target's http-proxy-3 options. A gateway error before the tunnel opens is written to the socket as the
 * usual JSON error response, then the socket closes. Retries, rate limits and breaker accounting do not apply to
 * upgrades. Open tunnels are tracked so that a drain can close them at its end. With tracing on, each upgrade gets a
 * `gateway.websocket` span covering its handshake (RequestTracer).
 */
export class UpgradeHandler {
  private readonly proxy: ProxyServer<typeof GatewayRequest>;
  private readonly tunnels = new Set<Duplex>();
  /** Set while draining: new upgrades are refused with 503. */
  isClosing = false;

  constructor(
    private readonly store: SnapshotStore,
    private readonly logger: Logger,
    /** Tracing on (an OTLP endpoint configured): a span per upgrade. Undefined: no span work at all. */
    private readonly tracer?: RequestTracer,
  ) {
    this.proxy = createProxyServer<typeof GatewayRequest>({});
    // Errors are handled by the callback passed to each `ws` call; this keeps an unexpected one from throwing.
    this.proxy.on('error', () => undefined);
    if (tracer !== undefined) {
      // The backend's answer: 101 (http-proxy-3 then relays it and opens the tunnel), or a response refusing it.
      this.proxy.on('proxyReqWs', (proxyReq, req) => {
        const answered = (res: IncomingMessage) => tracer.upgradeAnswered(req, res.statusCode ?? 0);
        proxyReq.once('upgrade', answered);
        proxyReq.once('response', answered);
      });
    }
  }

  /** Open client sockets of upgraded (or upgrading) connections. */
  get openTunnels(): number {
    return this.tunnels.size;
  }

  /** Closes every open tunnel (at the end of a drain). */
  closeAll(): void {
    for (const socket of this.tunnels) socket.destroy();
    this.tunnels.clear();
  }

  readonly handle = (req: GatewayRequest, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const headers = req.headers;
    const traceparent = headers.traceparent;
    const trace = typeof traceparent === 'string' ? parseTraceparent(traceparent) : undefined;
    const tracer = this.tracer;
    if (tracer === undefined) req.traceId = trace === undefined ? newTraceId() : trace.traceId;
    else tracer.upgradeStarted(req, socket, trace, traceparent);
    const traceId = req.traceId;
    const upgrade = headers.upgrade;
    if (req.method !== 'GET' || typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket') {
      return this.reject(req, socket, 'BAD_REQUEST');
    }
    if (this.isClosing) return this.reject(req, socket, 'NO_BACKEND_AVAILABLE');
    const active = this.store.current;
    if (active === undefined) return this.reject(req, socket, 'NO_CONFIGURATION');
    const url = req.url ?? '';
    if (url.charCodeAt(0) !== 47 /* / */ || hasRepeatedHost(req.rawHeaders)) {
      return this.reject(req, socket, 'BAD_REQUEST');
    }
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const router = active.compiled.router;
    const matched = router.match(headers.host, 'GET', path);
    if (matched === undefined) {
      tracer?.upgradeRouted(req, path, active.compiled.snapshot.version);
      const isPathKnown = router.allowedMethods(headers.host, path).length > 0;
      return this.reject(req, socket, isPathKnown ? 'METHOD_NOT_ALLOWED' : 'ROUTE_NOT_FOUND');
    }
    const route = matched.split === undefined ? matched : matched.split.pick(headers);
    req.route = route;
    tracer?.upgradeRouted(req, path, active.compiled.snapshot.version);
    const target = route.balancer.pick(req, undefined);
    if (target === undefined) return this.reject(req, socket, 'NO_BACKEND_AVAILABLE');

    const rewritten = route.pathRewriter.rewrite(path);
    const forwardPath = queryAt === -1 ? rewritten : rewritten + url.slice(queryAt);
    req.url = target.basePath === '' ? forwardPath : target.basePath + forwardPath;
    // The hop-by-hop headers go as for any request, except the two that ask the backend to switch protocols.
    prepareRequestHeaders(
      req,
      tracer === undefined
        ? childTraceparent(traceId, trace === undefined ? DEFAULT_TRACE_FLAGS : trace.flags)
        : tracer.upgradeForwarded(req, target),
      route.requestHeaders,
    );
    headers.connection = 'Upgrade';
    headers.upgrade = upgrade;

    this.tunnels.add(socket);
    socket.once('close', () => this.tunnels.delete(socket));
    const state = target.state;
    state.inFlight++;
    state.totalRequests++;
    socket.once('close', () => state.inFlight--);
    this.proxy.ws(req, socket, head, target.options, (error: Error) => {
      state.failedRequests++;
      this.logger.debug('websocket upgrade failed', { traceId, backend: target.backendId, error: error.message });
      tracer?.upgradeRejected(req, 'BAD_GATEWAY', error);
      rejectUpgrade(socket, 'BAD_GATEWAY', traceId);
    });
  };

  private reject(req: GatewayRequest, socket: Duplex, code: GatewayErrorCode): void {
    this.tracer?.upgradeRejected(req, code);
    rejectUpgrade(socket, code, req.traceId);
  }
}

/** Writes the gateway's JSON error response on a socket that asked for an upgrade (or a CONNECT), then closes it. */
export function rejectUpgrade(socket: Duplex, code: GatewayErrorCode, traceId: string): void {
  if (socket.destroyed) return;
  const { status, message } = GATEWAY_ERRORS[code];
  const body = JSON.stringify({ error: { code, message, traceId, timestamp: new Date().toISOString() } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'cache-control: no-store\r\n' +
      `x-trace-id: ${traceId}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}
