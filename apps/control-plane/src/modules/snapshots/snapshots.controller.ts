import { type ConfigSnapshot, type SnapshotDiff } from '@hotswap/config-snapshot';
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiPagination } from '../../common/http/openapi';
import { paginationQuerySchema, type Page } from '../../common/http/pagination';
import { ZodValidationPipe } from '../../common/http/zod-validation';
import { SnapshotsService, type SnapshotSummary } from './snapshots.service';

const versionSchema = z.coerce.number().int().min(1);
const diffQuerySchema = z.object({ from: versionSchema, to: versionSchema });

@ApiTags('config')
@ApiBearerAuth()
@Controller('config')
export class SnapshotsController {
  constructor(@Inject(SnapshotsService) private readonly snapshots: SnapshotsService) {}

  @Get('versions')
  @ApiOperation({ summary: 'List config snapshot versions, newest first' })
  @ApiPagination()
  @ApiOkResponse({ description: '`{items, total, limit, offset}`; items: version, hash, previousVersion, auditId…' })
  list(
    @Query(new ZodValidationPipe(paginationQuerySchema, { root: 'query' }))
    page: z.output<typeof paginationQuerySchema>,
  ): Promise<Page<SnapshotSummary>> {
    return this.snapshots.list(page);
  }

  @Get('versions/:version')
  @ApiOperation({ summary: 'Get the complete config snapshot of a version' })
  @ApiParam({ name: 'version', schema: { type: 'integer', minimum: 1 } })
  @ApiOkResponse({ description: 'The ConfigSnapshot: version, hash, previousVersion, auditId, routes, backends…' })
  get(
    @Param('version', new ZodValidationPipe(versionSchema, { root: 'version' })) version: number,
  ): Promise<ConfigSnapshot> {
    return this.snapshots.get(version);
  }

  @Get('diff')
  @ApiOperation({ summary: 'What changed between two config versions, route by route and backend by backend' })
  @ApiQuery({ name: 'from', schema: { type: 'integer', minimum: 1 } })
  @ApiQuery({ name: 'to', schema: { type: 'integer', minimum: 1 } })
  @ApiOkResponse({ description: 'routes/backends: added, removed, changed (field, before, after)' })
  diff(
    @Query(new ZodValidationPipe(diffQuerySchema, { root: 'query' })) query: z.output<typeof diffQuerySchema>,
  ): Promise<SnapshotDiff> {
    return this.snapshots.diff(query.from, query.to);
  }
}
