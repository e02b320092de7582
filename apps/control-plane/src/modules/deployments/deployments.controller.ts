import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
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
import { ApiPagination, openApiSchemaOf } from '../../common/http/openapi';
import type { Page } from '../../common/http/pagination';
import { IdParamPipe } from '../../common/http/id-param';
import { ZodValidationPipe } from '../../common/http/zod-validation';
import { CurrentActor } from '../auth/principal';
import { ApprovalDecision, ApprovalDecisionEndpoint } from '../approvals/approval-decision.decorators';
import type { ApprovalDecisionBody } from '../approvals/dto/approval-decision.dto';
import { Roles } from '../auth/roles.decorator';
import { DeploymentsService } from './deployments.service';
import {
  createDeploymentBodySchema,
  createDeploymentExample,
  listDeploymentsQuerySchema,
  pauseBodySchema,
  promoteBodySchema,
  rollbackBodySchema,
  type CreateDeploymentBody,
  type DeploymentMetricsView,
  type DeploymentView,
  type ListDeploymentsQuery,
} from './dto/deployment.dto';
import { RateLimited } from '../management-rate-limits/rate-limit-class';

@ApiTags('deployments')
@ApiBearerAuth()
@Controller('deployments')
@Roles('Admin', 'Operator')
export class DeploymentsController {
  constructor(@Inject(DeploymentsService) private readonly deployments: DeploymentsService) {}

  @RateLimited('deployments')
  @Post()
  @ApiOperation({
    summary: 'Roll a route out to a new version (Admin, Operator)',
    description:
      'Names the route and the version (`configVersion`: a version number or a version label), or gives the new ' +
      'forwarding config inline (`config`: creates the version). Strategies: Direct, Canary (default phases 10% ' +
      'and 50% for 5 minutes, then 100%), BlueGreen (0% with the preview header, then 100%), Rolling (data planes ' +
      'batch by batch). A deployment may not change pathPattern, host, methods or priority. One active deployment ' +
      'per route (409). Environments under the approval policy wait for an Admin.',
  })
  @ApiBody({
    schema: openApiSchemaOf(createDeploymentBodySchema),
    examples: { canary: { value: createDeploymentExample } },
  })
  @ApiCreatedResponse({ description: 'The deployment, with its phases and history' })
  @ApiBadRequestResponse({ description: 'VALIDATION_ERROR: details lists each {field, message}' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND: the route or the version' })
  @ApiConflictResponse({ description: 'CONFLICT: the route already has an active deployment' })
  create(
    @Body(new ZodValidationPipe(createDeploymentBodySchema)) body: CreateDeploymentBody,
    @CurrentActor() actor: Actor,
  ): Promise<DeploymentView> {
    return this.deployments.create(body, actor);
  }

  @Get()
  @Roles('Admin', 'Operator', 'Viewer')
  @ApiOperation({ summary: 'List deployments, newest first (filters routeId, status)' })
  @ApiPagination()
  @ApiOkResponse({ description: '`{items, total, limit, offset}`' })
  list(
    @Query(new ZodValidationPipe(listDeploymentsQuerySchema, { root: 'query' })) query: ListDeploymentsQuery,
  ): Promise<Page<DeploymentView>> {
    return this.deployments.list(query);
  }

  @Get(':deploymentId')
  @Roles('Admin', 'Operator', 'Viewer')
  @ApiOperation({ summary: 'Get a deployment: phases, current phase, approval, last analysis, history' })
  @ApiOkResponse({ description: 'The deployment' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  get(@Param('deploymentId', new IdParamPipe('Deployment')) deploymentId: string): Promise<DeploymentView> {
    return this.deployments.get(deploymentId);
  }

  @RateLimited('metricsAndHealth')
  @Get(':deploymentId/metrics')
  @Roles('Admin', 'Operator', 'Viewer')
  @ApiOperation({ summary: 'Stable versus canary during the current phase, and whether it should roll back' })
  @ApiOkResponse({ description: '{stable, canary, comparison: {errorRateDelta, p99LatencyDelta, shouldRollback}}' })
  metrics(@Param('deploymentId', new IdParamPipe('Deployment')) deploymentId: string): Promise<DeploymentMetricsView> {
    return this.deployments.metrics(deploymentId);
  }

  @RateLimited('deployments')
  @ApprovalDecisionEndpoint(':deploymentId/approve', {
    summary: 'Approve a pending deployment (Admin; not your own); it starts at once',
    forbidden: 'FORBIDDEN: not an Admin, or your own deployment',
    conflict: 'CONFLICT: not awaiting approval',
  })
  approve(
    @Param('deploymentId', new IdParamPipe('Deployment')) deploymentId: string,
    @ApprovalDecision() body: ApprovalDecisionBody,
    @CurrentActor() actor: Actor,
  ): Promise<DeploymentView> {
    return this.deployments.approve(deploymentId, body.comment, actor);
  }

  @RateLimited('deployments')
  @ApprovalDecisionEndpoint(':deploymentId/reject', { summary: 'Reject a pending deployment (Admin; not your own)' })
  reject(
    @Param('deploymentId', new IdParamPipe('Deployment')) deploymentId: string,
    @ApprovalDecision() body: ApprovalDecisionBody,
    @CurrentActor() actor: Actor,
  ): Promise<DeploymentView> {
    return this.deployments.reject(deploymentId, body.comment, actor);
  }

  @RateLimited('deployments')
  @Post(':deploymentId/promote')
  @HttpCode(200)
  @ApiOperation({ summary: 'Go to the next phase now, or to the first phase at or above `targetPercentage`' })
  @ApiConflictResponse({ description: 'CONFLICT: the deployment is not in progress or paused' })
  promote(
    @Param('deploymentId', new IdParamPipe('Deployment')) deploymentId: string,
    @Body(new ZodValidationPipe(promoteBodySchema)) body: z.output<typeof promoteBodySchema>,
    @CurrentActor() actor: Actor,
  ): Promise<DeploymentView> {
    return this.deployments.promote(deploymentId, body.targetPercentage, actor);
  }

  @RateLimited('deployments')
  @Post(':deploymentId/rollback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Roll back: the live version takes 100% of traffic in the next snapshot' })
  rollback(
    @Param('deploymentId', new IdParamPipe('Deployment')) deploymentId: string,
    @Body(new ZodValidationPipe(rollbackBodySchema)) body: z.output<typeof rollbackBodySchema>,
    @CurrentActor() actor: Actor,
  ): Promise<DeploymentView> {
    return this.deployments.rollback(deploymentId, body.reason, actor);
  }

  @RateLimited('deployments')
  @Post(':deploymentId/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause: traffic stays split as it is, phases stop advancing' })
  pause(
    @Param('deploymentId', new IdParamPipe('Deployment')) deploymentId: string,
    @Body(new ZodValidationPipe(pauseBodySchema)) body: z.output<typeof pauseBodySchema>,
    @CurrentActor() actor: Actor,
  ): Promise<DeploymentView> {
    return this.deployments.pause(deploymentId, body.reason, actor);
  }

  @RateLimited('deployments')
  @Post(':deploymentId/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused deployment: its phase starts over' })
  resume(
    @Param('deploymentId', new IdParamPipe('Deployment')) deploymentId: string,
    @CurrentActor() actor: Actor,
  ): Promise<DeploymentView> {
    return this.deployments.resume(deploymentId, actor);
  }
}
