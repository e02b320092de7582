import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiPagination } from '../../common/http/openapi';
import { paginationQuerySchema, type Page } from '../../common/http/pagination';
import { ZodValidationPipe } from '../../common/http/zod-validation';
import { AuditService, type AuditLogView } from './audit.service';

/** Filter text: PostgreSQL refuses NUL bytes in text (a 500 otherwise). */
const filterText = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\0]*$/, 'must not contain NUL bytes');

const auditQuerySchema = paginationQuerySchema.extend({
  entityType: filterText(100).optional(),
  entityId: filterText(255).optional(),
  eventType: filterText(100).optional(),
  userId: filterText(255).optional(),
});

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit-logs')
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Query the audit log, newest first' })
  @ApiQuery({ name: 'entityType', required: false, example: 'Route' })
  @ApiQuery({ name: 'entityId', required: false })
  @ApiQuery({ name: 'eventType', required: false, example: 'RouteCreated' })
  @ApiQuery({ name: 'userId', required: false })
  @ApiPagination()
  @ApiOkResponse({ description: '`{items, total, limit, offset}`' })
  list(
    @Query(new ZodValidationPipe(auditQuerySchema, { root: 'query' })) query: z.output<typeof auditQuerySchema>,
  ): Promise<Page<AuditLogView>> {
    return this.audit.query(query);
  }
}
