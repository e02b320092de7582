import { Module } from '@nestjs/common';
import { ConfigRollbackModule } from '../config-rollback/config-rollback.module';
import { DeploymentsModule } from '../deployments/deployments.module';
import { ApprovalsController } from './approvals.controller';
import { ApprovalsService } from './approvals.service';

/**
 * Approvals of deployments and config rollbacks: the policy (approval-policy.ts: environments that need one,
 * expiry, no self-approval) is applied by the deployments engine and the rollback service; this module lists what
 * waits for a decision.
 */
@Module({
  imports: [DeploymentsModule, ConfigRollbackModule],
  controllers: [ApprovalsController],
  providers: [ApprovalsService],
})
export class ApprovalsModule {}
