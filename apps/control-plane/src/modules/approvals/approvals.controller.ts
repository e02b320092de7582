import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApprovalsService } from './approvals.service';
import { pendingApprovalsResponseSchema, type PendingApproval } from './dto/pending-approval.dto';

@ApiTags('approvals')
@ApiBearerAuth()
@Controller('approvals')
export class ApprovalsController {
  constructor(@Inject(ApprovalsService) private readonly approvals: ApprovalsService) {}

  @Get('pending')
  @ApiOperation({
    summary: 'Everything awaiting approval (deployments and config rollbacks), oldest first',
    description:
      'Each item names its `kind` (Deployment, ConfigRollback), `id`, who requested it and when, its environment, ' +
      'when its approval expires (an expired one is no longer listed), and where to decide: POST `approveUrl` or ' +
      '`rejectUrl` (Admin; never your own request). Items keep the fields of their kind: a deployment as GET ' +
      'deployments/{id} answers it, a rollback as GET config/rollbacks/{id}.',
  })
  @ApiOkResponse({ description: '`{items}`', schema: pendingApprovalsResponseSchema })
  async pending(): Promise<{ items: PendingApproval[] }> {
    return { items: await this.approvals.pending() };
  }
}
