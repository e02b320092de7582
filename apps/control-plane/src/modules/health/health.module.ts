import { Module } from '@nestjs/common';
import { SnapshotsModule } from '../snapshots/snapshots.module';
import { TelemetryModule } from '../telemetry/telemetry.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [SnapshotsModule, TelemetryModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
