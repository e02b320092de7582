import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '../../common/http/actor';
import { openApiSchemaOf } from '../../common/http/openapi';
import { IdParamPipe } from '../../common/http/id-param';
import { ZodValidationPipe } from '../../common/http/zod-validation';
import { CurrentActor } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import {
  circuitBreakerBodySchema,
  drainingBodySchema,
  healthViewExample,
  runCheckBodySchema,
  type BackendHealthView,
  type CircuitBreakerBody,
  type DrainingBody,
  type HealthCheckResultView,
  type RunCheckBody,
} from './dto/health.dto';
import { HealthChecksService } from './health-checks.service';
import { RateLimited } from '../management-rate-limits/rate-limit-class';

@ApiTags('health-checks')
@ApiBearerAuth()
@Controller()
export class HealthChecksController {
  constructor(@Inject(HealthChecksService) private readonly health: HealthChecksService) {}

  @RateLimited('metricsAndHealth')
  @Get('backends/:backendId/health')
  @ApiOperation({
    summary: 'Health of a backend',
    description:
      'healthStatus is what data planes act on (Unhealthy and Draining get no new requests). activeConnections, ' +
      'totalRequests and failedRequests come from data-plane telemetry once it is reported (0 until then).',
  })
  @ApiOkResponse({ description: 'The backend health', schema: { example: healthViewExample } })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  getHealth(@Param('backendId', new IdParamPipe('Backend')) backendId: string): Promise<BackendHealthView> {
    return this.health.getHealth(backendId);
  }

  @RateLimited('metricsAndHealth')
  @Post('health-checks')
  @HttpCode(200)
  @Roles('Admin', 'Operator')
  @ApiOperation({
    summary: 'Run a health check now (Admin, Operator)',
    description:
      'Probes the backend with its healthCheck (the result counts towards its thresholds like a scheduled check); a ' +
      'backend without one gets the default check (HTTP GET /health, expecting 200) and keeps its state.',
  })
  @ApiBody({
    schema: openApiSchemaOf(runCheckBodySchema),
    examples: { one: { value: { backendId: 'backend-1a2b3c4d' } } },
  })
  @ApiOkResponse({
    description: 'The result: isHealthy, statusCode, detail, latencyMs, recorded, and the health after it',
  })
  @ApiBadRequestResponse({ description: 'VALIDATION_ERROR naming the field' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND: no such backend' })
  runCheck(@Body(new ZodValidationPipe(runCheckBodySchema)) body: RunCheckBody): Promise<HealthCheckResultView> {
    return this.health.runCheckNow(body.backendId);
  }

  @Put('backends/:backendId/draining')
  @ApiOperation({
    summary: 'Drain a backend, or end its drain (Admin; audited)',
    description:
      'Draining: healthStatus becomes Draining and every data plane stops sending it new requests within moments; ' +
      'requests in flight finish. Its checks keep running, and ending the drain restores what they say. No new ' +
      'config version is written.',
  })
  @ApiBody({
    schema: openApiSchemaOf(drainingBodySchema),
    examples: { start: { value: { draining: true } }, end: { value: { draining: false } } },
  })
  @ApiOkResponse({ description: 'The backend health after the change' })
  @ApiBadRequestResponse({ description: 'VALIDATION_ERROR naming the field' })
  @ApiForbiddenResponse({ description: 'FORBIDDEN: Admin only' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  setDraining(
    @Param('backendId', new IdParamPipe('Backend')) backendId: string,
    @Body(new ZodValidationPipe(drainingBodySchema)) body: DrainingBody,
    @CurrentActor() actor: Actor,
  ): Promise<BackendHealthView> {
    return this.health.setDraining(backendId, body.draining, actor);
  }

  @Put('backends/:backendId/circuit-breaker')
  @Roles('Admin')
  @ApiOperation({
    summary: 'Force the backend circuit breaker open or closed, or back to auto (Admin; audited)',
    description:
      'open: every data plane sends the backend nothing; closed: requests flow whatever its breaker counts; auto: ' +
      "each data plane's breaker decides again. Reaches data planes like health updates, without a new config version.",
  })
  @ApiBody({
    schema: openApiSchemaOf(circuitBreakerBodySchema),
    examples: { open: { value: { state: 'open' } }, auto: { value: { state: 'auto' } } },
  })
  @ApiOkResponse({ description: 'The backend health after the change (circuitBreakerOverride)' })
  @ApiBadRequestResponse({ description: 'VALIDATION_ERROR naming the field' })
  @ApiForbiddenResponse({ description: 'FORBIDDEN: Admin only' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  forceBreaker(
    @Param('backendId', new IdParamPipe('Backend')) backendId: string,
    @Body(new ZodValidationPipe(circuitBreakerBodySchema)) body: CircuitBreakerBody,
    @CurrentActor() actor: Actor,
  ): Promise<BackendHealthView> {
    return this.health.forceBreaker(backendId, body.state === 'auto' ? null : body.state, actor);
  }
}
