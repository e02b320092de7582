import { Module } from '@nestjs/common';
import { SnapshotsModule } from '../snapshots/snapshots.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  imports: [SnapshotsModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
