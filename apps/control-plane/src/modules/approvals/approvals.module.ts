import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../deployments/deployments.module';
import { ApprovalsController } from './approvals.controller';

/**
 * Approvals of deployments: the policy (approval-policy.ts: environments that need one, expiry, no self-approval)
 * is applied by the deployments engine; this module lists what waits for a decision.
 */
@Module({
  imports: [DeploymentsModule],
  controllers: [ApprovalsController],
})
export class ApprovalsModule {}
