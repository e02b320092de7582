import { randomUUID } from 'node:crypto';
import type { BackendConfig, RouteConfig } from '@hotswap/config-snapshot';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ConflictError, ForbiddenError, NotFoundError } from '../../common/errors/gateway-error';
import { SYSTEM_ACTOR, type Actor } from '../../common/http/actor';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { sqlQueryOf } from '../../database/data-source';
import { mayDecide, requiresApproval, type ApprovalPolicy } from '../approvals/approval-policy';
import { AuditService, type AuditEntry } from '../audit/audit.service';
import { DEPLOYMENT_STATUSES, isActive } from '../deployments/deployment-state';
import { applyRouteConfig } from '../routes/route-mapping';
import { RouteVersionEntity } from '../routes/route-version.entity';
import { RouteEntity } from '../routes/route.entity';
import { ConfigChangeService } from '../snapshots/config-change.service';
import { loadConfiguration } from '../snapshots/snapshot-store';
import { SnapshotsService } from '../snapshots/snapshots.service';
import type { ConfigRollbackView, RollbackRequestBody, RollbackStatus } from './config-rollback.dto';
import { planRollback, type RollbackPlan } from './rollback-plan';

interface RollbackRow {
  rollback_id: string;
  target_version: string;
  environment: string;
  reason: string | null;
  status: RollbackStatus;
  requires_approval: boolean;
  approval_expires_at: Date | null;
  requested_by: string | null;
  decided_by: string | null;
  decision_comment: string | null;
  decided_at: Date | null;
  from_version: string | null;
  applied_version: string | null;
  applied_hash: string | null;
  created_at: Date;
}

// The applied version is the snapshot written with the rollback's ConfigRolledBack audit row: one transaction.
const SELECT_VIEW = `
  SELECT r.*, s.version::text AS applied_version, s.hash AS applied_hash
    FROM config_rollbacks r
    LEFT JOIN audit_logs a
      ON a.entity_type = 'ConfigRollback' AND a.entity_id = r.rollback_id AND a.event_type = 'ConfigRolledBack'
    LEFT JOIN config_snapshots s ON s.audit_id = a.id`;

const ACTIVE_DEPLOYMENT_STATUSES = DEPLOYMENT_STATUSES.filter(isActive);

/**
 * Config rollback: writes a new config version whose content equals a stored snapshot's. The database is put
 * back, not only the snapshot: each route of the target that differs from its live version gets a new route
 * version with the target's config (made live), routes and backends the target lacks are deleted, backends are
 * restored to the target's config (their health state, runtime, is kept). So the next ordinary change builds on
 * the rolled-back content. In an environment under the approval policy the rollback waits for another Admin.
 */
