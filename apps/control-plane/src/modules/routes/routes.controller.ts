import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { LOAD_BALANCING_STRATEGIES } from '@hotswap/config-snapshot';
import { z } from 'zod';
import type { Actor } from '../../common/http/actor';
import { ApiPagination, openApiSchemaOf } from '../../common/http/openapi';
import { paginationQuerySchema, type Page } from '../../common/http/pagination';
import { IdParamPipe } from '../../common/http/id-param';
import { ZodValidationPipe } from '../../common/http/zod-validation';
import { CurrentActor } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import {
  createRouteBodySchema,
  createRouteExample,
  listRoutesQuerySchema,
  updateRouteBodySchema,
  updateRouteExample,
  type CreateRouteBody,
  type ListRoutesQuery,
  type RouteVersionView,
  type RouteView,
  type UpdateRouteBody,
} from './dto/route.dto';
import { TelemetryService, type RouteStatistics } from '../telemetry/telemetry.service';
import { RoutesService } from './routes.service';
import { RateLimited } from '../management-rate-limits/rate-limit-class';

const updatePipe = new ZodValidationPipe(updateRouteBodySchema, { partial: true });
const updateBody = {
  schema: openApiSchemaOf(updateRouteBodySchema),
  examples: {
    timeouts: { summary: 'Change the timeout and methods', value: updateRouteExample },
    backends: { summary: 'Replace the backends', value: { backends: [{ backendId: 'backend-1a2b3c4d' }] } },
  },
};

