import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderTransform } from '../snapshot/compiled-snapshot';
import type { GatewayRequest } from './gateway-messages';
import { renderHeaderTemplate } from './header-template';

/**
 * Hop-by-hop request headers (RFC 9110 §7.6.1, RFC 2616 §13.5.1) that http-proxy-3 would forward: it strips only
 * `trailer`. `expect` goes too: Node has already answered `100 Continue` to the client.
 */
const REQUEST_HOP_BY_HOP = [
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
  'expect',
];

/** Hop-by-hop response headers (`connection` is handled apart). */
const RESPONSE_HOP_BY_HOP = [
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

const PLAIN_CONNECTION = /^\s*(keep-alive|close)\s*$/i;
const CLOSE_TOKEN = /(^|,)\s*close\s*(,|$)/i;

/**
 * Prepares the incoming headers for forwarding, in place (http-proxy-3 copies `req.headers`): removes hop-by-hop
 * headers and those the Connection header names, appends X-Forwarded-For, sets X-Forwarded-Proto/-Host unless a
 * proxy in front set them, sets `traceparent`, applies the route's request header transform.
 */
export function prepareRequestHeaders(
  req: GatewayRequest,
  traceparent: string,
  transform: HeaderTransform | undefined,
): void {
  const headers = req.headers;
  const connection = headers.connection;
  if (connection !== undefined) {
    req.clientConnection = connection;
    delete headers.connection;
    if (!PLAIN_CONNECTION.test(connection)) removeListed(headers, connection);
  }
  for (const name of REQUEST_HOP_BY_HOP) if (headers[name] !== undefined) delete headers[name];

  const remote = clientAddress(req.socket.remoteAddress);
  if (remote !== undefined) {
    const forwardedFor = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwardedFor === undefined ? remote : `${String(forwardedFor)}, ${remote}`;
  }
  if (headers['x-forwarded-proto'] === undefined) headers['x-forwarded-proto'] = 'http';
  if (headers['x-forwarded-host'] === undefined && headers.host !== undefined) {
    headers['x-forwarded-host'] = headers.host;
  }
  headers.traceparent = traceparent;
  if (transform !== undefined) applyTransform(headers, transform, req.traceId, 0);
}

/**
 * Turns a backend's response headers, in place, into the client's: hop-by-hop out (Transfer-Encoding included:
 * Node chunks the client response itself), the route's X-RateLimit-* in, route transform in (`latencyMs`: request
 * start to these headers), X-Trace-Id set.
 */
export function prepareResponseHeaders(
  headers: IncomingHttpHeaders,
  req: GatewayRequest,
  transform: HeaderTransform | undefined,
  isClosing: boolean,
  latencyMs: number,
): void {
  const connection = headers.connection;
  if (connection !== undefined) {
    delete headers.connection;
    if (!PLAIN_CONNECTION.test(connection)) removeListed(headers, connection);
  }
  for (const name of RESPONSE_HOP_BY_HOP) if (headers[name] !== undefined) delete headers[name];
  // Node keeps the client connection alive unless told otherwise: honour a client's "close", and close while draining.
  const clientConnection = req.clientConnection;
  if (isClosing || (clientConnection !== undefined && CLOSE_TOKEN.test(clientConnection))) {
    headers.connection = 'close';
  }
  const rateLimitRemaining = req.rateLimitRemaining;
  if (rateLimitRemaining >= 0) {
    headers['x-ratelimit-limit'] = req.route?.rateLimiter?.limitHeader;
    headers['x-ratelimit-remaining'] = String(rateLimitRemaining);
  }
  if (transform !== undefined) applyTransform(headers, transform, req.traceId, latencyMs);
  headers['x-trace-id'] = req.traceId;
}

function removeListed(headers: IncomingHttpHeaders, connection: string): void {
  for (const token of connection.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'close' && name !== 'keep-alive') delete headers[name];
  }
}

function applyTransform(
  headers: IncomingHttpHeaders,
  transform: HeaderTransform,
  requestId: string,
  latencyMs: number,
): void {
  for (const name of transform.remove) delete headers[name];
  for (const [name, template] of transform.set) headers[name] = renderHeaderTemplate(template, requestId, latencyMs);
}

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
function clientAddress(address: string | undefined): string | undefined {
  return address !== undefined && address.startsWith('::ffff:') ? address.slice(7) : address;
}
