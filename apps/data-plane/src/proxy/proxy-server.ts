import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayRequest, GatewayResponse } from './gateway-messages';
import type { ProxyHandler } from './proxy-handler';

export interface ProxyServerOptions {
  host: string;
  port: number;
  maxConnections: number;
}

/** Longer than the idle timeout of common load balancers (60 s), so they never reuse a connection we closed. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** The proxy port: plain node:http (no framework on the hot path), with a drain for graceful shutdown. */
export class GatewayProxyServer {
  readonly server: Server<typeof GatewayRequest, typeof GatewayResponse>;

  constructor(
    private readonly handler: ProxyHandler,
    private readonly options: ProxyServerOptions,
  ) {
    this.server = createServer<typeof GatewayRequest, typeof GatewayResponse>(
      { IncomingMessage: GatewayRequest, ServerResponse: GatewayResponse, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS },
      handler.handle,
    );
    this.server.maxConnections = options.maxConnections;
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /** Open client connections (for the metrics). */
  countConnections(): Promise<number> {
    return new Promise((resolve) => this.server.getConnections((error, count) => resolve(error ? 0 : count)));
  }

  /**
   * Stops accepting connections, lets in-flight requests finish (responses meanwhile close their connection),
   * then closes what is left; at the deadline, closes everything. Resolves with whether the drain was complete.
   */
  async drain(deadlineMs: number): Promise<boolean> {
    this.handler.isClosing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const isDrained = await Promise.race([
      this.handler.whenIdle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs))),
    ]);
    clearTimeout(timer);
    this.server.closeAllConnections();
    await closed;
    return isDrained;
  }
}
