import * as grpc from '@grpc/grpc-js';
import {
  GRPC_SERVER_OPTIONS,
  loadDiscoveryProto,
  type ConfigDiscoveryHandlers,
  type ControlPlaneMessage,
  type DataPlaneMessage__Output,
} from '@hotswap/proto';
import type { ErrorCode, GatewayError } from '../../common/errors/gateway-error';
import type { DiscoveryService } from './discovery.service';

/** The gRPC status of each error code: the one mapping of the gRPC transports (discovery, telemetry). */
export const GRPC_STATUS: Record<ErrorCode, grpc.status> = {
  VALIDATION_ERROR: grpc.status.INVALID_ARGUMENT,
  UNAUTHORIZED: grpc.status.UNAUTHENTICATED,
  FORBIDDEN: grpc.status.PERMISSION_DENIED,
  NOT_FOUND: grpc.status.NOT_FOUND,
  CONFLICT: grpc.status.FAILED_PRECONDITION,
  RATE_LIMIT_EXCEEDED: grpc.status.RESOURCE_EXHAUSTED,
  INTERNAL_ERROR: grpc.status.INTERNAL,
  SERVICE_UNAVAILABLE: grpc.status.UNAVAILABLE,
};

type DiscoveryCall = grpc.ServerDuplexStream<DataPlaneMessage__Output, ControlPlaneMessage>;

/**
 * The config-discovery gRPC server: a thin adapter from `ConfigDiscovery.StreamConfig` calls to DiscoveryService
 * sessions. Binds `host:port` (port 0: any free port) with the shared keepalive options.
 */
export class DiscoveryGrpcServer {
  private server: grpc.Server | undefined;
  private boundPort: number | undefined;
  private readonly services: Array<{
    definition: grpc.ServiceDefinition;
    handlers: grpc.UntypedServiceImplementation;
  }> = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly address: { readonly host: string; readonly port: number },
    private readonly shutdownGraceMs: number,
    /** Told the listening address once bound (the process prints it: tests and operators wait for that line). */
    private readonly announce: (line: string) => void,
  ) {}

  /** The port the server listens on, once started. */
  get port(): number | undefined {
    return this.boundPort;
  }

  /**
   * Serves another gRPC service on the same port (telemetry, management). Only before `start`; the service's module
   * ends its own calls before this server stops (or they are cut off after the grace period).
   */
  addService(definition: grpc.ServiceDefinition, handlers: grpc.UntypedServiceImplementation): void {
    if (this.server) throw new Error('gRPC services are added before the server starts');
    this.services.push({ definition, handlers });
  }

  /** Binds and serves; resolves with the bound port. */
  async start(): Promise<number> {
    if (this.server) throw new Error('the discovery gRPC server is already started');
    const server = new grpc.Server(GRPC_SERVER_OPTIONS);
    const handlers: ConfigDiscoveryHandlers = { StreamConfig: (call) => this.serve(call) };
    server.addService(loadDiscoveryProto().hotswap.discovery.v1.ConfigDiscovery.service, handlers);
    for (const service of this.services) server.addService(service.definition, service.handlers);
    const host = this.address.host.includes(':') ? `[${this.address.host}]` : this.address.host;
    try {
      this.boundPort = await new Promise<number>((resolve, reject) =>
        server.bindAsync(`${host}:${this.address.port}`, grpc.ServerCredentials.createInsecure(), (error, port) =>
          error ? reject(error) : resolve(port),
        ),
      );
    } catch (error) {
      server.forceShutdown();
      throw new Error(`config discovery cannot listen on ${host}:${this.address.port}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.server = server;
    this.announce(`config discovery listening grpc://${host}:${this.boundPort}`);
    return this.boundPort;
  }

  /**
   * Ends every stream (UNAVAILABLE: data planes reconnect elsewhere), records them disconnected, then shuts the
   * server down, forcefully after the grace period.
   */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await this.discovery.stop();
    if (!server) return;
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, this.shutdownGraceMs);
      server.tryShutdown(() => {
        clearTimeout(deadline);
        resolve();
      });
    });
  }

  private serve(call: DiscoveryCall): void {
    let isEnded = false;
    const session = this.discovery.open({
      send: (message) => {
        if (!isEnded && !call.cancelled) call.write(message);
      },
      fail: (error: GatewayError) => {
        if (isEnded) return;
        isEnded = true;
        call.emit('error', { code: GRPC_STATUS[error.code], details: error.message });
      },
    });
    const close = () => void session.close();
    call.on('data', (message: DataPlaneMessage__Output) => session.receive(message));
    call.on('end', () => {
      close();
      if (!isEnded) {
        isEnded = true;
        call.end();
      }
    });
    call.on('cancelled', close);
    call.on('error', close);
    call.on('close', close);
  }
}
