import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '../../common/http/actor';
import { ApiPagination, openApiSchemaOf } from '../../common/http/openapi';
import type { Page } from '../../common/http/pagination';
import { IdParamPipe } from '../../common/http/id-param';
import { ZodValidationPipe } from '../../common/http/zod-validation';
import { CurrentActor } from '../auth/principal';
import { BackendsService } from './backends.service';
import {
  createBackendBodySchema,
  createBackendExample,
  listBackendsQuerySchema,
  updateBackendBodySchema,
  type BackendView,
  type CreateBackendBody,
  type ListBackendsQuery,
  type UpdateBackendBody,
} from './dto/backend.dto';

const updatePipe = new ZodValidationPipe(updateBackendBodySchema, { partial: true });
const updateBody = {
  schema: openApiSchemaOf(updateBackendBodySchema),
  examples: {
    drain: { summary: 'Drain a backend', value: { isEnabled: false } },
    weight: { summary: 'Change its weight', value: { weight: 50 } },
  },
};

@ApiTags('backends')
@ApiBearerAuth()
@Controller('backends')
export class BackendsController {
  constructor(@Inject(BackendsService) private readonly backends: BackendsService) {}

  @Get()
  @ApiOperation({ summary: 'List backends' })
  @ApiQuery({ name: 'isEnabled', required: false, schema: { type: 'boolean' } })
  @ApiQuery({ name: 'healthStatus', required: false, schema: { type: 'string' } })
  @ApiPagination()
  @ApiOkResponse({ description: '`{items, total, limit, offset}`' })
  list(
    @Query(new ZodValidationPipe(listBackendsQuerySchema, { root: 'query' })) query: ListBackendsQuery,
  ): Promise<Page<BackendView>> {
    return this.backends.list(query);
  }

  @Get(':backendId')
  @ApiOperation({ summary: 'Get a backend' })
  @ApiOkResponse({ description: 'The backend' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  get(@Param('backendId', new IdParamPipe('Backend')) backendId: string): Promise<BackendView> {
    return this.backends.get(backendId);
  }

  @Post()
  @ApiOperation({ summary: 'Create a backend (Admin); writes a new config snapshot' })
  @ApiBody({ schema: openApiSchemaOf(createBackendBodySchema), examples: { httpbin: { value: createBackendExample } } })
  @ApiCreatedResponse({ description: 'The backend created' })
  @ApiConflictResponse({ description: 'CONFLICT: the name or backendId is taken' })
  create(
    @Body(new ZodValidationPipe(createBackendBodySchema)) body: CreateBackendBody,
    @CurrentActor() actor: Actor,
  ): Promise<BackendView> {
    return this.backends.create(body, actor);
  }

  @Put(':backendId')
  @ApiOperation({ summary: 'Update a backend with the fields given (Admin); `{"isEnabled": false}` drains it' })
  @ApiBody(updateBody)
  @ApiOkResponse({ description: 'The backend updated' })
  @ApiNotFoundResponse({ description: 'NOT_FOUND' })
  update(
    @Param('backendId', new IdParamPipe('Backend')) backendId: string,
    @Body(updatePipe) body: UpdateBackendBody,
    @CurrentActor() actor: Actor,
  ): Promise<BackendView> {
    return this.backends.update(backendId, body, actor);
  }

  @Patch(':backendId')
  @ApiOperation({ summary: 'Same as PUT: update a backend with the fields given (Admin)' })
  @ApiBody(updateBody)
  @ApiOkResponse({ description: 'The backend updated' })
  patch(
    @Param('backendId', new IdParamPipe('Backend')) backendId: string,
    @Body(updatePipe) body: UpdateBackendBody,
    @CurrentActor() actor: Actor,
  ): Promise<BackendView> {
    return this.backends.update(backendId, body, actor);
  }

  @Delete(':backendId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a backend no route uses (Admin)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiConflictResponse({ description: 'CONFLICT: routes still reference it (details.routeIds)' })
  delete(
    @Param('backendId', new IdParamPipe('Backend')) backendId: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    return this.backends.delete(backendId, actor);
  }
}
