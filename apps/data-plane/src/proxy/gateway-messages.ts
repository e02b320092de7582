import { IncomingMessage, ServerResponse, type ClientRequest } from 'node:http';
import type { CompiledRoute } from '../snapshot/compiled-snapshot';

/** The proxy port's request class: per-request state lives in declared fields, not in closures. */
export class GatewayRequest extends IncomingMessage {
  traceId = '';
  /** The client's Connection header, removed before forwarding (it is hop-by-hop). */
  clientConnection: string | undefined = undefined;
  route: CompiledRoute | undefined = undefined;
  /** The request to the backend, once it has a socket. */
  backendRequest: ClientRequest | undefined = undefined;
  /** For bodies without Content-Length: bytes received so far, and the limit. */
  bodyBytes = 0;
  maxBodyBytes = 0;
  isBodyTooLarge = false;
}

/** The proxy port's response class, carrying what the metrics need once it closes. */
export class GatewayResponse extends ServerResponse<GatewayRequest> {
  startedAt = 0;
  routeLabel = '';
  methodLabel = '';
  onDone: ((res: GatewayResponse) => void) | undefined = undefined;
}
