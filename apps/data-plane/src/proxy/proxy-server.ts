import { createServer, type Server } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { GatewayRequest, GatewayResponse } from './gateway-messages';
import type { ProxyHandler } from './proxy-handler';
import { newTraceId } from './trace-context';
import { rejectUpgrade, type UpgradeHandler } from './upgrade-handler';

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

/**
 * During a drain, how long an accepted connection may take to send its first request (usually on the wire already:
 * closing the connection as idle would cut it), and to close once its last answer is sent.
 */
const CONNECTION_GRACE_MS = 1_000;

/** A client connection: whether it carried a request yet, and how many it has in progress. */
interface ConnectionState {
  isUsed: boolean;
  active: number;
}

/** The proxy port: plain node:http (no framework on the hot path), with a drain for graceful shutdown. */
export class GatewayProxyServer {
  readonly server: Server<typeof GatewayRequest, typeof GatewayResponse>;
  private readonly connections = new Map<Socket, ConnectionState>();
  private onConnectionChange: (() => void) | undefined;

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
        // Strict framing whatever NODE_OPTIONS says (--insecure-http-parser): a request the gateway and a backend
        // could frame differently (CL.TE, obs-fold, bare LF…) is refused with 400 before anything is forwarded.
        insecureHTTPParser: false,
        requireHostHeader: true,
      },
      handler.handle,
    );
    this.server.maxConnections = options.maxConnections;
    this.server.on('upgrade', upgrades.handle);
    // The gateway proxies to its configured backends only: a CONNECT tunnel to any host is refused, not just dropped.
    this.server.on('connect', (_req: GatewayRequest, socket: Socket) =>
      rejectUpgrade(socket, 'BAD_REQUEST', newTraceId()),
    );
    this.server.on('connection', (socket: Socket) => {
      this.connections.set(socket, { isUsed: false, active: 0 });
      socket.once('close', () => {
        this.connections.delete(socket);
        this.onConnectionChange?.();
      });
    });
    this.server.on('request', (req, res) => {
      const state = this.connections.get(req.socket);
      if (!state) return;
      state.isUsed = true;
      state.active++;
      res.once('close', () => state.active--);
      this.onConnectionChange?.();
    });
    // An upgraded connection is the upgrade handler's (it closes its tunnels at the end of a drain).
    this.server.on('upgrade', (req: GatewayRequest) => this.connections.delete(req.socket));
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
    // Connections the kernel completed before the signal wait in the listen queue: closing the listener would reset
    // them. The poll phase that delivered the signal also accepts them; close once it is over.
    await new Promise((resolve) => setImmediate(resolve));
    // Stop listening only: http.Server#close (and closeIdleConnections) also closes the accepted connections whose
    // first request is not read yet, cutting it.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(this.server, () => resolve()));
    // Kept-alive connections between requests end now (ending after its answer, one is closing already).
    for (const [socket, state] of this.connections) {
      if (state.isUsed && state.active === 0 && !socket.writableEnded) socket.end();
    }
    let timer: NodeJS.Timeout | undefined;
    const isDrained = await Promise.race([
      this.whenDrained(),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs))),
    ]);
    clearTimeout(timer);
    this.onConnectionChange = undefined;
    this.upgrades.closeAll();
    this.server.closeAllConnections();
    await closed;
    return isDrained;
  }

  /**
   * Every connection accepted before the drain has sent its first request (answered with `Connection: close`) or
   * stayed silent for CONNECTION_GRACE_MS; every request in flight is answered; then every connection, its answer
   * sent, has closed (or CONNECTION_GRACE_MS more passed): closing one still sending its answer would cut it.
   */
  private async whenDrained(): Promise<true> {
    await this.whenNoConnection((state) => !state.isUsed);
    await this.handler.whenIdle();
    await this.whenNoConnection(() => true);
    return true;
  }

  private async whenNoConnection(isWaitedFor: (state: ConnectionState) => boolean): Promise<void> {
    const isDone = () => ![...this.connections.values()].some(isWaitedFor);
    if (isDone()) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.onConnectionChange = undefined;
        resolve();
      };
      const timer = setTimeout(done, CONNECTION_GRACE_MS);
      this.onConnectionChange = () => {
        if (isDone()) done();
      };
    });
  }
}
