import type { ServerResponse } from 'node:http';
import { GatewayResponse } from './gateway-messages';

/** The responses the gateway makes itself, by stable code. */
export const GATEWAY_ERRORS = {
  BAD_REQUEST: { status: 400, message: 'The request target is not a path, or the request names its host twice' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No route matches this request' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'The route does not allow this method' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is larger than this gateway accepts' },
  RATE_LIMIT_EXCEEDED: { status: 429, message: 'Too many requests: the rate limit of this route is exhausted' },
  INTERNAL_ERROR: { status: 500, message: 'The gateway failed to handle the request' },
  BAD_GATEWAY: { status: 502, message: 'The backend could not be reached or closed the connection' },
  NO_CONFIGURATION: { status: 503, message: 'This gateway has no configuration yet' },
  NO_BACKEND_AVAILABLE: { status: 503, message: 'No backend of this route is available' },
  RATE_LIMIT_UNAVAILABLE: { status: 503, message: 'The rate limit of this route cannot be checked right now' },
  GATEWAY_TIMEOUT: { status: 504, message: 'The backend did not answer in time' },
} as const satisfies Record<string, { status: number; message: string }>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/**
 * Answers with the gateway's error envelope `{"error":{"code","message","traceId","timestamp"}}` and an
 * `X-Trace-Id` header. When the response has already started, it can only be cut off.
 */
export function sendGatewayError(
  res: ServerResponse,
  code: GatewayErrorCode,
  traceId: string,
  extraHeaders?: Record<string, string>,
): void {
  if (res instanceof GatewayResponse) res.failure = code;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Headers a backend response may have set before failing (content-encoding, length) must not leak into ours.
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  const { status, message } = GATEWAY_ERRORS[code];
  const body = JSON.stringify({ error: { code, message, traceId, timestamp: new Date().toISOString() } });
  res.writeHead(status, {
    ...extraHeaders,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-trace-id': traceId,
  });
  res.end(body);
}
