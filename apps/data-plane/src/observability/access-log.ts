import {
  asyncStdoutDestination,
  createJsonLogger,
  type AsyncLogDestination,
  type LogFields,
  type PinoLogger,
} from '@hotswap/observability';
import type { GatewayRequest, GatewayResponse } from '../proxy/gateway-messages';

/**
 * GATEWAY_ACCESS_LOG: one JSON line per proxied request: the route, backend, method, path without query string,
 * status, latency in milliseconds and trace id. Written asynchronously (pino's sonic-boom: the proxy never waits on
 * stdout). Its fields carry no secrets (no headers, no query string), so lines skip the general logger's masking.
 */
export class AccessLog {
  private readonly destination: AsyncLogDestination | undefined;
  private readonly logger: PinoLogger;

  /** `write` receives each line without its newline (tests); default: stdout, asynchronously. */
  constructor(base: LogFields, write?: (line: string) => void) {
    this.destination = write ? undefined : asyncStdoutDestination();
    this.logger = createJsonLogger({ level: 'info', base, isMasking: false, destination: write ?? this.destination });
  }

  record(req: GatewayRequest, res: GatewayResponse, latencyMs: number): void {
    const url = req.originalPath === '' ? (req.url ?? '') : req.originalPath;
    const queryAt = url.indexOf('?');
    this.logger.info(
      {
        traceId: req.traceId,
        routeName: req.route?.name,
        backendName: req.lastTarget?.backendName,
        method: req.method,
        path: queryAt === -1 ? url : url.slice(0, queryAt),
        statusCode: res.statusCode,
        latencyMs: Math.round(latencyMs * 1000) / 1000,
      },
      'request',
    );
  }

  /** Writes what is pending (pino also does when the process exits). */
  flush(): Promise<void> {
    const destination = this.destination;
    if (destination === undefined) return Promise.resolve();
    return new Promise((resolve) => destination.flush(() => resolve()));
  }
}
