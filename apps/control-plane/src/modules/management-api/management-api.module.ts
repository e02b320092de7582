import type * as grpc from '@grpc/grpc-js';
import { Inject, Module, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { loadManagementProto } from '@hotswap/proto';
import { NotificationListener } from '../../database/notification.listener';
import { TokenService } from '../auth/token.service';
import { BackendsModule } from '../backends/backends.module';
import { BackendsService } from '../backends/backends.service';
import { DeploymentsModule } from '../deployments/deployments.module';
import { DeploymentsService } from '../deployments/deployments.service';
import { DiscoveryGrpcServer } from '../fleet/discovery.grpc';
import { FleetModule } from '../fleet/fleet.module';
import { ManagementRateLimiter } from '../management-rate-limits/management-rate-limiter';
import { ManagementRateLimitsModule } from '../management-rate-limits/management-rate-limits.module';
import { RoutesModule } from '../routes/routes.module';
import { RoutesService } from '../routes/routes.service';
import { ControlPlaneTracer } from '../tracing/control-plane-tracer';
import { traceUnaryCalls } from '../tracing/grpc-tracing';
import { DeploymentWatcher } from './deployment-watcher';
import { backendHandlers, deploymentHandlers, routeHandlers } from './management.grpc';

/**
 * The gRPC management API (`proto/hotswap/management/v1/management.proto`) on the discovery gRPC server's port:
 * thin adapters over the services the REST controllers use, with the same token, roles, validation, audit and
 * per-user rate limits.
 */
@Module({ imports: [FleetModule, RoutesModule, BackendsModule, DeploymentsModule, ManagementRateLimitsModule] })
export class ManagementApiModule implements OnModuleInit, BeforeApplicationShutdown {
  private watcher: DeploymentWatcher | undefined;

  constructor(
    @Inject(DiscoveryGrpcServer) private readonly grpcServer: DiscoveryGrpcServer,
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(ManagementRateLimiter) private readonly limiter: ManagementRateLimiter,
    @Inject(RoutesService) private readonly routes: RoutesService,
    @Inject(BackendsService) private readonly backends: BackendsService,
    @Inject(DeploymentsService) private readonly deployments: DeploymentsService,
    @Inject(NotificationListener) private readonly listener: NotificationListener,
    @Inject(ControlPlaneTracer) private readonly tracer: ControlPlaneTracer,
  ) {}

  onModuleInit(): void {
    const services = {
      tokens: this.tokens,
      limiter: this.limiter,
      routes: this.routes,
      backends: this.backends,
      deployments: this.deployments,
      watcher: new DeploymentWatcher(this.deployments, this.listener),
    };
    this.watcher = services.watcher;
    const proto = loadManagementProto().hotswap.management.v1;
    const traced = (definition: grpc.ServiceDefinition, handlers: grpc.UntypedServiceImplementation) =>
      this.grpcServer.addService(definition, traceUnaryCalls(this.tracer, definition, handlers));
    traced(proto.RouteService.service, routeHandlers(services));
    traced(proto.BackendService.service, backendHandlers(services));
    traced(proto.DeploymentService.service, deploymentHandlers(services));
  }

  beforeApplicationShutdown(): void {
    this.watcher?.closeAll();
  }
}
