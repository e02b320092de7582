import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { withTimeout } from '../../common/with-timeout';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { SnapshotsService } from '../snapshots/snapshots.service';
import { TelemetryService } from '../telemetry/telemetry.service';
import { RedisProbe, type DependencyStatus } from './redis-probe';

/** The dependencies whose outage makes the control plane Degraded. */
export type Dependency = 'PostgreSQL' | 'Redis';

export interface HealthReport {
  status: 'Healthy' | 'Degraded';
  version: string;
  /** Seconds since the process started. */
  uptime: number;
  routesConfigured: number;
  backendsHealthy: number;
  backendsTotal: number;
  lastConfigUpdate: string | null;
  configVersion: number | null;
  /** Requests per second over the last minute, on every data plane (their telemetry). */
  requestsPerSecond: number;
  /** Client connections open on the data planes reporting now. */
  activeConnections: number;
  database: DependencyStatus;
  /** Null when REDIS_URL is not set. */
  redis: DependencyStatus | null;
  /** What makes it Degraded: the dependencies that do not answer. */
  unavailableDependencies: Dependency[];
}

const DATABASE_TIMEOUT_MS = 2_000;
const REDIS_TIMEOUT_MS = 1_000;
const PACKAGE_VERSION = readPackageVersion();

/**
 * The control plane's health: PostgreSQL and (when configured) Redis reachability, probed in parallel with bounded
 * timeouts, and what the newest snapshot holds. A dependency down makes it Degraded, never an error.
 */
@Injectable()
export class HealthService implements OnModuleDestroy {
  private readonly redis: RedisProbe | undefined;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(SnapshotsService) private readonly snapshots: SnapshotsService,
    @Inject(TelemetryService) private readonly telemetry: TelemetryService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.redis = config.redisUrl === undefined ? undefined : new RedisProbe(config.redisUrl, REDIS_TIMEOUT_MS);
  }

  onModuleDestroy(): void {
    this.redis?.close();
  }

  async check(): Promise<HealthReport> {
    const [{ snapshot, database }, redis] = await Promise.all([this.checkDatabase(), this.redis?.check() ?? null]);
    const unavailableDependencies: Dependency[] = [];
    if (database.status === 'Down') unavailableDependencies.push('PostgreSQL');
    if (redis?.status === 'Down') unavailableDependencies.push('Redis');
    return {
      status: unavailableDependencies.length === 0 ? 'Healthy' : 'Degraded',
      version: PACKAGE_VERSION,
      uptime: Math.round(process.uptime()),
      routesConfigured: snapshot?.routes.length ?? 0,
      backendsHealthy: snapshot?.backends.filter((backend) => backend.healthStatus === 'Healthy').length ?? 0,
      backendsTotal: snapshot?.backends.length ?? 0,
      lastConfigUpdate: snapshot?.createdAt ?? null,
      configVersion: snapshot?.version ?? null,
      ...this.telemetry.healthFigures(),
      database,
      redis,
      unavailableDependencies,
    };
  }

  /** The newest snapshot from PostgreSQL; when it does not answer, the last one known. */
  private async checkDatabase(): Promise<{ snapshot: ConfigSnapshot | undefined; database: DependencyStatus }> {
    const started = Date.now();
    try {
      const snapshot = await withTimeout(
        (async () => {
          await this.dataSource.query('SELECT 1');
          return this.snapshots.getLatest();
        })(),
        DATABASE_TIMEOUT_MS,
        'PostgreSQL',
      );
      return { snapshot, database: { status: 'Up', latencyMs: Date.now() - started } };
    } catch (error) {
      return {
        snapshot: this.snapshots.lastKnown(),
        database: { status: 'Down', latencyMs: null, error: (error as Error).message },
      };
    }
  }
}

function readPackageVersion(): string {
  try {
    // Same relative path from src/modules/health and dist/modules/health.
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
