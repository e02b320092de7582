import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { runInRequestContext } from '../logging/request-context';

export const TRACE_ID_HEADER = 'X-Trace-Id';

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const traceIds = new WeakMap<IncomingMessage, string>();

/**
 * The trace id of a request: the trace id of a W3C `traceparent` header, else a well-formed `x-request-id`,
 * else a new random one (32 hex digits, as in W3C trace context).
 */
export function resolveTraceId(headers: IncomingHttpHeaders): string {
  const traceparent = headerValue(headers['traceparent']);
  const parsed = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  if (parsed && !/^0+$/.test(parsed[1] as string)) return parsed[1] as string;
  const requestId = headerValue(headers['x-request-id'])?.trim();
  if (requestId && REQUEST_ID.test(requestId)) return requestId;
  return randomBytes(16).toString('hex');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Express middleware: gives each request its trace id, echoes it in `X-Trace-Id` and makes it the logs' context. */
export function traceIdMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const traceId = traceIds.get(req) ?? resolveTraceId(req.headers);
  traceIds.set(req, traceId);
  res.setHeader(TRACE_ID_HEADER, traceId);
  // Log lines written while serving the request carry its trace id (and user).
  runInRequestContext({ traceId, req }, next);
}

/** Gives a request its trace id before the middleware runs: that of the span serving it, when traced. */
export function assignTraceId(req: IncomingMessage, traceId: string): void {
  traceIds.set(req, traceId);
}

/** The trace id the middleware gave this request (a new one if it did not run). */
export function traceIdOf(req: IncomingMessage): string {
  let traceId = traceIds.get(req);
  if (!traceId) {
    traceId = resolveTraceId(req.headers);
    traceIds.set(req, traceId);
  }
  return traceId;
}
