import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayRequest, GatewayResponse } from './gateway-messages';
import type { ProxyHandler } from './proxy-handler';
import type { UpgradeHandler } from './upgrade-handler';

export interface ProxyServerOptions {
  host: string;
  port: number;
  /** Per process (each worker in cluster mode has its own). */
  maxConnections: number;
  /** Request line plus headers; Node answers 431 past it. */
  maxHeaderBytes: number;
}

/** Longer than the idle timeout of common load balancers (60 s), so they never reuse a connection we closed. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** The proxy port: plain node:http (no framework on the hot path), with a drain for graceful shutdown. */
export class GatewayProxyServer {
  readonly server: Server<typeof GatewayRequest, typeof GatewayResponse>;

  constructor(
    private readonly handler: ProxyHandler,
    private readonly upgrades: UpgradeHandler,
    private readonly options: ProxyServerOptions,
  ) {
    this.server = createServer<typeof GatewayRequest, typeof GatewayResponse>(
      {
        IncomingMessage: GatewayRequest,
        ServerResponse: GatewayResponse,
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
        maxHeaderSize: options.maxHeaderBytes,
      },
      handler.handle,
    );
    this.server.maxConnections = options.maxConnections;
    this.server.on('upgrade', upgrades.handle);
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
   * WebSocket tunnels have no end the gateway could wait for: they stay open until the deadline, or until all
   * requests finished, whichever is first, then close.
   */
  async drain(deadlineMs: number): Promise<boolean> {
    this.handler.isClosing = true;
    this.upgrades.isClosing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const isDrained = await Promise.race([
      this.handler.whenIdle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs))),
    ]);
    clearTimeout(timer);
    this.upgrades.closeAll();
    this.server.closeAllConnections();
    await closed;
    return isDrained;
  }
}
