import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { BackendsModule } from '../backends/backends.module';
import { SnapshotsModule } from '../snapshots/snapshots.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { RoutesController } from './routes.controller';
import { RoutesService } from './routes.service';

@Module({
  imports: [AuditModule, SnapshotsModule, BackendsModule, TelemetryModule],
  controllers: [RoutesController],
  providers: [RoutesService],
  exports: [RoutesService],
})
export class RoutesModule {}
