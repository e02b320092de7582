import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GatewayExceptionFilter } from './common/errors/gateway-exception.filter';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { ApprovalsModule } from './modules/approvals/approvals.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { BackendsModule } from './modules/backends/backends.module';
import { ConfigRollbackModule } from './modules/config-rollback/config-rollback.module';
import { DeploymentsModule } from './modules/deployments/deployments.module';
import { FleetModule } from './modules/fleet/fleet.module';
import { HealthModule } from './modules/health/health.module';
import { HealthChecksModule } from './modules/health-checks/health-checks.module';
import { ManagementApiModule } from './modules/management-api/management-api.module';
import { ManagementRateLimitsModule } from './modules/management-rate-limits/management-rate-limits.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { RoutesModule } from './modules/routes/routes.module';
import { SnapshotsModule } from './modules/snapshots/snapshots.module';
import { TelemetryModule } from './modules/telemetry/telemetry.module';
import { TracingModule } from './modules/tracing/tracing.module';

/**
 * The control plane. Global: AppConfig (`APP_CONFIG`), the TypeORM `DataSource`, the prom-client `Registry`, the
 * auth guard and the exception filter. Feature modules are listed in `imports`.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TracingModule,
        DatabaseModule,
        MetricsModule,
        AuthModule,
        AuditModule,
        SnapshotsModule,
        BackendsModule,
        RoutesModule,
        HealthModule,
        FleetModule,
        HealthChecksModule,
        TelemetryModule,
        DeploymentsModule,
        ApprovalsModule,
        ConfigRollbackModule,
        ManagementApiModule,
        ManagementRateLimitsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: GatewayExceptionFilter }],
    };
  }
}
