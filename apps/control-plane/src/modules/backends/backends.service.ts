import { backendConfigSchema, type BackendConfig } from '@hotswap/config-snapshot';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { ConflictError, NotFoundError, ValidationError } from '../../common/errors/gateway-error';
import type { Actor } from '../../common/http/actor';
import type { Page } from '../../common/http/pagination';
import { toFieldIssues } from '../../common/http/zod-validation';
import { newId } from '../../common/ids';
import type { AuditEntry } from '../audit/audit.service';
import { ConfigChangeService } from '../snapshots/config-change.service';
import { applyBackendConfig, backendEntityToConfig, toBackendView } from './backend-mapping';
import { BackendEntity } from './backend.entity';
import type { BackendView, CreateBackendBody, ListBackendsQuery, UpdateBackendBody } from './dto/backend.dto';

/** Backends: reads, and writes that go through ConfigChangeService (audit row + new snapshot). */
@Injectable()
export class BackendsService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ConfigChangeService) private readonly changes: ConfigChangeService,
  ) {}

  async list(query: ListBackendsQuery): Promise<Page<BackendView>> {
    const where: FindOptionsWhere<BackendEntity> = {};
    if (query.isEnabled !== undefined) where.isEnabled = query.isEnabled;
    if (query.healthStatus !== undefined) where.healthStatus = query.healthStatus;
    const [rows, total] = await this.dataSource.getRepository(BackendEntity).findAndCount({
      where,
      order: { createdAt: 'ASC', backendId: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items: rows.map(toBackendView), total, limit: query.limit, offset: query.offset };
  }

  async get(backendId: string): Promise<BackendView> {
    const row = await this.dataSource.getRepository(BackendEntity).findOneBy({ backendId });
    if (!row) throw new NotFoundError('Backend', backendId);
    return toBackendView(row);
  }

  /** The backends of the ids, in the order given (missing ones left out). */
  async findMany(manager: EntityManager, backendIds: readonly string[]): Promise<BackendEntity[]> {
    if (backendIds.length === 0) return [];
    const rows = await manager
      .getRepository(BackendEntity)
      .createQueryBuilder('b')
      .where('b.backend_id = ANY(:ids)', { ids: [...backendIds] })
      .getMany();
    const byId = new Map(rows.map((row) => [row.backendId, row]));
    return backendIds.flatMap((id) => byId.get(id) ?? []);
  }

  async create(body: CreateBackendBody, actor: Actor): Promise<BackendView> {
    const { result } = await this.changes.apply(actor, async (manager) => {
      const entity = await this.insert(manager, body);
      return {
        result: toBackendView(entity),
        audit: backendAudit('BackendCreated', entity, { name: entity.name, url: entity.url }),
        subject: { kind: 'backend', id: entity.backendId },
      };
    });
    return result;
  }

  async update(backendId: string, patch: UpdateBackendBody, actor: Actor): Promise<BackendView> {
    const { result } = await this.changes.apply(actor, async (manager) => {
      const entity = await manager
        .getRepository(BackendEntity)
        .findOne({ where: { backendId }, lock: { mode: 'pessimistic_write' } });
      if (!entity) throw new NotFoundError('Backend', backendId);
      const before = backendEntityToConfig(entity);
      const config = parseBackendConfig({ ...before, ...patch });
      const changed = Object.keys(patch).filter(
        (key) =>
          JSON.stringify(before[key as keyof BackendConfig]) !== JSON.stringify(config[key as keyof BackendConfig]),
      );
      const saved = await manager.save(BackendEntity, applyBackendConfig(entity, config));
      return {
        result: toBackendView(saved),
        audit: backendAudit('BackendUpdated', saved, { changedFields: changed, isEnabled: saved.isEnabled }),
        subject: { kind: 'backend', id: backendId },
      };
    });
    return result;
  }

  async delete(backendId: string, actor: Actor): Promise<void> {
    await this.changes.apply(actor, async (manager) => {
      const entity = await manager
        .getRepository(BackendEntity)
        .findOne({ where: { backendId }, lock: { mode: 'pessimistic_write' } });
      if (!entity) throw new NotFoundError('Backend', backendId);
      const routes = await manager.query<Array<{ route_id: string }>>(
        'SELECT route_id FROM gateway_routes WHERE backends @> jsonb_build_array($1::text) ORDER BY route_id',
        [backendId],
      );
      if (routes.length > 0) {
        const routeIds = routes.map((row) => row.route_id);
        throw new ConflictError(`Backend "${backendId}" is used by routes: ${routeIds.join(', ')}`, { routeIds });
      }
      await manager.delete(BackendEntity, { backendId });
      return {
        result: undefined,
        audit: backendAudit('BackendDeleted', entity, { name: entity.name, url: entity.url }),
        subject: { kind: 'backend', id: backendId },
      };
    });
  }

  /**
   * For a backend given inline with a route: the existing backend with the same URL (ignoring a trailing slash),
   * else a new one. Call inside a ConfigChangeService transaction; returns the audit entry of a creation.
   */
  async findOrCreateByUrl(
    manager: EntityManager,
    spec: Omit<CreateBackendBody, 'backendId'>,
  ): Promise<{ backend: BackendEntity; audit: AuditEntry | undefined }> {
    const existing = await manager
      .getRepository(BackendEntity)
      .createQueryBuilder('b')
      .where("rtrim(b.url, '/') = rtrim(:url, '/')", { url: spec.url })
      .orderBy('b.created_at', 'ASC')
      .addOrderBy('b.backend_id', 'ASC')
      .getOne();
    if (existing) return { backend: existing, audit: undefined };
    const backend = await this.insert(manager, spec);
    return {
      backend,
      audit: backendAudit('BackendCreated', backend, { name: backend.name, url: backend.url, inline: true }),
    };
  }

  private async insert(manager: EntityManager, body: CreateBackendBody): Promise<BackendEntity> {
    const config = parseBackendConfig({ ...body, backendId: body.backendId ?? newId('backend') });
    const entity = applyBackendConfig(manager.create(BackendEntity), config);
    entity.activeConnections = 0;
    entity.totalRequests = '0';
    entity.failedRequests = '0';
    entity.lastHealthCheck = null;
    await manager.insert(BackendEntity, entity);
    return manager.getRepository(BackendEntity).findOneByOrFail({ backendId: config.backendId });
  }
}

function parseBackendConfig(input: unknown): BackendConfig {
  const parsed = backendConfigSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(toFieldIssues(parsed.error.issues));
  return parsed.data;
}

function backendAudit(eventType: string, entity: BackendEntity, details: Record<string, unknown>): AuditEntry {
  return { eventType, entityType: 'Backend', entityId: entity.backendId, details };
}
