import { Inject, Logger, Module, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { sqlQueryOf } from '../../database/data-source';
import { DiscoveryGrpcServer } from '../fleet/discovery.grpc';
import { FleetModule } from '../fleet/fleet.module';
import { TelemetryController } from './telemetry.controller';
import { registerTelemetryService } from './telemetry.grpc';
import { DEFAULT_TELEMETRY_OPTIONS, TELEMETRY_OPTIONS, type TelemetryOptions } from './telemetry.options';
import { TelemetryRepository } from './telemetry.repository';
import { TelemetryService } from './telemetry.service';

const logger = new Logger('Telemetry');
const TELEMETRY_STREAMS_GAUGE = Symbol('TELEMETRY_STREAMS_GAUGE');

/**
 * Telemetry: the data planes' `Telemetry.ReportTelemetry` streams (on the discovery gRPC server's port), their
 * aggregation into buckets per route and variant (memory, written behind to PostgreSQL), and `GET metrics`.
 * Exports TelemetryService: `routeStatistics(routeId)`, `compareVariants(routeId, sinceMs)`, `healthFigures()`.
 * It loads the stored windows and registers its gRPC service at module init (before the server binds), and on
 * shutdown stores what it holds and ends its streams before the gRPC server stops.
 */
@Module({
  imports: [FleetModule],
  controllers: [TelemetryController],
  providers: [
    { provide: TELEMETRY_OPTIONS, useValue: DEFAULT_TELEMETRY_OPTIONS },
    {
      provide: TelemetryRepository,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) =>
        new TelemetryRepository(sqlQueryOf(dataSource.manager), (work) =>
          dataSource.transaction((manager) => work(sqlQueryOf(manager))),
        ),
    },
    {
      provide: TelemetryService,
      inject: [TelemetryRepository, TELEMETRY_OPTIONS],
      useFactory: (repository: TelemetryRepository, options: TelemetryOptions) =>
        new TelemetryService(repository, options, logger),
    },
    {
      provide: TELEMETRY_STREAMS_GAUGE,
      inject: [TelemetryService, Registry],
      useFactory: (telemetry: TelemetryService, registry: Registry) =>
        new Gauge({
          name: 'gateway_telemetry_streams',
          help: 'Telemetry streams from data planes open on this control-plane replica',
          registers: [registry],
          collect() {
            this.set(telemetry.streamCount);
          },
        }),
    },
  ],
  exports: [TelemetryService],
})
export class TelemetryModule implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    @Inject(TelemetryService) private readonly telemetry: TelemetryService,
    @Inject(DiscoveryGrpcServer) private readonly grpcServer: DiscoveryGrpcServer,
  ) {}

  async onModuleInit(): Promise<void> {
    registerTelemetryService(this.grpcServer, this.telemetry);
    await this.telemetry.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.telemetry.stop();
  }
}
