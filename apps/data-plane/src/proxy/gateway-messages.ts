import { IncomingMessage, ServerResponse, type ClientRequest } from 'node:http';
import type { Span } from '@hotswap/observability';
import type { CompiledRoute, ProxyTarget } from '../snapshot/compiled-snapshot';
import type { BackendState } from './backend-states';
import type { GatewayErrorCode } from './gateway-errors';

/** The proxy port's request class: per-request state lives in declared fields, not in closures. */
export class GatewayRequest extends IncomingMessage {
  traceId = '';
  /**
   * With tracing on: the `gateway.request` span (`gateway.websocket` on an upgrade, until it is answered), and the
   * `gateway.proxy` span of the attempt in flight.
   */
  span: Span | undefined = undefined;
  attemptSpan: Span | undefined = undefined;
  /** The path the client asked for, without query string (for logs); '' when the request never got that far. */
  originalPath = '';
  /** The client's Connection header, removed before forwarding (it is hop-by-hop). */
  clientConnection: string | undefined = undefined;
  route: CompiledRoute | undefined = undefined;
  /** The request to the backend of the attempt in flight. */
  backendRequest: ClientRequest | undefined = undefined;
  /** Whether the request has a body to forward (a Content-Length above 0, or chunked). */
  hasBody = false;
  /** For bodies without Content-Length: bytes received so far, and the limit. */
  bodyBytes = 0;
  maxBodyBytes = 0;
  isBodyTooLarge = false;
  /** The backend of the attempt in flight (undefined between attempts). */
  target: ProxyTarget | undefined = undefined;
  /** The backend of the last attempt started (telemetry attributes the outcome to it). */
  lastTarget: ProxyTarget | undefined = undefined;
  /** Attempts started so far. */
  attempt = 0;
  /** `performance.now()` when the attempt in flight started, until its backend answered or failed; 0: none. */
  attemptStartedAt = 0;
  /** Time the attempts so far waited for a backend (to its response head, or to its failure), in ms. */
  backendMs = 0;
  /** `performance.now()` past which no attempt starts and a waiting backend gets 504 (the route's timeout). */
  deadline = 0;
  /** Path and query to forward, after the route's rewrite; each attempt puts its backend's base path before it. */
  forwardPath = '';
  /** Whether a failed attempt may be retried (a retry policy for this method, and a replayable body). */
  isRetryable = false;
  /** The backends earlier attempts went to: a retry prefers another one. */
  triedStates: BackendState[] | undefined = undefined;
  /** The request body as received, while it stays within the replay bound. */
  bodyChunks: Buffer[] | undefined = undefined;
  bodyChunkBytes = 0;
  /** The backend the next attempt goes to, chosen when the retry was decided (re-chosen if it became unavailable). */
  retryTarget: ProxyTarget | undefined = undefined;
  /** The wait before the next attempt. */
  retryTimer: NodeJS.Timeout | undefined = undefined;
  /** Requests the client has left under the route's rate limit (`X-RateLimit-Remaining`); -1: none applies or unknown. */
  rateLimitRemaining = -1;
}

/** The proxy port's response class, carrying what the metrics need once it closes. */
export class GatewayResponse extends ServerResponse<GatewayRequest> {
  startedAt = 0;
  routeLabel = '';
  methodLabel = '';
  /** `performance.now()` once a backend's response head was written to the client; 0 until then. */
  headWrittenAt = 0;
  /** The code of the error the gateway answered with itself, if it did. */
  failure: GatewayErrorCode | undefined = undefined;
  onDone: ((res: GatewayResponse) => void) | undefined = undefined;
}
