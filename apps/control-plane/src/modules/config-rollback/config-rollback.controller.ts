import { Body, Controller, Get, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { z } from 'zod';
import type { Actor } from '../../common/http/actor';
import { openApiSchemaOf } from '../../common/http/openapi';
import { IdParamPipe } from '../../common/http/id-param';
import { ZodValidationPipe } from '../../common/http/zod-validation';
import { CurrentActor } from '../auth/principal';
import { ApprovalDecision, ApprovalDecisionEndpoint } from '../approvals/approval-decision.decorators';
import type { ApprovalDecisionBody } from '../approvals/dto/approval-decision.dto';
import { Roles } from '../auth/roles.decorator';
import {
  listRollbacksQuerySchema,
  rollbackRequestBodySchema,
  type ConfigRollbackView,
  type RollbackRequestBody,
} from './config-rollback.dto';
import { ConfigRollbackService } from './config-rollback.service';

@ApiTags('config')
@ApiBearerAuth()
@Controller('config')
export class ConfigRollbackController {
  constructor(@Inject(ConfigRollbackService) private readonly rollbacks: ConfigRollbackService) {}

  @Post('rollback')
  @Roles('Admin', 'Operator')
  @ApiOperation({
    summary: 'Write a new config version equal to a stored version (Admin, Operator)',
    description:
      'Routes get a new live version with the stored config, routes and backends added since are deleted, deleted ' +
      'ones come back. In an environment under the approval policy (`environment`, default production) the ' +
      'rollback is Pending until another Admin approves it (POST config/rollbacks/{id}/approve).',
  })
  @ApiBody({ schema: openApiSchemaOf(rollbackRequestBodySchema) })
  @ApiCreatedResponse({ description: 'The rollback: status Applied (appliedVersion, appliedHash) or Pending' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND: no such config version' })
  @ApiConflictResponse({ description: 'CONFLICT: a deployment is in flight on a route the rollback would change' })
  request(
    @Body(new ZodValidationPipe(rollbackRequestBodySchema)) body: RollbackRequestBody,
    @CurrentActor() actor: Actor,
  ): Promise<ConfigRollbackView> {
    return this.rollbacks.request(body, actor);
  }

  @Get('rollbacks')
  @Roles('Admin', 'Operator', 'Viewer')
  @ApiOperation({ summary: 'Config rollbacks, newest first (filter status: Pending, Applied, Rejected)' })
  @ApiOkResponse({ description: '`{items}`' })
  list(
    @Query(new ZodValidationPipe(listRollbacksQuerySchema, { root: 'query' }))
    query: z.output<typeof listRollbacksQuerySchema>,
  ): Promise<{ items: ConfigRollbackView[] }> {
    return this.rollbacks.list(query.status);
  }

  @Get('rollbacks/:rollbackId')
  @Roles('Admin', 'Operator', 'Viewer')
  @ApiOperation({ summary: 'Get a config rollback' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  get(@Param('rollbackId', new IdParamPipe('Config rollback')) rollbackId: string): Promise<ConfigRollbackView> {
    return this.rollbacks.get(rollbackId);
  }

  @ApprovalDecisionEndpoint('rollbacks/:rollbackId/approve', {
    summary: 'Approve a pending config rollback (Admin; not your own); it is applied at once',
    forbidden: 'FORBIDDEN: not an Admin, or your own rollback',
    conflict: 'CONFLICT: not pending (decided or expired), or a deployment is in flight',
  })
  approve(
    @Param('rollbackId', new IdParamPipe('Config rollback')) rollbackId: string,
    @ApprovalDecision() body: ApprovalDecisionBody,
    @CurrentActor() actor: Actor,
  ): Promise<ConfigRollbackView> {
    return this.rollbacks.approve(rollbackId, body.comment, actor);
  }

  @ApprovalDecisionEndpoint('rollbacks/:rollbackId/reject', {
    summary: 'Reject a pending config rollback (Admin; not your own)',
  })
  reject(
    @Param('rollbackId', new IdParamPipe('Config rollback')) rollbackId: string,
    @ApprovalDecision() body: ApprovalDecisionBody,
    @CurrentActor() actor: Actor,
  ): Promise<ConfigRollbackView> {
    return this.rollbacks.reject(rollbackId, body.comment, actor);
  }
}
