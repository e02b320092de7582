import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import type { Logger } from '../observability/logger';
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
 * upgrades. Open tunnels are tracked so that a drain can close them at its end.
 */
export class UpgradeHandler {
  private readonly proxy: ProxyServer<typeof GatewayRequest>;
  private readonly tunnels = new Set<Duplex>();
  /** Set while draining: new upgrades are refused with 503. */
  isClosing = false;

  constructor(
    private readonly store: SnapshotStore,
    private readonly logger: Logger,
  ) {
    this.proxy = createProxyServer<typeof GatewayRequest>({});
    // Errors are handled by the callback passed to each `ws` call; this keeps an unexpected one from throwing.
    this.proxy.on('error', () => undefined);
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
    const traceId = trace === undefined ? newTraceId() : trace.traceId;
    req.traceId = traceId;
    const upgrade = headers.upgrade;
    if (req.method !== 'GET' || typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket') {
      return rejectUpgrade(socket, 'BAD_REQUEST', traceId);
    }
    if (this.isClosing) return rejectUpgrade(socket, 'NO_BACKEND_AVAILABLE', traceId);
    const active = this.store.current;
    if (active === undefined) return rejectUpgrade(socket, 'NO_CONFIGURATION', traceId);
    const url = req.url ?? '';
    if (url.charCodeAt(0) !== 47 /* / */ || hasRepeatedHost(req.rawHeaders)) {
      return rejectUpgrade(socket, 'BAD_REQUEST', traceId);
    }
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const router = active.compiled.router;
    const matched = router.match(headers.host, 'GET', path);
    if (matched === undefined) {
      const isPathKnown = router.allowedMethods(headers.host, path).length > 0;
      return rejectUpgrade(socket, isPathKnown ? 'METHOD_NOT_ALLOWED' : 'ROUTE_NOT_FOUND', traceId);
    }
    const route = matched.split === undefined ? matched : matched.split.pick(headers);
    req.route = route;
    const target = route.balancer.pick(req, undefined);
    if (target === undefined) return rejectUpgrade(socket, 'NO_BACKEND_AVAILABLE', traceId);

    const rewritten = route.pathRewriter.rewrite(path);
    const forwardPath = queryAt === -1 ? rewritten : rewritten + url.slice(queryAt);
    req.url = target.basePath === '' ? forwardPath : target.basePath + forwardPath;
    // The hop-by-hop headers go as for any request, except the two that ask the backend to switch protocols.
    prepareRequestHeaders(
      req,
      childTraceparent(traceId, trace === undefined ? DEFAULT_TRACE_FLAGS : trace.flags),
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
      rejectUpgrade(socket, 'BAD_GATEWAY', traceId);
    });
  };
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
