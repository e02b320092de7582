import { routeConfigSchema, type RouteConfig } from '@hotswap/config-snapshot';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { NotFoundError, ValidationError, type FieldIssue } from '../../common/errors/gateway-error';
import type { Actor } from '../../common/http/actor';
import type { Page } from '../../common/http/pagination';
import { toFieldIssues } from '../../common/http/zod-validation';
import { newId } from '../../common/ids';
import { AuditService, type AuditEntry } from '../audit/audit.service';
import { toBackendView } from '../backends/backend-mapping';
import { BackendsService } from '../backends/backends.service';
import { findActiveDeployment } from '../deployments/active-deployment';
import { ConfigChangeService } from '../snapshots/config-change.service';
import type {
  CreateRouteBody,
  ListRoutesQuery,
  RouteBackendInput,
  RouteVersionView,
  RouteView,
  UpdateRouteBody,
} from './dto/route.dto';
import { applyRouteConfig, toRouteView } from './route-mapping';
import { RouteVersionEntity } from './route-version.entity';
import { RouteEntity } from './route.entity';
import { RouteInDeploymentError } from './routes.errors';

/**
 * Routes and their versions. Every write stores a new route version, makes it live, and goes through
 * ConfigChangeService (audit row + new snapshot, one transaction).
 */
