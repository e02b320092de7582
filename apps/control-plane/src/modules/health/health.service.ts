import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SnapshotsService } from '../snapshots/snapshots.service';
import { TelemetryService } from '../telemetry/telemetry.service';

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
  database: { status: 'Up' | 'Down'; latencyMs: number | null; error?: string };
}

const DATABASE_TIMEOUT_MS = 2_000;
const PACKAGE_VERSION = readPackageVersion();

/** The control plane's health: PostgreSQL reachability and what the newest snapshot holds. */
@Injectable()
export class HealthService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(SnapshotsService) private readonly snapshots: SnapshotsService,
    @Inject(TelemetryService) private readonly telemetry: TelemetryService,
  ) {}

  async check(): Promise<HealthReport> {
    const started = Date.now();
    let snapshot: ConfigSnapshot | undefined;
    let database: HealthReport['database'];
    try {
      snapshot = await withTimeout(
        (async () => {
          await this.dataSource.query('SELECT 1');
          return this.snapshots.getLatest();
        })(),
        DATABASE_TIMEOUT_MS,
      );
      database = { status: 'Up', latencyMs: Date.now() - started };
    } catch (error) {
      snapshot = this.snapshots.lastKnown();
      database = { status: 'Down', latencyMs: null, error: (error as Error).message };
    }
    return {
      status: database.status === 'Up' ? 'Healthy' : 'Degraded',
      version: PACKAGE_VERSION,
      uptime: Math.round(process.uptime()),
      routesConfigured: snapshot?.routes.length ?? 0,
      backendsHealthy: snapshot?.backends.filter((backend) => backend.healthStatus === 'Healthy').length ?? 0,
      backendsTotal: snapshot?.backends.length ?? 0,
      lastConfigUpdate: snapshot?.createdAt ?? null,
      configVersion: snapshot?.version ?? null,
      ...this.telemetry.healthFigures(),
      database,
    };
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`PostgreSQL did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
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
