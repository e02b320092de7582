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

/** Where a backend is reached, derived once from its URL. */
interface BackendEndpoint {
  readonly protocol: string;
  /** Without the brackets of an IPv6 literal (the resolver wants the bare address). */
  readonly hostname: string;
  readonly port: number;
  /** The Host header the backend gets: its URL's host (the port when not the default). */
  readonly host: string;
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

/** Keyed by the forward options the snapshot compiler keeps per backend state (frozen targets take no field). */
const endpoints = new WeakMap<object, BackendEndpoint>();

function endpointOf(target: ProxyTarget): BackendEndpoint {
  const key = target.options;
  let endpoint = endpoints.get(key);
  if (endpoint === undefined) {
    const url = key.target as URL;
    const isHttps = url.protocol === 'https:';
    const hostname = url.hostname;
    endpoint = {
      protocol: isHttps ? 'https:' : 'http:',
      hostname: hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname,
      port: url.port === '' ? (isHttps ? 443 : 80) : Number(url.port),
      host: url.host,
    };
    endpoints.set(key, endpoint);
  }
  return endpoint;
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
  const endpoint = endpointOf(target);
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
