import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SnapshotsModule } from '../snapshots/snapshots.module';
import { ConfigRollbackController } from './config-rollback.controller';
import { ConfigRollbackService } from './config-rollback.service';

/** `POST config/rollback`: a new config version equal to a stored one, under the deployments' approval policy. */
@Module({
  imports: [SnapshotsModule, AuditModule],
  controllers: [ConfigRollbackController],
  providers: [ConfigRollbackService],
  exports: [ConfigRollbackService],
})
export class ConfigRollbackModule {}
