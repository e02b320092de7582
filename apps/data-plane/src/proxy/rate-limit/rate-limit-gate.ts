import type { ServerResponse } from 'node:http';
import { sendGatewayError } from '../gateway-errors';
import type { KeyedRequest } from './rate-limit-key';
import type { Admission } from './rate-limit-policy';
import type { RouteRateLimiter } from './route-rate-limiter';

/** The request fields the gate reads and writes. */
export interface LimitedRequest extends KeyedRequest {
  readonly traceId: string;
  readonly socket: KeyedRequest['socket'] & { readonly destroyed: boolean };
  /** Requests left for this client, sent back as `X-RateLimit-Remaining`; -1 when unknown (no limit, fail-open). */
  rateLimitRemaining: number;
}

/**
 * Lets a request of a rate-limited route through, or answers it. Returns true when the request may go on now
 * (a local limit admitted it). Returns false when it was answered (429 `RATE_LIMIT_EXCEEDED` with `X-RateLimit-Limit`,
 * `X-RateLimit-Remaining: 0` and `Retry-After` in seconds), or when the shared store decides: then `proceed` runs
 * once it admits (or fails while the route fails open); a store failure on a route failing closed answers 503
 * `RATE_LIMIT_UNAVAILABLE`. A client gone meanwhile gets nothing.
 */
export function admitRateLimited<Req extends LimitedRequest, Res extends ServerResponse>(
  limiter: RouteRateLimiter,
  req: Req,
  res: Res,
  nowMs: number,
  proceed: (req: Req, res: Res) => void,
): boolean {
  const outcome = limiter.take(limiter.keyOf(req), nowMs);
  if (typeof outcome === 'number') return settle(limiter, req, res, outcome);
  outcome.then(
    (admission) => {
      if (!isGone(req, res) && settle(limiter, req, res, admission)) proceed(req, res);
    },
    () => {
      limiter.storeErrors.inc();
      if (isGone(req, res)) return;
      if (limiter.failOpen) proceed(req, res);
      else sendGatewayError(res, 'RATE_LIMIT_UNAVAILABLE', req.traceId, { 'retry-after': '1' });
    },
  );
  return false;
}

function settle(limiter: RouteRateLimiter, req: LimitedRequest, res: ServerResponse, admission: Admission): boolean {
  if (admission >= 0) {
    req.rateLimitRemaining = admission;
    return true;
  }
  limiter.rejections.inc();
  sendGatewayError(res, 'RATE_LIMIT_EXCEEDED', req.traceId, {
    'x-ratelimit-limit': limiter.limitHeader,
    'x-ratelimit-remaining': '0',
    'retry-after': String(Math.ceil(-admission / 1000)),
  });
  return false;
}

function isGone(req: LimitedRequest, res: ServerResponse): boolean {
  return req.socket.destroyed || res.writableEnded;
}
