import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DeploymentsService } from '../deployments/deployments.service';
import type { DeploymentView } from '../deployments/dto/deployment.dto';

@ApiTags('approvals')
@ApiBearerAuth()
@Controller('approvals')
export class ApprovalsController {
  constructor(@Inject(DeploymentsService) private readonly deployments: DeploymentsService) {}

  @Get('pending')
  @ApiOperation({
    summary: 'Deployments awaiting approval, oldest first',
    description: 'Approve or reject with POST deployments/{id}/approve|reject (Admin; never your own deployment).',
  })
  @ApiOkResponse({ description: '`{items}`: the deployments, with approval.expiresAt' })
  async pending(): Promise<{ items: DeploymentView[] }> {
    return { items: await this.deployments.pendingApprovals() };
  }
}
