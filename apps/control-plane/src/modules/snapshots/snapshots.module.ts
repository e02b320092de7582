import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ConfigChangeService } from './config-change.service';
import { SnapshotsController } from './snapshots.controller';
import { SnapshotsService } from './snapshots.service';

/** Config snapshots: reading them (SnapshotsService) and writing changes that produce them (ConfigChangeService). */
@Module({
  imports: [AuditModule],
  controllers: [SnapshotsController],
  providers: [SnapshotsService, ConfigChangeService],
  exports: [SnapshotsService, ConfigChangeService],
})
export class SnapshotsModule {}