@ApiTags('routes')
@ApiBearerAuth()
@Controller('routes')
export class RoutesController {
  constructor(
    @Inject(RoutesService) private readonly routes: RoutesService,
    @Inject(TelemetryService) private readonly telemetry: TelemetryService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List routes' })
  @ApiQuery({ name: 'isEnabled', required: false, schema: { type: 'boolean' } })
  @ApiQuery({ name: 'strategy', required: false, schema: { type: 'string', enum: [...LOAD_BALANCING_STRATEGIES] } })
  @ApiPagination()
  @ApiOkResponse({ description: '`{items, total, limit, offset}`; each route with its backends expanded' })
  list(
    @Query(new ZodValidationPipe(listRoutesQuerySchema, { root: 'query' })) query: ListRoutesQuery,
  ): Promise<Page<RouteView>> {
    return this.routes.list(query);
  }

  @Get(':routeId')
  @ApiOperation({ summary: 'Get a route (its live version), backends expanded, with its traffic statistics' })
  @ApiOkResponse({
    description:
      'The route; `statistics`: its traffic over the last 5 minutes on every data plane (requests, errors, ' +
      'errorRate 0-1, requestsPerSecond, latency p50/p95/p99 in ms)',
  })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  async get(
    @Param('routeId', new IdParamPipe('Route')) routeId: string,
  ): Promise<RouteView & { statistics: RouteStatistics }> {
    const route = await this.routes.get(routeId);
    return { ...route, statistics: this.telemetry.routeStatistics(routeId) };
  }

  @RateLimited('routeWrites')
  @Post()
  @ApiOperation({
    summary: 'Create a route (Admin); writes version 1, applies it and writes a new config snapshot',
    description:
      'Backends may be given by id (`backendIds`, or `backends: [{"backendId": ...}]`) or inline ' +
      '(`backends: [{"name", "url", ...}]`: the backend with the same URL is reused, else one is created).',
  })
  @ApiBody({ schema: openApiSchemaOf(createRouteBodySchema), examples: { quickStart: { value: createRouteExample } } })
  @ApiCreatedResponse({ description: 'The route created, backends expanded' })
  @ApiBadRequestResponse({ description: 'VALIDATION_ERROR: details lists each {field, message}' })
  @ApiConflictResponse({ description: 'CONFLICT: the name or routeId is taken' })
  create(
    @Body(new ZodValidationPipe(createRouteBodySchema)) body: CreateRouteBody,
    @CurrentActor() actor: Actor,
  ): Promise<RouteView> {
    return this.routes.create(body, actor);
  }

  @RateLimited('routeWrites')
  @Put(':routeId')
  @ApiOperation({
    summary: 'Update a route (Admin): the fields given replace the live ones; writes and applies the next version',
  })
  @ApiBody(updateBody)
  @ApiOkResponse({ description: 'The route, now at its new version' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  @ApiConflictResponse({
    description: 'ROUTE_IN_DEPLOYMENT: a deployment of the route is active (details.deploymentId)',
  })
  update(
    @Param('routeId', new IdParamPipe('Route')) routeId: string,
    @Body(updatePipe) body: UpdateRouteBody,
    @CurrentActor() actor: Actor,
  ): Promise<RouteView> {
    return this.routes.update(routeId, body, actor);
  }

  @RateLimited('routeWrites')
  @Patch(':routeId')
  @ApiOperation({ summary: 'Same as PUT (Admin)' })
  @ApiBody(updateBody)
  @ApiOkResponse({ description: 'The route, now at its new version' })
  @ApiConflictResponse({
    description: 'ROUTE_IN_DEPLOYMENT: a deployment of the route is active (details.deploymentId)',
  })
  patch(
    @Param('routeId', new IdParamPipe('Route')) routeId: string,
    @Body(updatePipe) body: UpdateRouteBody,
    @CurrentActor() actor: Actor,
  ): Promise<RouteView> {
    return this.routes.update(routeId, body, actor);
  }

  @RateLimited('routeWrites')
  @Delete(':routeId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a route and its versions (Admin); writes a new config snapshot' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  @ApiConflictResponse({
    description: 'ROUTE_IN_DEPLOYMENT: a deployment of the route is active (details.deploymentId)',
  })
  delete(@Param('routeId', new IdParamPipe('Route')) routeId: string, @CurrentActor() actor: Actor): Promise<void> {
    return this.routes.delete(routeId, actor);
  }

  @Get(':routeId/versions')
  @ApiOperation({ summary: "List a route's versions, newest first" })
  @ApiPagination()
  @ApiOkResponse({ description: '`{items, total, limit, offset}`; items: versionNumber, isLive, config…' })
  versions(
    @Param('routeId', new IdParamPipe('Route')) routeId: string,
    @Query(new ZodValidationPipe(paginationQuerySchema, { root: 'query' }))
    page: z.output<typeof paginationQuerySchema>,
  ): Promise<Page<RouteVersionView>> {
    return this.routes.versions(routeId, page);
  }

  @RateLimited('routeWrites')
  @Post(':routeId/versions')
  @ApiOperation({
    summary: 'Create a version of a route without applying it (Admin, Operator); a deployment rolls it out',
    description: 'The fields given replace those of the live version; the result is stored as the next version.',
  })
  @ApiBody(updateBody)
  @ApiCreatedResponse({ description: 'The version: versionNumber, isLive (false), config' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  @Roles('Admin', 'Operator')
  createVersion(
    @Param('routeId', new IdParamPipe('Route')) routeId: string,
    @Body(updatePipe) body: UpdateRouteBody,
    @CurrentActor() actor: Actor,
  ): Promise<RouteVersionView> {
    return this.routes.createVersion(routeId, body, actor);
  }

  @Get(':routeId/versions/:versionNumber')
  @ApiOperation({ summary: 'Get one version of a route: its complete config' })
  @ApiParam({ name: 'versionNumber', schema: { type: 'integer', minimum: 1 } })
  @ApiOkResponse({ description: 'The version' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  version(
    @Param('routeId', new IdParamPipe('Route')) routeId: string,
    @Param('versionNumber', new ZodValidationPipe(z.coerce.number().int().min(1), { root: 'versionNumber' }))
    versionNumber: number,
  ): Promise<RouteVersionView> {
    return this.routes.version(routeId, versionNumber);
  }
}