@Injectable()
export class ConfigRollbackService {
  private readonly policy: ApprovalPolicy;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ConfigChangeService) private readonly changes: ConfigChangeService,
    @Inject(SnapshotsService) private readonly snapshots: SnapshotsService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.policy = { environments: config.deployments.approvalEnvironments, ttlMs: config.deployments.approvalTtlMs };
  }

  async request(body: RollbackRequestBody, actor: Actor): Promise<ConfigRollbackView> {
    await this.snapshots.get(body.version); // 404 for an unknown version
    const rollbackId = `rollback-${randomUUID().slice(0, 8)}`;
    const needsApproval = requiresApproval(this.policy, body.environment);
    const insert = async (manager: EntityManager, status: RollbackStatus): Promise<void> => {
      await manager.query(
        `INSERT INTO config_rollbacks (rollback_id, target_version, environment, reason, status, requires_approval,
                                       approval_expires_at, requested_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          rollbackId,
          body.version,
          body.environment,
          body.reason ?? null,
          status,
          needsApproval,
          needsApproval ? new Date(Date.now() + this.policy.ttlMs) : null,
          actor.userId,
        ],
      );
    };
    if (needsApproval) {
      await this.dataSource.transaction(async (manager) => {
        // Checked now too, so a request that could never apply is refused at once.
        await this.plan(manager, body.version);
        await insert(manager, 'Pending');
        await this.audit.record(
          manager,
          rollbackAudit('ConfigRollbackRequested', rollbackId, {
            toVersion: body.version,
            environment: body.environment,
            reason: body.reason ?? null,
          }),
          actor,
        );
      });
    } else {
      await this.changes.apply(actor, async (manager) => {
        await insert(manager, 'Applied');
        return this.restore(manager, rollbackId, body.version, body.reason ?? null, actor);
      });
    }
    return this.get(rollbackId);
  }

  async approve(rollbackId: string, comment: string | undefined, actor: Actor): Promise<ConfigRollbackView> {
    await this.expireIfDue(rollbackId);
    await this.changes.apply(actor, async (manager) => {
      const row = await this.lockPending(manager, rollbackId, actor);
      await manager.query(
        `UPDATE config_rollbacks SET status = 'Applied', decided_by = $2, decision_comment = $3, decided_at = now()
          WHERE rollback_id = $1`,
        [rollbackId, actor.userId, comment ?? null],
      );
      return this.restore(manager, rollbackId, Number(row.target_version), row.reason, actor, comment);
    });
    return this.get(rollbackId);
  }

  async reject(rollbackId: string, comment: string | undefined, actor: Actor): Promise<ConfigRollbackView> {
    await this.expireIfDue(rollbackId);
    await this.dataSource.transaction(async (manager) => {
      const row = await this.lockPending(manager, rollbackId, actor);
      await this.decideRejected(manager, rollbackId, actor, comment ?? null);
      await this.audit.record(
        manager,
        rollbackAudit('ConfigRollbackRejected', rollbackId, {
          toVersion: Number(row.target_version),
          comment: comment ?? null,
        }),
        actor,
      );
    });
    return this.get(rollbackId);
  }

  async get(rollbackId: string): Promise<ConfigRollbackView> {
    const [row] = await this.dataSource.query<RollbackRow[]>(`${SELECT_VIEW} WHERE r.rollback_id = $1`, [rollbackId]);
    if (!row) throw new NotFoundError('Config rollback', rollbackId);
    return toView(row);
  }

  /** Newest first. */
  async list(status: RollbackStatus | undefined): Promise<{ items: ConfigRollbackView[] }> {
    const rows = await this.dataSource.query<RollbackRow[]>(
      `${SELECT_VIEW} WHERE $1::text IS NULL OR r.status = $1 ORDER BY r.created_at DESC, r.rollback_id LIMIT 500`,
      [status ?? null],
    );
    return { items: rows.map(toView) };
  }

  /** Rollbacks waiting for an Admin's decision, oldest first; one whose approval has expired waits no more. */
  async pending(now = new Date()): Promise<ConfigRollbackView[]> {
    const rows = await this.dataSource.query<RollbackRow[]>(
      `${SELECT_VIEW} WHERE r.status = 'Pending' AND r.approval_expires_at > $1
        ORDER BY r.created_at, r.rollback_id LIMIT 500`,
      [now],
    );
    return rows.map(toView);
  }

  /** A pending rollback whose approval is overdue is rejected (audited) before anyone decides on it. */
  private async expireIfDue(rollbackId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [row] = await manager.query<RollbackRow[]>(
        `SELECT * FROM config_rollbacks WHERE rollback_id = $1 AND status = 'Pending' AND approval_expires_at <= now()
           FOR UPDATE`,
        [rollbackId],
      );
      if (!row) return;
      await this.decideRejected(manager, rollbackId, SYSTEM_ACTOR, 'approval expired');
      await this.audit.record(
        manager,
        rollbackAudit('ConfigRollbackRejected', rollbackId, {
          toVersion: Number(row.target_version),
          comment: 'approval expired',
        }),
        SYSTEM_ACTOR,
      );
    });
  }

  private async decideRejected(
    manager: EntityManager,
    rollbackId: string,
    actor: Actor,
    comment: string | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE config_rollbacks SET status = 'Rejected', decided_by = $2, decision_comment = $3, decided_at = now()
        WHERE rollback_id = $1`,
      [rollbackId, actor.userId, comment],
    );
  }

  private async lockPending(manager: EntityManager, rollbackId: string, actor: Actor): Promise<RollbackRow> {
    const [row] = await manager.query<RollbackRow[]>(
      'SELECT * FROM config_rollbacks WHERE rollback_id = $1 FOR UPDATE',
      [rollbackId],
    );
    if (!row) throw new NotFoundError('Config rollback', rollbackId);
    if (row.status !== 'Pending') {
      throw new ConflictError(`Config rollback "${rollbackId}" is ${row.status}, not awaiting approval`, {
        status: row.status,
      });
    }
    if (!mayDecide({ createdBy: row.requested_by }, actor.userId).ok) {
      throw new ForbiddenError('Nobody approves or rejects their own rollback');
    }
    return row;
  }

  /** What a rollback to `version` would change now; 409 when it would change a route a deployment holds. */
  private async plan(manager: EntityManager, version: number): Promise<{ plan: RollbackPlan; fromVersion: number }> {
    const target = await this.snapshots.get(version);
    const query = sqlQueryOf(manager);
    const current = await loadConfiguration(query);
    const active = await query<{ route_id: string }>(
      'SELECT DISTINCT route_id FROM deployments WHERE status = ANY($1)',
      [ACTIVE_DEPLOYMENT_STATUSES],
    );
    const held = new Set(active.map((row) => row.route_id));
    const plan = planRollback(
      {
        routes: current.routes.map((config) => ({ config, hasActiveDeployment: held.has(config.routeId) })),
        backends: current.backends,
      },
      target,
    );
    if (plan.blockedRouteIds.length > 0) {
      throw new ConflictError(
        `A deployment is in flight on routes the rollback would change: ${plan.blockedRouteIds.join(', ')}`,
        { routeIds: plan.blockedRouteIds },
      );
    }
    const [latest] = await query<{ version: string }>('SELECT max(version)::text AS version FROM config_snapshots');
    return { plan, fromVersion: Number(latest?.version) };
  }

  /** Puts the database back to the content of `version`; call inside ConfigChangeService.apply. */
  private async restore(
    manager: EntityManager,
    rollbackId: string,
    version: number,
    reason: string | null,
    actor: Actor,
    approvalComment?: string,
  ) {
    const { plan, fromVersion } = await this.plan(manager, version);
    await manager.query('UPDATE config_rollbacks SET from_version = $2 WHERE rollback_id = $1', [
      rollbackId,
      fromVersion,
    ]);
    const extraAudit: AuditEntry[] = [];
    if (plan.routesToDelete.length > 0) {
      await manager.query('DELETE FROM gateway_routes WHERE route_id = ANY($1)', [plan.routesToDelete]);
    }
    if (plan.backendsToDelete.length > 0) {
      await manager.query('DELETE FROM backends WHERE backend_id = ANY($1)', [plan.backendsToDelete]);
    }
    for (const { config, exists } of plan.backendsToWrite) await writeBackend(manager, config, exists);
    for (const { config, exists } of plan.routesToWrite) {
      const versionNumber = await writeRoute(manager, config, exists, actor);
      extraAudit.push({
        eventType: exists ? 'RouteUpdated' : 'RouteCreated',
        entityType: 'Route',
        entityId: config.routeId,
        details: { name: config.name, versionNumber, rollbackId, rolledBackToConfigVersion: version },
      });
    }
    for (const routeId of plan.routesToDelete) {
      extraAudit.push({
        eventType: 'RouteDeleted',
        entityType: 'Route',
        entityId: routeId,
        details: { rollbackId, rolledBackToConfigVersion: version },
      });
    }
    return {
      result: undefined,
      audit: rollbackAudit('ConfigRolledBack', rollbackId, {
        fromVersion,
        toVersion: version,
        reason,
        ...(approvalComment === undefined ? {} : { approvalComment }),
        routesWritten: plan.routesToWrite.map((entry) => entry.config.routeId),
        routesDeleted: plan.routesToDelete,
        backendsWritten: plan.backendsToWrite.map((entry) => entry.config.backendId),
        backendsDeleted: plan.backendsToDelete,
      }),
      extraAudit,
      subject: { kind: 'route' as const, id: plan.routesToWrite[0]?.config.routeId ?? '' },
    };
  }
}

