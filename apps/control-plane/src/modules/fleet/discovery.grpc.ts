import * as grpc from '@grpc/grpc-js';
import {
  DATA_PLANE_AUTH_METADATA_KEY,
  DISCOVERY_FEATURES_METADATA_KEY,
  GRPC_SERVER_OPTIONS,
  HEARTBEAT_FEATURE,
  loadDiscoveryProto,
  type ConfigDiscoveryHandlers,
  type ControlPlaneMessage,
  type DataPlaneMessage__Output,
} from '@hotswap/proto';
import type { ErrorCode, GatewayError } from '../../common/errors/gateway-error';
import type { GrpcTlsConfig } from '../../config/app-config';
import type { DataPlaneCredentials } from './data-plane-credentials';
import type { DiscoveryService } from './discovery.service';
import { DataPlaneUnauthenticatedError } from './fleet.errors';

/** The gRPC status of each error code: the one mapping of the gRPC transports (discovery, telemetry). */
export const GRPC_STATUS: Record<ErrorCode, grpc.status> = {
  VALIDATION_ERROR: grpc.status.INVALID_ARGUMENT,
  UNAUTHORIZED: grpc.status.UNAUTHENTICATED,
  FORBIDDEN: grpc.status.PERMISSION_DENIED,
  NOT_FOUND: grpc.status.NOT_FOUND,
  CONFLICT: grpc.status.FAILED_PRECONDITION,
  ROUTE_IN_DEPLOYMENT: grpc.status.FAILED_PRECONDITION,
  RATE_LIMIT_EXCEEDED: grpc.status.RESOURCE_EXHAUSTED,
  INTERNAL_ERROR: grpc.status.INTERNAL,
  SERVICE_UNAVAILABLE: grpc.status.UNAVAILABLE,
  DATABASE_UNAVAILABLE: grpc.status.UNAVAILABLE,
};

type DiscoveryCall = grpc.ServerDuplexStream<DataPlaneMessage__Output, ControlPlaneMessage>;

/** Who may call the data-plane services: their token, and the port's TLS (none: plaintext). */
export interface GrpcSecurity {
  readonly dataPlanes: DataPlaneCredentials;
  readonly tls: GrpcTlsConfig | undefined;
}

/**
 * The config-discovery gRPC server: a thin adapter from `ConfigDiscovery.StreamConfig` calls to DiscoveryService
 * sessions. Binds `host:port` (port 0: any free port) with the shared keepalive options, over TLS when configured
 * (with a client CA, every client of the port must present a certificate it signed). A data-plane call without an
 * accepted token ends with UNAUTHENTICATED before its session opens.
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
    private readonly security: GrpcSecurity,
  ) {}

  /**
   * Ends a data-plane call with UNAUTHENTICATED unless it presents an accepted token; true when it may be served.
   * Nothing of the call is read or answered before.
   */
  admitDataPlane(call: grpc.ServerDuplexStream<unknown, unknown>): boolean {
    const [value] = call.metadata.get(DATA_PLANE_AUTH_METADATA_KEY);
    if (this.security.dataPlanes.accepts(typeof value === 'string' ? value : undefined)) return true;
    const error = new DataPlaneUnauthenticatedError();
    call.emit('error', { code: GRPC_STATUS[error.code], details: error.message });
    return false;
  }

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
        server.bindAsync(`${host}:${this.address.port}`, this.serverCredentials(), (error, port) =>
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
    const scheme = this.security.tls ? (this.security.tls.clientCa ? 'grpcs (mTLS)' : 'grpcs') : 'grpc';
    this.announce(`config discovery listening ${scheme}://${host}:${this.boundPort}`);
    return this.boundPort;
  }

  private serverCredentials(): grpc.ServerCredentials {
    const tls = this.security.tls;
    if (!tls) return grpc.ServerCredentials.createInsecure();
    return grpc.ServerCredentials.createSsl(
      tls.clientCa ?? null,
      [{ cert_chain: tls.cert, private_key: tls.key }],
      tls.clientCa !== undefined,
    );
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
    if (!this.admitDataPlane(call)) return;
    // Headers first: they tell the data plane its stream is accepted and what this control plane understands.
    const features = new grpc.Metadata();
    features.set(DISCOVERY_FEATURES_METADATA_KEY, HEARTBEAT_FEATURE);
    call.sendMetadata(features);
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
