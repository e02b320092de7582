import { Inject, Logger, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { sqlQueryOf } from '../../database/data-source';
import { NotificationListener } from '../../database/notification.listener';
import { CONFIG_SNAPSHOT_CHANNEL } from '../snapshots/snapshot-store';
import { SnapshotsModule } from '../snapshots/snapshots.module';
import { SnapshotsService } from '../snapshots/snapshots.service';
import { DataPlaneCredentials } from './data-plane-credentials';
import { DataPlaneRepository } from './data-plane.repository';
import { DiscoveryGrpcServer } from './discovery.grpc';
import { DiscoveryService } from './discovery.service';
import { FleetController } from './fleet.controller';
import { FleetMetrics } from './fleet.metrics';
import { DEFAULT_FLEET_OPTIONS, FLEET_OPTIONS, type FleetOptions } from './fleet.options';
import { FleetService } from './fleet.service';
import { SnapshotFeed } from './snapshot-feed';
import { StoredSnapshotSource } from './stored-snapshot.source';

const logger = new Logger('ConfigDiscovery');
const DISCOVERY_STREAMS_GAUGE = Symbol('DISCOVERY_STREAMS_GAUGE');

/**
 * Fleet: the config-discovery gRPC server (one stream per data plane), the registry of data planes, and the
 * fleet view at `GET data-planes`. On bootstrap it starts listening for committed config changes (LISTEN on a
 * dedicated connection, which other modules may subscribe channels of their own to), loads the newest snapshot,
 * and binds `config.grpc`; on shutdown it ends the streams and stops, before the database closes. Other modules
 * add messages to every stream with `DiscoveryService.addBroadcast`.
 */
@Module({
  imports: [SnapshotsModule],
  controllers: [FleetController],
  providers: [
    { provide: FLEET_OPTIONS, useValue: DEFAULT_FLEET_OPTIONS },
    {
      provide: DataPlaneRepository,
      inject: [DataSource, FLEET_OPTIONS],
      useFactory: (dataSource: DataSource, options: FleetOptions) =>
        new DataPlaneRepository(sqlQueryOf(dataSource.manager), options.staleAfterMs),
    },
    {
      provide: StoredSnapshotSource,
      inject: [SnapshotsService],
      useFactory: (snapshots: SnapshotsService) => new StoredSnapshotSource(snapshots),
    },
    {
      provide: SnapshotFeed,
      inject: [StoredSnapshotSource],
      useFactory: (snapshots: StoredSnapshotSource) => new SnapshotFeed(snapshots, logger),
    },
    {
      provide: DiscoveryService,
      inject: [DataPlaneRepository, SnapshotFeed, APP_CONFIG, FLEET_OPTIONS, FleetMetrics],
      useFactory: (
        store: DataPlaneRepository,
        feed: SnapshotFeed,
        config: AppConfig,
        options: FleetOptions,
        metrics: FleetMetrics,
      ) => new DiscoveryService(metrics.observing(store), feed, config.instanceId, options, logger),
    },
    {
      provide: DiscoveryGrpcServer,
      inject: [DiscoveryService, APP_CONFIG, FLEET_OPTIONS],
      useFactory: (discovery: DiscoveryService, config: AppConfig, options: FleetOptions) =>
        new DiscoveryGrpcServer(discovery, config.grpc, options.shutdownGraceMs, (line) => logger.log(line), {
          dataPlanes: new DataPlaneCredentials(config.dataPlaneAuth.tokens),
          tls: config.grpcTls,
        }),
    },
    {
      provide: NotificationListener,
      inject: [SnapshotFeed, APP_CONFIG, FLEET_OPTIONS],
      useFactory: (feed: SnapshotFeed, config: AppConfig, options: FleetOptions) => {
        const listener = new NotificationListener(
          {
            databaseUrl: config.databaseUrl,
            backoffMs: options.listenerBackoffMs,
            probeIntervalMs: options.heartbeatMs,
          },
          logger,
        );
        listener.subscribe(CONFIG_SNAPSHOT_CHANNEL, {
          onNotification: (payload) => feed.notify(announcedVersion(payload)),
          onListening: () => void feed.refresh(),
        });
        return listener;
      },
    },
    {
      provide: DISCOVERY_STREAMS_GAUGE,
      inject: [DiscoveryService, Registry],
      useFactory: (discovery: DiscoveryService, registry: Registry) =>
        new Gauge({
          name: 'gateway_discovery_streams',
          help: 'Config discovery streams open on this control-plane replica',
          registers: [registry],
          collect() {
            this.set(discovery.streamCount);
          },
        }),
    },
    {
      provide: FleetService,
      inject: [DataPlaneRepository, StoredSnapshotSource],
      useFactory: (dataPlanes: DataPlaneRepository, snapshots: StoredSnapshotSource) =>
        new FleetService(dataPlanes, snapshots),
    },
    {
      provide: FleetMetrics,
      inject: [Registry, FleetService, APP_CONFIG, SnapshotsService],
      useFactory: (registry: Registry, fleet: FleetService, config: AppConfig, snapshots: SnapshotsService) =>
        new FleetMetrics(
          registry,
          fleet,
          config.instanceId,
          async (version) => new Date((await snapshots.get(version)).createdAt),
        ),
    },
  ],
  exports: [FleetService, DiscoveryGrpcServer, DiscoveryService, NotificationListener],
})
export class FleetModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(NotificationListener) private readonly listener: NotificationListener,
    @Inject(SnapshotFeed) private readonly feed: SnapshotFeed,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(DiscoveryGrpcServer) private readonly grpcServer: DiscoveryGrpcServer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.dataPlaneAuth.tokens.length === 0) {
      logger.warn('data-plane streams are not authenticated: DATA_PLANE_TOKENS is not set (development or test only)');
    }
    await this.listener.start();
    await this.feed.refresh();
    this.discovery.start();
    try {
      await this.grpcServer.start();
    } catch (error) {
      // Nest runs no shutdown hook when bootstrap fails: release the LISTEN connection and timers here.
      await this.beforeApplicationShutdown();
      throw error;
    }
  }

  /** Streams end (and their rows are marked disconnected) while the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.grpcServer.stop();
    await this.listener.stop();
    this.feed.stop();
  }
}

/** The snapshot version a NOTIFY announced; undefined when the payload is not one. */
function announcedVersion(payload: string): number | undefined {
  const version = Number(payload);
  return Number.isSafeInteger(version) && version > 0 ? version : undefined;
}