async function writeBackend(manager: EntityManager, config: BackendConfig, exists: boolean): Promise<void> {
  const params = [
    config.backendId,
    config.name,
    config.url,
    config.weight,
    config.isEnabled,
    json(config.healthCheck),
    json(config.connectionPool),
    json(config.timeouts),
  ];
  if (exists) {
    await manager.query(
      `UPDATE backends SET name = $2, url = $3, weight = $4, is_enabled = $5, health_check = $6, connection_pool = $7,
              timeouts = $8, updated_at = now()
        WHERE backend_id = $1`,
      params,
    );
  } else {
    await manager.query(
      `INSERT INTO backends (backend_id, name, url, weight, is_enabled, health_check, connection_pool, timeouts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      params,
    );
  }
}

/** Makes `config` the route's live version (a new version number); returns that number. */
async function writeRoute(manager: EntityManager, config: RouteConfig, exists: boolean, actor: Actor): Promise<number> {
  const routes = manager.getRepository(RouteEntity);
  const entity = exists
    ? await routes.findOneOrFail({ where: { routeId: config.routeId }, lock: { mode: 'pessimistic_write' } })
    : manager.create(RouteEntity, { createdBy: actor.userId, latestVersionNumber: 0 });
  const versionNumber = entity.latestVersionNumber + 1;
  applyRouteConfig(entity, config);
  entity.liveVersionNumber = versionNumber;
  entity.latestVersionNumber = versionNumber;
  entity.updatedBy = actor.userId;
  if (exists) await manager.save(RouteEntity, entity);
  else await manager.insert(RouteEntity, entity);
  await manager.insert(RouteVersionEntity, {
    routeId: config.routeId,
    versionNumber,
    config,
    createdBy: actor.userId,
  });
  return versionNumber;
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function rollbackAudit(eventType: string, rollbackId: string, details: Record<string, unknown>): AuditEntry {
  return { eventType, entityType: 'ConfigRollback', entityId: rollbackId, details };
}

function toView(row: RollbackRow): ConfigRollbackView {
  const num = (value: string | null): number | null => (value === null ? null : Number(value));
  return {
    rollbackId: row.rollback_id,
    targetVersion: Number(row.target_version),
    environment: row.environment,
    reason: row.reason,
    status: row.status,
    requiresApproval: row.requires_approval,
    approvalExpiresAt: row.approval_expires_at?.toISOString() ?? null,
    requestedBy: row.requested_by,
    decidedBy: row.decided_by,
    decisionComment: row.decision_comment,
    decidedAt: row.decided_at?.toISOString() ?? null,
    fromVersion: num(row.from_version),
    appliedVersion: num(row.applied_version),
    appliedHash: row.applied_hash,
    createdAt: row.created_at.toISOString(),
  };
}
