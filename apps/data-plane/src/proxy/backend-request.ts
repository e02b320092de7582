import { ClientRequest, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { ProxyTarget } from '../snapshot/compiled-snapshot';
import type { GatewayRequest, GatewayResponse } from './gateway-messages';

/** What happens to a backend request, for the proxy handler that started it. */
export interface BackendRequestEvents {
  backendResponded(proxyRes: IncomingMessage, req: GatewayRequest, res: GatewayResponse): void;
  backendFailed(error: Error, req: GatewayRequest, res: GatewayResponse): void;
}

/** One attempt's request to a backend, carrying the client request and response it forwards (no closures). */
export class BackendRequest extends ClientRequest {
  constructor(
    options: BackendRequestOptions,
    readonly gatewayRequest: GatewayRequest,
    readonly gatewayResponse: GatewayResponse,
    readonly events: BackendRequestEvents,
  ) {
    super(options);
  }
}

/** The options `ClientRequest` reads, in one shape for every request. */
interface BackendRequestOptions {
  agent: Agent;
  protocol: string;
  hostname: string;
  port: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * Opens a request to `target` on its keep-alive agent with `req`'s (already prepared) headers, the Host header being
 * the backend's. `ClientRequest` copies the headers: `req.headers` keeps the client's Host.
 */
export function createBackendRequest(
  target: ProxyTarget,
  path: string,
  req: GatewayRequest,
  res: GatewayResponse,
  events: BackendRequestEvents,
): BackendRequest {
  const endpoint = target.endpoint;
  const headers = req.headers;
  const clientHost = headers.host;
  headers.host = endpoint.host;
  try {
    return new BackendRequest(
      {
        agent: target.state.agent,
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        port: endpoint.port,
        method: req.method ?? 'GET',
        path,
        headers,
      },
      req,
      res,
      events,
    );
  } finally {
    if (clientHost === undefined) delete headers.host;
    else headers.host = clientHost;
  }
}
