import { Inject, Injectable } from '@nestjs/common';
import { ConfigRollbackService } from '../config-rollback/config-rollback.service';
import { DeploymentsService } from '../deployments/deployments.service';
import type { PendingApproval } from './dto/pending-approval.dto';
import { oldestFirst, pendingDeployment, pendingRollback } from './pending-approval';

/** What waits for an Admin's decision: deployments and config rollbacks under the approval policy. */
@Injectable()
export class ApprovalsService {
  constructor(
    @Inject(DeploymentsService) private readonly deployments: DeploymentsService,
    @Inject(ConfigRollbackService) private readonly rollbacks: ConfigRollbackService,
  ) {}

  async pending(now = new Date()): Promise<PendingApproval[]> {
    const [deployments, rollbacks] = await Promise.all([
      this.deployments.pendingApprovals(now),
      this.rollbacks.pending(now),
    ]);
    return oldestFirst([...deployments.map(pendingDeployment), ...rollbacks.map(pendingRollback)]);
  }
}
