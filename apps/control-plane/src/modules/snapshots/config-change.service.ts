import type { ConfigSnapshot } from '@hotswap/config-snapshot';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { ConflictError, ValidationError } from '../../common/errors/gateway-error';
import { SYSTEM_ACTOR, type Actor } from '../../common/http/actor';
import { sqlQueryOf } from '../../database/data-source';
import { uniqueViolationOf } from '../../database/pg-errors';
import { AuditService, type AuditEntry } from '../audit/audit.service';
import { ControlPlaneTracer } from '../tracing/control-plane-tracer';
import { toRequestIssues, type ChangeSubject } from './snapshot-issues';
import { lockSnapshots, writeSnapshot } from './snapshot-store';
import { SnapshotsService } from './snapshots.service';

/** What a change did, for the audit log and for naming validation issues. */
export interface ChangeOutcome<T> {
  result: T;
  audit: AuditEntry;
  /** Further audit rows written with the change (e.g. backends created inline with a route). */
  extraAudit?: AuditEntry[];
  subject: ChangeSubject;
}

export interface AppliedChange<T> {
  result: T;
  snapshot: ConfigSnapshot;
  auditId: string;
}

/** Friendly messages for the unique constraints of the schema. */
const UNIQUE_CONSTRAINTS: Record<string, string> = {
  gateway_routes_pkey: 'A route with this routeId already exists',
  uq_gateway_routes_name: 'A route with this name already exists',
  backends_pkey: 'A backend with this backendId already exists',
  uq_backends_name: 'A backend with this name already exists',
};

/**
 * The one way configuration changes: in one transaction, the change, its audit row and the next config snapshot
 * (built from every route and backend, validated, versioned from `config_version_seq`, announced with NOTIFY on
 * commit). Writers are serialized by an advisory lock, so snapshots follow each other in commit order. A
 * snapshot that does not validate rolls everything back with a 400 naming each field.
 */
@Injectable()
export class ConfigChangeService {
  private readonly logger = new Logger(ConfigChangeService.name);
  private readonly versionGauge: Gauge;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(SnapshotsService) private readonly snapshots: SnapshotsService,
    @Inject(Registry) registry: Registry,
    @Inject(ControlPlaneTracer) private readonly tracer: ControlPlaneTracer,
  ) {
    let lastVersion = 0;
    this.versionGauge = new Gauge({
      name: 'gateway_config_version',
      help: 'Version of the newest config snapshot',
      registers: [registry],
      collect: async () => {
        try {
          lastVersion = await this.snapshots.latestVersion();
        } catch (error) {
          this.logger.warn(`cannot read the config version: ${(error as Error).message}`);
        }
        this.versionGauge.set(lastVersion);
      },
    });
  }

  /**
   * Applies `change` and publishes the next snapshot, in a `gateway.snapshot.publish` span (a child of the REST
   * call's). A system change (a deployment job) is audited under that span's trace.
   */
  apply<T>(actor: Actor, change: (manager: EntityManager) => Promise<ChangeOutcome<T>>): Promise<AppliedChange<T>> {
    return this.tracer.inSpan('gateway.snapshot.publish', {}, async (span) => {
      const traceId = span?.spanContext().traceId;
      const audited = traceId !== undefined && actor.traceId === SYSTEM_ACTOR.traceId ? { ...actor, traceId } : actor;
      const applied = await this.publish(audited, change);
      span?.setAttribute('gateway.config_version', applied.snapshot.version);
      span?.setAttribute('gateway.audit_id', applied.auditId);
      return applied;
    });
  }

  private async publish<T>(
    actor: Actor,
    change: (manager: EntityManager) => Promise<ChangeOutcome<T>>,
  ): Promise<AppliedChange<T>> {
    let applied: AppliedChange<T> & { isStoredComplete: boolean };
    try {
      applied = await this.dataSource.transaction(async (manager) => {
        const query = sqlQueryOf(manager);
        await lockSnapshots(query);
        const outcome = await change(manager);
        const auditId = await this.audit.record(manager, outcome.audit, actor);
        for (const extra of outcome.extraAudit ?? []) await this.audit.record(manager, extra, actor);
        const written = await writeSnapshot(query, { auditId, now: new Date() }, this.snapshots.lastKnown());
        if (!written.ok) throw new ValidationError(toRequestIssues(written.issues, written, outcome.subject));
        return {
          result: outcome.result,
          snapshot: written.snapshot,
          auditId,
          isStoredComplete: written.isStoredComplete,
        };
      });
    } catch (error) {
      const unique = uniqueViolationOf(error);
      if (unique) {
        throw new ConflictError(
          UNIQUE_CONSTRAINTS[unique.constraint] ?? 'The change conflicts with existing data',
          unique,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    // Only a committed snapshot becomes the base of the next build: a rolled-back one never reaches here.
    this.snapshots.remember(applied.snapshot);
    if (!applied.isStoredComplete) this.snapshots.storeCompleteWhenDue(applied.snapshot);
    return { result: applied.result, snapshot: applied.snapshot, auditId: applied.auditId };
  }
}