@Injectable()
export class RoutesService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ConfigChangeService) private readonly changes: ConfigChangeService,
    @Inject(BackendsService) private readonly backends: BackendsService,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async list(query: ListRoutesQuery): Promise<Page<RouteView>> {
    const qb = this.dataSource.getRepository(RouteEntity).createQueryBuilder('r');
    if (query.isEnabled !== undefined) qb.andWhere('r.is_enabled = :isEnabled', { isEnabled: query.isEnabled });
    if (query.strategy !== undefined) qb.andWhere('r.strategy = :strategy', { strategy: query.strategy });
    const [rows, total] = await qb
      .orderBy('r.created_at', 'ASC')
      .addOrderBy('r.route_id', 'ASC')
      .take(query.limit)
      .skip(query.offset)
      .getManyAndCount();
    const items = await this.views(this.dataSource.manager, rows);
    return { items, total, limit: query.limit, offset: query.offset };
  }

  async get(routeId: string): Promise<RouteView> {
    const row = await this.dataSource.getRepository(RouteEntity).findOneBy({ routeId });
    if (!row) throw new NotFoundError('Route', routeId);
    const [view] = await this.views(this.dataSource.manager, [row]);
    return view as RouteView;
  }

  async create(body: CreateRouteBody, actor: Actor): Promise<RouteView> {
    const { result } = await this.changes.apply(actor, async (manager) => {
      const { backends, backendIds, routeId, trafficSplit: _readOnly, ...fields } = body;
      const resolved = await this.resolveBackends(manager, { backends, backendIds });
      const config = parseRouteConfig({ ...fields, routeId: routeId ?? newId('route'), backendIds: resolved.ids });
      const entity = applyRouteConfig(manager.create(RouteEntity), config);
      entity.liveVersionNumber = 1;
      entity.latestVersionNumber = 1;
      entity.createdBy = actor.userId;
      entity.updatedBy = actor.userId;
      await manager.insert(RouteEntity, entity);
      await this.insertVersion(manager, config, 1, actor);
      const saved = await manager.getRepository(RouteEntity).findOneByOrFail({ routeId: config.routeId });
      const [view] = await this.views(manager, [saved]);
      return {
        result: view as RouteView,
        audit: routeAudit('RouteCreated', config, { versionNumber: 1, config }),
        extraAudit: resolved.audits,
        subject: { kind: 'route', id: config.routeId },
      };
    });
    return result;
  }

  async update(routeId: string, patch: UpdateRouteBody, actor: Actor): Promise<RouteView> {
    const { result } = await this.changes.apply(actor, async (manager) => {
      const entity = await this.lockRouteOutsideDeployment(manager, routeId);
      const current = await this.liveConfig(manager, entity);
      const previousVersionNumber = entity.liveVersionNumber;
      const { backends, backendIds, trafficSplit: _readOnly, ...fields } = patch;
      let ids = current.backendIds;
      let audits: AuditEntry[] = [];
      if (backends !== undefined || backendIds !== undefined) {
        ({ ids, audits } = await this.resolveBackends(manager, { backends, backendIds }));
      }
      const config = parseRouteConfig({ ...current, ...fields, routeId, backendIds: ids });
      const versionNumber = entity.latestVersionNumber + 1;
      await this.insertVersion(manager, config, versionNumber, actor);
      applyRouteConfig(entity, config);
      entity.liveVersionNumber = versionNumber;
      entity.latestVersionNumber = versionNumber;
      entity.updatedBy = actor.userId;
      const saved = await manager.save(RouteEntity, entity);
      const [view] = await this.views(manager, [saved]);
      return {
        result: view as RouteView,
        audit: routeAudit('RouteUpdated', config, {
          versionNumber,
          previousVersionNumber,
          changedFields: changedFields(current, config),
        }),
        extraAudit: audits,
        subject: { kind: 'route', id: routeId },
      };
    });
    return result;
  }

  /**
   * Stores the live config with `patch` applied as the route's next version, without making it live (a deployment
   * rolls it out). Audited; no snapshot is written since nothing served changes.
   */
  async createVersion(routeId: string, patch: UpdateRouteBody, actor: Actor): Promise<RouteVersionView> {
    return this.dataSource.transaction(async (manager) => {
      const entity = await this.lockRoute(manager, routeId);
      const current = await this.liveConfig(manager, entity);
      const { backends, backendIds, trafficSplit: _readOnly, ...fields } = patch;
      let ids = current.backendIds;
      let audits: AuditEntry[] = [];
      if (backends !== undefined || backendIds !== undefined) {
        ({ ids, audits } = await this.resolveBackends(manager, { backends, backendIds }));
      }
      const config = parseRouteConfig({ ...current, ...fields, routeId, backendIds: ids, trafficSplit: null });
      const versionNumber = entity.latestVersionNumber + 1;
      await this.insertVersion(manager, config, versionNumber, actor);
      entity.latestVersionNumber = versionNumber;
      await manager.save(RouteEntity, entity);
      for (const audit of audits) await this.audit.record(manager, audit, actor);
      await this.audit.record(
        manager,
        routeAudit('RouteVersionCreated', config, { versionNumber, changedFields: changedFields(current, config) }),
        actor,
      );
      const row = await manager.getRepository(RouteVersionEntity).findOneByOrFail({ routeId, versionNumber });
      return toVersionView(row, entity);
    });
  }

  async delete(routeId: string, actor: Actor): Promise<void> {
    await this.changes.apply(actor, async (manager) => {
      const entity = await this.lockRouteOutsideDeployment(manager, routeId);
      const config = await this.liveConfig(manager, entity);
      await manager.delete(RouteEntity, { routeId });
      return {
        result: undefined,
        audit: routeAudit('RouteDeleted', config, { liveVersionNumber: entity.liveVersionNumber, config }),
        subject: { kind: 'route', id: routeId },
      };
    });
  }

  async versions(routeId: string, page: { limit: number; offset: number }): Promise<Page<RouteVersionView>> {
    const route = await this.dataSource.getRepository(RouteEntity).findOneBy({ routeId });
    if (!route) throw new NotFoundError('Route', routeId);
    const [rows, total] = await this.dataSource.getRepository(RouteVersionEntity).findAndCount({
      where: { routeId },
      order: { versionNumber: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items: rows.map((row) => toVersionView(row, route)), total, limit: page.limit, offset: page.offset };
  }

  async version(routeId: string, versionNumber: number): Promise<RouteVersionView> {
    const route = await this.dataSource.getRepository(RouteEntity).findOneBy({ routeId });
    if (!route) throw new NotFoundError('Route', routeId);
    const row = await this.dataSource.getRepository(RouteVersionEntity).findOneBy({ routeId, versionNumber });
    if (!row) throw new NotFoundError(`Version of route "${routeId}"`, versionNumber);
    return toVersionView(row, route);
  }

  private async lockRoute(manager: EntityManager, routeId: string): Promise<RouteEntity> {
    const entity = await manager
      .getRepository(RouteEntity)
      .findOne({ where: { routeId }, lock: { mode: 'pessimistic_write' } });
    if (!entity) throw new NotFoundError('Route', routeId);
    return entity;
  }

  /**
   * Locks the route for an update or a delete, refused while a deployment holds it. Creating a deployment locks the
   * same row before it looks for an active one, so either the deployment sees this change or this sees the
   * deployment: never a deployment whose stable version is no longer the live one.
   */
  private async lockRouteOutsideDeployment(manager: EntityManager, routeId: string): Promise<RouteEntity> {
    const entity = await this.lockRoute(manager, routeId);
    const deployment = await findActiveDeployment(manager, routeId);
    if (deployment) throw new RouteInDeploymentError(routeId, deployment);
    return entity;
  }

  private async liveConfig(manager: EntityManager, entity: RouteEntity): Promise<RouteConfig> {
    const row = await manager
      .getRepository(RouteVersionEntity)
      .findOneByOrFail({ routeId: entity.routeId, versionNumber: entity.liveVersionNumber });
    return row.config;
  }

  private async insertVersion(
    manager: EntityManager,
    config: RouteConfig,
    versionNumber: number,
    actor: Actor,
  ): Promise<void> {
    const row = manager.create(RouteVersionEntity, {
      routeId: config.routeId,
      versionNumber,
      config,
      createdBy: actor.userId,
    });
    await manager.insert(RouteVersionEntity, row);
  }

  /**
   * The backend ids of a route body: `backendIds` first, then `backends` (references, and inline backends
   * reused by URL or created), without repeats. Every referenced backend must exist.
   */
  private async resolveBackends(
    manager: EntityManager,
    input: { backends: RouteBackendInput[] | undefined; backendIds: string[] | undefined },
  ): Promise<{ ids: string[]; audits: AuditEntry[] }> {
    const ids: string[] = [];
    const audits: AuditEntry[] = [];
    const references: Array<{ id: string; field: string }> = [];
    (input.backendIds ?? []).forEach((id, index) => references.push({ id, field: `backendIds[${index}]` }));
    for (const [index, item] of (input.backends ?? []).entries()) {
      if ('url' in item) {
        const { backend, audit } = await this.backends.findOrCreateByUrl(manager, item);
        ids.push(backend.backendId);
        if (audit) audits.push(audit);
      } else {
        references.push({ id: item.backendId, field: `backends[${index}].backendId` });
      }
    }
    const found = new Set(
      (
        await this.backends.findMany(
          manager,
          references.map((ref) => ref.id),
        )
      ).map((b) => b.backendId),
    );
    const issues: FieldIssue[] = references
      .filter((ref) => !found.has(ref.id))
      .map((ref) => ({ field: ref.field, message: `backend "${ref.id}" does not exist` }));
    const all = [...references.map((ref) => ref.id), ...ids];
    if (all.length === 0 && issues.length === 0) {
      issues.push({ field: 'backends', message: 'at least one backend is required (in backends or backendIds)' });
    }
    if (issues.length > 0) throw new ValidationError(issues);
    return { ids: [...new Set(all)], audits };
  }

  private async views(manager: EntityManager, rows: readonly RouteEntity[]): Promise<RouteView[]> {
    if (rows.length === 0) return [];
    const versions = await manager.query<Array<{ route_id: string; config: RouteConfig }>>(
      // The split of an in-flight deployment lives on the route row.
      `SELECT v.route_id, v.config || jsonb_build_object('trafficSplit', r.traffic_split) AS config
         FROM route_versions v
         JOIN gateway_routes r ON r.route_id = v.route_id AND r.live_version_number = v.version_number
        WHERE r.route_id = ANY($1)`,
      [rows.map((row) => row.routeId)],
    );
    const configs = new Map(versions.map((row) => [row.route_id, row.config]));
    const backendIds = [...new Set(versions.flatMap((row) => row.config.backendIds))];
    const backends = (await this.backends.findMany(manager, backendIds)).map(toBackendView);
    return rows.map((row) => toRouteView(row, configs.get(row.routeId) as RouteConfig, backends));
  }
}

function parseRouteConfig(input: unknown): RouteConfig {
  const parsed = routeConfigSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(toFieldIssues(parsed.error.issues));
  return parsed.data;
}

function changedFields(before: RouteConfig, after: RouteConfig): string[] {
  return (Object.keys(after) as Array<keyof RouteConfig>).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}

function routeAudit(eventType: string, config: RouteConfig, details: Record<string, unknown>): AuditEntry {
  return { eventType, entityType: 'Route', entityId: config.routeId, details: { name: config.name, ...details } };
}

function toVersionView(row: RouteVersionEntity, route: RouteEntity): RouteVersionView {
  return {
    routeId: row.routeId,
    versionNumber: row.versionNumber,
    isLive: row.versionNumber === route.liveVersionNumber,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    config: row.config,
  };
}
